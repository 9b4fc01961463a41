"""TUI fixtures: a real session file on NIGHT FERRY (tests/data), a controller on a manual clock, seat codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ttx.engine import commands as cmd
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.loader.load import load_scenario
from ttx.store.sqlite import SqliteStore

from ..helpers import FERRY

HOUR = 3600


@dataclass
class Live:
    """A session file with its controller (as the facilitator console would run it)."""

    path: Path
    controller: Controller
    clock: ManualClock
    codes: dict[str, str]

    def advance(self, hours: float) -> None:
        self.clock.advance(hours * HOUR)
        self.controller.step()

    def act(self, command: cmd.Command, seat: str = "facilitator") -> None:
        self.controller.submit(command, seat)


@pytest.fixture
def live(tmp_path: Path) -> Live:
    """NIGHT FERRY, created but not started, on a manual clock."""
    path = tmp_path / "session.ttx"
    loaded = load_scenario(FERRY)
    store = SqliteStore(path, create=True)
    clock = ManualClock()
    seats = create_session(store, loaded.scenario, loaded.digest, clock)
    return Live(path, Controller(store, clock), clock, {s.seat: s.code for s in seats})
