"""The projector's view code as real processes: ttx seats lists it, ttx screen needs it, no other console takes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from ttx import __version__
from ttx.engine.clock import SystemClock
from ttx.engine.events import SYSTEM, SessionCreated
from ttx.engine.ports import NewEvent
from ttx.engine.seats import make_seats, seat_infos
from ttx.loader.load import load_scenario
from ttx.store.sqlite import SqliteStore

from ..helpers import FERRY, ROOT, headless, ttx
from ..serve.harness import Browserless, Controller, Served


def as_seat(code: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``ttx ARGS`` with the code in TTX_SEAT (as a wall display would be started), no terminal to prompt on."""
    return subprocess.run(
        [sys.executable, "-m", "ttx", *map(str, args)],
        cwd=ROOT,
        env={**os.environ, "TTX_SEAT": code},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def codes(session: Path) -> dict[str, str]:
    store = SqliteStore(session, read_only=True)
    try:
        return {seat.seat: seat.code for seat in store.seats()}
    finally:
        store.close()


def queued(session: Path) -> int:
    store = SqliteStore(session, read_only=True)
    try:
        return len(store.command_rows())
    finally:
        store.close()


def test_seats_lists_the_view_code_and_only_it_opens_the_wall_view(tmp_path: Path) -> None:
    session = tmp_path / "ferry.ttx"
    assert headless(FERRY, session).returncode == 0
    seats = ttx("seats", session)
    assert seats.returncode == 0, seats.stderr
    view = codes(session)["projector"]
    line = next(line for line in seats.stdout.splitlines() if line.startswith(view))
    assert line.split()[1] == "projector" and "ttx screen" in line and "never anything above TLP:GREEN" in line
    assert f"ttx screen {session} --seat VIEW-CODE" in seats.stdout
    assert "screen" in ttx("--help").stdout and "view code" in ttx("screen", "--help").stdout

    nothing = as_seat("", "screen", session)
    assert nothing.returncode == 2 and "give the projector's view code" in nothing.stderr
    wrong = as_seat("ZZZZZZ", "screen", session)
    assert wrong.returncode == 2 and "not a code of this session" in wrong.stderr
    for seat in ("facilitator", "delegation:XAR", "scribe:DWG", "evaluator:1"):
        refused = as_seat(codes(session)[seat], "screen", session)
        assert refused.returncode == 2, (seat, refused.stderr)
        assert f"the join code of the seat {seat}" in refused.stderr and "projector's view code" in refused.stderr
        assert "Traceback" not in refused.stderr

    joined = as_seat(view, "join", session)
    assert joined.returncode == 2 and "that is the projector's view code" in joined.stderr
    assert f"ttx screen {session}" in joined.stderr
    before = queued(session)
    submitted = ttx("submit", session, "--seat", view, "--json", '{"kind": "pause"}', "--no-wait")
    assert submitted.returncode == 2 and "submits nothing" in submitted.stderr
    assert queued(session) == before, "nothing was queued under the view code"


def test_a_session_made_before_view_codes_gets_one_when_its_controller_next_runs(tmp_path: Path) -> None:
    session = tmp_path / "older.ttx"
    loaded = load_scenario(FERRY)
    store = SqliteStore(session, create=True)
    seats = make_seats(loaded.scenario, projector=False)  # as ttx made sessions before view codes
    store.add_seats(seats)
    created = SessionCreated(
        scenario=loaded.scenario.model_dump(mode="json", by_alias=True),
        digest=loaded.digest,
        seats=seat_infos(seats),
        ttx_version=__version__,
    )
    store.append([NewEvent(SystemClock().wall(), 0, SYSTEM, created)])
    store.close()
    listed = ttx("seats", session)
    assert "projector" not in codes(session) and "no view code yet" in listed.stdout
    assert f"ttx run --session {session}" in listed.stdout
    refused = as_seat(codes(session)["delegation:XAR"], "screen", session)
    assert refused.returncode == 2 and "projector's view code" in refused.stderr

    export = tmp_path / "older.jsonl"
    assert ttx("log", session, "--format", "jsonl", "-o", export).returncode == 0
    copied = ttx("session", "copy", export, tmp_path / "copy.ttx")
    assert copied.returncode == 0, copied.stderr  # an older log, without a projector seat, still copies
    assert "projector" not in codes(tmp_path / "copy.ttx")

    resumed = ttx("run", "--session", session, "--headless", "--speed", "max")
    assert resumed.returncode == 0, resumed.stderr
    assert "now has a view code" in resumed.stdout
    view = codes(session)["projector"]
    assert view not in {code for seat, code in codes(session).items() if seat != "projector"}
    assert view in ttx("seats", session).stdout
    assert ttx("verify", session).returncode == 0, "the log is untouched: the seat is not an event"


async def test_a_served_view_code_opens_the_wall_view_in_a_browser(tmp_path: Path) -> None:
    controller = Controller(FERRY, tmp_path / "ferry.ttx")
    served = Served(controller.session)
    client = Browserless(served.url)
    try:
        controller.submit('{"kind": "start"}')
        controller.submit('{"kind": "adhoc", "id": "WALL-1", "to": ["all"], "tlp": "GREEN", "title": "Shelter opens"}')
        controller.submit('{"kind": "adhoc", "id": "HUSH-1", "to": ["all"], "tlp": "AMBER", "title": "Liaison report"}')
        signed = await client.sign_in(controller.codes["projector"])
        assert signed.status == 303
        await client.open()
        shown = await client.read_until(lambda s: "wall view" in s and "Shelter opens" in s)
        assert "Liaison report" not in shown and "Respond" not in shown, "the wall view, not a seat's console"
    finally:
        await client.close()
        served.stop(signal.SIGKILL)
        controller.stop()
