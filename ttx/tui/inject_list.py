"""The seat's inject list: rows keyed by inject id; it says which inject the person chose with its own message."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable

from ttx.tui.common import cell

UNREAD = "●"


@dataclass(frozen=True, slots=True)
class ListRow:
    """One inject as the list shows it."""

    id: str
    time: str
    title: str


class InjectList(DataTable[Text]):
    """Released injects, newest first. Selection is by inject id: a re-sorted list keeps the reader on its inject.

    The parent pushes rows in with :meth:`show`; a person moving the cursor produces :class:`Selected`.
    """

    class Selected(Message):
        """The person moved to another inject."""

        def __init__(self, inject_id: str) -> None:
            super().__init__()
            self.inject_id = inject_id
            """The inject now highlighted."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.selected: str | None = None
        self._rows: list[ListRow] = []
        self._unread: set[str] = set()

    def on_mount(self) -> None:
        self.add_column(" ", key="mark", width=1)
        self.add_column("time", key="time", width=8)
        self.add_column("id", key="id", width=4)
        self.add_column("title", key="title", width=10)

    def show(self, rows: list[ListRow], unread: set[str], selected: str | None) -> None:
        """Show ``rows`` (newest first) with ``unread`` marked; keep the cursor on ``selected`` wherever it moved."""
        self.selected = selected
        if [r.id for r in rows] != [r.id for r in self._rows] or rows != self._rows:
            self._rows = list(rows)
            self.clear()
            for row in rows:
                self.add_row(self._mark(row.id in unread), cell(row.time), cell(row.id), cell(row.title), key=row.id)
            self._fit()
            if selected is not None and selected in self.rows:
                self.move_cursor(row=self.get_row_index(selected), animate=False)
        elif unread != self._unread:
            for row in rows:
                self.update_cell(row.id, "mark", self._mark(row.id in unread))
        self._unread = set(unread)

    def mark_unread(self, unread: set[str]) -> None:
        """Mark ``unread`` injects (and only those) as not yet opened."""
        self.show(self._rows, unread, self.selected)

    @staticmethod
    def _mark(unread: bool) -> Text:
        return Text(UNREAD if unread else "", style="bold yellow")

    def _fit(self) -> None:
        """Ids and times at their full width; the title gets what is left."""
        if not self._rows:
            return
        columns = self.columns
        width = self.scrollable_content_region.width
        id_width = max(len(r.id) for r in self._rows)
        time_width = max(len(r.time) for r in self._rows)
        if width < 44:
            time_width = 0  # a narrow list gives the time's room to the title (the reader shows the time)
        columns[self.ordered_columns[1].key].width = time_width
        columns[self.ordered_columns[2].key].width = id_width
        spare = width - (1 + time_width + id_width) - 4 * 2 * self.cell_padding - 1
        columns[self.ordered_columns[3].key].width = max(8, spare)
        self._require_update_dimensions = True  # DataTable has no public way to resize a column
        self.refresh(layout=True)

    def on_resize(self, event: Resize) -> None:
        self._fit()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is not self:
            return
        event.stop()
        if event.row_key is None or event.row_key.value is None or not self.row_count:
            return
        current, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        if current != event.row_key:
            return  # posted while the list was rebuilt: the cursor has since gone back to its inject
        inject_id = str(event.row_key.value)
        if inject_id != self.selected:
            self.selected = inject_id
            self.post_message(self.Selected(inject_id))
