"""Seats and their codes: the projector's view code opens the wall view only, reads CLEAR/GREEN and acts on nothing."""

from __future__ import annotations

import pytest

from ttx.engine import commands as cmd
from ttx.engine.events import Rating, SeatRole
from ttx.engine.seats import (
    CODE_ALPHABET,
    PROJECTOR,
    make_seats,
    new_projector_seat,
    projector_seat,
    seat_infos,
    wall_view_refusal,
)
from ttx.engine.views import visible_injects
from ttx.loader.load import LoadedScenario

from .conftest import SessionFactory


def test_every_session_gets_one_view_code_unlike_every_join_code(harbour_watch: LoadedScenario) -> None:
    seats = make_seats(harbour_watch.scenario)
    projectors = [seat for seat in seats if seat.role is SeatRole.projector]
    assert [seat.seat for seat in projectors] == [PROJECTOR] and projector_seat(seats) == projectors[0]
    assert "ttx screen" in projectors[0].label and "TLP:GREEN" in projectors[0].label
    assert len({seat.code for seat in seats}) == len(seats)
    assert all(set(seat.code) <= set(CODE_ALPHABET) for seat in seats)
    assert PROJECTOR in [info.seat for info in seat_infos(seats)], "the log names the seat (never its code)"
    older = make_seats(harbour_watch.scenario, projector=False)
    assert projector_seat(older) is None
    added = new_projector_seat(older)
    assert added.role is SeatRole.projector and added.code not in {seat.code for seat in older}


def test_only_the_view_code_opens_the_wall_view(harbour_watch: LoadedScenario) -> None:
    seats = {seat.seat: seat for seat in make_seats(harbour_watch.scenario)}
    assert wall_view_refusal(seats[PROJECTOR], "bali.ttx") is None
    for name in ("facilitator", "delegation:XAR", "scribe:MWG", "evaluator:1"):
        refusal = wall_view_refusal(seats[name], "bali.ttx")
        assert refusal is not None and name in refusal and "projector's view code" in refusal
    unknown = wall_view_refusal(None, "bali.ttx")
    assert unknown is not None and "not a code of this session" in unknown


@pytest.mark.parametrize(
    "command",
    [
        cmd.Respond(inject="H1-1", text="We board", participant="XAR"),
        cmd.SendRequest(recipient="XAR", request_kind="information", text="Crew list?"),
        cmd.AnswerRequest(request="R1", text="Attached"),
        cmd.Observe(capability="C1", rating=Rating.P),
        cmd.Note(text="from the wall"),
        cmd.Pause(),
        cmd.ReleaseNow(inject="H1-4"),
    ],
    ids=lambda command: command.kind,
)
def test_the_projector_seat_cannot_act(make_session: SessionFactory, command: cmd.Command) -> None:
    session = make_session()
    session.ok(cmd.Start())
    before = session.types()
    reason = session.rejected(command, PROJECTOR)
    assert reason == "the projector's view code opens the wall view (ttx screen) and cannot act"
    assert session.types() == [*before, "command_rejected"], "only the refusal is recorded"


def test_the_projector_seat_reads_only_clear_and_green(make_session: SessionFactory) -> None:
    session = make_session()
    session.ok(cmd.Start())
    session.wait(3)
    for tlp in ("RED", "AMBER+STRICT", "AMBER", "GREEN", "CLEAR"):
        session.ok(cmd.Adhoc(id=f"X-{tlp.replace('+', '-')}", to=["XAR"], tlp=tlp, title=f"{tlp} news"))  # type: ignore[arg-type]
    seen = visible_injects(session.state, session.state.seats[PROJECTOR])
    assert seen[:2] == ["X-CLEAR", "X-GREEN"]
    assert not {"X-RED", "X-AMBER-STRICT", "X-AMBER"} & set(seen)
    assert all(session.state.inject(i).tlp.label in ("TLP:CLEAR", "TLP:GREEN") for i in seen)
    assert set(seen) == {
        i for i in session.state.released if session.state.inject(i).tlp.label.endswith(("CLEAR", "GREEN"))
    }
