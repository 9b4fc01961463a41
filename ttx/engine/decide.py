"""Decide: each command, checked against the state as it is, becomes events or a rejection; nothing is changed here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from pydantic import ValidationError

from ttx.engine import commands as cmd
from ttx.engine.events import (
    SYSTEM,
    AdhocInjectCreated,
    BranchTaken,
    BriefingStarted,
    ClockJumped,
    DayEnded,
    DayStarted,
    DecisionTaken,
    Event,
    ExerciseEnded,
    ExercisePaused,
    ExerciseResumed,
    ExerciseStarted,
    HotWashStarted,
    InjectHeld,
    InjectReleased,
    InjectSkipped,
    InjectUnheld,
    NoteAdded,
    ObservationRecorded,
    PhaseEntered,
    ReleaseVia,
    RequestAnswered,
    RequestSent,
    ResponseRecorded,
    SeatInfo,
    SeatRole,
    SpeedChanged,
)
from ttx.engine.lifecycle import LIFECYCLE, TransitionRefused
from ttx.engine.phases import day_start_after, entry_refusal, guard_reason, next_phase
from ttx.engine.scheduler import Item, ItemKind, Scheduler
from ttx.engine.state import ExerciseState, InjectStatus, Lifecycle
from ttx.model.scenario import PLAYER_CELL_KINDS, Inject, Phase
from ttx.model.time import ScenarioTime, Seconds

Planned = list[tuple[Event, str]]
"""Events to append, each with its actor."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What a command or a due item comes to: events, stamped with one scenario time."""

    events: Planned
    at: Seconds


@dataclass(frozen=True, slots=True)
class Rejection:
    """A command refused; the reason is shown to whoever sent it."""

    reason: str


class Rejected(Exception):
    """Raised inside a decision to refuse the command with this message."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a decision reads besides the state: who asks, the command's number, the clock, the schedule."""

    seat: SeatInfo
    command_id: int
    now: Seconds
    scheduler: Scheduler


# ---------------------------------------------------------------------- shared pieces
def phase_entry(state: ExerciseState, phase: Phase, actor: str, *, reason: str = "", override: bool = False) -> Planned:
    """Entering a phase: the day ends and the next starts when the phase is on another day."""
    events: Planned = []
    if state.day != phase.played_on:
        if state.day is not None and not state.day_ended:
            events.append((DayEnded(day=state.day), actor))
        events.append((DayStarted(day=phase.played_on), actor))
    events.append((PhaseEntered(phase=phase.id, override=override, reason=reason), actor))
    return events


def decision_events(
    state: ExerciseState,
    inject: Inject,
    option_id: str,
    participant: str | None,
    *,
    default: bool = False,
    reason: str = "",
    now: Seconds,
) -> tuple[Planned, Seconds]:
    """A decision taken on an inject and the branch its option opens; and the time they happen at."""
    option = next(o for o in inject.options if o.id == option_id)
    actor = SYSTEM if participant is None else f"delegation:{participant}"
    events: Planned = [
        (
            DecisionTaken(inject=inject.id, option=option.id, participant=participant, default=default, reason=reason),
            actor,
        )
    ]
    at = now
    if option.release or option.enter_phase:
        events.append(
            (
                BranchTaken(
                    inject=inject.id, option=option.id, release=list(option.release), enter_phase=option.enter_phase
                ),
                actor,
            )
        )
        if option.enter_phase:
            entered, at = _branch_phase(state, option.enter_phase, actor, now, [])
            events.extend(entered)
    return events, at


def _branch_phase(
    state: ExerciseState, phase_id: str, actor: str, now: Seconds, entered: list[str]
) -> tuple[Planned, Seconds]:
    """A branch entering a later phase (nothing when the exercise is in or past it, or entered it in this decision)."""
    assert state.scenario is not None
    order = [phase.id for phase in state.scenario.phases]
    if entry_refusal(state, phase_id, override=True) is not None:
        return [], now
    if entered and order.index(phase_id) <= order.index(entered[-1]):
        return [], now
    entered.append(phase_id)
    phase = state.scenario.phases[order.index(phase_id)]
    events: Planned = []
    start = phase.start.seconds
    if start > now:
        events.append((ClockJumped(from_at=now, to_at=start, reason=f"branch enters phase {phase_id}"), actor))
        now = start
    events.extend(phase_entry(state, phase, actor, reason="branch"))
    return events, now


def _lifecycle(state: ExerciseState, trigger: str) -> None:
    try:
        LIFECYCLE.target(state.lifecycle, trigger)
    except TransitionRefused as error:
        raise Rejected(str(error)) from None


def _started(state: ExerciseState, what: str) -> None:
    if state.lifecycle not in (Lifecycle.running, Lifecycle.paused):
        raise Rejected(what)


def _pending_inject(state: ExerciseState, inject_id: str) -> Inject:
    if inject_id not in state.injects:
        raise Rejected(f"unknown inject {inject_id!r}")
    status = state.injects[inject_id].status
    if status is not InjectStatus.pending:
        raise Rejected(f"inject {inject_id} is already {status.value}")
    return state.inject(inject_id)


def _received(state: ExerciseState, inject_id: str, participant: str) -> frozenset[str]:
    """The cells through which ``participant`` received a released inject.

    The refusal is the same whether the inject does not exist, is not released yet, or went to
    others: a delegation learns nothing about injects it may not see.
    """
    if state.is_released(inject_id):
        cells, receivers = state.receivers(inject_id)
        if participant in receivers:
            return cells
    raise Rejected(f"no inject {inject_id} for {participant}")


def _speaker(state: ExerciseState, seat: SeatInfo, participant: str | None) -> tuple[str, str | None]:
    """(participant, cell) a delegation or scribe seat speaks for."""
    assert state.scenario is not None
    if seat.role is SeatRole.delegation:
        assert seat.participant is not None
        if participant not in (None, seat.participant):
            raise Rejected(f"this seat speaks for {seat.participant}, not {participant}")
        return seat.participant, None
    if seat.role is SeatRole.scribe:
        if participant is None:
            raise Rejected("a cell scribe must name the delegation it records for")
        member = next((p for p in state.scenario.participants if p.id == participant), None)
        if member is None or seat.cell not in member.cells:
            raise Rejected(f"{participant} does not sit in cell {seat.cell}")
        return participant, seat.cell
    raise Rejected(f"a {seat.role.value} seat cannot respond for a delegation")


# ---------------------------------------------------------------------- the commands
def _brief(state: ExerciseState, ctx: Context) -> Decision:
    _lifecycle(state, "brief")
    return Decision([(BriefingStarted(), ctx.seat.seat)], ctx.now)


def _start(state: ExerciseState, ctx: Context) -> Decision:
    assert state.scenario is not None
    _lifecycle(state, "start")
    first = state.scenario.phases[0].start.seconds
    return Decision([(ExerciseStarted(speed=state.speed), ctx.seat.seat)], max(ctx.now, first))


def _pause(state: ExerciseState, command: cmd.Pause, ctx: Context) -> Decision:
    _lifecycle(state, "pause")
    return Decision([(ExercisePaused(reason=command.reason), ctx.seat.seat)], ctx.now)


def _resume(state: ExerciseState, ctx: Context) -> Decision:
    assert state.scenario is not None
    _lifecycle(state, "resume")
    events: Planned = []
    at = ctx.now
    if state.day_ended:
        upcoming = day_start_after(state.scenario, state.day)
        if upcoming is not None and upcoming > ctx.now:
            events.append((ClockJumped(from_at=ctx.now, to_at=upcoming, reason="next day"), ctx.seat.seat))
            at = max(at, upcoming)
    events.append((ExerciseResumed(), ctx.seat.seat))
    return Decision(events, at)


def _jump(state: ExerciseState, command: cmd.Jump, ctx: Context) -> Decision:
    assert state.scenario is not None
    _started(state, "the clock can only jump once the exercise has started")
    upcoming = next_phase(state.scenario, state.phase)
    if command.to == "next_inject":
        item = ctx.scheduler.next_release()
        if item is None:
            raise Rejected("no inject is scheduled")
        target = item.at
    elif command.to == "next_phase":
        if upcoming is None:
            raise Rejected("there is no next phase")
        target = upcoming.start.seconds
    else:
        try:
            target = ScenarioTime.parse(command.to).seconds
        except ValueError as error:
            raise Rejected(str(error)) from None
    if target <= ctx.now:
        raise Rejected(
            f"{ScenarioTime.from_seconds(target)} is not ahead of the clock ({ScenarioTime.from_seconds(ctx.now)})"
        )
    if upcoming is not None and upcoming.start.seconds < target:
        reason = entry_refusal(state, upcoming.id)
        if reason is not None:
            raise Rejected(f"cannot jump past the start of phase {upcoming.id}: {reason}")
    return Decision([(ClockJumped(from_at=ctx.now, to_at=target, reason=command.to), ctx.seat.seat)], target)


def _advance_phase(state: ExerciseState, command: cmd.AdvancePhase, ctx: Context) -> Decision:
    assert state.scenario is not None
    _started(state, "phases advance once the exercise has started")
    by_id = {phase.id: phase for phase in state.scenario.phases}
    phase = by_id.get(command.phase) if command.phase else next_phase(state.scenario, state.phase)
    if phase is None:
        raise Rejected(f"unknown phase {command.phase!r}" if command.phase else "there is no next phase")
    reason = entry_refusal(state, phase.id, override=command.override)
    if reason is not None:
        raise Rejected(f"cannot enter phase {phase.id}: {reason} (override to enter anyway)")
    unmet = guard_reason(phase, state)
    events: Planned = []
    at = ctx.now
    start = phase.start.seconds
    if start > ctx.now:
        events.append((ClockJumped(from_at=ctx.now, to_at=start, reason=f"advance to phase {phase.id}"), ctx.seat.seat))
        at = start
    note = f"facilitator override: {unmet}" if unmet is not None else "facilitator"
    events.extend(phase_entry(state, phase, ctx.seat.seat, reason=note, override=unmet is not None))
    return Decision(events, at)


def _end_day(state: ExerciseState, ctx: Context) -> Decision:
    if state.day is None or state.day_ended:
        raise Rejected("no exercise day is under way")
    events: Planned = [(DayEnded(day=state.day), ctx.seat.seat)]
    if state.lifecycle is Lifecycle.running:
        _lifecycle(state, "pause")
        events.append((ExercisePaused(reason=f"end of day {state.day}"), ctx.seat.seat))
    return Decision(events, ctx.now)


def _release(state: ExerciseState, command: cmd.ReleaseNow, ctx: Context) -> Decision:
    _pending_inject(state, command.inject)
    if state.lifecycle in (Lifecycle.ready, Lifecycle.new):
        raise Rejected("start the exercise before releasing injects")
    return Decision([(InjectReleased(inject=command.inject, via=ReleaseVia.facilitator), ctx.seat.seat)], ctx.now)


def _hold(state: ExerciseState, command: cmd.Hold | cmd.Unhold, ctx: Context) -> Decision:
    _pending_inject(state, command.inject)
    held = state.injects[command.inject].held
    if isinstance(command, cmd.Hold):
        if held:
            raise Rejected(f"inject {command.inject} is already held")
        return Decision([(InjectHeld(inject=command.inject), ctx.seat.seat)], ctx.now)
    if not held:
        raise Rejected(f"inject {command.inject} is not held")
    return Decision([(InjectUnheld(inject=command.inject), ctx.seat.seat)], ctx.now)


def _skip(state: ExerciseState, command: cmd.Skip, ctx: Context) -> Decision:
    _pending_inject(state, command.inject)
    return Decision([(InjectSkipped(inject=command.inject), ctx.seat.seat)], ctx.now)


def _adhoc(state: ExerciseState, command: cmd.Adhoc, ctx: Context) -> Decision:
    assert state.scenario is not None
    if state.lifecycle in (Lifecycle.ready, Lifecycle.new):
        raise Rejected("start the exercise before releasing injects")
    inject_id = command.id or f"ADHOC-{ctx.command_id}"
    if inject_id in state.injects:
        raise Rejected(f"inject id {inject_id!r} is already used")
    known = {c.id for c in state.scenario.cells} | {p.id for p in state.scenario.participants} | {"all"}
    unknown = [target for target in command.to if target not in known]
    if unknown:
        raise Rejected(f"unknown cell or participant {', '.join(unknown)}")
    try:
        inject = Inject.model_validate(
            {
                "id": inject_id,
                "time": str(ScenarioTime.from_seconds(ctx.now)),
                "from": command.source,
                "to": command.to,
                "channel": command.channel,
                "tlp": command.tlp,
                "title": command.title,
                "body": command.body,
                "questions": command.questions,
                "options": [o.model_dump() for o in command.options],
                "response": (
                    {"required": True, **({"deadline": command.deadline} if command.deadline else {})}
                    if command.response_required or command.deadline
                    else None
                ),
            }
        )
    except ValidationError as error:
        raise Rejected(f"invalid inject: {error.errors()[0]['msg']}") from None
    return Decision(
        [
            (AdhocInjectCreated(inject=inject.model_dump(mode="json", by_alias=True)), ctx.seat.seat),
            (InjectReleased(inject=inject_id, via=ReleaseVia.adhoc), ctx.seat.seat),
        ],
        ctx.now,
    )


def _apply_default(state: ExerciseState, command: cmd.ApplyDefault, ctx: Context) -> Decision:
    if not state.is_released(command.inject):
        raise Rejected(f"inject {command.inject} has not been released")
    inject = state.inject(command.inject)
    default = next((o for o in inject.options if o.default), None)
    if default is None:
        raise Rejected(f"inject {command.inject} has no default option")
    if command.inject in state.decisions:
        raise Rejected(f"inject {command.inject} is already decided")
    events, at = decision_events(
        state, inject, default.id, None, default=True, reason="facilitator applied the default", now=ctx.now
    )
    return Decision(events, at)


def _respond(state: ExerciseState, command: cmd.Respond, ctx: Context) -> Decision:
    assert state.scenario is not None
    seat = ctx.seat
    participant, cell = _speaker(state, seat, command.participant)
    cells = _received(state, command.inject, participant)
    if seat.role is SeatRole.scribe and seat.cell not in cells:
        raise Rejected(f"no inject {command.inject} for cell {seat.cell}")
    if cell is None:
        member = next(p for p in state.scenario.participants if p.id == participant)
        cell = next((c for c in member.cells if c in cells), None)
    inject = state.inject(command.inject)
    if command.decision is not None and command.decision not in {o.id for o in inject.options}:
        choices = ", ".join(o.id for o in inject.options) or "none: this inject asks for no decision"
        raise Rejected(f"{command.decision!r} is not an option of {command.inject} (options: {choices})")
    if not command.text.strip() and command.decision is None:
        raise Rejected("a response needs text or a decision")
    events: Planned = [
        (
            ResponseRecorded(
                response=f"R{ctx.command_id}",
                inject=command.inject,
                participant=participant,
                cell=cell,
                seat=seat.seat,
                text=command.text,
                decision=command.decision,
                agencies=command.agencies,
                legal_basis=command.legal_basis,
                gaps=command.gaps,
            ),
            seat.seat,
        )
    ]
    at = ctx.now
    entered: list[str] = []
    if command.decision is not None and command.inject not in state.decisions:
        decided, at = decision_events(state, inject, command.decision, participant, now=at)
        events.extend(decided)
        entered.extend(e.phase for e, _ in decided if isinstance(e, PhaseEntered))
    text = command.text.lower()
    for index, trigger in enumerate(inject.triggers):
        if (command.inject, index) in state.fired_triggers:
            continue
        if any(keyword.lower() in text for keyword in trigger.keywords):
            events.append(
                (
                    BranchTaken(
                        inject=command.inject,
                        trigger=index,
                        release=list(trigger.release),
                        enter_phase=trigger.enter_phase,
                    ),
                    seat.seat,
                )
            )
            if trigger.enter_phase:
                branched, at = _branch_phase(state, trigger.enter_phase, seat.seat, at, entered)
                events.extend(branched)
    return Decision(events, at)


def _request_party(state: ExerciseState, seat: SeatInfo, participant: str | None) -> tuple[str, str | None]:
    """(who sends, the cell it speaks in): a delegation, a scribe for a delegation, or a scribe for its cell."""
    if seat.role is SeatRole.scribe and participant is None:
        assert seat.cell is not None
        return seat.cell, seat.cell
    return _speaker(state, seat, participant)


def _playing_cells(state: ExerciseState) -> set[str]:
    assert state.scenario is not None
    return {cell.id for cell in state.scenario.cells if cell.kind in PLAYER_CELL_KINDS}


def _request(state: ExerciseState, command: cmd.SendRequest, ctx: Context) -> Decision:
    assert state.scenario is not None
    sender, _ = _request_party(state, ctx.seat, command.participant)
    cells = _playing_cells(state)
    if command.recipient not in {p.id for p in state.scenario.participants} | cells:
        raise Rejected(f"unknown delegation or cell {command.recipient!r}")
    if command.recipient == sender:
        raise Rejected(f"{sender} cannot send a request to itself")
    if command.inject is not None:
        if sender in cells:  # a cell's scribe may cite only what its cell received
            if not state.is_released(command.inject) or sender not in state.receivers(command.inject)[0]:
                raise Rejected(f"no inject {command.inject} for cell {sender}")
        else:
            _received(state, command.inject, sender)  # a request may cite only what its sender received
    request_id = command.id or f"Q{ctx.command_id}"
    if request_id in state.requests:
        raise Rejected(f"request id {request_id!r} is already used")
    request = RequestSent(
        request=request_id,
        sender=sender,
        recipient=command.recipient,
        kind=command.request_kind,
        text=command.text,
        inject=command.inject,
    )
    return Decision([(request, ctx.seat.seat)], ctx.now)


def _answer(state: ExerciseState, command: cmd.AnswerRequest, ctx: Context) -> Decision:
    assert state.scenario is not None
    request = state.requests.get(command.request)
    if request is None:
        raise Rejected(f"unknown request {command.request!r}")
    recipient = request.event.recipient
    seat = ctx.seat
    if recipient in _playing_cells(state):
        # a request to a cell is answered by its scribe (for the cell) or by a delegation seated in it
        if seat.role is SeatRole.scribe and command.participant is None and seat.cell == recipient:
            answerer = recipient
        else:
            answerer, _cell = _speaker(state, seat, command.participant)
            member = next(p for p in state.scenario.participants if p.id == answerer)
            if recipient not in member.cells:
                raise Rejected(f"request {command.request} was sent to {recipient}, not {answerer}")
    else:
        answerer, _cell = _speaker(state, seat, command.participant)
        if recipient != answerer:
            raise Rejected(f"request {command.request} was sent to {recipient}, not {answerer}")
    if request.answer is not None:
        raise Rejected(f"request {command.request} is already answered")
    return Decision(
        [(RequestAnswered(request=command.request, by=answerer, text=command.text), ctx.seat.seat)], ctx.now
    )


def _observe(state: ExerciseState, command: cmd.Observe, ctx: Context) -> Decision:
    assert state.scenario is not None
    if ctx.seat.role is not SeatRole.evaluator:
        raise Rejected("only evaluators record observations")
    capability = next((c for c in state.scenario.capabilities if c.id == command.capability), None)
    if capability is None:
        raise Rejected(f"unknown capability {command.capability!r}")
    if command.task is not None and command.task not in capability.task_ids():
        raise Rejected(
            f"{command.task!r} is not a critical task of {capability.id} ({', '.join(capability.task_ids())})"
        )
    if command.inject is not None and not state.is_released(command.inject):
        raise Rejected(f"inject {command.inject} has not been released")
    observation = ObservationRecorded(
        observation=f"OBS{ctx.command_id}",
        evaluator=ctx.seat.seat,
        capability=command.capability,
        task=command.task,
        rating=command.rating,
        note=command.note,
        inject=command.inject,
    )
    return Decision([(observation, ctx.seat.seat)], ctx.now)


def _closing(state: ExerciseState, command: cmd.HotWash | cmd.End, ctx: Context) -> Decision:
    if isinstance(command, cmd.HotWash):
        _lifecycle(state, "hot_wash")
        return Decision([(HotWashStarted(), ctx.seat.seat)], ctx.now)
    _lifecycle(state, "end")
    return Decision([(ExerciseEnded(reason=command.reason), ctx.seat.seat)], ctx.now)


def _dispatch(state: ExerciseState, command: cmd.Command, ctx: Context) -> Decision:
    match command:
        case cmd.Brief():
            return _brief(state, ctx)
        case cmd.Start():
            return _start(state, ctx)
        case cmd.Pause():
            return _pause(state, command, ctx)
        case cmd.Resume():
            return _resume(state, ctx)
        case cmd.SetSpeed():
            return Decision([(SpeedChanged(speed=command.speed), ctx.seat.seat)], ctx.now)
        case cmd.Jump():
            return _jump(state, command, ctx)
        case cmd.AdvancePhase():
            return _advance_phase(state, command, ctx)
        case cmd.EndDay():
            return _end_day(state, ctx)
        case cmd.ReleaseNow():
            return _release(state, command, ctx)
        case cmd.Hold() | cmd.Unhold():
            return _hold(state, command, ctx)
        case cmd.Skip():
            return _skip(state, command, ctx)
        case cmd.Adhoc():
            return _adhoc(state, command, ctx)
        case cmd.ApplyDefault():
            return _apply_default(state, command, ctx)
        case cmd.Respond():
            return _respond(state, command, ctx)
        case cmd.SendRequest():
            return _request(state, command, ctx)
        case cmd.AnswerRequest():
            return _answer(state, command, ctx)
        case cmd.Observe():
            return _observe(state, command, ctx)
        case cmd.Note():
            return Decision([(NoteAdded(text=command.text), ctx.seat.seat)], ctx.now)
        case cmd.HotWash() | cmd.End():
            return _closing(state, command, ctx)
        case _:
            assert_never(command)


def decide(state: ExerciseState, command: cmd.Command, ctx: Context) -> Decision | Rejection:
    """The events a command comes to, or why it is refused (the state is only read)."""
    if ctx.seat.role is SeatRole.projector:
        return Rejection("the projector's view code opens the wall view (ttx screen) and cannot act")
    if command.kind in cmd.FACILITATOR_ONLY and ctx.seat.role is not SeatRole.facilitator:
        return Rejection(f"only the facilitator may {command.kind.replace('_', ' ')}")
    if (why := cmd.unacceptable_text(command)) is not None:
        return Rejection(why)
    if state.lifecycle is Lifecycle.closed:
        return Rejection("the exercise has ended")
    try:
        return _dispatch(state, command, ctx)
    except Rejected as error:
        return Rejection(str(error))


# ---------------------------------------------------------------------- what the clock brings
def due(state: ExerciseState, item: Item) -> Decision:
    """What a scheduled item that fell due comes to: a release, a contingency, or a default decision."""
    at = max(item.at, state.at)
    if item.kind is ItemKind.release:
        return Decision([(InjectReleased(inject=item.key, via=item.via, cause=item.cause), SYSTEM)], at)
    if item.kind is ItemKind.contingency:
        target = state.inject(item.key).contingency
        assert target is not None
        return Decision([(InjectReleased(inject=target, via=ReleaseVia.contingency, cause=item.key), SYSTEM)], at)
    if item.kind is ItemKind.default:
        inject = state.inject(item.key)
        default = next((o for o in inject.options if o.default), None)
        if default is None:
            return Decision([], at)
        events, _ = decision_events(
            state, inject, default.id, None, default=True, reason="no decision recorded", now=at
        )
        return Decision(events, at)
    raise ValueError(f"phase items are entered by the controller, not decided here: {item}")
