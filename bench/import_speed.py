"""Benchmark: `ttx import` of a 5,000-row MSEL workbook against reading the same workbook with openpyxl alone.

The workbook is the synthetic 5,000-inject scenario written by `ttx msel --format xlsx`. The baseline
opens it read-only and visits every cell of every sheet, as any reader must; the import also
checks each cell, writes the YAML, loads and cross-checks it with the scenario loader, and lints it.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook

from bench.synthetic import build
from ttx.loader.lint import lint
from ttx.loader.load import load_scenario
from ttx.spreadsheet.export import to_xlsx, workbook_of
from ttx.spreadsheet.reader import import_msel

RUNS = 3


def median_of(function: object, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp) / "synthetic")
        loaded = load_scenario(folder)
        started = time.perf_counter()
        workbook = workbook_of(loaded)
        data = to_xlsx(workbook)
        export = time.perf_counter() - started
        file = Path(tmp) / "msel.xlsx"
        file.write_bytes(data)

        def bare() -> None:
            book = load_workbook(file, read_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    for _ in row:
                        pass
            book.close()

        def imported() -> None:
            import_msel(file)

        written = Path(tmp) / "imported"
        written.mkdir()
        (written / "scenario.yaml").write_text(import_msel(file).text, encoding="utf-8")

        rows = len(workbook.tables[0].rows)
        base = median_of(bare)
        ours = median_of(imported)
        validate = median_of(lambda: load_scenario(written))
        linting = median_of(lambda: lint(load_scenario(written))) - validate
        print(f"workbook: {rows:,} MSEL rows, {len(workbook.tables)} sheets, {len(data) / 1e6:.1f} MB")
        print(f"ttx msel --format xlsx (in process)      : {export:.3f} s")
        print(f"openpyxl read-only, every cell            : median {base:.3f} s")
        print(f"ttx import (read, check, load, lint)      : median {ours:.3f} s")
        print(f"  of which validating the written YAML    : median {validate:.3f} s  (what ttx validate does)")
        print(f"  of which linting it                     : median {linting:.3f} s  (what ttx lint adds to that)")
        print(f"ratio (median)                            : {ours / base:.2f}x")
        started = time.perf_counter()
        command = [sys.executable, "-m", "ttx", "import", str(file), "-o", str(Path(tmp) / "cli")]
        result = subprocess.run(command, capture_output=True, text=True)
        print(
            f"`ttx import` whole process                : {time.perf_counter() - started:.3f} s, exit {result.returncode}"
        )


if __name__ == "__main__":
    main()
