"""The ttx command as a user runs it: real processes, exit codes, what is printed."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import ROOT, SCENARIOS

Write = Callable[..., Path]
PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: .+$")


def ttx(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ttx", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_help_lists_every_author_command() -> None:
    result = ttx("--help")
    assert result.returncode == 0
    for command in ("validate", "lint", "msel", "graph", "schema", "new"):
        assert command in result.stdout


def test_usage_error_exits_2() -> None:
    result = ttx("validate")
    assert result.returncode == 2 and "the following arguments are required" in result.stderr
    assert ttx("frobnicate").returncode == 2


def test_shipped_scenarios_validate_and_lint_strict_clean() -> None:
    result = ttx("validate", *SCENARIOS)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(": valid: ") == len(SCENARIOS)
    result = ttx("lint", "--strict", *SCENARIOS)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("no findings") == len(SCENARIOS)


def test_invalid_scenario_exits_2_with_located_lines_and_summary(write: Write, starter: str) -> None:
    path = write("ex/scenario.yaml", starter.replace("tlp: GREEN                  #", "tlp: BLUE #"))
    result = ttx("validate", path)
    assert result.returncode == 2
    lines = result.stdout.strip().splitlines()
    assert PROBLEM_LINE.match(lines[0]) and lines[0].startswith(f"{path}:17:8: exercise.tlp: ")
    assert lines[-1] == f"{path}: invalid, 1 problem in 1 file"
    assert "Traceback" not in result.stdout + result.stderr


def test_lint_strict_exits_1_on_findings_and_0_without(write: Write, starter: str) -> None:
    path = write("ex/scenario.yaml", starter.replace("    lead: TIPWG\n", ""))
    assert ttx("lint", path).returncode == 0
    result = ttx("lint", "--strict", path)
    assert result.returncode == 1
    assert "day 2 has no lead working group [day-without-lead]" in result.stdout


def test_msel_csv_lists_every_inject_in_time_order_with_marks() -> None:
    result = ttx("msel", "scenarios/monsoon-drift", "--format", "csv")
    assert result.returncode == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 28
    assert rows[0]["id"] == "A1-1" and rows[0]["time"] == "D1 08:00" and rows[0]["tlp"] == "TLP:GREEN"
    decision = next(row for row in rows if row["id"] == "A1-5")
    assert "decision: rescue* | escort | hold" in decision["release"]
    assert next(row for row in rows if row["id"] == "A1-2c")["release"] == "contingency ← A1-2"
    assert rows[-1]["time"].startswith("D+90")


def test_msel_filters_by_day_and_cell() -> None:
    result = ttx("msel", "scenarios/monsoon-drift", "--format", "csv", "--day", "3", "--cell", "RRWG")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(row["day"] == "3" for row in rows)
    assert {row["id"] for row in rows} == {"A3-5", "X-HANDOVER"}
    assert ttx("msel", "scenarios/monsoon-drift", "--cell", "NOPE").returncode == 2


def test_msel_markdown_and_table() -> None:
    markdown = ttx("msel", "scenarios/southern-crossing", "--format", "markdown").stdout
    assert markdown.startswith("| day | phase | time | id |") and "| B1-4 |" in markdown
    table = ttx("msel", "scenarios/southern-crossing", "--day", "1").stdout
    assert "EXERCISE — TLP:AMBER" in table and "Day 1: Pre-departure disruption" in table


def test_graph_is_mermaid_with_branches_and_contingencies() -> None:
    result = ttx("graph", "scenarios/monsoon-drift")
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith("flowchart TD\n")
    assert 'inject_A1_5 -->|"Rescue and disembark to a place of safety (default)"| inject_A2_1a' in text
    assert 'inject_A1_2 -.->|"no response by deadline"| inject_A1_2c' in text
    assert "phase_solutions --> phase_epilogue" in text


def test_schema_command_prints_the_committed_schema() -> None:
    result = ttx("schema")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "ttx/schemas/scenario.schema.json").read_text(encoding="utf-8")


def test_new_scaffolds_a_scenario_that_lints_strict_clean(tmp_path: Path) -> None:
    result = ttx("new", "coastal-surge", "--dir", tmp_path / "scenarios")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "scenarios" / "coastal-surge"
    assert ttx("lint", "--strict", folder).returncode == 0
    again = ttx("new", "coastal-surge", "--dir", tmp_path / "scenarios")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert ttx("new", "Bad Name!", "--dir", tmp_path).returncode == 2


@pytest.mark.parametrize("command", ["msel", "graph", "lint"])
def test_preview_commands_refuse_invalid_scenarios_with_exit_2(write: Write, command: str) -> None:
    path = write("ex/scenario.yaml", "exercise: [not, a, mapping]\n")
    result = ttx(command, path)
    assert result.returncode == 2
    assert f"{path}:1:11: exercise: expected a mapping, got a list" in result.stderr.splitlines()
    assert f"{path}:1:1: cells: missing required field 'cells'" in result.stderr.splitlines()
