"""Two `ttx serve` processes on two loopback ports sharing one PostgreSQL session: a stand-in for two serving hosts.

One `ttx run --plain` (the facilitator's controller) runs the session; each server serves one delegation; both
consoles show the same released inject, and the controller records both responses, once each.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.engine.state import fold
from ttx.store.sessions import open_store, resolve

from ..helpers import FERRY, ttx
from ..postgres_cluster import Cluster, postgres
from ..serve.harness import Browserless, alive, children_of, environ_of, free_port, ttx_process, wait_until

__all__ = ["postgres"]

SESSION = "ferry-two-hosts"
INJECT, TITLE = "N1-5", "Passengers' families wait"
"""NIGHT FERRY's N1-5, released by the facilitator, goes to cell PWG: XAR, XCA and RMO."""
SEATS = ("delegation:XCA", "delegation:RMO")
"""One delegation a server (the first given the session by name with --store, the second by URL); both sit in PWG
only, so N1-5 is the one inject their consoles list and the one their `r` answers."""


class Running:
    """A `python -m ttx ARGS` process whose output lines are collected by a thread, so every wait is bounded."""

    def __init__(self, *args: str | Path) -> None:
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self.process = ttx_process(*args, errors=self.errors)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        """What the process wrote to its error output so far."""
        self.errors.seek(0)
        return self.errors.read()

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 20.0) -> None:
        """Wait until an output line passes ``check`` (fail naming ``what`` if the process ends or time runs out)."""
        deadline = time.monotonic() + timeout
        while not any(check(line) for line in list(self.lines)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"{what}: not printed within {timeout} s\n{self.lines[-20:]}\n{self.log()[-3000:]}"
                )
            time.sleep(0.05)

    def stop(self, sig: int) -> int:
        """Stop the process with ``sig`` (killed after 15 s); its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.reader.join(5)
        self.errors.close()
        return self.process.returncode


@pytest.fixture
def database(postgres: Cluster) -> str:
    """The URL of a fresh database in the throwaway cluster (no session named)."""
    return postgres.url(postgres.new_database())


def submit(database: str, code: str, command: str) -> None:
    """Queue a command as a seat and wait for the controller to record it."""
    sent = ttx("submit", SESSION, "--store", database, "--seat", code, "--json", command, timeout=30)
    assert sent.returncode == 0 and "recorded as event" in sent.stdout, sent.stdout + sent.stderr


def fed(participant: str) -> Callable[[str], bool]:
    """Whether a line of the controller's feed is its record of a response of ``participant`` to the inject."""
    return lambda line: (
        "response_recorded" in line and f"inject={INJECT}" in line and f"participant={participant}" in line
    )


async def respond(client: Browserless, text: str) -> None:
    """Answer the selected inject in a served console, as a delegation's keystrokes do."""
    await client.type("r")  # to the response form
    await asyncio.sleep(0.5)  # keys typed while the focus moves would land in the list
    await client.type(text)
    await client.read_until(lambda s: text in s, timeout=10)
    await client.type("\x13")  # ctrl+s
    await client.read_until(lambda s: "Recorded" in s, timeout=10)


async def test_two_servers_on_one_postgres_session_serve_one_exercise_to_one_controller(database: str) -> None:
    url = f"{database}&session={SESSION}"
    controller = Running("run", FERRY, "--session", SESSION, "--store", database, "--plain", "--speed", "1")
    servers: list[Running] = []
    clients: list[Browserless] = []
    consoles: list[int] = []
    try:
        controller.wait_for(lambda line: line.startswith("controller running"), "the controller's start")
        opened = open_store(resolve(url, None), read_only=True)
        try:
            codes = {seat.seat: seat.code for seat in opened.seats()}
        finally:
            opened.close()

        ports = [free_port(), free_port()]
        while ports[1] == ports[0]:
            ports[1] = free_port()
        for port, session in zip(ports, ([SESSION, "--store", database], [url]), strict=True):
            servers.append(Running("serve", *session, "--bind", f"127.0.0.1:{port}", "--max-consoles", "2"))
        for server in servers:
            server.wait_for(lambda line: line.startswith("serving") and SESSION in line, "the server's start")

        clients = [Browserless(f"http://127.0.0.1:{port}") for port in ports]
        for client, seat in zip(clients, SEATS, strict=True):
            assert (await client.sign_in(codes[seat])).status == 303
            await client.open()
        await asyncio.gather(*(c.read_until(lambda s: "NIGHT FERRY" in s, timeout=20) for c in clients))
        for server in servers:
            [pid] = children_of(server.pid)
            consoles.append(pid)
        assert environ_of(consoles[0]).get("TTX_STORE") == database, "--store reaches the first server's console"

        submit(database, codes["facilitator"], '{"kind": "start"}')
        submit(database, codes["facilitator"], f'{{"kind": "release", "inject": "{INJECT}"}}')
        screens = await asyncio.gather(*(c.read_until(lambda s: TITLE in s, timeout=15) for c in clients))
        assert all(INJECT in screen and TITLE in screen for screen in screens), "both consoles show the release"

        texts = {
            seat: f"{seat.split(':')[1]} answers from port {port}" for seat, port in zip(SEATS, ports, strict=True)
        }
        await asyncio.gather(*(respond(c, texts[seat]) for c, seat in zip(clients, SEATS, strict=True)))

        for seat in SEATS:
            participant = seat.split(":")[1]
            controller.wait_for(fed(participant), f"the controller's record of {participant}'s response", timeout=10)
        store = open_store(resolve(SESSION, database), read_only=True)
        try:
            events = list(store.events())
        finally:
            store.close()
        recorded = sorted(
            (e.event.inject, e.event.participant, e.event.text) for e in events if e.event.type == "response_recorded"
        )
        expected = sorted((INJECT, seat.split(":")[1], text) for seat, text in texts.items())
        assert recorded == expected, "each response recorded once, to the released inject"
        responses = fold(events).responses
        assert sorted((r.participant, r.text) for r in responses[INJECT]) == [row[1:] for row in expected]
    finally:
        for client in clients:
            await client.close()
        consoles += [pid for server in servers for pid in children_of(server.pid) if pid not in consoles]
        codes_of_servers = [server.stop(signal.SIGTERM) for server in servers]
        controller.stop(signal.SIGINT)
    assert codes_of_servers == [0, 0], "each server stops cleanly and ends its console"
    started_here = [controller.pid, *(server.pid for server in servers), *consoles]
    assert len(started_here) == 5, "a controller, two servers and one console on each"
    wait_until(lambda: not any(map(alive, started_here)), "the end of every process the test started", 5)
    assert not set(started_here) & set(children_of(os.getpid())), "no child of the test is left"
