"""The facilitator's MSEL: injects keyed by id, filtered by day, status and receiver, redrawn in place as play moves."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, TabbedContent

from ttx.collector import collector_paused
from ttx.tui.common import STATUS_STYLE, cell, literal, tlp_text
from ttx.tui.control import ControlView, MselLine
from ttx.tui.keyed_table import KeyedTable

COLUMNS = ("time", "id", "status", "to", "tlp", "title", "resp")
HEADINGS = {"tlp": "TLP"}
NARROW = 120
"""Below this width TLP labels lose their ``TLP:`` prefix, long recipient lists show one name and a day's
list shows times without the day."""
UPCOMING = "▶ "
"""Before the id of the next item the clock releases."""


def short_targets(targets: str, keep: int = 3) -> str:
    """A long recipient list shortened for the table: 'TFPP, THA, IND +4'."""
    items = targets.split(", ")
    return targets if len(items) <= keep + 1 else f"{', '.join(items[:keep])} +{len(items) - keep}"


@dataclass(frozen=True, slots=True)
class Filters:
    """Which injects the MSEL lists."""

    all_days: bool = False
    status: str | None = None
    receiver: str | None = None

    def describe(self, day: int | None) -> str:
        """The tab's words for them: ``day 2, due, TFPP``."""
        scope = "all days" if self.all_days else f"day {day or 1}"
        return "".join([scope, *(f", {f}" for f in (self.status, self.receiver) if f)])


class MselTable(KeyedTable):
    """Every inject the filters let through, in time order; rows are keyed by inject id and the cursor follows its id.

    The console binds :attr:`view` and :attr:`filters`; the table redraws itself when they change,
    updating cells in place when the same injects are listed. Enter on a row posts :class:`Opened`.
    """

    class Opened(Message):
        """The facilitator asked to see an inject in full."""

        def __init__(self, inject_id: str) -> None:
            super().__init__()
            self.inject_id = inject_id
            """The inject under the cursor."""

    view: reactive[ControlView | None] = reactive(None, always_update=True, init=False)
    """The controller's latest view (its ``msel`` is None when nothing in the MSEL changed)."""
    filters: reactive[Filters] = reactive(Filters, init=False)
    """Day or all days, status and receiver filters."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: tuple[MselLine, ...] = ()
        self._day: int | None = None
        self._shown: dict[str, MselLine] = {}

    # ------------------------------------------------------------------ what the console asks
    def listed(self, inject_id: str) -> bool:
        """Whether the inject is in the list as filtered now (after any pending redraw)."""
        self._redraw()
        return inject_id in self._shown

    def show(self, inject_id: str) -> bool:
        """Move the cursor to the inject if it is listed; False if the filters hide it."""
        if not self.listed(inject_id):
            return False
        self.move_cursor(row=self.get_row_index(inject_id), animate=False)
        return True

    def line(self, inject_id: str) -> MselLine | None:
        """The inject's line as last received (whether or not it is listed)."""
        return next((line for line in self._lines if line.id == inject_id), None)

    # ------------------------------------------------------------------ data down
    def watch_view(self, view: ControlView | None) -> None:
        if view is None or view.msel is None:
            return
        self._lines, self._day = view.msel, view.clock.day
        self._queue()

    def watch_filters(self) -> None:
        self._queue()

    # ------------------------------------------------------------------ intent up
    @on(DataTable.RowSelected)
    def _opened(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Opened(str(event.row_key.value)))

    # ------------------------------------------------------------------ drawing
    def _filtered(self) -> list[MselLine]:
        filters, day = self.filters, self._day or 1
        return [
            line
            for line in self._lines
            if (filters.all_days or line.day == day)
            and (filters.status is None or line.status == filters.status)
            and (filters.receiver is None or filters.receiver in line.receivers)
        ]

    def _time(self, line: MselLine, narrow: bool) -> str:
        return line.time.partition(" ")[2] if narrow and not self.filters.all_days else line.time

    def _cells(self, line: MselLine, narrow: bool) -> tuple[Text | str, ...]:
        return (
            cell(self._time(line, narrow)),
            cell(f"{UPCOMING if line.upcoming else ''}{line.id}"),
            Text(line.status, style=STATUS_STYLE.get(line.status, "dim italic")),
            cell(short_targets(line.to, keep=1 if narrow else 3)),
            tlp_text(line.tlp, short=narrow),
            cell(line.title),
            str(line.responses) if line.responses else "",
        )

    def _fit(self, narrow: bool) -> tuple[int, ...]:
        """Time, id, status and TLP at their longest (over every day, so a wide table keeps its columns whatever the
        filters); the title gets the rest."""
        widths = {name: len(HEADINGS.get(name, name)) for name in COLUMNS}
        for line in self._lines:
            widths["time"] = max(widths["time"], len(self._time(line, narrow)))
            widths["id"] = max(widths["id"], len(line.id) + (len(UPCOMING) if line.upcoming else 0))
            widths["status"] = max(widths["status"], len(line.status))
            widths["to"] = max(widths["to"], len(short_targets(line.to, keep=1 if narrow else 3)))
            widths["tlp"] = max(widths["tlp"], len(tlp_text(line.tlp, short=narrow)))
            widths["resp"] = max(widths["resp"], len(str(line.responses)))
        widths["to"] = min(widths["to"], 10 if narrow else 22)
        available = self.scrollable_content_region.width or self.app.size.width
        fixed = sum(width for name, width in widths.items() if name != "title")
        widths["title"] = max(10, available - fixed - len(COLUMNS) * 2 * self.cell_padding - 1)
        return tuple(widths[name] for name in COLUMNS)

    def _redraw(self) -> None:
        """Show the filtered lines: in place when the same injects are listed, else added (and sorted) or rebuilt."""
        with collector_paused():  # thousands of cells, none in a cycle: a full collection would cost more than them
            super()._redraw()

    def _draw(self) -> None:
        narrow = self.app.size.width < NARROW
        widths = self._fit(narrow)
        chosen, cursor = self.highlighted, self.cursor_row
        if widths != self._widths:
            self._widths = widths
            self.clear(columns=True)
            self._shown = {}
            for name, width in zip(COLUMNS, widths, strict=True):
                self.add_column(HEADINGS.get(name, name), key=name, width=width)
        lines = self._filtered()
        wanted = {line.id: line for line in lines}
        if list(wanted) == list(self._shown):
            for key, line in wanted.items():
                if line != self._shown[key]:
                    for column, content in zip(COLUMNS, self._cells(line, narrow), strict=True):
                        self.update_cell(key, column, content)
        elif self._shown and self._shown.keys() <= wanted.keys():
            # A wider filter (a day to all days): add what was hidden, update what changed, put them in time order.
            for key, line in wanted.items():
                old = self._shown.get(key)
                if old is None:
                    self.add_row(*self._cells(line, narrow), key=key)
                elif line != old:
                    for column, content in zip(COLUMNS, self._cells(line, narrow), strict=True):
                        self.update_cell(key, column, content)
            order = {key: index for index, key in enumerate(wanted)}
            self.sort("id", key=lambda shown: order[str(shown).removeprefix(UPCOMING)])
        else:
            self.clear()
            for key, line in wanted.items():
                self.add_row(*self._cells(line, narrow), key=key)
        self._shown = wanted
        if chosen is not None and chosen in wanted:
            self.move_cursor(row=self.get_row_index(chosen), animate=False)  # the same inject, wherever it moved
        elif wanted:
            self.move_cursor(row=min(cursor, len(wanted) - 1), animate=False)


class ControlTabs(TabbedContent):
    """The facilitator's tabs; the MSEL tab says which injects it lists (``MSEL (day 2, due)``), the Ratings tab how
    many ratings evaluators have given (``Ratings (3)``)."""

    view: reactive[ControlView | None] = reactive(None, always_update=True, init=False)
    """The controller's latest view (the day it is)."""
    filters: reactive[Filters] = reactive(Filters, init=False)
    """What the MSEL lists."""
    _rated = 0

    def watch_view(self) -> None:
        self._caption()

    def watch_filters(self) -> None:
        self._caption()

    def _caption(self) -> None:
        day = self.view.clock.day if self.view is not None else None
        label = literal(f"MSEL ({self.filters.describe(day)})", single_line=True)
        tab = self.get_tab("msel-tab")
        if str(tab.label) != label.plain:
            tab.label = label
        if self.view is not None and self.view.ratings and len(self.view.ratings) > self._rated:
            self._rated = len(self.view.ratings)  # (never fewer: ratings are never taken back)
            self.get_tab("ratings-tab").label = f"Ratings ({self._rated})"
