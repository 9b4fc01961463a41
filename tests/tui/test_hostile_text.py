"""Hostile text in every console: Rich markup, terminal control sequences and bidi overrides show as written and break nothing.

Responses, requests, answers, notes, ad-hoc injects and scenario files are data. Each test plays
them through the engine (the controller, or a seat's reader), opens the views that show them and
checks what the widgets render: the console still runs, the text appears literally (``[/bold]``
is on the screen) and no control character reaches the terminal.
"""

from __future__ import annotations

import asyncio
import html
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RichLog, Select, Static

from ttx.analysis.replay import Replay
from ttx.cli_session import join_lines
from ttx.engine import commands as cmd
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.events import Rating
from ttx.engine.session import SessionReader
from ttx.loader.load import load_scenario
from ttx.store.sqlite import SqliteStore
from ttx.tui.common import literal
from ttx.tui.facilitator import AdhocScreen, FacilitatorApp, InjectDetail
from ttx.tui.participant import SeatApp
from ttx.tui.projector import ProjectorApp
from ttx.tui.replay import ReplayApp

from ..helpers import FERRY
from .conftest import Live
from .waiting import Watch

SIZE = (120, 40)

MARKUP = ["[/bold]", "[/]", "[link=x]", "[red]", "[b", "[/red", "]x[", "[[/]]", "[@click=quit]", "[bold_red]"]
"""Rich and Textual markup, balanced or not: each one crashed or vanished when parsed. No spaces, so it stays whole."""

PIECES = [
    "x",
    "\x1b[2J",  # clear the screen
    "\x1b]0;title\x07",  # rename the terminal window
    "\x1b]52;c;Zm9v\x07",  # write the clipboard
    "\x1b[31m",
    "\x9b2J",  # the C1 form of ESC [
    "\x85",
    "\x07",
    "\u202e",  # right-to-left override
    "\u2066",
    "\r\n",
    "\n",
    "\t",
    "<script>alert(1)</script>",
    "*em* _em_ **strong**",
    "# heading",
    "[x](javascript:alert(1))",
    "![i](http://x/i.png)",
    "`code`",
    "| a | b |",
    "w" * 90,  # a very long word
    "Arvenia é 漢字 مرحبا",
    *MARKUP,
]

# NUL is refused by the engine (ttx.text.bounded); braces would be scenario variables in a scenario file
CHARACTERS = st.characters(codec="utf-8", exclude_characters="\x00{}")
HOSTILE_REST = st.lists(st.sampled_from(PIECES) | st.text(CHARACTERS, max_size=8), max_size=5).map(" ".join)

SHOWN_NOWHERE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What a terminal obeys or reorders by: ttx.text.visible turns each into a visible escape."""


@dataclass(frozen=True)
class Hostile:
    """One hostile text per field: ``TAG`` + a markup token, a space, then anything."""

    markup: str
    rest: str

    def text(self, tag: str) -> str:
        return f"{tag}{self.markup} {self.rest}"

    def marker(self, tag: str) -> str:
        """What must be visible wherever ``text(tag)`` is shown: the tag and the markup token, as written."""
        return f"{tag}{self.markup}"


HOSTILE = st.builds(Hostile, st.sampled_from(MARKUP), HOSTILE_REST)
ISSUE = Hostile("[/bold]", "x \x1b[2J \x1b]0;title\x07 \x1b]52;c;Zm9v\x07 \x9b \u202eevil Update [/] fix")
"""The texts of the security issue."""
EVERY_PIECE = Hostile("[/]", " ".join(PIECES))
BATCH = st.lists(HOSTILE, min_size=1, max_size=3)
"""Texts played together in one console session (each field gets every text of the batch, tagged by its index)."""


def tagged(batch: list[Hostile], tag: str) -> list[tuple[Hostile, str]]:
    """Each text of the batch with its own tag for one field: ``RT0``, ``RT1``…"""
    return [(hostile, f"{tag}{index}") for index, hostile in enumerate(batch)]


# ---------------------------------------------------------------------------------------- what is shown


SVG_TEXT = re.compile(
    r'<text [^>]*\bx="([0-9.]+)"[^>]*\btextLength="([0-9.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"[^>]*>(.*?)</text>',
    re.S,
)
"""A run of text in a Rich SVG export: its x, its width (characters times the cell width), its line, its text
(HTML-escaped, spaces written as ``&#160;``)."""


def screen_text(app: App[Any]) -> str:
    """The screen as the terminal receives it, every screen drawn under the top one included: the text of the app's
    own screenshot (``App.export_screenshot``), each run of text put back at its column on its line."""
    lines: dict[int, str] = {}
    for x, width, line, escaped in SVG_TEXT.findall(app.export_screenshot(title="screen")):
        text = html.unescape(escaped.replace("&#160;", " "))
        column = round(float(x) / (float(width) / len(text)))
        before = lines.get(int(line), "")
        lines[int(line)] = before + " " * (column - cell_len(before)) + text.replace("\n", "")  # (a line ends in "\n")
    return "\n".join(lines.get(line, "") for line in range(max(lines, default=-1) + 1))


def cell_text(value: object) -> str:
    """A table cell's text as the table draws it: a ``str`` is Rich markup to a DataTable, anything else is shown as is."""
    if isinstance(value, str):
        return Text.from_markup(value).plain
    return value.plain if isinstance(value, Text) else str(value)


def rendered(app: App[Any]) -> str:
    """Everything the consoles' widgets render, on screen or scrolled away: statics, labels, tabs, toasts, tables, logs."""
    parts = [screen_text(app)]
    for screen in app.screen_stack:
        for widget in screen.query("*"):
            if isinstance(widget, Static):
                parts.append(str(widget.render()))  # a plain str is parsed as markup here, as when it is drawn
            elif isinstance(widget, DataTable):
                for row in range(widget.row_count):
                    for value in widget.get_row_at(row):
                        parts.append(cell_text(value))
            elif isinstance(widget, RichLog):
                parts.extend(strip.text for strip in widget.lines)
    return "\n".join(parts)


def check(app: App[Any], batch: list[Hostile], *tags: str, only: int | None = None) -> str:
    """The console still runs, every tagged text (or the ``only`` one) is shown as written, no control character is rendered."""
    assert app.is_running and app.return_code is None, "the console stopped on an error"  # (raised as run_test ends)
    shown = rendered(app)
    assert not SHOWN_NOWHERE.findall(shown), f"control characters rendered: {set(SHOWN_NOWHERE.findall(shown))!r}"
    for tag in tags:
        for index, (hostile, name) in enumerate(tagged(batch, tag)):
            if only is not None and index != only:
                continue
            assert hostile.marker(name) in shown, f"{hostile.marker(name)!r} is not shown as written"
    return shown


async def shows(pilot: Pilot[Any], watch: Watch, batch: list[Hostile], *tags: str, only: int | None = None) -> str:
    """Let the console run until every tagged text (or the ``only`` one) is on it, then ``check`` it."""

    def there() -> bool:
        text = rendered(pilot.app)
        return all(
            hostile.marker(name) in text
            for tag in tags
            for index, (hostile, name) in enumerate(tagged(batch, tag))
            if only is None or index == only
        )

    await watch.until(pilot, there, f"the texts tagged {', '.join(tags)}")
    return check(pilot.app, batch, *tags, only=only)


async def answer_prompt(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` into the one-line dialog on top and submit it, as Enter does."""
    await pilot.wait_for_scheduled_animations()
    field = pilot.app.screen.query_one(Input)
    field.value = text
    await field.action_submit()
    await pilot.wait_for_scheduled_animations()


# ---------------------------------------------------------------------------------------- sessions


@contextmanager
def session(scenario: Path = FERRY) -> Iterator[Live]:
    """A fresh session file on ``scenario``, started and run to D1 17:00 (N1-1 … N1-4 released)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "session.ttx"
        loaded = load_scenario(scenario)
        store = SqliteStore(path, create=True)
        clock = ManualClock()
        seats = create_session(store, loaded.scenario, loaded.digest, clock)
        live = Live(path, Controller(store, clock), clock, {s.seat: s.code for s in seats})
        live.act(cmd.Start())
        live.advance(9)
        try:
            yield live
        finally:
            store.close()


def adhoc(hostile: Hostile, index: int, to: list[str]) -> cmd.Adhoc:
    """An ad-hoc inject with hostile text in every field a facilitator writes (tags AS, AT, AB, AQ, AO + index)."""
    return cmd.Adhoc.model_validate(
        {
            "to": to,
            "tlp": "AMBER",
            "from": hostile.text(f"AS{index}"),
            "title": hostile.text(f"AT{index}"),
            "body": hostile.text(f"AB{index}"),
            "questions": [hostile.text(f"AQ{index}")],
            "options": [{"id": "act", "label": hostile.text(f"AO{index}")}],
        }
    )


def adhoc_ids(live: Live) -> list[str]:
    return [inject for inject in live.controller.state.injects if inject.startswith("ADHOC")]


def seat_app(live: Live, seat: str) -> SeatApp:
    return SeatApp(SessionReader(SqliteStore(live.path), live.codes[seat]), poll=0.05)


def show_inject(app: SeatApp, inject: str) -> None:
    table = app.query_one("#list", DataTable)
    table.move_cursor(row=table.get_row_index(inject))


HYPOTHESIS = settings(max_examples=2, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
"""Few examples (each a whole console session with up to three texts in every field) keep the file near 30 seconds;
a failure is reported as found, unshrunk (shrinking replays whole sessions for minutes)."""
ADHOC_FIELDS = ("AT", "AB", "AQ", "AO", "AS")


# ---------------------------------------------------------------------------------------- facilitator


@HYPOTHESIS
@given(BATCH)
@example([ISSUE, EVERY_PIECE])
def test_facilitator_console_shows_hostile_text_as_written(batch: list[Hostile]) -> None:
    with session() as live:
        asyncio.run(_facilitator(live, batch))


async def _facilitator(live: Live, batch: list[Hostile]) -> None:
    app = FacilitatorApp(live.controller, tick=0.05)
    watch = Watch()
    async with app.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        for index, hostile in enumerate(batch):  # played while the console runs: the feed gets them live
            live.act(adhoc(hostile, index, ["all"]))
            live.act(
                cmd.Respond(inject="N1-2", text=hostile.text(f"RT{index}"), gaps=hostile.text(f"RG{index}")),
                "delegation:XAR",
            )
            live.act(
                cmd.SendRequest(
                    recipient="XBO", request_kind=hostile.text(f"QK{index}"), text=hostile.text(f"QT{index}")
                ),
                "delegation:XAR",
            )
            request = list(live.controller.state.requests)[-1]
            live.act(cmd.AnswerRequest(request=request, text=hostile.text(f"QA{index}")), "delegation:XBO")
            live.act(cmd.Observe(capability="C1", rating=Rating.P, note=hostile.text(f"ON{index}")), "evaluator:1")
            live.act(cmd.Note(text=hostile.text(f"FN{index}")))
            live.act(cmd.Respond(inject=hostile.text(f"XI{index}"), text="x"), "delegation:XAR")  # refused, quoted
            app.submit(cmd.Adhoc(to=[hostile.text(f"XT{index}")], tlp="AMBER", title="x"))  # refused: a notice
        await shows(pilot, watch, batch, "AT", "XT")  # the MSEL rows of the ad-hoc injects; the notices
        app.action_tab("feed-tab")
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "RT", "QK", "QT", "QA", "XI", "XT", "ON")  # the feed, ratings' notes too

        app.action_tab("msel-tab")
        for index, inject in enumerate(adhoc_ids(live)):
            app.push_screen(InjectDetail(live.controller, inject))
            await pilot.wait_for_scheduled_animations()
            await shows(pilot, watch, batch, *ADHOC_FIELDS, only=index)
            app.pop_screen()
        app.push_screen(InjectDetail(live.controller, "N1-2"))
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "RT", "RG")  # every response side by side
        app.pop_screen()

        last = len(batch) - 1  # (a dialog costs time: the first text goes to one, the last to the other)
        app.action_goto()  # an inject that does not exist: the notice quotes what was typed
        await answer_prompt(pilot, batch[0].text("GO0"))
        app.action_filter_receiver()  # a cell that does not exist, likewise
        await answer_prompt(pilot, batch[last].text(f"CF{last}"))
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "GO", only=0)
        await shows(pilot, watch, batch, "CF", only=last)

        app.action_adhoc()  # an ad-hoc inject to recipients nobody knows: the form says which
        await pilot.wait_for_scheduled_animations()
        assert isinstance(app.screen, AdhocScreen)
        for index, hostile in enumerate(batch):
            app.screen.query_one("#to", Input).value = hostile.text(f"UT{index}").replace(",", " ").replace(";", " ")
            app.screen.action_send()
            error = str(app.screen.query_one("#error", Static).render())
            assert hostile.marker(f"UT{index}") in error and not SHOWN_NOWHERE.search(error)
        app.screen.query_one("#to", Input).value = ""  # (what a person types is the Input's own business)
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "AT")


# ---------------------------------------------------------------------------------------- seats


@HYPOTHESIS
@given(BATCH)
@example([ISSUE, EVERY_PIECE])
def test_seat_consoles_show_hostile_text_as_written(batch: list[Hostile]) -> None:
    with session() as live:
        asyncio.run(_seats(live, batch))


async def _seats(live: Live, batch: list[Hostile]) -> None:
    delegation = seat_app(live, "delegation:XAR")
    watch = Watch()
    async with delegation.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        for index, hostile in enumerate(batch):
            live.act(adhoc(hostile, index, ["all"]))
        await watch.polled(pilot)
        await shows(pilot, watch, batch, "AT")  # the list, and the "New inject" notices
        injects = adhoc_ids(live)
        assert len(injects) == len(batch)
        for index, inject in enumerate(injects):
            show_inject(delegation, inject)
            await pilot.wait_for_scheduled_animations()
            await shows(pilot, watch, batch, *ADHOC_FIELDS, only=index)  # the inject view

        client = delegation.client
        for index, (inject, hostile) in enumerate(zip(injects, batch, strict=True)):
            client.submit(cmd.Respond(inject=inject, decision="act", text=hostile.text(f"RT{index}")))
            client.submit(cmd.Respond(inject="N1-2", text=hostile.text(f"RN{index}")))
            client.submit(
                cmd.SendRequest(
                    recipient="XBO", request_kind=hostile.text(f"QK{index}"), text=hostile.text(f"QT{index}")
                )
            )
            client.submit(cmd.Respond(inject=inject, decision=hostile.text(f"RD{index}"), text="x"))  # refused, quoted
            client.submit(cmd.Respond(inject=hostile.text(f"XI{index}"), text="x"))  # refused, quoted
        live.controller.process_commands()
        await watch.polled(pilot)
        await shows(pilot, watch, batch, "RD", "XI")  # the notices, and the last rejection under the form
        await shows(pilot, watch, batch, "RT", only=len(batch) - 1)  # the responses so far to the inject being read

        for index, hostile in enumerate(batch):
            request = list(live.controller.state.requests)[index]
            live.act(cmd.AnswerRequest(request=request, text=hostile.text(f"QA{index}")), "delegation:XBO")
        delegation.action_tab("requests-tab")
        await watch.polled(pilot)
        await shows(pilot, watch, batch, "QK", "QT", "QA")  # the requests tab

    recipient = seat_app(live, "delegation:XBO")
    watch = Watch()
    async with recipient.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        recipient.action_tab("requests-tab")
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "QK", "QT", "QA")
        recipient.query_one("#answer", Input).value = "again"
        await pilot.press("enter")  # a second answer, through the console's form
        live.controller.process_commands()
        await watch.polled(pilot)
        await shows(pilot, watch, batch, "QK", "QT")

    evaluator = seat_app(live, "evaluator:1")
    watch = Watch()
    async with evaluator.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        for index, (inject, hostile) in enumerate(zip(injects, batch, strict=True)):
            show_inject(evaluator, inject)
            await pilot.wait_for_scheduled_animations()
            shown = await shows(pilot, watch, batch, *ADHOC_FIELDS, only=index)  # the inject
            assert hostile.marker(f"RT{index}") in shown  # and every delegation's response to it
        show_inject(evaluator, "N1-2")
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "RN")
        for index, hostile in enumerate(batch):
            evaluator.client.submit(cmd.Observe(capability="C1", rating=Rating.S, note=hostile.text(f"ON{index}")))
            evaluator.client.submit(cmd.Observe(capability=hostile.text(f"OC{index}"), rating=Rating.S))  # refused
        live.controller.process_commands()
        await watch.polled(pilot)
        await shows(pilot, watch, batch, "OC")

    assert [o.event.note for o in live.controller.state.observations] == [h.text(t) for h, t in tagged(batch, "ON")]


# ---------------------------------------------------------------------------------------- replay


@HYPOTHESIS
@given(BATCH)
@example([ISSUE, EVERY_PIECE])
def test_replay_console_shows_hostile_text_as_written(batch: list[Hostile]) -> None:
    with session() as live:
        for index, hostile in enumerate(batch):
            live.act(adhoc(hostile, index, ["all"]))
            live.act(cmd.Respond(inject="N1-2", text=hostile.text(f"RT{index}")), "delegation:XAR")
            live.act(
                cmd.SendRequest(recipient="XBO", request_kind=hostile.text(f"QK{index}"), text="x"), "delegation:XAR"
            )
            live.act(cmd.Respond(inject=hostile.text(f"XI{index}"), text="x"), "delegation:XAR")
        records = list(live.controller.store.events())
        asyncio.run(_replay(records, batch))


async def _replay(records: list[Any], batch: list[Hostile]) -> None:
    app = ReplayApp(Replay(records), batch[0].text("WN0"))
    watch = Watch()
    async with app.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch[:1], "WN")  # the unverified-log warning on the banner
        app.action_view_as()
        await answer_prompt(pilot, "XAR")
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "AT", "RT")  # the seat's injects and responses
        last = len(batch) - 1
        app.action_goto()
        await answer_prompt(pilot, batch[0].text("GO0"))
        app.action_view_as()
        await answer_prompt(pilot, batch[last].text(f"VA{last}"))
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "GO", only=0)  # the notices quote what was typed
        await shows(pilot, watch, batch, "VA", only=last)


# ---------------------------------------------------------------------------------------- scenario files


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: printable ASCII as is, everything else as an escape."""
    escaped = "".join(
        ("\\" + char if char in '"\\' else char)
        if " " <= char <= "~"
        else (f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        for char in text
    )
    return f'"{escaped}"'


def hostile_scenario(folder: Path, hostile: Hostile) -> Path:
    """NIGHT FERRY with hostile text in the exercise title, a capability, a delegation's name, a day, the agenda and
    injects (N1-1 is TLP:GREEN: on the wall; N1-4 is TLP:AMBER: never on it)."""
    scenario = folder / "night-ferry"
    shutil.copytree(FERRY, scenario)
    yaml = (scenario / "scenario.yaml").read_text(encoding="utf-8")

    def quoted(tag: str) -> str:
        return yaml_string(hostile.text(f"{tag}0"))

    for old, new in [
        ("title: NIGHT FERRY", f"title: {quoted('XT')}"),
        ("name: Maritime detection and interception", f"name: {quoted('CN')}"),
        ("target: A lead centre named", f"target: {quoted('CT')} #"),
        ("      - Name the lead centre\n", f"      - {quoted('CK')}\n"),
        ("name: Arvenia,", f"name: {quoted('AV')},"),
        ("title: Scenario briefing}", f"title: {quoted('AG')}}}"),
        (
            "expected_actions: [Name the lead centre]",
            f"expected_actions: [{quoted('EA')}]\n    facilitator_notes: {quoted('FN')}",
        ),
        ("title: Patrol boat alongside the ferry — decision required", f"title: {quoted('IT')}"),
        ("title: The crossing\n    lead: DWG", f"title: {quoted('DT')}\n    lead: DWG"),
        ("title: Unlit ferry leaves a closed port", f"title: {quoted('PT')}"),
        ("body: The patrol boat is alongside. The ferry's master refuses to stop.", f"body: {quoted('IB')}"),
        ("      - Board now, or follow the ferry to its landing place?", f"      - {quoted('IQ')}"),
        ("label: Board the ferry and bring it into port", f"label: {quoted('IO')}"),
        ("from: Patrol commander\n    to: [DWG, PWG]", f"from: {quoted('IS')}\n    to: [DWG, PWG]"),
    ]:
        assert yaml.count(old) == 1, old
        yaml = yaml.replace(old, new)
    (scenario / "scenario.yaml").write_text(yaml, encoding="utf-8")
    return scenario


@settings(HYPOTHESIS, max_examples=1)  # a scenario file per example: loading and six consoles
@given(HOSTILE)
@example(ISSUE)
def test_scenario_text_is_shown_as_written(hostile: Hostile) -> None:
    with tempfile.TemporaryDirectory() as folder, session(hostile_scenario(Path(folder), hostile)) as live:
        asyncio.run(_scenario(live, [hostile]))


async def _scenario(live: Live, batch: list[Hostile]) -> None:
    facilitator = FacilitatorApp(live.controller, tick=0.05, join_lines=join_lines(live.controller.store))
    watch = Watch()
    async with facilitator.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        await shows(
            pilot, watch, batch, "XT", "IT", "AG", "AV"
        )  # banner, MSEL, agenda, board, the join lines in the feed
        facilitator.push_screen(InjectDetail(live.controller, "N1-4"))
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "IT", "IB", "IQ", "IO", "IS")
        facilitator.pop_screen()
        facilitator.push_screen(InjectDetail(live.controller, "N1-1"))
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "EA", "FN")

    delegation = seat_app(live, "delegation:XAR")
    watch = Watch()
    async with delegation.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        show_inject(delegation, "N1-4")
        await pilot.wait_for_scheduled_animations()
        delegation.query_one("#decision", Select).value = "board"
        await pilot.wait_for_scheduled_animations()
        shown = await shows(pilot, watch, batch, "XT", "IT", "IB", "IQ", "IO", "IS")
        assert batch[0].marker("FN0") not in shown, "facilitator notes are never shown to players"

    other = seat_app(live, "delegation:XBO")
    watch = Watch()
    async with other.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        other.query_one("#recipient", Select).value = "XAR"
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "AV")  # the recipient's name in the request form

    evaluator = seat_app(live, "evaluator:1")
    watch = Watch()
    async with evaluator.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        evaluator.query_one("#capability", Select).value = "C1"
        await pilot.wait_for_scheduled_animations()
        evaluator.query_one("#task", Select).value = "C1.1"
        evaluator.action_tab("eeg-tab")
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "XT", "CN", "CT", "CK")  # the evaluation guide and the observation form

    store = SqliteStore(live.path)
    records = list(store.events())
    store.close()
    replay = ReplayApp(Replay(records), "", seat="XAR")
    watch = Watch()
    async with replay.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        await pilot.wait_for_scheduled_animations()
        await shows(pilot, watch, batch, "XT", "IT")

    wall = ProjectorApp(SqliteStore(live.path, read_only=True), poll=0.05)
    watch = Watch()
    async with wall.run_test(size=SIZE, notifications=True, message_hook=watch) as pilot:
        shown = await shows(pilot, watch, batch, "XT", "DT", "PT")  # the banner, the day, a GREEN inject's title
        assert batch[0].marker("IT0") not in shown, "a TLP:AMBER inject never reaches the wall"


def test_literal_builds_text_without_markup_or_control_characters() -> None:
    shown = literal("[/bold] x \x1b[2J \x1b]0;t\x07 \x9b \u202e", style="bold", single_line=True)
    assert isinstance(shown, Text) and shown.style == "bold"
    assert shown.plain == "[/bold] x \\e[2J \\e]0;t\\x07 \\x9b \\u202e"
