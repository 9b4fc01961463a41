"""The agenda of every exercise day, as the scenario plans it."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import DataTable

from ttx.tui.common import cell
from ttx.tui.control import AgendaLine


class Agenda(DataTable[Text | str]):
    """Day, time, until, kind and title of each agenda item; redrawn when :attr:`lines` changes."""

    lines: reactive[tuple[AgendaLine, ...]] = reactive((), init=False)
    """The items, in the scenario's order."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")

    def on_mount(self) -> None:
        self.add_columns("day", "time", "until", "kind", "item")

    def watch_lines(self, lines: tuple[AgendaLine, ...]) -> None:
        self.clear()
        for line in lines:
            self.add_row(str(line.day), cell(line.time), cell(line.until), cell(line.kind), cell(line.title))
