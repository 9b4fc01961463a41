"""The participant and evaluator consoles: what a seat may read, its response, request and observation forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
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
from ttx.engine.events import EventRecord, InjectReleased, Rating, RequestAnswered, RequestSent, SeatRole
from ttx.engine.live import deadline_line, scenario_now, standing
from ttx.engine.ports import CommandStatus, StoreError
from ttx.engine.session import SessionReader
from ttx.engine.views import may_see_request, may_see_responses, speakers, time_text, visible_injects
from ttx.model.scenario import PLAYER_CELL_KINDS, Inject
from ttx.text import authored_markdown, markdown_text, one_line, visible
from ttx.tui.common import RATING_WORDS, Banner, BaseScreenQueries, banner, literal, markdown_code
from ttx.tui.drafts import Drafts
from ttx.tui.inject_list import InjectList, ListRow
from ttx.tui.keys import KeyHelp, binding_lines
from ttx.tui.polling import Changes, Poller, SessionPolled
from ttx.tui.request_table import RequestRow, RequestTable


class FormMessage(Label):
    """The line under a form saying what happened; it scrolls itself into view when it changes."""

    DEFAULT_CSS = "FormMessage { width: 100%; }"

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        if str(content):
            self.call_after_refresh(self.screen.scroll_to_widget, self, animate=False)


FIELDS = ("decision", "text", "agencies", "legal_basis", "gaps", "participant")
NO_DECISION = "__none__"
INJECTS, REQUESTS, EEG = "injects-tab", "requests-tab", "eeg-tab"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SeatApp(BaseScreenQueries):
    """A console for one seat that joined a session: delegation, cell scribe or evaluator."""

    CSS_PATH = "app.tcss"
    CSS = "#injects-tab #reader { min-width: 44; }"  # the list beside it takes the rest: half of a wider terminal
    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit"),
        Binding("r", "respond", "Respond"),
        Binding("escape", "leave_form", "Back to the list", show=False),
        Binding("1", "tab('injects-tab')", "Injects", show=False),
        Binding("2", "tab('requests-tab')", "Requests (evaluators: EEG)", show=False),
        Binding("j", "next_inject", "Next inject", show=False),
        Binding("k", "previous_inject", "Previous inject", show=False),
        Binding("question_mark", "keys", "Keys"),
        Binding("q", "quit", "Quit"),
        # Taken by the console before the field sees them, so text typed right after Tab goes to the next field.
        Binding("tab", "focus_next", "", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "", show=False, priority=True),
        Binding("enter", "answer_request", "", show=False, priority=True),  # only on the list of requests
    ]

    def __init__(self, client: SessionReader, *, poll: float = 0.25, clock: Callable[[], dt.datetime] = _now) -> None:
        super().__init__()
        self.client = client
        self.poller = Poller(client)
        self.poll_seconds = poll
        self.wall = clock
        """The wall clock (injectable for tests): the scenario time shown runs on from the last event with it."""
        self.drafts = Drafts(client.location, client.seat.seat)
        self.current: str | None = None
        self.seen: set[str] = set()
        self._listed: list[str] = []
        self._loading_form = False
        self._polling = False
        self._shown_options: tuple[str, tuple[str, ...]] | None = None
        self.running: bool | None = None
        """Whether a controller runs the session (None until the first poll says)."""
        self.evaluator = client.seat.role is SeatRole.evaluator
        self.title = one_line(f"ttx {client.seat.role.value} — {client.seat.seat}")

    # ------------------------------------------------------------------ typed parts of the screen
    @property
    def inject_list(self) -> InjectList:
        """The list of released injects."""
        return self.screen_stack[0].query_one("#list", InjectList)

    @property
    def tabs(self) -> TabbedContent:
        """The tabs."""
        return self.screen_stack[0].query_one(TabbedContent)

    @property
    def result(self) -> FormMessage:
        """The line under the response or observation form."""
        return self.screen_stack[0].query_one("#result", FormMessage)

    def _select(self, selector: str) -> Select[str]:
        return self.screen_stack[0].query_one(selector, Select)

    def _input(self, selector: str) -> Input:
        return self.screen_stack[0].query_one(selector, Input)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Banner(id="banner")
        yield Label("", id="status")
        with TabbedContent(initial=INJECTS):
            with TabPane("Injects", id=INJECTS), Horizontal():
                yield InjectList(id="list")
                with VerticalScroll(id="reader"):
                    yield Markdown("", id="inject")
                    yield Label("", id="deadline")
                    yield Markdown("", id="earlier")
                    yield from self._form()
            if self.evaluator:
                with TabPane("EEG", id=EEG), VerticalScroll():
                    yield Markdown(self._eeg_text(), id="eeg")
            else:
                with TabPane("Requests", id=REQUESTS), Vertical():
                    yield RequestTable(id="requests")
                    # Tab goes from the table straight to the first field (the fields scroll into view themselves)
                    with VerticalScroll(classes="form", can_focus=False):
                        yield Label("Send a request to another delegation or working group", classes="formrow")
                        yield Select([], id="recipient", prompt="to delegation or working group")
                        yield Input(
                            placeholder="kind, e.g. mutual legal assistance, information, consular access", id="kind"
                        )
                        yield Input(placeholder="what you ask (Enter sends)", id="ask")
                        yield Input(placeholder="answer to the highlighted request (Enter sends)", id="answer")
                        yield FormMessage("", id="request-status")
        yield Footer()

    def _form(self) -> ComposeResult:
        with Vertical(classes="form", id="form"):
            yield Label("", id="form-for")
            if self.evaluator:
                yield Select([], id="capability", prompt="capability")
                yield Select([], id="task", prompt="critical task (optional)")
                yield Select(
                    [(f"{r.value} — {RATING_WORDS.get(r.value, '')}", r.value) for r in Rating],
                    id="rating",
                    prompt="rating P/S/M/U or NO",
                )
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
        lines += ["", "## Ratings", *[f"- **{key}** {words}" for key, words in RATING_WORDS.items()]]
        return "\n".join(lines)

    def on_mount(self) -> None:
        state = self.client.state
        assert state.scenario is not None
        if self.evaluator:
            self._select("#capability").set_options(
                [(literal(f"{c.id} {c.name}", single_line=True), c.id) for c in state.scenario.capabilities]
            )
        else:
            own = set(speakers(state, self.client.seat))
            others = [
                (literal(f"{p.id} {p.name}", single_line=True), p.id)
                for p in state.scenario.participants
                if p.id not in own
            ] + [
                (literal(f"{c.id} {c.name} (working group)", single_line=True), c.id)
                for c in state.scenario.cells
                if c.kind in PLAYER_CELL_KINDS and c.id != self.client.seat.cell
            ]
            self._select("#recipient").set_options(others)
            if self.client.seat.role is SeatRole.scribe:
                self._select("#participant").set_options(
                    [(literal(p, single_line=True), p) for p in speakers(state, self.client.seat)]
                )
        self.seen = self.drafts.seen()
        self._render_all()
        self.inject_list.focus()
        # The timers belong to the banner: they stop with the screen, never firing into a console being closed.
        timers = self.base("#banner", Banner)
        timers.set_interval(self.poll_seconds, self._poll)
        timers.set_interval(1.0, self._tick_clock)
        self._poll()

    # ------------------------------------------------------------------ updates
    def _closing_down(self) -> bool:
        """Whether the console is closing: a poll or tick that arrives now has nothing left to draw on."""
        return self._exit or not self.screen_stack or not self.is_running

    def _poll(self) -> None:
        if self._polling or not self.is_running:
            return
        self._polling = True
        self._read_session()

    @work(thread=True, exclusive=True, group="session-poll", exit_on_error=False)
    def _read_session(self) -> None:
        """Read the session in a thread (store I/O and the controller's heartbeat stay off the UI thread)."""
        try:
            changes = self.poller.read()
        except StoreError:  # a store that cannot be read now is read again at the next poll
            changes = None
        self.post_message(SessionPolled(changes if changes is not None else Changes(running=bool(self.running))))

    @on(SessionPolled)
    def _apply_poll(self, message: SessionPolled) -> None:
        self._polling = False
        if self._closing_down():
            return
        changes = message.changes
        new = self.poller.apply(changes)
        self._controller_seen(changes.running)
        settled: FormMessage | None = None
        for command_id, outcome in changes.outcomes.items():
            command = self.client.pending.pop(command_id, None)
            if command is not None:
                settled = self._settled(command, outcome.status is CommandStatus.recorded, outcome.reason, command_id)
        if new:
            self._announce(new)
            self._render_all()
        else:
            self._render_status()
        if settled is not None and settled.id == "result" and self.tabs.active == INJECTS:
            # The message is the last line of the reader; what the same poll adds above it (this response among the
            # responses so far) lays out later. Anchored, the reader stays at its end until the person scrolls.
            # (After the message's own scroll into view, which would release an anchor set before it.)
            self.call_after_refresh(self.base("#reader", VerticalScroll).anchor)

    def _submit(self, command: cmd.Command) -> int:
        return self.poller.submit(command)

    def _controller_seen(self, running: bool) -> None:
        if running == self.running:
            return
        if self.running is not None:
            if running:
                self.notify("The facilitator console is running again.", title="Controller resumed", timeout=8)
            else:
                self.notify(
                    "The facilitator console stopped: what you submit is queued and recorded when it returns.",
                    title="Controller stopped",
                    severity="warning",
                    timeout=12,
                )
        self.running = running
        self._tick_clock()  # the clock stops and starts with the controller

    def _announce(self, new: list[EventRecord]) -> None:
        """A notice for every new inject, request to this seat, and answer to a request of this seat."""
        state = self.client.state
        visible_now = set(visible_injects(state, self.client.seat))
        mine = self._parties()
        for record in new:
            event = record.event
            if isinstance(event, InjectReleased) and event.inject in visible_now:
                inject = state.inject(event.inject)
                self.notify(one_line(f"{inject.id}: {inject.title}"), title="New inject", timeout=8, markup=False)
            elif (
                isinstance(event, RequestSent)
                and event.recipient in mine
                and not self.evaluator
                and may_see_request(state, self.client.seat, event)
            ):
                self.notify(
                    one_line(f"{event.sender} asks {event.recipient} ({event.kind}): {event.text}")[:200],
                    title="New request — press 2",
                    timeout=10,
                    markup=False,
                )
            elif isinstance(event, RequestAnswered) and not self.evaluator:
                request = state.requests.get(event.request)
                if request is not None and request.event.sender in mine:
                    self.notify(
                        one_line(f"{event.by} answered {event.request}: {event.text}")[:200],
                        title="Answer to your request — press 2",
                        timeout=10,
                        markup=False,
                    )

    def _tick_clock(self) -> None:
        """Every second: the scenario clock on the banner and the deadline countdown run on."""
        if self._closing_down():
            return
        self._render_banner()
        self._render_deadline()

    def _scenario_now(self) -> int:
        """The scenario time shown: run on from the last event while a controller runs, held while none does."""
        if self.running is False:
            return self.client.state.at
        return scenario_now(self.client.state, self.wall())

    def _render_banner(self) -> None:
        state = self.client.state
        assert state.scenario is not None
        who = self.client.seat.participant or self.client.seat.cell or self.client.seat.seat
        self.base("#banner", Banner).update(
            banner(
                state.scenario.exercise.tlp,
                state.scenario.exercise.title,
                f"{self.client.seat.role.value} {who}",
                time_text(self._scenario_now(), state),
                standing(state),
            )
        )

    def _render_status(self) -> None:
        state = self.client.state
        if self.running is False:
            controller = Text(" · facilitator console closed: what you submit is queued", style="bold yellow")
        else:
            controller = Text("")
        line = literal(f"day {state.day or '-'} · phase {state.phase or '-'}", single_line=True)
        line.append_text(controller)
        self.base("#status", Label).update(line)

    def _render_all(self) -> None:
        self._render_banner()
        self._render_status()
        self._render_list()
        if not self.evaluator:
            self._render_requests()
        if self.current is None and self._listed:
            self._open(self._listed[0])
        elif self.current is not None:
            self._render_reader()

    def _render_list(self) -> None:
        state = self.client.state
        self._listed = visible_injects(state, self.client.seat)
        rows = [
            ListRow(i, self._list_time(state.injects[i].released_at or 0), state.inject(i).title) for i in self._listed
        ]
        self.inject_list.show(rows, self._unread_injects(), self.current)
        self._label_tabs()

    def _list_time(self, at: int) -> str:
        """A release time for the list: ``17:00`` on the current day, ``D1 17:00`` otherwise."""
        shown = time_text(at, self.client.state)
        day, _, clock = shown.partition(" ")
        return clock if day == f"D{self.client.state.day}" else shown

    def _unread_injects(self) -> set[str]:
        return {i for i in self._listed if i not in self.seen}

    def _request_marks(self) -> set[str]:
        """The requests to this seat and the answers to its requests, as keys of what it has seen."""
        if self.evaluator:
            return set()
        mine = self._parties()
        marks = set()
        state = self.client.state
        seen = set(visible_injects(state, self.client.seat))
        for request_id, request in state.requests.items():
            if not may_see_request(state, self.client.seat, request.event, seen):
                continue
            if request.event.recipient in mine:
                marks.add(f"request:{request_id}")
            if request.event.sender in mine and request.answer is not None:
                marks.add(f"answer:{request_id}")
        return marks

    def _label_tabs(self) -> None:
        tabs = self.tabs
        unread = len(self._unread_injects())
        tabs.get_tab(INJECTS).label = Text(f"Injects ({unread} new)" if unread else "Injects")
        if not self.evaluator:
            if tabs.active == REQUESTS:
                self._mark_seen(self._request_marks())
            waiting = len(self._request_marks() - self.seen)
            tabs.get_tab(REQUESTS).label = Text(f"Requests ({waiting} new)" if waiting else "Requests")

    def _mark_seen(self, keys: Iterable[str]) -> None:
        fresh = [key for key in keys if key not in self.seen]
        for key in fresh:
            self.seen.add(key)
            self.drafts.mark_seen(key)

    def _open(self, inject_id: str) -> None:
        if self.current is not None and not self.evaluator:
            self._save_draft()
        self.current = inject_id
        self.inject_list.selected = inject_id
        self.base("#reader", VerticalScroll).anchor(False)  # another inject is read from its top
        if self.tabs.active == INJECTS:
            self._mark_seen([inject_id])  # read only when shown: not while the seat is on another tab
        self._render_reader()
        self._load_form()
        self.inject_list.mark_unread(self._unread_injects())
        self._label_tabs()

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
            authored_markdown(inject.body or ""),
        ]
        if inject.questions:
            lines += ["", "**Discussion questions**", *[f"- {md(q)}" for q in inject.questions]]
        if inject.options:
            lines += ["", "**Decision options**", *[f"- {markdown_code(o.id)} {md(o.label)}" for o in inject.options]]
        self.base("#inject", Markdown).update("\n".join(lines))
        self._render_deadline()
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
        what = "Observation on" if self.evaluator else "Your response to"
        self.base("#form-for", Label).update(literal(f"{what} {self.current}", style="bold", single_line=True))
        if self.evaluator:
            return
        decision = self._select("#decision")
        options = [(literal(f"{o.id} — {o.label}", single_line=True), o.id) for o in inject.options]
        shown = (self.current, tuple(o.id for o in inject.options))
        if self._shown_options != shown:
            self._shown_options = shown
            keep = decision.value
            decision.set_options(options)
            if keep != Select.NULL and any(o.id == keep for o in inject.options):
                decision.value = keep
        decision.display = bool(inject.options)

    def _render_deadline(self) -> None:
        if self.current is None:
            return
        line = deadline_line(self.client.state, self.current, self._scenario_now())
        label = self.base("#deadline", Label)
        style = "bold red" if line and "overdue" in line else "bold"
        label.update(literal(line or "", style=style, single_line=True))
        label.display = line is not None

    def _render_requests(self) -> None:
        state = self.client.state
        mine = self._parties()
        seen = set(visible_injects(state, self.client.seat))
        rows = [
            RequestRow(
                request_id,
                request.event.sender,
                request.event.recipient,
                request.event.kind,
                request.event.text,
                request.answer.text if request.answer else None,
            )
            for request_id, request in state.requests.items()
            if (request.event.sender in mine or request.event.recipient in mine)
            and may_see_request(state, self.client.seat, request.event, seen)
        ]
        self.screen_stack[0].query_one("#requests", RequestTable).show(rows)

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
                self._input(f"#{name}").value = draft.get(name, "")
            decision = self._select("#decision")
            decision.value = draft["decision"] if draft.get("decision") else Select.NULL
        finally:
            self.call_after_refresh(self._form_loaded)
        self.result.update("")

    def _form_loaded(self) -> None:
        self._loading_form = False  # the Changed messages of filling the form have been handled

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
            self._select("#task").set_options(
                [
                    (literal(f"{t} {text}", single_line=True), t)
                    for t, text in zip(capability.task_ids(), capability.critical_tasks, strict=True)
                ]
            )
        elif event.select.id in FIELDS:
            self._save_draft()

    def on_inject_list_selected(self, message: InjectList.Selected) -> None:
        if message.inject_id != self.current:
            self._open(message.inject_id)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == INJECTS and self.current is not None:
            self._mark_seen([self.current])
            self.inject_list.mark_unread(self._unread_injects())
        self._label_tabs()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter answers a request only on the list of requests (elsewhere it is the field's or the list's own)."""
        if action == "answer_request":
            focused = self.focused
            return isinstance(focused, RequestTable) and focused.row_count > 0
        return True

    def action_answer_request(self) -> None:
        """Enter on a request: to the answer field, which answers the highlighted request.

        Taken by the console before the list sees it, so an answer typed right after Enter lands in its field.
        """
        self._focus(self._input("#answer"))

    @on(DataTable.RowSelected, "#requests")
    def _answer_chosen(self) -> None:
        """A click on the highlighted request, likewise."""
        self._focus(self._input("#answer"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "ask":
            self._send_request()
        elif event.input.id == "answer":
            self._answer_request()

    def action_submit(self) -> None:
        result = self.result
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
        self._submit(
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
                if self.running is not False
                else "Queued: it will be recorded when the facilitator console runs.",
                style="yellow",
            )
        )
        self._focus(self.inject_list)  # a key typed next is a command, not more text in the draft

    def _submit_observation(self, result: Label) -> None:
        capability = self._select("#capability").value
        rating = self._select("#rating").value
        task = self._select("#task").value
        if capability == Select.NULL or rating == Select.NULL:
            result.update(Text("Choose a capability and a rating.", style="bold red"))
            return
        self._submit(
            cmd.Observe(
                capability=str(capability),
                task=None if task == Select.NULL else str(task),
                rating=Rating(str(rating)),
                note=self._input("#note").value,
                inject=self.current,
            )
        )
        result.update(Text("Sent; waiting for the controller…", style="yellow"))
        self._focus(self.inject_list)

    def _parties(self) -> set[str]:
        """Who this seat speaks or listens for in requests: its delegations, and the working groups they sit in."""
        state = self.client.state
        assert state.scenario is not None
        seat = self.client.seat
        mine = set(speakers(state, seat))
        if seat.cell is not None:
            mine.add(seat.cell)
        mine.update(cell for p in state.scenario.participants if p.id in mine for cell in p.cells)
        return mine

    def _send_request(self) -> None:
        status = self.base("#request-status", Label)
        recipient = self._select("#recipient").value
        text = self._input("#ask").value.strip()
        if recipient == Select.NULL or not text:
            status.update(Text("Choose a delegation or working group and write the request.", style="bold red"))
            return
        participant = None
        if self.client.seat.role is SeatRole.scribe:
            chosen = self._select("#participant").value
            # a scribe who has not chosen a delegation asks for the working group itself
            participant = None if chosen == Select.NULL else str(chosen)
        kind = self._input("#kind").value.strip() or "information"
        self._submit(cmd.SendRequest(recipient=str(recipient), request_kind=kind, text=text, participant=participant))
        self._input("#ask").value = ""
        status.update(Text("Request sent; waiting for the controller…", style="yellow"))

    def _answer_request(self) -> None:
        status = self.base("#request-status", Label)
        table = self.base("#requests", DataTable)
        text = self._input("#answer").value.strip()
        if not table.row_count or not text:
            status.update(Text("Highlight a request addressed to you and write the answer.", style="bold red"))
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        participant = None
        if self.client.seat.role is SeatRole.scribe:
            recipient = self.client.state.requests[str(row_key.value)].event.recipient
            participant = None if recipient == self.client.seat.cell else recipient  # the working group answers itself
        self._submit(cmd.AnswerRequest(request=str(row_key.value), text=text, participant=participant))
        self._input("#answer").value = ""
        status.update(Text("Answer sent; waiting for the controller…", style="yellow"))

    def _settled(self, command: cmd.Command, recorded: bool, reason: str, command_id: int) -> FormMessage:
        """Say what became of a command of this seat, under its form and in a notice; returns the form's message."""
        label_id = "#request-status" if isinstance(command, cmd.SendRequest | cmd.AnswerRequest) else "#result"
        label = self.base(label_id, FormMessage)
        what = {"respond": "Response", "request": "Request", "answer": "Answer", "observe": "Observation"}.get(
            command.kind, "Command"
        )
        about = f" for {command.inject}" if isinstance(command, cmd.Respond) else ""
        self.notify(
            f"{what} recorded{about}." if recorded else visible(f"{what}{about} rejected: {reason}"),
            severity="information" if recorded else "error",
            markup=False,  # a rejection reason may quote what the seat typed
        )
        if recorded:
            done = Text(f"Recorded: your {what.lower()}{about} is in the exercise log.", style="bold green")
            label.update(done)
            if isinstance(command, cmd.Respond):
                self.drafts.clear(command.inject)
                if command.inject == self.current:
                    self._load_form()
                    label.update(done)
            elif isinstance(command, cmd.Observe):
                self._input("#note").value = ""
                self._select("#rating").value = Select.NULL
        else:
            label.update(literal(f"Rejected: {reason}", style="bold red"))
        return label

    def action_tab(self, tab: str) -> None:
        if tab == REQUESTS and self.evaluator:
            tab = EEG
        self.tabs.active = tab
        # Focus goes into the tab shown: a focused widget left in a hidden tab would switch it back.
        target = {INJECTS: "#list", REQUESTS: "#requests", EEG: "#eeg"}[tab]
        widget = self.screen_stack[0].query_one(target)
        if widget.can_focus:
            self._focus(widget)
        else:
            self.screen_stack[0].set_focus(None)

    def _focus(self, widget: Widget) -> None:
        """Move the focus now, not after the keys already typed: they go where the person now looks."""
        self.screen_stack[0].set_focus(widget)

    def action_respond(self) -> None:
        """Jump to the first field of the form for the inject being read."""
        if self.tabs.active != INJECTS:
            self.action_tab(INJECTS)
        self._focus(self.base("#note" if self.evaluator else "#text"))

    def action_leave_form(self) -> None:
        """Esc: leave the form for the list (what was typed stays in the draft)."""
        if self.tabs.active == INJECTS:
            self._focus(self.inject_list)
        else:
            self._focus(self.base("#requests", DataTable))

    def action_next_inject(self) -> None:
        self.inject_list.action_cursor_down()

    def action_previous_inject(self) -> None:
        self.inject_list.action_cursor_up()

    def action_keys(self) -> None:
        """Show every key of the console."""
        notes = [
            "In a text field, letters and digits are typed into it: press Esc first to use a key above.",
            "● marks an inject you have not opened; the tab labels count what is new.",
        ]
        self.push_screen(KeyHelp(binding_lines(self), notes))

    def on_unmount(self) -> None:
        with self.poller.lock:
            self.client.close()  # drafts are already on disk: every keystroke saved them
