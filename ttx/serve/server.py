"""Running the web application on an address until SIGINT or SIGTERM, then ending every console it started."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

from aiohttp import web

from ttx.serve.app import ServeHandlers, build_app


def parse_bind(text: str, default_port: int = 8000) -> tuple[str, int]:
    """``HOST:PORT``, ``HOST`` or ``:PORT`` (``[::1]:8000`` for IPv6) as a host and a port.

    Raises:
        ValueError: not an address with a port from 1 to 65535.
    """
    text = text.strip()
    host, port = text, default_port
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            port = int(rest.removeprefix(":"))
    elif text.count(":") == 1:
        host, _, number = text.partition(":")
        port = int(number)
    host = host or "127.0.0.1"
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is not between 1 and 65535")
    return host, port


async def serve(handlers: ServeHandlers, host: str, port: int, *, ready: Callable[[str], None]) -> None:
    """Serve until SIGINT or SIGTERM; every console process has ended when this returns."""
    runner = web.AppRunner(build_app(handlers), handle_signals=False, shutdown_timeout=5.0, access_log=None)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        shown = f"[{host}]" if ":" in host else host
        ready(f"http://{shown}:{port}/")
        await stop.wait()
    finally:
        await runner.cleanup()  # on_shutdown ends every console before the sockets close
