"""Benchmark: the PostgreSQL store on a throwaway local server: durable appends, and folding a large log read from it.

Appends: one event per transaction through PostgresStore.append (hash chain, outcome update,
NOTIFY) against a bare INSERT loop into a table of the same shape, both with fsync and
synchronous_commit on. Target: the store reaches at least 0.5x of the bare loop's rate.
Fold: every event read from PostgreSQL and folded into the state, against reading the same rows
and only json.loads-ing their payloads. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bench.fold_speed import write_log
from bench.synthetic import build
from tests.postgres_cluster import Cluster, start
from ttx.engine.events import NoteAdded, event_json
from ttx.engine.ports import NewEvent
from ttx.engine.state import fold
from ttx.store.address import parse_url
from ttx.store.jsonl import jsonl_rows
from ttx.store.postgres import PostgresStore

APPENDS = 1000
ROUNDS = 3
BARE_TABLE = """
CREATE TABLE bare (
    session_id integer NOT NULL, seq bigint NOT NULL, wall text NOT NULL, at bigint NOT NULL, actor text NOT NULL,
    type text NOT NULL, payload text NOT NULL, prev text NOT NULL, hash text NOT NULL, PRIMARY KEY (session_id, seq)
)
"""


def bare_loop(url: str, payload: str) -> float:
    """Rows per second: one autocommitted INSERT per row."""
    zeros = "0" * 64
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS bare")
        db.execute(BARE_TABLE)
        started = time.perf_counter()
        for number in range(APPENDS):
            db.execute(
                "INSERT INTO bare VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    1,
                    number + 1,
                    "2027-03-01T01:00:00.000000Z",
                    number,
                    "facilitator",
                    "note_added",
                    payload,
                    zeros,
                    zeros,
                ),
            )
        return APPENDS / (time.perf_counter() - started)


def store_loop(cluster: Cluster, session: str) -> float:
    """Events per second: one PostgresStore.append per event, as the controller writes."""
    store = PostgresStore(parse_url(cluster.session_url(session)), create=True)
    store.acquire_writer()
    wall = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)
    started = time.perf_counter()
    for number in range(APPENDS):
        store.append([NewEvent(wall, number, "facilitator", NoteAdded(text=f"note {number}"))])
    elapsed = time.perf_counter() - started
    store.close()
    return APPENDS / elapsed


def appends(cluster: Cluster) -> None:
    payload = event_json(NoteAdded(text="note 1234"))
    bare, stored = [], []
    for number in range(ROUNDS):
        bare.append(bare_loop(cluster.url(), payload))
        stored.append(store_loop(cluster, f"append-{number}"))
    b, s = statistics.median(bare), statistics.median(stored)
    print(f"durable appends, one event per transaction, fsync + synchronous_commit on, {APPENDS} x {ROUNDS} rounds")
    print(f"bare INSERT loop        : {b:8.0f} rows/s")
    print(f"PostgresStore.append    : {s:8.0f} events/s (hash chain, payload JSON, NOTIFY)")
    print(f"ratio store / bare      : {s / b:8.2f}x  (target >= 0.5x)")


def folding(cluster: Cluster, events: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "log.jsonl"
        count = write_log(log, build(Path(tmp) / "synthetic"), events)
        store = PostgresStore(parse_url(cluster.session_url("fold")), create=True)
        started = time.perf_counter()
        store.import_session(list(jsonl_rows(log)), [], [])
        print(f"\nlog: {count:,} events copied into PostgreSQL in {time.perf_counter() - started:.1f} s")

    gc.collect()
    started = time.perf_counter()
    with psycopg.connect(cluster.url(), autocommit=True) as db:
        last, loaded = 0, 0
        session = db.execute("SELECT id FROM ttx.sessions WHERE name = 'fold'").fetchone()
        while rows := db.execute(
            "SELECT seq, payload FROM ttx.events WHERE session_id = %s AND seq > %s ORDER BY seq LIMIT 5000",
            (session[0] if session else 0, last),
        ).fetchall():
            for _, payload in rows:
                json.loads(payload)
                loaded += 1
            last = rows[-1][0]
    bare = time.perf_counter() - started
    print(f"rows read + json.loads      : {bare:6.2f} s  ({loaded:,} payloads)")

    gc.collect()
    started = time.perf_counter()
    state = fold(store.events())
    folded = time.perf_counter() - started
    store.close()
    print(f"store.events() + fold       : {folded:6.2f} s  -> {state.seq:,} events")
    print(f"ratio fold / json.loads     : {folded / bare:6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the folded log (default 100,000)")
    args = parser.parse_args()
    cluster = start(durable=True)
    try:
        appends(cluster)
        folding(cluster, args.events)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
