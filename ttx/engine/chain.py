"""The hash chain of the event log, in one place: hashing, numbering new events, verifying stored rows."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from ttx.engine.events import EVENT_ADAPTER, EventRecord, LogSealed, event_json, parse_wall, stored_record, wall_text
from ttx.engine.ports import NewEvent, RawRow

GENESIS_HASH = "0" * 64
"""The "previous hash" of the first event."""


def event_hash(prev: str, seq: int, wall: str, at: int, actor: str, kind: str, payload: str) -> str:
    """SHA-256 chaining an event to the previous one; it covers every stored column."""
    body = f"{prev}\n{seq}\n{wall}\n{at}\n{actor}\n{kind}\n{payload}"
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Verdict:
    """Result of verifying a log."""

    ok: bool
    count: int
    head: str
    problem: str = ""
    bad_seq: int | None = None
    sealed: bool = False
    """Whether the log ends with the seal written when the exercise closed."""

    @property
    def state_text(self) -> str:
        """``sealed`` or ``open (not sealed)``."""
        return "sealed" if self.sealed else "open (not sealed)"

    def ends_at(self, head: str) -> bool:
        """Whether the log ends at ``head``: the full 64-hex hash, or a prefix of at least 16 hex digits."""
        wanted = head.strip().lower()
        return len(wanted) >= MIN_HEAD_PREFIX and self.head.startswith(wanted)


MIN_HEAD_PREFIX = 16
"""The shortest head-hash prefix ``ttx verify --head`` accepts."""


def verify_rows(rows: Iterable[RawRow], *, parse: bool = True) -> Verdict:
    """Check sequence, hash chain and content of every event; name the first bad one.

    ``parse=False`` skips checking that each payload is a valid event (for callers that parse
    every payload themselves right after).
    """
    expected_seq, prev, count, sealed = 1, GENESIS_HASH, 0, False
    for seq, wall, at, actor, kind, payload, stored_prev, stored_hash in rows:
        position = count + 1
        if sealed:
            return Verdict(False, count, prev, f"event {seq} ({kind}) follows the seal: the log was closed", seq, True)
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
        if event_hash(prev, seq, wall, at, actor, kind, payload) != stored_hash:
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
            if isinstance(event, LogSealed) and (event.events != count or event.head != prev):
                return Verdict(False, count, prev, f"event {seq}: the seal does not match the log before it", seq)
        sealed = kind == LogSealed.model_fields["type"].default
        expected_seq, prev, count = seq + 1, stored_hash, count + 1
    return Verdict(True, count, prev, sealed=sealed)


def chain(events: Sequence[NewEvent], seq: int, prev: str) -> list[tuple[RawRow, EventRecord]]:
    """Number and hash-chain new events after event ``seq`` (hash ``prev``): stored rows and typed records."""
    chained: list[tuple[RawRow, EventRecord]] = []
    for new in events:
        seq += 1
        wall = wall_text(new.wall)
        payload = event_json(new.event)
        digest = event_hash(prev, seq, wall, new.at, new.actor, new.event.type, payload)
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
