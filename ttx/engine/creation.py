"""Creating a session: its seats with their join codes, and the first event carrying the scenario snapshot."""

from __future__ import annotations

from ttx import __version__
from ttx.engine.clock import Clock
from ttx.engine.events import SYSTEM, SessionCreated
from ttx.engine.ports import EventStore, NewEvent, Seat, StoreError
from ttx.engine.seats import make_seats, seat_infos
from ttx.model.scenario import Scenario


def create_session(store: EventStore, scenario: Scenario, digest: str, clock: Clock, evaluators: int = 2) -> list[Seat]:
    """Write the first event (with the scenario snapshot) and the seats of a new session."""
    if store.head()[0] != 0:
        raise StoreError("session already has events")
    seats = make_seats(scenario, evaluators)
    store.add_seats(seats)
    created = SessionCreated(
        scenario=scenario.model_dump(mode="json", by_alias=True),
        digest=digest,
        seats=seat_infos(seats),
        ttx_version=__version__,
    )
    store.append([NewEvent(clock.wall(), 0, SYSTEM, created)])
    return seats
