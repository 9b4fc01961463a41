"""PostgreSQL failures as one-line StoreErrors that say what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors

from ttx.engine.ports import StoreError

_CONNECTION_HINTS = (
    ("Connection refused", "connection refused: is the PostgreSQL server running and listening at that address?"),
    ("No such file or directory", "no PostgreSQL server is listening on that socket: is it running?"),
    ("could not translate host name", "unknown host name"),
    ("timeout expired", "the PostgreSQL server did not answer in time"),
)


def describe(error: psycopg.Error, where: str) -> str:
    """One line: where, then what went wrong, in words a facilitator can act on."""
    text = _first_lines(str(error))
    if isinstance(error, errors.DiskFull):
        return f"{where}: the database server's disk is full: nothing was lost; free space on it and resume"
    if isinstance(error, errors.InsufficientPrivilege):
        return f"{where}: permission denied ({text}): see the roles and grants in docs/sessions.md"
    if isinstance(error, errors.ReadOnlySqlTransaction):
        return f"{where}: the connection is read-only ({text})"
    if isinstance(error, errors.InvalidAuthorizationSpecification | errors.InvalidPassword):
        return f"{where}: the server refused the login ({text})"
    if isinstance(error, errors.UniqueViolation):
        return f"{where}: another process wrote the same rows at the same time ({text})"
    if isinstance(error, psycopg.OperationalError):
        for needle, hint in _CONNECTION_HINTS:
            if needle in text:
                return f"{where}: cannot reach the database: {hint}"
        if "authentication failed" in text or "password" in text:
            return f"{where}: the server refused the login ({text})"
        return f"{where}: lost or refused the database connection ({text}); what was committed is kept"
    return f"{where}: PostgreSQL error ({text})"


@contextmanager
def guarded(where: str) -> Iterator[None]:
    """Turn any psycopg failure inside the block into a one-line :class:`StoreError`."""
    try:
        yield
    except psycopg.Error as error:
        raise StoreError(describe(error, where)) from None


def _first_lines(text: str) -> str:
    """The message without libpq's prefixes, indented hints or trailing lines, as one line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else "unknown error"
    for prefix in ("connection failed: ", "FATAL:  ", "ERROR:  "):
        first = first.removeprefix(prefix)
    return first
