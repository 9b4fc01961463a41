"""The replay state document (``ttx replay --at … --json``, schema ttx/schemas/replay-state.schema.json)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, TypeAdapter
from pydantic.json_schema import SkipJsonSchema

from ttx.engine.state import Lifecycle
from ttx.model.read import ReadModel, absent_when_none


class StateHeader(ReadModel):
    """What every view of a moment starts with."""

    exercise: str
    """The exercise title."""
    tlp: str
    """The exercise's handling label, "TLP:AMBER"."""
    event: int
    """The last event applied: the state is the one right after it."""
    scenario_time: str
    """The scenario clock then ("D2 09:30"; "D+90 09:00" after a time jump)."""
    lifecycle: Lifecycle
    """Where the exercise was in its life."""
    day: int | None
    """The exercise day (none before the first phase)."""
    phase: str | None
    """The id of the phase (none before the first phase)."""


class BoardLine(ReadModel):
    """One delegation on the facilitator's board."""

    delegation: str
    """The delegation's id."""
    received: int
    """Injects it had received."""
    answered: int
    """Of those, the ones it had answered."""
    overdue: list[str]
    """Required responses past their deadline."""
    open_requests: int
    """Coordination requests addressed to it and not answered."""


class DecisionLine(ReadModel):
    """The decision that drove an inject's branch."""

    option: str
    """The option taken."""
    by: str | None
    """The delegation that decided (none: the scenario default was taken)."""
    default: bool
    """Whether it was the declared default, taken because nobody decided."""


class FacilitatorState(StateHeader):
    """The facilitator's view of a moment: every inject's status, the board, decisions."""

    view: Literal["facilitator"]
    """Whose view this is."""
    injects: dict[str, str]
    """Inject id → status (held, skipped, released, required, answered or overdue) of every inject released, skipped or held."""
    board: list[BoardLine]
    """Per delegation: received, answered, overdue, open requests."""
    decisions: dict[str, DecisionLine]
    """Inject id → the decision taken on it."""
    responses: int
    """Responses recorded so far."""
    open_requests: list[str]
    """Coordination requests not answered yet, sorted."""
    warning: str | SkipJsonSchema[None] = absent_when_none()
    """Present only for a forced, unverified log: what is wrong with it."""


class SeatInject(ReadModel):
    """An inject the seat could read."""

    id: str
    """The inject id."""
    title: str
    """Its title."""
    tlp: str
    """Its handling label, "TLP:GREEN"."""
    released: str
    """When it was released, in scenario time."""


class ResponseLine(ReadModel):
    """A response the seat could see."""

    inject: str
    """The inject answered."""
    participant: str
    """The delegation that answered."""
    decision: str | None
    """The decision option chosen, if the inject asks for one."""
    text: str
    """The response text."""


class RequestLine(ReadModel):
    """A coordination request the seat sent or received."""

    id: str
    """The request id."""
    from_: str = Field(alias="from")
    """The delegation that asked."""
    to: str
    """The delegation asked."""
    kind: str
    """What kind of request (mutual legal assistance, information…)."""
    answered: bool
    """Whether it had been answered."""


class SeatState(StateHeader):
    """One seat's need-to-know view of a moment: what it could read, its responses and requests."""

    view: str
    """The seat: "delegation:THA", "scribe:DWG", "evaluator:1"."""
    injects: list[SeatInject]
    """The injects it could read, in release order."""
    responses: list[ResponseLine]
    """Responses to those injects: the seat's own (a scribe: its cell's delegations'), or all of them for an evaluator."""
    requests: list[RequestLine] | SkipJsonSchema[None] = absent_when_none()
    """Requests its delegations sent or received (absent for evaluators)."""
    warning: str | SkipJsonSchema[None] = absent_when_none()
    """Present only for a forced, unverified log: what is wrong with it."""


ReplayState = FacilitatorState | SeatState
"""The state at a moment: the facilitator's view or one seat's."""

REPLAY_STATE: TypeAdapter[FacilitatorState | SeatState] = TypeAdapter(ReplayState)
"""Validates and describes a replay state document of either view."""
