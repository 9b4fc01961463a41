"""The portable log: JSONL export and import, and verification of the hash chain and sequence."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ttx.engine.events import (
    EVENT_ADAPTER,
    GENESIS_HASH,
    EventRecord,
    canonical_json,
    event_hash,
    event_json,
    parse_wall,
    stored_record,
    wall_text,
)
from ttx.store.base import NewEvent, StoreError

RawRow = tuple[int, str, int, str, str, str, str, str]
"""(seq, wall, at, actor, type, payload JSON, prev hash, hash) exactly as stored."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Result of verifying a log."""

    ok: bool
    count: int
    head: str
    problem: str = ""
    bad_seq: int | None = None


def verify_rows(rows: Iterable[RawRow], *, parse: bool = True) -> Verdict:
    """Check sequence, hash chain and content of every event; name the first bad one.

    ``parse=False`` skips checking that each payload is a valid event (for callers that parse
    every payload themselves right after).
    """
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    for seq, wall, at, actor, kind, payload, stored_prev, stored_hash in rows:
        position = count + 1
        if seq != expected_seq:
            what = "removed" if seq > expected_seq else "duplicated or reordered"
            return Verdict(
                False, count, prev, f"event #{position} has sequence {seq}, expected {expected_seq}: events {what}", seq
            )
        if stored_prev != prev:
            return Verdict(
                False,
                count,
                prev,
                f"event {seq} does not follow event {seq - 1}'s hash: events removed, reordered or altered",
                seq,
            )
        if event_hash(prev, seq, wall, at, actor, payload) != stored_hash:
            return Verdict(
                False, count, prev, f"event {seq} ({kind}) was altered: its hash does not match its content", seq
            )
        if parse:
            try:
                event = EVENT_ADAPTER.validate_json(payload)
            except ValidationError:
                return Verdict(False, count, prev, f"event {seq} ({kind}) is not a valid event", seq)
            if event.type != kind:
                return Verdict(False, count, prev, f"event {seq}: type column {kind!r} does not match its payload", seq)
        expected_seq, prev, count = seq + 1, stored_hash, count + 1
    return Verdict(True, count, prev)


def export_lines(rows: Iterable[RawRow]) -> Iterator[str]:
    """One JSON object per event, keeping the exact payload text that the hash covers."""
    for seq, wall, at, actor, kind, payload, prev, digest in rows:
        yield (
            f'{{"seq":{seq},"wall":{json.dumps(wall)},"at":{at},"actor":{json.dumps(actor, ensure_ascii=False)},'
            f'"type":{json.dumps(kind)},"event":{payload},"prev":"{prev}","hash":"{digest}"}}'
        )


def jsonl_rows(path: Path) -> Iterator[RawRow]:
    """Raw rows from an exported JSONL log (payload re-serialised canonically)."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror})") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                yield (
                    int(item["seq"]),
                    str(item["wall"]),
                    int(item["at"]),
                    str(item["actor"]),
                    str(item["type"]),
                    canonical_json(item["event"]),
                    str(item["prev"]),
                    str(item["hash"]),
                )
            except (ValueError, KeyError, TypeError):
                raise StoreError(f"{path}:{number}: not a ttx log line") from None


def chain(events: Sequence[NewEvent], seq: int, prev: str) -> list[tuple[RawRow, EventRecord]]:
    """Number and hash-chain new events after event ``seq`` (hash ``prev``): stored rows and typed records."""
    chained: list[tuple[RawRow, EventRecord]] = []
    for new in events:
        seq += 1
        wall = wall_text(new.wall)
        payload = event_json(new.event)
        digest = event_hash(prev, seq, wall, new.at, new.actor, payload)
        record = EventRecord(
            seq=seq, wall=parse_wall(wall), at=new.at, actor=new.actor, event=new.event, prev=prev, hash=digest
        )
        chained.append(((seq, wall, new.at, new.actor, new.event.type, payload, prev, digest), record))
        prev = digest
    return chained


def records_from_rows(rows: Iterable[RawRow]) -> Iterator[EventRecord]:
    """Typed event records from raw rows."""
    for seq, wall, at, actor, _kind, payload, prev, digest in rows:
        yield stored_record(seq, wall, at, actor, payload, prev, digest)
