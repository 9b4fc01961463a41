"""The controller: the session's one writer. It validates commands, ticks the clock and scheduler, appends events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from ttx import __version__
from ttx.engine import commands as cmd
from ttx.engine.clock import MAX_SPEED, Clock, ScenarioClock
from ttx.engine.events import (
    SYSTEM,
    AdhocInjectCreated,
    BranchTaken,
    BriefingStarted,
    ClockCheckpoint,
    ClockJumped,
    CommandRejected,
    DayEnded,
    DayStarted,
    DecisionTaken,
    Event,
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
    NoteAdded,
    ObservationRecorded,
    PhaseEntered,
    ReleaseVia,
    RequestAnswered,
    RequestSent,
    ResponseRecorded,
    SeatInfo,
    SeatRole,
    SessionCreated,
)
from ttx.engine.lifecycle import Lifecycle, Phases, TransitionRefused
from ttx.engine.ports import CommandOutcome, CommandStatus, EventStore, NewEvent, QueuedCommand, Seat, StoreError
from ttx.engine.scheduler import Item, ItemKind, Scheduler, seconds
from ttx.engine.seats import FACILITATOR, make_seats, seat_infos
from ttx.engine.state import InjectStatus, fold, guard_reason
from ttx.engine.state import Lifecycle as LifecycleState
from ttx.model.scenario import Inject, Phase, Scenario
from ttx.model.time import ScenarioTime


class Rejected(Exception):
    """A command the controller refuses; the message is the reason shown to whoever sent it."""


@dataclass(frozen=True, slots=True)
class Progress:
    """What one step of the controller did."""

    commands: int = 0
    events: int = 0


def create_session(store: EventStore, scenario: Scenario, digest: str, clock: Clock, evaluators: int = 2) -> list[Seat]:
    """Write the first event (with the scenario snapshot) and the seats of a new session."""
    if store.head()[0] != 0:
        raise StoreError("session already has events")
    seats = make_seats(scenario, evaluators)
    store.add_seats(seats)
    created = SessionCreated(
        scenario=scenario.model_dump(mode="json", by_alias=True),
        digest=digest,
        seats=seat_infos(seats),
        ttx_version=__version__,
    )
    store.append([NewEvent(clock.wall(), 0, SYSTEM, created)])
    return seats


class Controller:
    """Folds the log into state, then keeps it moving: commands in, events out, one writer."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        *,
        auto_default: bool = False,
        checkpoint_every: float = 10.0,
        on_event: Callable[[EventRecord], None] | None = None,
    ) -> None:
        self.store = store
        self.source = clock
        self.auto_default = auto_default
        self.checkpoint_every = checkpoint_every
        self.on_event = on_event
        self.state = fold(store.events())
        if self.state.scenario is None:
            raise StoreError("the session has no scenario: it was never created")
        self.scenario: Scenario = self.state.scenario
        self.lifecycle = Lifecycle(self.state.lifecycle.value)
        self.phases = Phases(self.scenario, self.state.phase, self._guard)
        self.scheduler = Scheduler(self.state, auto_default=auto_default)
        self.clock = ScenarioClock(clock, at=self.state.at, speed=self.state.speed)
        self.blocked: str | None = None
        """Why the clock waits at a phase boundary (None when it does not)."""
        self._last_event_mono = clock.monotonic()
        if self.state.lifecycle is LifecycleState.running:
            # Restarted while running (closed console or crash): continue from the last recorded moment.
            self.clock.run(True)
            self._emit([(ClockCheckpoint(resumed=True), SYSTEM)])

    # ------------------------------------------------------------------ writing
    def _emit(
        self, events: Sequence[tuple[Event, str]], outcome: CommandOutcome | None = None, at: int | None = None
    ) -> list[EventRecord]:
        when = self.clock.now() if at is None else at
        wall = self.source.wall()
        new = [NewEvent(wall, when, actor, event) for event, actor in events]
        outcomes = []
        if outcome is not None:
            # The controller is the one writer: its state is at the log's head, so the first new
            # event will be number seq + 1.
            first = self.state.seq + 1 if new else None
            outcomes = [CommandOutcome(outcome.id, outcome.status, outcome.reason, first)]
        records = self.store.append(new, outcomes)
        for record in records:
            self._apply(record)
        if records:
            self._last_event_mono = self.source.monotonic()
        return records

    def _apply(self, record: EventRecord) -> None:
        self.state.apply(record)
        self.scheduler.observe(record)
        if self.on_event is not None:
            self.on_event(record)

    # ------------------------------------------------------------------ the loop
    def step(self) -> Progress:
        """Process queued commands, then release everything due by the clock. Returns what it did."""
        before = self.state.seq
        handled = self.process_commands()
        self.tick()
        return Progress(handled, self.state.seq - before)

    def process_commands(self) -> int:
        """Validate and apply every queued command, in order."""
        queued = self.store.queued()
        for item in queued:
            self._process(item)
        return len(queued)

    def _process(self, item: QueuedCommand) -> None:
        seat = self._seat(item.seat)
        kind = item.command.kind if item.command is not None else "invalid"
        try:
            if item.command is None:
                raise Rejected(f"not a valid command: {item.error}")
            if seat is None:
                raise Rejected(f"unknown seat {item.seat!r}")
            self.tick(run_ahead=False)  # the command applies to the state as of now
            events = self._handle(item.command, seat, item.id)
        except Rejected as error:
            self._emit(
                [(CommandRejected(command=item.id, kind=kind, reason=str(error)), item.seat)],
                CommandOutcome(item.id, CommandStatus.rejected, str(error)),
            )
            return
        self._emit(events, CommandOutcome(item.id, CommandStatus.recorded))
        self.tick(run_ahead=False)

    def _seat(self, seat_id: str) -> SeatInfo | None:
        return self.state.seats.get(seat_id)

    def tick(self, limit: int | None = None, *, run_ahead: bool = True) -> int:
        """Release what is due by the scenario clock; at max speed, jump to each next item in turn.

        ``limit`` bounds how many items are handled (a headless run takes one at a time so that
        scripted players can answer between them). ``run_ahead=False`` handles only what is due by
        the clock, never jumping ahead at max speed. Returns the number handled.
        """
        handled = 0
        if self.state.lifecycle is not LifecycleState.running:
            return handled
        while limit is None or handled < limit:
            item = self.scheduler.peek()
            if item is None:
                break
            target = self.clock.now()
            jump = run_ahead and (item.jump or self.clock.speed == MAX_SPEED)
            if item.at > target and not jump:
                break
            if item.kind is ItemKind.phase:
                phase = self.phases.by_id[item.key]
                reason = self.phases.check(phase.id)
                if reason is not None and self.auto_default:
                    self._enter_phase(phase, item.at, override=True, reason=f"guard left open, taken as met ({reason})")
                    handled += 1
                    continue
                if reason is not None:
                    self.blocked = f"waiting to enter phase {phase.id}: {reason}"
                    if not item.jump:
                        self.clock.hold(item.at)
                    break
                self.blocked = None
                self.clock.release()
                if item.at > target and item.jump:
                    self._emit([(ClockJumped(from_at=self.clock.now(), to_at=item.at, reason="time jump"), SYSTEM)])
                self._enter_phase(phase, item.at)
                handled += 1
                continue
            if item.at > target and item.jump and self.clock.speed != MAX_SPEED:
                self._emit([(ClockJumped(from_at=self.clock.now(), to_at=item.at, reason="time jump"), SYSTEM)])
            self.scheduler.pop()
            if item.at > target:
                self.clock.set(item.at)  # a jump: the clock moves there
            else:
                self.clock.mark(item.at)
            self._due(item)
            handled += 1
        self._checkpoint()
        return handled

    def _checkpoint(self) -> None:
        if self.clock.speed == MAX_SPEED or not self.clock.running:
            return
        if (
            self.source.monotonic() - self._last_event_mono >= self.checkpoint_every
            and self.clock.now() > self.state.at
        ):
            self._emit([(ClockCheckpoint(), SYSTEM)])

    def _due(self, item: Item) -> None:
        at = max(item.at, self.state.at)
        if item.kind is ItemKind.release:
            self._emit([(InjectReleased(inject=item.key, via=item.via, cause=item.cause), SYSTEM)], at=at)
        elif item.kind is ItemKind.contingency:
            target = self.state.inject(item.key).contingency
            assert target is not None
            self._emit(
                [(InjectReleased(inject=target, via=ReleaseVia.contingency, cause=item.key), SYSTEM)],
                at=at,
            )
        elif item.kind is ItemKind.default:
            inject = self.state.inject(item.key)
            default = next((o for o in inject.options if o.default), None)
            if default is None:
                return
            self._emit(
                self._decision_events(inject, default.id, None, default=True, reason="no decision recorded"), at=at
            )

    def _enter_phase(self, phase: Phase, at: int, *, override: bool = False, reason: str = "") -> None:
        self.phases.enter(phase.id, override=True)
        events: list[tuple[Event, str]] = []
        if self.state.day != phase.played_on:
            if self.state.day is not None and not self.state.day_ended:
                events.append((DayEnded(day=self.state.day), SYSTEM))
            events.append((DayStarted(day=phase.played_on), SYSTEM))
        events.append((PhaseEntered(phase=phase.id, override=override, reason=reason), SYSTEM))
        if at > self.clock.now():
            self.clock.set(at)
        else:
            self.clock.mark(at)
        self._emit(events, at=max(at, self.state.at))

    def _guard(self, phase: Phase, override: bool) -> str | None:
        return guard_reason(phase, self.state, override)

    # ------------------------------------------------------------------ headless helpers
    def closed(self) -> bool:
        """Whether the exercise has ended."""
        return self.state.lifecycle is LifecycleState.closed

    def finished(self) -> bool:
        """Nothing left to release, decide or enter (phases all entered)."""
        return self.scheduler.peek() is None and self.phases.next_phase() is None

    def next_due_at(self) -> int | None:
        """Scenario time of the next item (None if nothing is scheduled)."""
        item = self.scheduler.peek()
        return item.at if item else None

    def wall_seconds_to_next(self) -> float | None:
        """Wall seconds until the next item at the current speed (None when not running)."""
        at = self.next_due_at()
        return None if at is None else self.clock.wall_seconds_until(at)

    # ------------------------------------------------------------------ commands
    def _handle(self, command: cmd.Command, seat: SeatInfo, command_id: int) -> list[tuple[Event, str]]:
        if command.kind in cmd.FACILITATOR_ONLY and seat.role is not SeatRole.facilitator:
            raise Rejected(f"only the facilitator may {command.kind.replace('_', ' ')}")
        if self.state.lifecycle is LifecycleState.closed:
            raise Rejected("the exercise has ended")
        handler = getattr(self, f"_do_{command.kind}")
        events: list[tuple[Event, str]] = handler(command, seat, command_id)
        return events

    def _fire(self, trigger: str) -> None:
        try:
            self.lifecycle.fire(trigger)
        except TransitionRefused as error:
            raise Rejected(str(error)) from None

    def _do_brief(self, command: cmd.Brief, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._fire("brief")
        return [(BriefingStarted(), seat.seat)]

    def _do_start(self, command: cmd.Start, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._fire("start")
        first = seconds(self.scenario.phases[0].start)
        self.clock.set(max(self.clock.at, first))
        self.clock.run(True)
        return [(ExerciseStarted(speed=self.clock.speed), seat.seat)]

    def _do_pause(self, command: cmd.Pause, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._fire("pause")
        self.clock.run(False)
        return [(ExercisePaused(reason=command.reason), seat.seat)]

    def _do_resume(self, command: cmd.Resume, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._fire("resume")
        events: list[tuple[Event, str]] = []
        if self.state.day_ended:
            upcoming = self._next_day_start()
            if upcoming is not None and upcoming > self.clock.at:
                events.append((ClockJumped(from_at=self.clock.at, to_at=upcoming, reason="next day"), seat.seat))
                self.clock.set(upcoming)
        self.clock.run(True)
        events.append((ExerciseResumed(), seat.seat))
        return events

    def _next_day_start(self) -> int | None:
        for phase in self.scenario.phases:
            if self.state.day is not None and phase.played_on > self.state.day:
                return seconds(phase.start)
        return None

    def _do_set_speed(self, command: cmd.SetSpeed, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        from ttx.engine.events import SpeedChanged

        self.clock.set_speed(command.speed)
        return [(SpeedChanged(speed=command.speed), seat.seat)]

    def _do_jump(self, command: cmd.Jump, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        if self.state.lifecycle not in (LifecycleState.running, LifecycleState.paused):
            raise Rejected("the clock can only jump once the exercise has started")
        if command.to == "next_inject":
            item = self.scheduler.next_release()
            if item is None:
                raise Rejected("no inject is scheduled")
            target = item.at
        elif command.to == "next_phase":
            phase = self.phases.next_phase()
            if phase is None:
                raise Rejected("there is no next phase")
            target = seconds(phase.start)
        else:
            try:
                target = seconds(ScenarioTime.parse(command.to))
            except ValueError as error:
                raise Rejected(str(error)) from None
        if target <= self.clock.now():
            raise Rejected(
                f"{ScenarioTime(target // 60)} is not ahead of the clock ({ScenarioTime(self.clock.now() // 60)})"
            )
        upcoming = self.phases.next_phase()
        if upcoming is not None and seconds(upcoming.start) < target:
            reason = self.phases.check(upcoming.id)
            if reason is not None:
                raise Rejected(f"cannot jump past the start of phase {upcoming.id}: {reason}")
        events: list[tuple[Event, str]] = [
            (ClockJumped(from_at=self.clock.now(), to_at=target, reason=command.to), seat.seat)
        ]
        self.clock.set(target)
        return events

    def _do_advance_phase(self, command: cmd.AdvancePhase, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        if self.state.lifecycle not in (LifecycleState.running, LifecycleState.paused):
            raise Rejected("phases advance once the exercise has started")
        phase = self.phases.by_id.get(command.phase) if command.phase else self.phases.next_phase()
        if phase is None:
            raise Rejected(f"unknown phase {command.phase!r}" if command.phase else "there is no next phase")
        reason = self.phases.check(phase.id, override=command.override)
        if reason is not None:
            raise Rejected(f"cannot enter phase {phase.id}: {reason} (override to enter anyway)")
        guard_reason = self.phases.check(phase.id)
        override = guard_reason is not None
        start = seconds(phase.start)
        events: list[tuple[Event, str]] = []
        if start > self.clock.now():
            events.append(
                (ClockJumped(from_at=self.clock.now(), to_at=start, reason=f"advance to phase {phase.id}"), seat.seat)
            )
            self.clock.set(start)
        self.phases.enter(phase.id, override=True)
        self.blocked = None
        self.clock.release()
        note = f"facilitator override: {guard_reason}" if override else "facilitator"
        if self.state.day != phase.played_on:
            if self.state.day is not None and not self.state.day_ended:
                events.append((DayEnded(day=self.state.day), seat.seat))
            events.append((DayStarted(day=phase.played_on), seat.seat))
        events.append((PhaseEntered(phase=phase.id, override=override, reason=note), seat.seat))
        return events

    def _do_end_day(self, command: cmd.EndDay, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        if self.state.day is None or self.state.day_ended:
            raise Rejected("no exercise day is under way")
        events: list[tuple[Event, str]] = [(DayEnded(day=self.state.day), seat.seat)]
        if self.lifecycle.state == "running":
            self._fire("pause")
            self.clock.run(False)
            events.append((ExercisePaused(reason=f"end of day {self.state.day}"), seat.seat))
        return events

    def _pending_inject(self, inject_id: str) -> Inject:
        if inject_id not in self.state.injects:
            raise Rejected(f"unknown inject {inject_id!r}")
        status = self.state.injects[inject_id].status
        if status is not InjectStatus.pending:
            raise Rejected(f"inject {inject_id} is already {status.value}")
        return self.state.inject(inject_id)

    def _do_release(self, command: cmd.ReleaseNow, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._pending_inject(command.inject)
        if self.state.lifecycle in (LifecycleState.ready, LifecycleState.new):
            raise Rejected("start the exercise before releasing injects")
        return [(InjectReleased(inject=command.inject, via=ReleaseVia.facilitator), seat.seat)]

    def _do_hold(self, command: cmd.Hold, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._pending_inject(command.inject)
        if self.state.injects[command.inject].held:
            raise Rejected(f"inject {command.inject} is already held")
        return [(InjectHeld(inject=command.inject), seat.seat)]

    def _do_unhold(self, command: cmd.Unhold, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._pending_inject(command.inject)
        if not self.state.injects[command.inject].held:
            raise Rejected(f"inject {command.inject} is not held")
        return [(InjectUnheld(inject=command.inject), seat.seat)]

    def _do_skip(self, command: cmd.Skip, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._pending_inject(command.inject)
        return [(InjectSkipped(inject=command.inject), seat.seat)]

    def _do_adhoc(self, command: cmd.Adhoc, seat: SeatInfo, command_id: int) -> list[tuple[Event, str]]:
        if self.state.lifecycle in (LifecycleState.ready, LifecycleState.new):
            raise Rejected("start the exercise before releasing injects")
        inject_id = command.id or f"ADHOC-{command_id}"
        if inject_id in self.state.injects:
            raise Rejected(f"inject id {inject_id!r} is already used")
        known = {c.id for c in self.scenario.cells} | {p.id for p in self.scenario.participants} | {"all"}
        unknown = [target for target in command.to if target not in known]
        if unknown:
            raise Rejected(f"unknown cell or participant {', '.join(unknown)}")
        now = ScenarioTime(self.clock.now() // 60)
        try:
            inject = Inject.model_validate(
                {
                    "id": inject_id,
                    "time": str(now),
                    "from": command.source,
                    "to": command.to,
                    "channel": command.channel,
                    "tlp": command.tlp,
                    "title": command.title,
                    "body": command.body,
                    "questions": command.questions,
                    "options": [o.model_dump() for o in command.options],
                    "response": {"required": True} if command.response_required else None,
                }
            )
        except ValidationError as error:
            raise Rejected(f"invalid inject: {error.errors()[0]['msg']}") from None
        return [
            (AdhocInjectCreated(inject=inject.model_dump(mode="json", by_alias=True)), seat.seat),
            (InjectReleased(inject=inject_id, via=ReleaseVia.adhoc), seat.seat),
        ]

    def _do_apply_default(self, command: cmd.ApplyDefault, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        if not self.state.is_released(command.inject):
            raise Rejected(f"inject {command.inject} has not been released")
        inject = self.state.inject(command.inject)
        default = next((o for o in inject.options if o.default), None)
        if default is None:
            raise Rejected(f"inject {command.inject} has no default option")
        if command.inject in self.state.decisions:
            raise Rejected(f"inject {command.inject} is already decided")
        return self._decision_events(inject, default.id, None, default=True, reason="facilitator applied the default")

    def _decision_events(
        self, inject: Inject, option_id: str, participant: str | None, *, default: bool = False, reason: str = ""
    ) -> list[tuple[Event, str]]:
        option = next(o for o in inject.options if o.id == option_id)
        actor = SYSTEM if participant is None else f"delegation:{participant}"
        events: list[tuple[Event, str]] = [
            (
                DecisionTaken(
                    inject=inject.id, option=option.id, participant=participant, default=default, reason=reason
                ),
                actor,
            )
        ]
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
                events.extend(self._branch_phase_events(option.enter_phase, actor))
        return events

    def _branch_phase_events(self, phase_id: str, actor: str) -> list[tuple[Event, str]]:
        if self.phases.check(phase_id, override=True) is not None:
            return []  # already in or past that phase
        phase = self.phases.by_id[phase_id]
        self.phases.enter(phase_id, override=True)
        events: list[tuple[Event, str]] = []
        start = seconds(phase.start)
        if start > self.clock.now():
            events.append(
                (ClockJumped(from_at=self.clock.now(), to_at=start, reason=f"branch enters phase {phase_id}"), actor)
            )
            self.clock.set(start)
        if self.state.day != phase.played_on:
            if self.state.day is not None and not self.state.day_ended:
                events.append((DayEnded(day=self.state.day), actor))
            events.append((DayStarted(day=phase.played_on), actor))
        events.append((PhaseEntered(phase=phase_id, reason="branch"), actor))
        return events

    def _speaker(self, seat: SeatInfo, participant: str | None) -> tuple[str, str | None]:
        """(participant, cell) a delegation or scribe seat speaks for."""
        if seat.role is SeatRole.delegation:
            assert seat.participant is not None
            if participant not in (None, seat.participant):
                raise Rejected(f"this seat speaks for {seat.participant}, not {participant}")
            return seat.participant, None
        if seat.role is SeatRole.scribe:
            if participant is None:
                raise Rejected("a cell scribe must name the delegation it records for")
            member = next((p for p in self.scenario.participants if p.id == participant), None)
            if member is None or seat.cell not in member.cells:
                raise Rejected(f"{participant} does not sit in cell {seat.cell}")
            return participant, seat.cell
        raise Rejected(f"a {seat.role.value} seat cannot respond for a delegation")

    def _do_respond(self, command: cmd.Respond, seat: SeatInfo, command_id: int) -> list[tuple[Event, str]]:
        participant, cell = self._speaker(seat, command.participant)
        if command.inject not in self.state.injects:
            raise Rejected(f"unknown inject {command.inject!r}")
        if not self.state.is_released(command.inject):
            raise Rejected(f"inject {command.inject} has not been released")
        cells, receivers = self.state.receivers(command.inject)
        if participant not in receivers:
            raise Rejected(f"inject {command.inject} was not released to {participant}")
        if seat.role is SeatRole.scribe and seat.cell not in cells:
            raise Rejected(f"inject {command.inject} was not released to cell {seat.cell}")
        if cell is None:
            member = next(p for p in self.scenario.participants if p.id == participant)
            cell = next((c for c in member.cells if c in cells), None)
        inject = self.state.inject(command.inject)
        if command.decision is not None and command.decision not in {o.id for o in inject.options}:
            choices = ", ".join(o.id for o in inject.options) or "none: this inject asks for no decision"
            raise Rejected(f"{command.decision!r} is not an option of {command.inject} (options: {choices})")
        if not command.text.strip() and command.decision is None:
            raise Rejected("a response needs text or a decision")
        events: list[tuple[Event, str]] = [
            (
                ResponseRecorded(
                    response=f"R{command_id}",
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
        if command.decision is not None and command.inject not in self.state.decisions:
            events.extend(self._decision_events(inject, command.decision, participant))
        text = command.text.lower()
        for index, trigger in enumerate(inject.triggers):
            if (command.inject, index) in self.state.fired_triggers:
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
                    events.extend(self._branch_phase_events(trigger.enter_phase, seat.seat))
        return events

    def _do_request(self, command: cmd.SendRequest, seat: SeatInfo, command_id: int) -> list[tuple[Event, str]]:
        sender, _ = self._speaker(seat, command.participant)
        if command.recipient not in {p.id for p in self.scenario.participants}:
            raise Rejected(f"unknown delegation {command.recipient!r}")
        if command.recipient == sender:
            raise Rejected("a delegation cannot send a request to itself")
        if command.inject is not None and not self.state.is_released(command.inject):
            raise Rejected(f"inject {command.inject} has not been released")
        request_id = command.id or f"Q{command_id}"
        if request_id in self.state.requests:
            raise Rejected(f"request id {request_id!r} is already used")
        request = RequestSent(
            request=request_id,
            sender=sender,
            recipient=command.recipient,
            kind=command.request_kind,
            text=command.text,
            inject=command.inject,
        )
        return [(request, seat.seat)]

    def _do_answer(self, command: cmd.AnswerRequest, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        answerer, _cell = self._speaker(seat, command.participant)
        request = self.state.requests.get(command.request)
        if request is None:
            raise Rejected(f"unknown request {command.request!r}")
        if request.event.recipient != answerer:
            raise Rejected(f"request {command.request} was sent to {request.event.recipient}, not {answerer}")
        if request.answer is not None:
            raise Rejected(f"request {command.request} is already answered")
        return [(RequestAnswered(request=command.request, by=answerer, text=command.text), seat.seat)]

    def _do_observe(self, command: cmd.Observe, seat: SeatInfo, command_id: int) -> list[tuple[Event, str]]:
        if seat.role is not SeatRole.evaluator:
            raise Rejected("only evaluators record observations")
        capability = next((c for c in self.scenario.capabilities if c.id == command.capability), None)
        if capability is None:
            raise Rejected(f"unknown capability {command.capability!r}")
        if command.task is not None and command.task not in capability.task_ids():
            raise Rejected(
                f"{command.task!r} is not a critical task of {capability.id} ({', '.join(capability.task_ids())})"
            )
        if command.inject is not None and command.inject not in self.state.injects:
            raise Rejected(f"unknown inject {command.inject!r}")
        observation = ObservationRecorded(
            observation=f"OBS{command_id}",
            evaluator=seat.seat,
            capability=command.capability,
            task=command.task,
            rating=command.rating,
            note=command.note,
            inject=command.inject,
        )
        return [(observation, seat.seat)]

    def _do_note(self, command: cmd.Note, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        return [(NoteAdded(text=command.text), seat.seat)]

    def _do_hot_wash(self, command: cmd.HotWash, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._fire("hot_wash")
        self.clock.run(False)
        return [(HotWashStarted(), seat.seat)]

    def _do_end(self, command: cmd.End, seat: SeatInfo, _: int) -> list[tuple[Event, str]]:
        self._fire("end")
        self.clock.run(False)
        return [(ExerciseEnded(reason=command.reason), seat.seat)]

    # ------------------------------------------------------------------ direct use (headless, tests)
    def submit(self, command: cmd.Command, seat: str = FACILITATOR) -> CommandOutcome:
        """Queue a command, process the queue, and return what happened to it."""
        command_id = self.store.enqueue(seat, command)
        self.process_commands()
        outcome = self.store.outcome(command_id)
        assert outcome is not None
        return outcome
