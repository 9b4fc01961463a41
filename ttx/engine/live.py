"""Read-only helpers for live consoles: the scenario clock between events, deadlines, where the exercise stands."""

from __future__ import annotations

import datetime as dt

from ttx.engine.clock import MAX_SPEED
from ttx.engine.obligations import awaits_response, deadline_at, response_required
from ttx.engine.state import ExerciseState, InjectStatus, Lifecycle
from ttx.engine.views import time_text
from ttx.model.base import Tlp
from ttx.model.plan import ReleaseKind
from ttx.model.time import Seconds


def scenario_now(state: ExerciseState, wall: dt.datetime) -> Seconds:
    """The scenario time a seat's console shows at ``wall``: the last event's time, run on at the session's speed.

    Between events the controller's clock is not in the log; while the exercise runs, the time of the
    last event plus the wall seconds since it, at the recorded speed, is what the controller shows
    (a guarded phase boundary can stop it earlier: the next checkpoint corrects the estimate).
    """
    if state.lifecycle is not Lifecycle.running or state.wall is None or state.speed == MAX_SPEED:
        return state.at
    elapsed = (wall - state.wall).total_seconds()
    return state.at + max(0, int(elapsed * state.speed))


def span_text(seconds: int) -> str:
    """A span of scenario time as people read it: ``2h 05m``, ``12m 30s``, ``45s``."""
    seconds = max(0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def deadline_line(state: ExerciseState, inject_id: str, now: Seconds) -> str | None:
    """Whether and by when a response is due, as absolute scenario time and a countdown (None: no response asked)."""
    if not response_required(state, inject_id):
        return None
    deadline = deadline_at(state, inject_id)
    if deadline is None:
        return "A response is required (no deadline)."
    when = time_text(deadline, state)
    if not awaits_response(state, inject_id):
        return f"A response was required by {when}; it was given."
    if now <= deadline:
        return f"A response is required by {when} (scenario time) — {span_text(deadline - now)} left."
    return f"A response was required by {when} (scenario time) — overdue by {span_text(now - deadline)}."


def contingency_not_needed(state: ExerciseState, inject_id: str) -> bool:
    """A pending contingency whose every trigger was released and answered: it will not be released."""
    item = state.injects.get(inject_id)
    if item is None or item.status is not InjectStatus.pending or state.plan is None:
        return False
    planned = state.plan.by_id.get(inject_id)
    if planned is None or planned.kind is not ReleaseKind.contingency or not planned.sources:
        return False
    return all(state.is_released(s) and not awaits_response(state, s) for s in planned.sources)


def standing(state: ExerciseState) -> str:
    """Where the exercise stands, in words: ``running``, ``day 2 ended``, ``hot wash``…"""
    if state.lifecycle is Lifecycle.paused and state.day_ended:
        return f"day {state.day} ended" if state.day else "day ended"
    return state.lifecycle.value.replace("_", " ")


def public_injects(state: ExerciseState, limit: int = 8) -> list[str]:
    """The latest released injects marked TLP:CLEAR or TLP:GREEN, newest first (what may go on the wall)."""
    shown = [i for i in reversed(state.released) if state.inject(i).tlp in (Tlp.CLEAR, Tlp.GREEN)]
    return shown[:limit]


def next_scheduled_release(state: ExerciseState, now: Seconds) -> Seconds | None:
    """When the next scheduled inject falls due (held, skipped and conditional injects aside), or None."""
    if state.plan is None:
        return None
    times = [
        planned.time.seconds
        for planned in state.plan.injects
        if planned.kind is ReleaseKind.scheduled
        and state.injects[planned.id].status is InjectStatus.pending
        and not state.injects[planned.id].held
        and planned.time.seconds >= now
    ]
    return min(times, default=None)


def advance_preview(state: ExerciseState, phase_start: Seconds, now: Seconds) -> tuple[list[str], list[str]]:
    """What entering a phase that starts at ``phase_start`` does to the MSEL: (released at once, still held).

    The clock jumps to the phase's start, so every scheduled inject due before it that is not held
    is released together; held ones stay held.
    """
    if state.plan is None:
        return [], []
    due = [
        planned.id
        for planned in state.plan.injects
        if planned.kind is ReleaseKind.scheduled
        and state.injects[planned.id].status is InjectStatus.pending
        and planned.time.seconds <= max(phase_start, now)
    ]
    held = [i for i in due if state.injects[i].held]
    return [i for i in due if i not in held], held
