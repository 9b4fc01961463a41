"""Seats and join codes: the facilitator, one per delegation, one scribe per playing cell, evaluators."""

from __future__ import annotations

import secrets

from ttx.engine.events import SeatInfo, SeatRole
from ttx.engine.ports import Seat
from ttx.model.scenario import PLAYER_CELL_KINDS, Scenario

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: codes are read aloud and typed by hand."""
CODE_LENGTH = 6
FACILITATOR = "facilitator"


def new_code(taken: set[str]) -> str:
    """A fresh random join code not in ``taken``."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def make_seats(scenario: Scenario, evaluators: int = 2) -> list[Seat]:
    """Every seat a session needs, each with its own join code."""
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
    return seats


def seat_infos(seats: list[Seat]) -> list[SeatInfo]:
    """Seats as recorded in the log: no join codes."""
    return [SeatInfo(seat=s.seat, role=s.role, participant=s.participant, cell=s.cell) for s in seats]
