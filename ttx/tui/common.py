"""Pieces every console shares: literal text, the exercise banner, TLP colours, confirm and text dialogs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar, overload

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import DOMQuery
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from ttx.model.base import Tlp
from ttx.text import one_line, visible

TLP_STYLE = {
    Tlp.RED: "bold white on red",
    Tlp.AMBER_STRICT: "bold black on dark_orange",
    Tlp.AMBER: "bold black on dark_orange",
    Tlp.GREEN: "bold white on green4",
    Tlp.CLEAR: "bold black on white",
}
RATING_WORDS = {
    "P": "performed without challenges",
    "S": "performed with some challenges",
    "M": "performed with major challenges",
    "U": "unable to be performed",
    "NO": "not observed",
}
"""What each rating letter means (HSEEP), in the words evaluators are given."""
STATUS_STYLE = {
    "pending": "dim",
    "due": "bold yellow",
    "held": "bold magenta",
    "skipped": "strike dim",
    "released": "green",
    "required": "bold cyan",
    "answered": "bold green",
    "overdue": "bold red",
}


def literal(text: object, style: str = "", *, single_line: bool = False) -> Text:
    """Scenario or participant text as a widget shows it: exactly as written, never Rich or Textual markup.

    Control characters (ESC, BEL, C1, bidirectional overrides) become visible escapes such as
    ``\\e`` (see :func:`ttx.text.visible`), so nothing a terminal would obey reaches it;
    ``single_line`` escapes newlines too, for a value that must stay on its line (a title, a feed line).
    Give every widget (labels, statics, tables, selects, tabs, logs) a ``Text`` built here, never a
    ``str`` with user text in it: Textual parses a ``str`` as markup.
    """
    shown = one_line(str(text)) if single_line else visible(str(text))
    return Text(shown, style=style)


def cell(value: object, style: str = "") -> Text:
    """A table cell of scenario or participant text: literal, on one line, cropped as Textual crops a plain cell."""
    return Text(one_line(str(value)), style=style, no_wrap=True, end="")


def markdown_code(text: str) -> str:
    """Text as a Markdown code span (an option id), literal whatever backticks or control characters it holds."""
    shown = one_line(text)
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def tlp_text(tlp: Tlp, *, short: bool = False) -> Text:
    """A TLP label in its colour (``short``: without the ``TLP:`` prefix, for a narrow column headed TLP)."""
    label = tlp.label.removeprefix("TLP:") if short else tlp.label
    return Text(f" {label} ", style=TLP_STYLE[tlp])


def banner(tlp: Tlp, *parts: str) -> Text:
    """The line on top of every screen: EXERCISE — TLP:X, then the given parts (shown literally, on one line)."""
    text = Text.assemble(("EXERCISE ", "bold reverse"), tlp_text(tlp))
    for part in parts:
        if part:
            text.append(" │ ", style="dim")
            text.append(one_line(part))
    return text


def screenshot_name(title: str, when: dt.datetime) -> str:
    """A screenshot's file name: the console's title and the local time, safe on every file system."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-") or "ttx"
    return f"{stem}-{when:%Y-%m-%d_%H-%M-%S}.svg"


def write_screenshot(svg: str, folder: Path, name: str) -> tuple[bool, str]:
    """Write an SVG screenshot into ``folder``: (saved, the sentence that says where, or why it was not)."""
    path = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
    except OSError as problem:
        return False, f"Screenshot not saved: cannot write {path}: {problem.strerror or problem}."
    return True, f"Screenshot saved to {path.resolve()}"


def with_own_screenshot(commands: Iterable[SystemCommand], save: Callable[[], object]) -> Iterator[SystemCommand]:
    """Textual's palette commands with its Screenshot (which saves to ~/Downloads, failing silently without one)
    replaced by ``save``."""
    for command in commands:
        if command.title == "Screenshot":
            yield SystemCommand("Screenshot", "Save an SVG screenshot of the screen (says where)", save)
        else:
            yield command


W = TypeVar("W", bound=Widget)


class Console(App[None]):
    """What every console's palette holds: one command per key binding, and a Screenshot that says where it saved."""

    screenshots: Path | None = None
    """Where the palette's Screenshot saves (the current directory when None)."""

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from with_own_screenshot(super().get_system_commands(screen), self.action_screenshot)
        for binding in self.BINDINGS:  # the palette is built from the bindings: one list of what the console does
            if isinstance(binding, Binding) and binding.description and binding.action != "quit":
                yield SystemCommand(binding.description, f"key {binding.key}", self._runner(binding.action))

    def _runner(self, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_action(action)

        return run

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save the screen as SVG in the screenshots folder (a browser gets it as a download) and say where."""
        if self.is_web:
            self.deliver_screenshot(filename, path)
            return
        folder = Path(path) if path else (self.screenshots or Path.cwd())
        name = filename or screenshot_name(self.title, dt.datetime.now())
        self._save_screenshot(self.export_screenshot(), folder, name)

    @work(thread=True, group="files")
    def _save_screenshot(self, svg: str, folder: Path, name: str) -> None:
        saved, said = write_screenshot(svg, folder, name)
        self.call_from_thread(
            self.notify, said, title="Screenshot", severity="information" if saved else "error", markup=False
        )


class BaseScreenQueries(Console):
    """Typed queries against a console's own screen, whatever dialog or palette sits on top of it."""

    @overload
    def base(self, selector: str) -> Widget: ...

    @overload
    def base(self, selector: str, expect: type[W]) -> W: ...

    def base(self, selector: str, expect: type[W] | None = None) -> Widget | W:
        """A widget of the console's own screen (of type ``expect``, checked)."""
        screen = self.screen_stack[0]
        return screen.query_one(selector) if expect is None else screen.query_one(selector, expect)

    def base_query(self, selector: str) -> DOMQuery[Widget]:
        """Widgets of the console's own screen."""
        return self.screen_stack[0].query(selector)


class Banner(Static):
    """The exercise-material banner with the handling label."""

    DEFAULT_CSS = "Banner { height: 1; background: $panel; }"


class ConfirmScreen(ModalScreen[bool]):
    """Ask before a destructive action: y confirms, n or Esc cancels."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(literal(self.question), id="question")
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text (a facilitator note, a speed); Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(literal(self.question))
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")
            yield Label("", id="error", classes="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#error", Label).update("Type something, or press Esc to cancel.")
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
