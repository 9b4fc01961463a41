"""What a live room needs from a seat's console: the form stays on its inject, honest unread marks, keys, notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent, TextArea

from ttx.engine import commands as cmd
from ttx.engine.session import SessionReader
from ttx.store.sqlite import SqliteStore
from ttx.tui.drafts import Drafts
from ttx.tui.inject_list import InjectList
from ttx.tui.keys import KeyHelp
from ttx.tui.participant import SeatApp

from .conftest import Live


class Notices:
    """Every notice a console posts (captured as messages, not read from private state)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.shown.append((message.notification.title, message.notification.message))

    def titled(self, title: str) -> list[str]:
        return [text for shown_title, text in self.shown if title in shown_title]


async def until(pilot: Pilot[Any], check: Callable[[], bool], what: str, timeout: float = 3.0) -> None:
    """Let the console run until ``check`` holds (the poll worker and its message), failing after ``timeout`` s."""
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def seat(live: Live, code: str, **options: Any) -> SeatApp:
    return SeatApp(SessionReader(SqliteStore(live.path), live.codes[code]), poll=0.05, **options)


def listed(app: SeatApp) -> list[str]:
    table = app.query_one("#list", DataTable)
    return [str(table.get_row_at(row)[2]) for row in range(table.row_count)]


def highlighted(app: SeatApp) -> str:
    table = app.query_one("#list", DataTable)
    key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
    return str(key.value)


def shown(app: SeatApp, selector: str) -> str:
    return str(app.query_one(selector).render())


async def test_a_release_that_resorts_the_list_keeps_the_form_and_draft_on_their_inject(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(9)
    app = seat(live, "delegation:XAR")
    async with app.run_test(size=(100, 40)) as pilot:
        table = app.query_one("#list", DataTable)
        table.move_cursor(row=listed(app).index("N1-2"))
        await pilot.pause()
        await pilot.press("r", *"half")
        live.act(cmd.Adhoc(id="LATE", to=["XAR"], tlp="GREEN", title="A late arrival"))
        await until(pilot, lambda: "LATE" in listed(app), "the ad-hoc inject in the list")
        await pilot.press(*" and the rest")
        await pilot.pause()
        assert listed(app)[0] == "LATE", "newest first: every row moved down by one"
        assert app.current == "N1-2" and highlighted(app) == "N1-2"
        assert "N1-2" in shown(app, "#form-for")
        assert app.query_one("#text", TextArea).text == "half and the rest"
        drafts = Drafts(live.path, "delegation:XAR")
        assert drafts.get("N1-2")["text"] == "half and the rest"
        assert drafts.get("LATE") == {} and "LATE" not in drafts.seen()


async def test_new_injects_stay_unread_while_the_seat_is_elsewhere(live: Live) -> None:
    live.act(cmd.Start())
    notices = Notices()
    app = seat(live, "delegation:XAR")
    async with app.run_test(size=(100, 40), message_hook=notices) as pilot:
        await pilot.pause()
        tabs = app.query_one(TabbedContent)
        assert str(tabs.get_tab("injects-tab").label) == "Injects"  # N1-1, opened at once
        await pilot.press("2")
        live.act(cmd.Adhoc(id="NEWS", to=["XAR"], tlp="GREEN", title="Press statement"))
        await until(pilot, lambda: "NEWS" in listed(app), "the new inject")
        assert tabs.active == "requests-tab", "a new inject does not pull the seat away"
        assert str(tabs.get_tab("injects-tab").label) == "Injects (1 new)"
        assert "NEWS" not in app.seen and app.current == "N1-1"
        assert notices.titled("New inject") == ["NEWS: Press statement"]
        await pilot.press("1")
        await pilot.pause()
        assert "NEWS" not in app.seen, "switching back does not open it either"
        assert str(app.query_one("#list", DataTable).get_row("NEWS")[0]) == "●"
        app.query_one(InjectList).move_cursor(row=0)
        await pilot.pause()
        assert "NEWS" in app.seen and str(tabs.get_tab("injects-tab").label) == "Injects"


async def test_requests_and_answers_are_announced_and_counted(live: Live) -> None:
    live.act(cmd.Start())
    notices = Notices()
    app = seat(live, "delegation:XBO")
    async with app.run_test(size=(100, 40), message_hook=notices) as pilot:
        await pilot.pause()
        live.act(cmd.SendRequest(recipient="XBO", request_kind="information", text="Crew list?"), "delegation:XAR")
        tabs = app.query_one(TabbedContent)
        await until(pilot, lambda: str(tabs.get_tab("requests-tab").label) == "Requests (1 new)", "the count")
        assert notices.titled("New request") == ["XAR asks XBO (information): Crew list?"]
        await pilot.press("2")
        await pilot.pause()
        assert str(tabs.get_tab("requests-tab").label) == "Requests", "seen once the tab is open"
        app.query_one("#recipient").value = "XAR"  # type: ignore[attr-defined]
        app.query_one("#ask").value = "Vessel registry?"  # type: ignore[attr-defined]
        await app.query_one("#ask").action_submit()  # type: ignore[attr-defined]
        await until(pilot, lambda: bool(app.client.pending), "the queued request")
        live.controller.process_commands()
        request = list(live.controller.state.requests)[-1]
        await pilot.press("1")
        live.act(cmd.AnswerRequest(request=request, text="Registry attached"), "delegation:XAR")
        await until(pilot, lambda: bool(notices.titled("Answer to your request")), "the answer notice")
        assert notices.titled("Answer to your request") == [f"XAR answered {request}: Registry attached"]
        assert str(tabs.get_tab("requests-tab").label) == "Requests (1 new)"


async def test_tab_keys_switch_and_stay(live: Live) -> None:
    live.act(cmd.Start())
    for code, second in [("delegation:XAR", "requests-tab"), ("evaluator:1", "eeg-tab")]:
        app = seat(live, code)
        async with app.run_test(size=(100, 40)) as pilot:
            tabs = app.query_one(TabbedContent)
            await pilot.press("2")
            await pilot.pause(0.2)
            assert tabs.active == second
            await pilot.press("1")
            await pilot.pause(0.2)
            assert tabs.active == "injects-tab"


async def test_escape_leaves_the_form_and_submitting_leaves_the_text_box(live: Live) -> None:
    live.act(cmd.Start())
    app = seat(live, "delegation:XAR")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("r", *"first thoughts")
        assert isinstance(app.focused, TextArea)
        await pilot.press("escape")
        assert isinstance(app.focused, InjectList)
        await pilot.press("r", "ctrl+s")
        assert not isinstance(app.focused, TextArea)
        await pilot.press("2")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "requests-tab"
        assert app.query_one("#text", TextArea).text == "first thoughts", "the tab key typed nothing"


async def test_question_mark_lists_every_key(live: Live) -> None:
    live.act(cmd.Start())
    app = seat(live, "delegation:XAR")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeyHelp)
        keys = str(app.screen.query_one("#keys").render())
        for key, words in [("ctrl+s", "Submit"), ("2", "Requests"), ("Esc", "Back to the list"), ("j", "Next")]:
            assert any(key in line and words in line for line in keys.splitlines()), (key, keys)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, KeyHelp)


async def test_a_stopped_controller_is_shown_within_two_seconds(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    live.act(cmd.Start())
    running = [True]
    notices = Notices()
    app = seat(live, "delegation:XAR")
    monkeypatch.setattr(app.client, "controller_running", lambda: running[0])
    async with app.run_test(size=(100, 40), message_hook=notices) as pilot:
        await until(pilot, lambda: app.running is True, "the first poll")
        assert "closed" not in shown(app, "#status")
        running[0] = False
        await until(pilot, lambda: "facilitator console closed" in shown(app, "#status"), "the stop", timeout=2)
        assert notices.titled("Controller stopped")
        running[0] = True
        await until(pilot, lambda: "closed" not in shown(app, "#status"), "the resume", timeout=2)
        assert notices.titled("Controller resumed")


async def test_deadline_as_scenario_time_with_a_countdown_and_a_running_clock(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(2)  # N1-2 was released at D1 09:00, to be answered within 03:00
    recorded = live.controller.state.wall
    assert recorded is not None
    wall = [recorded + dt.timedelta(hours=1)]  # an hour of wall time at 1x since the last event: D1 10:00
    app = seat(live, "delegation:XAR", clock=lambda: wall[0])
    async with app.run_test(size=(100, 40)) as pilot:
        app.query_one(InjectList).move_cursor(row=listed(app).index("N1-2"))
        await pilot.pause()
        assert "required by D1 12:00 (scenario time)" in shown(app, "#deadline")
        assert "D1 10:00" in shown(app, "#banner")
        wall[0] += dt.timedelta(seconds=90)  # at 1x, a minute and a half of scenario time
        await until(pilot, lambda: "D1 10:01" in shown(app, "#banner"), "the clock running on", timeout=2)
        assert "1h 58m left" in shown(app, "#deadline")


async def test_a_request_citing_red_material_reaches_only_seats_that_may_see_it(live: Live) -> None:
    live.act(cmd.Start())
    live.act(cmd.ReleaseNow(inject="N2-5"))  # TLP:RED, to XAR alone
    notices = Notices()
    app = seat(live, "delegation:XBO")
    async with app.run_test(size=(100, 40), message_hook=notices) as pilot:
        await pilot.pause()
        live.act(
            cmd.SendRequest(recipient="XBO", request_kind="protection", text="About the crew member", inject="N2-5"),
            "delegation:XAR",
        )
        live.act(cmd.SendRequest(recipient="XBO", request_kind="information", text="Crew list?"), "delegation:XAR")
        tabs = app.query_one(TabbedContent)
        await until(pilot, lambda: str(tabs.get_tab("requests-tab").label) == "Requests (1 new)", "the count")
        assert notices.titled("New request") == ["XAR asks XBO (information): Crew list?"]
        requests = app.query_one("#requests", DataTable)
        shown = [str(requests.get_row_at(row)) for row in range(requests.row_count)]
        assert len(shown) == 1 and "Crew list?" in shown[0] and "About the crew member" not in shown[0]
    sender = seat(live, "delegation:XAR")
    async with sender.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        requests = sender.query_one("#requests", DataTable)
        assert requests.row_count == 2, "the sender, who received N2-5, sees both"


async def test_working_groups_ask_and_answer_each_other_from_their_scribe_consoles(live: Live) -> None:
    live.act(cmd.Start())
    asking = seat(live, "scribe:DWG")
    async with asking.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        asking.query_one("#recipient").value = "PWG"  # type: ignore[attr-defined]
        asking.query_one("#ask").value = "Can PWG take the screening of the passengers?"  # type: ignore[attr-defined]
        await asking.query_one("#ask").action_submit()  # type: ignore[attr-defined]
        await until(pilot, lambda: bool(asking.client.pending), "the queued request")
        live.controller.process_commands()
    request = next(iter(live.controller.state.requests.values()))
    assert (request.event.sender, request.event.recipient) == ("DWG", "PWG")
    answering = seat(live, "scribe:PWG")
    async with answering.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        table = answering.query_one("#requests", DataTable)
        await until(pilot, lambda: table.row_count == 1, "the request to the working group")
        answering.query_one("#answer").value = "Yes, from 14:00"  # type: ignore[attr-defined]
        await answering.query_one("#answer").action_submit()  # type: ignore[attr-defined]
        await until(pilot, lambda: bool(answering.client.pending), "the queued answer")
        live.controller.process_commands()
    answered = live.controller.state.requests[request.event.request]
    assert answered.answer is not None and answered.answer.by == "PWG" and answered.answer.text == "Yes, from 14:00"
