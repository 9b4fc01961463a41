"""ExerciseState: a pure fold over the event log — clock, lifecycle, phase, injects, inboxes, responses."""

from __future__ import annotations

import copy
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from ttx.collector import collector_paused
from ttx.engine.chain import GENESIS_HASH
from ttx.engine.events import (
    AdhocInjectCreated,
    BranchTaken,
    BriefingStarted,
    ClockCheckpoint,
    ClockJumped,
    CommandRejected,
    DayEnded,
    DayStarted,
    DecisionTaken,
    EventRecord,
    ExerciseEnded,
    ExercisePaused,
    ExerciseResumed,
    ExerciseStarted,
    HotWashStarted,
    InjectHeld,
    InjectReleased,
    InjectSkipped,
    InjectUnheld,
    LogSealed,
    NoteAdded,
    ObservationRecorded,
    PhaseEntered,
    RequestAnswered,
    RequestSent,
    ResponseRecorded,
    ResumedUnverified,
    SeatInfo,
    SessionCreated,
    SpeedChanged,
)
from ttx.engine.ports import StoreError
from ttx.model.plan import Plan, Recipients, build_plan
from ttx.model.scenario import Inject, Scenario


class InvalidLog(StoreError):
    """A log whose events, though well formed, do not make a session (a forged or foreign event)."""


class Lifecycle(StrEnum):
    """Where the exercise is in its life."""

    new = "new"
    ready = "ready"
    briefing = "briefing"
    running = "running"
    paused = "paused"
    hot_wash = "hot_wash"
    closed = "closed"


class InjectStatus(StrEnum):
    """Where an inject is."""

    pending = "pending"
    released = "released"
    skipped = "skipped"


@dataclass
class InjectState:
    """The session's view of one inject."""

    id: str
    status: InjectStatus = InjectStatus.pending
    held: bool = False
    released_at: int | None = None
    released_seq: int | None = None
    via: str | None = None
    cause: str = ""


@dataclass(frozen=True, slots=True)
class Response:
    """A recorded response (kept compact: a long exercise holds many of them)."""

    seq: int
    at: int
    wall: dt.datetime
    response: str
    inject: str
    participant: str
    cell: str | None
    seat: str
    text: str
    decision: str | None
    agencies: str
    legal_basis: str
    gaps: str

    @classmethod
    def of(cls, record: EventRecord, event: ResponseRecorded) -> Response:
        """The compact form of a response_recorded event."""
        intern = sys.intern
        return cls(
            record.seq,
            record.at,
            record.wall,
            event.response,
            intern(event.inject),
            intern(event.participant),
            intern(event.cell) if event.cell else None,
            intern(event.seat),
            event.text,
            event.decision,
            event.agencies,
            event.legal_basis,
            event.gaps,
        )


@dataclass
class Request:
    """A coordination request and, once answered, its answer."""

    sent_seq: int
    sent_at: int
    sent_wall: dt.datetime
    event: RequestSent
    answer: RequestAnswered | None = None
    answered_at: int | None = None
    answered_wall: dt.datetime | None = None


@dataclass(frozen=True)
class Observation:
    """A recorded evaluator observation."""

    seq: int
    at: int
    event: ObservationRecorded


@dataclass
class ExerciseState:
    """Everything the log says about a session, up to ``seq``."""

    scenario: Scenario | None = None
    plan: Plan | None = None
    recipients: Recipients | None = None
    seats: dict[str, SeatInfo] = field(default_factory=dict)
    seq: int = 0
    head: str = GENESIS_HASH
    at: int = 0
    wall: dt.datetime | None = None
    lifecycle: Lifecycle = Lifecycle.new
    speed: float = 1.0
    phase: str | None = None
    day: int | None = None
    day_ended: bool = False
    injects: dict[str, InjectState] = field(default_factory=dict)
    adhoc: dict[str, Inject] = field(default_factory=dict)
    released: list[str] = field(default_factory=list)
    inbox: dict[str, list[str]] = field(default_factory=dict)
    responses: dict[str, list[Response]] = field(default_factory=dict)
    decisions: dict[str, DecisionTaken] = field(default_factory=dict)
    branches: list[tuple[int, BranchTaken]] = field(default_factory=list)
    """Branches taken, with the scenario time they fired."""
    fired_triggers: set[tuple[str, int]] = field(default_factory=set)
    requests: dict[str, Request] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    rejections: list[CommandRejected] = field(default_factory=list)
    phase_log: list[PhaseEntered] = field(default_factory=list)
    checkpoints: int = 0
    sealed: bool = False
    unverified_resumes: list[str] = field(default_factory=list)
    """Problems of a log the facilitator resumed anyway (ttx run --force)."""
    """Whether the log ends with its seal (written when the exercise closed)."""
    resumed_after_stop: int = 0

    # ------------------------------------------------------------------ queries
    def snapshot(self) -> ExerciseState:
        """An independent copy (sharing the immutable scenario, plan, records and responses)."""
        twin = copy.copy(self)
        twin.seats = dict(self.seats)
        twin.injects = {k: copy.copy(v) for k, v in self.injects.items()}
        twin.adhoc = dict(self.adhoc)
        twin.released = list(self.released)
        twin.inbox = {k: list(v) for k, v in self.inbox.items()}
        twin.responses = {k: list(v) for k, v in self.responses.items()}
        twin.decisions = dict(self.decisions)
        twin.branches = list(self.branches)
        twin.fired_triggers = set(self.fired_triggers)
        twin.requests = {k: copy.copy(v) for k, v in self.requests.items()}
        twin.observations = list(self.observations)
        twin.notes = list(self.notes)
        twin.rejections = list(self.rejections)
        twin.phase_log = list(self.phase_log)
        return twin

    def inject(self, inject_id: str) -> Inject:
        """The scenario or ad-hoc inject with this id (KeyError if none)."""
        if inject_id in self.adhoc:
            return self.adhoc[inject_id]
        assert self.plan is not None
        return self.plan.by_id[inject_id].inject

    def receivers(self, inject_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """(cells, participants) an inject goes to."""
        assert self.plan is not None and self.recipients is not None
        planned = self.plan.by_id.get(inject_id)
        if planned is not None:
            return planned.cells, planned.participants
        return self.recipients(self.adhoc[inject_id].to)

    def is_released(self, inject_id: str) -> bool:
        """Whether the inject has been released."""
        state = self.injects.get(inject_id)
        return state is not None and state.status is InjectStatus.released

    def summary(self) -> dict[str, Any]:
        """Comparable digest of the state (for tests, status output and replay checks)."""
        return {
            "seq": self.seq,
            "head": self.head,
            "at": self.at,
            "lifecycle": self.lifecycle.value,
            "speed": self.speed,
            "phase": self.phase,
            "day": self.day,
            "day_ended": self.day_ended,
            "injects": {
                k: (v.status.value, v.held, v.released_at, v.via, v.cause) for k, v in sorted(self.injects.items())
            },
            "released": list(self.released),
            "inbox": {k: list(v) for k, v in sorted(self.inbox.items())},
            "responses": {k: [r.response for r in v] for k, v in sorted(self.responses.items())},
            "decisions": {k: (v.option, v.default) for k, v in sorted(self.decisions.items())},
            "branches": [(at, b.inject, b.option, b.trigger) for at, b in self.branches],
            "requests": {k: (r.event.recipient, r.answer is not None) for k, r in sorted(self.requests.items())},
            "observations": [o.event.observation for o in self.observations],
            "notes": list(self.notes),
            "rejections": [(r.command, r.reason) for r in self.rejections],
            "phases": [p.phase for p in self.phase_log],
        }

    # ------------------------------------------------------------------ the fold
    def apply(self, record: EventRecord) -> None:
        """Fold one event into the state (events must come in sequence order)."""
        if record.seq != self.seq + 1:
            raise InvalidLog(f"not a valid ttx log: event {record.seq} follows event {self.seq}")
        if self.scenario is None and not isinstance(record.event, SessionCreated):
            raise InvalidLog(
                f"not a valid ttx log: event {record.seq} ({record.event.type}) comes before the session exists"
            )
        handler = _HANDLERS.get(type(record.event))
        try:
            if handler is not None:
                handler(self, record)
        except (KeyError, ValueError, AssertionError, TypeError, ValidationError) as error:
            detail = (
                f"unknown {error}"
                if isinstance(error, KeyError)
                else str(error).splitlines()[0]
                if str(error)
                else type(error).__name__
            )
            raise InvalidLog(
                f"not a valid ttx log: event {record.seq} ({record.event.type}) does not fit the session: {detail}"
            ) from None
        self.seq = record.seq
        self.head = record.hash
        self.at = record.at
        self.wall = record.wall

    def _release(self, record: EventRecord, event: InjectReleased) -> None:
        state = self.injects.setdefault(event.inject, InjectState(event.inject))
        state.status = InjectStatus.released
        state.held = False
        state.released_at = record.at
        state.released_seq = record.seq
        state.via = event.via.value
        state.cause = event.cause
        self.released.append(event.inject)
        for participant in sorted(self.receivers(event.inject)[1]):
            self.inbox.setdefault(participant, []).append(event.inject)


def _session_created(state: ExerciseState, record: EventRecord) -> None:
    event = record.event
    assert isinstance(event, SessionCreated)
    scenario = Scenario.model_validate(event.scenario)
    plan, issues = build_plan(scenario)
    if issues:
        raise ValueError(f"scenario snapshot does not plan cleanly: {issues[0][1]}")
    state.scenario, state.plan, state.recipients = scenario, plan, Recipients(scenario)
    state.seats = {seat.seat: seat for seat in event.seats}
    state.injects = {planned.id: InjectState(planned.id) for planned in plan.injects}
    state.lifecycle = Lifecycle.ready


def _set_lifecycle(value: Lifecycle) -> Any:
    def handler(state: ExerciseState, record: EventRecord) -> None:
        state.lifecycle = value
        if isinstance(record.event, ExerciseStarted):
            state.speed = record.event.speed

    return handler


def _resumed(state: ExerciseState, record: EventRecord) -> None:
    state.lifecycle = Lifecycle.running


def _speed(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, SpeedChanged)
    state.speed = record.event.speed


def _checkpoint(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, ClockCheckpoint)
    state.checkpoints += 1
    if record.event.resumed:
        state.resumed_after_stop += 1


def _phase(state: ExerciseState, record: EventRecord) -> None:
    event = record.event
    assert isinstance(event, PhaseEntered)
    state.phase = event.phase
    state.phase_log.append(event)


def _day_started(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, DayStarted)
    state.day = record.event.day
    state.day_ended = False


def _day_ended(state: ExerciseState, record: EventRecord) -> None:
    state.day_ended = True


def _released(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, InjectReleased)
    state._release(record, record.event)


def _held(state: ExerciseState, record: EventRecord) -> None:
    event = record.event
    assert isinstance(event, InjectHeld | InjectUnheld)
    state.injects.setdefault(event.inject, InjectState(event.inject)).held = isinstance(event, InjectHeld)


def _skipped(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, InjectSkipped)
    item = state.injects.setdefault(record.event.inject, InjectState(record.event.inject))
    item.status = InjectStatus.skipped
    item.held = False


def _adhoc(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, AdhocInjectCreated)
    inject = Inject.model_validate(record.event.inject)
    state.adhoc[inject.id] = inject
    state.injects[inject.id] = InjectState(inject.id)


def _response(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, ResponseRecorded)
    state.responses.setdefault(record.event.inject, []).append(Response.of(record, record.event))


def _decision(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, DecisionTaken)
    state.decisions.setdefault(record.event.inject, record.event)


def _branch(state: ExerciseState, record: EventRecord) -> None:
    event = record.event
    assert isinstance(event, BranchTaken)
    state.branches.append((record.at, event))
    if event.trigger is not None:
        state.fired_triggers.add((event.inject, event.trigger))


def _request(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, RequestSent)
    state.requests[record.event.request] = Request(record.seq, record.at, record.wall, record.event)


def _answer(state: ExerciseState, record: EventRecord) -> None:
    event = record.event
    assert isinstance(event, RequestAnswered)
    request = state.requests[event.request]
    request.answer, request.answered_at, request.answered_wall = event, record.at, record.wall


def _observation(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, ObservationRecorded)
    state.observations.append(Observation(record.seq, record.at, record.event))


def _note(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, NoteAdded)
    state.notes.append((record.seq, record.event.text))


def _sealed(state: ExerciseState, record: EventRecord) -> None:
    state.sealed = True


def _rejected(state: ExerciseState, record: EventRecord) -> None:
    assert isinstance(record.event, CommandRejected)
    state.rejections.append(record.event)


_HANDLERS: dict[type, Any] = {
    SessionCreated: _session_created,
    BriefingStarted: _set_lifecycle(Lifecycle.briefing),
    ExerciseStarted: _set_lifecycle(Lifecycle.running),
    ExercisePaused: _set_lifecycle(Lifecycle.paused),
    ExerciseResumed: _resumed,
    SpeedChanged: _speed,
    ClockJumped: lambda state, record: None,
    ClockCheckpoint: _checkpoint,
    PhaseEntered: _phase,
    DayStarted: _day_started,
    DayEnded: _day_ended,
    InjectReleased: _released,
    InjectHeld: _held,
    InjectUnheld: _held,
    InjectSkipped: _skipped,
    AdhocInjectCreated: _adhoc,
    ResponseRecorded: _response,
    DecisionTaken: _decision,
    BranchTaken: _branch,
    RequestSent: _request,
    RequestAnswered: _answer,
    ObservationRecorded: _observation,
    NoteAdded: _note,
    CommandRejected: _rejected,
    HotWashStarted: _set_lifecycle(Lifecycle.hot_wash),
    ExerciseEnded: _set_lifecycle(Lifecycle.closed),
    LogSealed: _sealed,
    ResumedUnverified: lambda state, record: state.unverified_resumes.append(record.event.problem),
}


def fold(records: Iterable[EventRecord], state: ExerciseState | None = None) -> ExerciseState:
    """Fold events into a state (a fresh one unless given): the same events always give the same state."""
    state = state if state is not None else ExerciseState()
    with collector_paused():
        for record in records:
            state.apply(record)
    return state
