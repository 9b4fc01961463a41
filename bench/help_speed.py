"""Benchmark: `ttx --help` start-up against `python -c "import pydantic, yaml"` (target: within 1.5x)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15


def median_seconds(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    baseline = median_seconds([sys.executable, "-c", "import pydantic, yaml"])
    help_time = median_seconds([sys.executable, "-m", "ttx", "--help"])
    bare = median_seconds([sys.executable, "-c", "pass"])
    print(f"python -c pass                     : {bare * 1000:7.1f} ms (median of {RUNS})")
    print(f"python -c 'import pydantic, yaml'  : {baseline * 1000:7.1f} ms")
    print(f"ttx --help                         : {help_time * 1000:7.1f} ms")
    print(f"ratio ttx --help / baseline        : {help_time / baseline:.2f}x  (target <= 1.5x)")


if __name__ == "__main__":
    main()
