"""An in-memory event store with the same behaviour as the SQLite one (tests, replays, benchmarks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from pydantic_core import PydanticSerializationError

from ttx.engine.chain import GENESIS_HASH, chain
from ttx.engine.commands import COMMAND_ADAPTER, Command
from ttx.engine.events import EventRecord, event_json, wall_text
from ttx.engine.ports import CommandOutcome, CommandStatus, NewEvent, QueuedCommand, RawRow, Seat, StoreError


class MemoryStore:
    """Events, commands and seats held in lists; hash-chained exactly like the SQLite store."""

    def __init__(self) -> None:
        self._events: list[EventRecord] = []
        self._commands: list[tuple[QueuedCommand, CommandOutcome, str]] = []
        self._seats: list[Seat] = []
        self._version = 0
        self._seen_version = 0
        self._writer = False

    @property
    def location(self) -> str:
        """An in-memory session has no address."""
        return ":memory:"

    def acquire_writer(self) -> bool:
        """Become the one controller (once)."""
        if self._writer:
            return False
        self._writer = True
        return True

    def heartbeat(self) -> None:
        """Nothing to write: the controller is in this process."""

    def writer_active(self) -> bool:
        """Whether a controller took the store."""
        return self._writer

    def raw_rows(self) -> Iterator[RawRow]:
        """Every event as it would be stored."""
        for record in self._events:
            payload = event_json(record.event)
            yield (
                record.seq,
                wall_text(record.wall),
                record.at,
                record.actor,
                record.event.type,
                payload,
                record.prev,
                record.hash,
            )

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
        try:
            stored = COMMAND_ADAPTER.validate_json(COMMAND_ADAPTER.dump_json(command, by_alias=True))
        except (PydanticSerializationError, ValueError) as error:
            raise StoreError(f"not a command ttx can store ({error})") from None
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
