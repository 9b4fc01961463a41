"""What every store shares about the command queue and the controller's heartbeat: limits, timing, queued rows."""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError

from ttx.engine.commands import COMMAND_ADAPTER, Command
from ttx.engine.events import parse_wall
from ttx.engine.ports import QueuedCommand, StoreError

MAX_COMMAND_BYTES = 1_000_000
"""The largest queued command (its fields are bounded again, one by one, when it is decided)."""
HEARTBEAT_EVERY = 0.4
"""The shortest time, in seconds, between two heartbeat writes (the controller asks on every step of its loop)."""
HEARTBEAT_STALE = 1.5
"""A controller whose last heartbeat is this many seconds old (or more) is taken to be gone.

A running controller's loop steps every 0.2 s, so its heartbeat is rewritten every 0.4 s and is never much older;
a slow step has about a second to spare. A killed controller is taken as gone 1.5 s after its last write at the
latest, so a console polling every 0.25 s says so within 2 s.
"""


def controller_alive(age: float) -> bool:
    """Whether a heartbeat ``age`` seconds old (by the store's clock) means a controller runs.

    A heartbeat a little in the future (clocks that disagree slightly) counts; one too far either way does not.
    """
    return -HEARTBEAT_STALE < age < HEARTBEAT_STALE


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
