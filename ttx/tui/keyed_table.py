"""A table whose rows are keyed by id and which redraws itself once per batch of changes (MSEL, ratings)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.events import Resize
from textual.widgets import DataTable


class KeyedTable(DataTable[Text | str]):
    """Rows keyed by an id, the cursor a whole row; changes and resizes queue one redraw (``_draw``)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._widths: tuple[int, ...] = ()
        self._queued = False

    @property
    def highlighted(self) -> str | None:
        """The key of the row under the cursor (None when the table is empty)."""
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return str(row_key.value)

    @on(Resize)
    def _resized(self) -> None:
        self._queue()

    def _queue(self) -> None:
        """Redraw once, after the messages already waiting (however many changes arrive meanwhile)."""
        if not self._queued:
            self._queued = True
            self.call_later(self._redraw)

    def _redraw(self) -> None:
        """Draw what is queued (nothing when a redraw already ran)."""
        if not self._queued:
            return
        self._queued = False
        self._draw()

    def _draw(self) -> None:
        raise NotImplementedError
