"""Three real consoles in tmux — facilitator and two delegations in different cells — sharing one session."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.engine.state import fold
from ttx.store.sqlite import SqliteStore

from ..conftest import ROOT

MONSOON = ROOT / "scenarios/monsoon-drift"


class Tmux:
    """A tmux server on a private socket, driven like a person at the keyboard."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def keys(self, pane: int, *keys: str) -> None:
        self.run("send-keys", "-t", f"ttx:0.{pane}", *keys)

    def screen(self, pane: int) -> str:
        return self.run("capture-pane", "-p", "-t", f"ttx:0.{pane}")

    def wait_for(self, pane: int, check: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen(pane)
            if check(text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"pane {pane}: {what} did not appear within {timeout} s; the screen shows:\n{text}")


@pytest.fixture
def tmux(tmp_path: Path) -> Tmux:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: `make test` installs it with apt-get (apt-get install tmux)")
    server = Tmux(tmp_path / "tmux.sock")
    yield server  # type: ignore[misc]
    subprocess.run(["tmux", "-S", str(server.socket), "kill-server"], capture_output=True)


def released(session: Path) -> list[str]:
    store = SqliteStore(session)
    try:
        return fold(store.events()).released
    finally:
        store.close()


def console(*args: str | Path) -> str:
    return " ".join(shlex.quote(str(a)) for a in [sys.executable, "-m", "ttx", *args])


def test_release_reaches_only_the_right_console_and_the_response_reaches_the_board(tmux: Tmux, tmp_path: Path) -> None:
    session = tmp_path / "exercise.ttx"
    env = f"cd {shlex.quote(str(ROOT))} && TERM=xterm-256color COLUMNS=80"
    tmux.run(
        "new-session",
        "-d",
        "-s",
        "ttx",
        "-x",
        "242",
        "-y",
        "40",
        f"{env} {console('run', MONSOON, '--session', session)}",
    )
    tmux.wait_for(0, lambda s: "MSEL" in s and "EXERCISE" in s, "the facilitator console")
    store = SqliteStore(session)
    codes = {seat.seat: seat.code for seat in store.seats()}
    store.close()
    tmux.run(
        "split-window", "-h", "-t", "ttx:0", f"{env} {console('join', session, '--seat', codes['delegation:AFG'])}"
    )
    tmux.run(
        "split-window", "-h", "-t", "ttx:0", f"{env} {console('join', session, '--seat', codes['delegation:ARE'])}"
    )
    tmux.run("select-layout", "-t", "ttx:0", "even-horizontal")
    for pane in (1, 2):
        tmux.wait_for(pane, lambda s: "EXERCISE" in s and "delegation" in s, f"participant console {pane}")

    tmux.keys(0, "s")
    tmux.wait_for(
        0, lambda s: "running" in s and "released" in s and "▶ A1-2" in s, "the started exercise with A1-1 released"
    )
    tmux.keys(0, "g")  # go to A1-6, which goes to RRWG, TIPWG, IOM and BGD
    tmux.wait_for(0, lambda s: "Go to inject" in s, "the go-to prompt")
    tmux.keys(0, "-l", "A1-6")
    tmux.keys(0, "Enter")
    tmux.wait_for(0, lambda s: "Go to inject" not in s, "the console after the prompt closed")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and released(session) == ["A1-1"]:
        tmux.keys(0, "r")  # pressed again if a busy machine let the first press go astray
        time.sleep(1.0)
    assert released(session) == ["A1-1", "A1-6"], f"the facilitator released the highlighted row:\n{tmux.screen(0)}"
    afghanistan = tmux.wait_for(1, lambda s: "A1-6" in s, "A1-6 in the RRWG delegation's console")
    assert "Families in the camps" in afghanistan
    time.sleep(1.0)  # a second for the other console to (wrongly) show it
    assert "A1-6" not in tmux.screen(2), "ARE sits only in DWG and must not see A1-6"

    tmux.keys(1, "r")
    tmux.keys(1, "-l", "AFG delegation will brief families")
    tmux.keys(1, "C-s")
    tmux.wait_for(1, lambda s: "response recorded" in s.lower(), "the recorded confirmation")
    tmux.keys(0, "2")
    board = tmux.wait_for(0, lambda s: "AFG" in s, "the board")
    afg_line = next(line for line in board.splitlines() if "AFG" in line)
    assert afg_line.split()[-2:] == ["1", "1"], afg_line  # received 1, answered 1
    tmux.keys(0, "3")
    tmux.wait_for(0, lambda s: "AFG delegation will brief families" in s, "the response in the live feed")

    store = SqliteStore(session)
    state = fold(store.events())
    store.close()
    assert [r.text for r in state.responses["A1-6"]] == ["AFG delegation will brief families"]
