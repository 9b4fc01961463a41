"""Response drafts (and which injects were read) kept beside the session file, or per user: a closed terminal loses nothing."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ttx.private_files import private_folder, write_private

SEEN = "__seen__"


def drafts_folder(location: str) -> Path:
    """Where a seat's drafts live: beside a session file, or per user for a session in a database.

    A database session's address is no file name; its drafts go under the user's state folder
    (``$XDG_STATE_HOME/ttx/drafts``), named by a digest of the address (which may hold a password).
    """
    if "://" not in location:
        return Path(f"{location}.drafts")
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "ttx" / "drafts" / hashlib.sha256(location.encode("utf-8")).hexdigest()[:32]


class Drafts:
    """Per-seat drafts: inject id → form fields, written atomically with owner-only permissions."""

    def __init__(self, session: Path | str, seat: str) -> None:
        self.folder = drafts_folder(str(session))
        self.file = self.folder / f"{seat.replace(':', '_')}.json"
        self.data: dict[str, dict[str, str]] = {}
        if self.file.exists():
            try:
                loaded = json.loads(self.file.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self.data = {
                        str(k): {str(f): str(v) for f, v in fields.items()}
                        for k, fields in loaded.items()
                        if isinstance(fields, dict)
                    }
            except (OSError, ValueError):
                self.data = {}

    def get(self, key: str) -> dict[str, str]:
        """The draft for an inject (or a request), empty if none."""
        return dict(self.data.get(key, {}))

    def put(self, key: str, fields: dict[str, str]) -> None:
        """Save a draft (an all-empty draft is removed)."""
        if key == SEEN:
            raise ValueError("reserved key")
        if any(value.strip() for value in fields.values()):
            self.data[key] = dict(fields)
        else:
            self.data.pop(key, None)
        self._write()

    def seen(self) -> set[str]:
        """Injects this seat has opened."""
        return {key for key in self.data.get(SEEN, {})}

    def mark_seen(self, inject_id: str) -> None:
        """Remember that the seat opened an inject (so it is no longer marked unread)."""
        self.data.setdefault(SEEN, {})[inject_id] = "1"
        self._write()

    def clear(self, key: str) -> None:
        """Forget a draft once it was recorded."""
        if self.data.pop(key, None) is not None:
            self._write()

    def _write(self) -> None:
        private_folder(self.folder)
        write_private(self.file, json.dumps(self.data, ensure_ascii=False, indent=1))
