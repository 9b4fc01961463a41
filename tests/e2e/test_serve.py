"""ttx serve as real processes on a loopback port: consoles start, end with sign-out, idleness and the server."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from ttx.engine.state import fold
from ttx.store.sqlite import SqliteStore

from ..helpers import FERRY, ttx
from ..serve.harness import Browserless, Controller, Served, alive, cmdline_of, environ_of, wait_until


@pytest.fixture
def controller(tmp_path: Path) -> Iterator[Controller]:
    running = Controller(FERRY, tmp_path / "ferry.ttx")
    yield running
    running.stop()


@pytest.fixture
def served(controller: Controller) -> Iterator[Served]:
    server = Served(controller.session)
    yield server
    server.stop(signal.SIGKILL)


async def test_a_console_shows_its_seat_keeps_the_code_off_the_process_list_and_ends_at_sign_out(
    controller: Controller, served: Served
) -> None:
    client = Browserless(served.url)
    try:
        signed = await client.sign_in(controller.codes["delegation:XCA"])
        assert signed.status == 303
        await client.open()
        await client.read_until(lambda s: "NIGHT FERRY" in s and "delegation XCA" in s)
        [pid] = served.consoles()
        code = controller.codes["delegation:XCA"]
        assert code not in cmdline_of(pid), "the code must not show on the host's process list"
        assert "ttx.serve.child" in cmdline_of(pid)
        assert environ_of(pid)["TTX_SEAT"] == code
        await client.http.post(f"{served.url}/signout", allow_redirects=False)
        wait_until(lambda: not alive(pid), "the console's end after sign-out", 10)
        assert await client.closed()
        again = await client.http.get(f"{served.url}/console", allow_redirects=False)
        assert again.status == 303 and again.headers["Location"] == "/"
    finally:
        await client.close()


async def test_a_served_response_is_recorded_by_the_controller(controller: Controller, served: Served) -> None:
    controller.submit('{"kind": "start"}')
    controller.submit('{"kind": "release", "inject": "N1-5"}')
    client = Browserless(served.url)
    try:
        await client.sign_in(controller.codes["delegation:XCA"])
        await client.open()
        await client.read_until(lambda s: "Passengers' families wait" in s)
        await client.type("r")  # to the response form
        await asyncio.sleep(0.5)  # keys typed while the focus moves would land in the list
        await client.type("XCA will brief the families")
        await client.read_until(lambda s: "XCA will brief the families" in s)
        await client.type("\x13")  # ctrl+s
        await client.read_until(lambda s: "Recorded" in s)
    finally:
        await client.close()
    store = SqliteStore(controller.session, read_only=True)
    responses = fold(store.events()).responses["N1-5"]
    store.close()
    assert [(r.participant, r.text) for r in responses] == [("XCA", "XCA will brief the families")]


async def test_stopping_the_server_ends_every_console(controller: Controller, served: Served) -> None:
    clients = [Browserless(served.url) for _ in range(2)]
    try:
        for client, seat in zip(clients, ("delegation:XCA", "delegation:XDU"), strict=True):
            await client.sign_in(controller.codes[seat])
            await client.open()
            await client.read_until(lambda s: "EXERCISE" in s)
        pids = served.consoles()
        assert len(pids) == 2
        log = served.stop(signal.SIGTERM)
        assert served.process.returncode == 0, log
        assert [pid for pid in pids if alive(pid)] == [], "no console outlives its server"
        assert "server stopping" in log
    finally:
        for client in clients:
            await client.close()


async def test_a_killed_server_leaves_no_orphan(controller: Controller, served: Served) -> None:
    client = Browserless(served.url)
    try:
        await client.sign_in(controller.codes["delegation:XAR"])
        await client.open()
        await client.read_until(lambda s: "EXERCISE" in s)
        [pid] = served.consoles()
        served.stop(signal.SIGKILL)
        wait_until(lambda: not alive(pid), "the orphaned console's exit", 5)
    finally:
        await client.close()


async def test_an_idle_tab_is_signed_out_and_its_console_ends(controller: Controller) -> None:
    served = Served(controller.session, "--idle-minutes", "0.03")  # about two seconds
    client = Browserless(served.url)
    try:
        await client.sign_in(controller.codes["delegation:XBO"])
        await client.open()
        await client.read_until(lambda s: "EXERCISE" in s)
        [pid] = served.consoles()
        assert await client.closed(timeout=15)
        wait_until(lambda: not alive(pid), "the idle console's exit", 10)
        again = await client.http.get(f"{served.url}/console", allow_redirects=False)
        assert again.status == 303
    finally:
        await client.close()
        log = served.stop()
    assert "signed out (idle)" in log


async def test_closing_the_tab_ends_its_console(controller: Controller, served: Served) -> None:
    client = Browserless(served.url)
    try:
        await client.sign_in(controller.codes["scribe:PWG"])
        await client.open()
        await client.read_until(lambda s: "EXERCISE" in s)
        [pid] = served.consoles()
        assert client.ws is not None
        await client.ws.close()
        wait_until(lambda: not alive(pid), "the console's end when its tab closed", 10)
    finally:
        await client.close()


async def test_the_facilitator_console_is_served_only_when_allowed_and_runs_the_controller(tmp_path: Path) -> None:
    controller = Controller(FERRY, tmp_path / "ferry.ttx")
    controller.stop()  # the facilitator works from a browser: no controller in a terminal
    served = Served(controller.session, "--allow-facilitator")
    client = Browserless(served.url)
    try:
        assert (await client.sign_in(controller.codes["facilitator"])).status == 303
        await client.open()
        await client.read_until(lambda s: "MSEL" in s and "NIGHT FERRY" in s)
        store = SqliteStore(controller.session, read_only=True)
        try:
            wait_until(store.writer_active, "the served facilitator console's controller heartbeat", 15)
        finally:
            store.close()
    finally:
        await client.close()
        served.stop()


def test_serve_refuses_a_missing_session_and_a_bad_address(tmp_path: Path) -> None:
    missing = ttx("serve", tmp_path / "missing.ttx")
    assert missing.returncode == 2 and "missing.ttx" in missing.stderr and "Traceback" not in missing.stderr
    bad = ttx("serve", tmp_path / "missing.ttx", "--bind", "localhost:http")
    assert bad.returncode == 2 and "HOST:PORT" in bad.stderr
