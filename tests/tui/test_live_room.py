"""What a live room needs from a seat's console: the form stays on its inject, honest unread marks, keys, notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from textual.events import Key
from textual.widgets import DataTable, Input, TabbedContent, TextArea

from ttx.engine import commands as cmd
from ttx.engine.session import SessionReader
from ttx.store.sqlite import SqliteStore
from ttx.tui.drafts import Drafts
from ttx.tui.inject_list import InjectList
from ttx.tui.keys import KeyHelp
from ttx.tui.participant import SeatApp

from .conftest import Live
from .test_hostile_text import screen_text
from .waiting import Watch


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
    watch = Watch()
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        table = app.query_one("#list", DataTable)
        table.move_cursor(row=listed(app).index("N1-2"))
        await pilot.wait_for_scheduled_animations()
        await pilot.press("r", *"half")
        live.act(cmd.Adhoc(id="LATE", to=["XAR"], tlp="GREEN", title="A late arrival"))
        await watch.until(pilot, lambda: "LATE" in listed(app), "the ad-hoc inject in the list")
        await pilot.press(*" and the rest")
        await pilot.wait_for_scheduled_animations()
        assert listed(app)[0] == "LATE", "newest first: every row moved down by one"
        assert app.current == "N1-2" and highlighted(app) == "N1-2"
        assert "N1-2" in shown(app, "#form-for")
        assert app.query_one("#text", TextArea).text == "half and the rest"
        drafts = Drafts(live.path, "delegation:XAR")
        assert drafts.get("N1-2")["text"] == "half and the rest"
        assert drafts.get("LATE") == {} and "LATE" not in drafts.seen()


async def test_new_injects_stay_unread_while_the_seat_is_elsewhere(live: Live) -> None:
    live.act(cmd.Start())
    watch = Watch()
    app = seat(live, "delegation:XAR")
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        tabs = app.query_one(TabbedContent)
        assert str(tabs.get_tab("injects-tab").label) == "Injects"  # N1-1, opened at once
        await pilot.press("2")
        live.act(cmd.Adhoc(id="NEWS", to=["XAR"], tlp="GREEN", title="Press statement"))
        await watch.until(pilot, lambda: "NEWS" in listed(app), "the new inject")
        assert tabs.active == "requests-tab", "a new inject does not pull the seat away"
        assert str(tabs.get_tab("injects-tab").label) == "Injects (1 new)"
        assert "NEWS" not in app.seen and app.current == "N1-1"
        assert watch.titled("New inject") == ["NEWS: Press statement"]
        await pilot.press("1")
        await pilot.wait_for_scheduled_animations()
        assert "NEWS" not in app.seen, "switching back does not open it either"
        assert str(app.query_one("#list", DataTable).get_row("NEWS")[0]) == "●"
        app.query_one(InjectList).move_cursor(row=0)
        await pilot.wait_for_scheduled_animations()
        assert "NEWS" in app.seen and str(tabs.get_tab("injects-tab").label) == "Injects"


async def test_requests_and_answers_are_announced_and_counted(live: Live) -> None:
    live.act(cmd.Start())
    watch = Watch()
    app = seat(live, "delegation:XBO")
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        live.act(cmd.SendRequest(recipient="XBO", request_kind="information", text="Crew list?"), "delegation:XAR")
        tabs = app.query_one(TabbedContent)
        await watch.until(pilot, lambda: str(tabs.get_tab("requests-tab").label) == "Requests (1 new)", "the count")
        assert watch.titled("New request") == ["XAR asks XBO (information): Crew list?"]
        await pilot.press("2")
        await pilot.wait_for_scheduled_animations()
        assert str(tabs.get_tab("requests-tab").label) == "Requests", "seen once the tab is open"
        app.query_one("#recipient").value = "XAR"  # type: ignore[attr-defined]
        app.query_one("#ask").value = "Vessel registry?"  # type: ignore[attr-defined]
        await app.query_one("#ask").action_submit()  # type: ignore[attr-defined]
        await watch.until(pilot, lambda: bool(app.client.pending), "the queued request")
        live.controller.process_commands()
        request = list(live.controller.state.requests)[-1]
        await pilot.press("1")
        live.act(cmd.AnswerRequest(request=request, text="Registry attached"), "delegation:XAR")
        await watch.until(pilot, lambda: bool(watch.titled("Answer to your request")), "the answer notice")
        assert watch.titled("Answer to your request") == [f"XAR answered {request}: Registry attached"]
        assert str(tabs.get_tab("requests-tab").label) == "Requests (1 new)"


async def test_tab_keys_switch_and_stay(live: Live) -> None:
    live.act(cmd.Start())
    for code, second in [("delegation:XAR", "requests-tab"), ("evaluator:1", "eeg-tab")]:
        app = seat(live, code)
        async with app.run_test(size=(100, 40)) as pilot:
            tabs = app.query_one(TabbedContent)
            await pilot.press("2")
            await pilot.wait_for_scheduled_animations()
            assert tabs.active == second
            await pilot.press("1")
            await pilot.wait_for_scheduled_animations()
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
        await pilot.wait_for_scheduled_animations()
        assert app.query_one(TabbedContent).active == "requests-tab"
        assert app.query_one("#text", TextArea).text == "first thoughts", "the tab key typed nothing"


async def test_question_mark_lists_every_key(live: Live) -> None:
    live.act(cmd.Start())
    app = seat(live, "delegation:XAR")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.wait_for_scheduled_animations()
        assert isinstance(app.screen, KeyHelp)
        keys = str(app.screen.query_one("#keys").render())
        for key, words in [("ctrl+s", "Submit"), ("2", "Requests"), ("Esc", "Back to the list"), ("j", "Next")]:
            assert any(key in line and words in line for line in keys.splitlines()), (key, keys)
        await pilot.press("escape")
        await pilot.wait_for_scheduled_animations()
        assert not isinstance(app.screen, KeyHelp)


async def test_a_stopped_controller_is_shown_within_two_seconds(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    live.act(cmd.Start())
    recorded = live.controller.state.wall
    assert recorded is not None
    running = [True]
    watch = Watch()
    app = seat(live, "delegation:XAR", clock=lambda: recorded + dt.timedelta(minutes=30))
    monkeypatch.setattr(app.client, "controller_running", lambda: running[0])
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        await watch.until(pilot, lambda: app.running is True, "the first poll")
        assert "closed" not in shown(app, "#status")
        assert "D1 08:30" in shown(app, "#banner"), "while a controller runs, the clock runs on"
        running[0] = False
        await watch.polled(pilot, "the next poll")
        assert "facilitator console closed" in shown(app, "#status")
        assert watch.titled("Controller stopped")
        assert "D1 08:00" in shown(app, "#banner"), "with no controller the clock shows the last event's time"
        running[0] = True
        await watch.polled(pilot, "the next poll")
        assert "closed" not in shown(app, "#status")
        assert watch.titled("Controller resumed")


async def test_deadline_as_scenario_time_with_a_countdown_and_a_running_clock(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    live.act(cmd.Start())
    live.advance(2)  # N1-2 was released at D1 09:00, to be answered within 03:00
    recorded = live.controller.state.wall
    assert recorded is not None
    wall = [recorded + dt.timedelta(hours=1)]  # an hour of wall time at 1x since the last event: D1 10:00
    app = seat(live, "delegation:XAR", clock=lambda: wall[0])
    monkeypatch.setattr(app.client, "controller_running", lambda: True)  # the facilitator console runs
    watch = Watch()
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        await watch.until(pilot, lambda: app.running is True, "the first poll")
        app.query_one(InjectList).move_cursor(row=listed(app).index("N1-2"))
        await pilot.wait_for_scheduled_animations()
        assert "required by D1 12:00 (scenario time)" in shown(app, "#deadline")
        assert "D1 10:00" in shown(app, "#banner")
        wall[0] += dt.timedelta(seconds=90)  # at 1x, a minute and a half of scenario time
        await watch.until(pilot, lambda: "D1 10:01" in shown(app, "#banner"), "the clock running on (every second)")
        assert "1h 58m left" in shown(app, "#deadline")


async def test_a_request_citing_red_material_reaches_only_seats_that_may_see_it(live: Live) -> None:
    live.act(cmd.Start())
    live.act(cmd.ReleaseNow(inject="N2-5"))  # TLP:RED, to XAR alone
    watch = Watch()
    app = seat(live, "delegation:XBO")
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        live.act(
            cmd.SendRequest(recipient="XBO", request_kind="protection", text="About the crew member", inject="N2-5"),
            "delegation:XAR",
        )
        live.act(cmd.SendRequest(recipient="XBO", request_kind="information", text="Crew list?"), "delegation:XAR")
        tabs = app.query_one(TabbedContent)
        await watch.until(pilot, lambda: str(tabs.get_tab("requests-tab").label) == "Requests (1 new)", "the count")
        await watch.polled(pilot)  # and nothing else arrives
        assert watch.titled("New request") == ["XAR asks XBO (information): Crew list?"]
        requests = app.query_one("#requests", DataTable)
        shown = [str(requests.get_row_at(row)) for row in range(requests.row_count)]
        assert len(shown) == 1 and "Crew list?" in shown[0] and "About the crew member" not in shown[0]
    sender = seat(live, "delegation:XAR")
    async with sender.run_test(size=(100, 40)) as pilot:
        await pilot.wait_for_scheduled_animations()
        await pilot.press("2")
        await pilot.wait_for_scheduled_animations()
        requests = sender.query_one("#requests", DataTable)
        assert requests.row_count == 2, "the sender, who received N2-5, sees both"


async def test_working_groups_ask_and_answer_each_other_from_their_scribe_consoles(live: Live) -> None:
    live.act(cmd.Start())
    asking = seat(live, "scribe:DWG")
    watch = Watch()
    async with asking.run_test(size=(120, 40), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        await pilot.press("2")
        await pilot.wait_for_scheduled_animations()
        asking.query_one("#recipient").value = "PWG"  # type: ignore[attr-defined]
        asking.query_one("#ask").value = "Can PWG take the screening of the passengers?"  # type: ignore[attr-defined]
        await asking.query_one("#ask").action_submit()  # type: ignore[attr-defined]
        await watch.until(pilot, lambda: bool(asking.client.pending), "the queued request")
        live.controller.process_commands()
    request = next(iter(live.controller.state.requests.values()))
    assert (request.event.sender, request.event.recipient) == ("DWG", "PWG")
    answering = seat(live, "scribe:PWG")
    watch = Watch()
    async with answering.run_test(size=(120, 40), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        await pilot.press("2")
        table = answering.query_one("#requests", DataTable)
        await watch.until(pilot, lambda: table.row_count == 1, "the request to the working group")
        answering.query_one("#answer").value = "Yes, from 14:00"  # type: ignore[attr-defined]
        await answering.query_one("#answer").action_submit()  # type: ignore[attr-defined]
        await watch.until(pilot, lambda: bool(answering.client.pending), "the queued answer")
        live.controller.process_commands()
    answered = live.controller.state.requests[request.event.request]
    assert answered.answer is not None and answered.answer.by == "PWG" and answered.answer.text == "Yes, from 14:00"


async def test_the_keyboard_alone_answers_and_sends_requests(live: Live) -> None:
    live.act(cmd.Start())
    live.act(cmd.SendRequest(recipient="XBO", request_kind="information", text="Crew list?"), "delegation:XAR")
    watch = Watch()
    app = seat(live, "delegation:XBO")
    async with app.run_test(size=(100, 24), message_hook=watch) as pilot:
        await pilot.press("2")
        assert isinstance(app.focused, DataTable) and app.focused.id == "requests"
        await pilot.press("enter")  # on the highlighted request: to its answer
        assert app.focused is app.query_one("#answer")
        await pilot.press(*"Attached", "enter")
        await watch.until(pilot, lambda: bool(app.client.pending), "the queued answer")
        live.controller.process_commands()
        await watch.until(pilot, lambda: "Recorded" in shown(app, "#request-status"), "the recorded answer")
        await pilot.press("escape", "tab")  # back to the list, then straight to the form's first field
        assert app.focused is app.query_one("#recipient")
        await pilot.press("enter", *"XCA", "enter", "tab", *"consular access", "tab", *"Visit the crew", "enter")
        await watch.until(pilot, lambda: bool(app.client.pending), "the queued request")
        live.controller.process_commands()
    answered, sent = live.controller.state.requests.values()
    assert answered.answer is not None and (answered.answer.by, answered.answer.text) == ("XBO", "Attached")
    assert (sent.event.sender, sent.event.recipient, sent.event.kind, sent.event.text) == (
        "XBO",
        "XCA",
        "consular access",
        "Visit the crew",
    )


async def test_text_typed_right_after_tab_or_enter_goes_to_the_field_they_lead_to(live: Live) -> None:
    live.act(cmd.Start())
    live.act(cmd.SendRequest(recipient="XBO", request_kind="information", text="Crew list?"), "delegation:XAR")
    app = seat(live, "delegation:XBO")

    def burst(*keys: str) -> None:
        """Keys as a terminal delivers them when typed fast: queued together, before the console handles any."""
        for key in keys:
            app.post_message(Key(key, "\t" if key == "tab" else key))

    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r", *"Boarding")
        burst("tab", *"coast guard")
        await pilot.wait_for_scheduled_animations()
        assert app.query_one("#text", TextArea).text == "Boarding"
        assert app.query_one("#agencies", Input).value == "coast guard"
        await pilot.press("escape", "2", "tab", "enter", *"XCA", "enter", "tab")
        burst(*"consular", "tab", *"Visit")
        await pilot.wait_for_scheduled_animations()
        assert (app.query_one("#kind", Input).value, app.query_one("#ask", Input).value) == ("consular", "Visit")
        await pilot.press("escape")  # to the list of requests
        burst("enter", *"Attached")  # on the request to XBO: its answer
        await pilot.wait_for_scheduled_animations()
        assert app.query_one("#answer", Input).value == "Attached"


ROOM_SIZES = {"80x24": (80, 24), "100x30": (100, 30), "120x40": (120, 40), "160x45": (160, 45), "200x60": (200, 60)}
"""Delegations' laptops, the facilitator's screen and a wide monitor."""
SHIPPED_TITLE = "Allegation that a port official tipped off the smugglers"
"""A title as long as those of the shipped scenarios (MONSOON DRIFT A3-4; they run 25 to 70 characters)."""


def on_list(app: SeatApp) -> str:
    """The words the inject list shows on the screen, in reading order, one space apart."""
    region = app.inject_list.scrollable_content_region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    return " ".join(word for line in lines for word in line[region.x : region.right].split())


def long_handover(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(9)  # D1 17:00: five injects to XAR
    live.act(cmd.Adhoc(id="X-HANDOVER", to=["all"], tlp="AMBER+STRICT", title=SHIPPED_TITLE))


@pytest.mark.parametrize("size", ROOM_SIZES)
async def test_the_highlighted_inject_shows_its_whole_title_and_no_id_or_tlp_label_is_cut(
    live: Live, size: str
) -> None:
    long_handover(live)
    app = seat(live, "delegation:XAR")
    async with app.run_test(size=ROOM_SIZES[size]) as pilot:
        await pilot.wait_for_scheduled_animations()
        assert highlighted(app) == "X-HANDOVER"
        words = on_list(app)
        assert f"X-HANDOVER {SHIPPED_TITLE}" in words, f"the highlighted title is cut: {words!r}"
        for inject_id in listed(app):
            assert f" {inject_id} " in f" {words} ", f"{inject_id} is cut: {words!r}"
        assert "TLP:AMBER+STRICT" in screen_text(app)


async def test_the_row_left_goes_back_to_one_line_and_says_its_title_is_cut(live: Live) -> None:
    long_handover(live)
    app = seat(live, "delegation:XAR")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.wait_for_scheduled_animations()
        await pilot.press("j")
        await pilot.wait_for_scheduled_animations()
        assert highlighted(app) == "N1-4"
        words = on_list(app)
        assert "N1-4 Patrol boat alongside the ferry — decision required" in words
        assert SHIPPED_TITLE not in words and "X-HANDOVER Allegation that a port" in words
        handover = next(line for line in screen_text(app).splitlines() if "X-HANDOVER" in line and "Allegation" in line)
        assert "…" in handover, "a cut title says so"
        await pilot.press("k")
        await pilot.wait_for_scheduled_animations()
        assert f"X-HANDOVER {SHIPPED_TITLE}" in on_list(app)
        await pilot.resize_terminal(80, 24)
        await pilot.wait_for_scheduled_animations()
        assert f"X-HANDOVER {SHIPPED_TITLE}" in on_list(app), "a smaller terminal gives the title more lines"
