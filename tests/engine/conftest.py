"""Engine fixtures: a session on the starter scenario, in memory, driven by a manual clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ttx.engine import commands as cmd
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.ports import CommandOutcome, CommandStatus
from ttx.loader.load import load_scenario
from ttx.scaffold import starter_text
from ttx.store.memory import MemoryStore

HOUR = 3600


@dataclass
class Session:
    """A controller, its store and clock, with helpers to act as a seat."""

    controller: Controller
    store: MemoryStore
    clock: ManualClock

    @property
    def state(self):  # type: ignore[no-untyped-def]
        return self.controller.state

    def act(self, command: cmd.Command, seat: str = "facilitator") -> CommandOutcome:
        return self.controller.submit(command, seat)

    def ok(self, command: cmd.Command, seat: str = "facilitator") -> CommandOutcome:
        outcome = self.act(command, seat)
        assert outcome.status is CommandStatus.recorded, outcome.reason
        return outcome

    def rejected(self, command: cmd.Command, seat: str = "facilitator") -> str:
        outcome = self.act(command, seat)
        assert outcome.status is CommandStatus.rejected, f"{command} was accepted"
        return outcome.reason

    def wait(self, hours: float) -> None:
        """Let wall time pass (at speed 1 scenario time passes equally) and tick."""
        self.clock.advance(hours * HOUR)
        self.controller.step()

    def restart(self, **options: object) -> Session:
        """A new controller on the same store (as after closing the console, or a crash)."""
        return Session(Controller(self.store, self.clock, **options), self.store, self.clock)  # type: ignore[arg-type]

    def types(self) -> list[str]:
        return [record.event.type for record in self.store.events()]


SessionFactory = Callable[..., Session]


@pytest.fixture
def make_session(tmp_path: Path) -> SessionFactory:
    """Create a session from starter text (optionally edited) and return it, not yet started."""

    def make(edit: Callable[[str], str] = lambda text: text, **options: object) -> Session:
        folder = tmp_path / f"scenario{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        (folder / "scenario.yaml").write_text(edit(starter_text("engine", folder)), encoding="utf-8")
        loaded = load_scenario(folder)
        store, clock = MemoryStore(), ManualClock()
        create_session(store, loaded.scenario, loaded.digest, clock)
        return Session(Controller(store, clock, **options), store, clock)  # type: ignore[arg-type]

    return make


@pytest.fixture
def session(make_session: SessionFactory) -> Session:
    """A started session at D1 08:00, speed 1."""
    s = make_session()
    s.ok(cmd.Start())
    return s
