"""The `ttx screen` verb: the read-only projector view of a session."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any


def cmd_screen(args: argparse.Namespace) -> int:
    """Open the projector view: clock, day, phase, next release, the latest TLP:CLEAR/GREEN injects."""
    from ttx.engine.ports import StoreError
    from ttx.store.sessions import open_store, resolve

    try:
        store = open_store(resolve(args.session, args.store), read_only=True)
    except StoreError as error:
        print(f"ttx screen: {error}", file=sys.stderr)
        return 2
    from ttx.tui.projector import ProjectorApp

    app = ProjectorApp(store)
    app.run()
    return 1 if app.return_code else 0


def add_screen_command(add: Callable[[str, Callable[[argparse.Namespace], int], str], Any]) -> None:
    """Register `ttx screen`."""
    screen = add("screen", cmd_screen, "show a session on the wall: clock, day, phase, latest TLP:CLEAR/GREEN injects")
    screen.add_argument("session", metavar="SESSION", help="the session file (or a name with --store)")
    screen.add_argument("--store", metavar="URL", help="where named sessions live (as for ttx run)")
