"""The facilitator's dialogs: one inject in full with its responses, one rating in full, and the ad-hoc inject form."""

from __future__ import annotations

import re

from pydantic import ValidationError
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Markdown, Select, Static, TextArea

from ttx.engine import commands as cmd
from ttx.engine.controller import Controller
from ttx.engine.live import deadline_line
from ttx.engine.views import time_text
from ttx.model.base import Tlp
from ttx.model.scenario import Option
from ttx.text import authored_markdown, markdown_text, one_line
from ttx.tui.common import RATING_WORDS, cell, literal, markdown_code
from ttx.tui.control import RATING_STYLE, RatingLine
from ttx.tui.responses import ResponseReader


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
        with self.controller.lock:  # the controller may be stepping in a worker: read it while it stands still
            yield from self._parts()

    def _parts(self) -> ComposeResult:
        state = self.controller.state
        inject = state.inject(self.inject_id)
        item = state.injects[self.inject_id]
        md = markdown_text  # scenario and ad-hoc text shows as written: no links, HTML or emphasis of its own
        lines = [
            f"## {md(inject.id)} · {md(one_line(inject.title))}",
            f"**{md(inject.tlp.label)}** · from *{md(one_line(inject.source))}* · to {md(', '.join(inject.to))}"
            f" · channel {md(inject.channel.value)}",
            "",
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
        with self.controller.lock:
            self.app.push_screen(ResponseReader(self.controller.state, self.inject_id))

    def action_close(self) -> None:
        self.dismiss(None)


class RatingDetail(ModalScreen[None]):
    """One evaluator's rating in full: what was rated, the rating and its meaning, by whom, on which inject, the note."""

    DEFAULT_CSS = "RatingDetail #rating-note { margin: 1 0; }"
    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, rating: RatingLine, title: str, inject: str | None) -> None:
        super().__init__()
        self.rating = rating
        self.title_of_rated = title
        """The capability's or critical task's title."""
        self.inject = inject
        """The inject it was given on, as id and title (None: none named)."""

    def compose(self) -> ComposeResult:
        rating = self.rating
        heading = Text.assemble(
            (rating.rating, RATING_STYLE.get(rating.rating, "bold")),
            f" {RATING_WORDS.get(rating.rating, rating.rating)}",
            ("\n", ""),
            (one_line(f"{rating.rated} · {self.title_of_rated}"), "bold"),
            "\n",
            one_line(f"by {rating.evaluator} at {rating.when}"),
            "\n",
            one_line(f"on {self.inject}") if self.inject else "on no particular inject",
        )
        with VerticalScroll(id="dialog"):
            yield Static(heading, id="rating-heading")
            yield Static(literal(rating.note) if rating.note else Text("(no note)", style="dim"), id="rating-note")
            yield Button("Close (Esc)", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

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
