"""Store fixtures: every store behind one factory (memory, SQLite, PostgreSQL), and the throwaway PostgreSQL cluster."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ttx.engine.ports import EventStore
from ttx.loader.load import LoadedScenario, load_scenario
from ttx.store.memory import MemoryStore
from ttx.store.sessions import open_store, resolve

from ..helpers import HARBOUR
from ..postgres_cluster import Cluster, postgres

__all__ = ["postgres"]

STORES = ("memory", "sqlite", "postgresql")


@dataclass
class Backend:
    """One kind of store, and one session in it that a test may open as often as it likes."""

    kind: str
    location: str
    """What a person (or another process) would pass to ttx: a file path or a PostgreSQL session URL."""
    opened: list[EventStore] = field(default_factory=list)
    _memory: MemoryStore | None = None

    @property
    def shared_process_only(self) -> bool:
        """An in-memory store lives in one process and one thread."""
        return self.kind == "memory"

    def open(self, *, create: bool = False) -> EventStore:
        """Another handle on the session (the same object for memory; a new connection otherwise)."""
        if self.kind == "memory":
            if self._memory is None:
                self._memory = MemoryStore()
            return self._memory
        store = open_store(resolve(self.location, None), create=create)
        self.opened.append(store)
        return store

    def close_all(self) -> None:
        """Close every handle a test left open."""
        for store in self.opened:
            store.close()


@pytest.fixture(scope="session")
def harbour_watch() -> LoadedScenario:
    """HARBOUR WATCH (tests/data), loaded once."""
    return load_scenario(HARBOUR)


@pytest.fixture(params=STORES)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A fresh session in each kind of store (PostgreSQL: a uniquely named session in the shared cluster)."""
    kind = str(request.param)
    if kind == "postgresql":
        cluster: Cluster = request.getfixturevalue("postgres")
        location = cluster.session_url(f"t-{uuid.uuid4().hex[:12]}")
    elif kind == "sqlite":
        location = str(tmp_path / "session.ttx")
    else:
        location = ":memory:"
    chosen = Backend(kind, location)
    yield chosen
    chosen.close_all()
