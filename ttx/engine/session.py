"""A session as seen by one seat that does not control it: an incremental fold of any store, and command submission."""

from __future__ import annotations

from ttx.engine.commands import Command
from ttx.engine.events import EventRecord, SeatInfo
from ttx.engine.ports import CommandOutcome, CommandStatus, EventStore, StoreError
from ttx.engine.state import ExerciseState, fold


class SessionReader:
    """Reads a session as it grows and queues commands as one seat; owns (and closes) its store."""

    def __init__(self, store: EventStore, code: str) -> None:
        self.store = store
        seat = store.seat_by_code(code)
        if seat is None:
            store.close()
            raise StoreError(f"no seat has the code {code!r} in {store.location}")
        self.seat_record = seat
        self.state: ExerciseState = fold(store.events())
        if seat.seat not in self.state.seats:
            store.close()
            raise StoreError(f"{store.location}: the session is still being created; try again in a moment")
        self.seat: SeatInfo = self.state.seats[seat.seat]
        self.pending: dict[int, Command] = {}

    @property
    def location(self) -> str:
        """Where the session lives."""
        return self.store.location

    def refresh(self) -> list[EventRecord]:
        """Fold events other processes appended since the last call (cheap when nothing changed)."""
        if not self.store.changed():
            return []
        new = list(self.store.events(after=self.state.seq))
        fold(new, self.state)
        return new

    def submit(self, command: Command) -> int:
        """Queue a command from this seat (durable at once); returns its id."""
        command_id = self.store.enqueue(self.seat.seat, command)
        self.pending[command_id] = command
        return command_id

    def settled(self) -> list[tuple[int, Command, CommandOutcome]]:
        """Commands of ours the controller has processed since the last call."""
        done = []
        for command_id, command in list(self.pending.items()):
            outcome = self.store.outcome(command_id)
            if outcome is not None and outcome.status is not CommandStatus.queued:
                done.append((command_id, command, outcome))
                del self.pending[command_id]
        return done

    def controller_running(self) -> bool:
        """Whether a controller holds the session (the facilitator console or a headless run)."""
        return self.store.writer_active()

    def close(self) -> None:
        """Close the store."""
        self.store.close()
