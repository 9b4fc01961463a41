"""The seat's coordination requests: sent and received, with the answer column always in view."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.events import Resize
from textual.widgets import DataTable

from ttx.tui.common import cell

FIXED = ("id", "from", "to", "kind")
SHARED = ("text", "answer")


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One request as the table shows it (``answer`` None: still open)."""

    id: str
    sender: str
    recipient: str
    kind: str
    text: str
    answer: str | None


class RequestTable(DataTable[Text]):
    """Requests keyed by id; the text and the answer share the width the other columns leave."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self._rows: list[RequestRow] = []

    def on_mount(self) -> None:
        for key in FIXED:
            self.add_column(key, key=key)
        for key in SHARED:
            self.add_column(key, key=key, width=12)

    def show(self, rows: list[RequestRow]) -> None:
        """Show ``rows``, keeping the highlighted request highlighted."""
        if rows == self._rows:
            return
        chosen = self.chosen()
        self._rows = list(rows)
        self.clear()
        for row in rows:
            answer = cell(row.answer) if row.answer is not None else Text("open", style="bold yellow")
            self.add_row(
                cell(row.id), cell(row.sender), cell(row.recipient), cell(row.kind), cell(row.text), answer, key=row.id
            )
        if chosen is not None and chosen in self.rows:
            self.move_cursor(row=self.get_row_index(chosen), animate=False)
        self._fit()

    def chosen(self) -> str | None:
        """The id of the highlighted request."""
        if not self.row_count:
            return None
        key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return None if key.value is None else str(key.value)

    def _fit(self) -> None:
        width = self.scrollable_content_region.width
        if not width:
            return
        fixed = sum(max([len(key)] + [len(str(getattr(r, _FIELD[key]))) for r in self._rows]) for key in FIXED)
        spare = width - fixed - len(FIXED + SHARED) * 2 * self.cell_padding - 1
        for column in self.ordered_columns:
            if str(column.key.value) in SHARED:
                column.width = max(12, spare // 2)
                column.auto_width = False
        self._require_update_dimensions = True  # DataTable has no public way to resize a column
        self.refresh(layout=True)

    def on_resize(self, event: Resize) -> None:
        self._fit()


_FIELD = {"id": "id", "from": "sender", "to": "recipient", "kind": "kind"}
