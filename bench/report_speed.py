"""Benchmark: the AAR report and replay seeks on a 100,000-event session.

Targets: report generation under 5 s and within 3x of folding the same log; a replay seek to an
arbitrary time under 0.5 s after the first load.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import build
from ttx.analysis.gaps import build_report
from ttx.analysis.logfile import open_log
from ttx.analysis.replay import Replay
from ttx.analysis.report import to_html, to_json, to_markdown
from ttx.engine import commands as cmd
from ttx.engine.chain import records_from_rows
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.events import ObservationRecorded, Rating, ResponseRecorded, event_json, wall_text
from ttx.engine.ports import NewEvent
from ttx.engine.state import fold
from ttx.loader.load import load_scenario
from ttx.store.jsonl import export_lines, jsonl_rows
from ttx.store.memory import MemoryStore

EVENTS = 100_000


def make_log(folder: Path, target: Path) -> int:
    """Play the synthetic scenario's releases, then add responses and observations up to 100,000 events."""
    loaded = load_scenario(folder)
    store, clock = MemoryStore(), ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    controller = Controller(store, clock, auto_default=True)
    controller.submit(cmd.SetSpeed(speed=0))
    controller.submit(cmd.Start())
    while controller.tick(limit=1):
        pass
    state = controller.state
    released = list(state.released)
    rng = random.Random(3)
    batch: list[NewEvent] = []
    number = 0
    while store.head()[0] + len(batch) < EVENTS:
        number += 1
        inject = released[number % len(released)]
        receivers = sorted(state.receivers(inject)[1])
        at = (state.injects[inject].released_at or 0) + rng.randint(60, 7200)
        if number % 20 == 0:
            event: object = ObservationRecorded(
                observation=f"OBS{number}",
                evaluator="evaluator:1",
                capability=f"C{1 + number % 13}",
                task=f"C{1 + number % 13}.1",
                rating=rng.choice(list(Rating)),
                note="note",
                inject=inject,
            )
        else:
            who = receivers[number % len(receivers)]
            event = ResponseRecorded(
                response=f"R{number}",
                inject=inject,
                participant=who,
                seat=f"delegation:{who}",
                text=f"response {number}",
                gaps="interpreter shortage" if number % 50 == 0 else "",
            )
        batch.append(NewEvent(clock.wall(), max(at, state.at), "bench", event))  # type: ignore[arg-type]
        if len(batch) == 5000:
            store.append(batch)
            batch = []
    store.append(batch)
    rows = [
        (r.seq, wall_text(r.wall), r.at, r.actor, r.event.type, event_json(r.event), r.prev, r.hash)
        for r in store.events()
    ]
    target.write_text("\n".join(export_lines(rows)) + "\n", encoding="utf-8")
    return len(rows)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp) / "synthetic")
        log_path = Path(tmp) / "big.jsonl"
        count = make_log(folder, log_path)
        print(f"session log: {count:,} events ({log_path.stat().st_size / 1e6:.0f} MB JSONL)")

        started = time.perf_counter()
        state = fold(records_from_rows(jsonl_rows(log_path)))
        folding = time.perf_counter() - started
        print(f"read + fold                      : {folding:5.2f} s")

        started = time.perf_counter()
        log = open_log(log_path)
        state = fold(log.records)
        report = build_report(state, log.records)
        for render in (to_json, to_markdown, to_html):
            render(report)
        reporting = time.perf_counter() - started
        print(f"report (verify, fold, analyse, render md/html/json): {reporting:5.2f} s  (target < 5 s)")
        print(f"ratio report / fold              : {reporting / folding:5.2f}x  (target <= 3x)")

        started = time.perf_counter()
        replay = Replay(log.records)
        print(f"replay first load                : {time.perf_counter() - started:5.2f} s")
        rng = random.Random(5)
        top = log.records[-1].at
        seeks = []
        for _ in range(20):
            at = rng.randint(0, top)
            began = time.perf_counter()
            replay.at_seq(replay.seq_at_time(at))
            seeks.append(time.perf_counter() - began)
        print(
            f"replay seek to a random time     : median {statistics.median(seeks) * 1000:.0f} ms, worst {max(seeks) * 1000:.0f} ms  (target < 500 ms)"
        )


if __name__ == "__main__":
    main()
