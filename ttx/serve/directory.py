"""The served session as the server reads it: the exercise's title and TLP label, and seats looked up by code."""

from __future__ import annotations

from itertools import islice

from ttx.engine.ports import EventStore, Seat, StoreError
from ttx.engine.state import fold
from ttx.serve.pages import Exercise
from ttx.store.sessions import open_store, resolve

MAX_CODE_LENGTH = 64
"""A longer answer is not a code: refused without asking the store."""


class Directory:
    """A session opened read-only for the server's lifetime; it reads seats, never events past the first."""

    def __init__(self, session: str, store: str | None = None) -> None:
        self.store: EventStore = open_store(resolve(session, store), read_only=True)
        state = fold(islice(self.store.events(), 1))
        if state.scenario is None:
            self.store.close()
            raise StoreError(f"{self.store.location} has no events yet: start it with ttx run first")
        self.exercise = Exercise(state.scenario.exercise.title, state.scenario.exercise.tlp.value)

    @property
    def location(self) -> str:
        """Where the session lives, as the store names it."""
        return self.store.location

    def seat(self, code: str) -> Seat | None:
        """The seat whose join code this is (codes are not case-sensitive), or None."""
        code = code.strip()
        if not code or len(code) > MAX_CODE_LENGTH or not code.isprintable():
            return None
        return self.store.seat_by_code(code)

    def close(self) -> None:
        """Close the store."""
        self.store.close()
