"""A live room in tmux, every console a real process: the facilitator, two delegations, a scribe, an evaluator, the wall.

Each console runs in its own tmux window at its own size and is driven with keys, as people at keyboards would.
Exercise control releases injects with `ttx submit` from a second terminal (the facilitator console's own keys are
covered by its Pilot tests), while the facilitator console runs the controller and shows the room's work.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ttx.engine.state import ExerciseState, fold
from ttx.store.sqlite import SqliteStore

from ..helpers import FERRY, ROOT

TIMEOUT = 30.0
"""How long a console may take to show what is expected before the test fails (a bound for a busy machine)."""


class Tmux:
    """A tmux server on a private socket, one window per console, driven like people at their keyboards."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def open(self, window: int, size: tuple[int, int], command: str) -> None:
        """A console in window ``window`` of ``size`` columns x rows (window 0 starts the server).

        The window is made at its size (never resized after): a console starting up could miss a resize. COLUMNS
        and LINES say the same, since they outrank the terminal's own size for the console.
        """
        width, height = size
        command = f"export COLUMNS={width} LINES={height}; {command}"
        if window == 0:
            self.run("new-session", "-d", "-s", "ttx", "-x", str(width), "-y", str(height), command)
            self.run("set-option", "-t", "ttx", "window-size", "manual")
            self.run("set-option", "-t", "ttx", "remain-on-exit", "on")  # a console that fails leaves its words
        else:
            self.run("set-option", "-t", "ttx", "default-size", f"{width}x{height}")
            self.run("new-window", "-d", "-t", f"ttx:{window}", command)

    def keys(self, window: int, *keys: str) -> None:
        self.run("send-keys", "-t", f"ttx:{window}", *keys)

    def type(self, window: int, text: str) -> None:
        self.run("send-keys", "-t", f"ttx:{window}", "-l", text)

    def screen(self, window: int) -> str:
        return self.run("capture-pane", "-p", "-t", f"ttx:{window}")

    def wait_for(self, window: int, check: Callable[[str], bool], what: str, timeout: float = TIMEOUT) -> str:
        """Read the window until ``check`` holds; fail after ``timeout`` seconds with what it shows."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen(window)
            if check(text):
                return text
            time.sleep(0.1)  # how often the screen is read, not how long anything is given
        raise AssertionError(f"window {window}: {what} did not appear within {timeout} s; it shows:\n{text}")

    def in_field(self, window: int, what: str) -> None:
        """Wait until the cursor is in a text field: the footer then lists no one-letter keys (they are text)."""
        self.wait_for(window, lambda s: "Submit" in s and "q Quit" not in s, f"the cursor in {what}")

    def out_of_field(self, window: int) -> None:
        """Press Esc and wait until the cursor has left the text field (the footer lists the one-letter keys again)."""
        self.keys(window, "Escape")
        self.wait_for(window, lambda s: "q Quit" in s, "the cursor out of the text field")

    def shows(self, window: int, *texts: str, what: str = "") -> str:
        """Wait until the window shows every one of ``texts``."""
        return self.wait_for(window, lambda s: all(t in s for t in texts), what or " and ".join(map(repr, texts)))


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: `make test` installs it with apt-get (apt-get install tmux)")
    server = Tmux(tmp_path / "tmux.sock")
    yield server
    subprocess.run(["tmux", "-S", str(server.socket), "kill-server"], capture_output=True)


def state_of(session: Path) -> ExerciseState:
    store = SqliteStore(session, read_only=True)
    try:
        return fold(store.events())
    finally:
        store.close()


def codes_of(session: Path) -> dict[str, str]:
    store = SqliteStore(session, read_only=True)
    try:
        return {seat.seat: seat.code for seat in store.seats()}
    finally:
        store.close()


def ttx_line(*args: str | Path, seat: str = "") -> str:
    """A shell line running ``python -m ttx ARGS`` from the repository (the code in TTX_SEAT, as a wall display)."""
    code = f"TTX_SEAT={shlex.quote(seat)} " if seat else ""
    words = " ".join(shlex.quote(str(a)) for a in [sys.executable, "-m", "ttx", *args])
    return f"cd {shlex.quote(str(ROOT))} && TERM=xterm-256color {code}{words}"


FACILITATOR, XBO, XCA, SCRIBE, EVALUATOR, WALL = range(6)
SIZES = {
    FACILITATOR: (160, 45),
    XBO: (100, 30),
    XCA: (80, 24),
    SCRIBE: (120, 40),
    EVALUATOR: (100, 30),
    WALL: (120, 30),
}
SEATS = {XBO: "delegation:XBO", XCA: "delegation:XCA", SCRIBE: "scribe:DWG", EVALUATOR: "evaluator:1"}
SEAT_CONSOLES = tuple(SEATS)
BANNERS = {XBO: "delegation XBO", XCA: "delegation XCA", SCRIBE: "scribe DWG", EVALUATOR: "evaluator evaluator:1"}


def test_a_live_room_of_real_consoles(tmux: Tmux, tmp_path: Path) -> None:
    session = tmp_path / "exercise.ttx"
    tmux.open(FACILITATOR, SIZES[FACILITATOR], ttx_line("run", FERRY, "--session", session))
    tmux.shows(FACILITATOR, "MSEL", "EXERCISE", what="the facilitator console")
    codes = codes_of(session)

    def control(command: dict[str, object]) -> None:
        """Exercise control queues a command from a second terminal; the facilitator console's controller records it."""
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ttx",
                "submit",
                str(session),
                "--seat",
                codes["facilitator"],
                "--json",
                json.dumps(command),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and "recorded" in done.stdout, done.stdout + done.stderr

    for window, seat in SEATS.items():
        tmux.open(window, SIZES[window], ttx_line("join", session, seat=codes[seat]))
    tmux.open(WALL, SIZES[WALL], ttx_line("screen", session, seat=codes["projector"]))
    for window, seat in SEATS.items():
        tmux.shows(window, "EXERCISE", BANNERS[window], what=f"the console of {seat}")
    tmux.shows(WALL, "wall view", what="the wall view")

    control({"kind": "start"})  # D1 08:00: N1-1 to DWG
    tmux.shows(XBO, "N1-1", "Unlit ferry leaves")
    tmux.shows(SCRIBE, "N1-1", "Unlit ferry leaves")
    tmux.shows(EVALUATOR, "N1-1", "Unlit ferry leaves")
    tmux.shows(WALL, "Unlit ferry leaves a closed port")

    # A delegation types an answer; a release re-sorts its list; the answer still lands on the inject it was for.
    tmux.keys(XBO, "r")
    tmux.in_field(XBO, "the response")
    tmux.type(XBO, "Lead: the Borelian centre")
    tmux.shows(XBO, "Your response to N1-1", "Lead: the Borelian centre")
    control({"kind": "release", "inject": "N1-2"})  # to DWG and PWG: newest first, above N1-1
    tmux.shows(XBO, "New inject", "N1-2: Skipper sees people", what="the new inject's notice")
    tmux.shows(XCA, "New inject", "N1-2", what="the notice of N1-2 in the PWG delegation's console")
    tmux.type(XBO, " takes the case")
    tmux.keys(XBO, "C-s")
    tmux.shows(XBO, "Recorded: your response for N1-1")
    responses = state_of(session).responses
    assert [(r.participant, r.text) for r in responses["N1-1"]] == [("XBO", "Lead: the Borelian centre takes the case")]
    assert "N1-2" not in responses, "nothing went to the inject that moved into its row"

    # XBO asks XCA with keys only; XCA is told, answers with keys only; XBO is told.
    tmux.keys(XBO, "2")
    tmux.shows(XBO, "what you ask", what="the Requests tab")
    tmux.keys(XBO, "Tab", "Enter")  # from the list to the recipient, and open its options
    tmux.shows(XBO, "XCA Calvera", "XDU Dunmark", what="the list of delegations")
    tmux.type(XBO, "XCA")
    tmux.keys(XBO, "Enter")
    tmux.wait_for(XBO, lambda s: "XCA Calvera" in s and "XDU Dunmark" not in s, "XCA chosen")
    tmux.keys(XBO, "Tab")
    tmux.type(XBO, "consular access")
    tmux.keys(XBO, "Tab")
    tmux.type(XBO, "May our consul visit the crew?")
    tmux.keys(XBO, "Enter")
    tmux.shows(XBO, "Recorded: your request")
    tmux.shows(XCA, "New request", "Requests (1 new)", what="the notice and count of the incoming request")
    tmux.keys(XCA, "2")
    tmux.shows(XCA, "May our consul", "open", what="the request in XCA's list")
    tmux.keys(XCA, "Enter")  # on the request: to its answer
    tmux.type(XCA, "Yes, at 14:00")
    tmux.keys(XCA, "Enter")
    tmux.shows(XCA, "Recorded: your answer")
    tmux.shows(XBO, "Answer to your request", "Yes, at 14:00", what="the answer's notice")
    [request] = state_of(session).requests.values()
    assert (request.event.sender, request.event.recipient, request.event.kind) == ("XBO", "XCA", "consular access")
    assert request.answer is not None and (request.answer.by, request.answer.text) == ("XCA", "Yes, at 14:00")

    # The scribe of DWG: DWG's injects only, its delegations' requests, a response recorded for one of them.
    control({"kind": "release", "inject": "N1-5"})  # to PWG only
    control({"kind": "release", "inject": "N1-3"})  # to all, TLP:CLEAR
    tmux.out_of_field(XCA)
    tmux.keys(XCA, "1")
    xca = tmux.shows(XCA, "N1-5", "N1-3", "N1-2", "Injects (", what="PWG's injects in the PWG delegation's list")
    assert "N1-1" not in xca, "N1-1 went to DWG alone"
    scribe = tmux.shows(SCRIBE, "N1-3", what="N1-3, released after N1-5, in the DWG scribe's console")
    assert "N1-5" not in scribe, "N1-5 went to PWG alone"
    tmux.keys(SCRIBE, "2")
    tmux.shows(SCRIBE, "May our consul", "Yes, at 14:00", what="XBO's request in its working group's scribe console")
    tmux.keys(SCRIBE, "1")
    tmux.shows(SCRIBE, "Your response to N1-1", what="the scribe's form, still on N1-1")
    tmux.keys(SCRIBE, "r")
    tmux.in_field(SCRIBE, "the response")
    tmux.type(SCRIBE, "XDU has a patrol boat on station")
    tmux.keys(SCRIBE, "BTab", "Enter")  # from the response to the delegation it records for
    tmux.shows(SCRIBE, "XAR", "XDU", what="the scribe's delegations")
    tmux.type(SCRIBE, "XDU")
    tmux.keys(SCRIBE, "Enter")
    tmux.wait_for(SCRIBE, lambda s: "XDU" in s and "XAR" not in s, "XDU chosen")
    tmux.keys(SCRIBE, "C-s")
    tmux.shows(SCRIBE, "Recorded: your response for N1-1")
    scribed = [r for r in state_of(session).responses["N1-1"] if r.seat == "scribe:DWG"]
    assert [(r.participant, r.cell, r.text) for r in scribed] == [("XDU", "DWG", "XDU has a patrol boat on station")]

    # An evaluator rates the inject it reads (S) on a capability, with keys only.
    tmux.keys(EVALUATOR, "r")
    tmux.in_field(EVALUATOR, "the note")
    tmux.type(EVALUATOR, "Lead centre named within minutes")
    tmux.shows(EVALUATOR, "Observation on N1-1", "Lead centre named within minutes", what="the note on N1-1")
    tmux.keys(EVALUATOR, "BTab", "Enter")  # the rating
    tmux.shows(EVALUATOR, "performed with major challenges", what="the ratings and what they mean")
    tmux.type(EVALUATOR, "S")
    tmux.keys(EVALUATOR, "Enter")
    tmux.wait_for(EVALUATOR, lambda s: "major challenges" not in s, "the ratings closed")
    tmux.shows(EVALUATOR, "S — performed with some challenges", what="S chosen")
    tmux.keys(EVALUATOR, "BTab", "BTab", "Enter")  # the capability
    tmux.shows(EVALUATOR, "Maritime detection", "Financial investigation", what="the capabilities")
    tmux.type(EVALUATOR, "C1")
    tmux.keys(EVALUATOR, "Enter")
    tmux.wait_for(EVALUATOR, lambda s: "Maritime detection" in s and "Financial" not in s, "C1 chosen")
    tmux.keys(EVALUATOR, "C-s")
    tmux.shows(EVALUATOR, "Recorded: your observation")
    [observation] = [o.event for o in state_of(session).observations]
    assert (observation.capability, observation.rating.value, observation.inject) == ("C1", "S", "N1-1")
    status = subprocess.run(
        [sys.executable, "-m", "ttx", "status", str(session)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "observations: 1" in status.stdout, status.stdout  # what exercise control reads of the evaluators' work

    # The facilitator's feed shows the room's work as it happened.
    tmux.keys(FACILITATOR, "3")
    tmux.shows(
        FACILITATOR,
        "Lead: the Borelian centre takes the case",
        "XDU has a patrol boat on station",
        "XBO → XCA (consular access)",
        "XCA on",
        "Yes, at 14:00",
        what="responses, the request and its answer in the facilitator's feed",
    )

    # The wall: CLEAR and GREEN injects, never AMBER.
    control({"kind": "release", "inject": "N1-4"})  # TLP:AMBER
    control({"kind": "adhoc", "id": "PUB-1", "to": ["all"], "tlp": "GREEN", "title": "Shelter opens at the port"})
    wall = tmux.shows(WALL, "Shelter opens at the port", "Video of the ferry spreads online")
    assert "Patrol boat alongside" not in wall and "N1-4" not in wall, "TLP:AMBER never reaches the wall"

    # The facilitator quits: every open console says the controller stopped.
    tmux.keys(FACILITATOR, "q")
    tmux.shows(FACILITATOR, "facilitator console closed; resume with", what="the facilitator's closing words")
    for window in SEAT_CONSOLES:
        tmux.shows(window, "Controller stopped", what=f"the stop on {SEATS[window]}'s console")
    tmux.shows(WALL, "controller stopped", what="the stop on the wall")
