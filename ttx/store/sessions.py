"""Where sessions are opened: a session store by its location, or the raw log of a session file or JSONL export."""

from __future__ import annotations

from pathlib import Path

from ttx.engine.ports import EventStore, RawRow, StoreError
from ttx.store.jsonl import jsonl_rows
from ttx.store.sqlite import SqliteStore

SQLITE_MAGIC = b"SQLite format 3\x00"


def open_store(path: Path, *, create: bool = False, read_only: bool = False) -> EventStore:
    """The session store at ``path`` (created empty when ``create`` and missing; ``read_only`` changes nothing).

    Raises:
        StoreError: no session there, or not one this ttx reads.
    """
    return SqliteStore(path, create=create, read_only=read_only)


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


def read_rows(path: Path) -> list[RawRow]:
    """Every stored event row of a session file or an exported JSONL log, as stored.

    Raises:
        StoreError: unreadable or not a ttx log.
    """
    if is_session_file(path):
        store = open_store(path, read_only=True)
        try:
            return list(store.raw_rows())
        finally:
            store.close()
    return list(jsonl_rows(path))
