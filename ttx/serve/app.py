"""The aiohttp application of ttx serve: sign-in, the console page, its websocket, sign-out, static files."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.download_manager import DownloadManager

from ttx.serve.child import FACILITATOR_VARIABLE, SEAT_VARIABLE, SESSION_VARIABLE
from ttx.serve.consoles import ConsoleProcess, Consoles, Signin
from ttx.serve.directory import Directory
from ttx.serve.pages import CONSOLE_JS, CONTENT_SECURITY_POLICY, CSS, FONTS, console_page, notice_page, signin_page
from ttx.serve.ratelimit import FailureLimiter

log = logging.getLogger("ttx.serve")

COOKIE = "ttx_token"
"""The cookie that holds a sign-in's random token (never the seat code)."""
HEARTBEAT = 15.0
"""Seconds between the server's pings on a console's websocket: a browser gone silent is noticed within about this."""
STATIC = Path(textual_serve.__file__).resolve().parent / "static"
"""textual-serve's bundled script, terminal stylesheet and fonts, served from this host."""


@dataclass(frozen=True)
class ServeOptions:
    """How a session is served."""

    session: str
    """The session as given on the command line (a file, a PostgreSQL URL, or a name in TTX_STORE)."""
    store: str | None = None
    """--store, passed to the console processes in TTX_STORE."""
    allow_facilitator: bool = False
    """Whether the facilitator's code opens the facilitator console (it then runs the controller)."""
    max_consoles: int = 20
    """Console processes at most at once."""
    idle_seconds: float = 3600.0
    """A sign-in with no keystroke for this long is signed out and its console ended."""
    failures_per_minute: int = 10
    """Failed sign-ins allowed per client address in any minute; past that, HTTP 429."""
    trusted_proxies: frozenset[str] = field(default_factory=frozenset)
    """Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed."""


class ServeHandlers:
    """The request handlers, sharing the directory, the sign-ins and the failure limiter."""

    def __init__(self, options: ServeOptions, directory: Directory, limiter: FailureLimiter | None = None) -> None:
        self.options = options
        self.directory = directory
        self.exercise = directory.exercise
        self.consoles = Consoles(max_consoles=options.max_consoles, idle_seconds=options.idle_seconds)
        self.limiter = limiter or FailureLimiter(options.failures_per_minute, 60.0)
        self.downloads = DownloadManager()

    # ------------------------------------------------------------------ helpers
    def client(self, request: web.Request) -> str:
        """The client's address: the peer, or what a trusted reverse proxy says the peer was."""
        peer = request.remote or "unknown"
        forwarded = request.headers.get("X-Forwarded-For", "")
        if peer in self.options.trusted_proxies and forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
        return peer

    def secure(self, request: web.Request) -> bool:
        """Whether the browser reached us over TLS (directly, or through a trusted proxy that says so)."""
        if request.secure:
            return True
        proxied = (request.remote or "") in self.options.trusted_proxies
        return proxied and request.headers.get("X-Forwarded-Proto", "").lower() == "https"

    def signin_of(self, request: web.Request) -> Signin | None:
        return self.consoles.get(request.cookies.get(COOKIE))

    def html(self, text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")

    # ------------------------------------------------------------------ pages
    async def index(self, request: web.Request) -> web.StreamResponse:
        if self.signin_of(request) is not None:
            raise web.HTTPSeeOther("/console")
        return self.html(signin_page(self.exercise))

    async def signin(self, request: web.Request) -> web.StreamResponse:
        address = self.client(request)
        if self.limiter.blocked(address):
            log.warning("sign-in from %s refused: too many failed attempts", address)
            page = notice_page(self.exercise, "Too many attempts", "Too many wrong codes: wait a minute and try again.")
            response = self.html(page, 429)
            response.headers["Retry-After"] = str(self.limiter.retry_after(address))
            return response
        form = await request.post()
        code = str(form.get("code", ""))
        seat = self.directory.seat(code)
        if seat is None:
            count = self.limiter.failed(address)
            log.warning("failed sign-in from %s (%d in the last minute)", address, count)
            return self.html(signin_page(self.exercise, error="That is not a seat code of this exercise."), 401)
        if seat.role.value == "facilitator" and not self.options.allow_facilitator:
            log.warning("facilitator code refused from %s: not served without --allow-facilitator", address)
            page = notice_page(
                self.exercise,
                "Not served here",
                "This is the facilitator's code: the facilitator console runs on the exercise host, not in a browser.",
            )
            return self.html(page, 403)
        if self.consoles.full():
            log.warning("sign-in of %s from %s refused: %d consoles open", seat.seat, address, self.consoles.running())
            page = notice_page(
                self.exercise, "Server busy", "Every console this server can run is open: try again in a minute."
            )
            return self.html(page, 503)
        signin = await self.consoles.admit(seat.seat, f"{seat.seat} — {seat.label}", code.strip(), address)
        log.info("%s signed in from %s", seat.seat, address)
        response = web.HTTPSeeOther("/console")
        response.set_cookie(
            COOKIE, signin.token, httponly=True, samesite="Strict", path="/", secure=self.secure(request)
        )
        raise response

    async def console(self, request: web.Request) -> web.StreamResponse:
        signin = self.signin_of(request)
        if signin is None:
            raise web.HTTPSeeOther("/")
        signin.last_active = self.consoles.clock()
        return self.html(console_page(self.exercise, signin.label))

    async def signout(self, request: web.Request) -> web.StreamResponse:
        signin = self.signin_of(request)
        if signin is not None:
            await self.consoles.sign_out(signin, "signed out")
        response = web.HTTPSeeOther("/")
        response.del_cookie(COOKIE, path="/")
        raise response

    async def asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        body, kind = {"ttx.css": (CSS, "text/css"), "fonts.css": (FONTS, "text/css")}.get(
            name, (CONSOLE_JS, "text/javascript") if name == "console.js" else ("", "")
        )
        if not kind:
            raise web.HTTPNotFound()
        return web.Response(text=body, content_type=kind, charset="utf-8")

    # ------------------------------------------------------------------ the console's websocket
    def same_origin(self, request: web.Request) -> bool:
        """A websocket opened by a page of this server (not by another site riding the cookie)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: the token alone decides
        return origin.split("://", 1)[-1].rstrip("/") == request.host

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        signin = self.signin_of(request)
        if signin is None or not self.same_origin(request):
            raise web.HTTPForbidden(text="sign in first")
        if signin.console is not None:
            await self.consoles.close_console(signin, "opened in another tab")
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
        await websocket.prepare(request)
        if self.consoles.full():
            log.warning("console of %s refused: %d consoles open", signin.seat, self.consoles.running())
            await websocket.close(code=1013, message=b"server busy")
            return websocket
        width = _bounded(request.query.get("width"), 80, 20, 500)
        height = _bounded(request.query.get("height"), 24, 10, 300)
        environment = {SEAT_VARIABLE: signin.code, SESSION_VARIABLE: self.options.session}
        if self.options.store:
            environment["TTX_STORE"] = self.options.store
        if self.options.allow_facilitator:
            environment[FACILITATOR_VARIABLE] = "1"

        async def close() -> None:
            await websocket.close()

        console = ConsoleProcess(
            environment,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.downloads,
        )
        signin.console, signin.websocket = console, websocket
        try:
            await console.start(width, height)
            log.info("console of %s started (pid %s) for %s", signin.seat, console.pid, signin.address)
            await self.relay(websocket, console, signin)
        finally:
            if signin.console is console:
                await self.consoles.close_console(signin, "tab closed")
            else:
                await console.stop()
        return websocket

    async def relay(self, websocket: web.WebSocketResponse, console: ConsoleProcess, signin: Signin) -> None:
        """Pass keystrokes and sizes from the tab to its console (textual-serve's protocol)."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind = envelope[0]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(envelope[1], str):
                signin.last_active = self.consoles.clock()
                await console.send_bytes(envelope[1].encode("utf-8")[:65536])
            elif kind == "resize" and isinstance(envelope[1], dict):
                size = envelope[1]
                await console.set_terminal_size(
                    _bounded(size.get("width"), 80, 20, 500), _bounded(size.get("height"), 24, 10, 300)
                )
            elif kind == "ping" and len(envelope) > 1:
                await websocket.send_json(["pong", str(envelope[1])[:32]])
            elif kind == "blur":
                await console.blur()
            elif kind == "focus":
                await console.focus()


def _bounded(value: object, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return max(low, min(high, number))


@web.middleware
async def _headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every response: only this server's content, no framing, no referrer, no caching of pages."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if not request.path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    if isinstance(response, web.HTTPException):
        raise response
    return response


HANDLERS = web.AppKey("handlers", ServeHandlers)


def build_app(handlers: ServeHandlers) -> web.Application:
    """The web application serving ``handlers``' session."""
    app = web.Application(middlewares=[_headers], client_max_size=64 * 1024)
    app[HANDLERS] = handlers
    app.add_routes(
        [
            web.get("/", handlers.index),
            web.post("/signin", handlers.signin),
            web.get("/console", handlers.console),
            web.post("/signout", handlers.signout),
            web.get("/ws", handlers.websocket),
            web.get("/assets/{name}", handlers.asset),
            web.static("/static", STATIC, show_index=False, follow_symlinks=False),
        ]
    )
    app.cleanup_ctx.append(_idle_watch)
    app.on_shutdown.append(_stop_consoles)
    return app


async def _idle_watch(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[HANDLERS].consoles.watch_idle())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _stop_consoles(app: web.Application) -> None:
    await app[HANDLERS].consoles.stop_all()
