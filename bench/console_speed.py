"""Benchmark: the facilitator console on the synthetic 5,000-inject scenario.

Prints time to first screen, time to switch the MSEL between one day and all days, the latency
from a `ttx submit` in another process to the response on the board, and the process's memory.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.text import Text
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable

from bench.synthetic import build
from ttx.engine import commands as cmd
from ttx.engine.clock import SystemClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.session import SessionReader
from ttx.loader.load import load_scenario
from ttx.store.sqlite import SqliteStore
from ttx.tui.facilitator import FacilitatorApp
from ttx.tui.participant import SeatApp


async def measure(folder: Path, session: Path) -> None:
    loaded = load_scenario(folder)
    store = SqliteStore(session, create=True)
    seats = {s.seat: s.code for s in create_session(store, loaded.scenario, loaded.digest, SystemClock())}
    started = time.perf_counter()
    controller = Controller(store, SystemClock())
    app = FacilitatorApp(controller, tick=0.2)
    async with app.run_test(size=(160, 50)) as pilot:
        table = app.query_one("#msel", DataTable)
        while not table.row_count:  # the first view comes from a worker
            await settle(pilot)
        first = time.perf_counter() - started
        print(f"first screen              : {first:6.2f} s  ({table.row_count:,} MSEL rows for day 1)")
        await pilot.press("s")
        await settle(pilot)
        switches = []
        for _ in range(3):  # (measured as before the console used workers: until the key's work is done)
            began = time.perf_counter()
            await pilot.press("d")
            await pilot.pause()
            all_rows = table.row_count
            await pilot.press("d")
            await pilot.pause()
            switches.append((time.perf_counter() - began) / 2)
            assert all_rows > table.row_count, "the switch was measured before it was drawn"
        switch = statistics.median(switches)
        print(f"switch day <-> all days   : {switch:6.2f} s  (median of 3; all days = {all_rows:,} rows)")
        fill = await raw_fill(all_rows, table.row_count)
        print(f"  a bare DataTable filled with as many rows, each way: {fill:6.2f} s  (ratio {switch / fill:.2f})")

        controller.submit(cmd.ReleaseNow(inject="I00999"))
        receiver = sorted(controller.state.receivers("I00999")[1])[0]
        latencies, totals = [], []
        for number in range(5):
            text = f"latency probe {number}"
            launched = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "ttx",
                    "submit",
                    str(session),
                    "--seat",
                    seats[f"delegation:{receiver}"],
                    "--inject",
                    "I00999",
                    "--text",
                    text,
                    "--no-wait",
                ],
                check=True,
                capture_output=True,
            )
            queued = time.perf_counter()
            board = app.query_one("#board", DataTable)
            while not any(r.text == text for r in controller.state.responses.get("I00999", [])):
                await asyncio.sleep(0.01)
            recorded = controller.state.seq
            while app.view is None or app.view.seq < recorded:  # the worker's view of it reaches the screen
                await asyncio.sleep(0.01)
            await pilot.pause()
            answered = str(board.get_row(receiver)[3])
            assert answered == "1", answered
            shown = time.perf_counter()
            latencies.append(shown - queued)
            totals.append(shown - launched)
        print(
            f"submit -> on the board    : {statistics.median(latencies) * 1000:6.0f} ms after the command is queued (median of 5; tick 0.2 s)"
        )
        print(f"  including `ttx submit` start-up: {statistics.median(totals) * 1000:6.0f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory (max RSS)          : {peak:6.0f} MB")
    store.close()
    code = seats[f"delegation:{receiver}"]
    seat = subprocess.run(
        [sys.executable, __file__, "--seat", str(session), code], check=True, capture_output=True, text=True
    )
    print(seat.stdout.rstrip())


async def settle(pilot: Pilot[Any]) -> None:
    """Let the console finish its workers and what they posted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.wait_for_scheduled_animations()
    await pilot.wait_for_scheduled_animations()


class _Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def raw_fill(large: int, small: int) -> float:
    """The baseline, measured here: a plain DataTable with 7 Text columns refilled to ``large`` rows, then ``small``."""
    app = _Bare()
    async with app.run_test(size=(160, 50)) as pilot:
        table = app.query_one(DataTable)
        table.add_columns("time", "id", "status", "to", "TLP", "title", "resp")
        names = ("D1 09:00 ", "I", "pending ", "T", "A", "title ")
        rows = [(*(Text(f"{name}{n}", no_wrap=True, end="") for name in names), "") for n in range(large)]
        began = time.perf_counter()
        for count in (large, small, large, small, large, small):
            table.clear()
            for index, row in enumerate(rows[:count]):
                table.add_row(*row, key=str(index))
            await pilot.pause()
        return (time.perf_counter() - began) / 6


async def measure_seat(session: Path, code: str) -> None:
    """A delegation's console on the same session, in its own process: first screen and memory."""
    started = time.perf_counter()
    app = SeatApp(SessionReader(SqliteStore(session), code), poll=0.25)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - started
        rows = app.query_one("#list", DataTable).row_count
        resident = _resident_mb()
    print(f"participant console       : {first:6.2f} s to first screen ({rows:,} injects listed), {resident:.0f} MB")


def _resident_mb() -> float:
    """The process's resident memory now (its max RSS would include what the forking parent had)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    if sys.argv[1:2] == ["--seat"]:
        asyncio.run(measure_seat(Path(sys.argv[2]), sys.argv[3]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp) / "synthetic")
        print(f"facilitator console, synthetic scenario (5,000 injects, 5 days), {dt.date.today()}")
        asyncio.run(measure(folder, Path(tmp) / "console.ttx"))


if __name__ == "__main__":
    main()
