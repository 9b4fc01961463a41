"""What an inject asks of its receivers, in one place: is a response required, when is it due, is it overdue."""

from __future__ import annotations

from ttx.engine.state import ExerciseState
from ttx.model.time import Seconds


def response_required(state: ExerciseState, inject_id: str) -> bool:
    """Whether the inject asks for a response."""
    rule = state.inject(inject_id).response
    return rule is not None and rule.required


def deadline_at(state: ExerciseState, inject_id: str) -> Seconds | None:
    """When a response to a released inject is due (None: not released, or no deadline)."""
    item = state.injects[inject_id]
    rule = state.inject(inject_id).response
    if item.released_at is None or rule is None or rule.deadline is None:
        return None
    return item.released_at + rule.deadline.seconds


def past_deadline(state: ExerciseState, inject_id: str, now: Seconds) -> bool:
    """Whether a required response to the inject is past its deadline at ``now`` (answered or not)."""
    deadline = deadline_at(state, inject_id)
    return response_required(state, inject_id) and deadline is not None and now > deadline


def awaits_response(state: ExerciseState, inject_id: str) -> bool:
    """Whether the inject was released, requires a response, and nobody has answered or decided it."""
    return state.is_released(inject_id) and response_required(state, inject_id) and not state.has_response(inject_id)


def unanswered_required(state: ExerciseState) -> list[str]:
    """Released injects that require a response nobody gave, in release order."""
    return [inject_id for inject_id in state.released if awaits_response(state, inject_id)]
