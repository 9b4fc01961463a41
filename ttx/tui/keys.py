"""The key-help screen (`?`): every binding of the console, so nothing depends on the footer's width."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


def binding_lines(*sources: object) -> list[tuple[str, str]]:
    """(keys, what they do) for every described binding of the given apps, screens or widgets, in footer or not."""
    lines: list[tuple[str, str]] = []
    for source in sources:
        for item in getattr(source, "BINDINGS", []):
            binding = item if isinstance(item, Binding) else Binding(*item)
            if not binding.description:
                continue
            keys = " / ".join(_key_name(key.strip()) for key in binding.key.split(","))
            lines.append((keys, binding.description))
    return lines


NAMES = {
    "question_mark": "?",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
    "space": "space",
    "escape": "Esc",
    "enter": "Enter",
}


def _key_name(key: str) -> str:
    return NAMES.get(key, key)


class KeyHelp(ModalScreen[None]):
    """Every key of the console and what it does; Esc, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, lines: list[tuple[str, str]], notes: list[str] | None = None) -> None:
        super().__init__()
        self.lines = lines
        self.notes = notes or []

    def compose(self) -> ComposeResult:
        text = Text("Keys\n\n", style="bold")
        width = max((len(keys) for keys, _ in self.lines), default=4)
        for keys, description in self.lines:
            text.append(f"{keys:>{width}}", style="bold cyan")
            text.append(f"  {description}\n")
        for note in self.notes:
            text.append(f"\n{note}", style="dim")
        with VerticalScroll(id="dialog"):
            yield Static(text, id="keys")
            yield Button("Close (Esc)", id="close")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
