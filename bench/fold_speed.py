"""Benchmark: fold a 1,000,000-event log from scratch against merely json.loads-ing the same JSONL lines.

Targets: under 20 s, under 1 GB peak memory, within 3x of the bare json.loads pass.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import build
from ttx.engine.events import RECORD_ADAPTER, SessionCreated, canonical_json
from ttx.engine.seats import make_seats, seat_infos
from ttx.engine.state import fold
from ttx.loader.load import load_scenario

EVENTS = 1_000_000


def write_log(path: Path, scenario_folder: Path, total: int = EVENTS) -> int:
    """A log: session created, every inject released, then responses and checkpoints up to ``total``."""
    loaded = load_scenario(scenario_folder)
    scenario = loaded.scenario
    created = SessionCreated(
        scenario=scenario.model_dump(mode="json", by_alias=True),
        digest=loaded.digest,
        seats=seat_infos(make_seats(scenario)),
        ttx_version="bench",
    )
    plan = loaded.plan
    participants = {p.id: p for p in scenario.participants}
    wall = "2027-03-01T01:00:00.000000Z"
    hash_ = "0" * 64
    seq = 0
    with path.open("w", encoding="utf-8") as out:

        def line(at: int, actor: str, kind: str, payload: str) -> None:
            nonlocal seq
            seq += 1
            out.write(
                f'{{"seq":{seq},"wall":"{wall}","at":{at},"actor":"{actor}","type":"{kind}",'
                f'"event":{payload},"prev":"{hash_}","hash":"{hash_}"}}\n'
            )

        line(0, "system", "session_created", canonical_json(created.model_dump(mode="json")))
        receivers = []
        for planned in plan.injects:
            line(
                planned.time.minutes * 60,
                "system",
                "inject_released",
                f'{{"cause":"","inject":"{planned.id}","type":"inject_released","via":"schedule"}}',
            )
            receivers.append((planned, sorted(planned.participants)))
        at = plan.injects[-1].time.minutes * 60
        number = 0
        while seq < total:
            number += 1
            if number % 50 == 0:
                line(at, "system", "clock_checkpoint", '{"resumed":false,"type":"clock_checkpoint"}')
                continue
            planned, who = receivers[number % len(receivers)]
            participant = who[number % len(who)] if who else next(iter(participants))
            line(
                at,
                f"delegation:{participant}",
                "response_recorded",
                canonical_json(
                    {
                        "type": "response_recorded",
                        "response": f"R{number}",
                        "inject": planned.id,
                        "participant": participant,
                        "cell": None,
                        "seat": f"delegation:{participant}",
                        "text": f"Response number {number}: we coordinate through focal points.",
                        "decision": None,
                        "agencies": "",
                        "legal_basis": "",
                        "gaps": "",
                    }
                ),
            )
    return seq


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp) / "synthetic")
        log = Path(tmp) / "log.jsonl"
        count = write_log(log, folder)
        size = log.stat().st_size
        print(f"log: {count:,} events, {size / 1e6:.0f} MB of JSONL")

        gc.collect()
        started = time.perf_counter()
        with log.open("rb") as handle:
            for raw in handle:
                json.loads(raw)
        bare = time.perf_counter() - started
        print(f"json.loads of every line      : {bare:6.2f} s")

        gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with log.open("rb") as handle:
            state = fold(RECORD_ADAPTER.validate_json(raw) for raw in handle)
        folded = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        responses = sum(len(v) for v in state.responses.values())
        print(
            f"fold from scratch             : {folded:6.2f} s  (target < 20 s)  -> {state.seq:,} events, {responses:,} responses"
        )
        print(f"ratio fold / json.loads       : {folded / bare:6.2f}x  (target <= 3x)")
        print(
            f"peak memory (process max RSS) : {peak / 1024:6.0f} MB  (target < 1024 MB; {before / 1024:.0f} MB before the fold)"
        )


if __name__ == "__main__":
    main()
