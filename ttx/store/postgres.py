"""The shared session store: a session's rows in a PostgreSQL database, many sessions per database (psycopg 3)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import suppress
from typing import cast

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow
from pydantic import ValidationError

from ttx.engine.chain import GENESIS_HASH, chain
from ttx.engine.commands import Command
from ttx.engine.events import EventRecord, SeatRole, stored_record, wall_text
from ttx.engine.ports import CommandOutcome, CommandStatus, NewEvent, QueuedCommand, RawRow, Seat, StoreError
from ttx.store.address import PostgresAddress
from ttx.store.postgres_errors import guarded
from ttx.store.postgres_schema import LOCK_SPACE, channel, ensure_tables, find_session, missing_tables
from ttx.store.queue import HEARTBEAT_EVERY, command_text, controller_alive, queued_command
from ttx.store.transfer import CommandRow

Connection = psycopg.Connection[TupleRow]
PAGE = 5000
"""Rows read per query when reading the log."""
CONNECT_TIMEOUT = 10
"""Seconds to wait for the server before saying it cannot be reached."""
KEEPALIVES = {"keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "5", "keepalives_count": "3"}
"""The client notices a vanished server within about 25 s."""
SERVER_KEEPALIVES = "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3"
"""The server notices a vanished controller host within about 25 s and frees its lock."""
BEAT_WITHOUT_FSYNC = "SET synchronous_commit = off"
"""The lock's connection writes only the heartbeat, so its commits need not wait for the disk (a lost beat is
followed by the next within HEARTBEAT_EVERY); events and outcomes are written on the other connection, durably."""


def _connect(address: PostgresAddress | str, *, read_only: bool) -> Connection:
    conninfo = address if isinstance(address, str) else address.conninfo
    options = {"connect_timeout": str(CONNECT_TIMEOUT), "application_name": "ttx", **KEEPALIVES}
    if read_only:
        options["options"] = "-c default_transaction_read_only=on"
    return psycopg.connect(make_conninfo(conninfo, **options), autocommit=True)


_EVENT_COLUMNS = ("seq", "wall", "at", "actor", "type", "payload", "prev", "hash")
_APPEND_ONE = """
WITH new_event AS (INSERT INTO ttx.events VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)),
outcome AS (UPDATE ttx.commands SET status = %s, reason = %s, seq = %s WHERE session_id = %s AND id = %s)
SELECT pg_notify(%s, '')
"""
"""The controller's usual write, one event and the outcome of the command behind it, as one statement."""
_APPEND_MANY = """
WITH new_events AS (
    INSERT INTO ttx.events (session_id, seq, wall, at, actor, type, payload, prev, hash)
    SELECT %(session)s, * FROM unnest(
        %(seq)s::bigint[], %(wall)s::text[], %(at)s::bigint[], %(actor)s::text[],
        %(type)s::text[], %(payload)s::text[], %(prev)s::text[], %(hash)s::text[]
    )
), outcomes AS (
    UPDATE ttx.commands AS command SET status = outcome.status, reason = outcome.reason, seq = outcome.seq
    FROM unnest(%(ids)s::bigint[], %(statuses)s::text[], %(reasons)s::text[], %(firsts)s::bigint[])
        AS outcome (id, status, reason, seq)
    WHERE command.session_id = %(session)s AND command.id = outcome.id
)
SELECT pg_notify(%(channel)s, '')
"""
"""One statement, so one transaction: the controller's events, the outcomes of its commands, and the wake-up."""


def prepare_database(url: str, where: str) -> None:
    """Create schema ``ttx`` and its tables in the database at ``url`` if they are missing (idempotent).

    Raises:
        StoreError: the server cannot be reached, or the role may not create them.
    """
    with guarded(where):
        db = _connect(url, read_only=False)
        try:
            ensure_tables(db, where)
        finally:
            db.close()


def session_exists(address: PostgresAddress) -> bool:
    """Whether the session has begun (holds its first event); a database without ttx's tables has none.

    Raises:
        StoreError: the server cannot be reached or refuses the login.
    """
    with guarded(str(address)):
        db = _connect(address, read_only=True)
        try:
            if missing_tables(db):
                return False
            row = db.execute(
                "SELECT EXISTS (SELECT 1 FROM ttx.events JOIN ttx.sessions ON ttx.sessions.id = ttx.events.session_id "
                "WHERE ttx.sessions.name = %s)",
                (address.session,),
            ).fetchone()
        finally:
            db.close()
    return bool(row and row[0])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PostgresStore:
    """A session in a PostgreSQL database: events, command queue and seats as rows keyed by the session.

    One controller holds a session-level advisory lock on a connection of its own for as long as it
    runs; new events and commands are announced with NOTIFY, so :meth:`changed` needs no query. Every
    database failure surfaces as a one-line :class:`StoreError`; ``read_only`` connects with read-only
    transactions (verification, reports, status).
    """

    def __init__(self, address: PostgresAddress, *, create: bool = False, read_only: bool = False) -> None:
        self.address = address
        self.read_only = read_only
        self._where = str(address)
        with guarded(self._where):
            self._db = _connect(address, read_only=read_only)
        try:
            with guarded(self._where):
                self._id = find_session(self._db, address.session, self._where, create=create and not read_only)
                self._channel = channel(self._id)
        except BaseException:
            self._db.close()
            raise
        self._lock: Connection | None = None
        self._last_beat = 0.0
        self._head: tuple[int, str] | None = None
        """The head as the writer last wrote it (only the lock holder appends, so it cannot go stale)."""
        self._listening = False
        """Whether this connection LISTENs (from the first :meth:`changed`: a controller never needs to)."""

    @property
    def location(self) -> str:
        """The session's URL, without any password."""
        return self._where

    # ------------------------------------------------------------------ the one writer
    def acquire_writer(self) -> bool:
        """Become the session's one controller: an advisory lock on a connection held until :meth:`close`."""
        if self.read_only:
            return False
        with guarded(self._where):
            lock = _connect(self.address, read_only=False)
            try:
                lock.execute(SERVER_KEEPALIVES)
                lock.execute(BEAT_WITHOUT_FSYNC)
                row = lock.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_SPACE, self._id)).fetchone()
            except BaseException:
                lock.close()
                raise
        if not (row and row[0]):
            lock.close()
            return False
        self._lock = lock
        self._head = None
        self._last_beat = 0.0
        try:
            self.heartbeat()
        except StoreError:  # a role that may not write the heartbeat may not control the session
            self._lock = None
            lock.close()
            raise
        return True

    def heartbeat(self) -> None:
        """The controller says it is alive: server time, on the lock's connection (at most every ``HEARTBEAT_EVERY``).

        Raises:
            StoreError: the lock's connection is gone (the session may already have another controller).
        """
        now = time.monotonic()
        if self._lock is None or now - self._last_beat < HEARTBEAT_EVERY:
            return
        self._last_beat = now
        with guarded(f"{self._where}: the controller's lock connection"):
            self._lock.execute("UPDATE ttx.sessions SET heartbeat = clock_timestamp() WHERE id = %s", (self._id,))

    def writer_active(self) -> bool:
        """Whether a controller holds the session: its heartbeat is recent by the server's clock (no lock probed)."""
        if self._lock is not None:
            return True
        with guarded(self._where):
            row = self._db.execute(
                "SELECT extract(epoch FROM clock_timestamp() - heartbeat) FROM ttx.sessions WHERE id = %s",
                (self._id,),
            ).fetchone()
        return row is not None and row[0] is not None and controller_alive(float(row[0]))

    # ------------------------------------------------------------------ events
    def append(self, events: Sequence[NewEvent], outcomes: Sequence[CommandOutcome] = ()) -> list[EventRecord]:
        """Append events (hash-chained) and record command outcomes atomically; durable on return.

        Events, outcomes and the NOTIFY go in one statement: one round trip and one commit, as a bare INSERT.
        """
        head = self._head
        self._head = None
        with guarded(self._where):
            chained = chain(events, *(head or self._read_head()))
            rows = [row for row, _ in chained]
            if len(rows) == 1 and len(outcomes) <= 1:
                done: list[tuple[str, str, int | None, int | None]] = [
                    (o.status.value, o.reason, o.seq, o.id) for o in outcomes
                ]
                status, reason, first, command_id = done[0] if done else ("queued", "", None, None)
                self._db.execute(
                    _APPEND_ONE, (self._id, *rows[0], status, reason, first, self._id, command_id, self._channel)
                )
            else:
                self._db.execute(_APPEND_MANY, self._columns(rows, outcomes))
        if self._lock is not None:
            self._head = (rows[-1][0], rows[-1][7]) if rows else head
        return [record for _, record in chained]

    def _columns(self, rows: list[RawRow], outcomes: Sequence[CommandOutcome]) -> dict[str, object]:
        """The parameters of :data:`_APPEND_MANY`: one array per column."""
        return {
            "session": self._id,
            **{name: [row[n] for row in rows] for n, name in enumerate(_EVENT_COLUMNS)},
            "ids": [o.id for o in outcomes],
            "statuses": [o.status.value for o in outcomes],
            "reasons": [o.reason for o in outcomes],
            "firsts": [o.seq for o in outcomes],
            "channel": self._channel,
        }

    def _read_head(self) -> tuple[int, str]:
        row = self._db.execute(
            "SELECT seq, hash FROM ttx.events WHERE session_id = %s ORDER BY seq DESC LIMIT 1", (self._id,)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)

    def head(self) -> tuple[int, str]:
        """(last sequence number, its hash)."""
        with guarded(self._where):
            return self._read_head()

    def _pages(self, columns: str, after: int) -> Iterator[TupleRow]:
        last = after
        query = sql.SQL("SELECT {} FROM ttx.events WHERE session_id = %s AND seq > %s ORDER BY seq LIMIT %s").format(
            sql.SQL(columns)
        )
        while True:
            with guarded(self._where):
                rows = self._db.execute(query, (self._id, last, PAGE)).fetchall()
            if not rows:
                return
            yield from rows
            last = int(rows[-1][0])

    def events(self, after: int = 0) -> Iterator[EventRecord]:
        """Events after ``after``, in order, read in pages.

        Raises:
            StoreError: a stored event is not one this ttx knows.
        """
        for seq, wall, at, actor, payload, prev, digest in self._pages(
            "seq, wall, at, actor, payload, prev, hash", after
        ):
            try:
                yield stored_record(seq, wall, at, actor, payload, prev, digest)
            except (ValidationError, ValueError, TypeError):
                raise StoreError(f"{self._where}: event {seq} is not a valid ttx event (run ttx verify)") from None

    def raw_rows(self) -> Iterator[RawRow]:
        """Every event row exactly as stored (for verification and export)."""
        yield from cast(Iterator[RawRow], self._pages("seq, wall, at, actor, type, payload, prev, hash", 0))

    # ------------------------------------------------------------------ commands
    def enqueue(self, seat: str, command: Command, origin: str = "") -> int:
        """Queue a command (and wake the controller and readers); durable on return."""
        payload = command_text(command)
        with guarded(self._where):
            row = self._db.execute(
                "WITH queued AS (INSERT INTO ttx.commands (session_id, submitted, seat, payload, origin) "
                "VALUES (%s, %s, %s, %s, %s) RETURNING id) SELECT id, pg_notify(%s, '') FROM queued",
                (self._id, wall_text(_now()), seat, payload, origin, self._channel),
            ).fetchone()
        assert row is not None
        return int(row[0])

    def queued(self, limit: int = 500) -> list[QueuedCommand]:
        """Unprocessed commands, oldest first (a row that is not a command comes back to be rejected)."""
        with guarded(self._where):
            rows = self._db.execute(
                "SELECT id, seat, submitted, payload FROM ttx.commands "
                "WHERE session_id = %s AND status = 'queued' ORDER BY id LIMIT %s",
                (self._id, limit),
            ).fetchall()
        return [queued_command(int(i), seat, submitted, payload) for i, seat, submitted, payload in rows]

    def origins(self) -> set[str]:
        """Every origin tag of a queued or processed command."""
        with guarded(self._where):
            rows = self._db.execute(
                "SELECT DISTINCT origin FROM ttx.commands WHERE session_id = %s AND origin != ''", (self._id,)
            ).fetchall()
        return {str(row[0]) for row in rows}

    def outcome(self, command_id: int) -> CommandOutcome | None:
        """What happened to a command."""
        with guarded(self._where):
            row = self._db.execute(
                "SELECT status, reason, seq FROM ttx.commands WHERE session_id = %s AND id = %s",
                (self._id, command_id),
            ).fetchone()
        if row is None:
            return None
        status, reason, seq = row
        try:
            return CommandOutcome(command_id, CommandStatus(status), str(reason), None if seq is None else int(seq))
        except ValueError:
            return CommandOutcome(command_id, CommandStatus.queued)

    def changed(self) -> bool:
        """Whether a NOTIFY of new events or commands arrived since the last call (no query is sent).

        The first call starts listening and answers True: anything may have been written before it.
        """
        if self.read_only:
            return True
        with guarded(self._where):
            if not self._listening:
                self._db.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                self._listening = True
                return True
            return any(True for _ in self._db.notifies(timeout=0))

    # ------------------------------------------------------------------ seats
    def add_seats(self, seats: Sequence[Seat]) -> None:
        """Store seats and their join codes."""
        with guarded(self._where), self._db.transaction(), self._db.cursor() as cursor:
            start = cursor.execute("SELECT count(*) FROM ttx.seats WHERE session_id = %s", (self._id,)).fetchone()
            first = int(start[0]) if start else 0
            cursor.executemany(
                "INSERT INTO ttx.seats VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (self._id, first + n, s.code, s.seat, s.role.value, s.participant, s.cell, s.label)
                    for n, s in enumerate(seats)
                ],
            )

    def seats(self) -> list[Seat]:
        """All seats, in creation order."""
        with guarded(self._where):
            rows = self._db.execute(
                "SELECT code, seat, role, participant, cell, label FROM ttx.seats WHERE session_id = %s ORDER BY position",
                (self._id,),
            ).fetchall()
        return [_seat(row) for row in rows]

    def seat_by_code(self, code: str) -> Seat | None:
        """The seat with this join code (codes are not case-sensitive)."""
        with guarded(self._where):
            row = self._db.execute(
                "SELECT code, seat, role, participant, cell, label FROM ttx.seats WHERE session_id = %s AND code = %s",
                (self._id, code.strip().upper()),
            ).fetchone()
        return _seat(row) if row else None

    # ------------------------------------------------------------------ copying whole sessions
    def command_rows(self) -> list[CommandRow]:
        """Every command as stored, queued and processed, in id order."""
        with guarded(self._where):
            rows = self._db.execute(
                "SELECT id, submitted, seat, payload, status, reason, seq, origin FROM ttx.commands "
                "WHERE session_id = %s ORDER BY id",
                (self._id,),
            ).fetchall()
        return [_command_row(row) for row in rows]

    def import_session(self, rows: Sequence[RawRow], seats: Sequence[Seat], commands: Sequence[CommandRow]) -> None:
        """Fill this empty session with another's rows exactly as stored, in one transaction.

        Raises:
            StoreError: the session already has events or seats.
        """
        with guarded(self._where), self._db.transaction(), self._db.cursor() as cursor:
            cursor.execute("SELECT id FROM ttx.sessions WHERE id = %s FOR UPDATE", (self._id,))
            taken = cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM ttx.events WHERE session_id = %s) "
                "OR EXISTS (SELECT 1 FROM ttx.seats WHERE session_id = %s)",
                (self._id, self._id),
            ).fetchone()
            if taken and taken[0]:
                raise StoreError(f"{self._where}: the session already exists; nothing was copied")
            with cursor.copy(
                "COPY ttx.events (session_id, seq, wall, at, actor, type, payload, prev, hash) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row((self._id, *row))
            with cursor.copy(
                "COPY ttx.commands (session_id, id, submitted, seat, payload, status, reason, seq, origin) FROM STDIN"
            ) as copy:
                for command in commands:
                    copy.write_row((self._id, *command))
            cursor.executemany(
                "INSERT INTO ttx.seats VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (self._id, n, s.code, s.seat, s.role.value, s.participant, s.cell, s.label)
                    for n, s in enumerate(seats)
                ],
            )
            if commands:
                # new commands (of any session) get ids above every stored one, the copied included
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('ttx.commands', 'id'), "
                    "greatest((SELECT max(id) FROM ttx.commands), 1))"
                )
            cursor.execute("SELECT pg_notify(%s, '')", (self._channel,))

    def close(self) -> None:
        """Close the connections; a controller clears its heartbeat and so releases the session."""
        if self._lock is not None:
            with suppress(psycopg.Error):
                self._lock.execute("UPDATE ttx.sessions SET heartbeat = NULL WHERE id = %s", (self._id,))
            self._lock.close()
            self._lock = None
        self._db.close()


def _seat(row: TupleRow) -> Seat:
    code, seat, role, participant, cell, label = row
    return Seat(str(code), str(seat), SeatRole(role), participant, cell, str(label))


def _command_row(row: TupleRow) -> CommandRow:
    command_id, submitted, seat, payload, status, reason, seq, origin = row
    return (
        int(command_id),
        str(submitted),
        str(seat),
        str(payload),
        str(status),
        str(reason),
        None if seq is None else int(seq),
        str(origin),
    )
