"""The participant and evaluator consoles: what a seat may read, its response, request and observation forms."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Label,
    Markdown,
    Select,
    TabbedContent,
    TabPane,
    TextArea,
)

from ttx.engine import commands as cmd
from ttx.engine.events import InjectReleased, Rating, SeatRole
from ttx.engine.ports import CommandStatus
from ttx.engine.session import SessionReader
from ttx.engine.views import may_see_responses, speakers, time_text, visible_injects
from ttx.model.scenario import Inject
from ttx.text import markdown_text, one_line, visible
from ttx.tui.common import Banner, BaseScreenQueries, banner, cell, literal, markdown_code
from ttx.tui.drafts import Drafts


class FormMessage(Label):
    """The line under a form saying what happened; it scrolls itself into view when it changes."""

    DEFAULT_CSS = "FormMessage { width: 100%; }"

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        if str(content):
            self.call_after_refresh(self.screen.scroll_to_widget, self, animate=False)


FIELDS = ("decision", "text", "agencies", "legal_basis", "gaps", "participant")
NO_DECISION = "__none__"


class SeatApp(BaseScreenQueries):
    """A console for one seat that joined a session: delegation, cell scribe or evaluator."""

    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit"),
        Binding("r", "respond", "Respond"),
        Binding("1", "tab('injects-tab')", "Injects", show=False),
        Binding("2", "tab('requests-tab')", "Requests", show=False),
        Binding("j", "next_inject", "Next", show=False),
        Binding("k", "previous_inject", "Previous", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, client: SessionReader, *, poll: float = 0.25) -> None:
        super().__init__()
        self.client = client
        self.poll_seconds = poll
        self.drafts = Drafts(Path(client.location), client.seat.seat)
        self.current: str | None = None
        self.seen: set[str] = set()
        self._listed: list[str] = []
        self._loading_form = False
        self.evaluator = client.seat.role is SeatRole.evaluator
        self.title = one_line(f"ttx {client.seat.role.value} — {client.seat.seat}")

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Banner(id="banner")
        yield Label("", id="status")
        with TabbedContent(initial="injects-tab"):
            with TabPane("Injects", id="injects-tab"), Horizontal():
                yield DataTable(id="list", cursor_type="row")
                with VerticalScroll(id="reader"):
                    yield Markdown("", id="inject")
                    yield Markdown("", id="earlier")
                    yield from self._form()
            if self.evaluator:
                with TabPane("EEG", id="eeg-tab"), VerticalScroll():
                    yield Markdown(self._eeg_text(), id="eeg")
            else:
                with TabPane("Requests", id="requests-tab"), Vertical():
                    yield DataTable(id="requests", cursor_type="row")
                    with VerticalScroll(classes="form"):
                        yield Label("Send a request to another delegation", classes="formrow")
                        yield Select([], id="recipient", prompt="to delegation")
                        yield Input(
                            placeholder="kind, e.g. mutual legal assistance, information, consular access", id="kind"
                        )
                        yield Input(placeholder="what you ask (Enter sends)", id="ask")
                        yield Input(placeholder="answer to the highlighted request (Enter sends)", id="answer")
                        yield FormMessage("", id="request-status")
        yield Footer()

    def _form(self) -> ComposeResult:
        with Vertical(classes="form", id="form"):
            if self.evaluator:
                yield Label("Observation")
                yield Select([], id="capability", prompt="capability")
                yield Select([], id="task", prompt="critical task (optional)")
                yield Select([(r.value, r.value) for r in Rating], id="rating", prompt="rating P/S/M/U or NO")
                yield Input(placeholder="note", id="note")
            else:
                if self.client.seat.role is SeatRole.scribe:
                    yield Select([], id="participant", prompt="recording for delegation")
                yield Select([], id="decision", prompt="decision")
                yield Label("Response")
                yield TextArea(id="text")
                yield Input(placeholder="agencies involved", id="agencies")
                yield Input(placeholder="legal basis", id="legal_basis")
                yield Input(placeholder="gaps or challenges noticed", id="gaps")
            yield Button("Submit (ctrl+s)", id="submit", variant="primary")
            yield FormMessage("", id="result")

    def _eeg_text(self) -> str:
        scenario = self.client.state.scenario
        assert scenario is not None
        md = markdown_text  # scenario text shows as written: no links, HTML or emphasis of its own
        lines = ["# Exercise evaluation guide", ""]
        for objective in scenario.objectives:
            lines.append(f"- **{md(objective.id)}** {md(objective.title)}")
        for capability in scenario.capabilities:
            lines += [
                "",
                f"## {md(capability.id)} · {md(one_line(capability.name))}",
                f"*Target:* {md(capability.target)}",
                "",
            ]
            lines += [
                f"- {markdown_code(task)} {md(text)}"
                for task, text in zip(capability.task_ids(), capability.critical_tasks, strict=True)
            ]
        return "\n".join(lines)

    def on_mount(self) -> None:
        table = self.base("#list", DataTable)
        table.add_columns(" ", "time", "id", "title")
        state = self.client.state
        assert state.scenario is not None
        if self.evaluator:
            self.base("#capability", Select).set_options(
                [(literal(f"{c.id} {c.name}", single_line=True), c.id) for c in state.scenario.capabilities]
            )
        else:
            others = [
                (literal(f"{p.id} {p.name}", single_line=True), p.id)
                for p in state.scenario.participants
                if p.id not in speakers(state, self.client.seat)
            ]
            self.base("#recipient", Select).set_options(others)
            requests = self.base("#requests", DataTable)
            requests.add_columns("id", "from", "to", "kind", "text", "answer")
            if self.client.seat.role is SeatRole.scribe:
                self.base("#participant", Select).set_options(
                    [(literal(p, single_line=True), p) for p in speakers(state, self.client.seat)]
                )
        self.seen = self.drafts.seen()
        self._render_all()
        table.focus()
        self.set_interval(self.poll_seconds, self._poll)

    # ------------------------------------------------------------------ updates
    def _poll(self) -> None:
        if not self.screen_stack:
            return
        with suppress(NoMatches):  # the console is closing: its screen is already being taken down
            self._update()

    def _update(self) -> None:
        new = self.client.refresh()
        for command_id, command, outcome in self.client.settled():
            self._settled(command, outcome.status is CommandStatus.recorded, outcome.reason, command_id)
        if not new:
            return
        visible = set(visible_injects(self.client.state, self.client.seat))
        for record in new:
            event = record.event
            if isinstance(event, InjectReleased) and event.inject in visible:
                inject = self.client.state.inject(event.inject)
                self.notify(one_line(f"{inject.id}: {inject.title}"), title="New inject", timeout=8, markup=False)
        self._render_all()

    def _render_all(self) -> None:
        state = self.client.state
        assert state.scenario is not None
        who = self.client.seat.participant or self.client.seat.cell or self.client.seat.seat
        self.base("#banner", Banner).update(
            banner(
                state.scenario.exercise.tlp,
                state.scenario.exercise.title,
                f"{self.client.seat.role.value} {who}",
                time_text(state.at, state),
                state.lifecycle.value.replace("_", " "),
            )
        )
        running = (
            "" if self.client.controller_running() else " · facilitator console closed: responses are queued and kept"
        )
        self.base("#status", Label).update(
            literal(f"day {state.day or '-'} · phase {state.phase or '-'}{running}", single_line=True)
        )
        self._render_list()
        if not self.evaluator:
            self._render_requests()
        if self.current is None and self._listed:
            self._open(self._listed[0])
        elif self.current is not None:
            self._render_reader()

    def _render_list(self) -> None:
        state = self.client.state
        table = self.base("#list", DataTable)
        injects = visible_injects(state, self.client.seat)
        if injects == self._listed and table.row_count:
            for inject_id in injects:
                table.update_cell(inject_id, table.ordered_columns[0].key, "" if inject_id in self.seen else "●")
            return
        self._listed = injects
        cursor = table.cursor_row
        table.clear()
        for inject_id in injects:
            item = state.injects[inject_id]
            inject = state.inject(inject_id)
            mark = Text("" if inject_id in self.seen else "●", style="bold yellow")
            table.add_row(
                mark, cell(time_text(item.released_at or 0, state)), cell(inject_id), cell(inject.title), key=inject_id
            )
        if injects:
            table.move_cursor(row=min(cursor, len(injects) - 1))
        self._count_unread()

    def _count_unread(self) -> None:
        unread = sum(1 for inject_id in self._listed if inject_id not in self.seen)
        self.base("TabbedContent").get_tab("injects-tab").label = f"Injects ({unread} new)" if unread else "Injects"

    def _open(self, inject_id: str) -> None:
        if self.current is not None and not self.evaluator:
            self._save_draft()
        self.current = inject_id
        if inject_id not in self.seen:
            self.seen.add(inject_id)
            self.drafts.mark_seen(inject_id)
        self._render_reader()
        self._load_form()
        table = self.base("#list", DataTable)
        if inject_id in self._listed:
            table.update_cell(inject_id, table.ordered_columns[0].key, "")
        self._count_unread()

    def _render_reader(self) -> None:
        state = self.client.state
        assert self.current is not None
        inject = state.inject(self.current)
        item = state.injects[self.current]
        md = markdown_text  # scenario, ad-hoc and participant text shows as written: no links, HTML or emphasis
        lines = [
            f"## {md(inject.id)} · {md(one_line(inject.title))}",
            f"**{md(inject.tlp.label)}** · {md(inject.channel.value.replace('_', ' '))}"
            f" · from *{md(one_line(inject.source))}* · {md(time_text(item.released_at or 0, state))}",
            "",
            md(inject.body or ""),
        ]
        if inject.questions:
            lines += ["", "**Discussion questions**", *[f"- {md(q)}" for q in inject.questions]]
        if inject.options:
            lines += ["", "**Decision options**", *[f"- {markdown_code(o.id)} {md(o.label)}" for o in inject.options]]
        if inject.response and inject.response.required:
            lines += [
                "",
                "*A response is required"
                + (
                    f" within {md(str(inject.response.deadline))} (scenario time)*" if inject.response.deadline else "*"
                ),
            ]
        self.base("#inject", Markdown).update("\n".join(lines))
        earlier = [
            r
            for r in state.responses.get(self.current, [])
            if may_see_responses(self.client.seat, r.participant)
            or (self.client.seat.role is SeatRole.scribe and r.cell == self.client.seat.cell)
        ]
        text = ""
        if earlier:
            text = "**Responses so far**\n\n" + "\n".join(
                f"- {md(time_text(r.at, state))} **{md(r.participant)}**"
                + (f" {md('[' + r.decision + ']')}" if r.decision else "")
                + f": {md(r.text)}"
                for r in earlier
            )
        self.base("#earlier", Markdown).update(text)
        if self.evaluator:
            return
        decision = self.base("#decision", Select)
        decision.set_options([(literal(f"{o.id} — {o.label}", single_line=True), o.id) for o in inject.options])
        decision.display = bool(inject.options)

    def _render_requests(self) -> None:
        state = self.client.state
        mine = set(speakers(state, self.client.seat))
        table = self.base("#requests", DataTable)
        table.clear()
        for request_id, request in state.requests.items():
            event = request.event
            if event.sender in mine or event.recipient in mine:
                answer = cell(request.answer.text) if request.answer else Text("open", style="bold yellow")
                table.add_row(
                    cell(request_id),
                    cell(event.sender),
                    cell(event.recipient),
                    cell(event.kind),
                    cell(event.text),
                    answer,
                    key=request_id,
                )

    # ------------------------------------------------------------------ forms and drafts
    def _form_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in FIELDS:
            for widget in self.base_query(f"#{name}"):
                if isinstance(widget, TextArea):
                    values[name] = widget.text
                elif isinstance(widget, Input):
                    values[name] = widget.value
                elif isinstance(widget, Select):
                    values[name] = "" if widget.value == Select.NULL else str(widget.value)
        return values

    def _save_draft(self) -> None:
        if not self.screen_stack:  # a change posted while the console closes: its form is already gone
            return
        if self.current is not None and not self._loading_form:
            self.drafts.put(self.current, self._form_values())

    def _load_form(self) -> None:
        if self.evaluator or self.current is None:
            return
        draft = self.drafts.get(self.current)
        self._loading_form = True
        try:
            self.base("#text", TextArea).text = draft.get("text", "")
            for name in ("agencies", "legal_basis", "gaps"):
                self.base(f"#{name}", Input).value = draft.get(name, "")
            decision = self.base("#decision", Select)
            decision.value = draft["decision"] if draft.get("decision") else Select.NULL
        finally:
            self._loading_form = False
        self.base("#result", Label).update("")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._save_draft()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in FIELDS:
            self._save_draft()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "capability" and event.value != Select.NULL:
            scenario = self.client.state.scenario
            assert scenario is not None
            capability = next(c for c in scenario.capabilities if c.id == event.value)
            self.base("#task", Select).set_options(
                [
                    (literal(f"{t} {text}", single_line=True), t)
                    for t, text in zip(capability.task_ids(), capability.critical_tasks, strict=True)
                ]
            )
        elif event.select.id in FIELDS:
            self._save_draft()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "list" and event.row_key is not None and event.row_key.value != self.current:
            self._open(str(event.row_key.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "ask":
            self._send_request()
        elif event.input.id == "answer":
            self._answer_request()

    def action_submit(self) -> None:
        result = self.base("#result", Label)
        if self.current is None:
            result.update("Nothing to respond to yet.")
            return
        if self.evaluator:
            self._submit_observation(result)
            return
        values = self._form_values()
        inject: Inject = self.client.state.inject(self.current)
        participant = values.get("participant") or None
        if self.client.seat.role is SeatRole.scribe and not participant:
            result.update(Text("Choose the delegation you are recording for.", style="bold red"))
            return
        if not values["text"].strip() and not values.get("decision"):
            result.update(Text("Write a response or choose a decision before submitting.", style="bold red"))
            return
        if inject.options and inject.response and inject.response.required and not values.get("decision"):
            result.update(Text("This inject asks for a decision: choose one of the options.", style="bold red"))
            return
        self.client.submit(
            cmd.Respond(
                inject=self.current,
                participant=participant,
                text=values["text"],
                decision=values.get("decision") or None,
                agencies=values.get("agencies", ""),
                legal_basis=values.get("legal_basis", ""),
                gaps=values.get("gaps", ""),
            )
        )
        result.update(
            Text(
                "Sent; waiting for the controller…"
                if self.client.controller_running()
                else "Queued: it will be recorded when the facilitator console runs.",
                style="yellow",
            )
        )

    def _submit_observation(self, result: Label) -> None:
        capability = self.base("#capability", Select).value
        rating = self.base("#rating", Select).value
        task = self.base("#task", Select).value
        if capability == Select.NULL or rating == Select.NULL:
            result.update(Text("Choose a capability and a rating.", style="bold red"))
            return
        self.client.submit(
            cmd.Observe(
                capability=str(capability),
                task=None if task == Select.NULL else str(task),
                rating=Rating(str(rating)),
                note=self.base("#note", Input).value,
                inject=self.current,
            )
        )
        result.update(Text("Sent; waiting for the controller…", style="yellow"))

    def _send_request(self) -> None:
        status = self.base("#request-status", Label)
        recipient = self.base("#recipient", Select).value
        text = self.base("#ask", Input).value.strip()
        if recipient == Select.NULL or not text:
            status.update(Text("Choose a delegation and write the request.", style="bold red"))
            return
        participant = None
        if self.client.seat.role is SeatRole.scribe:
            chosen = self.base("#participant", Select).value
            if chosen == Select.NULL:
                status.update(Text("Choose (on the Injects tab) the delegation you record for.", style="bold red"))
                return
            participant = str(chosen)
        kind = self.base("#kind", Input).value.strip() or "information"
        self.client.submit(
            cmd.SendRequest(recipient=str(recipient), request_kind=kind, text=text, participant=participant)
        )
        self.base("#ask", Input).value = ""
        status.update(Text("Request sent; waiting for the controller…", style="yellow"))

    def _answer_request(self) -> None:
        status = self.base("#request-status", Label)
        table = self.base("#requests", DataTable)
        text = self.base("#answer", Input).value.strip()
        if not table.row_count or not text:
            status.update(Text("Highlight a request addressed to you and write the answer.", style="bold red"))
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        participant = None
        if self.client.seat.role is SeatRole.scribe:
            participant = self.client.state.requests[str(row_key.value)].event.recipient
        self.client.submit(cmd.AnswerRequest(request=str(row_key.value), text=text, participant=participant))
        self.base("#answer", Input).value = ""
        status.update(Text("Answer sent; waiting for the controller…", style="yellow"))

    def _settled(self, command: cmd.Command, recorded: bool, reason: str, command_id: int) -> None:
        label_id = "#request-status" if isinstance(command, cmd.SendRequest | cmd.AnswerRequest) else "#result"
        label = self.base(label_id, Label)
        what = {"respond": "Response", "request": "Request", "answer": "Answer", "observe": "Observation"}.get(
            command.kind, "Command"
        )
        self.notify(
            f"{what} recorded." if recorded else visible(f"{what} rejected: {reason}"),
            severity="information" if recorded else "error",
            markup=False,  # a rejection reason may quote what the seat typed
        )
        if recorded:
            label.update(Text(f"Recorded (command {command_id}).", style="bold green"))
            if isinstance(command, cmd.Respond):
                self.drafts.clear(command.inject)
                if command.inject == self.current:
                    self._load_form()
                    label.update(Text(f"Recorded (command {command_id}).", style="bold green"))
        else:
            label.update(literal(f"Rejected: {reason}", style="bold red"))

    def action_tab(self, tab: str) -> None:
        if tab == "requests-tab" and self.evaluator:
            tab = "eeg-tab"
        self.base("TabbedContent").active = tab

    def action_respond(self) -> None:
        """Jump to the first field of the form for the inject being read."""
        self.base("#note" if self.evaluator else "#text").focus()

    def action_next_inject(self) -> None:
        self.base("#list", DataTable).action_cursor_down()

    def action_previous_inject(self) -> None:
        self.base("#list", DataTable).action_cursor_up()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Submit", "Submit the form for the inject being read", self.action_submit)
        yield SystemCommand("Next inject", "Read the next inject in the list", self.action_next_inject)
        yield SystemCommand("Previous inject", "Read the previous inject in the list", self.action_previous_inject)

    def on_unmount(self) -> None:
        self.client.close()  # drafts are already on disk: every keystroke saved them
