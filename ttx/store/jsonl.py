"""The portable log: JSONL export of stored rows and reading an export back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ttx.engine.events import canonical_json
from ttx.engine.ports import RawRow, StoreError


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
