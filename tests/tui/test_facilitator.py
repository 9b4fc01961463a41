"""The facilitator console driven with Pilot against a real session file."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import Phase, example, given, settings
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TextArea

from ttx.engine import commands as cmd
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.events import Rating
from ttx.engine.state import Lifecycle
from ttx.loader.load import load_scenario
from ttx.store.sqlite import SqliteStore
from ttx.tui.common import ConfirmScreen
from ttx.tui.facilitator import AdhocScreen, FacilitatorApp, InjectDetail
from ttx.tui.facilitator_dialogs import RatingDetail

from .conftest import Live
from .test_hostile_text import (
    EVERY_PIECE,
    HOSTILE,
    ISSUE,
    SHOWN_NOWHERE,
    Hostile,
    check,
    hostile_scenario,
    screen_text,
    session,
)

SLOW = 60.0
"""A tick the tests never wait for: they step the controller themselves (``app.step()``)."""


def cell(app: FacilitatorApp, row: str, column: str) -> str:
    return str(app.msel.get_cell(row, column))


def text_of(app: FacilitatorApp, selector: str) -> str:
    return str(app.query_one(selector).render())


def question(app: FacilitatorApp) -> str:
    assert isinstance(app.screen, ConfirmScreen), app.screen
    return str(app.screen.query_one("#question", Static).render())


def notices(app: FacilitatorApp) -> list[str]:
    """What the console told the facilitator, as the toasts on screen say it (run_test(notifications=True))."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


async def settle(pilot: Pilot[Any]) -> None:
    """Let the console finish what it started: its workers, then what they posted and what that scheduled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.wait_for_scheduled_animations()


async def step(pilot: Pilot[Any]) -> None:
    """Step the controller now (as the next tick would) and let the console show the result."""
    app = pilot.app
    assert isinstance(app, FacilitatorApp)
    await settle(pilot)
    app.step()
    await settle(pilot)


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys, then let the console finish what they started."""
    await pilot.press(*keys)
    await settle(pilot)


async def test_start_release_hold_and_statuses(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await settle(pilot)
        assert "EXERCISE" in text_of(app, "#banner") and "TLP:AMBER" in text_of(app, "#banner")
        await press(pilot, "s")
        assert live.controller.state.lifecycle is Lifecycle.running
        assert cell(app, "N1-1", "status") == "released"
        assert "running" in text_of(app, "#banner") and "lead DWG" in text_of(app, "#banner")
        live.clock.advance(3 * 3600)  # D1 11:00
        await step(pilot)
        assert cell(app, "N1-2", "status") == "required"
        assert "next: N1-3 at D1 13:00" in text_of(app, "#clockinfo")
        assert app.msel.show("N1-3")
        await press(pilot, "h")
        assert live.controller.state.injects["N1-3"].held and cell(app, "N1-3", "status") == "held"
        await press(pilot, "r")
        assert "N1-3 is held: releasing it sends it anyway." in question(app)
        await press(pilot, "y")
        assert live.controller.state.is_released("N1-3") and cell(app, "N1-3", "status") == "released"


async def test_release_asks_first_naming_the_inject_and_keeps_the_highlight_on_it(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s")
        assert app.msel.show("N1-5")  # D1 15:00: released now, it moves up the list
        await press(pilot, "r")
        title = live.controller.state.inject("N1-5").title
        assert f"Release N1-5 · {title} now?" in question(app)
        await press(pilot, "n")
        assert not live.controller.state.is_released("N1-5") and app.msel.highlighted == "N1-5"
        await press(pilot, "r", "y")
        assert live.controller.state.is_released("N1-5")
        assert app.msel.get_row_index("N1-5") != 4 and app.msel.highlighted == "N1-5"
        await press(pilot, "r")  # a second r acts on the same inject: there is nothing left to release
        assert not isinstance(app.screen, ConfirmScreen)
        released = [i for i in live.controller.state.injects if live.controller.state.is_released(i)]
        assert released == ["N1-1", "N1-5"]


async def test_guarded_phase_asks_before_override(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s", "a")
        assert "no response yet to N1-4" in question(app)
        await press(pilot, "y")
        entered = live.controller.state.phase_log[-1]
        assert entered.phase == "landing" and entered.override


async def test_adhoc_inject_with_inline_validation(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 40)) as pilot:
        await press(pilot, "s", "i")
        assert isinstance(app.screen, AdhocScreen)
        app.screen.query_one("#to").value = "DWG, NOPE"  # type: ignore[attr-defined]
        app.screen.query_one("#title").value = "Journalist at the port"  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        assert "Unknown: NOPE" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#to").value = "DWG, XCA"  # type: ignore[attr-defined]
        app.screen.query_one("#body", TextArea).text = "A reporter asks for a statement."
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, AdhocScreen)
        adhoc = next(iter(live.controller.state.adhoc.values()))
        assert adhoc.title == "Journalist at the port" and adhoc.to == ["DWG", "XCA"]
        assert live.controller.state.is_released(adhoc.id)


async def test_feed_board_and_detail_show_responses(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s")
        live.controller.store.enqueue(
            "delegation:XAR", cmd.Respond(inject="N1-1", text="Arvenian centre takes the case")
        )
        await step(pilot)
        assert live.controller.state.responses["N1-1"][0].text == "Arvenian centre takes the case"
        await press(pilot, "3")
        assert any("XAR" in line and "Arvenian centre takes the case" in line for line in app.feed.texts)
        await press(pilot, "2")
        assert [str(c) for c in app.board.get_row("XAR")][2:4] == ["1", "1"]
        await press(pilot, "1")
        assert app.msel.show("N1-1")
        await press(pilot, "enter")
        assert isinstance(app.screen, InjectDetail)
        responses = app.screen.query_one("#responses", DataTable)
        assert [str(c) for c in responses.get_row_at(0)][:1] == ["XAR"]
        await press(pilot, "escape")


async def test_destructive_actions_confirm_and_end(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s", "x")
        await press(pilot, "n")
        assert live.controller.state.lifecycle is Lifecycle.running
        await press(pilot, "x", "y")
        assert live.controller.state.lifecycle is Lifecycle.closed


async def test_rejections_are_shown_not_crashes(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32), notifications=True) as pilot:
        await press(pilot, "space")  # resume before start
        assert any("cannot resume while the exercise is ready" in notice for notice in notices(app))
        assert app.is_running


async def test_cell_filter_and_cell_rows_on_the_board(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 40), notifications=True) as pilot:
        await press(pilot, "s", "c", *"PWG", "enter")
        table = app.msel
        ids = [str(table.get_row_at(i)[1]).removeprefix("▶ ") for i in range(table.row_count)]
        assert ids == ["N1-2", "N1-3", "N1-5", "N1-4"]  # addressed to PWG or 'all'; not N1-1 (DWG only)
        await press(pilot, "c", *"NOPE", "enter")
        assert any("No cell or delegation 'NOPE'" in notice for notice in notices(app))
        await press(pilot, "escape", "c", *"all", "enter")
        assert table.row_count == 5  # day 1; no branch taken yet, the contingency not armed yet
        live.controller.submit(cmd.ReleaseNow(inject="N1-3"))
        await step(pilot)
        assert [str(c) for c in app.board.get_row("cell:PWG")][2:4] == ["1", "0"]


async def test_the_feed_follows_the_controller_while_open_and_lets_go_when_closed(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s", "3")
        live.act(cmd.Respond(inject="N1-1", text="Arvenian centre takes the case"), "delegation:XAR")
        await step(pilot)
        assert any("XAR → N1-1: Arvenian centre takes the case" in line for line in app.feed.texts)
    live.act(
        cmd.Respond(inject="N1-1", text="After the console closed"), "delegation:XAR"
    )  # a feed line, if listened to
    assert app.view is not None and live.controller.state.seq > app.view.seq
    assert app.link.take_feed() == (), "a closed console no longer listens to the controller"


async def test_the_palette_screenshot_says_where_it_saved_or_why_not(live: Live, tmp_path: Path) -> None:
    folder = tmp_path / "shots"
    app = FacilitatorApp(live.controller, tick=SLOW, screenshots=folder)
    async with app.run_test(size=(110, 32), notifications=True) as pilot:
        await settle(pilot)
        screenshot = next(c for c in app.get_system_commands(app.screen) if c.title == "Screenshot")
        screenshot.callback()
        await settle(pilot)
        saved = list(folder.glob("*.svg"))
        assert len(saved) == 1 and "FERRY" in saved[0].read_text(encoding="utf-8")  # the screen, drawn
        assert any(f"Screenshot saved to {saved[0].resolve()}" in notice for notice in notices(app))

        blocked = tmp_path / "a file"
        blocked.write_text("not a folder")
        app.screenshots = blocked / "shots"
        screenshot.callback()
        await settle(pilot)
        assert any(f"Screenshot not saved: cannot write {blocked / 'shots'}" in notice for notice in notices(app))


@settings(max_examples=2, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(HOSTILE)
@example(ISSUE)
def test_release_and_advance_confirmations_show_titles_as_written(hostile: Hostile) -> None:
    with tempfile.TemporaryDirectory() as folder:
        scenario = hostile_scenario(Path(folder), hostile)
        loaded = load_scenario(scenario)
        store = SqliteStore(Path(folder) / "session.ttx", create=True)
        clock = ManualClock()
        create_session(store, loaded.scenario, loaded.digest, clock)
        controller = Controller(store, clock)
        controller.submit(cmd.Start())  # D1 08:00: N1-4 (the hostile title) is still to come
        try:
            asyncio.run(_confirmations(FacilitatorApp(controller, tick=SLOW), hostile))
        finally:
            store.close()


async def _confirmations(app: FacilitatorApp, hostile: Hostile) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.msel.show("N1-4")
        for key in ("r", "a"):  # N1-4 by name; then among what the jump to the next phase releases
            await press(pilot, key)
            asked = question(app)
            assert hostile.marker("IT0") in asked, asked
            assert not SHOWN_NOWHERE.search(screen_text(app) + asked)
            await press(pilot, "n")


def feed_text(app: FacilitatorApp) -> str:
    """The feed as one text, its wrapped lines joined again."""
    return " ".join(line.strip() for line in app.feed.texts)


def ratings_rows(app: FacilitatorApp) -> list[list[str]]:
    """The Ratings tab as a person reads it: each row's cells, top to bottom."""
    table = app.ratings
    return [[str(value) for value in table.get_row_at(row)] for row in range(table.row_count)]


async def test_an_evaluators_rating_shows_in_the_feed_and_the_ratings_tab(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(160, 40)) as pilot:
        await press(pilot, "s", "3")
        live.clock.advance(3600)
        note = "Lead centre named after 40 min; XBO hesitated"
        live.controller.store.enqueue(
            "evaluator:1", cmd.Observe(capability="C1", task="C1.1", rating=Rating.S, note=note, inject="N1-1")
        )
        await step(pilot)
        assert feed_text(app).endswith(
            "D1 09:00 RATING S (performed with some challenges) C1.1 on N1-1 by evaluator:1: " + note
        )
        assert str(app.tabs.get_tab("ratings-tab").label) == "Ratings (1)"
        await press(pilot, "5")
        assert app.focused is app.ratings
        rows = ratings_rows(app)
        assert rows[:3] == [
            ["C1", "", "", "", "", "Maritime detection and interception"],
            ["C1.1", "", "", "", "", "Name the lead centre"],
            ["", "S", "D1 09:00", "N1-1", "evaluator:1", note],
        ]
        assert ["C1.2", "", "", "", "", "Decide whether to board on partial information — not rated yet"] in rows

        live.clock.advance(3600)  # a second rating of the same task, by another evaluator, on another inject: on top
        live.controller.store.enqueue(
            "evaluator:2", cmd.Observe(capability="C1", task="C1.1", rating=Rating.U, inject="N1-2")
        )
        await step(pilot)
        await press(pilot, "3")
        assert feed_text(app).endswith("D1 10:00 RATING U (unable to be performed) C1.1 on N1-2 by evaluator:2")
        await press(pilot, "5")
        assert [row[1:5] for row in ratings_rows(app)[2:4]] == [
            ["U", "D1 10:00", "N1-2", "evaluator:2"],
            ["S", "D1 09:00", "N1-1", "evaluator:1"],
        ]
        assert str(app.tabs.get_tab("ratings-tab").label) == "Ratings (2)"

        first = live.controller.state.observations[0].event.observation
        app.ratings.move_cursor(row=app.ratings.get_row_index(first))
        live.controller.store.enqueue("evaluator:2", cmd.Observe(capability="C1", rating=Rating.M))  # a row above it
        await step(pilot)
        assert ratings_rows(app)[1][1] == "M" and app.ratings.highlighted == first  # the cursor stays on its rating
        await press(pilot, "enter")
        assert isinstance(app.screen, RatingDetail)
        shown = screen_text(app)
        assert "S performed with some challenges" in shown and "C1.1 · Name the lead centre" in shown
        assert "by evaluator:1 at D1 09:00" in shown and "on N1-1 · " in shown and note in shown
        await press(pilot, "escape")
        assert app.ratings.highlighted == first


async def test_a_long_note_is_one_bounded_line_in_the_feed_and_whole_in_the_detail(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 40)) as pilot:
        await press(pilot, "s")
        note = "first line\nsecond line " + "x" * 5000 + " END"
        live.controller.store.enqueue("evaluator:1", cmd.Observe(capability="C2", rating=Rating.M, note=note))
        await step(pilot)
        line = app.view.feed[-1].plain if app.view and app.view.feed else ""
        assert "C2 by evaluator:1: first line\\nsecond line xxx" in line and "\n" not in line
        assert line.endswith(f"… (+{len(note) - 160:,} characters)") and len(line) < 300
        await press(pilot, "3")
        shown = feed_text(app)
        assert "first line\\nsecond line" in shown and "characters)" in shown and "END" not in shown
        await press(pilot, "5")
        observation = live.controller.state.observations[0].event.observation
        app.ratings.move_cursor(row=app.ratings.get_row_index(observation))
        await press(pilot, "enter")
        assert isinstance(app.screen, RatingDetail)
        assert str(app.screen.query_one("#rating-note", Static).render()).endswith("x END")


@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(HOSTILE)
@example(ISSUE)
@example(EVERY_PIECE)
def test_a_rating_note_is_shown_as_written(hostile: Hostile) -> None:
    with session() as live:
        asyncio.run(_rating_note(live, hostile))


async def _rating_note(live: Live, hostile: Hostile) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        live.controller.store.enqueue(
            "evaluator:1", cmd.Observe(capability="C1", task="C1.2", rating=Rating.P, note=hostile.text("ON0"))
        )
        await step(pilot)
        await press(pilot, "3")
        check(app, [hostile], "ON")  # the feed
        await press(pilot, "5")
        check(app, [hostile], "ON")  # the Ratings tab
        observation = live.controller.state.observations[-1].event.observation
        app.ratings.move_cursor(row=app.ratings.get_row_index(observation))
        await press(pilot, "enter")
        assert isinstance(app.screen, RatingDetail)
        check(app, [hostile], "ON")  # the rating in full
