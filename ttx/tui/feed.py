"""The facilitator's feed: responses, decisions, requests, releases and refusals as they happen, one line each."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import RichLog

from ttx.tui.common import literal
from ttx.tui.control import ControlView


class Feed(RichLog):
    """Appends the feed lines of every view it is given (:attr:`view`, bound by the console); append-only."""

    view: reactive[ControlView | None] = reactive(None, always_update=True, init=False)
    """The controller's latest view: its ``feed`` holds the lines since the one before."""

    def __init__(self, preface: list[str] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id, wrap=True, markup=False, max_lines=5000)
        self.preface = preface or []
        """Lines shown first, dimmed (how seats join)."""

    def on_mount(self) -> None:
        for line in self.preface:
            self.write(literal(line, style="dim", single_line=True))

    def watch_view(self, view: ControlView | None) -> None:
        if view is not None:
            for line in view.feed:
                self.write(line)

    @property
    def texts(self) -> list[str]:
        """Every line as plain text (what a person reads, without colours)."""
        return [strip.text for strip in self.lines]
