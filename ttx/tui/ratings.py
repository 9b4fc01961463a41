"""The facilitator's Ratings tab: per capability and critical task, every evaluator's rating so far, latest first."""

from __future__ import annotations

from collections import defaultdict

from rich.text import Text
from textual import on
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from ttx.tui.common import RATING_WORDS, cell
from ttx.tui.control import RATING_STYLE, ControlView, RatingLine, TaskLine, clipped
from ttx.tui.keyed_table import KeyedTable

COLUMNS = ("task", "rating", "when", "inject", "by", "note")
HEADINGS = {"note": "task / note"}
NOTE_CHARS = 400
"""The longest part of a note a row carries (the table crops it to its width; Enter shows it in full)."""
TASK_KEY = "task:"
"""Before the id of a capability's or critical task's heading row (rating rows are keyed by observation id)."""


def legend() -> Text:
    """What the letters mean, in one paragraph: ``P performed without challenges · S …``."""
    text = Text()
    for letter, words in RATING_WORDS.items():
        if text:
            text.append(" · ", style="dim")
        text.append(letter, style=RATING_STYLE[letter])
        text.append(f" {words}")
    return text


class RatingLegend(Static):
    """The line above the ratings that says what each letter means."""

    DEFAULT_CSS = "RatingLegend { height: auto; padding: 0 1; color: $text-muted; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(legend(), id=id)


class RatingsTable(KeyedTable):
    """A heading row per capability and critical task (keyed ``task:C1.2``), its ratings beneath, latest first.

    Rating rows are keyed by observation id and the cursor stays on its row as ratings arrive. The
    console binds :attr:`view` and sets :attr:`tasks` once; Enter on a rating posts :class:`Opened`.
    """

    class Opened(Message):
        """The facilitator asked to read a rating in full."""

        def __init__(self, rating: RatingLine, title: str) -> None:
            super().__init__()
            self.rating = rating
            """The rating under the cursor."""
            self.title = title
            """The title of the capability or critical task it rates."""

    view: reactive[ControlView | None] = reactive(None, always_update=True, init=False)
    """The controller's latest view (its ``ratings`` are None when no new rating came)."""
    tasks: reactive[tuple[TaskLine, ...]] = reactive((), init=False)
    """The capabilities and critical tasks evaluators rate, in the scenario's order."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ratings: tuple[RatingLine, ...] = ()
        """Every rating so far, in the order given."""

    # ------------------------------------------------------------------ data down
    def watch_view(self, view: ControlView | None) -> None:
        if view is None or view.ratings is None or len(view.ratings) < len(self.ratings):
            return  # (fewer: an older view that arrived late; ratings are never taken back)
        self.ratings = view.ratings
        self._queue()

    def watch_tasks(self) -> None:
        self._queue()

    # ------------------------------------------------------------------ intent up
    @on(DataTable.RowSelected)
    def _opened(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value)
        rating = next((r for r in self.ratings if r.id == key), None)
        if rating is not None:
            title = next((t.title for t in self.tasks if t.rated == rating.rated), "")
            self.post_message(self.Opened(rating, title))

    # ------------------------------------------------------------------ drawing
    def _grouped(self) -> list[tuple[str, str, bool, list[RatingLine]]]:
        """(rated id, title, is a capability, its ratings latest first) in the scenario's order."""
        given: dict[str, list[RatingLine]] = defaultdict(list)
        for rating in reversed(self.ratings):
            given[rating.rated].append(rating)
        groups = [(t.rated, t.title, t.task is None, given.pop(t.rated, [])) for t in self.tasks]
        groups += [(rated, "", False, ratings) for rated, ratings in given.items()]  # (none: the engine checks ids)
        return groups

    def _fit(self) -> tuple[int, ...]:
        """Ids, times and seats at their longest, never cut; the note gets the rest."""
        widths = {name: len(HEADINGS.get(name, name)) for name in COLUMNS}
        for task in self.tasks:
            widths["task"] = max(widths["task"], len(task.rated))
        for rating in self.ratings:
            widths["task"] = max(widths["task"], len(rating.rated))
            widths["when"] = max(widths["when"], len(rating.when))
            widths["inject"] = max(widths["inject"], len(rating.inject or ""))
            widths["by"] = max(widths["by"], len(rating.evaluator))
        available = self.scrollable_content_region.width or self.app.size.width
        fixed = sum(width for name, width in widths.items() if name != "note")
        widths["note"] = max(10, available - fixed - len(COLUMNS) * 2 * self.cell_padding - 1)
        return tuple(widths[name] for name in COLUMNS)

    def _draw(self) -> None:
        widths = self._fit()
        chosen, cursor = self.highlighted, self.cursor_row
        if widths != self._widths:
            self._widths = widths
            self.clear(columns=True)
            for name, width in zip(COLUMNS, widths, strict=True):
                self.add_column(HEADINGS.get(name, name), key=name, width=width)
        else:
            self.clear()
        for rated, title, is_capability, ratings in self._grouped():
            if is_capability:
                heading = cell(title, style="bold")
            elif ratings:
                heading = cell(title)
            else:
                heading = Text.assemble(cell(title, style="dim"), (" — not rated yet", "dim italic"))
            self.add_row(cell(rated, style="bold"), "", "", "", "", heading, key=f"{TASK_KEY}{rated}")
            for rating in ratings:
                self.add_row(
                    "",
                    Text(rating.rating, style=RATING_STYLE.get(rating.rating, "bold")),
                    cell(rating.when),
                    cell(rating.inject or "—"),
                    cell(rating.evaluator),
                    Text(clipped(rating.note, NOTE_CHARS), no_wrap=True, end=""),
                    key=rating.id,
                )
        if chosen is not None and chosen in self.rows:
            self.move_cursor(row=self.get_row_index(chosen), animate=False)  # the same row, wherever it moved
        elif self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1), animate=False)
