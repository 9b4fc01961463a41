"""The exercise lifecycle and the scenario's phases as `transitions` state machines (no auto-transitions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import EventData, Machine, MachineError

from ttx.model.scenario import Phase, Scenario

LIFECYCLE_STATES = ["ready", "briefing", "running", "paused", "hot_wash", "closed"]
LIFECYCLE_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "brief", "source": "ready", "dest": "briefing"},
    {"trigger": "start", "source": ["ready", "briefing"], "dest": "running"},
    {"trigger": "pause", "source": "running", "dest": "paused"},
    {"trigger": "resume", "source": "paused", "dest": "running"},
    {"trigger": "hot_wash", "source": ["running", "paused"], "dest": "hot_wash"},
    {"trigger": "end", "source": ["ready", "briefing", "running", "paused", "hot_wash"], "dest": "closed"},
]
BEFORE_FIRST_PHASE = "(not started)"


class TransitionRefused(Exception):
    """A transition the machine does not allow from its current state; the message says why."""


class _Model:
    """The plain object the machines drive (never a pydantic model: see the design notes)."""

    state: str


class Lifecycle:
    """ready → briefing → running ⇄ paused → hot_wash → closed."""

    def __init__(self, initial: str) -> None:
        self.model = _Model()
        self.machine = Machine(
            model=self.model,
            states=LIFECYCLE_STATES,
            transitions=LIFECYCLE_TRANSITIONS,
            initial=initial,
            auto_transitions=False,
            queued=True,
        )

    @property
    def state(self) -> str:
        """Current lifecycle state."""
        return self.model.state

    def fire(self, trigger: str) -> None:
        """Take a transition, or raise TransitionRefused saying what is allowed now."""
        try:
            self.model.trigger(trigger)  # type: ignore[attr-defined]
        except MachineError:
            allowed = ", ".join(self.machine.get_triggers(self.model.state)) or "nothing"
            raise TransitionRefused(
                f"cannot {trigger.replace('_', ' ')} while the exercise is {self.state.replace('_', ' ')} "
                f"(allowed now: {allowed.replace('_', ' ')})"
            ) from None


GuardCheck = Callable[[Phase, bool], str | None]
"""(phase, override) → None if it may be entered, else the reason it may not."""


class Phases:
    """The scenario's phases in order; entering one later than the current goes through its guard."""

    def __init__(self, scenario: Scenario, current: str | None, guard: GuardCheck) -> None:
        self.scenario = scenario
        self.phases = list(scenario.phases)
        self.by_id = {phase.id: phase for phase in self.phases}
        self.guard = guard
        self.model = _Model()
        names = [BEFORE_FIRST_PHASE, *[phase.id for phase in self.phases]]
        transitions = [
            {
                "trigger": f"enter_{later}",
                "source": earlier,
                "dest": later,
                "conditions": [self._allowed],
            }
            for position, earlier in enumerate(names)
            for later in names[position + 1 :]
        ]
        self.machine = Machine(
            model=self.model,
            states=names,
            transitions=transitions,
            initial=current or BEFORE_FIRST_PHASE,
            auto_transitions=False,
            queued=True,
            send_event=True,
        )
        self._refusal: str | None = None

    @property
    def current(self) -> str | None:
        """The phase the exercise is in (None before the first)."""
        return None if self.model.state == BEFORE_FIRST_PHASE else self.model.state

    def next_phase(self) -> Phase | None:
        """The phase after the current one."""
        return self.scenario.phase_after(self.current)

    def _allowed(self, event: EventData) -> bool:
        assert event.transition is not None and event.transition.dest is not None
        phase = self.by_id[str(event.transition.dest)]
        self._refusal = self.guard(phase, bool(event.kwargs.get("override", False)))
        return self._refusal is None

    def check(self, phase_id: str, override: bool = False) -> str | None:
        """Why the phase cannot be entered now (None if it can)."""
        if phase_id not in self.by_id:
            return f"unknown phase {phase_id!r}"
        current = self.current
        order = [p.id for p in self.phases]
        if current is not None and order.index(phase_id) <= order.index(current):
            return f"phase {phase_id} is not after the current phase {current}"
        return self.guard(self.by_id[phase_id], override)

    def enter(self, phase_id: str, override: bool = False) -> None:
        """Enter a later phase through its guard, or raise TransitionRefused with the reason."""
        reason = self.check(phase_id, override)
        if reason is not None:
            raise TransitionRefused(reason)
        try:
            entered = self.model.trigger(f"enter_{phase_id}", override=override)  # type: ignore[attr-defined]
        except MachineError as error:
            raise TransitionRefused(str(error)) from None
        if not entered:
            raise TransitionRefused(self._refusal or f"cannot enter phase {phase_id}")
