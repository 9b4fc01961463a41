"""What every store shares about the command queue and the controller's heartbeat: limits, timing, queued rows."""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError

from ttx.engine.commands import COMMAND_ADAPTER, Command
from ttx.engine.events import parse_wall
from ttx.engine.ports import QueuedCommand, StoreError

MAX_COMMAND_BYTES = 1_000_000
"""The largest queued command (its fields are bounded again, one by one, when it is decided)."""
HEARTBEAT_EVERY = 2.0
"""Seconds between the controller's heartbeats."""
HEARTBEAT_STALE = 10.0
"""A controller whose last heartbeat is older than this is taken to be gone."""


def command_text(command: Command) -> str:
    """A command as the JSON text a store queues.

    Raises:
        StoreError: it cannot be stored, or it is larger than :data:`MAX_COMMAND_BYTES`.
    """
    try:
        payload = COMMAND_ADAPTER.dump_json(command, by_alias=True).decode()
    except (UnicodeError, ValueError) as error:
        raise StoreError(f"not a command ttx can store ({error})") from None
    if len(payload) > MAX_COMMAND_BYTES:
        raise StoreError(f"the command is {len(payload):,} bytes; the limit is {MAX_COMMAND_BYTES:,}")
    return payload


def queued_command(command_id: int, seat: object, submitted: object, payload: object) -> QueuedCommand:
    """A queue row as a command; a row that is not one (written by hand, damaged) is kept for rejection."""
    try:
        when = parse_wall(str(submitted))
    except ValueError:
        when = dt.datetime.now(dt.UTC)
    seat_id = seat if isinstance(seat, str) else ""
    if not isinstance(payload, str | bytes):
        return QueuedCommand(command_id, seat_id, when, None, "the queued row holds no command text")
    try:
        return QueuedCommand(command_id, seat_id, when, COMMAND_ADAPTER.validate_json(payload))
    except ValidationError as error:
        return QueuedCommand(command_id, seat_id, when, None, str(error).splitlines()[0])
