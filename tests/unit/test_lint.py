"""Lint rules: each finds what it promises on a scenario written to trigger it, and nothing on clean ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.loader.lint import RULES, lint
from ttx.loader.load import load_scenario

from ..helpers import FERRY, HARBOUR

Write = Callable[..., Path]

EXTRA_INJECT = """
  - id: {id}
    time: {time}
    from: Somebody
    to: {to}
    tlp: {tlp}
    title: Extra
    questions: ["What now?"]
    objectives: [O1]
    capabilities: [C1]
"""


def findings(write: Write, text: str) -> list[str]:
    return [str(f) for f in lint(load_scenario(write("ex/scenario.yaml", text)))]


def test_test_data_scenarios_are_clean(data_dir: Path) -> None:
    """Every scenario under tests/data lints clean, so each finding below comes from the test's own edit."""
    folders = sorted(p.parent for p in data_dir.glob("*/scenario.yaml"))
    assert {HARBOUR, FERRY} <= set(folders)
    assert {folder.name: [str(f) for f in lint(load_scenario(folder))] for folder in folders} == {
        folder.name: [] for folder in folders
    }


@pytest.mark.parametrize(
    ("rule", "old", "new", "expected"),
    [
        ("day-without-lead", "    lead: PWG\n", "", "day 2 has no lead working group"),
        (
            "participant-without-cell",
            "  - {id: XCA, name: Calvera, cells: [PWG], roles: [legal]}",
            "  - {id: XCA, name: Calvera, roles: [legal]}",
            "XCA sits in no cell",
        ),
        ("after-last-phase", "    end: D2 17:00", "    end: D2 09:00", "after the last phase ends (D2 09:00)"),
        (
            "decision-without-questions",
            "    questions:\n      - Where may the passengers land?\n",
            "",
            "decision inject has no discussion questions",
        ),
        ("after-last-phase", "    end: D2 17:00\n", "", "the last phase (landing) has no 'end'"),
        (
            "before-first-phase",
            "    time: D1 08:00\n    from: Harbour pilot",
            "    time: D1 07:00\n    from: Harbour pilot",
            "before the first phase starts (D1 08:00)",
        ),
    ],
)
def test_rule_fires(write: Write, harbour: str, rule: str, old: str, new: str, expected: str | None) -> None:
    assert old in harbour
    found = findings(write, harbour.replace(old, new, 1))
    matching = [line for line in found if line.endswith(f"[{rule}]")]
    assert matching, found
    if expected:
        assert any(expected in line for line in matching), matching


def test_unused_objective_and_capability(write: Write, harbour: str) -> None:
    text = harbour.replace("objectives:\n  - id: O1", "objectives:\n  - id: O9\n    title: Never used\n  - id: O1")
    text = text.replace("capabilities:\n  - id: C1", "capabilities:\n  - id: C9\n    name: Never used\n  - id: C1")
    found = findings(write, text)
    assert any("no inject exercises objective O9 [unused-objective]" in line for line in found)
    assert any("no inject exercises capability C9 [unused-capability]" in line for line in found)


def test_idle_cell_no_recipients_and_tlp_too_wide(write: Write, harbour: str) -> None:
    text = harbour.replace(
        "  - {id: SIMCELL, name: Simulation cell, kind: simcell}",
        "  - {id: SIMCELL, name: Simulation cell, kind: simcell}\n  - {id: EMPTY, name: Nobody sits here}",
    )
    text += EXTRA_INJECT.format(id="H1-9", time="D1 10:00", to="[EMPTY]", tlp="AMBER+STRICT")
    found = findings(write, text)
    assert any("cell EMPTY receives no inject on day 2 [idle-cell]" in line for line in found)
    assert any("nobody receives this inject" in line and "[no-recipients]" in line for line in found)
    assert any("TLP:AMBER+STRICT is for the named recipients only" in line for line in found)


def test_branch_cycle_and_unreachable_injects(write: Write, harbour: str) -> None:
    loop = """
  - id: L1
    time: D1 10:00
    from: Somebody
    to: [MWG]
    tlp: GREEN
    title: Loop one
    questions: ["Which?"]
    options:
      - {id: again, label: Again, release: [L2]}
  - id: L2
    time: +00:10
    from: Somebody
    to: [MWG]
    tlp: GREEN
    title: Loop two
    questions: ["Which?"]
    options:
      - {id: back, label: Back, release: [L1]}
"""
    found = findings(write, harbour + loop)
    assert any("branch cycle: L1 → L2 → L1 [branch-cycle]" in line for line in found), found
    unreachable = [line for line in found if line.endswith("[unreachable-inject]")]
    assert len(unreachable) == 2


def test_findings_are_located_in_the_file(write: Write, harbour: str) -> None:
    path = write("ex/scenario.yaml", harbour.replace("    lead: PWG\n", "", 1))
    found = [str(f) for f in lint(load_scenario(path))]
    assert found and all(line.startswith(f"{path}:") for line in found)


def test_every_rule_is_described() -> None:
    assert len(RULES) >= 12
    assert all(description for _, description in RULES.values())
