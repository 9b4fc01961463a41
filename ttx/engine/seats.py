"""Seats and join codes: the facilitator, one per delegation, one scribe per playing cell, evaluators, the projector."""

from __future__ import annotations

import secrets

from ttx.engine.events import SeatInfo, SeatRole
from ttx.engine.ports import Seat
from ttx.model.scenario import PLAYER_CELL_KINDS, Scenario

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: codes are read aloud and typed by hand."""
CODE_LENGTH = 6
FACILITATOR = "facilitator"
PROJECTOR = "projector"
PROJECTOR_LABEL = "Projector: the wall view only (ttx screen), never anything above TLP:GREEN"


def new_code(taken: set[str]) -> str:
    """A fresh random join code not in ``taken``."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def make_seats(scenario: Scenario, evaluators: int = 2, *, projector: bool = True) -> list[Seat]:
    """Every seat a session needs, each with its own join code.

    ``projector``: with the view code that opens the wall view and nothing else (sessions made before
    ttx had one are copied without it).
    """
    taken: set[str] = set()
    seats = [Seat(new_code(taken), FACILITATOR, SeatRole.facilitator, label="Facilitator / exercise control")]
    for participant in scenario.participants:
        seats.append(
            Seat(
                new_code(taken),
                f"delegation:{participant.id}",
                SeatRole.delegation,
                participant=participant.id,
                label=participant.name,
            )
        )
    for cell in scenario.cells:
        if cell.kind in PLAYER_CELL_KINDS:
            seats.append(
                Seat(new_code(taken), f"scribe:{cell.id}", SeatRole.scribe, cell=cell.id, label=f"{cell.name} (scribe)")
            )
    for number in range(1, evaluators + 1):
        seats.append(Seat(new_code(taken), f"evaluator:{number}", SeatRole.evaluator, label=f"Evaluator {number}"))
    if projector:
        seats.append(Seat(new_code(taken), PROJECTOR, SeatRole.projector, label=PROJECTOR_LABEL))
    return seats


def seat_infos(seats: list[Seat]) -> list[SeatInfo]:
    """Seats as recorded in the log: no join codes."""
    return [SeatInfo(seat=s.seat, role=s.role, participant=s.participant, cell=s.cell) for s in seats]


def wall_view_refusal(seat: Seat | None, location: str) -> str | None:
    """Why a code does not open the wall view (``ttx screen``), or None when it is the projector's view code.

    Only the view code opens it: a seat's join code opens that seat's console and nothing else, so a
    delegation cannot read, on the wall view, TLP:GREEN injects that were not sent to it.
    """
    if seat is not None and seat.role is SeatRole.projector:
        return None
    where = f"the wall view of {location} opens only with the projector's view code (ttx seats lists it)"
    if seat is None:
        return f"that is not a code of this session: {where}"
    return f"that is the join code of the seat {seat.seat}, which opens ttx join, not the wall view: {where}"


def projector_seat(seats: list[Seat]) -> Seat | None:
    """The projector's seat (with its view code), or None for a session made before sessions had one."""
    return next((seat for seat in seats if seat.role is SeatRole.projector), None)


def new_projector_seat(seats: list[Seat]) -> Seat:
    """A projector seat for a session made without one, its view code unlike every other code of the session."""
    return Seat(new_code({seat.code for seat in seats}), PROJECTOR, SeatRole.projector, label=PROJECTOR_LABEL)
