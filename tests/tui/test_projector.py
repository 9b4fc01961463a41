"""The projector view: the wall shows the clock, the day and the latest TLP:CLEAR/GREEN injects, nothing above GREEN."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Digits

from ttx.engine import commands as cmd
from ttx.store.queue import HEARTBEAT_STALE
from ttx.store.sqlite import SqliteStore
from ttx.tui.projector import ProjectorApp

from .conftest import Live
from .test_hostile_text import rendered
from .waiting import Watch

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}


def wall(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(3)  # D1 11:00: N1-1, N1-2 (GREEN) out; N1-3 at 13:00 next
    live.act(cmd.Adhoc(id="RED-1", to=["XAR"], tlp="RED", title="Named informant"))
    live.act(cmd.Adhoc(id="AMB-1", to=["all"], tlp="AMBER", title="Liaison officer's report"))
    live.act(cmd.Adhoc(id="PUB-1", to=["all"], tlp="CLEAR", title="Press release on the ferry"))


async def test_the_wall_shows_nothing_above_green(live: Live) -> None:
    wall(live)
    app = ProjectorApp(SqliteStore(live.path, read_only=True), poll=0.05)
    watch = Watch()
    async with app.run_test(size=(120, 30), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        shown = rendered(app)
        assert "Press release on the ferry" in shown and "N1-2" in shown and "lead DWG" in shown
        assert "Named informant" not in shown and "Liaison officer" not in shown
        assert "next inject at D1 13:00" in shown
        live.act(cmd.Adhoc(id="PUB-2", to=["all"], tlp="GREEN", title="Shelter opens"))
        live.act(cmd.Adhoc(id="AMB-2", to=["all"], tlp="AMBER+STRICT", title="Account numbers"))
        await watch.polled(pilot)
        shown = rendered(app)
        assert "Shelter opens" in shown and "Account numbers" not in shown


@pytest.mark.parametrize("size", SIZES)
def test_projector_at_room_sizes(snap_compare: Any, live: Live, size: str) -> None:
    wall(live)

    async def settle(pilot: Pilot[Any]) -> None:
        await pilot.wait_for_scheduled_animations()

    app = ProjectorApp(SqliteStore(live.path, read_only=True), poll=60, clock=lambda: live.clock.wall())
    assert snap_compare(app, terminal_size=SIZES[size], run_before=settle)


async def test_the_wall_says_when_the_controller_stops_and_its_clock_stops_with_it(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    wall(live)
    recorded = live.controller.state.wall
    assert recorded is not None
    store = SqliteStore(live.path, read_only=True)
    running = [True]
    monkeypatch.setattr(store, "writer_active", lambda: running[0])
    app = ProjectorApp(store, poll=0.05, clock=lambda: recorded + dt.timedelta(minutes=30))
    watch = Watch()
    async with app.run_test(size=(120, 30), message_hook=watch) as pilot:
        await watch.polled(pilot)
        assert app.query_one("#clock", Digits).value == "11:30", "while a controller runs, the clock runs on"
        assert "controller stopped" not in rendered(app)
        running[0] = False
        await watch.polled(pilot)
        assert "controller stopped" in str(app.query_one("#banner").render())
        assert app.query_one("#clock", Digits).value == "11:00", "the time of the last event, not a guess"
        running[0] = True
        await watch.polled(pilot)
        assert "controller stopped" not in rendered(app)


def test_the_wall_reads_the_session_often_enough_to_show_a_stopped_controller_within_two_seconds(live: Live) -> None:
    app = ProjectorApp(SqliteStore(live.path, read_only=True))  # as `ttx screen` and the served wall open it
    assert HEARTBEAT_STALE + app.poll_seconds < 2.0, "a heartbeat gone stale must be read within two seconds"
    app.store.close()
