"""The facilitator's header: the exercise banner, the big scenario clock, speed, wall time and what comes next."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Digits, Static

from ttx.tui.common import Banner
from ttx.tui.control import ClockView, ControlView


class ClockBar(Vertical):
    """Redraws itself from :attr:`view`, which the console binds (``data_bind``) to its own."""

    DEFAULT_CSS = "ClockBar { height: auto; }"

    view: reactive[ControlView | None] = reactive(None, always_update=True, init=False)
    """The controller's latest view: what the banner and the clock say now."""

    def compose(self) -> ComposeResult:
        yield Banner(id="banner")
        with Horizontal(id="clockbar"):
            yield Digits("", id="clock")
            yield Static("", id="clockinfo")

    def on_mount(self) -> None:
        self.watch_view(self.view)

    def watch_view(self, view: ControlView | None) -> None:
        if view is not None and self.is_mounted:
            self._show(view.clock)

    def _show(self, clock: ClockView) -> None:
        self.query_one("#banner", Banner).update(clock.banner)
        self.query_one("#clock", Digits).update(clock.clock)
        self.query_one("#clockinfo", Static).update(clock.info)
