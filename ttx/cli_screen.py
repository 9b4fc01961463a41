"""The `ttx screen` verb: the read-only projector view of a session, opened with the projector's view code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ttx.text import one_line


def _fail(message: str) -> int:
    print(f"ttx screen: {one_line(message)}", file=sys.stderr)
    return 2


def cmd_screen(args: argparse.Namespace) -> int:
    """Open the projector view: clock, day, phase, next release, the latest TLP:CLEAR/GREEN injects."""
    from ttx.cli_session import seat_code
    from ttx.engine.ports import StoreError
    from ttx.engine.seats import wall_view_refusal
    from ttx.store.sessions import open_store, resolve

    code = seat_code(args.seat, "View code: ")
    if not code:
        return _fail("give the projector's view code (ttx seats lists it): type it when asked, set TTX_SEAT, or --seat")
    try:
        store = open_store(resolve(args.session, args.store), read_only=True)
    except StoreError as error:
        return _fail(str(error))
    try:
        refusal = wall_view_refusal(store.seat_by_code(code), store.location)
    except StoreError as error:
        refusal = str(error)
    if refusal is not None:
        store.close()
        return _fail(refusal)
    from ttx.tui.projector import ProjectorApp

    app = ProjectorApp(store)
    app.run()
    return 1 if app.return_code else 0


def add_screen_command(add: Callable[[str, Callable[[argparse.Namespace], int], str], Any]) -> None:
    """Register `ttx screen`."""
    screen = add(
        "screen",
        cmd_screen,
        "show a session on the wall (projector's view code): clock, day, phase, latest TLP:CLEAR/GREEN injects",
    )
    screen.add_argument("session", metavar="SESSION", help="the session file (or a name with --store)")
    screen.add_argument("--store", metavar="URL", help="where named sessions live (as for ttx run)")
    screen.add_argument(
        "--seat",
        metavar="CODE",
        help="the projector's view code (from ttx seats); without it, TTX_SEAT or a prompt, which keep the code "
        "off the process list. It opens this read-only view and nothing else; no other seat's code opens it",
    )
