"""The facilitator console: runs the session's controller and shows the MSEL, the live board, the feed, the agenda."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress

from pydantic import ValidationError
from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Digits,
    Footer,
    Input,
    Label,
    Markdown,
    RichLog,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

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
from ttx.engine.live import advance_preview, contingency_not_needed, deadline_line, standing
from ttx.engine.phases import entry_refusal, next_phase
from ttx.engine.ports import CommandStatus
from ttx.engine.views import board_rows, cell_rows, live_msel_rows, time_text
from ttx.model.base import Tlp
from ttx.model.scenario import Option
from ttx.model.time import SECONDS_PER_MINUTE, ScenarioTime
from ttx.text import authored_markdown, markdown_text, one_line, visible
from ttx.tui.common import (
    STATUS_STYLE,
    Banner,
    BaseScreenQueries,
    ConfirmScreen,
    TextPrompt,
    banner,
    cell,
    literal,
    markdown_code,
    tlp_text,
)
from ttx.tui.keys import KeyHelp, binding_lines
from ttx.tui.responses import ResponseReader

SPEEDS = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, MAX_SPEED]
STATUSES = [None, "due", "pending", "held", "required", "overdue", "answered", "released", "skipped"]


def _short(targets: str, keep: int = 3) -> str:
    """A long recipient list shortened for the table: 'TFPP, THA, IND +4'."""
    items = targets.split(", ")
    return targets if len(items) <= keep + 1 else f"{', '.join(items[:keep])} +{len(items) - keep}"


def speed_text(speed: float) -> str:
    """A speed as people say it: max, 1x, 60x."""
    return "max" if speed == MAX_SPEED else f"{speed:g}x"


class InjectDetail(ModalScreen[None]):
    """One inject in full, with every response to it side by side (facilitator and evaluator)."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("v", "read_responses", "Read every response in full"),
    ]

    def __init__(self, controller: Controller, inject_id: str) -> None:
        super().__init__()
        self.controller = controller
        self.inject_id = inject_id

    def compose(self) -> ComposeResult:
        state = self.controller.state
        inject = state.inject(self.inject_id)
        item = state.injects[self.inject_id]
        md = markdown_text  # scenario and ad-hoc text shows as written: no links, HTML or emphasis of its own
        lines = [
            f"## {md(inject.id)} · {md(one_line(inject.title))}",
            f"**{md(inject.tlp.label)}** · from *{md(one_line(inject.source))}* · to {md(', '.join(inject.to))}"
            f" · channel {md(inject.channel.value)}",
            f"status **{md(item.status.value)}**"
            + (
                f" (released {md(time_text(item.released_at, state))} via {md(str(item.via))})"
                if item.released_at is not None
                else ""
            ),
            "",
            authored_markdown(inject.body) if inject.body else "*(no body)*",
        ]
        if inject.questions:
            lines += ["", "**Questions**", *[f"- {md(q)}" for q in inject.questions]]
        if inject.options:
            lines += [
                "",
                "**Options**",
                *[
                    f"- {markdown_code(o.id)} {md(o.label)}{' *(default)*' if o.default else ''}"
                    for o in inject.options
                ],
            ]
        if inject.expected_actions:
            lines += ["", "**Expected actions**", *[f"- {md(a)}" for a in inject.expected_actions]]
        if inject.facilitator_notes:
            lines += ["", f"**Facilitator notes:** {md(inject.facilitator_notes)}"]
        with Vertical(id="detail"):
            yield Markdown("\n".join(lines))
            deadline = deadline_line(state, self.inject_id, self.controller.clock.now())
            if deadline:
                yield Label(literal(deadline, style="bold", single_line=True), id="deadline")
            table: DataTable[str | Text] = DataTable(id="responses", zebra_stripes=True, cursor_type="row")
            table.add_columns("delegation", "cell", "decision", "response", "gaps")
            for response in state.responses.get(self.inject_id, []):
                table.add_row(
                    cell(response.participant),
                    cell(response.cell or ""),
                    cell(response.decision or ""),
                    cell(response.text),
                    cell(response.gaps),
                )
            if not state.responses.get(self.inject_id):
                table.add_row("", "", "", "no responses yet", "")
            yield table
            with Horizontal(classes="buttons"):
                yield Button("Read in full (v)", id="read", variant="primary")
                yield Button("Close (Esc)", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "read":
            self.action_read_responses()
        else:
            self.dismiss(None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_read_responses()

    def action_read_responses(self) -> None:
        """Every response to the inject, full text, on its own screen."""
        self.app.push_screen(ResponseReader(self.controller.state, self.inject_id))

    def action_close(self) -> None:
        self.dismiss(None)


class AdhocScreen(ModalScreen[cmd.Adhoc | None]):
    """Compose an ad-hoc inject: recipients, TLP, title, body."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "send", "Release")]

    def __init__(self, known: set[str]) -> None:
        super().__init__()
        self.known = known

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="form"):
            yield Label("Ad-hoc inject — released at once")
            yield Input(placeholder="to: cells and/or delegations, e.g. TFPP, THA  (or all)", id="to")
            yield Select([(t.label, t.value) for t in Tlp], value=Tlp.AMBER.value, id="tlp", allow_blank=False)
            yield Input(placeholder="from (simulated source)", value="SimCell", id="source")
            yield Input(placeholder="title", id="title")
            yield TextArea(id="body")
            yield Checkbox("a response is required", id="required")
            yield Input(placeholder="respond within HH:MM of scenario time (optional, e.g. 01:30)", id="deadline")
            yield Input(placeholder="decision options (optional): id=label; id=label", id="options")
            yield Label("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Release (ctrl+s)", id="send", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.action_send()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_send(self) -> None:
        error = self.query_one("#error", Label)
        targets = [t.strip() for t in self.query_one("#to", Input).value.replace(";", ",").split(",") if t.strip()]
        title = self.query_one("#title", Input).value.strip()
        unknown = [t for t in targets if t not in self.known]
        if not targets:
            error.update("Name at least one cell or delegation (or all).")
        elif unknown:
            error.update(literal(f"Unknown: {', '.join(unknown)}. Use cell or delegation ids such as TFPP, THA."))
        elif not title:
            error.update("Give the inject a title.")
        else:
            deadline = self.query_one("#deadline", Input).value.strip()
            if deadline and not re.fullmatch(r"\d{1,3}:[0-5]\d", deadline):
                error.update("Write the deadline as HH:MM of scenario time, e.g. 01:30.")
                return
            options = []
            for part in self.query_one("#options", Input).value.split(";"):
                if part.strip():
                    key, _, label = part.partition("=")
                    options.append(Option(id=key.strip(), label=label.strip() or key.strip()))
            try:
                command = cmd.Adhoc(
                    to=targets,
                    tlp=str(self.query_one("#tlp", Select).value),
                    title=title,
                    body=self.query_one("#body", TextArea).text,
                    source=self.query_one("#source", Input).value.strip() or "SimCell",
                    options=options,
                    response_required=self.query_one("#required", Checkbox).value or bool(deadline),
                    deadline=deadline or None,
                )
            except ValidationError as problem:
                error.update(literal(f"Check the options: {problem.errors()[0]['msg']}"))
                return
            self.dismiss(command)


class FacilitatorApp(BaseScreenQueries):
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
        Binding("question_mark", "keys", "Keys"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, controller: Controller, *, tick: float = 0.2, join_lines: Iterable[str] = ()) -> None:
        super().__init__()
        self.controller = controller
        self.tick_seconds = tick
        self.all_days = False
        self.status_filter: str | None = None
        self.receiver_filter: str | None = None
        self.join_lines = list(join_lines)
        self._shown_seq = -1
        self._rows: dict[str, tuple[str, ...]] = {}
        self._last_now = -1
        self._fitted: tuple[int, tuple[int, ...]] | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Banner(id="banner")
        with Horizontal(id="clockbar"):
            yield Digits("", id="clock")
            yield Static("", id="clockinfo")
        with TabbedContent(initial="msel-tab"):
            with TabPane("MSEL", id="msel-tab"):
                yield DataTable(id="msel", cursor_type="row", zebra_stripes=True)
            with TabPane("Board", id="board-tab"):
                yield DataTable(id="board", cursor_type="row", zebra_stripes=True)
            with TabPane("Feed", id="feed-tab"):
                yield RichLog(id="feed", wrap=True, markup=False, max_lines=5000)
            with TabPane("Agenda", id="agenda-tab"):
                yield DataTable(id="agenda", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        msel = self.base("#msel", DataTable)
        for label, key, width in [
            ("time", "time", 10),
            ("id", "id", 8),
            ("status", "status", 8),
            ("to", "to", 22),
            ("TLP", "tlp", 16),
            ("title", "title", 44),
            ("resp", "resp", 4),
        ]:
            msel.add_column(label, key=key, width=width)
        board = self.base("#board", DataTable)
        for label, key, width in [
            ("delegation", "who", 22),
            ("cells", "cells", 17),
            ("recv", "received", 4),
            ("ans", "answered", 4),
            ("overdue", "overdue", 16),
            ("open req", "requests", 8),
        ]:
            board.add_column(label, key=key, width=width)
        agenda = self.base("#agenda", DataTable)
        agenda.add_columns("day", "time", "until", "kind", "item")
        feed = self.base("#feed", RichLog)
        for line in self.join_lines:
            feed.write(literal(line, style="dim", single_line=True))
        for record in self.controller.store.events():
            self._feed(record)
        self.controller.on_event = self._on_event
        self.refresh_views(force=True)
        msel.focus()
        self.set_interval(self.tick_seconds, self._tick)

    def on_resize(self) -> None:
        if self.screen_stack and self.base_query("#msel"):
            narrow = self.size.width < 120
            if narrow != getattr(self, "_narrow", None):
                self._narrow = narrow
                self._rows = {}  # cells change with the width (short TLP labels): rebuild once
            self._fitted = None
            self.call_after_refresh(self.refresh_views, True)

    # ------------------------------------------------------------------ the loop
    async def action_quit(self) -> None:
        """Close the console cleanly: the clock's moment is recorded first, so a resume starts from here."""
        self.controller.checkpoint()
        self.exit()

    def action_keys(self) -> None:
        """Show every key of the console."""
        self.push_screen(
            KeyHelp(
                binding_lines(self),
                [
                    "In the inject detail (Enter on an MSEL row): v reads every response in full; t there "
                    "switches side by side / one after another.",
                    "Dialogs: y / n answer, Esc cancels, ctrl+s sends a form.",
                ],
            )
        )

    def _tick(self) -> None:
        self.controller.step()
        if not self.screen_stack:
            return
        with suppress(NoMatches):  # the console is closing: its screen is already being taken down
            self.refresh_views()

    def _on_event(self, record: EventRecord) -> None:
        self._feed(record)

    def _feed(self, record: EventRecord) -> None:
        state = self.controller.state
        event = record.event
        when = time_text(record.at, state) if state.scenario else ""
        line: Text | None = None
        # every part after the coloured tag is scenario or participant text: one_line shows it as written, on its line
        if isinstance(event, ResponseRecorded):
            decision = f" [{event.decision}]" if event.decision else ""
            line = Text.assemble(
                (f"{when} ", "dim"),
                (one_line(event.participant), "bold cyan"),
                one_line(f" → {event.inject}{decision}: {event.text}"),
            )
        elif isinstance(event, DecisionTaken):
            who = "default" if event.default else event.participant
            line = Text.assemble(
                (f"{when} ", "dim"), ("DECISION ", "bold yellow"), one_line(f"{event.inject}: {event.option} ({who})")
            )
        elif isinstance(event, BranchTaken):
            line = Text.assemble(
                (f"{when} ", "dim"),
                ("BRANCH ", "bold yellow"),
                one_line(f"{event.inject} → {', '.join(event.release) or event.enter_phase}"),
            )
        elif isinstance(event, RequestSent):
            line = Text.assemble(
                (f"{when} ", "dim"),
                ("REQUEST ", "bold magenta"),
                one_line(f"{event.sender} → {event.recipient} ({event.kind}): {event.text}"),
            )
        elif isinstance(event, RequestAnswered):
            line = Text.assemble(
                (f"{when} ", "dim"),
                ("ANSWER ", "bold magenta"),
                one_line(f"{event.by} on {event.request}: {event.text}"),
            )
        elif isinstance(event, InjectReleased):
            line = Text.assemble(
                (f"{when} ", "dim"), ("released ", "green"), one_line(f"{event.inject} ({event.via.value})")
            )
        elif isinstance(event, PhaseEntered):
            line = Text.assemble(
                (f"{when} ", "dim"),
                ("PHASE ", "bold blue"),
                one_line(f"{event.phase}{' (override)' if event.override else ''}"),
            )
        elif isinstance(event, CommandRejected):
            line = Text.assemble(
                (f"{when} ", "dim"), ("rejected ", "red"), one_line(f"{record.actor} {event.kind}: {event.reason}")
            )
        elif isinstance(event, ObservationRecorded):
            line = None  # evaluator notes are for the evaluation team
        if line is not None and self.is_running:
            self.base("#feed", RichLog).write(line)

    # ------------------------------------------------------------------ rendering
    def refresh_views(self, force: bool = False) -> None:
        """Redraw what changed: header every tick, tables when the log grew (or once a second)."""
        state = self.controller.state
        now = self.controller.clock.now()
        self._header(now)
        changed = (
            force
            or state.seq != self._shown_seq
            or ScenarioTime.from_seconds(now) != ScenarioTime.from_seconds(self._last_now)
        )
        if not changed:
            return
        self._shown_seq, self._last_now = state.seq, now
        self._msel(now)
        self._board(now)
        self._agenda()

    def _header(self, now: int) -> None:
        state = self.controller.state
        assert state.scenario is not None
        day = next((d for d in state.scenario.days if d.day == state.day), None)
        day_text = (
            f"Day {state.day} · lead {day.lead}"
            if day and day.lead
            else (f"Day {state.day}" if state.day else "not started")
        )
        self.base("#banner", Banner).update(
            banner(
                state.scenario.exercise.tlp,
                state.scenario.exercise.title,
                standing(state),
                day_text,
                f"phase {state.phase or '-'}",
            )
        )
        clock = time_text(now, state)
        self.base("#clock", Digits).update(clock.split(" ")[1])
        wall = self.controller.source.wall()
        info = Text.assemble(
            (clock.split(" ")[0], "bold"),
            f"  speed {speed_text(self.controller.clock.speed)}  ",
            (f"wall {wall:%H:%M:%S} UTC", "dim"),
        )
        upcoming = self.controller.scheduler.next_release()
        info.append("\n")
        if upcoming is not None:
            wait = self.controller.clock.wall_seconds_until(upcoming.at)
            countdown = f" (in {max(0, upcoming.at - now) // SECONDS_PER_MINUTE} min" + (
                f", {wait:.0f}s wall)" if wait is not None else ")"
            )
            info.append(one_line(f"next: {upcoming.key} at {time_text(upcoming.at, state)}{countdown}"))
        else:
            info.append("next: nothing scheduled")
        if self.controller.blocked:
            info.append("\n")
            info.append(one_line(f"{self.controller.blocked} — press a to override"), style="bold yellow")
        self.base("#clockinfo", Static).update(info)

    def _msel(self, now: int) -> None:
        state = self.controller.state
        table = self.base("#msel", DataTable)
        day = None if self.all_days else (state.day or 1)
        rows = live_msel_rows(state, now, day=day, status=self.status_filter, receiver=self.receiver_filter)
        upcoming = self.controller.scheduler.next_release()
        narrow = self.size.width < 120
        cells: dict[str, tuple[str | Text, ...]] = {}
        for row in rows:
            marker = "▶ " if upcoming is not None and upcoming.key == row.id else ""
            status = (
                "not needed"
                if row.status in ("pending", "due") and contingency_not_needed(state, row.id)
                else row.status
            )
            shown_time = row.time.partition(" ")[2] if day is not None and row.time.startswith(f"D{day} ") else row.time
            cells[row.id] = (
                cell(shown_time),
                cell(f"{marker}{row.id}"),
                Text(status, style=STATUS_STYLE.get(status, "dim italic")),
                cell(_short(row.to, keep=1 if narrow else 3)),
                tlp_text(row.tlp, short=narrow),
                cell(row.title),
                str(row.responses) if row.responses else "",
            )
        plain = {key: tuple(str(c) for c in value) for key, value in cells.items()}
        if list(plain) != list(self._rows):
            chosen = self._selected()
            cursor = table.cursor_row
            table.clear()
            for key, value in cells.items():
                table.add_row(*value, key=key)
            if chosen is not None and chosen in plain:
                table.move_cursor(row=table.get_row_index(chosen), animate=False)  # the same inject, wherever it moved
            elif rows:
                table.move_cursor(row=min(cursor, len(rows) - 1), animate=False)
        else:
            columns = ["time", "id", "status", "to", "tlp", "title", "resp"]
            for key, value in cells.items():
                if plain[key] != self._rows.get(key):
                    for column, content in zip(columns, value, strict=True):
                        table.update_cell(key, column, content)
        self._rows = plain
        self._fit_msel(plain)
        scope = "all days" if self.all_days else f"day {day}"
        filters = "".join(f", {f}" for f in (self.status_filter, self.receiver_filter) if f)
        self.base("TabbedContent", TabbedContent).get_tab("msel-tab").label = literal(
            f"MSEL ({scope}{filters})", single_line=True
        )

    def _fit_msel(self, plain: dict[str, tuple[str, ...]]) -> None:
        """Times, ids, statuses and TLP labels at their full width; the title gets what is left."""
        table = self.base("#msel", DataTable)
        width = table.scrollable_content_region.width or self.size.width
        names = ["time", "id", "status", "to", "tlp", "title", "resp"]
        widths = {name: len(name) for name in names}
        for value in plain.values():
            for name, content in zip(names, value, strict=True):
                widths[name] = max(widths[name], len(content))
        widths["to"] = min(widths["to"], 22)
        widths["status"] = max(widths["status"], 8)
        fixed = sum(w for name, w in widths.items() if name != "title")
        widths["title"] = max(10, width - fixed - len(names) * 2 * table.cell_padding - 1)
        key = (width, tuple(widths.values()))
        if key == self._fitted:
            return
        self._fitted = key
        for column in table.ordered_columns:
            column.width = widths[str(column.key.value)]
            column.auto_width = False
        table._require_update_dimensions = True  # DataTable has no public way to resize a column
        table.refresh(layout=True)

    def _board(self, now: int) -> None:
        table = self.base("#board", DataTable)
        table.clear()
        for group in cell_rows(self.controller.state, now):
            overdue = Text(one_line(", ".join(group.overdue)), style="bold red") if group.overdue else Text("")
            table.add_row(
                cell(f"cell {group.cell}", style="bold"),
                "",
                str(group.received),
                str(group.answered),
                overdue,
                "",
                key=f"cell:{group.cell}",
            )
        for row in board_rows(self.controller.state, now):
            overdue = Text(one_line(", ".join(row.overdue)), style="bold red") if row.overdue else Text("")
            table.add_row(
                cell(f"{row.participant} {row.name}"),
                cell(row.cells),
                str(row.received),
                str(row.answered),
                overdue,
                str(row.requests_open) if row.requests_open else "",
                key=row.participant,
            )

    def _agenda(self) -> None:
        state = self.controller.state
        assert state.scenario is not None
        table = self.base("#agenda", DataTable)
        if table.row_count:
            return
        for day in state.scenario.days:
            for item in day.agenda:
                table.add_row(
                    str(day.day), cell(item.time), cell(item.until or ""), cell(item.kind.value), cell(item.title)
                )

    # ------------------------------------------------------------------ commands
    def _submit(self, command: cmd.Command, done: Callable[[], None] | None = None) -> bool:
        outcome = self.controller.submit(command)
        if outcome.status is CommandStatus.rejected:
            self.notify(
                visible(outcome.reason),
                title=f"{command.kind.replace('_', ' ')} refused",
                severity="warning",
                markup=False,
            )
            return False
        self.refresh_views(force=True)
        if done:
            done()
        return True

    def _selected(self) -> str | None:
        table = self.base("#msel", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value)

    def action_tab(self, tab: str) -> None:
        self.base("TabbedContent", TabbedContent).active = tab
        self.base(f"#{tab.removesuffix('-tab')}").focus()

    def action_start(self) -> None:
        self._submit(cmd.Start())

    def action_pause_resume(self) -> None:
        running = self.controller.state.lifecycle.value == "running"
        self._submit(cmd.Pause() if running else cmd.Resume())

    def _set_speed(self, step: int) -> None:
        speed = self.controller.clock.speed
        position = SPEEDS.index(speed) if speed in SPEEDS else 0
        target = SPEEDS[max(0, min(len(SPEEDS) - 1, position + step))]
        if target != speed:
            self._submit(cmd.SetSpeed(speed=target))

    def action_faster(self) -> None:
        self._set_speed(+1)

    def action_slower(self) -> None:
        self._set_speed(-1)

    def action_next_inject(self) -> None:
        self._submit(cmd.Jump(to="next_inject"))

    def action_advance_phase(self) -> None:
        """Enter the next phase, after saying what it will release at once (and what stays held)."""
        state = self.controller.state
        upcoming = next_phase(self.controller.scenario, state.phase)
        if upcoming is None:
            self.notify("This is the last phase.", severity="warning")
            return
        reason = entry_refusal(state, upcoming.id)
        start = upcoming.start.seconds
        released, held = advance_preview(state, start, self.controller.clock.now())
        lines = [f"Enter phase {upcoming.id} (day {upcoming.played_on}, starts {time_text(start, state)})?"]
        if start > self.controller.clock.now():
            lines.append(f"The clock jumps to {time_text(start, state)}.")
        lines.append(f"Released at once: {', '.join(released)}." if released else "No inject is released by the jump.")
        if held:
            lines.append(f"Still held (not released): {', '.join(held)}.")
        if reason is not None:
            lines.append(f"Its guard is not met: {reason}. Entering it is recorded as an override.")

        def decided(yes: bool | None) -> None:
            if yes:
                self._submit(cmd.AdvancePhase(override=reason is not None))

        self.push_screen(ConfirmScreen("\n".join(lines)), decided)

    def action_release(self) -> None:
        inject = self._selected()
        if inject:
            self._submit(cmd.ReleaseNow(inject=inject))

    def action_hold(self) -> None:
        inject = self._selected()
        if inject:
            held = self.controller.state.injects[inject].held
            self._submit(cmd.Unhold(inject=inject) if held else cmd.Hold(inject=inject))

    def action_skip(self) -> None:
        inject = self._selected()
        if not inject:
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self._submit(cmd.Skip(inject=inject))

        self.push_screen(ConfirmScreen(f"Skip {inject}? It will not be released in this session."), decided)

    def action_adhoc(self) -> None:
        scenario = self.controller.scenario
        known = {c.id for c in scenario.cells} | {p.id for p in scenario.participants} | {"all"}

        def send(command: cmd.Adhoc | None) -> None:
            if command is not None:
                self._submit(command)

        self.push_screen(AdhocScreen(known), send)

    def action_note(self) -> None:
        def add(text: str | None) -> None:
            if text:
                self._submit(cmd.Note(text=text), lambda: self.notify("Note recorded."))

        self.push_screen(TextPrompt("Facilitator note (never shown to players):"), add)

    def action_goto(self) -> None:
        def go(inject_id: str | None) -> None:
            if not inject_id:
                return
            wanted = inject_id.strip()
            state = self.controller.state
            if wanted not in state.injects:
                self.notify(visible(f"No inject {wanted!r} in this scenario."), severity="warning", markup=False)
                return
            table = self.base("#msel", DataTable)
            if wanted not in self._rows:
                self.all_days, self.status_filter = True, None
                self.refresh_views(force=True)
            if wanted not in self._rows:
                self.notify(
                    visible(f"{wanted} is a branch inject whose branch has not been taken."),
                    severity="warning",
                    markup=False,
                )
                return
            self.action_tab("msel-tab")
            table.move_cursor(row=table.get_row_index(wanted))

        self.push_screen(TextPrompt("Go to inject (id):", placeholder="A1-5"), go)

    def action_filter_receiver(self) -> None:
        scenario = self.controller.scenario
        known = {c.id for c in scenario.cells} | {p.id for p in scenario.participants}

        def choose(value: str | None) -> None:
            if value is None:
                return
            wanted = value.strip()
            if wanted.lower() in ("all", "*"):
                self.receiver_filter = None
            elif wanted in known:
                self.receiver_filter = wanted
            else:
                self.notify(
                    visible(f"No cell or delegation {wanted!r}; type an id such as TFPP or THA, or all."),
                    severity="warning",
                    markup=False,
                )
                return
            self.refresh_views(force=True)

        self.push_screen(
            TextPrompt("Show injects for a cell or delegation (all: no filter):", placeholder="TFPP"), choose
        )

    def action_toggle_days(self) -> None:
        self.all_days = not self.all_days
        self.refresh_views(force=True)

    def action_cycle_filter(self) -> None:
        self.status_filter = STATUSES[(STATUSES.index(self.status_filter) + 1) % len(STATUSES)]
        self.refresh_views(force=True)

    def _confirmed(self, question: str, command: cmd.Command) -> None:
        def decided(yes: bool | None) -> None:
            if yes:
                self._submit(command)

        self.push_screen(ConfirmScreen(question), decided)

    def action_end_day(self) -> None:
        self._confirmed(
            f"End day {self.controller.state.day}? The clock stops; resuming starts the next day.", cmd.EndDay()
        )

    def action_hot_wash(self) -> None:
        self._confirmed("Stop play and start the hot wash?", cmd.HotWash())

    def action_end(self) -> None:
        self._confirmed("End the exercise? Nothing more will be accepted.", cmd.End())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "msel":
            self.push_screen(InjectDetail(self.controller, str(event.row_key.value)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:  # the palette is built from the bindings: one list of what the console does
            if isinstance(binding, Binding) and binding.description and binding.action != "quit":
                yield SystemCommand(binding.description, f"key {binding.key}", self._runner(binding.action))

    def _runner(self, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_action(action)

        return run
