"""The facilitator's live board: per cell and per delegation, injects received, answered, overdue, open requests."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import DataTable

from ttx.text import one_line
from ttx.tui.common import cell
from ttx.tui.control import BoardLine, ControlView

COLUMNS = (
    ("delegation", "who", 22),
    ("cells", "cells", 17),
    ("recv", "received", 4),
    ("ans", "answered", 4),
    ("overdue", "overdue", 16),
    ("open req", "requests", 8),
)


class Board(DataTable[Text | str]):
    """Rows keyed by cell (``cell:ID``) and delegation id; redrawn from :attr:`view`, cells updated in place."""

    view: reactive[ControlView | None] = reactive(None, always_update=True, init=False)
    """The controller's latest view (its ``board`` is None when nothing on the board changed)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._shown: dict[str, BoardLine] = {}

    def on_mount(self) -> None:
        for label, key, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def watch_view(self, view: ControlView | None) -> None:
        if view is None or view.board is None:
            return
        wanted = {line.key: line for line in view.board}
        if list(wanted) != list(self._shown):
            self.clear()
            for key, line in wanted.items():
                self.add_row(*self._cells(line), key=key)
        else:
            for key, line in wanted.items():
                if line != self._shown[key]:
                    for (_, column, _), content in zip(COLUMNS, self._cells(line), strict=True):
                        self.update_cell(key, column, content)
        self._shown = wanted

    @staticmethod
    def _cells(line: BoardLine) -> tuple[Text | str, ...]:
        overdue = Text(one_line(", ".join(line.overdue)), style="bold red") if line.overdue else Text("")
        return (
            cell(line.who, style="bold" if line.is_cell else ""),
            cell(line.cells),
            str(line.received),
            str(line.answered),
            overdue,
            str(line.requests_open) if line.requests_open else "",
        )
