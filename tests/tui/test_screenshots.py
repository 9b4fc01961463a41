"""The palette's Screenshot on the seat and replay consoles: saved where the console says, or why not."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from ttx.analysis.replay import Replay
from ttx.engine import commands as cmd
from ttx.engine.session import SessionReader
from ttx.store.sqlite import SqliteStore
from ttx.tui.participant import SeatApp
from ttx.tui.replay import ReplayApp

from .conftest import Live
from .waiting import Watch


async def _shoot(app: App[None], folder: Path, watch: Watch, expect_in_svg: str) -> None:
    async with app.run_test(size=(100, 30), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        screenshot = [c for c in app.get_system_commands(app.screen) if c.title == "Screenshot"]
        assert len(screenshot) == 1, "one Screenshot command in the palette"
        screenshot[0].callback()
        await watch.until(pilot, lambda: bool(watch.titled("Screenshot")), "the screenshot notice")
        saved = list(folder.glob("*.svg"))
        assert len(saved) == 1 and expect_in_svg in saved[0].read_text(encoding="utf-8")
        assert watch.titled("Screenshot") == [f"Screenshot saved to {saved[0].resolve()}"]

        blocked = folder / "a file"
        blocked.write_text("not a folder")
        app.screenshots = blocked / "shots"  # type: ignore[attr-defined]
        screenshot[0].callback()
        await watch.until(pilot, lambda: len(watch.titled("Screenshot")) == 2, "the failure notice")
        assert watch.titled("Screenshot")[1].startswith(f"Screenshot not saved: cannot write {blocked / 'shots'}")


async def test_a_delegation_saves_a_screenshot_without_a_downloads_folder(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live.act(cmd.Start())
    live.advance(0.1)
    home = tmp_path / "home"  # no Downloads in it: Textual's own Screenshot failed there without a word
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)  # with no folder given, the console saves where it was started
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=0.05)
    await _shoot(app, here, Watch(), "FERRY")


async def test_the_replay_console_saves_a_screenshot(live: Live, tmp_path: Path) -> None:
    live.act(cmd.Start())
    live.advance(1)
    records = list(SqliteStore(live.path).events())
    app = ReplayApp(Replay(records), "")
    app.screenshots = tmp_path / "shots"
    await _shoot(app, tmp_path / "shots", Watch(), "FERRY")
