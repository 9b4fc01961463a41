"""The facilitator console in a live room: a clean stop, honest statuses, full responses, ad-hoc requests, layout."""

from __future__ import annotations

import sys

import pytest
from textual.widgets import Checkbox, Input, Static

from ttx.cli import main
from ttx.engine import commands as cmd
from ttx.engine.events import ClockCheckpoint, SpeedChanged
from ttx.engine.state import fold
from ttx.store.sqlite import SqliteStore
from ttx.tui.facilitator import AdhocScreen, FacilitatorApp, InjectDetail
from ttx.tui.keys import KeyHelp
from ttx.tui.responses import ResponseReader

from .conftest import Live
from .test_facilitator import SLOW, press, question, settle, step
from .test_hostile_text import screen_text


def status(app: FacilitatorApp, inject: str) -> str:
    return str(app.msel.get_cell(inject, "status"))


async def test_a_clean_quit_records_where_the_clock_is(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s")
        live.clock.advance(5)  # five seconds of play with nothing recorded
        await press(pilot, "q")
    records = list(live.controller.store.events())
    assert isinstance(records[-1].event, ClockCheckpoint)
    assert records[-1].at == live.controller.clock.now()


async def test_an_answered_contingency_trigger_is_not_pending_forever(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s")
        live.advance(1)  # D1 09:00: N1-2 is out; N1-2c follows at 12:00 unless both cells answer
        await step(pilot)
        assert status(app, "N1-2c") == "pending"
        live.act(cmd.Respond(inject="N1-2", text="Borelian centre takes the case"), "delegation:XBO")
        live.act(cmd.Respond(inject="N1-2", text="Calvera supports"), "delegation:XCA")
        live.advance(4)  # past the deadline: nothing is released
        await step(pilot)
        assert not live.controller.state.is_released("N1-2c")
        assert status(app, "N1-2c") == "not needed"


async def test_after_end_day_the_banner_says_the_day_ended(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s", "e", "y")
        assert "day 1 ended" in str(app.query_one("#banner").render())


async def test_every_response_can_be_read_in_full(live: Live) -> None:
    long_text = " ".join(f"word{n}" for n in range(900))  # about 6,000 characters
    live.act(cmd.Start())
    live.advance(1)
    live.act(cmd.Respond(inject="N1-2", text=long_text, gaps="No shared register"), "delegation:XBO")
    live.act(cmd.Respond(inject="N1-2", text="Short answer"), "delegation:XCA")
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(InjectDetail(live.controller, "N1-2"))
        await press(pilot, "v")
        assert isinstance(app.screen, ResponseReader)
        shown = [str(s.render()) for s in app.screen.query(Static)]
        assert any(long_text in text and "No shared register" in text for text in shown)
        assert any("Short answer" in text for text in shown)
        await press(pilot, "t")  # side by side
        await press(pilot, "escape")
        assert isinstance(app.screen, InjectDetail)


async def test_an_adhoc_inject_can_ask_for_a_response_by_a_deadline_with_options(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 40)) as pilot:
        await press(pilot, "s", "i")
        assert isinstance(app.screen, AdhocScreen)
        dialog = app.screen
        dialog.query_one("#to", Input).value = "PWG"
        dialog.query_one("#title", Input).value = "Minister asks for a line"
        dialog.query_one("#required", Checkbox).value = True
        dialog.query_one("#deadline", Input).value = "1:3"
        dialog.action_send()
        assert "HH:MM" in str(dialog.query_one("#error").render())
        dialog.query_one("#deadline", Input).value = "01:30"
        dialog.query_one("#options", Input).value = "statement=Issue a statement; silent=Say nothing"
        dialog.action_send()
        await settle(pilot)
        inject = next(iter(live.controller.state.adhoc.values()))
        assert inject.response is not None and inject.response.required
        assert str(inject.response.deadline) == "01:30"
        assert [(o.id, o.label) for o in inject.options] == [
            ("statement", "Issue a statement"),
            ("silent", "Say nothing"),
        ]


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_ids_and_tlp_labels_are_never_cut(live: Live, size: tuple[int, int]) -> None:
    live.act(cmd.Start())
    live.act(cmd.Adhoc(id="X-HANDOVER", to=["all"], tlp="AMBER+STRICT", title="Handover of the crew " * 4))
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = screen_text(app)
        assert "X-HANDOVER" in screen and "AMBER+STRICT" in screen
        line = next(line for line in screen.splitlines() if "X-HANDOVER" in line)
        assert "Handover of the" in line, "the title gets the room that is left"


async def test_question_mark_lists_every_key(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, KeyHelp)
        keys = str(app.screen.query_one("#keys").render())
        for words in ["End day", "Hot wash", "End exercise", "Faster", "Slower", "Cell filter", "Board", "Agenda"]:
            assert words in keys, words


def test_resuming_without_a_speed_keeps_the_sessions_speed(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    live.act(cmd.Start())
    live.act(cmd.SetSpeed(speed=60))
    live.controller.store.close()
    monkeypatch.setattr(FacilitatorApp, "run", lambda self: None)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # `ttx run` opens the console on a terminal
    assert main(["run", "--session", str(live.path)]) == 0
    store = SqliteStore(live.path)
    records = list(store.events())
    store.close()
    assert fold(records).speed == 60
    assert [r.event.speed for r in records if isinstance(r.event, SpeedChanged)] == [60]


def test_a_closed_session_prints_its_summary_instead_of_opening_the_console(
    live: Live, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live.act(cmd.Start())
    live.act(cmd.End())
    live.controller.store.close()

    def refuse(self: FacilitatorApp) -> None:
        raise AssertionError("the console must not open on a closed session")

    monkeypatch.setattr(FacilitatorApp, "run", refuse)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # `ttx run` opens the console on a terminal
    assert main(["run", "--session", str(live.path)]) == 0
    assert "closed" in capsys.readouterr().out.lower()


async def test_advance_says_what_it_releases_and_what_stays_held(live: Live) -> None:
    app = FacilitatorApp(live.controller, tick=SLOW)
    async with app.run_test(size=(110, 32)) as pilot:
        await press(pilot, "s")
        live.act(cmd.Hold(inject="N1-3"))
        await press(pilot, "a")
        asked = question(app)
        state = live.controller.state
        released = "\n".join(f"  {i} · {state.inject(i).title}" for i in ["N1-2", "N1-5", "N1-4"])
        assert f"Released at once (3):\n{released}\n" in asked, asked
        assert f"they stay held until you unhold them) (1):\n  N1-3 · {state.inject('N1-3').title}" in asked
        await press(pilot, "n")
        assert live.controller.state.phase == "crossing" and not live.controller.state.is_released("N1-5")
