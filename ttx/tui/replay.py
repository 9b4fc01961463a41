"""The replay console: step, play or jump through a session's log and see any seat's view at that moment."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Label, Static

from ttx.analysis.replay import Replay, find_seat, replay_state
from ttx.analysis.replay_state import FacilitatorState, SeatState
from ttx.engine.events import SeatInfo
from ttx.engine.views import time_text
from ttx.model.time import ScenarioTime
from ttx.text import one_line, visible
from ttx.tui.common import Banner, BaseScreenQueries, TextPrompt, banner, cell

PAGE = 200
SPEEDS = [1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0]


def render_state(state: FacilitatorState | SeatState) -> Text:
    """The state at a moment as readable text: every value from the log shown as written, one line each."""
    text = Text()

    def line(value: str, style: str = "") -> None:
        text.append(one_line(value), style=style)  # scenario or participant text: no markup, no control characters
        text.append("\n")

    line(f"{state.scenario_time} · event {state.event} · {state.lifecycle.value}", style="bold")
    line(f"day {state.day or '-'} · phase {state.phase or '-'} · view: {state.view}")
    text.append("\n")
    if isinstance(state, FacilitatorState):
        text.append("Board (received / answered / overdue)\n", style="bold underline")
        for row in state.board:
            overdue = f"  overdue {', '.join(row.overdue)}" if row.overdue else ""
            line(f"{row.delegation:<6} {row.received:>3} {row.answered:>3}{overdue}", "red" if overdue else "")
        text.append("\nDecisions\n", style="bold underline")
        for inject, decision in state.decisions.items():
            line(f"{inject}: {decision.option} ({'default' if decision.default else decision.by})")
        text.append("\n")
        line(f"responses so far: {state.responses} · open requests: {', '.join(state.open_requests) or 'none'}")
        return text
    text.append("Injects this seat could read\n", style="bold underline")
    for item in state.injects:
        line(f"{item.released}  {item.id:<8} {item.tlp:<16} {item.title}")
    text.append("\nResponses\n", style="bold underline")
    for response in state.responses:
        marker = f" [{response.decision}]" if response.decision else ""
        line(f"{response.inject} {response.participant}{marker}: {response.text}")
    return text


class ReplayApp(BaseScreenQueries):
    """A timeline of every event, a cursor you move, and the session as it was at the cursor."""

    CSS_PATH = "app.tcss"
    TITLE = "ttx replay"
    BINDINGS = [
        Binding("space", "play", "Play/pause"),
        Binding("right", "step(1)", "Step", priority=True),
        Binding("left", "step(-1)", "Back", priority=True),
        Binding("l", "step(1)", "Step", show=False),
        Binding("h", "step(-1)", "Back", show=False),
        Binding("pagedown", "step(100)", "+100", show=False, priority=True),
        Binding("pageup", "step(-100)", "-100", show=False, priority=True),
        Binding("plus,equals_sign", "faster", "Faster", show=False),
        Binding("minus", "slower", "Slower", show=False),
        Binding("g", "goto", "Go to"),
        Binding("v", "view_as", "View as"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, replay: Replay, warning: str = "", seat: str | None = None) -> None:
        super().__init__()
        self.replay = replay
        self.warning = warning
        self.position = len(replay.records)
        self.seat: SeatInfo | None = find_seat(replay.final, seat) if seat else None
        self.playing = False
        self.speed = 10.0
        self._page_start = -1

    def compose(self) -> ComposeResult:
        yield Banner(id="banner")
        yield Label("", id="status")
        with Horizontal():
            yield DataTable(id="events", cursor_type="row")
            with VerticalScroll(id="reader"):
                yield Static("", id="state")
        yield Footer()

    def on_mount(self) -> None:
        table = self.base("#events", DataTable)
        table.add_column("#", key="seq", width=7)
        table.add_column("time", key="time", width=11)
        table.add_column("actor", key="actor", width=16)
        table.add_column("event", key="type", width=22)
        state = self.replay.final
        assert state.scenario is not None
        parts = [state.scenario.exercise.title, "REPLAY"]
        line = banner(state.scenario.exercise.tlp, *parts)
        if self.warning:
            line.append(one_line(f"  {self.warning}"), style="bold white on red")
        self.base("#banner", Banner).update(line)
        self.show()
        table.focus()
        self.set_interval(0.1, self._advance)

    # ------------------------------------------------------------------ rendering
    def show(self) -> None:
        """Render the page of events around the cursor and the state at the cursor."""
        records = self.replay.records
        table = self.base("#events", DataTable)
        start = max(0, min(self.position - PAGE // 2, len(records) - PAGE))
        if start != self._page_start:
            self._page_start = start
            table.clear()
            final = self.replay.final
            for record in records[start : start + PAGE]:
                table.add_row(
                    str(record.seq),
                    cell(time_text(record.at, final)),
                    cell(record.actor),
                    cell(record.event.type),
                    key=str(record.seq),
                )
        if records:
            table.move_cursor(row=max(0, self.position - 1 - start), animate=False)
        state = self.replay.at_seq(self.position)
        filled = round(24 * self.position / max(1, len(records)))
        status = f"{'█' * filled}{'░' * (24 - filled)} event {self.position}/{len(records)}"
        if self.playing:
            status += f" · playing {self.speed:g} events/s"
        self.base("#status", Label).update(status + " · space play · ←/→ step · g go to · v view as")
        if state.scenario is None:
            self.base("#state", Static).update("before the session was created")
            return
        self.base("#state", Static).update(render_state(replay_state(state, self.seat)))

    def _advance(self) -> None:
        if not self.playing:
            return
        self._ticks = getattr(self, "_ticks", 0.0) + self.speed * 0.1
        steps = int(self._ticks)
        if steps:
            self._ticks -= steps
            self.action_step(steps)
            if self.position >= len(self.replay.records):
                self.playing = False

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Arrow keys step the replay, except in a dialog, where they move the text cursor."""
        return not (action == "step" and len(self.screen_stack) > 1)

    def action_step(self, steps: int) -> None:
        self.position = max(0, min(len(self.replay.records), self.position + steps))
        self.show()

    def action_play(self) -> None:
        if self.position >= len(self.replay.records):
            self.position = 0
        self.playing = not self.playing
        self.show()

    def action_faster(self) -> None:
        self.speed = next((s for s in SPEEDS if s > self.speed), SPEEDS[-1])
        self.show()

    def action_slower(self) -> None:
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0])
        self.show()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.position = int(str(event.row_key.value))
        self.show()

    def seek(self, target: str) -> str | None:
        """Move to a scenario time, day, phase, inject release or event number; None, or why not."""
        target = target.strip()
        records = self.replay.records
        if target.isdigit():
            self.position = min(len(records), int(target))
            return None
        if target.lower().startswith("day "):
            day = target[4:].strip()
            match = next(
                (r.seq for r in records if r.event.type == "day_started" and str(getattr(r.event, "day", "")) == day),
                None,
            )
        else:
            match = next(
                (
                    r.seq
                    for r in records
                    if getattr(r.event, "phase", None) == target and r.event.type == "phase_entered"
                ),
                None,
            )
            if match is None:
                match = next(
                    (
                        r.seq
                        for r in records
                        if r.event.type == "inject_released" and getattr(r.event, "inject", None) == target
                    ),
                    None,
                )
            if match is None:
                try:
                    match = self.replay.seq_at_time(ScenarioTime.parse(target).seconds)
                except ValueError:
                    return f"{target!r} is not an event number, 'day N', a phase, a released inject or a time such as 'D2 10:00'"
        if match is None:
            return f"nothing matches {target!r} in this log"
        self.position = match
        return None

    def action_goto(self) -> None:
        def go(target: str | None) -> None:
            if target:
                problem = self.seek(target)
                if problem:
                    self.notify(visible(problem), severity="warning", markup=False)
                self.show()

        self.push_screen(TextPrompt("Go to: event number, 'day 2', a phase, an inject id, or 'D2 10:00'"), go)

    def action_view_as(self) -> None:
        def view(who: str | None) -> None:
            if not who:
                return
            if who.strip() == "facilitator":
                self.seat = None
            else:
                try:
                    self.seat = find_seat(self.replay.final, who.strip())
                except KeyError as error:
                    self.notify(visible(str(error.args[0])), severity="warning", markup=False)
                    return
            self.show()

        self.push_screen(
            TextPrompt("View as: facilitator, a delegation (THA) or a seat (scribe:DWG, evaluator:1)"), view
        )
