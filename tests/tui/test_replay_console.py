"""The replay console: step, jump and change whose view is shown."""

from __future__ import annotations

from textual.widgets import Static

from ttx.analysis.replay import Replay
from ttx.engine import commands as cmd
from ttx.engine.state import fold
from ttx.store.sqlite import SqliteStore
from ttx.tui.replay import ReplayApp

from .conftest import Live


def shown(app: ReplayApp) -> str:
    return str(app.query_one("#state", Static).render())


async def test_replay_console_steps_jumps_and_views(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(10)
    live.act(cmd.Respond(inject="N1-4", decision="board", text="Board her"), "delegation:XAR")
    store = SqliteStore(live.path)
    records = list(store.events())
    store.close()
    app = ReplayApp(Replay(records), "")
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.position == len(records)
        assert "N1-4: board (XAR)" in shown(app)
        await pilot.press("left")
        assert app.position == len(records) - 1
        assert app.seek("N1-3") is None
        app.show()
        assert fold(records[: app.position]).released[-1] == "N1-3"
        assert app.seek("day 1") is None and app.seek("nonsense") is not None
        await pilot.press("v")
        await pilot.press(*"XCA", "enter")
        await pilot.wait_for_scheduled_animations()
        assert "view: delegation:XCA" in shown(app)
        assert app.seek(str(len(records))) is None
        app.show()
        assert "N1-5" in shown(app) and "N1-1" not in shown(app)  # to PWG; to DWG only


async def test_unverified_logs_say_so_on_screen(live: Live) -> None:
    live.act(cmd.Start())
    store = SqliteStore(live.path)
    records = list(store.events())
    store.close()
    app = ReplayApp(Replay(records), "UNVERIFIED LOG: event 3 was altered — shown because --force was given")
    async with app.run_test(size=(120, 40)):
        assert "UNVERIFIED LOG" in str(app.query_one("#banner").render())
