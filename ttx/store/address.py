"""Where a session lives: a file path, or a session named in a PostgreSQL database URL (no driver imported here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from ttx.engine.ports import StoreError

SCHEMES = ("postgresql", "postgres")
SESSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
"""A session's name in a database: letters, digits, ``-`` and ``_`` (never a dot or a slash, so never a file path)."""
STORE_VARIABLE = "TTX_STORE"
"""The environment variable naming the database that session names refer to."""


def is_url(text: str) -> bool:
    """Whether ``text`` is a PostgreSQL URL rather than a file path."""
    return any(text.startswith(f"{scheme}://") for scheme in SCHEMES)


@dataclass(frozen=True, slots=True)
class PostgresAddress:
    """A session in a PostgreSQL database: ``postgresql://[user@]host[:port]/database?session=NAME``."""

    conninfo: str
    """The URL to connect with: everything but ``session`` (a password given in it stays here only)."""
    session: str

    @property
    def name(self) -> str:
        """The session's name (what a report calls the session)."""
        return self.session

    @property
    def database(self) -> str:
        """The database URL without its password (safe to print)."""
        return _without_password(self.conninfo)

    def __str__(self) -> str:
        """The session's URL as a person types it, without any password."""
        parts = urlsplit(self.database)
        query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), ("session", self.session)], safe="/")
        return _join(parts.scheme, parts.netloc, parts.path, query)


Location = Path | PostgresAddress
"""Where a session or exported log is: a file (a SQLite session or a JSONL export), or a PostgreSQL session."""


def parse_url(url: str, session: str | None = None) -> PostgresAddress:
    """A PostgreSQL session address from its URL (``?session=NAME``), or from a database URL and a session name.

    Raises:
        StoreError: not a PostgreSQL URL, no session named, or a session named twice.
    """
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise StoreError(f"{_without_password(url)}: not a PostgreSQL URL (postgresql://host/database?session=NAME)")
    if parts.fragment:
        raise StoreError(f"{_without_password(url)}: name the session with ?session=NAME, not with #")
    params = parse_qsl(parts.query, keep_blank_values=True)
    named = [value for key, value in params if key == "session"]
    if len(named) > 1 or (named and session is not None):
        raise StoreError(f"{_without_password(url)}: the session is named twice")
    name = session if session is not None else (named[0] if named else None)
    if name is None:
        raise StoreError(
            f"{_without_password(url)}: no session named: add ?session=NAME, or give the database with --store "
            "(or TTX_STORE) and the session's name on its own"
        )
    if not SESSION_NAME.fullmatch(name):
        raise StoreError(
            f"{name!r} is not a session name: up to 48 letters, digits, '-' and '_', starting with a letter or digit"
        )
    query = urlencode([(key, value) for key, value in params if key != "session"], safe="/")
    return PostgresAddress(_join(parts.scheme, parts.netloc, parts.path, query), name)


def parse_database(url: str) -> tuple[str, str]:
    """A database URL that names no session: (what to connect with, what to print without a password).

    Raises:
        StoreError: not a PostgreSQL URL, or one that names a session.
    """
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise StoreError(f"{_without_password(url)}: not a PostgreSQL URL (postgresql://host/database)")
    if any(key == "session" for key, _ in parse_qsl(parts.query)) or parts.fragment:
        raise StoreError(f"{_without_password(url)}: give the database only, without a session")
    return url, _without_password(url)


def locate(text: str, store: str | None = None) -> Location:
    """Where the session ``text`` is.

    A PostgreSQL URL is itself; with a database ``store`` (``--store`` or ``TTX_STORE``), a bare session
    name (letters, digits, ``-``, ``_``) names a session there; anything else is a file path.

    Raises:
        StoreError: a malformed URL, or a store that is not a PostgreSQL database URL.
    """
    if is_url(text):
        return parse_url(text)
    if store and SESSION_NAME.fullmatch(text):
        if not is_url(store):
            raise StoreError(f"--store and {STORE_VARIABLE} take a PostgreSQL URL (postgresql://host/database)")
        return parse_url(store, text)
    return Path(text)


def _without_password(url: str) -> str:
    """The URL with any password (in its user part or as a parameter) left out."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    params = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "password"]
    return _join(parts.scheme, netloc, parts.path, urlencode(params, safe="/"))


def _join(scheme: str, netloc: str, path: str, query: str) -> str:
    """A URL from its parts, keeping ``//`` when the host is empty (a Unix socket given as ``?host=``)."""
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
