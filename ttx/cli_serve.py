"""The ``ttx serve`` verb: a session's seat consoles in browsers, behind seat-code sign-in."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ttx.text import one_line

EXIT_OK, EXIT_INVALID = 0, 2


def _bind(text: str) -> tuple[str, int]:
    from ttx.serve.server import parse_bind

    try:
        return parse_bind(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}; write HOST:PORT, e.g. 0.0.0.0:8000") from None


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("give a number above 0")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("give at least 1")
    return value


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the session's seat consoles over HTTP until Ctrl-C or SIGTERM."""
    import asyncio
    import logging

    from ttx.engine.ports import StoreError
    from ttx.serve.app import ServeHandlers, ServeOptions
    from ttx.serve.capacity import default_max_consoles
    from ttx.serve.directory import Directory
    from ttx.serve.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s ttx serve: %(message)s", stream=sys.stderr)
    try:
        directory = Directory(args.session, args.store)
    except StoreError as error:
        print(f"ttx: {one_line(str(error))}", file=sys.stderr)
        return EXIT_INVALID
    host, port = args.bind
    options = ServeOptions(
        session=args.session,
        store=args.store,
        allow_facilitator=args.allow_facilitator,
        max_consoles=args.max_consoles if args.max_consoles is not None else default_max_consoles(),
        idle_seconds=args.idle_minutes * 60,
        trusted_proxies=frozenset(args.trusted_proxy or ()),
    )

    def ready(url: str) -> None:
        print(
            one_line(
                f"serving {directory.exercise.title} ({directory.location}) on {url} — up to {options.max_consoles} "
                f"consoles, idle sign-ins end after {args.idle_minutes:g} min; Ctrl-C stops and ends every console"
            ),
            flush=True,
        )
        if host not in ("127.0.0.1", "localhost", "::1"):
            print("this address is reachable from the network: put TLS in front (docs/remote.md)", flush=True)

    try:
        asyncio.run(serve(ServeHandlers(options, directory), host, port, ready=ready))
    except OSError as error:
        print(f"ttx: cannot serve on {host}:{port}: {one_line(error.strerror or str(error))}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        pass
    finally:
        directory.close()
    print("ttx serve stopped; every console it started has ended", flush=True)
    return EXIT_OK


def add_serve_command(add: Any) -> None:
    """Register ``ttx serve`` on the ttx parser (``add(name, handler, help)`` returns a subparser)."""
    serve = add("serve", cmd_serve, "serve the seats' consoles to browsers, behind seat-code sign-in (docs/remote.md)")
    serve.add_argument(
        "session", metavar="SESSION", help="a session file, a PostgreSQL session URL, or NAME with --store"
    )
    serve.add_argument("--store", metavar="URL", help="the PostgreSQL database holding the session (or TTX_STORE)")
    serve.add_argument(
        "--bind",
        type=_bind,
        default=("127.0.0.1", 8000),
        metavar="HOST:PORT",
        help="the address to listen on (default 127.0.0.1:8000: this host only; 0.0.0.0:8000 serves the network)",
    )
    serve.add_argument(
        "--allow-facilitator",
        action="store_true",
        help="let the facilitator's code open the facilitator console (which runs the controller) in a browser",
    )
    serve.add_argument(
        "--max-consoles",
        type=_count,
        metavar="N",
        help="console processes at most at once (default: what this host's available memory holds)",
    )
    serve.add_argument(
        "--idle-minutes",
        type=_positive,
        default=60.0,
        metavar="MIN",
        help="sign out a browser that typed nothing for this long and end its console (default 60)",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        metavar="ADDR",
        help="a reverse proxy's address whose X-Forwarded-For/-Proto headers are believed (repeatable)",
    )
