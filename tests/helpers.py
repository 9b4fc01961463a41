"""Shared test helpers: repository and test-data paths, and the `ttx` command run as a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository root (the working directory of every `ttx` process the tests start)."""
DATA = ROOT / "tests" / "data"
"""Scenarios and scripts written for the tests; shipped content under scenarios/ is not a fixture."""

HARBOUR = DATA / "harbour-watch"
"""HARBOUR WATCH: six injects, one decision, a contingency, a trigger and a guarded phase."""
FERRY = DATA / "night-ferry"
"""NIGHT FERRY: two days and a time jump, two decisions, every TLP label, scripts for both paths."""
FERRY_SCRIPTS = FERRY / "scripts"


def ttx(*args: str | Path, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m ttx ARGS` and capture what it prints (text) and its exit code."""
    return subprocess.run(
        [sys.executable, "-m", "ttx", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )


def headless(
    scenario: Path,
    session: Path,
    script: str | None = None,
    *,
    scripts: Path | None = None,
    extra: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Play ``scenario`` to its end at max speed in ``session``, with a script (of its scripts/ folder) if named."""
    folder = scripts or scenario / "scripts"
    named: list[str | Path] = ["--script", folder / f"{script}.yaml"] if script else []
    return ttx("run", scenario, "--session", session, "--headless", "--speed", "max", *named, *extra)
