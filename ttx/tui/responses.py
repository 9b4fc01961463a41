"""The full-screen response reader: every response to one inject, in full, one after another or side by side."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ttx.engine.state import ExerciseState
from ttx.engine.views import time_text
from ttx.tui.common import Banner, banner, literal


def response_text(state: ExerciseState, inject_id: str, index: int) -> Text:
    """One response in full: who, when, the decision, the text, agencies, legal basis, gaps (all literal)."""
    response = state.responses[inject_id][index]
    text = Text()
    text.append_text(literal(response.participant, style="bold cyan", single_line=True))
    if response.cell:
        text.append_text(literal(f" (cell {response.cell})", style="cyan", single_line=True))
    text.append(f"  {time_text(response.at, state)}", style="dim")
    if response.seat != f"delegation:{response.participant}":
        text.append_text(literal(f"  recorded by {response.seat}", style="dim", single_line=True))
    if response.decision:
        text.append("\ndecision: ", style="bold")
        text.append_text(literal(response.decision, single_line=True))
    text.append("\n\n")
    text.append_text(literal(response.text or "(no text)"))
    for label, value in (
        ("agencies", response.agencies),
        ("legal basis", response.legal_basis),
        ("gaps", response.gaps),
    ):
        if value:
            text.append(f"\n\n{label}: ", style="bold")
            text.append_text(literal(value))
    return text


class ResponseReader(Screen[None]):
    """Every response to an inject in full, scrollable; ``t`` switches between one after another and side by side."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("t", "toggle_layout", "Side by side / one after another"),
    ]
    DEFAULT_CSS = """
    ResponseReader #responses-body { height: 1fr; layout: vertical; overflow-y: auto; }
    ResponseReader #responses-body.side { layout: horizontal; overflow-x: auto; }
    ResponseReader .response { height: auto; border: round $accent; padding: 0 1; margin-bottom: 1; }
    ResponseReader #responses-body.side .response { width: 1fr; min-width: 40; height: 100%; overflow-y: auto; }
    """

    def __init__(self, state: ExerciseState, inject_id: str) -> None:
        super().__init__()
        self.state = state
        self.inject_id = inject_id

    def compose(self) -> ComposeResult:
        assert self.state.scenario is not None
        inject = self.state.inject(self.inject_id)
        responses = self.state.responses.get(self.inject_id, [])
        yield Banner(
            banner(
                self.state.scenario.exercise.tlp,
                f"responses to {inject.id} · {inject.title}",
                f"{len(responses)} response{'s' if len(responses) != 1 else ''}",
            ),
            id="banner",
        )
        with Container(id="responses-body"):
            if not responses:
                yield Static("No responses yet.", classes="response")
            for index in range(len(responses)):
                with VerticalScroll(classes="response"):
                    yield Static(response_text(self.state, self.inject_id, index))
        yield Footer()

    def action_toggle_layout(self) -> None:
        self.query_one("#responses-body").toggle_class("side")

    def action_close(self) -> None:
        self.dismiss(None)
