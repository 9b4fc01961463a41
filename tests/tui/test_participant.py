"""Participant and evaluator consoles driven with Pilot: need-to-know, responses, drafts, requests, observations."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.widgets import DataTable, Input, Select, TextArea

from ttx.engine import commands as cmd
from ttx.engine.events import Rating
from ttx.engine.session import SessionReader
from ttx.store.sqlite import SqliteStore
from ttx.text import one_line
from ttx.tui.inject_list import EXPANDED_LINES, whole_title
from ttx.tui.participant import SeatApp

from .conftest import Live
from .waiting import Watch


def listed(app: SeatApp) -> list[str]:
    table = app.query_one("#list", DataTable)
    return [str(table.get_row_at(row)[2]) for row in range(table.row_count)]


def label(app: SeatApp, selector: str) -> str:
    return str(app.query_one(selector).render())


async def test_a_delegation_sees_only_what_was_released_to_it(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(9)  # D1 17:00: N1-1 … N1-4 released
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XCA"]), poll=0.05)
    watch = Watch()
    async with app.run_test(size=(100, 32), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        assert listed(app) == ["N1-4", "N1-5", "N1-3", "N1-2"]  # PWG and 'all'; newest first; not DWG alone
        assert "TLP:AMBER" in label(app, "#banner") and "delegation XCA" in label(app, "#banner")
        live.act(cmd.ReleaseNow(inject="N3-2"))  # to PWG: XCA receives it
        live.act(cmd.ReleaseNow(inject="N2-2"))  # AMBER+STRICT to XAR and XBO: XCA must not
        await watch.polled(pilot)
        assert listed(app) == ["N3-2", "N1-4", "N1-5", "N1-3", "N1-2"]
        assert [text for text in watch.titled("New inject") if "N3-2" in text] == [
            "N3-2: Returns and stays, thirty days on"
        ]
        assert "N2-2" not in listed(app) and not [text for text in watch.titled("") if "N2-2" in text]


async def test_response_is_recorded_and_shown(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(9)
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=0.05)
    watch = Watch()
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        table = app.query_one("#list", DataTable)
        table.move_cursor(row=listed(app).index("N1-4"))
        await pilot.wait_for_scheduled_animations()
        await pilot.press("ctrl+s")
        assert "Write a response or choose a decision" in label(app, "#result")
        await pilot.press("r")
        await pilot.press(*"Board; q1 r2")
        assert app.query_one("#text", TextArea).text == "Board; q1 r2"
        await pilot.press("ctrl+s")
        assert "choose one of the options" in label(app, "#result")
        app.query_one("#decision", Select).value = "board"
        app.query_one("#legal_basis", Input).value = "Flag-state consent"
        await pilot.press("ctrl+s")
        await pilot.wait_for_scheduled_animations()
        live.controller.process_commands()
        await watch.until(pilot, lambda: "Recorded" in label(app, "#result"), "the recorded response")
        assert live.controller.state.decisions["N1-4"].option == "board"
        assert "Board; q1 r2" in str(app.query_one("#earlier").source)  # type: ignore[attr-defined]
        assert app.query_one("#text", TextArea).text == "", "the form is cleared once recorded"


async def test_rejections_are_shown_inline(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(9)
    live.act(cmd.End())
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=0.05)
    watch = Watch()
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        app.query_one("#list", DataTable).move_cursor(row=listed(app).index("N1-1"))
        await pilot.wait_for_scheduled_animations()
        await pilot.press("r", *"late")
        await pilot.press("ctrl+s")
        live.controller.process_commands()
        await watch.until(pilot, lambda: "Rejected" in label(app, "#result"), "the rejection")
        assert "Rejected: the exercise has ended" in label(app, "#result")
        assert watch.titled("") == ["Response for N1-1 rejected: the exercise has ended"]


async def test_drafts_survive_closing_the_console(live: Live) -> None:
    live.act(cmd.Start())
    first = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=0.05)
    async with first.run_test(size=(100, 40)) as pilot:
        await pilot.press("r", *"half-written")
        await pilot.wait_for_scheduled_animations()
    second = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=0.05)
    async with second.run_test(size=(100, 40)) as pilot:
        await pilot.wait_for_scheduled_animations()
        assert second.query_one("#text", TextArea).text == "half-written"
        assert "●" not in str(second.query_one("#list", DataTable).get_row_at(0)[0]), "opened injects stay read"


async def test_requests_between_delegations(live: Live) -> None:
    live.act(cmd.Start())
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=0.05)
    watch = Watch()
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        await pilot.press("2")
        app.query_one("#recipient", Select).value = "XBO"
        app.query_one("#kind", Input).value = "mutual legal assistance"
        app.query_one("#ask", Input).focus()
        await pilot.press(*"Interview records", "enter")
        live.controller.process_commands()
        await watch.until(pilot, lambda: "Recorded" in label(app, "#request-status"), "the recorded request")
        request = next(iter(live.controller.state.requests.values()))
        assert (request.event.sender, request.event.recipient, request.event.kind) == (
            "XAR",
            "XBO",
            "mutual legal assistance",
        )
        assert app.query_one("#requests", DataTable).row_count == 1


async def test_scribe_must_say_who_it_records_for(live: Live) -> None:
    live.act(cmd.Start())
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["scribe:DWG"]), poll=0.05)
    watch = Watch()
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        await pilot.press("r", *"note")
        await pilot.press("ctrl+s")
        assert "Choose the delegation you are recording for" in label(app, "#result")
        app.query_one("#participant", Select).value = "XDU"
        await pilot.press("ctrl+s")
        live.controller.process_commands()
        await watch.until(pilot, lambda: "Recorded" in label(app, "#result"), "the recorded response")
        response = live.controller.state.responses["N1-1"][0]
        assert (response.participant, response.cell, response.seat) == ("XDU", "DWG", "scribe:DWG")


async def test_evaluator_sees_all_but_red_and_records_observations(live: Live) -> None:
    live.act(cmd.Start())
    live.advance(9)
    live.act(cmd.Adhoc(id="SECRET", to=["XAR"], tlp="RED", title="Named source"))
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["evaluator:1"]), poll=0.05)
    watch = Watch()
    async with app.run_test(size=(100, 40), message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        assert "SECRET" not in listed(app) and {"N1-1", "N1-3", "N1-5"} <= set(listed(app))
        app.query_one("#capability", Select).value = "C1"
        await pilot.wait_for_scheduled_animations()
        app.query_one("#task", Select).value = "C1.2"
        app.query_one("#rating", Select).value = "S"
        app.query_one("#note", Input).value = "Boarding decided late"
        await pilot.press("ctrl+s")
        live.controller.process_commands()
        await watch.until(pilot, lambda: "Recorded" in label(app, "#result"), "the recorded observation")
        observation = live.controller.state.observations[0].event
        assert (observation.capability, observation.task, observation.rating) == ("C1", "C1.2", Rating.S)
        assert observation.inject == listed(app)[0]
        await pilot.press("2")
        await pilot.wait_for_scheduled_animations()
        assert "C4" in str(app.query_one("#eeg").source)  # type: ignore[attr-defined]


async def test_form_messages_are_brought_into_view_in_a_small_terminal(live: Live) -> None:
    live.act(cmd.Start())
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XAR"]), poll=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.wait_for_scheduled_animations()
        await pilot.press("ctrl+s")
        await pilot.wait_for_scheduled_animations()
        reader, result = app.query_one("#reader"), app.query_one("#result")
        assert "Write a response or choose a decision" in label(app, "#result")
        assert reader.region.contains_region(result.region), "the message must be on screen, not below the fold"
        await pilot.press("r")
        await pilot.wait_for_scheduled_animations()
        assert reader.region.contains_region(app.query_one("#text").region)


async def test_the_recorded_message_stays_in_view_when_the_responses_above_it_grow(live: Live) -> None:
    live.act(cmd.Start())
    app = SeatApp(SessionReader(SqliteStore(live.path), live.codes["delegation:XBO"]), poll=0.05)
    watch = Watch()
    async with app.run_test(size=(100, 30), message_hook=watch) as pilot:
        await pilot.press("r", *"The Borelian centre takes the case", "ctrl+s")
        live.controller.process_commands()
        await watch.until(pilot, lambda: "Recorded" in label(app, "#result"), "the recorded response")
        await watch.until(pilot, lambda: "Responses so far" in str(app.query_one("#earlier").source), "the response")  # type: ignore[attr-defined]
        await pilot.wait_for_scheduled_animations()
        reader, result = app.query_one("#reader"), app.query_one("#result")
        assert reader.region.contains_region(result.region), "the confirmation is on screen, not pushed below it"


@settings(max_examples=200, deadline=None)
@given(title=st.text(min_size=1, max_size=600), width=st.integers(min_value=1, max_value=120))
def test_a_highlighted_title_is_shown_whole_or_cut_with_an_ellipsis_in_the_lines_it_is_given(
    title: str, width: int
) -> None:
    console = Console(width=200, file=io.StringIO(), force_terminal=True)
    text, lines = whole_title(title, width, console)
    written = one_line(title)
    assert text.plain == written or (text.plain.endswith("…") and written.startswith(text.plain[:-1]))
    assert 1 <= lines <= EXPANDED_LINES
    assert len(console.render_lines(text, console.options.update(width=width))) == lines, "the row fits the title"
