"""Where sessions are opened: a session store by its location (a file or a PostgreSQL URL), or the raw log of one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ttx.engine.ports import EventStore, RawRow, StoreError
from ttx.store.address import STORE_VARIABLE, Location, PostgresAddress, is_url, locate, parse_database
from ttx.store.jsonl import jsonl_rows
from ttx.store.sqlite import SqliteStore

if TYPE_CHECKING:
    from ttx.store.transfer import Transferable

__all__ = [
    "STORE_VARIABLE",
    "Location",
    "PostgresAddress",
    "is_session_file",
    "is_url",
    "locate",
    "open_store",
    "open_transferable",
    "prepare_database",
    "read_rows",
    "resolve",
    "session_exists",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_EXTRA = "PostgreSQL sessions need psycopg: pip install 'ttx[postgres]'"


def resolve(text: str, store: str | None) -> Location:
    """Where the session ``text`` is, given ``--store`` (or, without it, the ``TTX_STORE`` environment variable).

    Raises:
        StoreError: a malformed URL, or a store that is not a PostgreSQL URL.
    """
    return locate(text, store or os.environ.get(STORE_VARIABLE) or None)


def open_store(where: Location, *, create: bool = False, read_only: bool = False) -> EventStore:
    """The session store at ``where`` (created empty when ``create`` and missing; ``read_only`` changes nothing).

    Raises:
        StoreError: no session there, or not one this ttx reads, or its server cannot be reached.
    """
    return open_transferable(where, create=create, read_only=read_only)


def open_transferable(where: Location, *, create: bool = False, read_only: bool = False) -> Transferable:
    """The session store at ``where``, as a store whose whole content can be copied out and in."""
    if isinstance(where, PostgresAddress):
        with _needs_psycopg():
            from ttx.store.postgres import PostgresStore

        return PostgresStore(where, create=create, read_only=read_only)
    return SqliteStore(where, create=create, read_only=read_only)


def session_exists(where: Location) -> bool:
    """Whether a session is there: the file exists, or the PostgreSQL session holds its first event.

    Raises:
        StoreError: the PostgreSQL server cannot be reached.
    """
    if isinstance(where, PostgresAddress):
        with _needs_psycopg():
            from ttx.store.postgres import session_exists as exists_in_postgres

        return exists_in_postgres(where)
    return where.exists()


def prepare_database(url: str) -> str:
    """Create ttx's tables in the PostgreSQL database at ``url`` if missing; the database as printed.

    Raises:
        StoreError: not a database URL, unreachable, or the role may not create tables.
    """
    conninfo, where = parse_database(url)
    with _needs_psycopg():
        from ttx.store.postgres import prepare_database as prepare

    prepare(conninfo, where)
    return where


def is_session_file(path: Path) -> bool:
    """Whether ``path`` is a session file (rather than an exported JSONL log)."""
    if not path.is_file():
        raise StoreError(
            f"{path}: no such file"
            if not path.exists()
            else f"{path}: not a regular file (give a session file or an exported .jsonl log)"
        )
    try:
        with path.open("rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror})") from None


def read_rows(where: Location) -> list[RawRow]:
    """Every stored event row of a session (file or database) or an exported JSONL log, as stored.

    Raises:
        StoreError: unreadable or not a ttx log.
    """
    if isinstance(where, PostgresAddress) or is_session_file(where):
        store = open_store(where, read_only=True)
        try:
            return list(store.raw_rows())
        finally:
            store.close()
    return list(jsonl_rows(where))


@contextmanager
def _needs_psycopg() -> Iterator[None]:
    """The PostgreSQL store is imported only when a session lives in PostgreSQL; say how to get its driver."""
    try:
        yield
    except ModuleNotFoundError as error:
        if error.name is None or not error.name.startswith("psycopg"):
            raise
        raise StoreError(POSTGRES_EXTRA) from None
