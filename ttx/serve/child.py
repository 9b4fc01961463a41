"""The process ttx serve starts for one signed-in tab: a seat's console (the projector's: the wall view), given its code.

Run as ``python -m ttx.serve.child`` with ``TTX_SEAT`` (the code), ``TTX_SERVE_SESSION`` (the session as
given to ttx serve), ``TTX_SERVE_PARENT`` (the server's pid) and ``TEXTUAL_DRIVER`` (the web driver) set
by the server, so that nothing secret shows on the host's process list.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ttx.engine.ports import EventStore

SEAT_VARIABLE = "TTX_SEAT"
SESSION_VARIABLE = "TTX_SERVE_SESSION"
PARENT_VARIABLE = "TTX_SERVE_PARENT"
FACILITATOR_VARIABLE = "TTX_SERVE_ALLOW_FACILITATOR"


def main() -> int:
    """Open the seat's console (the facilitator's only when the server allows it; the view code's: the wall view)."""
    from ttx.serve.watchdog import die_with_parent

    die_with_parent(int(os.environ.get(PARENT_VARIABLE, "0") or 0) or os.getppid())
    code = os.environ.pop(SEAT_VARIABLE, "")
    session = os.environ.pop(SESSION_VARIABLE, "")
    allow_facilitator = os.environ.pop(FACILITATOR_VARIABLE, "") == "1"
    from ttx.engine.ports import StoreError
    from ttx.engine.session import SessionReader
    from ttx.store.sessions import open_store, resolve

    try:
        where = resolve(session, None)
        viewer = open_store(where, read_only=True)
        seat = viewer.seat_by_code(code)
        if seat is not None and seat.role.value == "projector":
            return _wall(viewer)
        viewer.close()
        reader = SessionReader(open_store(where), code)
    except StoreError as error:
        print(f"ttx serve: {error}", file=sys.stderr)
        return 2
    if reader.seat.role.value == "facilitator":
        reader.close()
        if not allow_facilitator:
            print("ttx serve: the facilitator seat is not served (start ttx serve with --allow-facilitator)")
            return 2
        return _facilitator(session)
    from ttx.tui.participant import SeatApp

    app = SeatApp(reader)
    app.run()
    return 1 if app.return_code else 0


def _wall(store: EventStore) -> int:
    """The projector's wall view, read-only, as ``ttx screen`` opens it (it closes the store)."""
    from ttx.tui.projector import ProjectorApp

    app = ProjectorApp(store)
    app.run()
    return 1 if app.return_code else 0


def _facilitator(session: str) -> int:
    """The facilitator console, running the controller, as ``ttx run --session`` would open it."""
    from ttx.engine.chain import verify_rows
    from ttx.engine.clock import SystemClock
    from ttx.engine.controller import Controller
    from ttx.store.sessions import open_store, resolve
    from ttx.tui.facilitator import FacilitatorApp

    store = open_store(resolve(session, None))
    try:
        if not store.acquire_writer():
            print("ttx serve: another controller is already running this session", file=sys.stderr)
            return 2
        verdict = verify_rows(store.raw_rows())
        if not verdict.ok:
            print(f"ttx serve: the log does not verify ({verdict.problem}); resume it with ttx run", file=sys.stderr)
            return 2
        app = FacilitatorApp(Controller(store, SystemClock()))
        app.run()
        return 1 if app.return_code else 0
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
