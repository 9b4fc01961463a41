"""The facilitator console driven with Pilot against a real session file."""

from __future__ import annotations

from textual.widgets import DataTable, RichLog, TextArea

from ttx.engine import commands as cmd
from ttx.engine.state import Lifecycle
from ttx.tui.common import ConfirmScreen
from ttx.tui.facilitator import AdhocScreen, FacilitatorApp, InjectDetail

from .conftest import Live


def cell(app: FacilitatorApp, row: str, column: str) -> str:
    table = app.query_one("#msel", DataTable)
    return str(table.get_cell(row, column))


def text_of(app: FacilitatorApp, selector: str) -> str:
    return str(app.query_one(selector).render())


async def test_start_release_hold_and_statuses(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=0.05)
    async with app.run_test(size=(110, 32)) as pilot:
        assert "EXERCISE" in text_of(app, "#banner") and "TLP:AMBER" in text_of(app, "#banner")
        await pilot.press("s")
        await pilot.pause()
        assert live.controller.state.lifecycle is Lifecycle.running
        assert cell(app, "N1-1", "status") == "released"
        assert "running" in text_of(app, "#banner") and "lead DWG" in text_of(app, "#banner")
        live.clock.advance(3 * 3600)  # D1 11:00
        await pilot.pause(0.2)
        assert cell(app, "N1-2", "status") == "required"
        assert "next: N1-3 at D1 13:00" in text_of(app, "#clockinfo")
        table = app.query_one("#msel", DataTable)
        table.move_cursor(row=table.get_row_index("N1-3"))
        await pilot.press("h")
        await pilot.pause()
        assert live.controller.state.injects["N1-3"].held and cell(app, "N1-3", "status") == "held"
        await pilot.press("r")
        await pilot.pause()
        assert live.controller.state.is_released("N1-3") and cell(app, "N1-3", "status") == "released"


async def test_guarded_phase_asks_before_override(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=0.05)
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("s")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "no response yet to N1-4" in str(app.screen.query_one("#question").render())
        await pilot.press("y")
        await pilot.pause()
        entered = live.controller.state.phase_log[-1]
        assert entered.phase == "landing" and entered.override


async def test_adhoc_inject_with_inline_validation(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=0.05)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press("s")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, AdhocScreen)
        app.screen.query_one("#to").value = "DWG, NOPE"  # type: ignore[attr-defined]
        app.screen.query_one("#title").value = "Journalist at the port"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Unknown: NOPE" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#to").value = "DWG, XCA"  # type: ignore[attr-defined]
        app.screen.query_one("#body", TextArea).text = "A reporter asks for a statement."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, AdhocScreen)
        adhoc = next(iter(live.controller.state.adhoc.values()))
        assert adhoc.title == "Journalist at the port" and adhoc.to == ["DWG", "XCA"]
        assert live.controller.state.is_released(adhoc.id)


async def test_feed_board_and_detail_show_responses(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=0.05)
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        live.controller.store.enqueue(
            "delegation:XAR", cmd.Respond(inject="N1-1", text="Arvenian centre takes the case")
        )
        await pilot.pause(0.2)
        assert live.controller.state.responses["N1-1"][0].text == "Arvenian centre takes the case"
        await pilot.press("3")
        await pilot.pause()
        feed = app.query_one("#feed", RichLog)
        assert any(
            "XAR" in str(line.text) and "Arvenian centre takes the case" in str(line.text) for line in feed.lines
        )
        await pilot.press("2")
        board = app.query_one("#board", DataTable)
        assert [str(c) for c in board.get_row("XAR")][2:4] == ["1", "1"]
        await pilot.press("1")
        table = app.query_one("#msel", DataTable)
        table.move_cursor(row=table.get_row_index("N1-1"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InjectDetail)
        responses = app.screen.query_one("#responses", DataTable)
        assert [str(c) for c in responses.get_row_at(0)][:1] == ["XAR"]
        await pilot.press("escape")


async def test_destructive_actions_confirm_and_end(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=0.05)
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("s", "x")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert live.controller.state.lifecycle is Lifecycle.running
        await pilot.press("x", "y")
        await pilot.pause()
        assert live.controller.state.lifecycle is Lifecycle.closed


async def test_rejections_are_shown_not_crashes(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=0.05)
    async with app.run_test(size=(110, 32)) as pilot:
        await pilot.press("space")  # resume before start
        await pilot.pause()
        assert any("cannot resume while the exercise is ready" in n.message for n in app._notifications)
        assert app.is_running


async def test_cell_filter_and_cell_rows_on_the_board(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=0.05)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press("s")
        await pilot.press("c")
        await pilot.press(*"PWG", "enter")
        await pilot.pause()
        table = app.query_one("#msel", DataTable)
        ids = [str(table.get_row_at(i)[1]).removeprefix("▶ ") for i in range(table.row_count)]
        assert ids == ["N1-2", "N1-3", "N1-5", "N1-4"]  # addressed to PWG or 'all'; not N1-1 (DWG only)
        await pilot.press("c")
        await pilot.press(*"NOPE", "enter")
        await pilot.pause()
        assert any("No cell or delegation 'NOPE'" in n.message for n in app._notifications)
        await pilot.press("escape", "c", *"all", "enter")
        await pilot.pause()
        assert table.row_count == 5  # day 1; no branch taken yet, the contingency not armed yet
        live.controller.submit(cmd.ReleaseNow(inject="N1-3"))
        await pilot.pause(0.2)
        board = app.query_one("#board", DataTable)
        assert [str(c) for c in board.get_row("cell:PWG")][2:4] == ["1", "0"]
