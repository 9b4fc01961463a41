"""The controller: the session's one writer. Queued commands are decided, due items released, events applied."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ttx.collector import collector_paused
from ttx.engine import commands as cmd
from ttx.engine.clock import MAX_SPEED, Clock, ScenarioClock
from ttx.engine.decide import Context, Decision, Planned, Rejection, decide, due, phase_entry
from ttx.engine.events import (
    SYSTEM,
    ClockCheckpoint,
    ClockJumped,
    CommandRejected,
    EventRecord,
    LogSealed,
    PhaseEntered,
    SessionCreated,
)
from ttx.engine.phases import entry_refusal, next_phase, waiting_reason
from ttx.engine.ports import CommandOutcome, CommandStatus, EventStore, NewEvent, QueuedCommand, StoreError
from ttx.engine.scheduler import ItemKind, Scheduler
from ttx.engine.seats import FACILITATOR
from ttx.engine.state import ExerciseState, Lifecycle
from ttx.model.scenario import Phase, Scenario
from ttx.model.time import Seconds


@dataclass(frozen=True, slots=True)
class Progress:
    """What one step of the controller did."""

    commands: int = 0
    events: int = 0


class _Standstill:
    """A time source that does not move: the log is replayed through the clock in no scenario time."""

    def __init__(self, source: Clock) -> None:
        self.source = source

    def monotonic(self) -> float:
        """Always zero."""
        return 0.0

    def wall(self) -> dt.datetime:
        """The real wall time."""
        return self.source.wall()


class Controller:
    """Replays the log through :meth:`apply`, then keeps the session moving: commands in, events out, one writer."""

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
        self._listeners: list[Callable[[EventRecord], None]] = []
        self.lock = threading.RLock()
        """Held by every method that writes or applies: a console may step the controller in a worker thread."""
        self.state = ExerciseState()
        self.clock = ScenarioClock(_Standstill(clock))
        self._scheduler: Scheduler | None = None
        self._waits_at: Seconds | None = None
        self._last_event_mono = clock.monotonic()
        with collector_paused():
            for record in store.events():
                self.apply(record)
        if self.state.scenario is None or self._scheduler is None:
            raise StoreError("the session has no scenario: it was never created")
        if on_event is not None:
            self.subscribe(on_event)
        self.clock.rebase(clock)  # from here on the clock runs on real time
        self._last_event_mono = clock.monotonic()
        if self.state.lifecycle is Lifecycle.closed and not self.state.sealed:
            self._seal()  # stopped between closing and sealing
        if self.state.lifecycle is Lifecycle.running:
            # Restarted while running (closed console or crash): continue from the last recorded moment.
            self._write([(ClockCheckpoint(resumed=True), SYSTEM)], self.clock.now())

    @property
    def scenario(self) -> Scenario:
        """The session's scenario snapshot."""
        assert self.state.scenario is not None
        return self.state.scenario

    @property
    def scheduler(self) -> Scheduler:
        """What falls due when."""
        assert self._scheduler is not None
        return self._scheduler

    @property
    def blocked(self) -> str | None:
        """Why the clock waits at a phase boundary (None when it does not)."""
        if self._waits_at is None:
            return None
        return waiting_reason(self.state, max(self.clock.now(), self._waits_at))

    def subscribe(self, listener: Callable[[EventRecord], None]) -> Callable[[], None]:
        """Call ``listener`` with every event applied from now on (not the replayed log); returns the unsubscriber.

        The listener runs in the thread that holds :attr:`lock`, while the event is applied: it should
        only note what it needs and return.
        """
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # ------------------------------------------------------------------ apply: the one way state changes
    def apply(self, record: EventRecord) -> None:
        """Fold one event into the state, the schedule and the clock (also how a restart replays the log)."""
        self.state.apply(record)
        event = record.event
        if isinstance(event, SessionCreated):
            self._scheduler = Scheduler(self.state, auto_default=self.auto_default)
        elif self._scheduler is not None:
            self._scheduler.observe(record)
        self._follow(record)
        for listener in list(self._listeners):
            listener(record)

    def _follow(self, record: EventRecord) -> None:
        """Bring the scenario clock to what the log says: its time, speed, whether it runs, where it jumped."""
        clock, state, event = self.clock, self.state, record.event
        target = event.to_at if isinstance(event, ClockJumped) else record.at
        if target > clock.now():
            clock.set(target)
        else:
            clock.mark(target)
        if isinstance(event, PhaseEntered):
            self._waits_at = None
            clock.release()
        if clock.speed != state.speed:
            clock.set_speed(state.speed)
        running = state.lifecycle is Lifecycle.running
        if clock.running != running:
            clock.run(running)

    def _write(self, events: Planned, at: Seconds, outcome: CommandOutcome | None = None) -> list[EventRecord]:
        """Append events (and a command's outcome) in one transaction, then apply them."""
        wall = self.source.wall()
        new = [NewEvent(wall, at, actor, event) for event, actor in events]
        outcomes = []
        if outcome is not None:
            # The controller is the one writer: its state is at the log's head, so the first new
            # event will be number seq + 1.
            first = self.state.seq + 1 if new else None
            outcomes = [CommandOutcome(outcome.id, outcome.status, outcome.reason, first)]
        records = self.store.append(new, outcomes)
        for record in records:
            self.apply(record)
        if records:
            self._last_event_mono = self.source.monotonic()
        return records

    # ------------------------------------------------------------------ the loop
    def step(self) -> Progress:
        """Process queued commands, then release everything due by the clock. Returns what it did."""
        with self.lock:
            before = self.state.seq
            handled = self.process_commands()
            self.tick()
            return Progress(handled, self.state.seq - before)

    def process_commands(self) -> int:
        """Decide every queued command, in order, and write what each comes to."""
        self.store.heartbeat()  # every loop reads the queue, paused or not: consoles see a stopped controller soon
        queued = self.store.queued()
        for item in queued:
            self._process(item)
        return len(queued)

    def _process(self, item: QueuedCommand) -> None:
        seat = self.state.seats.get(item.seat)
        kind = item.command.kind if item.command is not None else "invalid"
        if item.command is None:
            result: Decision | Rejection = Rejection(f"not a valid command: {item.error}")
        elif seat is None:
            result = Rejection(f"unknown seat {item.seat!r}")
        else:
            self.tick(run_ahead=False)  # the command applies to the state as of now
            result = decide(self.state, item.command, Context(seat, item.id, self.clock.now(), self.scheduler))
        if isinstance(result, Rejection):
            # After the seal nothing is appended: the refusal is only the command's outcome.
            rejected: Planned = []
            if not self.state.sealed:
                rejected.append((CommandRejected(command=item.id, kind=kind, reason=result.reason), item.seat))
            self._write(rejected, self.clock.now(), CommandOutcome(item.id, CommandStatus.rejected, result.reason))
            return
        self._write(result.events, result.at, CommandOutcome(item.id, CommandStatus.recorded))
        if self.state.lifecycle is Lifecycle.closed and not self.state.sealed:
            self._seal()
        self.tick(run_ahead=False)

    def _seal(self) -> None:
        """Close the log: the seal names the count and head of everything before it."""
        self._write([(LogSealed(events=self.state.seq, head=self.state.head), SYSTEM)], self.state.at)

    def tick(self, limit: int | None = None, *, run_ahead: bool = True) -> int:
        """Release what is due by the scenario clock; at max speed, jump to each next item in turn.

        ``limit`` bounds how many items are handled (a headless run takes one at a time so that
        scripted players can answer between them). ``run_ahead=False`` handles only what is due by
        the clock, never jumping ahead at max speed. Returns the number handled.
        """
        handled = 0
        self.store.heartbeat()
        if self.state.lifecycle is not Lifecycle.running:
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
                phase = next(p for p in self.scenario.phases if p.id == item.key)
                reason = entry_refusal(self.state, phase.id)
                if reason is not None and self.auto_default:
                    self._enter(phase, item.at, override=True, reason=f"guard left open, taken as met ({reason})")
                    handled += 1
                    continue
                if reason is not None:
                    self._waits_at = item.at
                    if not item.jump:
                        self.clock.hold(item.at)
                    break
                if item.at > target and item.jump:
                    self._time_jump(item.at)
                self._enter(phase, item.at)
                handled += 1
                continue
            if item.at > target and item.jump and self.clock.speed != MAX_SPEED:
                self._time_jump(item.at)
            self.scheduler.pop()
            decision = due(self.state, item)
            self._write(decision.events, decision.at)
            handled += 1
        self._checkpoint()
        return handled

    def _time_jump(self, to: Seconds) -> None:
        now = self.clock.now()
        self._write([(ClockJumped(from_at=now, to_at=to, reason="time jump"), SYSTEM)], now)

    def _enter(self, phase: Phase, at: Seconds, *, override: bool = False, reason: str = "") -> None:
        events = phase_entry(self.state, phase, SYSTEM, reason=reason, override=override)
        self._write(events, max(at, self.state.at))

    def _checkpoint(self) -> None:
        if self.clock.speed == MAX_SPEED or not self.clock.running:
            return
        if (
            self.source.monotonic() - self._last_event_mono >= self.checkpoint_every
            and self.clock.now() > self.state.at
        ):
            self._write([(ClockCheckpoint(), SYSTEM)], self.clock.now())

    def checkpoint(self) -> None:
        """Record the clock's moment now (a clean stop): a restart resumes from here, not from the last event."""
        with self.lock:
            if self.state.lifecycle is Lifecycle.running and not self.state.sealed and self.clock.now() > self.state.at:
                self._write([(ClockCheckpoint(), SYSTEM)], self.clock.now())

    def advance_to(self, at: Seconds) -> None:
        """Let scenario time pass up to ``at`` with nothing happening (a headless run at max speed, between items).

        At max speed the clock moves only with events; a scripted player's action at a later time
        moves it there first, as real time would at any other speed.
        """
        self.clock.set(at)

    # ------------------------------------------------------------------ headless helpers
    def closed(self) -> bool:
        """Whether the exercise has ended."""
        return self.state.lifecycle is Lifecycle.closed

    def finished(self) -> bool:
        """Nothing left to release, decide or enter (phases all entered)."""
        return self.scheduler.peek() is None and next_phase(self.scenario, self.state.phase) is None

    def next_due_at(self) -> Seconds | None:
        """Scenario time of the next item (None if nothing is scheduled)."""
        item = self.scheduler.peek()
        return item.at if item else None

    def wall_seconds_to_next(self) -> float | None:
        """Wall seconds until the next item at the current speed (None when not running)."""
        at = self.next_due_at()
        return None if at is None else self.clock.wall_seconds_until(at)

    # ------------------------------------------------------------------ direct use (headless, tests)
    def submit(self, command: cmd.Command, seat: str = FACILITATOR) -> CommandOutcome:
        """Queue a command, process the queue, and return what happened to it."""
        with self.lock:
            command_id = self.store.enqueue(seat, command)
            self.process_commands()
            outcome = self.store.outcome(command_id)
            assert outcome is not None
            return outcome
