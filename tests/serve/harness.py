"""What the ttx serve tests share: a served session in a real process, a websocket client that reads the screen."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import aiohttp
import yaml

from ttx.serve.watchdog import set_parent_death_signal
from ttx.store.sqlite import SqliteStore

from ..helpers import ROOT

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
"""Terminal control sequences: what is left once they are removed is the text the console drew."""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """The ids of the processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Poll ``check`` until it holds, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def seat_codes(session: Path) -> dict[str, str]:
    """Seat id → join code."""
    store = SqliteStore(session, read_only=True)
    try:
        return {seat.seat: seat.code for seat in store.seats()}
    finally:
        store.close()


def ttx_process(*args: str | Path, errors: IO[str]) -> subprocess.Popen[str]:
    """A `python -m ttx ARGS` process, its output read as text lines, its error output written to ``errors``.

    It gets SIGTERM if the test run dies first, so an interrupted run leaves no controller or server behind.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "ttx", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        preexec_fn=lambda: set_parent_death_signal(signal.SIGTERM),
    )


class Controller:
    """`ttx run --plain` on a session: the one writer, as the facilitator would run it."""

    def __init__(self, scenario: Path, session: Path, *, speed: str = "1") -> None:
        self.session = session
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed with the process
        self.process = ttx_process(
            "run", scenario, "--session", session, "--plain", "--speed", speed, errors=self.errors
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("controller running"):
                break
        else:
            self.errors.seek(0)
            raise AssertionError(f"the controller did not start: {self.errors.read()}")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()  # the event feed, drained
        self.codes = seat_codes(session)

    def submit(self, command: str) -> None:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ttx",
                "submit",
                str(self.session),
                "--seat",
                self.codes["facilitator"],
                "--json",
                command,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Served:
    """`ttx serve SESSION` on a free loopback port, in its own process."""

    def __init__(self, session: Path, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed with the process
        self.process = ttx_process("serve", session, "--bind", f"127.0.0.1:{self.port}", *extra, errors=self.errors)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("serving"):
            self.process.kill()
            raise AssertionError(line + self.log())

    def log(self) -> str:
        """What the server logged so far."""
        self.errors.seek(0)
        return self.errors.read()

    @property
    def pid(self) -> int:
        return self.process.pid

    def consoles(self) -> list[int]:
        """The console processes the server runs now."""
        return children_of(self.pid)

    def stop(self, sig: int = signal.SIGTERM) -> str:
        """Stop the server; returns what it logged."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log()


def screen_text(data: bytes) -> str:
    """The text a console drew, its control sequences removed."""
    return ESCAPES.sub(b"", data).decode("utf-8", "replace")


class Browserless:
    """A signed-in client speaking textual-serve's websocket protocol, the way the page's script does.

    It reads the socket all the time, as a browser does, so it answers the server's heartbeat pings.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.received = b""
        self.text = ""
        self.ended = asyncio.Event()
        self.pump: asyncio.Task[None] | None = None

    async def sign_in(self, code: str) -> aiohttp.ClientResponse:
        return await self.http.post(f"{self.url}/signin", data={"code": code}, allow_redirects=False)

    async def open(self, width: int = 160, height: int = 48) -> None:
        self.ws = await self.http.ws_connect(f"{self.url}/ws?width={width}&height={height}", autoping=True)
        self.pump = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.received += message.data
                self.text += screen_text(message.data)  # a sequence split between messages may leave a stray byte
        self.ended.set()

    async def read_until(self, check: Callable[[str], bool], timeout: float = 30.0) -> str:
        """Wait until ``check`` holds for the screen's text so far (fail after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text
            if check(text):
                return text
            if self.ended.is_set():
                raise AssertionError(f"the console closed; it showed:\n{text[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not on the screen within {timeout} s; it shows:\n{text[-3000:]}")
            await asyncio.sleep(0.05)

    async def closed(self, timeout: float = 15.0) -> bool:
        """Whether the server closes the websocket within ``timeout``."""
        try:
            await asyncio.wait_for(self.ended.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def type(self, text: str) -> None:
        assert self.ws is not None
        await self.ws.send_json(["stdin", text])

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.pump is not None:
            self.pump.cancel()
        await self.http.close()


def room(folder: Path, delegations: int, *, rounds: int = 1, manual: bool = False) -> Path:
    """A one-day scenario with a cell of its own for each delegation and ``rounds`` injects addressed to each.

    Injects are released a minute apart from 08:01, or, when ``manual``, due only at 19:00 so that the
    facilitator releases them (ids ``I{round}-{delegation}``, titles ``Release for X..`` or ``Release R for X..``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    codes = [f"X{chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(delegations)]
    injects = []
    for round_ in range(rounds):
        for n, code in enumerate(codes):
            minute = 19 * 60 if manual else 8 * 60 + 1 + round_ * delegations + n
            injects.append(
                {
                    "id": f"I{round_}-{code}",
                    "time": f"D1 {minute // 60:02d}:{minute % 60:02d}",
                    "from": "Load source",
                    "to": [code],
                    "channel": "sitrep",
                    "tlp": "GREEN",
                    "title": f"Release for {code}" if rounds == 1 else f"Release {round_} for {code}",
                    "body": f"Only {code} reads this.",
                    "objectives": ["O1"],
                    "capabilities": ["C1"],
                }
            )
    scenario = {
        "exercise": {"title": "LOAD ROOM", "version": "1", "tlp": "GREEN"},
        "objectives": [{"id": "O1", "title": "Read what is released"}],
        "capabilities": [
            {"id": "C1", "name": "Reading", "objectives": ["O1"], "target": "All read", "critical_tasks": ["Read"]}
        ],
        "cells": [{"id": f"C{code}", "name": f"Cell of {code}"} for code in codes],
        "participants": [{"id": code, "name": f"Delegation {code}", "cells": [f"C{code}"]} for code in codes],
        "days": [{"day": 1, "title": "Day 1", "lead": f"C{codes[0]}"}],
        "phases": [{"id": "p1", "title": "Phase 1", "start": "D1 08:00", "end": "D1 20:00"}],
        "injects": injects,
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False), encoding="utf-8")
    return folder


def rss_mib(pid: int) -> float:
    """A process's resident memory in MiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def environ_of(pid: int) -> dict[str, str]:
    """A process's environment (readable by its owner and root only)."""
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode("utf-8", "replace").split("\0") if "=" in item)


def cmdline_of(pid: int) -> str:
    """A process's command line as `ps` shows it to every user of the host."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
