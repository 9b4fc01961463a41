"""Open a session file or an exported JSONL log for analysis: verified records, or a clear refusal."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from ttx.collector import collector_paused
from ttx.engine.chain import Verdict, records_from_rows, verify_rows
from ttx.engine.events import EventRecord
from ttx.engine.ports import RawRow
from ttx.store.sessions import Location, read_rows


class UnverifiedLog(Exception):
    """The log's hash chain does not verify (and --force was not given)."""


@dataclass
class Log:
    """Every event of a session, with the verdict of its verification."""

    path: Location
    records: list[EventRecord]
    verdict: Verdict

    @property
    def warning(self) -> str:
        """What every screen and output must say about an unverified log ('' when verified)."""
        if self.verdict.ok:
            return ""
        return f"UNVERIFIED LOG: {self.verdict.problem} — shown because --force was given"


def open_log(path: Location, *, force: bool = False) -> Log:
    """Read and verify a log; refuse an unverified one unless ``force``.

    Raises:
        StoreError: unreadable file.
        UnverifiedLog: the hash chain or sequence does not verify and ``force`` is False.
    """
    rows = read_rows(path)
    verdict = verify_rows(rows, parse=False)
    records: list[EventRecord] = []
    if verdict.ok:
        try:
            with collector_paused():
                records = list(records_from_rows(rows))
        except ValidationError:
            verdict = verify_rows(rows)  # names the first event whose payload is not a valid event
    if not verdict.ok and not force:
        raise UnverifiedLog(f"{path}: the log does not verify: {verdict.problem}; use --force to look at it anyway")
    if not verdict.ok:
        records = list(records_from_rows(_parsable(rows)))
    return Log(path, records, verdict)


def _parsable(rows: list[RawRow]) -> list[RawRow]:
    """The rows of a forced, damaged log that still parse, renumbered in order so they can be folded."""
    from pydantic import ValidationError

    from ttx.engine.events import EVENT_ADAPTER

    kept: list[RawRow] = []
    for row in sorted(rows, key=lambda r: r[0]):
        try:
            EVENT_ADAPTER.validate_json(row[5])
        except ValidationError:
            continue
        seq = len(kept) + 1
        kept.append((seq, *row[1:]))
    return kept
