"""The status document of a session (``ttx status --json``, schema ttx/schemas/status.schema.json), built from its state."""

from __future__ import annotations

from typing import Literal

from ttx.engine.clock import MAX_SPEED
from ttx.engine.obligations import defaulted, unanswered_required
from ttx.engine.phases import waiting_reason
from ttx.engine.scheduler import Scheduler
from ttx.engine.state import ExerciseState, InjectStatus, Lifecycle
from ttx.engine.views import clock_text, last_day
from ttx.model.read import ReadModel

NEXT_DUE = 5
"""How many upcoming releases the status lists."""


class InjectCounts(ReadModel):
    """How many of the scenario's injects are in each state."""

    pending: int
    """Not released yet (scheduled, or a branch or contingency that has not fired)."""
    released: int
    """Released to their receivers."""
    skipped: int
    """Skipped by the facilitator."""


class DueInject(ReadModel):
    """An inject the scheduler will release next."""

    inject: str
    """The inject id."""
    at: str
    """When it is due, in scenario time ("D2 09:30"; "D+90 09:00" after a time jump)."""


class Status(ReadModel):
    """Where a session is: lifecycle, day, phase, clock, what is due and what is awaited."""

    exercise: str
    """The exercise title."""
    tlp: str
    """The exercise's handling label, "TLP:AMBER"."""
    lifecycle: Lifecycle
    """Where the exercise is in its life."""
    day: int | None
    """The exercise day (none before the first phase)."""
    phase: str | None
    """The id of the current phase (none before the first phase)."""
    scenario_time: str
    """The scenario clock ("D2 09:30"; "D+90 09:00" after a time jump)."""
    speed: Literal["max"] | float
    """Scenario seconds per wall second, or "max" (jump to each next due event)."""
    events: int
    """Events in the log."""
    head: str
    """The hash of the last event (SHA-256, hex)."""
    sealed: bool
    """Whether the log ends with the seal written when the exercise closed."""
    injects: InjectCounts
    """How many injects are pending, released and skipped."""
    held: list[str]
    """Injects the facilitator holds, sorted."""
    responses: int
    """Responses recorded."""
    decisions: dict[str, str]
    """The option players took for each inject they decided: inject id → option id."""
    defaulted: dict[str, str]
    """The option applied by default (nobody decided): inject id → option id. Never an answer."""
    open_requests: list[str]
    """Coordination requests not answered yet, sorted."""
    observations: int
    """Evaluator observations recorded."""
    next_due: list[DueInject]
    """The next injects due for release, at most five, in time order."""
    unanswered_required: list[str]
    """Released injects still owed an answer by one of the parties their rule names (defaulted ones included), in release order."""
    waiting: str | None
    """Why the clock waits at the next phase boundary, if it does."""
    rejected_commands: int
    """Commands the controller rejected."""


def status_of(state: ExerciseState) -> Status:
    """The status of a session at its state (a session with a scenario: after its first event)."""
    assert state.plan is not None and state.scenario is not None
    final_day = last_day(state)
    statuses = [item.status for item in state.injects.values()]
    return Status(
        exercise=state.scenario.exercise.title,
        tlp=state.scenario.exercise.tlp.label,
        lifecycle=state.lifecycle,
        day=state.day,
        phase=state.phase,
        scenario_time=clock_text(state.at, final_day),
        speed="max" if state.speed == MAX_SPEED else state.speed,
        events=state.seq,
        head=state.head,
        sealed=state.sealed,
        injects=InjectCounts(
            pending=statuses.count(InjectStatus.pending),
            released=statuses.count(InjectStatus.released),
            skipped=statuses.count(InjectStatus.skipped),
        ),
        held=sorted(k for k, v in state.injects.items() if v.held),
        responses=sum(len(v) for v in state.responses.values()),
        decisions={k: v.option for k, v in state.decisions.items() if not v.default},
        defaulted={k: v.option for k, v in state.decisions.items() if defaulted(state, k)},
        open_requests=sorted(k for k, r in state.requests.items() if r.answer is None),
        observations=len(state.observations),
        next_due=[
            DueInject(inject=item.key, at=clock_text(item.at, final_day))
            for item in Scheduler(state).upcoming_releases(NEXT_DUE)
        ],
        unanswered_required=unanswered_required(state),
        waiting=waiting_reason(state, state.at),
        rejected_commands=len(state.rejections),
    )
