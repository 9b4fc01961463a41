"""Events: every fact of a session, as a pydantic discriminated union, and the hash-chained record around each."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

SYSTEM = "system"
"""Actor of events the controller produces on its own (schedule, clock, defaults)."""


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReleaseVia(StrEnum):
    """Why an inject was released."""

    schedule = "schedule"
    facilitator = "facilitator"
    branch = "branch"
    contingency = "contingency"
    adhoc = "adhoc"


class Rating(StrEnum):
    """HSEEP performance ratings, plus "not observed"."""

    P = "P"
    S = "S"
    M = "M"
    U = "U"
    NO = "NO"


class SeatRole(StrEnum):
    """What a seat may do."""

    facilitator = "facilitator"
    delegation = "delegation"
    scribe = "scribe"
    evaluator = "evaluator"
    projector = "projector"
    """The wall view (``ttx screen``): reads the TLP:CLEAR and TLP:GREEN injects released, issues no command."""


class SeatInfo(_Event):
    """A seat as recorded in the log (never its join code)."""

    seat: str
    role: SeatRole
    participant: str | None = None
    cell: str | None = None


class SessionCreated(_Event):
    """The session exists; carries the scenario snapshot so the log replays without the YAML."""

    type: Literal["session_created"] = "session_created"
    scenario: dict[str, Any]
    digest: str
    seats: list[SeatInfo]
    ttx_version: str


class BriefingStarted(_Event):
    """The facilitator opened the briefing."""

    type: Literal["briefing_started"] = "briefing_started"


class ExerciseStarted(_Event):
    """Play began; the clock runs."""

    type: Literal["exercise_started"] = "exercise_started"
    speed: float


class ExercisePaused(_Event):
    """The clock stopped."""

    type: Literal["exercise_paused"] = "exercise_paused"
    reason: str = ""


class ExerciseResumed(_Event):
    """The clock runs again."""

    type: Literal["exercise_resumed"] = "exercise_resumed"


class SpeedChanged(_Event):
    """Scenario seconds per wall second (0 = as fast as possible)."""

    type: Literal["speed_changed"] = "speed_changed"
    speed: float


class ClockJumped(_Event):
    """The scenario clock jumped forward (time jump, next inject, next phase, next day)."""

    type: Literal["clock_jumped"] = "clock_jumped"
    from_at: int
    to_at: int
    reason: str


class ClockCheckpoint(_Event):
    """The controller recorded the clock so a restart resumes from here."""

    type: Literal["clock_checkpoint"] = "clock_checkpoint"
    resumed: bool = False
    """True when written by a controller starting up after a stop or crash."""


class PhaseEntered(_Event):
    """The exercise entered a scenario phase."""

    type: Literal["phase_entered"] = "phase_entered"
    phase: str
    override: bool = False
    reason: str = ""


class DayStarted(_Event):
    """An exercise day began."""

    type: Literal["day_started"] = "day_started"
    day: int


class DayEnded(_Event):
    """An exercise day ended; the next start resumes at the next day."""

    type: Literal["day_ended"] = "day_ended"
    day: int


class InjectReleased(_Event):
    """An inject reached its recipients."""

    type: Literal["inject_released"] = "inject_released"
    inject: str
    via: ReleaseVia
    cause: str = ""


class InjectHeld(_Event):
    """The facilitator held an inject back."""

    type: Literal["inject_held"] = "inject_held"
    inject: str


class InjectUnheld(_Event):
    """A held inject may be released again."""

    type: Literal["inject_unheld"] = "inject_unheld"
    inject: str


class InjectSkipped(_Event):
    """An inject will not be released in this session."""

    type: Literal["inject_skipped"] = "inject_skipped"
    inject: str


class AdhocInjectCreated(_Event):
    """The facilitator wrote a new inject during play (scenario inject model as JSON)."""

    type: Literal["adhoc_inject_created"] = "adhoc_inject_created"
    inject: dict[str, Any]


class ResponseRecorded(_Event):
    """A delegation's response to an inject (possibly entered by its cell's scribe)."""

    type: Literal["response_recorded"] = "response_recorded"
    response: str
    inject: str
    participant: str
    cell: str | None = None
    seat: str
    text: str = ""
    decision: str | None = None
    agencies: str = ""
    legal_basis: str = ""
    gaps: str = ""


class DecisionTaken(_Event):
    """The decision that drives an inject's branch: by a delegation, or the scenario default."""

    type: Literal["decision_taken"] = "decision_taken"
    inject: str
    option: str
    participant: str | None = None
    default: bool = False
    reason: str = ""


class BranchTaken(_Event):
    """A decision option or keyword trigger fired: it releases injects and/or enters a phase."""

    type: Literal["branch_taken"] = "branch_taken"
    inject: str
    option: str | None = None
    trigger: int | None = None
    release: list[str] = []
    enter_phase: str | None = None


class RequestSent(_Event):
    """A coordination request from one delegation to another."""

    type: Literal["request_sent"] = "request_sent"
    request: str
    sender: str
    recipient: str
    kind: str
    text: str
    inject: str | None = None


class RequestAnswered(_Event):
    """The answer to a coordination request."""

    type: Literal["request_answered"] = "request_answered"
    request: str
    by: str
    text: str


class ObservationRecorded(_Event):
    """An evaluator's observation: capability, critical task, rating, note, linked inject."""

    type: Literal["observation_recorded"] = "observation_recorded"
    observation: str
    evaluator: str
    capability: str
    task: str | None = None
    rating: Rating
    note: str = ""
    inject: str | None = None


class NoteAdded(_Event):
    """A facilitator note (never shown to players)."""

    type: Literal["note_added"] = "note_added"
    text: str


class CommandRejected(_Event):
    """A command the controller refused, and why."""

    type: Literal["command_rejected"] = "command_rejected"
    command: int
    kind: str
    reason: str


class HotWashStarted(_Event):
    """Play stopped; the debrief began."""

    type: Literal["hot_wash_started"] = "hot_wash_started"


class ExerciseEnded(_Event):
    """The session is closed; nothing more is accepted."""

    type: Literal["exercise_ended"] = "exercise_ended"
    reason: str = ""


class ResumedUnverified(_Event):
    """The facilitator resumed a session whose log did not verify (``ttx run --force``); the problem is kept."""

    type: Literal["resumed_unverified"] = "resumed_unverified"
    problem: str


class LogSealed(_Event):
    """The log is sealed: the last event of a closed exercise, naming the count and head hash of what it seals."""

    type: Literal["log_sealed"] = "log_sealed"
    events: int
    """Events before the seal."""
    head: str
    """Hash of the last event before the seal."""


Event = Annotated[
    SessionCreated
    | BriefingStarted
    | ExerciseStarted
    | ExercisePaused
    | ExerciseResumed
    | SpeedChanged
    | ClockJumped
    | ClockCheckpoint
    | PhaseEntered
    | DayStarted
    | DayEnded
    | InjectReleased
    | InjectHeld
    | InjectUnheld
    | InjectSkipped
    | AdhocInjectCreated
    | ResponseRecorded
    | DecisionTaken
    | BranchTaken
    | RequestSent
    | RequestAnswered
    | ObservationRecorded
    | NoteAdded
    | CommandRejected
    | HotWashStarted
    | ExerciseEnded
    | ResumedUnverified
    | LogSealed,
    Field(discriminator="type"),
]
"""Any event payload."""


class EventRecord(BaseModel):
    """One entry of the log: sequence, UTC wall time, scenario time, actor, event, hash chain."""

    model_config = ConfigDict(frozen=True)

    seq: int
    wall: dt.datetime
    at: int
    """Scenario time in seconds since Day 1 00:00."""
    actor: str
    event: Event
    prev: str
    hash: str


EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
RECORD_ADAPTER: TypeAdapter[EventRecord] = TypeAdapter(EventRecord)


def canonical_json(value: Any) -> str:
    """Stable JSON text: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def wall_text(wall: dt.datetime) -> str:
    """UTC wall time as ISO 8601 with microseconds and 'Z'."""
    if wall.tzinfo is None:
        raise ValueError("wall times must be timezone-aware")
    return wall.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_wall(text: str) -> dt.datetime:
    """The UTC wall time written by :func:`wall_text`."""
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def stored_record(seq: int, wall: str, at: int, actor: str, payload: str, prev: str, digest: str) -> EventRecord:
    """A typed record from its stored form (wall time text and payload JSON)."""
    return EventRecord(
        seq=seq,
        wall=parse_wall(wall),
        at=at,
        actor=actor,
        event=EVENT_ADAPTER.validate_json(payload),
        prev=prev,
        hash=digest,
    )


def event_json(event: BaseModel) -> str:
    """The canonical JSON of an event payload."""
    return canonical_json(event.model_dump(mode="json"))
