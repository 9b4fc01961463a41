"""A headless run: the controller plays a session to its end, with a script standing in for people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ttx.engine import commands as cmd
from ttx.engine.clock import MAX_SPEED, Clock
from ttx.engine.controller import Controller
from ttx.engine.events import DayStarted, EventRecord, InjectReleased, PhaseEntered
from ttx.engine.ports import CommandStatus, EventStore
from ttx.engine.script import Action, Script, describe
from ttx.engine.seats import FACILITATOR
from ttx.engine.state import ExerciseState, InjectStatus, Lifecycle
from ttx.engine.views import clock_text, last_day

Say = Callable[[str], None]
Sleep = Callable[[float], None]


@dataclass
class RunReport:
    """What a headless run did."""

    state: ExerciseState
    script_rejections: list[str] = field(default_factory=list)
    """Scripted actions that never happened on the path the run took."""
    rejected_commands: list[tuple[int, str]] = field(default_factory=list)
    """Scripted commands the controller refused: (index in the script's actions, what and why)."""
    resumed: bool = False
    already_ended: bool = False


class HeadlessRun:
    """Drives a controller to the end of the exercise, submitting scripted commands as they fall due."""

    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        *,
        speed: float,
        script: Script | None = None,
        say: Say = print,
        sleep: Sleep | None = None,
        poll: float = 0.2,
    ) -> None:
        self.store = store
        self.clock = clock
        self.speed = speed
        self.script = script or Script()
        self.say = say
        self.sleep = sleep
        self.poll = poll
        self.fired: set[str] = set(store.origins())
        self.controller = Controller(store, clock, auto_default=True, on_event=self._on_event)
        self._waiting: list[tuple[float, str]] = []
        self._relative: dict[int, int] = {}
        """Index of an action timed after a release → the scenario second it falls due."""
        self._submitted: dict[int, int] = {}
        """Command id → index of the scripted action that queued it (in this run)."""
        """Scripted resumes waiting for wall time: (monotonic due, origin)."""

    # ------------------------------------------------------------------ script
    def _origin(self, index: int) -> str:
        return f"script:{index}"

    def _enqueue(self, index: int, action: Action) -> None:
        origin = self._origin(index)
        if origin in self.fired:
            return
        self.fired.add(origin)
        self._submitted[self.store.enqueue(action.seat_id(), action.command(), origin)] = index
        if action.resume_after is not None:
            wall = 0.0 if self.speed == MAX_SPEED else float(action.resume_after.seconds)
            self._waiting.append((self.clock.monotonic() + wall, f"{origin}:resume"))

    def _on_event(self, record: EventRecord) -> None:
        event = record.event
        if isinstance(event, PhaseEntered | DayStarted):
            self._progress(record)
        for index, action in enumerate(self.script.actions):
            when = action.when
            if when is None:
                continue
            if isinstance(event, InjectReleased) and when.released == event.inject and when.after is not None:
                self._relative.setdefault(index, record.at + when.after.seconds)
            elif (isinstance(event, InjectReleased) and when.released == event.inject) or (
                isinstance(event, PhaseEntered) and when.phase == event.phase
            ):
                self._enqueue(index, action)

    def _catch_up_triggers(self) -> None:
        """After a restart: fire event-triggered actions whose event happened before the stop."""
        state = self.controller.state
        entered = {p.phase for p in state.phase_log}
        for index, action in enumerate(self.script.actions):
            when = action.when
            if when is None:
                continue
            released = state.injects.get(when.released) if when.released else None
            if when.after is not None and released is not None and released.released_at is not None:
                self._relative.setdefault(index, released.released_at + when.after.seconds)
            elif (when.released and state.is_released(when.released)) or (when.phase and when.phase in entered):
                self._enqueue(index, action)

    def _due_timed(self, up_to: int | None) -> None:
        """Submit timed actions due by ``up_to`` (all remaining when None), moving the clock to each."""
        due = {index: action.at.seconds for index, action in enumerate(self.script.actions) if action.at is not None}
        due.update(self._relative)
        pending = sorted((at, index) for index, at in due.items() if self._origin(index) not in self.fired)
        for at, index in pending:
            action = self.script.actions[index]
            if up_to is not None and at > up_to:
                break
            if self.controller.state.lifecycle is Lifecycle.running and self.speed == MAX_SPEED:
                self.controller.advance_to(at)
            elif at > self.controller.clock.now():
                break
            self._enqueue(index, action)
            self.controller.process_commands()

    def _resume_waiting(self) -> None:
        now = self.clock.monotonic()
        ready = [item for item in self._waiting if item[0] <= now]
        self._waiting = [item for item in self._waiting if item[0] > now]
        for _, origin in ready:
            if origin not in self.fired and self.controller.state.lifecycle is Lifecycle.paused:
                self.fired.add(origin)
                self.store.enqueue(FACILITATOR, cmd.Resume(), origin)

    # ------------------------------------------------------------------ progress
    def _progress(self, record: EventRecord) -> None:
        state = self.controller.state
        event = record.event
        if isinstance(event, DayStarted):
            day = next((d for d in state.scenario.days if d.day == event.day), None) if state.scenario else None
            lead = f", lead {day.lead}" if day and day.lead else ""
            title = f": {day.title}" if day else ""
            self.say(f"{clock_text(record.at, last_day(state))}  day {event.day}{title}{lead}")
        elif isinstance(event, PhaseEntered):
            how = f" ({event.reason})" if event.reason and event.reason != "facilitator" else ""
            self.say(
                f"{clock_text(record.at, last_day(state))}    phase {event.phase}{how} · {len(state.released)} injects released so far"
            )

    # ------------------------------------------------------------------ the run
    def run(self) -> RunReport:
        """Play to the end (or continue a stopped session to its end)."""
        controller = self.controller
        state = controller.state
        report = RunReport(state, resumed=state.seq > 1)
        if state.lifecycle is Lifecycle.closed:
            report.already_ended = True
            return report
        if report.resumed:
            self.say(
                f"resuming at {clock_text(state.at, last_day(state))} after event {state.seq} ({state.lifecycle.value})"
            )
        controller.process_commands()
        if state.speed != self.speed:
            controller.submit(cmd.SetSpeed(speed=self.speed))
        if state.lifecycle in (Lifecycle.ready, Lifecycle.briefing):
            controller.submit(cmd.Start())
        elif state.lifecycle is Lifecycle.paused:
            controller.submit(cmd.Resume())
        self._catch_up_triggers()
        while not self._closed():
            controller.process_commands()
            self._resume_waiting()
            if state.lifecycle is Lifecycle.running:
                self._due_timed(controller.next_due_at())
                idle = self.speed == MAX_SPEED and controller.tick(limit=1) == 0 and not self.store.queued(1)
                if idle and controller.finished():
                    self._finish()
                elif idle and controller.blocked:
                    controller.submit(cmd.AdvancePhase(override=True))
            elif state.lifecycle is Lifecycle.hot_wash:
                controller.submit(cmd.End(reason="headless run complete"))
            if self.speed != MAX_SPEED and not self._closed():
                controller.tick()
                if state.lifecycle is Lifecycle.running and controller.finished() and not self.store.queued(1):
                    self._finish()
                    continue
                wait = controller.wall_seconds_to_next()
                assert self.sleep is not None, "a real-time run needs a sleep function"
                self.sleep(self.poll if wait is None else max(0.0, min(self.poll, wait)))
        for index, action in enumerate(self.script.actions):
            if self._origin(index) not in self.fired:
                report.script_rejections.append(f"{describe(action)}: never happened on this path")
        for command_id, index in sorted(self._submitted.items()):
            outcome = self.store.outcome(command_id)
            if outcome is not None and outcome.status is CommandStatus.rejected:
                action = self.script.actions[index]
                report.rejected_commands.append((index, f"{describe(action)}: rejected: {outcome.reason}"))
        return report

    def _closed(self) -> bool:
        return self.controller.state.lifecycle is Lifecycle.closed

    def _finish(self) -> None:
        controller = self.controller
        self._due_timed(None)
        controller.process_commands()
        if controller.state.lifecycle is Lifecycle.running:
            controller.submit(cmd.HotWash())
            controller.submit(cmd.End(reason="headless run complete"))


def summary_lines(state: ExerciseState, store: EventStore) -> list[str]:
    """The end-of-run summary: injects, responses, decisions, branch path, rejections."""
    released = [item for item in state.injects.values() if item.status is InjectStatus.released]
    skipped = [item for item in state.injects.values() if item.status is InjectStatus.skipped]
    never = [
        item.id for item in state.injects.values() if item.status is InjectStatus.pending and item.id not in state.adhoc
    ]
    responses = sum(len(items) for items in state.responses.values())
    lines = [
        f"session: {state.lifecycle.value} at {clock_text(state.at, last_day(state))} after {state.seq} events",
        f"injects: {len(released)} released, {len(skipped)} skipped, {len(never)} not played (other branches)",
        f"responses: {responses} from {len({r.participant for v in state.responses.values() for r in v})} delegations",
        f"decisions: {len(state.decisions)} ({sum(1 for d in state.decisions.values() if d.default)} by default)",
    ]
    for inject_id, decision in state.decisions.items():
        who = "default" if decision.default else decision.participant
        lines.append(f"  {inject_id}: {decision.option} ({who})")
    path = [f"{b.inject}→{'/'.join(b.release) or b.enter_phase}" for _, b in state.branches]
    lines.append(f"branch path: {', '.join(path) if path else 'none taken'}")
    lines.append(f"phases: {' → '.join(p.phase for p in state.phase_log)}")
    if state.rejections:
        lines.append(f"rejected commands: {len(state.rejections)}")
        lines.extend(f"  #{r.command} {r.kind}: {r.reason}" for r in state.rejections[:10])
    return lines + head_lines(state, store.location)


def head_lines(state: ExerciseState, location: str) -> list[str]:
    """Whether the log is sealed, and its full head hash (to note, and check later with ttx verify --head)."""
    lines = [f"log: {'sealed' if state.sealed else 'open (not sealed)'}, head {state.head}"]
    if state.sealed:
        lines.append(f"note the head; check the log later with: ttx verify {location} --head {state.head}")
    return lines
