"""The portable log: JSONL export of stored rows and reading an export back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ttx.engine.events import canonical_json
from ttx.engine.ports import RawRow, StoreError
from ttx.text import json_text


def export_lines(rows: Iterable[RawRow]) -> Iterator[str]:
    """One JSON object per event; the payload is the stored text, with terminal controls as ``\\u`` escapes.

    Reading an export back re-serialises each payload canonically, so the hash still verifies.
    """
    for seq, wall, at, actor, kind, payload, prev, digest in rows:
        yield json_text(
            f'{{"seq":{seq},"wall":{json.dumps(wall)},"at":{at},"actor":{json.dumps(actor, ensure_ascii=False)},'
            f'"type":{json.dumps(kind)},"event":{payload},"prev":"{prev}","hash":"{digest}"}}'
        )


MAX_LINE_BYTES = 4_000_000
"""The longest line an exported log may have (one event; commands are bounded well below this)."""


def jsonl_rows(path: Path) -> Iterator[RawRow]:
    """Raw rows from an exported JSONL log (payload re-serialised canonically).

    Raises:
        StoreError: not a regular file, unreadable, or a line that is not a ttx log line.
    """
    try:
        if not path.is_file():
            raise StoreError(f"{path}: not a regular file (give a session file or an exported .jsonl log)")
        handle = path.open("rb")
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror})") from None
    with handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise StoreError(f"{path}:{number}: not a ttx log line (longer than {MAX_LINE_BYTES:,} bytes)")
            if not raw.strip():
                continue
            try:
                item = json.loads(raw.decode("utf-8"))
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
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                raise StoreError(f"{path}:{number}: not a ttx log line") from None
