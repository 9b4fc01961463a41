"""Benchmark: durable single-event appends through the SQLite store against a bare INSERT loop.

Both use the same settings (WAL, synchronous=FULL, one transaction per row). Target: the store
reaches at least 0.5x of the bare loop's rate.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ttx.engine.events import NoteAdded, event_json
from ttx.engine.ports import NewEvent
from ttx.store.sqlite import SqliteStore

COUNT = 3000
ROUNDS = 3


def bare_loop(path: Path, payload: str) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, wall TEXT, at INTEGER, actor TEXT, type TEXT, payload TEXT, prev TEXT, hash TEXT)"
    )
    started = time.perf_counter()
    for number in range(COUNT):
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                number + 1,
                "2027-03-01T01:00:00.000000Z",
                number,
                "facilitator",
                "note_added",
                payload,
                "0" * 64,
                "0" * 64,
            ),
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return COUNT / elapsed


def store_loop(path: Path) -> float:
    store = SqliteStore(path, create=True)
    wall = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)
    started = time.perf_counter()
    for number in range(COUNT):
        store.append([NewEvent(wall, number, "facilitator", NoteAdded(text=f"note {number}"))])
    elapsed = time.perf_counter() - started
    store.close()
    return COUNT / elapsed


def main() -> None:
    payload = event_json(NoteAdded(text="note 1234"))
    bare, stored = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for round_number in range(ROUNDS):
            bare.append(bare_loop(Path(tmp) / f"bare{round_number}.db", payload))
            stored.append(store_loop(Path(tmp) / f"store{round_number}.ttx"))
    b, s = statistics.median(bare), statistics.median(stored)
    print(f"durable appends, one event per transaction, WAL + synchronous=FULL, {COUNT} x {ROUNDS} rounds")
    print(f"bare INSERT loop        : {b:8.0f} rows/s")
    print(f"SqliteStore.append      : {s:8.0f} events/s (hash chain, head lookup, payload JSON)")
    print(f"ratio store / bare      : {s / b:8.2f}x  (target >= 0.5x)")


if __name__ == "__main__":
    main()
