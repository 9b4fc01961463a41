"""Hostile text end to end: what delegations, evaluators and the facilitator type never acts on a terminal, a
spreadsheet, a Markdown viewer or a browser, and never forges a line of the log.

One real session of HARBOUR WATCH (tests/data) is played with hostile text in every field people fill in; then
every command that shows it runs as a real process. A hypothesis test drives generated strings through the same
renderers in process.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ttx.analysis.gaps import Options, build_report
from ttx.analysis.report import to_csv_zip, to_html, to_json, to_markdown
from ttx.cli_session import event_line
from ttx.engine import commands as cmd
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.events import EventRecord, Rating
from ttx.engine.ports import CommandStatus
from ttx.engine.state import ExerciseState, fold
from ttx.loader.load import load_scenario
from ttx.model.time import ScenarioTime
from ttx.preview.msel import MselRow
from ttx.preview.msel import to_markdown as msel_markdown
from ttx.store.memory import MemoryStore
from ttx.store.sqlite import SqliteStore

from ..helpers import HARBOUR, ROOT, ttx

HOSTILE = {
    "rich_close": "[/bold] x",
    "rich_bare": "Update [/] fix",
    "clear_screen": "\x1b[2J",
    "window_title": "\x1b]0;title\x07",
    "clipboard": "\x1b]52;c;Zm9v\x07",
    "c1_csi": "\x9b31m",
    "bidi": "abc\u202edef",
    "forged_line": "ok\n    99 2027-03-01 01:00:00 D1 08:00  facilitator        exercise_ended reason=forged",
    "hyperlink": '=HYPERLINK("http://x","y")',
    "plus": "+1",
    "minus": "-2+3",
    "at": "@SUM(A1)",
    "script": "<script>alert(1)</script>",
    "js_link": "[x](javascript:alert(1))",
}
EVERYTHING = " | ".join(HOSTILE.values())
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOUR = 3600


def raw_controls(text: str) -> list[str]:
    """ESC, BEL and C1 controls (as code points) present in ``text``."""
    return sorted({repr(c) for c in text if c in "\x1b\x07" or 0x80 <= ord(c) <= 0x9F})


def terminal_unsafe(text: str) -> list[str]:
    """Anything a terminal would act on besides tab and newline: C0, DEL, C1, bidi controls, line separators."""
    return sorted(
        {
            repr(c)
            for c in text
            if (ord(c) < 0x20 and c not in "\t\n")
            or 0x7F <= ord(c) <= 0x9F
            or c in "\u061c\u200e\u200f\u2028\u2029"
            or 0x202A <= ord(c) <= 0x202E
            or 0x2066 <= ord(c) <= 0x2069
        }
    )


def strings_in(document: object) -> set[str]:
    """Every string value in a parsed JSON document."""
    if isinstance(document, str):
        return {document}
    if isinstance(document, dict):
        return set().union(*(strings_in(value) for value in document.values()))
    if isinstance(document, list):
        return set().union(*(strings_in(value) for value in document))
    return set()


def formula_cells(archive: bytes) -> list[tuple[str, str]]:
    """(file, cell) for every CSV cell that would start a formula and is not a plain number."""
    found = []
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        for name in bundle.namelist():
            for row in csv.reader(io.StringIO(bundle.read(name).decode("utf-8"))):
                for cell in row:
                    if cell.startswith(FORMULA_START):
                        try:
                            float(cell)
                        except ValueError:
                            found.append((name, cell))
    return found


def csv_cells(archive: bytes) -> dict[str, list[str]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        return {
            name: [cell for row in csv.reader(io.StringIO(bundle.read(name).decode("utf-8"))) for cell in row]
            for name in bundle.namelist()
        }


MARKDOWN = MarkdownIt("commonmark").enable("table")


def check_markdown(text: str) -> None:
    rendered = MARKDOWN.render(text).lower()
    assert "<script" not in rendered
    assert 'href="javascript' not in rendered
    assert "<img" not in rendered
    assert "<a " not in rendered


# ---------------------------------------------------------------------- the session
def facilitator_code(path: Path) -> str:
    store = SqliteStore(path, read_only=True)
    try:
        return next(seat.code for seat in store.seats() if seat.seat == "facilitator")
    finally:
        store.close()


def controller_running(path: Path) -> bool:
    store = SqliteStore(path, read_only=True)
    try:
        return store.writer_active()
    finally:
        store.close()


@dataclass(frozen=True)
class Played:
    """The hostile session: its file, its final state, what `ttx run --plain` printed, and a folder for outputs."""

    path: Path
    state: ExerciseState
    plain: subprocess.CompletedProcess[str]
    folder: Path


@pytest.fixture(scope="module")
def hostile_session(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """HARBOUR WATCH played with hostile text everywhere, ended through `ttx submit` while `ttx run --plain` runs."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.ttx"
    loaded = load_scenario(HARBOUR)
    store = SqliteStore(path, create=True)
    clock = ManualClock(start=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    create_session(store, loaded.scenario, loaded.digest, clock)
    controller = Controller(store, clock)

    def ok(command: cmd.Command, seat: str = "facilitator") -> None:
        outcome = controller.submit(command, seat)
        assert outcome.status is CommandStatus.recorded, outcome.reason

    ok(cmd.Start())
    clock.advance(HOUR)
    controller.step()  # H1-2 released to MWG and PWG
    h = HOSTILE
    ok(
        cmd.Respond(
            inject="H1-1", text=EVERYTHING, agencies=h["rich_close"], legal_basis=h["forged_line"], gaps=h["hyperlink"]
        ),
        "delegation:XAR",
    )
    ok(cmd.Respond(inject="H1-2", decision="disembark", text=EVERYTHING, gaps=h["plus"]), "delegation:XBO")
    ok(cmd.Respond(inject="H1-2", text=h["script"], gaps=h["minus"]), "delegation:XCA")
    ok(cmd.Respond(inject="H1-2", text=h["js_link"], gaps=h["at"]), "delegation:XAR")
    ok(cmd.Respond(inject="H1-2", text=h["clipboard"], gaps=EVERYTHING), "delegation:RMO")
    ok(
        cmd.SendRequest(id="MLA-1", recipient="XBO", request_kind=h["hyperlink"], text=EVERYTHING, inject="H1-1"),
        "delegation:XAR",
    )
    ok(cmd.AnswerRequest(request="MLA-1", text=EVERYTHING), "delegation:XBO")
    ok(
        cmd.Adhoc.model_validate(
            {
                "to": ["MWG"],
                "tlp": "GREEN",
                "from": h["at"],
                "title": EVERYTHING,
                "body": EVERYTHING,
                "questions": [h["forged_line"]],
                "options": [{"id": "a", "label": h["plus"]}, {"id": "b", "label": h["script"]}],
            }
        )
    )
    ok(cmd.Note(text=EVERYTHING))
    ok(cmd.Observe(capability="C1", task="C1.1", rating=Rating.U, note=EVERYTHING, inject="H1-1"), "evaluator:1")
    ok(cmd.Observe(capability="C2", rating=Rating.S, note=h["hyperlink"], inject="H1-2"), "evaluator:1")
    for note in (h["script"], h["js_link"], "<img src=x onerror=alert(1)>"):  # each alone in its table cell
        ok(cmd.Observe(capability="C2", rating=Rating.M, note=note, inject="H1-2"), "evaluator:2")
    ok(cmd.Pause(reason=h["window_title"]))
    ok(cmd.HotWash())
    store.close()

    # The end goes through the CLI while a plain controller prints its feed: the feed shows hostile text too.
    code = facilitator_code(path)
    runner = subprocess.Popen(
        [sys.executable, "-m", "ttx", "run", "--session", str(path), "--plain"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not controller_running(path):  # its heartbeat says it holds the session
            assert runner.poll() is None, "ttx run --plain stopped before its controller ran"
            assert time.monotonic() < deadline, "ttx run --plain never started its controller"
            time.sleep(0.05)
        submits = [
            ttx("submit", path, "--seat", code, "--json", json.dumps({"kind": "note", "text": EVERYTHING}), timeout=60),
            ttx(
                "submit", path, "--seat", code, "--json", json.dumps({"kind": "end", "reason": EVERYTHING}), timeout=60
            ),
        ]
        plain_out, plain_err = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.communicate()
    for submit in submits:
        assert submit.returncode == 0, submit.stdout + submit.stderr
    plain = subprocess.CompletedProcess(runner.args, runner.returncode, plain_out, plain_err)

    reader = SqliteStore(path, read_only=True)
    state = fold(reader.events())
    reader.close()
    assert state.sealed, "the exercise ended and the log is sealed"
    return Played(path, state, plain, folder)


@pytest.fixture(scope="module")
def outputs(hostile_session: Played) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every command that shows the session, run once as a real process."""
    path, folder = hostile_session.path, hostile_session.folder
    end = str(ScenarioTime.from_seconds(hostile_session.state.at))
    runs: dict[str, tuple[str | Path, ...]] = {
        "log": ("log", path),
        "log jsonl": ("log", path, "--format", "jsonl"),
        "log -o": ("log", path, "--format", "jsonl", "-o", folder / "log.jsonl"),
        "status": ("status", path),
        "status json": ("status", path, "--json"),
        "verify": ("verify", path),
        "seats": ("seats", path),
        "report md": ("report", path, "--format", "md", "--include-restricted"),
        "report html": ("report", path, "--format", "html", "--include-restricted"),
        "report json": ("report", path, "--format", "json", "--include-restricted"),
        "report csv": ("report", path, "--format", "csv", "--include-restricted", "-o", folder / "out.zip"),
        "report md -o": ("report", path, "--format", "md", "-o", folder / "out.md"),
        "report html -o": ("report", path, "--format", "html", "-o", folder / "out.html"),
        "replay json": ("replay", path, "--at", end, "--json"),
        "replay text": ("replay", path, "--at", end),
        "replay json as XAR": ("replay", path, "--at", end, "--json", "--as", "XAR"),
        "run closed": ("run", "--session", path, "--plain"),
    }
    results = {name: ttx(*args, timeout=120) for name, args in runs.items()}
    results["run --plain"] = hostile_session.plain
    return results


JSON_OUTPUTS = {"log jsonl", "status json", "report json", "replay json", "replay json as XAR"}


def test_every_command_succeeds_without_a_traceback(outputs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    failed = {name: (r.returncode, r.stderr[-500:]) for name, r in outputs.items() if r.returncode != 0}
    assert failed == {}
    assert [name for name, r in outputs.items() if "Traceback" in r.stderr + r.stdout] == []


def test_no_terminal_control_reaches_stdout_or_stderr(outputs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    found = {
        f"{name} {stream}": raw_controls(text)
        for name, result in outputs.items()
        for stream, text in (("stdout", result.stdout), ("stderr", result.stderr))
        if raw_controls(text)
    }
    assert found == {}, "raw ESC, BEL or C1 characters printed"


def test_text_outputs_show_bidi_and_controls_as_escapes(outputs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    found = {
        name: terminal_unsafe(result.stdout + result.stderr)
        for name, result in outputs.items()
        if name not in JSON_OUTPUTS and terminal_unsafe(result.stdout + result.stderr)
    }
    assert found == {}
    assert "\\e[2J" in outputs["log"].stdout and "\\u202e" in outputs["log"].stdout


def test_json_outputs_parse_and_keep_the_text(outputs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    lines = [json.loads(line) for line in outputs["log jsonl"].stdout.splitlines()]
    notes = [line["event"]["text"] for line in lines if line["type"] == "note_added"]
    assert notes == [EVERYTHING, EVERYTHING], "the export keeps the exact text"
    report = json.loads(outputs["report json"].stdout)
    assert EVERYTHING in strings_in(report)
    assert HOSTILE["hyperlink"] in [gap["text"] for gap in report["gaps"]["register"]]
    json.loads(outputs["status json"].stdout)
    json.loads(outputs["replay json"].stdout)
    assert EVERYTHING in strings_in(json.loads(outputs["replay json as XAR"].stdout))


def test_log_has_one_line_per_event(
    hostile_session: Played, outputs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    events = hostile_session.state.seq
    lines = outputs["log"].stdout.splitlines()
    assert lines[0].startswith("EXERCISE CONTROL MATERIAL")
    body = lines[1:]
    assert len(body) == events, "a newline in someone's text forged no line"
    assert [int(line.split()[0]) for line in body] == list(range(1, events + 1))
    assert "ok\\n    99 2027-03-01" in outputs["log"].stdout, "the forged line shows inside its event's line"
    assert len(outputs["log jsonl"].stdout.splitlines()) == events
    feed = [line for line in outputs["run --plain"].stdout.splitlines() if re.match(r"^\s+\d+ \d{4}-", line)]
    assert [line.split()[-1] for line in feed if "note_added" in line] != []
    assert len(feed) == len({line.split()[0] for line in feed}), "the plain feed forged no line either"


def test_csv_cells_never_start_a_formula(hostile_session: Played) -> None:
    archive = (hostile_session.folder / "out.zip").read_bytes()
    assert formula_cells(archive) == []
    cells = csv_cells(archive)
    gaps = cells["gaps.csv"]
    for text in ('=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)"):
        assert "'" + text in gaps, f"{text} is kept, marked with a quote"
    assert "'" + HOSTILE["hyperlink"] in cells["coordination.csv"]  # the request kind


def test_markdown_and_html_reports_are_inert(
    hostile_session: Played, outputs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    folder = hostile_session.folder
    for markdown in (outputs["report md"].stdout, (folder / "out.md").read_text(encoding="utf-8")):
        check_markdown(markdown)
    assert "alert(1)" in outputs["report md"].stdout, "the text is shown, as text"
    for page in (outputs["report html"].stdout, (folder / "out.html").read_text(encoding="utf-8")):
        lowered = page.lower()
        assert "<script>alert" not in lowered and "<img src=x" not in lowered and 'href="javascript' not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outputs["report html"].stdout


def test_files_written_with_o_are_private(
    hostile_session: Played, outputs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    for name in ("log.jsonl", "out.zip", "out.md", "out.html"):
        assert (hostile_session.folder / name).stat().st_mode & 0o777 == 0o600, name
    assert hostile_session.path.stat().st_mode & 0o077 == 0


def test_a_hostile_seat_code_in_ttx_seat_is_shown_inert(hostile_session: Played) -> None:
    path = hostile_session.path

    def join(code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ttx", "join", str(path)],
            cwd=ROOT,
            env={**os.environ, "TTX_SEAT": code},
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    result = join("\x1b]0;pwned\x07\x9b2J\u202e")
    assert result.returncode == 2 and "no seat has the code" in result.stderr
    assert raw_controls(result.stdout + result.stderr) == [] and "Traceback" not in result.stderr
    result = join(facilitator_code(path))  # read from the environment: the facilitator's code is recognised
    assert result.returncode == 2 and "that is the facilitator's code" in result.stderr


def queued_commands(path: Path) -> int:
    store = SqliteStore(path, read_only=True)
    try:
        return len(store.queued())
    finally:
        store.close()


def test_submit_refuses_oversized_text_before_queueing(hostile_session: Played) -> None:
    path, code = hostile_session.path, facilitator_code(hostile_session.path)
    before = queued_commands(path)
    long = ttx("submit", path, "--seat", code, "--inject", "H1-1", "--text", "x" * 20_001, "--no-wait", timeout=60)
    assert long.returncode == 2 and "not queued: text is 20,001 characters long; the limit is 20,000" in long.stderr
    nul = ttx(
        "submit", path, "--seat", code, "--json", '{"kind": "note", "text": "a\\u0000b"}', "--no-wait", timeout=60
    )
    assert nul.returncode == 2 and "not queued: text contains a NUL character" in nul.stderr
    for result in (long, nul):
        assert "Traceback" not in result.stderr
    assert queued_commands(path) == before, "nothing was queued"


# ---------------------------------------------------------------------- hostile scenario text
YAML_HOSTILE = '"\\e]0;pwn\\a \\e[2J \\x9b31m \\u202e <script>alert(1)</script> [x](javascript:alert(1))"'


@pytest.fixture(scope="module")
def hostile_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HARBOUR WATCH whose author (or a shared inject library) wrote control sequences and formulas.

    YAML escapes (``\\e``, ``\\a``, ``\\x9b``, ``\\u202e``) put them in the text although the file itself is
    plain, printable UTF-8.
    """
    folder = tmp_path_factory.mktemp("authored") / "x"
    folder.mkdir()
    text = (HARBOUR / "scenario.yaml").read_text(encoding="utf-8")
    for old, new in [
        ("  title: HARBOUR WATCH\n", f"  title: {YAML_HOSTILE}\n"),
        ("    title: Leaking launch off the breakwater\n", f"    title: {YAML_HOSTILE}\n"),
        ("    title: Share information between working groups\n", "    title: '=1+1 share information'\n"),
        ("        label: Escort the launch back to open water\n", "        label: '@SUM(A1) escort'\n"),
        ("    title: The launch in distress\n", f"    title: {YAML_HOSTILE}\n"),
    ]:
        assert old in text
        text = text.replace(old, new)
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("lint",),
        ("msel",),
        ("msel", "--format", "csv"),
        ("msel", "--format", "markdown"),
        ("graph",),
        ("graph", "--format", "svg"),
        ("graph", "--format", "html"),
    ],
    ids=" ".join,
)
def test_hostile_scenario_text_is_inert_in_authoring_outputs(hostile_scenario: Path, args: tuple[str, ...]) -> None:
    result = ttx(args[0], hostile_scenario, *args[1:], timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert terminal_unsafe(result.stdout + result.stderr) == []
    if "csv" in args:
        cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
        assert all(not cell.startswith(FORMULA_START) for cell in cells)
    if "markdown" in args:
        check_markdown(result.stdout)
    if "svg" in args:
        ElementTree.fromstring(result.stdout)  # still one well-formed SVG document
        assert "<script" not in result.stdout.lower()
    if "html" in args:
        assert "<script" not in result.stdout.lower() and result.stdout.count("</html>") == 1


def test_hostile_scenario_text_is_inert_in_reports(hostile_scenario: Path, tmp_path: Path) -> None:
    session = tmp_path / "authored.ttx"
    played = ttx("run", hostile_scenario, "--session", session, "--headless", "--speed", "max", timeout=120)
    assert played.returncode == 0, played.stdout + played.stderr
    assert terminal_unsafe(played.stdout + played.stderr) == []
    for form in ("md", "html"):
        result = ttx("report", session, "--format", form, timeout=60)
        assert result.returncode == 0 and terminal_unsafe(result.stdout + result.stderr) == []
    check_markdown(ttx("report", session, "--format", "md", timeout=60).stdout)
    assert "<script>alert" not in ttx("report", session, "--format", "html", timeout=60).stdout
    assert ttx("report", session, "--format", "csv", "-o", tmp_path / "r.zip", timeout=60).returncode == 0
    archive = (tmp_path / "r.zip").read_bytes()
    assert formula_cells(archive) == []
    assert "'=1+1 share information" in csv_cells(archive)["objectives.csv"]
    assert "'@SUM(A1) escort" in csv_cells(archive)["untaken_branches.csv"]


# ---------------------------------------------------------------------- generated strings, in process
HARBOUR_LOADED = load_scenario(HARBOUR)
PIECES = [*HOSTILE.values(), "\r\n", "\u2028", "\u2066", "\x00", "\x85", "\t=1", "＝1+1", "\x7f", "é中文"]
HOSTILE_STRINGS = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(st.characters(codec="utf-8"), max_size=8)), min_size=1, max_size=6
).map("".join)


def played_with(text: str) -> tuple[list[EventRecord], ExerciseState]:
    """A short session whose every free-text field holds ``text`` (fields the engine refuses are left out)."""
    store, clock = MemoryStore(), ManualClock()
    create_session(store, HARBOUR_LOADED.scenario, HARBOUR_LOADED.digest, clock)
    controller = Controller(store, clock)
    controller.submit(cmd.Start())
    clock.advance(HOUR)
    controller.step()
    visible_text = text if text.strip() else text + "x"
    controller.submit(
        cmd.Respond(inject="H1-1", text=visible_text, agencies=text, legal_basis=text, gaps=visible_text),
        "delegation:XAR",
    )
    controller.submit(cmd.SendRequest(recipient="XBO", request_kind=text, text=visible_text), "delegation:XAR")
    controller.submit(cmd.Observe(capability="C1", rating=Rating.M, note=text, inject="H1-1"), "evaluator:1")
    controller.submit(
        cmd.Adhoc.model_validate(
            {"to": ["MWG"], "tlp": "GREEN", "title": visible_text, "from": visible_text, "body": text}
        )
    )
    controller.submit(cmd.Note(text=visible_text))
    controller.submit(cmd.End(reason=text))
    records = list(store.events())
    return records, fold(records)


@given(HOSTILE_STRINGS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_renderers_keep_generated_hostile_text_inert(text: str) -> None:
    records, state = played_with(text)
    lines = [event_line(record) for record in records]
    for line in lines:
        assert "\n" not in line and "\r" not in line
        assert terminal_unsafe(line) == [], line
    report = build_report(state, records, Options(include_restricted=True))
    markdown, page = to_markdown(report), to_html(report)
    for rendered in (markdown, page):
        assert terminal_unsafe(rendered) == []
    check_markdown(markdown)
    assert "<script>" not in page.lower()
    archive = to_csv_zip(report)
    assert formula_cells(archive) == []
    assert all(terminal_unsafe(cell) == [] for cells in csv_cells(archive).values() for cell in cells)

    row = MselRow(1, text, "D1 08:00", text, text, text, text, "TLP:GREEN", text, text, text)
    table = msel_markdown([row])
    assert terminal_unsafe(table) == []
    assert table.count("\n") == 3, "one Markdown table row"
    check_markdown(table)


@given(HOSTILE_STRINGS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_json_report_of_generated_hostile_text_parses_and_is_inert(text: str) -> None:
    records, state = played_with(text)
    document = to_json(build_report(state, records, Options(include_restricted=True)))
    if "\x00" not in text:  # (a NUL is refused: nothing of that response reaches the report)
        assert (text if text.strip() else text + "x") in strings_in(json.loads(document)), "the gap is kept as typed"
    assert raw_controls(document) == [], "JSON escapes C0 itself; C1 must not be written raw either"
