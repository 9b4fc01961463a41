"""Phase navigation, in one place: the next phase, when phases and days start, and what a phase's guard waits for."""

from __future__ import annotations

from ttx.engine.obligations import guard_met
from ttx.engine.state import ExerciseState, Lifecycle
from ttx.model.scenario import Phase, Scenario
from ttx.model.time import Seconds


def guard_reason(phase: Phase, state: ExerciseState, override: bool = False) -> str | None:
    """Why the exercise may not enter ``phase`` now (None when its guard is met or overridden)."""
    if override or phase.guard is None:
        return None
    if phase.guard.facilitator_only:
        return "only the facilitator can enter this phase"
    missing = [inject for inject in phase.guard.responses if not guard_met(state, inject)]
    if missing:
        return f"no response yet to {', '.join(missing)}"
    return None


def next_phase(scenario: Scenario, current: str | None) -> Phase | None:
    """The phase after ``current`` (the first before play starts; None after the last)."""
    return scenario.phase_after(current)


def entry_refusal(state: ExerciseState, phase_id: str, override: bool = False) -> str | None:
    """Why the exercise cannot enter ``phase_id`` now: unknown, not later than the current phase, or its guard."""
    assert state.scenario is not None
    phases = state.scenario.phases
    order = [phase.id for phase in phases]
    if phase_id not in order:
        return f"unknown phase {phase_id!r}"
    if state.phase is not None and order.index(phase_id) <= order.index(state.phase):
        return f"phase {phase_id} is not after the current phase {state.phase}"
    return guard_reason(phases[order.index(phase_id)], state, override)


def phase_start_after(scenario: Scenario, at: Seconds) -> Seconds | None:
    """The start of the first phase that begins after ``at``."""
    return next((phase.start.seconds for phase in scenario.phases if phase.start.seconds > at), None)


def day_start_after(scenario: Scenario, day: int | None) -> Seconds | None:
    """The start of the first phase played on a day after ``day``."""
    if day is None:
        return None
    return next((phase.start.seconds for phase in scenario.phases if phase.played_on > day), None)


def waiting_reason(state: ExerciseState, now: Seconds) -> str | None:
    """Why the clock waits at the next phase boundary at ``now`` (None when it does not wait there)."""
    assert state.scenario is not None
    upcoming = next_phase(state.scenario, state.phase)
    if upcoming is None or state.lifecycle not in (Lifecycle.running, Lifecycle.paused):
        return None
    if upcoming.start.seconds > now:
        return None
    reason = guard_reason(upcoming, state)
    return f"waiting to enter phase {upcoming.id}: {reason}" if reason else None
