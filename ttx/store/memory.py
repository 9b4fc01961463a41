"""An in-memory event store with the same behaviour as the SQLite one (tests, replays, benchmarks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from ttx.engine.commands import COMMAND_ADAPTER, Command
from ttx.engine.events import GENESIS_HASH, EventRecord
from ttx.store.base import CommandOutcome, CommandStatus, NewEvent, QueuedCommand, Seat
from ttx.store.log import chain


class MemoryStore:
    """Events, commands and seats held in lists; hash-chained exactly like the SQLite store."""

    def __init__(self) -> None:
        self._events: list[EventRecord] = []
        self._commands: list[tuple[QueuedCommand, CommandOutcome, str]] = []
        self._seats: list[Seat] = []
        self._version = 0
        self._seen_version = 0

    def append(self, events: Sequence[NewEvent], outcomes: Sequence[CommandOutcome] = ()) -> list[EventRecord]:
        """Append events (hash-chained) and record outcomes."""
        records = [record for _, record in chain(events, *self.head())]
        self._events.extend(records)
        by_id = {outcome.id: outcome for outcome in outcomes}
        self._commands = [(queued, by_id.get(queued.id, outcome), origin) for queued, outcome, origin in self._commands]
        self._version += 1
        return records

    def events(self, after: int = 0) -> Iterator[EventRecord]:
        """Events after ``after``."""
        return iter(self._events[after:])

    def head(self) -> tuple[int, str]:
        """(last sequence, hash)."""
        return (self._events[-1].seq, self._events[-1].hash) if self._events else (0, GENESIS_HASH)

    def enqueue(self, seat: str, command: Command, origin: str = "") -> int:
        """Queue a command (round-tripped through JSON, as the SQLite store does)."""
        command_id = len(self._commands) + 1
        stored = COMMAND_ADAPTER.validate_json(COMMAND_ADAPTER.dump_json(command, by_alias=True))
        queued = QueuedCommand(command_id, seat, dt.datetime.now(dt.UTC), stored)
        self._commands.append((queued, CommandOutcome(command_id, CommandStatus.queued), origin))
        self._version += 1
        return command_id

    def origins(self) -> set[str]:
        """Origin tags of queued commands."""
        return {origin for _, _, origin in self._commands if origin}

    def queued(self, limit: int = 500) -> list[QueuedCommand]:
        """Unprocessed commands, oldest first."""
        return [q for q, o, _ in self._commands if o.status is CommandStatus.queued][:limit]

    def outcome(self, command_id: int) -> CommandOutcome | None:
        """What happened to a command."""
        if 1 <= command_id <= len(self._commands):
            return self._commands[command_id - 1][1]
        return None

    def changed(self) -> bool:
        """Whether anything was written since the last call."""
        changed = self._version != self._seen_version
        self._seen_version = self._version
        return changed

    def add_seats(self, seats: Sequence[Seat]) -> None:
        """Store seats."""
        self._seats.extend(seats)

    def seats(self) -> list[Seat]:
        """All seats."""
        return list(self._seats)

    def seat_by_code(self, code: str) -> Seat | None:
        """The seat with this code."""
        return next((s for s in self._seats if s.code == code.strip().upper()), None)

    def close(self) -> None:
        """Nothing to release."""
