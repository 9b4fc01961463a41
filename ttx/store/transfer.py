"""Copying whole sessions between stores: every command as stored, and what a store must offer to be copied."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ttx.engine.ports import EventStore, RawRow, Seat

CommandRow = tuple[int, str, str, str, str, str, int | None, str]
"""(id, submitted, seat, payload JSON, status, reason, seq, origin) exactly as stored."""


class Transferable(EventStore, Protocol):
    """A session store whose whole content can be read out and written into another one."""

    def command_rows(self) -> list[CommandRow]:
        """Every command as stored, queued and processed, in id order."""
        ...

    def import_session(self, rows: Sequence[RawRow], seats: Sequence[Seat], commands: Sequence[CommandRow]) -> None:
        """Fill this empty session with another's rows exactly as stored, in one transaction."""
        ...
