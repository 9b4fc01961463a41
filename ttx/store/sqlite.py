"""The embedded session store: one SQLite file (WAL) holding events, the command queue and seats."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from ttx.engine.chain import GENESIS_HASH, chain
from ttx.engine.commands import COMMAND_ADAPTER, Command
from ttx.engine.events import (
    EventRecord,
    SeatRole,
    parse_wall,
    stored_record,
    wall_text,
)
from ttx.engine.ports import CommandOutcome, CommandStatus, NewEvent, QueuedCommand, RawRow, Seat, StoreError

SCHEMA_VERSION = "2"
"""2: the hash covers the type column."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    wall TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS commands (
    id INTEGER PRIMARY KEY,
    submitted TEXT NOT NULL,
    seat TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    reason TEXT NOT NULL DEFAULT '',
    seq INTEGER,
    origin TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS commands_queued ON commands(status, id);
CREATE TABLE IF NOT EXISTS seats (
    code TEXT PRIMARY KEY,
    seat TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    participant TEXT,
    cell TEXT,
    label TEXT NOT NULL DEFAULT ''
);
"""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SqliteStore:
    """A session in one SQLite file; safe to share between processes on one host."""

    def __init__(self, path: Path, *, create: bool = False, synchronous: str = "FULL") -> None:
        self.path = path
        if create and not path.exists():
            _create(path)
        if not path.exists():
            raise StoreError(f"{path}: no such session file")
        try:
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.execute("PRAGMA busy_timeout=30000")
            version = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a ttx session ({error})") from None
        if version is None or version[0] != SCHEMA_VERSION:
            raise StoreError(f"{path}: not a ttx session of a version this ttx reads")
        if create:
            _restrict(path)
        self._data_version = self._db.execute("PRAGMA data_version").fetchone()[0]
        self._writer_lock: IO[bytes] | None = None

    @property
    def location(self) -> str:
        """The session file's path."""
        return str(self.path)

    # ------------------------------------------------------------------ writer lock
    def writer_active(self) -> bool:
        """Whether a controller holds the session (probed with a lock attempt of our own)."""
        if self._writer_lock is not None:
            return True
        try:
            handle = open(f"{self.path}.lock", "ab")  # noqa: SIM115 - closed right below
        except OSError:
            return False
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            handle.close()
        return False

    def acquire_writer(self) -> bool:
        """Become the session's one controller; False if another process already is."""
        handle = open(f"{self.path}.lock", "ab")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._writer_lock = handle
        return True

    # ------------------------------------------------------------------ events
    def append(self, events: Sequence[NewEvent], outcomes: Sequence[CommandOutcome] = ()) -> list[EventRecord]:
        """Append events and command outcomes in one durable transaction."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            chained = chain(events, *self._head())
            rows = [row for row, _ in chained]
            records = [record for _, record in chained]
            db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.executemany(
                "UPDATE commands SET status=?, reason=?, seq=? WHERE id=?",
                [(o.status.value, o.reason, o.seq, o.id) for o in outcomes],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return records

    def _head(self) -> tuple[int, str]:
        row = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS_HASH)

    def head(self) -> tuple[int, str]:
        """(last sequence number, its hash)."""
        return self._head()

    def events(self, after: int = 0) -> Iterator[EventRecord]:
        """Events after ``after``, in order, read in pages."""
        last = after
        while True:
            rows = self._db.execute(
                "SELECT seq, wall, at, actor, payload, prev, hash FROM events WHERE seq > ? ORDER BY seq LIMIT 2000",
                (last,),
            ).fetchall()
            if not rows:
                return
            for seq, wall, at, actor, payload, prev, digest in rows:
                yield stored_record(seq, wall, at, actor, payload, prev, digest)
                last = seq

    def raw_rows(self) -> Iterator[RawRow]:
        """Every event row exactly as stored (for verification and export)."""
        yield from self._db.execute("SELECT seq, wall, at, actor, type, payload, prev, hash FROM events ORDER BY seq")

    # ------------------------------------------------------------------ commands
    def enqueue(self, seat: str, command: Command, origin: str = "") -> int:
        """Queue a command; durable on return. ``origin`` tags where it came from (e.g. a script step)."""
        payload = COMMAND_ADAPTER.dump_json(command, by_alias=True).decode()
        cursor = self._db.execute(
            "INSERT INTO commands (submitted, seat, payload, origin) VALUES (?, ?, ?, ?)",
            (wall_text(_now()), seat, payload, origin),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def queued(self, limit: int = 500) -> list[QueuedCommand]:
        """Unprocessed commands, oldest first."""
        rows = self._db.execute(
            "SELECT id, seat, submitted, payload FROM commands WHERE status='queued' ORDER BY id LIMIT ?", (limit,)
        ).fetchall()
        result = []
        for command_id, seat, submitted, payload in rows:
            try:
                result.append(
                    QueuedCommand(command_id, seat, parse_wall(submitted), COMMAND_ADAPTER.validate_json(payload))
                )
            except ValidationError as error:
                result.append(QueuedCommand(command_id, seat, parse_wall(submitted), None, str(error).splitlines()[0]))
        return result

    def origins(self) -> set[str]:
        """Every origin tag of a queued or processed command."""
        return {row[0] for row in self._db.execute("SELECT DISTINCT origin FROM commands WHERE origin != ''")}

    def outcome(self, command_id: int) -> CommandOutcome | None:
        """What happened to a command."""
        row = self._db.execute("SELECT status, reason, seq FROM commands WHERE id=?", (command_id,)).fetchone()
        if row is None:
            return None
        return CommandOutcome(command_id, CommandStatus(row[0]), row[1], row[2])

    def changed(self) -> bool:
        """Whether another connection committed since the last call."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        changed = version != self._data_version
        self._data_version = version
        return bool(changed)

    # ------------------------------------------------------------------ seats
    def add_seats(self, seats: Sequence[Seat]) -> None:
        """Store seats and their join codes."""
        self._db.execute("BEGIN IMMEDIATE")
        self._db.executemany(
            "INSERT INTO seats VALUES (?, ?, ?, ?, ?, ?)",
            [(s.code, s.seat, s.role.value, s.participant, s.cell, s.label) for s in seats],
        )
        self._db.execute("COMMIT")

    def seats(self) -> list[Seat]:
        """All seats, in creation order."""
        rows = self._db.execute(
            "SELECT code, seat, role, participant, cell, label FROM seats ORDER BY rowid"
        ).fetchall()
        return [
            Seat(code, seat, SeatRole(role), participant, cell, label)
            for code, seat, role, participant, cell, label in rows
        ]

    def seat_by_code(self, code: str) -> Seat | None:
        """The seat with this join code (codes are not case-sensitive)."""
        row = self._db.execute(
            "SELECT code, seat, role, participant, cell, label FROM seats WHERE code=?", (code.strip().upper(),)
        ).fetchone()
        return Seat(row[0], row[1], SeatRole(row[2]), row[3], row[4], row[5]) if row else None

    def close(self) -> None:
        """Close the connection and release the writer lock."""
        self._db.close()
        if self._writer_lock is not None:
            self._writer_lock.close()
            self._writer_lock = None


def _create(path: Path) -> None:
    """Write an empty session file under a temporary name, then move it into place.

    Another process opening the session never sees a file without its tables.
    """
    temporary = path.with_name(f".{path.name}.creating-{os.getpid()}")
    try:
        db = sqlite3.connect(temporary, isolation_level=None)
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.close()
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except (OSError, sqlite3.DatabaseError) as error:
        temporary.unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot create the session file ({error})") from None


def _restrict(path: Path) -> None:
    """Session files hold join codes: readable and writable by their owner only."""
    for suffix in ("", "-wal", "-shm"):
        target = Path(f"{path}{suffix}")
        if target.exists():
            os.chmod(target, 0o600)
