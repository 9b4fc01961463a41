"""Signed-in tabs and their console processes: tokens, one process a tab, the bound on processes, idle endings."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import sys
import time
from asyncio.subprocess import PIPE, Process
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from ttx.serve.child import FACILITATOR_VARIABLE, PARENT_VARIABLE, SEAT_VARIABLE, SESSION_VARIABLE
from ttx.text import one_line

log = logging.getLogger("ttx.serve")

CHILD_COMMAND = (sys.executable, "-m", "ttx.serve.child")
"""The console process: no argument that names a seat or its code (see ttx/serve/child.py)."""

ERROR_TAIL = 16384
"""Bytes of a console's error output kept for the server's log."""

PER_SEAT = 8
"""Sign-ins one seat may hold at once: a newer one signs out the least recently active."""

QUIT_GRACE = 2.0
"""Seconds a console has to quit when asked before it is terminated, then killed."""


class ConsoleProcess(AppService):
    """textual-serve's process driver, started without a shell and with the seat's code in its environment only."""

    def __init__(
        self,
        environment: dict[str, str],
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        write_str: Callable[[str], Awaitable[None]],
        close: Callable[[], Awaitable[None]],
        download_manager: DownloadManager,
    ) -> None:
        super().__init__(
            " ".join(CHILD_COMMAND),
            write_bytes=write_bytes,
            write_str=write_str,
            close=close,
            download_manager=download_manager,
        )
        self.environment = environment

    @property
    def pid(self) -> int | None:
        """The console process's id, once started."""
        return self._process.pid if self._process is not None else None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        environment = self._build_environment(width=width, height=height)
        for name in (SEAT_VARIABLE, SESSION_VARIABLE, PARENT_VARIABLE, FACILITATOR_VARIABLE):
            environment.pop(name, None)
        environment.update(self.environment)
        environment[PARENT_VARIABLE] = str(os.getpid())
        self._process = process = await asyncio.create_subprocess_exec(
            *CHILD_COMMAND, stdin=PIPE, stdout=PIPE, stderr=PIPE, env=environment
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the console's screen until it ends, then close the tab's websocket so its page says so.

        textual-serve's own loop copies a console's error output to the server's standard output; this one
        keeps the last of it for the server's log, so a console that fails says why in one place.
        """
        process = self._process
        assert process is not None and process.stdout is not None and process.stderr is not None
        stdout, stderr = process.stdout, process.stderr
        errors = bytearray()

        async def read_errors() -> None:
            while chunk := await stderr.read(4096):
                errors.extend(chunk)
                del errors[:-ERROR_TAIL]

        error_task = asyncio.create_task(read_errors())
        try:
            for _ in range(10):  # the web driver announces itself before its first packet
                line = await stdout.readline()
                if not line or line == b"__GANGLION__\n":
                    break
            while True:
                kind = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if kind == b"D":
                    await self.on_data(payload)
                elif kind == b"M":
                    await self.on_meta(payload)
        except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(error_task, 2.0)
            if errors:
                text = one_line(errors.decode("utf-8", "replace").strip()[-2000:])
                log.warning("console pid %s wrote to its error output: %s", process.pid, text)
            with contextlib.suppress(Exception):
                await self.remote_close()

    async def on_meta(self, data: bytes) -> None:
        """Only 'exit' is honoured: a console may not open links or send files to the browser."""
        meta = json.loads(data)
        if isinstance(meta, dict) and meta.get("type") == "exit":
            await self.remote_close()

    async def stop(self) -> None:
        """Ask the console to quit, then terminate it, then kill it; wait until it is gone."""
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(Exception):
                await self.send_meta({"type": "quit"})
            for ending in (None, process.terminate, process.kill):
                if ending is not None:
                    with contextlib.suppress(ProcessLookupError):
                        ending()
                try:
                    await asyncio.wait_for(process.wait(), QUIT_GRACE if ending is None else 1.0)
                    break
                except TimeoutError:
                    continue
        if self._task is not None:
            task, self._task = self._task, None
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 2.0)


@dataclass
class Signin:
    """One signed-in browser: its token (the cookie), its seat, and its console while a tab shows it."""

    token: str
    seat: str
    label: str
    code: str
    address: str
    last_active: float
    console: ConsoleProcess | None = None
    websocket: web.WebSocketResponse | None = None
    ended: str = field(default="")


class Consoles:
    """Every sign-in by token, and the console processes they hold, bounded in number and ended when idle."""

    def __init__(self, *, max_consoles: int, idle_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_consoles = max_consoles
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.signins: dict[str, Signin] = {}

    def sign_in(self, seat: str, label: str, code: str, address: str) -> Signin:
        """A new sign-in with a fresh random token (see ``admit`` for the bound per seat)."""
        signin = Signin(secrets.token_urlsafe(32), seat, label, code, address, self.clock())
        self.signins[signin.token] = signin
        return signin

    async def admit(self, seat: str, label: str, code: str, address: str) -> Signin:
        """Sign in, first signing out the seat's least recently active sign-ins past ``PER_SEAT``.

        A code shared by a delegation's laptops works on each; signing in again and again piles up no tokens.
        """
        same = sorted((s for s in self.signins.values() if s.seat == seat), key=lambda s: s.last_active)
        for oldest in same[: max(0, len(same) - PER_SEAT + 1)]:
            await self.sign_out(oldest, "replaced by newer sign-ins of the same seat")
        return self.sign_in(seat, label, code, address)

    def get(self, token: str | None) -> Signin | None:
        """The sign-in this token belongs to, if it is still valid."""
        if not token:
            return None
        signin = self.signins.get(token)
        if signin is None or not secrets.compare_digest(signin.token, token):
            return None
        return signin

    def running(self) -> int:
        """How many console processes are running."""
        return sum(1 for s in self.signins.values() if s.console is not None)

    def full(self) -> bool:
        """Whether another console would exceed the bound."""
        return self.running() >= self.max_consoles

    async def close_console(self, signin: Signin, why: str) -> None:
        """End a sign-in's console (its process, then its websocket); the sign-in stays valid."""
        console, websocket = signin.console, signin.websocket
        signin.console, signin.websocket = None, None
        if console is not None:
            pid = console.pid
            await console.stop()
            log.info("console of %s (pid %s) ended: %s", signin.seat, pid, why)
        if websocket is not None and not websocket.closed:
            with contextlib.suppress(Exception):
                await websocket.close(code=1000, message=why.encode()[:120])

    async def sign_out(self, signin: Signin, why: str) -> None:
        """End a sign-in: its token stops working and its console ends."""
        self.signins.pop(signin.token, None)
        signin.ended = why
        await self.close_console(signin, why)
        log.info("%s signed out (%s) from %s", signin.seat, why, signin.address)

    async def end_idle(self) -> int:
        """Sign out every sign-in idle for longer than the idle time; returns how many."""
        limit = self.clock() - self.idle_seconds
        idle = [s for s in self.signins.values() if s.last_active < limit]
        for signin in idle:
            await self.sign_out(signin, "idle")
        return len(idle)

    async def watch_idle(self) -> None:
        """Run forever: end idle sign-ins a few times per idle period."""
        every = max(0.5, min(10.0, self.idle_seconds / 4))
        while True:
            await asyncio.sleep(every)
            await self.end_idle()

    async def stop_all(self) -> None:
        """End every sign-in and console (the server is stopping)."""
        await asyncio.gather(*(self.sign_out(s, "server stopping") for s in list(self.signins.values())))
