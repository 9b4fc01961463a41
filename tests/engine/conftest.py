"""Engine fixtures: a session on HARBOUR WATCH (tests/data), in memory, driven by a manual clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ttx.engine import commands as cmd
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.ports import CommandOutcome, CommandStatus
from ttx.loader.load import LoadedScenario, load_scenario
from ttx.store.memory import MemoryStore

from ..helpers import HARBOUR

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


@pytest.fixture(scope="session")
def harbour_watch() -> LoadedScenario:
    """HARBOUR WATCH, loaded once: the models are frozen, so sessions can share it."""
    return load_scenario(HARBOUR)


@pytest.fixture
def make_session(harbour_watch: LoadedScenario) -> SessionFactory:
    """Create a session of HARBOUR WATCH and return it, not yet started (options go to the controller)."""

    def make(**options: object) -> Session:
        store, clock = MemoryStore(), ManualClock()
        create_session(store, harbour_watch.scenario, harbour_watch.digest, clock)
        return Session(Controller(store, clock, **options), store, clock)  # type: ignore[arg-type]

    return make


@pytest.fixture
def session(make_session: SessionFactory) -> Session:
    """A started session at D1 08:00, speed 1."""
    s = make_session()
    s.ok(cmd.Start())
    return s
