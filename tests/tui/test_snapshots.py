"""Snapshots pin what people see: the facilitator, participant and evaluator consoles at fixed moments."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from ttx.engine import commands as cmd
from ttx.engine.session import SessionReader
from ttx.store.sqlite import SqliteStore
from ttx.tui.facilitator import FacilitatorApp
from ttx.tui.participant import SeatApp

from .conftest import Live

SIZE = (100, 30)


async def steady(pilot: Pilot[Any]) -> None:
    """No blinking cursors; let the first poll settle."""
    for widget in pilot.app.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause(0.2)


def test_facilitator_msel(snap_compare: Any, live: Live) -> None:
    live.act(cmd.Start())
    live.advance(3)
    live.act(cmd.Hold(inject="N1-3"))
    live.act(cmd.Respond(inject="N1-2", text="Borelian centre takes the case"), "delegation:XBO")
    assert snap_compare(FacilitatorApp(live.controller, tick=60), terminal_size=SIZE, run_before=steady)


def test_facilitator_board(snap_compare: Any, live: Live) -> None:
    live.act(cmd.Start())
    live.advance(5)
    live.act(cmd.Respond(inject="N1-2", text="Borelian centre takes the case"), "delegation:XBO")

    async def board(pilot: Pilot[Any]) -> None:
        await steady(pilot)
        await pilot.press("2")

    assert snap_compare(FacilitatorApp(live.controller, tick=60), terminal_size=SIZE, run_before=board)


def test_participant_inject_view(snap_compare: Any, live: Live) -> None:
    live.act(cmd.Start())
    live.advance(9)
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=60)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady)


def test_evaluator_view(snap_compare: Any, live: Live) -> None:
    live.act(cmd.Start())
    live.advance(2)
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["evaluator:1"]), poll=60)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady)
