"""Benchmark: a headless --speed max run of the synthetic 5,000-inject scenario (events per second)."""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import build
from ttx.engine.clock import MAX_SPEED, SystemClock
from ttx.engine.creation import create_session
from ttx.engine.headless import HeadlessRun
from ttx.loader.load import load_scenario
from ttx.store.memory import MemoryStore
from ttx.store.sqlite import SqliteStore


def run(store: MemoryStore | SqliteStore, folder: Path) -> tuple[int, float]:
    loaded = load_scenario(folder)
    create_session(store, loaded.scenario, loaded.digest, SystemClock())
    started = time.perf_counter()
    report = HeadlessRun(store, SystemClock(), speed=MAX_SPEED, say=lambda _: None).run()
    return report.state.seq, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp) / "synthetic")
        events, seconds = run(SqliteStore(Path(tmp) / "run.ttx", create=True), folder)
        print("headless --speed max, synthetic 5,000 injects, SQLite session (durable appends):")
        print(f"  {events:,} events in {seconds:.2f} s = {events / seconds:,.0f} events/s")
        events, seconds = run(MemoryStore(), folder)
        print("same run on the in-memory store (engine alone):")
        print(f"  {events:,} events in {seconds:.2f} s = {events / seconds:,.0f} events/s")
        print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
