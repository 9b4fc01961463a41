"""Snapshots pin what people see: the facilitator, participant and evaluator consoles at fixed moments."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from ttx.engine import commands as cmd
from ttx.engine.events import Rating
from ttx.engine.session import SessionReader
from ttx.store.sqlite import SqliteStore
from ttx.tui.facilitator import FacilitatorApp
from ttx.tui.participant import SeatApp
from ttx.tui.responses import ResponseReader

from .conftest import Live
from .test_facilitator import settle

SIZE = (100, 30)


def no_blinking(pilot: Pilot[Any]) -> None:
    """No blinking cursors (in the dialog on top too)."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False


async def steady(pilot: Pilot[Any]) -> None:
    """No blinking cursors; let the first poll (a seat) or the controller's first view (the facilitator) settle."""
    no_blinking(pilot)
    if isinstance(pilot.app, FacilitatorApp):
        await settle(pilot)
        return
    if isinstance(pilot.app, SeatApp):
        app = pilot.app
        deadline = asyncio.get_running_loop().time() + 10  # a bound for a busy machine, not a speed figure
        while app.running is None:  # the first poll (a worker) says whether the controller runs
            assert asyncio.get_running_loop().time() < deadline, "the seat console's first poll did not arrive"
            await app.workers.wait_for_complete()
            await pilot.pause()  # (no delay: lets the console handle what its worker posted)
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()  # the status line is drawn before a dialog may cover it


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
        await settle(pilot)

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


ROOM_SIZES = {"80x24": (80, 24), "160x45": (160, 45)}
"""A delegation's laptop terminal and the facilitator's wide screen: ids and TLP labels are never cut in either."""


def room(live: Live) -> None:
    """D1 17:00 with a long ad-hoc id, an AMBER+STRICT label, an answered request and a response."""
    live.act(cmd.Start())
    live.advance(9)
    live.act(
        cmd.Adhoc(id="X-HANDOVER", to=["all"], tlp="AMBER+STRICT", title="Handover of the crew to the coast guard")
    )
    live.act(cmd.Respond(inject="N1-2", text="Borelian centre takes the case " * 8), "delegation:XBO")
    live.act(cmd.SendRequest(recipient="XBO", request_kind="information", text="Crew list, please"), "delegation:XAR")
    request = list(live.controller.state.requests)[-1]
    live.act(cmd.AnswerRequest(request=request, text="Attached; passports tomorrow"), "delegation:XBO")


def keys_then(*keys: str) -> Any:
    async def run(pilot: Pilot[Any]) -> None:
        await steady(pilot)
        for key in keys:
            await pilot.press(key)
        if isinstance(pilot.app, FacilitatorApp):
            await settle(pilot)
            no_blinking(pilot)
        else:
            await pilot.pause()

    return run


FACILITATOR_VIEWS = {
    "msel": (),
    "board": ("2",),
    "feed": ("3",),
    "agenda": ("4",),
    "keys": ("question_mark",),
    "detail": ("enter",),
    "reader": (),
    "adhoc": ("i",),
    "release": ("d", "r"),
    "advance": ("a",),
    "goto": ("g",),
    "ratings": ("5",),
    "rating": (),
}
"""Every screen of the facilitator console: its five tabs, the key help, an inject in full, every response in full,
the ad-hoc form, the release and advance confirmations, a one-line prompt, an evaluator's rating in full."""


def ratings(live: Live) -> None:
    """Two evaluators' ratings: a critical task rated twice (the later first), a capability as a whole, a long note."""
    live.act(
        cmd.Observe(
            capability="C1", task="C1.1", rating=Rating.S, note="Named after 40 min; XBO hesitated", inject="N1-1"
        ),
        "evaluator:1",
    )
    live.act(cmd.Observe(capability="C1", task="C1.3", rating=Rating.U, inject="N1-2"), "evaluator:2")
    live.act(
        cmd.Observe(capability="C1", task="C1.1", rating=Rating.P, note="Named at once", inject="N1-1"), "evaluator:2"
    )
    live.act(cmd.Observe(capability="C2", rating=Rating.M, note="No triage plan. " * 40), "evaluator:1")


SEAT_VIEWS = {"injects": (), "requests": ("2",), "keys": ("question_mark",)}


@pytest.mark.parametrize("size", ROOM_SIZES)
@pytest.mark.parametrize("view", FACILITATOR_VIEWS)
def test_facilitator_at_room_sizes(snap_compare: Any, live: Live, view: str, size: str) -> None:
    room(live)
    if view in ("ratings", "rating"):
        ratings(live)
    app = FacilitatorApp(live.controller, tick=60)
    if view == "reader":

        async def reader(pilot: Pilot[Any]) -> None:
            await steady(pilot)
            app.push_screen(ResponseReader(live.controller.state, "N1-2"))
            await settle(pilot)

        assert snap_compare(app, terminal_size=ROOM_SIZES[size], run_before=reader)
        return
    if view == "release":

        async def release(pilot: Pilot[Any]) -> None:
            await keys_then("d")(pilot)  # all days: a day-2 inject, still to come
            assert app.msel.show("N2-2")
            await keys_then("r")(pilot)

        assert snap_compare(app, terminal_size=ROOM_SIZES[size], run_before=release)
        return
    if view == "rating":

        async def rating(pilot: Pilot[Any]) -> None:
            await keys_then("5")(pilot)
            app.ratings.move_cursor(
                row=app.ratings.get_row_index(live.controller.state.observations[-1].event.observation)
            )
            await keys_then("enter")(pilot)  # the capability rated as a whole, with a long note

        assert snap_compare(app, terminal_size=ROOM_SIZES[size], run_before=rating)
        return
    assert snap_compare(app, terminal_size=ROOM_SIZES[size], run_before=keys_then(*FACILITATOR_VIEWS[view]))


@pytest.mark.parametrize("size", ROOM_SIZES)
@pytest.mark.parametrize("view", SEAT_VIEWS)
def test_delegation_at_room_sizes(snap_compare: Any, live: Live, view: str, size: str) -> None:
    room(live)
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=60)
    assert snap_compare(app, terminal_size=ROOM_SIZES[size], run_before=keys_then(*SEAT_VIEWS[view]))


@pytest.mark.parametrize("size", ROOM_SIZES)
def test_evaluator_at_room_sizes(snap_compare: Any, live: Live, size: str) -> None:
    room(live)
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["evaluator:1"]), poll=60)
    assert snap_compare(app, terminal_size=ROOM_SIZES[size], run_before=steady)
