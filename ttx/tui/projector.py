"""The projector view (`ttx screen`): what a facilitator puts on the wall, never anything above TLP:GREEN."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Digits, Static

from ttx.engine.live import next_scheduled_release, public_injects, scenario_now, span_text, standing
from ttx.engine.ports import EventStore, StoreError
from ttx.engine.state import ExerciseState, Lifecycle, fold
from ttx.engine.views import time_text
from ttx.model.base import Tlp
from ttx.tui.common import Banner, banner, cell, literal, tlp_text
from ttx.tui.polling import Changes, SessionPolled


class ProjectorApp(App[None]):
    """Big clock, day and lead working group, phase, countdown to the next release, the latest CLEAR/GREEN injects.

    It reads the session and writes nothing; it shows no inject marked above TLP:GREEN, whoever it was sent to.
    """

    CSS = """
    #wallclock { height: 7; }
    #clock { width: auto; margin: 1 2; }
    #where { width: 1fr; padding: 1 2; }
    #public { height: 1fr; }
    """
    BINDINGS = [Binding("q", "quit", "Quit")]

    def __init__(
        self, store: EventStore, *, poll: float = 0.25, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        super().__init__()
        self.store = store
        self.state: ExerciseState = fold(store.events())
        self.poll_seconds = poll
        """Seconds between reads of the session, as on the seat consoles: a poll that finds nothing new reads one
        counter and the controller's heartbeat, so a stopped controller shows within 2 s at little cost."""
        self.wall = clock or (lambda: dt.datetime.now(dt.UTC))
        self._polling = False
        self._shown: list[str] = []
        self.running: bool | None = None
        """Whether a controller runs the session (None until the first poll says): the clock stops with it."""

    def compose(self) -> ComposeResult:
        yield Banner(id="banner")
        with Horizontal(id="wallclock"):
            yield Digits("", id="clock")
            yield Static("", id="where")
        yield DataTable(id="public", cursor_type="none", show_cursor=False)

    def on_mount(self) -> None:
        table = self.query_one("#public", DataTable)
        table.add_column("time", key="time")
        table.add_column("id", key="id")
        table.add_column("TLP", key="tlp")
        table.add_column("title", key="title")
        timers = self.query_one("#banner", Banner)
        timers.set_interval(1.0, self._draw)
        timers.set_interval(self.poll_seconds, self._poll)
        self._draw()

    def _poll(self) -> None:
        if not self._polling and not self._exit:
            self._polling = True
            self._fetch()

    @work(thread=True, exclusive=True, group="session-poll", exit_on_error=False)
    def _fetch(self) -> None:
        try:
            records = list(self.store.events(after=self.state.seq)) if self.store.changed() else []
            running = self.store.writer_active()
        except StoreError:  # a store that cannot be read now is read again at the next poll
            records, running = [], bool(self.running)
        self.post_message(SessionPolled(Changes(records, running=running)))

    @on(SessionPolled)
    def _fold(self, message: SessionPolled) -> None:
        self._polling = False
        new = [r for r in message.changes.records if r.seq > self.state.seq]
        if self._exit:
            return
        if new:
            fold(new, self.state)
        if new or message.changes.running != self.running:
            self.running = message.changes.running
            self._draw()

    def _draw(self) -> None:
        if self._exit or not self.screen_stack:
            return
        state = self.state
        assert state.scenario is not None
        stopped = self.running is False and state.lifecycle is not Lifecycle.closed
        now = state.at if stopped else scenario_now(state, self.wall())  # no controller: the clock does not run
        shown = time_text(now, state)
        where_now = "controller stopped" if stopped else standing(state)
        self.query_one("#banner", Banner).update(
            banner(Tlp.GREEN, state.scenario.exercise.title, "wall view: TLP:CLEAR and TLP:GREEN only", where_now)
        )
        self.query_one("#clock", Digits).update(shown.partition(" ")[2])
        day = next((d for d in state.scenario.days if d.day == state.day), None)
        where = Text()
        where.append_text(literal(shown.partition(" ")[0], style="bold", single_line=True))
        if day is not None:
            where.append_text(literal(f"  day {day.day}: {day.title}", style="bold", single_line=True))
            if day.lead:
                where.append_text(literal(f"  · lead {day.lead}", single_line=True))
        where.append("\n")
        where.append_text(literal(f"phase {state.phase or '-'} · {where_now}", single_line=True))
        upcoming = next_scheduled_release(state, now)
        if upcoming is not None:
            where.append(f"\nnext inject at {time_text(upcoming, state)} — in {span_text(upcoming - now)}")
        self.query_one("#where", Static).update(where)
        public = public_injects(state)
        if public != self._shown:
            self._shown = public
            table = self.query_one("#public", DataTable)
            table.clear()
            for inject_id in public:
                inject = state.inject(inject_id)
                table.add_row(
                    cell(time_text(state.injects[inject_id].released_at or 0, state)),
                    cell(inject_id),
                    tlp_text(inject.tlp),
                    cell(inject.title),
                    key=inject_id,
                )

    def on_unmount(self) -> None:
        self.store.close()
