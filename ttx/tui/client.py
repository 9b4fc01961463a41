"""A console's connection to a session it does not control: incremental fold, command submission."""

from __future__ import annotations

from pathlib import Path

from ttx.engine.commands import Command
from ttx.engine.events import EventRecord, SeatInfo
from ttx.engine.state import ExerciseState, fold
from ttx.store.base import CommandOutcome, CommandStatus, StoreError
from ttx.store.sqlite import SqliteStore


class SessionClient:
    """Reads a session as it grows and queues commands as one seat."""

    def __init__(self, path: Path, code: str) -> None:
        self.path = path
        self.store = SqliteStore(path)
        seat = self.store.seat_by_code(code)
        if seat is None:
            self.store.close()
            raise StoreError(f"no seat has the code {code!r} in {path}")
        self.seat_record = seat
        self.state: ExerciseState = fold(self.store.events())
        if seat.seat not in self.state.seats:
            self.store.close()
            raise StoreError(f"{path}: the session is still being created; try again in a moment")
        self.seat: SeatInfo = self.state.seats[seat.seat]
        self.pending: dict[int, Command] = {}

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
        probe = SqliteStore(self.path)
        try:
            free = probe.acquire_writer()
        finally:
            probe.close()
        return not free

    def close(self) -> None:
        """Close the store."""
        self.store.close()
