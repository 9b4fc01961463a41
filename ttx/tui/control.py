"""The facilitator console's side of the controller: views of it built under its lock, and the messages that carry them.

The controller runs in worker threads (its steps and the commands the facilitator gives read and
write the store); what the console shows is built there too, as plain frozen values, and posted to
the UI thread in a :class:`Stepped` message. Widgets never read the controller's state themselves.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual.message import Message

from ttx.engine import commands as cmd
from ttx.engine.clock import MAX_SPEED
from ttx.engine.controller import Controller
from ttx.engine.events import (
    BranchTaken,
    CommandRejected,
    DecisionTaken,
    EventRecord,
    InjectReleased,
    ObservationRecorded,
    PhaseEntered,
    RequestAnswered,
    RequestSent,
    ResponseRecorded,
)
from ttx.engine.live import contingency_not_needed, standing
from ttx.engine.ports import CommandOutcome, CommandStatus
from ttx.engine.state import ExerciseState
from ttx.engine.views import board_rows, cell_rows, live_msel_rows, time_text
from ttx.model.base import Tlp
from ttx.model.time import SECONDS_PER_MINUTE
from ttx.text import one_line
from ttx.tui.common import RATING_WORDS, banner


@dataclass(frozen=True, slots=True)
class MselLine:
    """One inject of the MSEL as the console shows it (every day; the table filters)."""

    id: str
    day: int
    time: str
    status: str
    to: str
    tlp: Tlp
    title: str
    responses: int
    receivers: frozenset[str]
    """The cells it is addressed to and the delegations that receive it (the cell filter)."""
    upcoming: bool = False
    """The next item the clock will release."""


@dataclass(frozen=True, slots=True)
class BoardLine:
    """One cell or delegation on the live board."""

    key: str
    who: str
    cells: str
    received: int
    answered: int
    overdue: tuple[str, ...]
    requests_open: int
    is_cell: bool = False


@dataclass(frozen=True, slots=True)
class ClockView:
    """The banner and the clock bar."""

    banner: Text
    clock: str
    info: Text
    lifecycle: str
    day: int | None


@dataclass(frozen=True, slots=True)
class AgendaLine:
    """One item of a day's agenda."""

    day: int
    time: str
    until: str
    kind: str
    title: str


@dataclass(frozen=True, slots=True)
class RatingLine:
    """One evaluator's rating (an observation) as the console shows it: who, when, on which inject, what, the note."""

    id: str
    """The observation's id (``OBS12``)."""
    when: str
    evaluator: str
    capability: str
    task: str | None
    """The critical task's reference id (``C1.2``); None when the capability as a whole was rated."""
    rating: str
    inject: str | None
    note: str
    """As written (any length the engine accepted): widgets bound it where they show it."""

    @property
    def rated(self) -> str:
        """What was rated: the critical task's id, or the capability's."""
        return self.task or self.capability


@dataclass(frozen=True, slots=True)
class TaskLine:
    """A capability, or one of its critical tasks, that evaluators rate (the scenario's: it never changes)."""

    capability: str
    task: str | None
    title: str

    @property
    def rated(self) -> str:
        """The id a rating of it carries: the critical task's, or the capability's."""
        return self.task or self.capability


@dataclass(frozen=True, slots=True, eq=False)
class ControlView:
    """Everything the facilitator's main screen shows at one moment; ``msel``/``board`` are None when unchanged.

    Compared by identity: each view is news, even when it says what the one before said.
    """

    serial: int
    seq: int
    clock: ClockView
    msel: tuple[MselLine, ...] | None
    board: tuple[BoardLine, ...] | None
    ratings: tuple[RatingLine, ...] | None = None
    """Every rating so far, in the order given; None when no new one came."""
    feed: tuple[Text, ...] = field(default=())
    """Feed lines of the events applied since the view before (added on the UI thread, in order)."""


class Stepped(Message):
    """A worker stepped the controller (or gave it a command): the new view and the feed lines since the last one."""

    def __init__(self, view: ControlView) -> None:
        super().__init__()
        self.view = view


class CommandDone(Message):
    """A command the facilitator gave was decided: its outcome (``rejected`` with the reason, or recorded)."""

    def __init__(self, command: cmd.Command, outcome: CommandOutcome, done: str = "") -> None:
        super().__init__()
        self.command = command
        self.outcome = outcome
        self.done = done
        """What to tell the facilitator once it is recorded (empty: the views say it)."""


def speed_text(speed: float) -> str:
    """A speed as people say it: max, 1x, 60x."""
    return "max" if speed == MAX_SPEED else f"{speed:g}x"


RATING_STYLE = {"P": "bold green", "S": "bold yellow", "M": "bold dark_orange", "U": "bold red", "NO": "dim"}
FEED_NOTE_CHARS = 160
"""The longest part of a rating's note the feed shows (the Ratings tab opens it in full)."""


def clipped(text: str, limit: int) -> str:
    """``text`` on one line (see :func:`ttx.text.one_line`), cut after ``limit`` characters with a mark saying how much."""
    if len(text) <= limit:
        return one_line(text)
    return one_line(text[:limit]) + f"… (+{len(text) - limit:,} characters)"


def feed_line(record: EventRecord, state: ExerciseState) -> Text | None:
    """One event as a line of the facilitator's feed (None: not for the feed, such as the facilitator's own notes)."""
    event = record.event
    when = (f"{time_text(record.at, state)} " if state.scenario else "", "dim")
    # every part after the coloured tag is scenario or participant text: one_line shows it as written, on its line
    if isinstance(event, ResponseRecorded):
        decision = f" [{event.decision}]" if event.decision else ""
        return Text.assemble(
            when, (one_line(event.participant), "bold cyan"), one_line(f" → {event.inject}{decision}: {event.text}")
        )
    if isinstance(event, DecisionTaken):
        who = "default" if event.default else event.participant
        return Text.assemble(when, ("DECISION ", "bold yellow"), one_line(f"{event.inject}: {event.option} ({who})"))
    if isinstance(event, BranchTaken):
        then = ", ".join(event.release) or event.enter_phase
        return Text.assemble(when, ("BRANCH ", "bold yellow"), one_line(f"{event.inject} → {then}"))
    if isinstance(event, RequestSent):
        return Text.assemble(
            when,
            ("REQUEST ", "bold magenta"),
            one_line(f"{event.sender} → {event.recipient} ({event.kind}): {event.text}"),
        )
    if isinstance(event, RequestAnswered):
        return Text.assemble(
            when, ("ANSWER ", "bold magenta"), one_line(f"{event.by} on {event.request}: {event.text}")
        )
    if isinstance(event, ObservationRecorded):
        rating = event.rating.value
        on = f" on {event.inject}" if event.inject else ""
        return Text.assemble(
            when,
            ("RATING ", "bold green"),
            (rating, RATING_STYLE.get(rating, "bold")),
            f" ({RATING_WORDS.get(rating, rating)}) ",
            one_line(f"{event.task or event.capability}{on} by {event.evaluator}"),
            (": " + clipped(event.note, FEED_NOTE_CHARS) if event.note else ""),
        )
    if isinstance(event, InjectReleased):
        return Text.assemble(when, ("released ", "green"), one_line(f"{event.inject} ({event.via.value})"))
    if isinstance(event, PhaseEntered):
        return Text.assemble(
            when, ("PHASE ", "bold blue"), one_line(f"{event.phase}{' (override)' if event.override else ''}")
        )
    if isinstance(event, CommandRejected):
        return Text.assemble(when, ("refused ", "red"), one_line(f"{record.actor} {event.kind}: {event.reason}"))
    return None


class ControlLink:
    """The console's handle on the controller: every call takes the controller's lock (call them from workers)."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self._feed: deque[Text] = deque()
        self._feed_lock = threading.Lock()
        self._serial = 0
        self._shown: tuple[int, int] | None = None
        self._rated = -1
        """How many ratings the last view carried."""
        self._unsubscribe: Callable[[], None] | None = None
        self.closed = False
        """Set when the console closes: a worker still running then leaves the controller alone."""

    # ------------------------------------------------------------------ from workers
    def open(self) -> ControlView:
        """The first view: the whole log so far in the feed, then every new event as it is applied."""
        with self.controller.lock:
            state = self.controller.state
            lines = [line for record in self.controller.store.events() if (line := feed_line(record, state))]
            with self._feed_lock:
                self._feed.extend(lines)
            self._unsubscribe = self.controller.subscribe(self._noted)
            return self._view()

    def step(self) -> ControlView:
        """Process queued commands, release what is due, and say what the console shows now."""
        with self.controller.lock:
            if not self.closed:
                self.controller.step()
            return self._view()

    def submit(self, command: cmd.Command) -> tuple[CommandOutcome, ControlView]:
        """Give the controller a command as the facilitator; its outcome and the view after it."""
        with self.controller.lock:
            if self.closed:
                return CommandOutcome(0, CommandStatus.rejected, "the console is closing"), self._view()
            outcome = self.controller.submit(command)
            return outcome, self._view(force=True)

    def checkpoint(self) -> None:
        """Record the clock's moment (a clean stop)."""
        with self.controller.lock:
            if not self.closed:
                self.controller.checkpoint()

    def close(self) -> None:
        """Stop stepping and listening: once this returns, no worker of the console touches the controller or store.

        Waits for a step in progress (its lock); the caller may close the store afterwards.
        """
        with self.controller.lock:
            self.closed = True
            if self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None

    # ------------------------------------------------------------------ from the UI thread
    def take_feed(self) -> tuple[Text, ...]:
        """The feed lines of the events applied since the last call, in order."""
        with self._feed_lock:
            lines = tuple(self._feed)
            self._feed.clear()
        return lines

    # ------------------------------------------------------------------ views
    def _noted(self, record: EventRecord) -> None:
        line = feed_line(record, self.controller.state)
        if line is not None:
            with self._feed_lock:
                self._feed.append(line)

    def _view(self, force: bool = False) -> ControlView:
        controller = self.controller
        state = controller.state
        now = controller.clock.now()
        moment = (state.seq, now // SECONDS_PER_MINUTE)
        changed = force or moment != self._shown
        self._shown = moment
        self._serial += 1
        rated = len(state.observations) != self._rated or force
        self._rated = len(state.observations)
        return ControlView(
            serial=self._serial,
            seq=state.seq,
            clock=self._clock(now),
            msel=self._msel(now) if changed else None,
            board=self._board(now) if changed else None,
            ratings=self._ratings() if rated else None,
        )

    def _ratings(self) -> tuple[RatingLine, ...]:
        state = self.controller.state
        return tuple(
            RatingLine(
                id=o.event.observation,
                when=time_text(o.at, state),
                evaluator=o.event.evaluator,
                capability=o.event.capability,
                task=o.event.task,
                rating=o.event.rating.value,
                inject=o.event.inject,
                note=o.event.note,
            )
            for o in state.observations
        )

    def _clock(self, now: int) -> ClockView:
        controller = self.controller
        state = controller.state
        scenario = controller.scenario
        day = next((d for d in scenario.days if d.day == state.day), None)
        day_text = (
            f"Day {state.day} · lead {day.lead}"
            if day and day.lead
            else (f"Day {state.day}" if state.day else "not started")
        )
        clock = time_text(now, state)
        info = Text.assemble(
            (clock.split(" ")[0], "bold"),
            f"  speed {speed_text(controller.clock.speed)}  ",
            (f"wall {controller.source.wall():%H:%M:%S} UTC", "dim"),
            "\n",
        )
        upcoming = controller.scheduler.next_release()
        if upcoming is not None:
            wait = controller.clock.wall_seconds_until(upcoming.at)
            countdown = f" (in {max(0, upcoming.at - now) // SECONDS_PER_MINUTE} min" + (
                f", {wait:.0f}s wall)" if wait is not None else ")"
            )
            info.append(one_line(f"next: {upcoming.key} at {time_text(upcoming.at, state)}{countdown}"))
        else:
            info.append("next: nothing scheduled")
        if controller.blocked:
            info.append("\n")
            info.append(one_line(f"{controller.blocked} — press a to override"), style="bold yellow")
        return ClockView(
            banner=banner(
                scenario.exercise.tlp, scenario.exercise.title, standing(state), day_text, f"phase {state.phase or '-'}"
            ),
            clock=clock.split(" ")[1],
            info=info,
            lifecycle=state.lifecycle.value,
            day=state.day,
        )

    def _msel(self, now: int) -> tuple[MselLine, ...]:
        state = self.controller.state
        upcoming = self.controller.scheduler.next_release()
        lines = []
        for row in live_msel_rows(state, now):
            cells, delegations = state.receivers(row.id)
            not_needed = row.status in ("pending", "due") and contingency_not_needed(state, row.id)
            lines.append(
                MselLine(
                    id=row.id,
                    day=row.day,
                    time=row.time,
                    status="not needed" if not_needed else row.status,
                    to=row.to,
                    tlp=row.tlp,
                    title=row.title,
                    responses=row.responses,
                    receivers=frozenset(cells) | frozenset(delegations),
                    upcoming=upcoming is not None and upcoming.key == row.id,
                )
            )
        return tuple(lines)

    def _board(self, now: int) -> tuple[BoardLine, ...]:
        state = self.controller.state
        lines = [
            BoardLine(
                f"cell:{group.cell}",
                f"cell {group.cell}",
                "",
                group.received,
                group.answered,
                tuple(group.overdue),
                0,
                True,
            )
            for group in cell_rows(state, now)
        ]
        lines += [
            BoardLine(
                row.participant,
                f"{row.participant} {row.name}",
                row.cells,
                row.received,
                row.answered,
                tuple(row.overdue),
                row.requests_open,
            )
            for row in board_rows(state, now)
        ]
        return tuple(lines)


def agenda_lines(state: ExerciseState) -> tuple[AgendaLine, ...]:
    """Every day's agenda (the scenario's: it never changes during a session)."""
    assert state.scenario is not None
    return tuple(
        AgendaLine(day.day, str(item.time), str(item.until or ""), item.kind.value, item.title)
        for day in state.scenario.days
        for item in day.agenda
    )


def task_lines(state: ExerciseState) -> tuple[TaskLine, ...]:
    """What evaluators rate, in the scenario's order: each capability, then its critical tasks."""
    assert state.scenario is not None
    lines: list[TaskLine] = []
    for capability in state.scenario.capabilities:
        lines.append(TaskLine(capability.id, None, capability.name))
        lines += [
            TaskLine(capability.id, task, title)
            for task, title in zip(capability.task_ids(), capability.critical_tasks, strict=True)
        ]
    return tuple(lines)
