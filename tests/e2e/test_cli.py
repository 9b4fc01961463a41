"""The ttx command as a user runs it: real processes, exit codes, what is printed."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ..helpers import FERRY, ttx

Write = Callable[..., Path]
PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: .+$")


def test_help_lists_every_author_command() -> None:
    result = ttx("--help")
    assert result.returncode == 0
    for command in ("validate", "lint", "msel", "graph", "schema", "new"):
        assert command in result.stdout


def test_usage_error_exits_2() -> None:
    result = ttx("validate")
    assert result.returncode == 2 and "the following arguments are required" in result.stderr
    assert ttx("frobnicate").returncode == 2


def test_invalid_scenario_exits_2_with_located_lines_and_summary(write: Write, harbour: str) -> None:
    text = harbour.replace("tlp: GREEN                  #", "tlp: BLUE #")
    line = next(n for n, content in enumerate(text.splitlines(), start=1) if "tlp: BLUE" in content)
    path = write("ex/scenario.yaml", text)
    result = ttx("validate", path)
    assert result.returncode == 2
    lines = result.stdout.strip().splitlines()
    assert PROBLEM_LINE.match(lines[0]) and lines[0].startswith(f"{path}:{line}:8: exercise.tlp: ")
    assert lines[-1] == f"{path}: invalid, 1 problem in 1 file"
    assert "Traceback" not in result.stdout + result.stderr


def test_lint_strict_exits_1_on_findings_and_0_without(write: Write, harbour: str) -> None:
    path = write("ex/scenario.yaml", harbour.replace("    lead: PWG\n", ""))
    assert ttx("lint", path).returncode == 0
    result = ttx("lint", "--strict", path)
    assert result.returncode == 1
    assert "day 2 has no lead working group [day-without-lead]" in result.stdout


def test_msel_csv_lists_every_inject_in_time_order_with_every_field() -> None:
    result = ttx("msel", FERRY, "--format", "csv")
    assert result.returncode == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 15
    assert rows[0]["ID"] == "N1-1" and rows[0]["Time"] == "D1 08:00" and rows[0]["TLP"] == "GREEN"
    assert rows[0]["Body"].startswith("Radar shows the decommissioned ferry")
    assert [row["Serial"] for row in rows[:3]] == ["1", "2", "3"]
    decision = next(row for row in rows if row["ID"] == "N1-4")
    assert decision["Decision options"].startswith("board*: Board the ferry and bring it into port → release N2-1a\n")
    assert next(row for row in rows if row["ID"] == "N1-2")["Contingency"] == "N1-2c"
    assert next(row for row in rows if row["ID"] == "N2-5")["TLP"] == "RED"
    assert rows[-1]["Time"].startswith("D+30") and rows[-1]["ID"] == "N3-2"  # from the included file


def test_msel_filters_by_day_and_cell() -> None:
    result = ttx("msel", FERRY, "--format", "csv", "--day", "2", "--cell", "PWG")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(row["Day"] == "2" for row in rows)
    assert {row["ID"] for row in rows} == {"N2-1a", "N3-1", "N3-2"}
    assert ttx("msel", FERRY, "--cell", "NOPE").returncode == 2


def test_msel_markdown_and_table() -> None:
    markdown = ttx("msel", FERRY, "--format", "markdown").stdout
    notice, blank, heading = markdown.splitlines()[:3]
    # NIGHT FERRY is an AMBER exercise with a RED inject: the MSEL lists it, so it carries RED and says what it is
    assert (
        notice
        == "> **TLP:RED · EXERCISE CONTROL MATERIAL: every inject whatever its label; keep it to exercise control**"
    )
    assert blank == "" and heading.startswith("| day | phase | time | id |") and "| N1-4 |" in markdown
    table = ttx("msel", FERRY, "--day", "1").stdout
    assert "EXERCISE — TLP:RED EXERCISE CONTROL MATERIAL" in table and "Day 1: The crossing" in table


def test_graph_is_mermaid_with_branches_and_contingencies() -> None:
    result = ttx("graph", FERRY)
    assert result.returncode == 0
    text = result.stdout
    notice, _, rest = text.partition("\n")
    assert (
        notice == "%% TLP:RED · EXERCISE CONTROL MATERIAL: every inject whatever its label; keep it to exercise control"
    )
    assert rest.startswith("flowchart TD\n")
    assert 'inject_N1_4 -->|"Board the ferry and bring it into port (default)"| inject_N2_1a' in text
    assert 'inject_N1_2 -.->|"no response by deadline"| inject_N1_2c' in text
    assert "phase_landing --> phase_aftermath" in text


def test_schema_command_prints_the_committed_schema(repo_root: Path) -> None:
    result = ttx("schema")
    assert result.returncode == 0
    assert result.stdout == (repo_root / "ttx/schemas/scenario.schema.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["msel", "graph", "lint"])
def test_preview_commands_refuse_invalid_scenarios_with_exit_2(write: Write, command: str) -> None:
    path = write("ex/scenario.yaml", "exercise: [not, a, mapping]\n")
    result = ttx(command, path)
    assert result.returncode == 2
    assert f"{path}:1:11: exercise: expected a mapping, got a list" in result.stderr.splitlines()
    assert f"{path}:1:1: cells: missing required field 'cells'" in result.stderr.splitlines()
