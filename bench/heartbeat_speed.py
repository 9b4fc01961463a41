"""Benchmark: what the controller's heartbeat costs, and how soon readers see a killed controller stopped.

The heartbeat is a write every HEARTBEAT_EVERY seconds (0.4), read as stopped once HEARTBEAT_STALE (1.5) old. The
previous rate (a write every 2 s, stale after 10 s) is measured in the same run as the baseline:
- writes per second of a paused controller looping as `ttx run --plain` does (a step, then up to 0.2 s asleep);
- the time one heartbeat write takes, against one durable single-event append, on SQLite and PostgreSQL (fsync on);
- durable appends per second with a heartbeat before each, as the controller's loop writes, at both rates in turns
  (0.25 s windows, 20 rounds, medians: on a busy disk single windows vary tenfold);
- a headless --speed max run of the synthetic 5,000-inject scenario holding the session (so it beats), both rates
  in turns (8 rounds, medians);
- seconds from `kill -9` of a controller process to a reader's writer_active() turning false (5 kills per store);
- on a served delegation console: from `kill -9` of `ttx run --plain` to "Controller stopped" on its screen, and
  from a new controller's start to "Controller resumed" (3 kills per store).
Figures are printed, never asserted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

import ttx.store.postgres as postgres_store
import ttx.store.sqlite as sqlite_store
from bench.postgres_serve_speed import Controller as Run
from bench.postgres_serve_speed import shared_room
from bench.synthetic import build
from tests.helpers import HARBOUR, ROOT
from tests.postgres_cluster import start
from tests.serve.harness import Browserless, Served
from ttx.engine import commands as cmd
from ttx.engine.clock import MAX_SPEED, SystemClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.events import NoteAdded
from ttx.engine.headless import HeadlessRun
from ttx.engine.ports import EventStore, NewEvent
from ttx.loader.load import load_scenario
from ttx.store.address import parse_url
from ttx.store.queue import HEARTBEAT_EVERY, HEARTBEAT_STALE
from ttx.store.sessions import open_store, resolve

OLD_EVERY, OLD_STALE = 2.0, 10.0
WALL = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)
CONTROLLER = """
import sys, time
from ttx.engine.clock import SystemClock
from ttx.engine.controller import Controller
from ttx.store.sessions import open_store, resolve
store = open_store(resolve(sys.argv[1], None))
assert store.acquire_writer()
controller = Controller(store, SystemClock())
print("controlling", flush=True)
while True:
    controller.step()
    time.sleep(0.2)
"""


@contextmanager
def beating_every(seconds: float) -> Iterator[None]:
    """Both stores write their heartbeat at most every ``seconds`` while inside."""
    saved = sqlite_store.HEARTBEAT_EVERY, postgres_store.HEARTBEAT_EVERY
    sqlite_store.HEARTBEAT_EVERY = postgres_store.HEARTBEAT_EVERY = seconds
    try:
        yield
    finally:
        sqlite_store.HEARTBEAT_EVERY, postgres_store.HEARTBEAT_EVERY = saved


def new_session(location: str) -> EventStore:
    """A new HARBOUR WATCH session at ``location`` (a file or a PostgreSQL session URL), held as its controller."""
    loaded = load_scenario(HARBOUR)
    store = open_store(resolve(location, None), create=True)
    create_session(store, loaded.scenario, loaded.digest, SystemClock())
    assert store.acquire_writer()
    return store


def stored_beat(location: str) -> Callable[[], object]:
    """A function reading the session's stored heartbeat through a connection of its own."""
    if location.startswith("postgresql:"):
        address = parse_url(location)
        server = psycopg.connect(address.conninfo, autocommit=True)
        return lambda: server.execute(
            "SELECT heartbeat FROM ttx.sessions WHERE name = %s", (address.session,)
        ).fetchone()
    import sqlite3

    db = sqlite3.connect(location)
    return lambda: db.execute("SELECT value FROM meta WHERE key = 'heartbeat'").fetchone()


def idle_writes(location: str, seconds: float = 10.0) -> float:
    """Heartbeat writes per second of a paused controller looping as `ttx run --plain` does (from the beats seen)."""
    store = new_session(location)
    controller = Controller(store, SystemClock())
    controller.submit(cmd.Start())
    controller.submit(cmd.Pause(reason="lunch"))
    read = stored_beat(location)
    last, seen = read(), []
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        controller.step()
        beat = read()
        if beat != last:
            seen.append(time.perf_counter())
        last = beat
        wait = controller.wall_seconds_to_next()
        time.sleep(0.2 if wait is None else max(0.0, min(0.2, wait)))
    store.close()
    return (len(seen) - 1) / (seen[-1] - seen[0])


def write_costs(location: str, count: int = 300) -> tuple[float, float]:
    """Milliseconds per heartbeat write and per durable single-event append (medians)."""
    store = new_session(location)
    beats, appends = [], []
    with beating_every(0.0):
        for number in range(count):
            began = time.perf_counter()
            store.heartbeat()
            beats.append(time.perf_counter() - began)
            began = time.perf_counter()
            store.append([NewEvent(WALL, number, "facilitator", NoteAdded(text=f"note {number}"))])
            appends.append(time.perf_counter() - began)
    store.close()
    return 1000 * statistics.median(beats), 1000 * statistics.median(appends)


def beating_appends(location: str, rounds: int = 20, window: float = 0.25) -> tuple[float, float]:
    """Durable appends per second with a heartbeat before each (the controller's loop: queue, beat, append).

    One session beats at the previous rate and at the current one in turns, in short windows (the order swapped
    each round), so that what else the machine does weighs on both alike. Medians: (previous, current).
    """
    store = new_session(location)
    rates: dict[bool, list[float]] = {True: [], False: []}
    count = 0
    for number in range(rounds):
        for previous in (number % 2 == 0, number % 2 == 1):
            with beating_every(OLD_EVERY if previous else HEARTBEAT_EVERY):
                began, done = time.perf_counter(), 0
                while time.perf_counter() - began < window:
                    store.heartbeat()
                    store.append([NewEvent(WALL, count, "facilitator", NoteAdded(text=f"note {count}"))])
                    count, done = count + 1, done + 1
                rates[previous].append(done / (time.perf_counter() - began))
    store.close()
    return statistics.median(rates[True]), statistics.median(rates[False])


def headless(folder: Path, path: Path) -> float:
    """Events per second of a headless --speed max run that holds the session (and so beats)."""
    loaded = load_scenario(folder)
    store = open_store(resolve(str(path), None), create=True)
    create_session(store, loaded.scenario, loaded.digest, SystemClock())
    assert store.acquire_writer()
    began = time.perf_counter()
    report = HeadlessRun(store, SystemClock(), speed=MAX_SPEED, say=lambda _: None).run()
    rate = report.state.seq / (time.perf_counter() - began)
    store.close()
    return rate


def kill_to_stopped(location: str, kills: int = 5) -> list[float]:
    """Seconds from SIGKILL of a controller process to a reader seeing no controller, one per kill."""
    new_session(location).close()
    reader = open_store(resolve(location, None))
    took = []
    for _ in range(kills):
        process = subprocess.Popen(
            [sys.executable, "-c", CONTROLLER, location], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None and process.stdout.readline().strip() == "controlling"
        while not reader.writer_active():
            time.sleep(0.02)
        time.sleep(1.0 + random.uniform(0, 0.6))  # at any point between two beats
        os.kill(process.pid, signal.SIGKILL)
        killed = time.perf_counter()
        process.wait()
        while reader.writer_active():
            time.sleep(0.02)
        took.append(time.perf_counter() - killed)
    reader.close()
    return took


async def console_notices(scenario: Path, session: str, store: str | None, kills: int = 3) -> list[list[float]]:
    """On a served console: seconds from kill -9 to "Controller stopped", and from a restart to "Controller resumed"."""
    flags = ["--store", store] if store else []
    controller = Run(scenario, session, flags)
    opened = open_store(resolve(session, store), read_only=True)
    code = next(seat.code for seat in opened.seats() if seat.seat.startswith("delegation:"))
    opened.close()
    served = Served(Path(session), *flags)
    client = Browserless(served.url)
    stopped, resumed = [], []
    try:
        await client.sign_in(code)
        await client.open(width=120, height=40)
        await client.read_until(lambda s: "LOAD ROOM" in s, timeout=120)
        await asyncio.sleep(1.0)  # the console has seen the controller running
        for _ in range(kills):
            await asyncio.sleep(random.uniform(0, 0.6))  # at any point between two beats
            mark = len(client.text)
            os.kill(controller.process.pid, signal.SIGKILL)
            killed = time.perf_counter()
            controller.stop()
            await client.read_until(lambda s, mark=mark: "Controller stopped" in s[mark:], timeout=60)
            stopped.append(time.perf_counter() - killed)
            mark = len(client.text)
            controller = Run(scenario, session, flags)
            began = time.perf_counter()
            await client.read_until(lambda s, mark=mark: "Controller resumed" in s[mark:], timeout=60)
            resumed.append(time.perf_counter() - began)
            await asyncio.sleep(13)  # both notices have left the screen
        return [stopped, resumed]
    finally:
        await client.close()
        served.stop()
        controller.stop()


def paired(measure: Callable[[int], float], rounds: int) -> tuple[float, float]:
    """Medians of ``measure(round)`` at the previous rate and at the current one, their order swapped each round."""
    olds, news = [], []
    for number in range(rounds):
        for previous in (number % 2 == 0, number % 2 == 1):
            if previous:
                with beating_every(OLD_EVERY):
                    olds.append(measure(2 * number))
            else:
                news.append(measure(2 * number + 1))
    return statistics.median(olds), statistics.median(news)


def main() -> None:
    cluster = start(durable=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            stores: dict[str, Callable[[str], str]] = {
                "SQLite": lambda name: str(folder / f"{name}.ttx"),
                "PostgreSQL": lambda name: cluster.session_url(name),
            }
            print(f"heartbeat: now every {HEARTBEAT_EVERY} s, stale after {HEARTBEAT_STALE} s")
            print(f"           before every {OLD_EVERY} s, stale after {OLD_STALE} s (baseline, same run)")
            for kind, where in stores.items():
                with beating_every(OLD_EVERY):
                    old = idle_writes(where("idle-old"))
                new = idle_writes(where("idle-new"))
                print(f"{kind:<10} paused controller: {new:4.2f} writes/s now, {old:4.2f} before ({new / old:4.1f}x)")
            for kind, where in stores.items():
                beat, append = write_costs(where("cost"))
                print(
                    f"{kind:<10} one heartbeat write {beat:6.2f} ms, one durable append {append:6.2f} ms "
                    f"(heartbeats take {beat / HEARTBEAT_EVERY / 10:4.2f}% of an idle second at most)"
                )
            for kind, where in stores.items():
                o, n = beating_appends(where("appends"))
                print(f"{kind:<10} appends, a heartbeat before each: {n:6.0f}/s now, {o:6.0f}/s before ({n / o:4.2f}x)")
            synthetic = build(folder / "synthetic")
            o, n = paired(lambda number: headless(synthetic, folder / f"headless-{number}.ttx"), 8)
            print(
                f"SQLite     headless --speed max holding the session: {n:5.0f} events/s now, {o:5.0f} before ({n / o:4.2f}x)"
            )
            for kind, where in stores.items():
                took = kill_to_stopped(where("killed"))
                print(
                    f"{kind:<10} kill -9 → readers see no controller: median {statistics.median(took):4.2f} s, "
                    f"max {max(took):4.2f} s ({len(took)} kills; before: up to {OLD_STALE:.0f} s)"
                )
            scenario = shared_room(folder / "room", 1)
            for kind, (session, store) in {
                "SQLite": (str(folder / "served.ttx"), None),
                "PostgreSQL": ("served", cluster.url()),
            }.items():
                stopped, resumed = asyncio.run(console_notices(scenario, session, store))
                print(
                    f"{kind:<10} served console: kill -9 → 'Controller stopped' median {statistics.median(stopped):4.2f} s, "
                    f"max {max(stopped):4.2f} s; restart → 'Controller resumed' max {max(resumed):4.2f} s"
                )
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
