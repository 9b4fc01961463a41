"""Benchmark: `ttx validate` on the synthetic 5,000-inject scenario against a bare yaml.safe_load of the same files.

Target: within 3x of the bare load (libyaml C loader for both when present) and under 2 s.
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import build
from ttx.loader.load import load_scenario

RUNS = 5
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def best_and_median(function: object, runs: int = RUNS) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp) / "synthetic")
        files = [folder / "scenario.yaml", *sorted((folder / "injects").glob("*.yaml"))]
        size = sum(f.stat().st_size for f in files)

        def bare() -> None:
            for file in files:
                with file.open("rb") as handle:
                    yaml.load(handle, Loader=Loader)

        def validate() -> None:
            load_scenario(folder)

        def bare_without_gc() -> None:
            gc.disable()
            try:
                bare()
            finally:
                gc.enable()

        loaded = load_scenario(folder)
        base_best, base_median = best_and_median(bare)
        quiet_best, quiet_median = best_and_median(bare_without_gc)
        ttx_best, ttx_median = best_and_median(validate)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "ttx", "validate", str(folder)], capture_output=True, text=True)
        cli = time.perf_counter() - started
        print(
            f"synthetic scenario: {len(loaded.scenario.injects):,} injects, {len(loaded.scenario.cells)} cells, "
            f"{len(loaded.scenario.participants)} delegations, {len(files)} files, {size / 1e6:.1f} MB"
        )
        print(f"yaml loader: {Loader.__name__}")
        print(f"bare yaml.load of the files : best {base_best:.3f} s, median {base_median:.3f} s")
        print(f"same, garbage collector off : best {quiet_best:.3f} s, median {quiet_median:.3f} s")
        print(f"ttx load+validate in process: best {ttx_best:.3f} s, median {ttx_median:.3f} s")
        print(f"ratio (median)              : {ttx_median / base_median:.2f}x  (target <= 3x)")
        print(f"ratio vs bare load, GC off  : {ttx_median / quiet_median:.2f}x")
        print(f"`ttx validate` whole process: {cli:.3f} s  (target < 2 s), exit {result.returncode}")


if __name__ == "__main__":
    main()
