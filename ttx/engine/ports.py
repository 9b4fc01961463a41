"""The engine's storage port: the EventStore protocol every session store implements, and its value types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ttx.engine.commands import Command
from ttx.engine.events import Event, EventRecord, SeatRole


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be appended: the store gives it its sequence number and hash."""

    wall: dt.datetime
    at: int
    actor: str
    event: Event


class CommandStatus(StrEnum):
    """Where a queued command is."""

    queued = "queued"
    recorded = "recorded"
    rejected = "rejected"


@dataclass(frozen=True, slots=True)
class QueuedCommand:
    """A command waiting for the controller."""

    id: int
    seat: str
    submitted: dt.datetime
    command: Command | None
    """None when the stored text is not a valid command (it is then rejected)."""
    error: str = ""


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What the controller did with a command."""

    id: int
    status: CommandStatus
    reason: str = ""
    seq: int | None = None
    """The sequence number of the first event the command produced."""


@dataclass(frozen=True, slots=True)
class Seat:
    """A seat and its join code."""

    code: str
    seat: str
    role: SeatRole
    participant: str | None = None
    cell: str | None = None
    label: str = ""


RawRow = tuple[int, str, int, str, str, str, str, str]
"""(seq, wall, at, actor, type, payload JSON, prev hash, hash) exactly as stored: what verification reads."""


class StoreError(Exception):
    """A session store that cannot be opened, written, or trusted."""


class EventStore(Protocol):
    """What every session store provides (SQLite embedded; another database behind the same calls)."""

    @property
    def location(self) -> str:
        """Where the session lives, as a person would type it (a file path or a database URL)."""
        ...

    def append(self, events: Sequence[NewEvent], outcomes: Sequence[CommandOutcome] = ()) -> list[EventRecord]:
        """Atomically append events (hash-chained) and record command outcomes; durable on return."""
        ...

    def events(self, after: int = 0) -> Iterator[EventRecord]:
        """Events with sequence number greater than ``after``, in order."""
        ...

    def head(self) -> tuple[int, str]:
        """(last sequence number, its hash); (0, genesis) when empty."""
        ...

    def raw_rows(self) -> Iterator[RawRow]:
        """Every event exactly as stored, in sequence order (for verification and export)."""
        ...

    def acquire_writer(self) -> bool:
        """Become the session's one controller for the store's lifetime; False if another already is."""
        ...

    def heartbeat(self) -> None:
        """The controller says it is still alive (cheap; the store decides how often it writes)."""
        ...

    def writer_active(self) -> bool:
        """Whether a controller holds the session now (from its heartbeat; never by probing its lock)."""
        ...

    def enqueue(self, seat: str, command: Command, origin: str = "") -> int:
        """Queue a command from a seat; durable on return. Returns the command id."""
        ...

    def origins(self) -> set[str]:
        """Origin tags of every command ever queued (scripts use them to resume without repeats)."""
        ...

    def queued(self, limit: int = 500) -> list[QueuedCommand]:
        """Commands not yet processed, oldest first."""
        ...

    def outcome(self, command_id: int) -> CommandOutcome | None:
        """What happened to a command (None if unknown)."""
        ...

    def changed(self) -> bool:
        """Whether another connection wrote since the last call (cheap)."""
        ...

    def add_seats(self, seats: Sequence[Seat]) -> None:
        """Store the session's seats and join codes."""
        ...

    def seats(self) -> list[Seat]:
        """All seats."""
        ...

    def seat_by_code(self, code: str) -> Seat | None:
        """The seat with this join code."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...
