"""How many consoles a host can serve: its available memory over what one console process measured."""

from __future__ import annotations

from pathlib import Path

CONSOLE_MIB = 80
"""Memory allowed per served console process (MiB): bench/serve_speed.py measured 61 MiB resident, plus room to grow."""

SERVER_RESERVE_MIB = 512
"""Memory kept back for the server, the controller and the system."""


def available_mib(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """MemAvailable in MiB, or None where the system does not say (not Linux)."""
    try:
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def default_max_consoles(available: int | None = None) -> int:
    """The default bound on console processes: what fits in available memory (at least 1, at most 500)."""
    mib = available_mib() if available is None else available
    if mib is None:
        return 20
    return max(1, min(500, (mib - SERVER_RESERVE_MIB) // CONSOLE_MIB))
