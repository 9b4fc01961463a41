"""The facilitator console: runs the session's controller and shows the MSEL, the live board, the feed, the agenda.

The console owns what is shown as reactives (:attr:`FacilitatorApp.view`, the controller's latest
view, and :attr:`FacilitatorApp.filters`); its widgets bind to them and redraw themselves. The
controller is stepped, and given commands, in worker threads that post :class:`Stepped` and
:class:`CommandDone`; nothing on the UI thread reads or writes the store.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Footer, TabPane

from ttx.engine import commands as cmd
from ttx.engine.clock import MAX_SPEED
from ttx.engine.controller import Controller
from ttx.engine.live import advance_preview
from ttx.engine.phases import entry_refusal, next_phase
from ttx.engine.ports import CommandStatus
from ttx.engine.state import InjectStatus
from ttx.engine.views import time_text
from ttx.text import one_line, visible
from ttx.tui.agenda import Agenda
from ttx.tui.board import Board
from ttx.tui.clock_bar import ClockBar
from ttx.tui.common import ConfirmScreen, Console, TextPrompt
from ttx.tui.control import (
    CommandDone,
    ControlLink,
    ControlView,
    Stepped,
    agenda_lines,
    speed_text,
    task_lines,
)
from ttx.tui.facilitator_dialogs import AdhocScreen, InjectDetail, RatingDetail
from ttx.tui.feed import Feed
from ttx.tui.keys import KeyHelp, binding_lines
from ttx.tui.msel_table import ControlTabs, Filters, MselTable
from ttx.tui.ratings import RatingLegend, RatingsTable

__all__ = ["AdhocScreen", "FacilitatorApp", "InjectDetail", "speed_text"]

SPEEDS = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, MAX_SPEED]
STATUSES = [None, "due", "pending", "held", "required", "overdue", "answered", "released", "skipped"]
STEP = "controller-step"
TABS = {"msel-tab": "msel", "board-tab": "board", "feed-tab": "feed", "agenda-tab": "agenda", "ratings-tab": "ratings"}


class FacilitatorApp(Console):
    """Exercise control: the clock, the MSEL, releases and holds, phases, the live board and feed."""

    CSS_PATH = "app.tcss"
    TITLE = "ttx facilitator"
    BINDINGS = [
        Binding("s", "start", "Start"),
        Binding("space", "pause_resume", "Pause/resume"),
        Binding("plus,equals_sign", "faster", "Faster", show=False),
        Binding("minus", "slower", "Slower", show=False),
        Binding("n", "next_inject", "Next inject", show=False),
        Binding("a", "advance_phase", "Advance phase", show=False),
        Binding("r", "release", "Release"),
        Binding("h", "hold", "Hold/unhold", show=False),
        Binding("k", "skip", "Skip", show=False),
        Binding("i", "adhoc", "Ad-hoc"),
        Binding("o", "note", "Note", show=False),
        Binding("g", "goto", "Go to", show=False),
        Binding("d", "toggle_days", "Day/all", show=False),
        Binding("f", "cycle_filter", "Filter", show=False),
        Binding("c", "filter_receiver", "Cell filter", show=False),
        Binding("e", "end_day", "End day", show=False),
        Binding("w", "hot_wash", "Hot wash", show=False),
        Binding("x", "end", "End exercise", show=False),
        Binding("1", "tab('msel-tab')", "MSEL", show=False),
        Binding("2", "tab('board-tab')", "Board", show=False),
        Binding("3", "tab('feed-tab')", "Feed", show=False),
        Binding("4", "tab('agenda-tab')", "Agenda", show=False),
        Binding("5", "tab('ratings-tab')", "Ratings (evaluators' observations)", show=False),
        Binding("question_mark", "keys", "Keys"),
        Binding("q", "quit", "Quit"),
    ]

    view: reactive[ControlView | None] = reactive(None, always_update=True, init=False)
    """The controller's latest view; the clock bar, MSEL, board, feed and ratings bind to it."""
    filters: reactive[Filters] = reactive(Filters, init=False)
    """What the MSEL lists."""

    def __init__(
        self,
        controller: Controller,
        *,
        tick: float = 0.2,
        join_lines: Iterable[str] = (),
        screenshots: Path | None = None,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.link = ControlLink(controller)
        self.tick_seconds = tick
        self.join_lines = list(join_lines)
        self.screenshots = screenshots
        """Where the palette's Screenshot saves (the current directory when None)."""
        self._frozen = False

    # ------------------------------------------------------------------ typed parts of the screen
    @property
    def msel(self) -> MselTable:
        """The MSEL table."""
        return self.screen_stack[0].query_one("#msel", MselTable)

    @property
    def board(self) -> Board:
        """The live board."""
        return self.screen_stack[0].query_one("#board", Board)

    @property
    def feed(self) -> Feed:
        """The feed."""
        return self.screen_stack[0].query_one("#feed", Feed)

    @property
    def ratings(self) -> RatingsTable:
        """Every evaluator's rating so far, per capability and critical task."""
        return self.screen_stack[0].query_one("#ratings", RatingsTable)

    @property
    def tabs(self) -> ControlTabs:
        """The tabs."""
        return self.screen_stack[0].query_one(ControlTabs)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield ClockBar().data_bind(FacilitatorApp.view)
        with ControlTabs(initial="msel-tab").data_bind(FacilitatorApp.view, FacilitatorApp.filters):
            with TabPane("MSEL", id="msel-tab"):
                yield MselTable(id="msel").data_bind(FacilitatorApp.view, FacilitatorApp.filters)
            with TabPane("Board", id="board-tab"):
                yield Board(id="board").data_bind(FacilitatorApp.view)
            with TabPane("Feed", id="feed-tab"):
                yield Feed(self.join_lines, id="feed").data_bind(FacilitatorApp.view)
            with TabPane("Agenda", id="agenda-tab"):
                yield Agenda(id="agenda")
            with TabPane("Ratings", id="ratings-tab"):
                yield RatingLegend(id="rating-legend")
                yield RatingsTable(id="ratings").data_bind(FacilitatorApp.view)
        yield Footer()

    def on_mount(self) -> None:
        self.screen_stack[0].query_one("#agenda", Agenda).lines = agenda_lines(self.controller.state)
        self.ratings.tasks = task_lines(self.controller.state)
        self.msel.focus()
        self._open()
        self.set_interval(self.tick_seconds, self._tick)

    # ------------------------------------------------------------------ the controller, in workers
    @work(thread=True, group="controller-open")
    def _open(self) -> None:
        self.post_message(Stepped(self.link.open()))

    def _tick(self) -> None:
        if not any(worker.group == STEP and not worker.is_finished for worker in self.workers):
            self.step()  # (a slow step is not queued behind: the next tick steps again)

    @work(thread=True, exclusive=True, group=STEP)
    def step(self) -> None:
        """Step the controller now, in a worker (the console does it every tick): commands in, due items out."""
        self.post_message(Stepped(self.link.step()))

    @work(thread=True, group="controller-commands")
    def submit(self, command: cmd.Command, done: str = "") -> None:
        """Give the controller a command, in a worker: a refusal is shown with its reason, ``done`` once it is recorded."""
        outcome, view = self.link.submit(command)
        self.post_message(Stepped(view))
        self.post_message(CommandDone(command, outcome, done))

    @work(thread=True, group="controller-commands")
    def _checkpoint_and_exit(self) -> None:
        self.link.checkpoint()
        self.call_from_thread(self.exit)

    def on_unmount(self) -> None:
        """The console closes: wait for a step in progress, then let no worker touch the controller again."""
        self.link.close()
        if self._frozen:
            gc.unfreeze()

    def _freeze_what_is_loaded(self) -> None:
        """Keep the collector's full passes off the loaded session once it is on screen.

        The scenario, the plan and the folded log are a million long-lived objects; each full pass of
        the cyclic collector walked them all (half a second on a 5,000-inject MSEL), and redrawing
        the MSEL triggered such passes. Frozen, they are left out of them (they are never garbage
        while the console runs); new objects are collected as usual.
        """
        if not self._frozen:
            gc.freeze()
            self._frozen = True

    @on(Stepped)
    def _stepped(self, message: Stepped) -> None:
        view = message.view
        current = self.view
        if current is not None and view.serial < current.serial:
            # a slower worker's older view: only its feed lines (and its ratings, which the table takes if newer)
            view = replace(current, msel=None, board=None, ratings=view.ratings)
        self.view = replace(view, feed=self.link.take_feed())
        if current is None:
            self.call_after_refresh(self._freeze_what_is_loaded)

    @on(CommandDone)
    def _command_done(self, message: CommandDone) -> None:
        outcome = message.outcome
        if outcome.status is CommandStatus.rejected:
            self.notify(
                visible(outcome.reason),
                title=f"{message.command.kind.replace('_', ' ')} refused",
                severity="warning",
                markup=False,
            )
        elif message.done:
            self.notify(message.done, markup=False)

    # ------------------------------------------------------------------ intent from the widgets
    @on(MselTable.Opened)
    def _open_inject(self, message: MselTable.Opened) -> None:
        self.push_screen(InjectDetail(self.controller, message.inject_id))

    @on(RatingsTable.Opened)
    def _open_rating(self, message: RatingsTable.Opened) -> None:
        rating = message.rating
        inject = None
        if rating.inject is not None:
            with self.controller.lock:
                inject = self._named(rating.inject)
        self.push_screen(RatingDetail(rating, message.title, inject))

    # ------------------------------------------------------------------ actions
    async def action_quit(self) -> None:
        """Close the console cleanly: the clock's moment is recorded first, so a resume starts from here."""
        self._checkpoint_and_exit()

    def action_keys(self) -> None:
        """Show every key of the console."""
        self.push_screen(
            KeyHelp(
                binding_lines(self),
                [
                    "In the inject detail (Enter on an MSEL row): v reads every response in full; t there "
                    "switches side by side / one after another.",
                    "In the Ratings tab, Enter on a rating shows its note in full.",
                    "Dialogs: y / n answer, Esc cancels, ctrl+s sends a form.",
                    "ctrl+p opens the command palette (every action above, and a screenshot).",
                ],
            )
        )

    def action_tab(self, tab: str) -> None:
        self.tabs.active = tab
        self.screen_stack[0].query_one(f"#{TABS[tab]}").focus()

    def action_start(self) -> None:
        self.submit(cmd.Start())

    def action_pause_resume(self) -> None:
        running = self.view is not None and self.view.clock.lifecycle == "running"
        self.submit(cmd.Pause() if running else cmd.Resume())

    def _set_speed(self, step: int) -> None:
        speed = self.controller.clock.speed
        position = SPEEDS.index(speed) if speed in SPEEDS else 0
        target = SPEEDS[max(0, min(len(SPEEDS) - 1, position + step))]
        if target != speed:
            self.submit(cmd.SetSpeed(speed=target))

    def action_faster(self) -> None:
        self._set_speed(+1)

    def action_slower(self) -> None:
        self._set_speed(-1)

    def action_next_inject(self) -> None:
        self.submit(cmd.Jump(to="next_inject"))

    def _named(self, inject_id: str) -> str:
        """An inject as a confirmation names it: id and title, on one line."""
        return one_line(f"{inject_id} · {self.controller.state.inject(inject_id).title}")

    def action_advance_phase(self) -> None:
        """Enter the next phase, after saying what it will release at once (and what stays held)."""
        with self.controller.lock:  # read the controller while no worker steps it
            state = self.controller.state
            upcoming = next_phase(self.controller.scenario, state.phase)
            if upcoming is None:
                self.notify("This is the last phase.", severity="warning")
                return
            reason = entry_refusal(state, upcoming.id)
            start = upcoming.start.seconds
            now = self.controller.clock.now()
            released, held = advance_preview(state, start, now)
            lines = [f"Enter phase {upcoming.id} (day {upcoming.played_on}, starts {time_text(start, state)})?"]
            if start > now:
                lines.append(f"The clock jumps to {time_text(start, state)}.")
            if released:
                lines.append(f"Released at once ({len(released)}):")
                lines += [f"  {self._named(i)}" for i in released]
            else:
                lines.append("No inject is released by the jump.")
            if held:
                lines.append(f"Still held, not released (they stay held until you unhold them) ({len(held)}):")
                lines += [f"  {self._named(i)}" for i in held]
            if reason is not None:
                lines.append(f"Its guard is not met: {reason}. Entering it is recorded as an override.")
        self._confirmed("\n".join(lines), cmd.AdvancePhase(override=reason is not None))

    def action_release(self) -> None:
        """Release the highlighted inject now, after saying which one (id, title, recipients) and whether it is held."""
        inject = self.msel.highlighted
        if inject is None:
            return
        with self.controller.lock:
            item = self.controller.state.injects[inject]
            if item.status is not InjectStatus.pending:
                self.notify(
                    one_line(f"{inject} is {item.status.value}: there is nothing to release."),
                    severity="warning",
                    markup=False,
                )
                return
            details = self.controller.state.inject(inject)
            lines = [f"Release {self._named(inject)} now?", one_line(f"To: {', '.join(details.to)}.")]
            if item.held:
                lines.append(f"{inject} is held: releasing it sends it anyway.")
        self._confirmed("\n".join(lines), cmd.ReleaseNow(inject=inject))

    def action_hold(self) -> None:
        inject = self.msel.highlighted
        if inject:
            with self.controller.lock:
                held = self.controller.state.injects[inject].held
            self.submit(cmd.Unhold(inject=inject) if held else cmd.Hold(inject=inject))

    def action_skip(self) -> None:
        inject = self.msel.highlighted
        if inject:
            with self.controller.lock:
                named = self._named(inject)
            self._confirmed(f"Skip {named}? It will not be released in this session.", cmd.Skip(inject=inject))

    def action_adhoc(self) -> None:
        scenario = self.controller.scenario
        known = {c.id for c in scenario.cells} | {p.id for p in scenario.participants} | {"all"}

        def send(command: cmd.Adhoc | None) -> None:
            if command is not None:
                self.submit(command)

        self.push_screen(AdhocScreen(known), send)

    def action_note(self) -> None:
        def add(text: str | None) -> None:
            if text:
                self.submit(cmd.Note(text=text), "Note recorded.")

        self.push_screen(TextPrompt("Facilitator note (never shown to players):"), add)

    def action_goto(self) -> None:
        def go(inject_id: str | None) -> None:
            if not inject_id:
                return
            wanted = inject_id.strip()
            with self.controller.lock:
                known = wanted in self.controller.state.injects
            if not known:
                self.notify(visible(f"No inject {wanted!r} in this scenario."), severity="warning", markup=False)
                return
            if not self.msel.listed(wanted):
                self.filters = Filters(all_days=True)
            if not self.msel.show(wanted):
                self.notify(
                    visible(f"{wanted} is a branch inject whose branch has not been taken."),
                    severity="warning",
                    markup=False,
                )
                return
            self.action_tab("msel-tab")

        self.push_screen(TextPrompt("Go to inject (id):", placeholder="A1-5"), go)

    def action_filter_receiver(self) -> None:
        scenario = self.controller.scenario
        known = {c.id for c in scenario.cells} | {p.id for p in scenario.participants}

        def choose(value: str | None) -> None:
            if value is None:
                return
            wanted = value.strip()
            if wanted.lower() in ("all", "*"):
                self.filters = replace(self.filters, receiver=None)
            elif wanted in known:
                self.filters = replace(self.filters, receiver=wanted)
            else:
                self.notify(
                    visible(f"No cell or delegation {wanted!r}; type an id such as TFPP or THA, or all."),
                    severity="warning",
                    markup=False,
                )

        self.push_screen(
            TextPrompt("Show injects for a cell or delegation (all: no filter):", placeholder="TFPP"), choose
        )

    def action_toggle_days(self) -> None:
        self.filters = replace(self.filters, all_days=not self.filters.all_days)

    def action_cycle_filter(self) -> None:
        status = STATUSES[(STATUSES.index(self.filters.status) + 1) % len(STATUSES)]
        self.filters = replace(self.filters, status=status)

    def _confirmed(self, question: str, command: cmd.Command) -> None:
        def decided(yes: bool | None) -> None:
            if yes:
                self.submit(command)

        self.push_screen(ConfirmScreen(question), decided)

    def action_end_day(self) -> None:
        day = self.view.clock.day if self.view is not None else None
        self._confirmed(f"End day {day}? The clock stops; resuming starts the next day.", cmd.EndDay())

    def action_hot_wash(self) -> None:
        self._confirmed("Stop play and start the hot wash?", cmd.HotWash())

    def action_end(self) -> None:
        self._confirmed("End the exercise? Nothing more will be accepted.", cmd.End())
