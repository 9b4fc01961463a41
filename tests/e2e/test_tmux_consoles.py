"""Three real consoles in tmux — facilitator and two delegations in different cells — sharing one session."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ttx.engine.state import fold
from ttx.store.sqlite import SqliteStore

from ..helpers import FERRY, ROOT


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
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: `make test` installs it with apt-get (apt-get install tmux)")
    server = Tmux(tmp_path / "tmux.sock")
    yield server
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
        f"{env} {console('run', FERRY, '--session', session)}",
    )
    tmux.wait_for(0, lambda s: "MSEL" in s and "EXERCISE" in s, "the facilitator console")
    store = SqliteStore(session)
    codes = {seat.seat: seat.code for seat in store.seats()}
    store.close()
    tmux.run(
        "split-window", "-h", "-t", "ttx:0", f"{env} {console('join', session, '--seat', codes['delegation:XCA'])}"
    )
    tmux.run(
        "split-window", "-h", "-t", "ttx:0", f"{env} {console('join', session, '--seat', codes['delegation:XDU'])}"
    )
    tmux.run("set-option", "-t", "ttx", "remain-on-exit", "on")
    tmux.run("select-layout", "-t", "ttx:0", "even-horizontal")
    for pane in (1, 2):
        tmux.wait_for(pane, lambda s: "EXERCISE" in s and "delegation" in s, f"participant console {pane}")

    tmux.keys(0, "s")
    tmux.wait_for(
        0, lambda s: "running" in s and "released" in s and "▶ N1-2" in s, "the started exercise with N1-1 released"
    )
    tmux.keys(0, "g")  # go to N1-5, which goes to PWG only
    tmux.wait_for(0, lambda s: "Go to inject" in s, "the go-to prompt")
    tmux.keys(0, "-l", "N1-5")
    tmux.keys(0, "Enter")
    tmux.wait_for(0, lambda s: "Go to inject" not in s, "the console after the prompt closed")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and released(session) == ["N1-1"]:
        tmux.keys(0, "r")  # pressed again if a busy machine let the first press go astray
        time.sleep(1.0)
    assert released(session) == ["N1-1", "N1-5"], f"the facilitator released the highlighted row:\n{tmux.screen(0)}"
    calvera = tmux.wait_for(1, lambda s: "N1-5" in s, "N1-5 in the PWG delegation's console")
    assert "Passengers' families wait" in calvera
    time.sleep(1.0)  # a second for the other console to (wrongly) show it
    assert "N1-5" not in tmux.screen(2), "XDU sits only in DWG and must not see N1-5"

    tmux.keys(1, "r")
    tmux.keys(1, "-l", "XCA delegation will brief families")
    tmux.keys(1, "C-s")
    tmux.wait_for(1, lambda s: "response recorded" in s.lower(), "the recorded confirmation")
    tmux.keys(0, "2")
    board = tmux.wait_for(0, lambda s: "XCA" in s, "the board")
    xca_line = next(line for line in board.splitlines() if "XCA" in line)
    assert xca_line.split()[-2:] == ["1", "1"], xca_line  # received 1, answered 1
    tmux.keys(0, "3")
    tmux.wait_for(0, lambda s: "XCA delegation will brief families" in s, "the response in the live feed")

    store = SqliteStore(session)
    state = fold(store.events())
    store.close()
    assert [r.text for r in state.responses["N1-5"]] == ["XCA delegation will brief families"]

    tmux.keys(2, "2")  # the keyboard reaches the Requests tab, and it stays there
    tmux.wait_for(2, lambda s: "what you ask" in s, "XDU's requests tab")
    time.sleep(0.5)
    assert "what you ask" in tmux.screen(2), f"the requests tab flipped back:\n{tmux.screen(2)}"
    tmux.keys(2, "?")
    tmux.wait_for(2, lambda s: "Back to the list" in s, "the key help")
    tmux.keys(2, "Escape")

    tmux.keys(0, "q")  # a clean stop: every open console says so within two seconds
    for pane in (1, 2):
        tmux.wait_for(pane, lambda s: "facilitator console closed" in s, f"the stop on console {pane}", timeout=5)
