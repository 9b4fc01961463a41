"""Files ttx writes hold exercise material: they are created readable and writable by their owner only."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TextIO

OWNER_ONLY = 0o600


def write_private(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically, owner-only: under a temporary name of its own, then moved into place.

    Two writers of the same path (two consoles of one seat) never share a temporary file; a reader
    sees the old content or the new, never half of it.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, OWNER_ONLY)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def private_folder(path: Path) -> Path:
    """Create ``path`` as a folder only its owner may enter (and tighten it if it exists)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def open_private(path: Path) -> TextIO:
    """Open ``path`` for writing text, owner-only from its first byte (for exports too large to hold in memory)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    os.fchmod(descriptor, OWNER_ONLY)
    return os.fdopen(descriptor, "w", encoding="utf-8")
