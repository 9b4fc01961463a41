"""The seat's inject list: rows keyed by inject id; it says which inject the person chose with its own message."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.text import Text
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from ttx.text import one_line
from ttx.tui.common import cell

UNREAD = "●"
EXPANDED_LINES = 6
"""At most this many lines for the title of the highlighted inject (a longer title ends in an ellipsis)."""
NARROW = 44
"""Below this width the list leaves out the release time (the reader beside it shows it)."""


def whole_title(title: str, width: int, console: Console) -> tuple[Text, int]:
    """``title`` on one line of text to wrap at ``width`` cells, and the lines it takes.

    At most :data:`EXPANDED_LINES` lines: a longer title is cut where they end, with an ellipsis.
    """
    width = max(1, width)
    shown = one_line(title)
    probe = shown[: width * EXPANDED_LINES * 4 + 1]  # enough to know it is too long without wrapping all of it
    lines = len(Text(probe).wrap(console, width))
    if lines > EXPANDED_LINES or len(probe) < len(shown):
        keep = min(len(shown), width * EXPANDED_LINES)
        while keep > 0 and len(Text(shown[:keep] + "…").wrap(console, width)) > EXPANDED_LINES:
            keep -= max(1, width // 2)
        shown = shown[: max(keep, 0)] + "…"
        lines = len(Text(shown).wrap(console, width))
    return Text(shown, overflow="fold", end=""), lines


@dataclass(frozen=True, slots=True)
class ListRow:
    """One inject as the list shows it."""

    id: str
    time: str
    title: str


class InjectList(DataTable[Text]):
    """Released injects, newest first. Selection is by inject id: a re-sorted list keeps the reader on its inject.

    Ids and times are never cut; titles get the rest of the width, cut with an ellipsis on one line, except on the
    highlighted row, which grows to show its whole title. The list takes half the width of the terminal beside its
    reader (the reader keeps enough for the response form in a small terminal).

    The parent pushes rows in with :meth:`show`; a person moving the cursor produces :class:`Selected`.
    """

    DEFAULT_CSS = """
    InjectList { width: 1fr; min-width: 34; max-width: 110; border-right: solid $accent; }
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
        self._expanded: str | None = None
        self._title_width = 10

    def on_mount(self) -> None:
        self.add_column(" ", key="mark", width=1)
        self.add_column("time", key="time", width=8)
        self.add_column("id", key="id", width=4)
        self.add_column("title", key="title", width=self._title_width)

    def show(self, rows: list[ListRow], unread: set[str], selected: str | None) -> None:
        """Show ``rows`` (newest first) with ``unread`` marked; keep the cursor on ``selected`` wherever it moved."""
        self.selected = selected
        if rows != self._rows:
            self._rows = list(rows)
            self._expanded = None
            self.clear()
            for row in rows:
                self.add_row(self._mark(row.id in unread), cell(row.time), cell(row.id), self._title(row), key=row.id)
            self._fit()
            if selected is not None and selected in self.rows:
                self.move_cursor(row=self.get_row_index(selected), animate=False)
            self._expand_cursor_row()
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

    @staticmethod
    def _title(row: ListRow) -> Text:
        """A title on one line, cut with an ellipsis where the column ends."""
        return Text(one_line(row.title), no_wrap=True, overflow="ellipsis", end="")

    def _expand_cursor_row(self) -> None:
        """Give the highlighted row the lines its whole title needs; the row it leaves goes back to one line."""
        if not self.row_count:
            self._expanded = None
            return
        current = str(self.coordinate_to_cell_key(self.cursor_coordinate)[0].value)
        by_id = {row.id: row for row in self._rows}
        changed = False
        if self._expanded is not None and self._expanded != current and self._expanded in by_id:
            self.rows[RowKey(self._expanded)].height = 1
            self.update_cell(self._expanded, "title", self._title(by_id[self._expanded]), update_width=True)
            changed = True
        if current in by_id:
            text, lines = whole_title(by_id[current].title, self._title_width, self.app.console)
            row = self.rows[RowKey(current)]
            if row.height != lines or self._expanded != current:
                row.height = lines
                self.update_cell(current, "title", text, update_width=True)  # redraws with the new row heights
                changed = True
        self._expanded = current
        if changed:
            self.move_cursor(row=self.cursor_row, animate=False)  # the grown row is brought into view whole

    def _fit(self) -> None:
        """Ids and times at their full width; the title gets what is left."""
        if not self._rows:
            return
        columns = self.columns
        width = self.scrollable_content_region.width
        id_width = max(len(r.id) for r in self._rows)
        time_width = max(len(r.time) for r in self._rows)
        if width < NARROW:
            time_width = 0  # a narrow list gives the time's room to the title (the reader shows the time)
        columns[self.ordered_columns[1].key].width = time_width
        columns[self.ordered_columns[2].key].width = id_width
        spare = width - (1 + time_width + id_width) - 4 * 2 * self.cell_padding - 1
        self._title_width = max(8, spare)
        columns[self.ordered_columns[3].key].width = self._title_width
        self._require_update_dimensions = True  # DataTable has no public way to resize a column
        self.refresh(layout=True)

    def on_resize(self, event: Resize) -> None:
        self._fit()
        if self._expanded is not None:
            self._expanded, current = None, self._expanded
            self.rows[RowKey(current)].height = 1
        self._expand_cursor_row()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is not self:
            return
        event.stop()
        if event.row_key is None or event.row_key.value is None or not self.row_count:
            return
        current, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        if current != event.row_key:
            return  # posted while the list was rebuilt: the cursor has since gone back to its inject
        self._expand_cursor_row()
        inject_id = str(event.row_key.value)
        if inject_id != self.selected:
            self.selected = inject_id
            self.post_message(self.Selected(inject_id))
