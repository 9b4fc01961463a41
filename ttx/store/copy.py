"""Copying a whole session between stores (a file, PostgreSQL, a JSONL export), verified on arrival."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ttx.engine.chain import Verdict, verify_rows
from ttx.engine.events import EVENT_ADAPTER, SessionCreated
from ttx.engine.ports import RawRow, Seat, StoreError
from ttx.engine.seats import make_seats
from ttx.model.scenario import Scenario
from ttx.private_files import write_private
from ttx.store.address import Location
from ttx.store.jsonl import export_lines, jsonl_rows
from ttx.store.sessions import is_session_file, open_transferable, session_exists
from ttx.store.transfer import CommandRow


@dataclass(frozen=True, slots=True)
class Copied:
    """What arrived: counts, and the head both ends share."""

    verdict: Verdict
    seats: int
    commands: int
    new_codes: bool
    """Whether the seats were given new join codes (a JSONL export holds none)."""
    log_only: bool
    """Whether the destination is a JSONL export: the log, without seats or commands."""


@dataclass(frozen=True, slots=True)
class _Content:
    rows: list[RawRow]
    seats: list[Seat]
    commands: list[CommandRow]
    new_codes: bool = False


def copy_session(source: Location, destination: Location) -> Copied:
    """Copy every event, seat and command of ``source`` into a new session at ``destination``.

    The source must verify; the destination must not exist yet; what arrives is verified and must end
    at the source's head. A destination ending in ``.jsonl`` receives the exported log only.

    Raises:
        StoreError: the source does not verify, the destination exists, or what arrived differs.
    """
    content = _read(source)
    verdict = verify_rows(content.rows)
    if not verdict.ok:
        raise StoreError(f"{source} does not verify: {verdict.problem}; nothing was copied")
    if verdict.count == 0:
        raise StoreError(f"{source}: the session has no events; nothing to copy")
    log_only = isinstance(destination, Path) and destination.suffix == ".jsonl"
    if isinstance(destination, Path) and log_only:
        arrived, seats, commands = _write_jsonl(content, destination), 0, 0
    else:
        arrived, seats, commands = _write_store(content, destination)
    check = verify_rows(arrived)
    if not (check.ok and check.count == verdict.count and check.head == verdict.head):
        raise StoreError(
            f"{destination}: the copy does not end at the source's head {verdict.head} "
            f"({check.problem or f'{check.count} events, head {check.head}'}); do not use it"
        )
    return Copied(check, seats, commands, content.new_codes, log_only)


def _read(source: Location) -> _Content:
    if isinstance(source, Path) and not is_session_file(source):
        rows = list(jsonl_rows(source))
        return _Content(rows, _seats_for(rows, source), [], new_codes=True)
    store = open_transferable(source, read_only=True)
    try:
        if store.writer_active():
            raise StoreError(
                f"{source}: a controller is running it; stop the controller, then copy the session at rest"
            )
        return _Content(list(store.raw_rows()), store.seats(), store.command_rows())
    finally:
        store.close()


def _seats_for(rows: list[RawRow], source: Path) -> list[Seat]:
    """New join codes for the seats a log's first event names (an export never holds codes)."""
    if not rows:
        return []
    try:
        created = EVENT_ADAPTER.validate_json(rows[0][5])
        if not isinstance(created, SessionCreated):
            raise ValueError("the first event does not create the session")
        scenario = Scenario.model_validate(created.scenario)
    except ValueError as error:
        raise StoreError(f"{source}: not the log of a whole session ({str(error).splitlines()[0]})") from None
    evaluators = sum(1 for info in created.seats if info.role.value == "evaluator")
    projector = any(info.role.value == "projector" for info in created.seats)
    seats = make_seats(scenario, evaluators, projector=projector)
    if [seat.seat for seat in seats] != [info.seat for info in created.seats]:
        raise StoreError(f"{source}: its seats do not match its scenario; nothing was copied")
    return seats


def _write_jsonl(content: _Content, destination: Path) -> list[RawRow]:
    if destination.exists():
        raise StoreError(f"{destination}: already exists; nothing was copied (copy to a new name)")
    write_private(destination, "".join(f"{line}\n" for line in export_lines(content.rows)))
    return list(jsonl_rows(destination))


def _write_store(content: _Content, destination: Location) -> tuple[list[RawRow], int, int]:
    if session_exists(destination):
        raise StoreError(f"{destination}: a session is already there; nothing was copied (copy to a new name)")
    store = open_transferable(destination, create=True)
    try:
        try:
            store.import_session(content.rows, content.seats, content.commands)
            return list(store.raw_rows()), len(store.seats()), len(store.command_rows())
        finally:
            store.close()
    except BaseException:
        if isinstance(destination, Path):  # a file made for the copy goes; an empty database session stays empty
            for suffix in ("", "-wal", "-shm"):
                Path(f"{destination}{suffix}").unlink(missing_ok=True)
        raise
