"""The embedded session store: one SQLite file (WAL) holding events, the command queue and seats."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from ttx.engine.chain import GENESIS_HASH, chain
from ttx.engine.commands import Command
from ttx.engine.events import (
    EventRecord,
    SeatRole,
    parse_wall,
    stored_record,
    wall_text,
)
from ttx.engine.ports import CommandOutcome, CommandStatus, NewEvent, QueuedCommand, RawRow, Seat, StoreError
from ttx.store.queue import (
    HEARTBEAT_EVERY,
    HEARTBEAT_STALE,
    MAX_COMMAND_BYTES,
    command_text,
    controller_alive,
    queued_command,
)
from ttx.store.transfer import CommandRow

__all__ = ["HEARTBEAT_EVERY", "HEARTBEAT_STALE", "MAX_COMMAND_BYTES", "SqliteStore"]
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


def _is_disk_full(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError | OSError) and (
        "disk is full" in str(error) or getattr(error, "errno", None) == errno.ENOSPC
    )


class SqliteStore:
    """A session in one SQLite file; safe to share between processes on one host.

    Every database failure surfaces as a :class:`StoreError` saying what is wrong in one line;
    ``read_only`` opens a file without changing anything in it (verification, reports).
    """

    def __init__(self, path: Path, *, create: bool = False, read_only: bool = False, synchronous: str = "FULL") -> None:
        self.path = path
        self.read_only = read_only
        if create and not path.exists():
            _create(path)
        if not path.is_file():
            raise StoreError(f"{path}: no such session file" if not path.exists() else f"{path}: not a session file")
        try:
            if read_only:
                self._db = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    timeout=30,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout=30000")
            version = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a ttx session ({error})") from None
        if version is None or version[0] != SCHEMA_VERSION:
            self._db.close()
            raise StoreError(f"{path}: not a ttx session of a version this ttx reads")
        with self._guard():
            if not read_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._data_version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if create:
            _restrict(path)
        self._writer_lock: IO[bytes] | None = None
        self._last_beat = 0.0

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn a database failure into a StoreError that says what is wrong."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            if _is_disk_full(error):
                raise StoreError("disk full: nothing was lost; free space and resume") from None
            raise StoreError(f"{self.path}: the session file is damaged or unreadable ({error})") from None

    @property
    def location(self) -> str:
        """The session file's path."""
        return str(self.path)

    # ------------------------------------------------------------------ the one writer
    def acquire_writer(self) -> bool:
        """Become the session's one controller; False if another process already is.

        The lock is taken on the session file itself (through any symlink), so neither another
        path to the same file nor a removed side file lets a second controller in.
        """
        if self.read_only:
            return False
        handle = open(self.path.resolve(), "rb")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._writer_lock = handle
        self.heartbeat()
        return True

    def heartbeat(self) -> None:
        """The controller says it is alive (written at most every :data:`HEARTBEAT_EVERY` seconds)."""
        now = time.monotonic()
        if self._writer_lock is None or now - self._last_beat < HEARTBEAT_EVERY:
            return
        self._last_beat = now
        with self._guard():
            self._db.execute(
                "INSERT INTO meta VALUES ('heartbeat', ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (wall_text(_now()),),
            )

    def writer_active(self) -> bool:
        """Whether a controller holds the session: its heartbeat is recent (no lock is probed)."""
        if self._writer_lock is not None:
            return True
        with self._guard():
            row = self._db.execute("SELECT value FROM meta WHERE key='heartbeat'").fetchone()
        if row is None:
            return False
        try:
            age = (_now() - parse_wall(str(row[0]))).total_seconds()
        except ValueError:
            return False
        return controller_alive(age)

    # ------------------------------------------------------------------ events
    def append(self, events: Sequence[NewEvent], outcomes: Sequence[CommandOutcome] = ()) -> list[EventRecord]:
        """Append events and command outcomes in one durable transaction."""
        db = self._db
        with self._guard():
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
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return records

    def _head(self) -> tuple[int, str]:
        row = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS_HASH)

    def head(self) -> tuple[int, str]:
        """(last sequence number, its hash)."""
        with self._guard():
            return self._head()

    def events(self, after: int = 0) -> Iterator[EventRecord]:
        """Events after ``after``, in order, read in pages.

        Raises:
            StoreError: the file is damaged, or a stored event is not one this ttx knows.
        """
        last = after
        while True:
            with self._guard():
                rows = self._db.execute(
                    "SELECT seq, wall, at, actor, payload, prev, hash FROM events WHERE seq > ? ORDER BY seq LIMIT 2000",
                    (last,),
                ).fetchall()
            if not rows:
                return
            for seq, wall, at, actor, payload, prev, digest in rows:
                try:
                    yield stored_record(seq, wall, at, actor, payload, prev, digest)
                except (ValidationError, ValueError, TypeError):
                    raise StoreError(f"{self.path}: event {seq} is not a valid ttx event (run ttx verify)") from None
                last = seq

    def raw_rows(self) -> Iterator[RawRow]:
        """Every event row exactly as stored (for verification and export)."""
        last = 0
        while True:
            with self._guard():
                rows = self._db.execute(
                    "SELECT seq, wall, at, actor, type, payload, prev, hash FROM events WHERE seq > ? ORDER BY seq LIMIT 2000",
                    (last,),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                if not (
                    isinstance(row[0], int)
                    and all(isinstance(v, str) for v in row[1:2] + row[3:])
                    and isinstance(row[2], int)
                ):
                    raise StoreError(f"{self.path}: event row after {last} is malformed (not a ttx log)")
                yield row
                last = row[0]

    # ------------------------------------------------------------------ commands
    def enqueue(self, seat: str, command: Command, origin: str = "") -> int:
        """Queue a command; durable on return. ``origin`` tags where it came from (e.g. a script step)."""
        payload = command_text(command)
        with self._guard():
            cursor = self._db.execute(
                "INSERT INTO commands (submitted, seat, payload, origin) VALUES (?, ?, ?, ?)",
                (wall_text(_now()), seat, payload, origin),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def queued(self, limit: int = 500) -> list[QueuedCommand]:
        """Unprocessed commands, oldest first (a row that is not a command comes back to be rejected)."""
        with self._guard():
            rows = self._db.execute(
                "SELECT id, seat, submitted, payload FROM commands WHERE status='queued' ORDER BY id LIMIT ?", (limit,)
            ).fetchall()
        return [queued_command(command_id, seat, submitted, payload) for command_id, seat, submitted, payload in rows]

    def origins(self) -> set[str]:
        """Every origin tag of a queued or processed command."""
        with self._guard():
            return {row[0] for row in self._db.execute("SELECT DISTINCT origin FROM commands WHERE origin != ''")}

    def outcome(self, command_id: int) -> CommandOutcome | None:
        """What happened to a command."""
        with self._guard():
            row = self._db.execute("SELECT status, reason, seq FROM commands WHERE id=?", (command_id,)).fetchone()
        if row is None:
            return None
        try:
            return CommandOutcome(command_id, CommandStatus(row[0]), row[1], row[2])
        except ValueError:
            return CommandOutcome(command_id, CommandStatus.queued)

    def changed(self) -> bool:
        """Whether another connection committed since the last call."""
        with self._guard():
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
        changed = version != self._data_version
        self._data_version = version
        return bool(changed)

    # ------------------------------------------------------------------ seats
    def add_seats(self, seats: Sequence[Seat]) -> None:
        """Store seats and their join codes."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO seats VALUES (?, ?, ?, ?, ?, ?)",
                [(s.code, s.seat, s.role.value, s.participant, s.cell, s.label) for s in seats],
            )
            self._db.execute("COMMIT")

    def seats(self) -> list[Seat]:
        """All seats, in creation order."""
        with self._guard():
            rows = self._db.execute(
                "SELECT code, seat, role, participant, cell, label FROM seats ORDER BY rowid"
            ).fetchall()
        return [
            Seat(code, seat, SeatRole(role), participant, cell, label)
            for code, seat, role, participant, cell, label in rows
        ]

    def seat_by_code(self, code: str) -> Seat | None:
        """The seat with this join code (codes are not case-sensitive)."""
        with self._guard():
            row = self._db.execute(
                "SELECT code, seat, role, participant, cell, label FROM seats WHERE code=?", (code.strip().upper(),)
            ).fetchone()
        return Seat(row[0], row[1], SeatRole(row[2]), row[3], row[4], row[5]) if row else None

    # ------------------------------------------------------------------ copying whole sessions
    def command_rows(self) -> list[CommandRow]:
        """Every command as stored, queued and processed, in id order."""
        with self._guard():
            rows = self._db.execute(
                "SELECT id, submitted, seat, payload, status, reason, seq, origin FROM commands ORDER BY id"
            ).fetchall()
        return [(int(i), str(w), str(s), str(p), str(st), str(r), q, str(o)) for i, w, s, p, st, r, q, o in rows]

    def import_session(self, rows: Sequence[RawRow], seats: Sequence[Seat], commands: Sequence[CommandRow]) -> None:
        """Fill this empty session with another's rows exactly as stored, in one transaction.

        Raises:
            StoreError: the session already has events or seats.
        """
        db = self._db
        with self._guard():
            db.execute("BEGIN IMMEDIATE")
            try:
                if db.execute("SELECT EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM seats)").fetchone()[0]:
                    raise StoreError(f"{self.path}: the session already exists; nothing was copied")
                db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
                db.executemany("INSERT INTO commands VALUES (?, ?, ?, ?, ?, ?, ?, ?)", commands)
                db.executemany(
                    "INSERT INTO seats VALUES (?, ?, ?, ?, ?, ?)",
                    [(s.code, s.seat, s.role.value, s.participant, s.cell, s.label) for s in seats],
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the connection; a controller clears its heartbeat and releases the session."""
        if self._writer_lock is not None:
            with suppress(sqlite3.DatabaseError):
                self._db.execute("DELETE FROM meta WHERE key='heartbeat'")
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
