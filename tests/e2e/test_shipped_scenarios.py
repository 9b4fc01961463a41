"""Shipped content as shipped: every scenario validates and lints clean, every script plays out, and so does `ttx new`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttx.engine import commands as cmd
from ttx.engine.script import Script
from ttx.loader.load import load_scenario
from ttx.loader.yaml_source import read_yaml

from ..helpers import ROOT, headless, ttx

SHIPPED = sorted(p.parent for p in (ROOT / "scenarios").glob("*/scenario.yaml"))
SCRIPTS = sorted((ROOT / "scenarios").glob("*/scripts/*.yaml"))
BALI_PROCESS_AHG = {
    "AFG",
    "AUS",
    "BGD",
    "IND",
    "IDN",
    "MYS",
    "MDV",
    "NZL",
    "MMR",
    "PAK",
    "PHL",
    "LKA",
    "THA",
    "ARE",
    "USA",
    "VNM",
}
"""The 16 Ad Hoc Group member states the README promises in every shipped scenario."""


def decisions_taken(script: Path) -> dict[str, str]:
    """The option each scripted response chooses, by inject (the first one per inject drives the branch)."""
    taken: dict[str, str] = {}
    for action in Script.model_validate(read_yaml(script).data).actions:
        command = action.command()
        if isinstance(command, cmd.Respond) and command.decision:
            taken.setdefault(command.inject, command.decision)
    return taken


def test_the_shipped_scenarios_and_scripts_are_found() -> None:
    assert {path.name for path in SHIPPED} >= {"monsoon-drift", "southern-crossing", "river-gate"}
    assert {path.parent.parent for path in SCRIPTS} == set(SHIPPED), "every shipped scenario has scripts"


def test_shipped_scenarios_validate_and_lint_strict_clean() -> None:
    result = ttx("validate", *SHIPPED)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(": valid: ") == len(SHIPPED)
    result = ttx("lint", "--strict", *SHIPPED)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("no findings") == len(SHIPPED)


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_is_a_complete_combined_exercise(folder: Path) -> None:
    scenario = load_scenario(folder).scenario
    assert len(scenario.days) == 4
    assert len({day.lead for day in scenario.days}) == 4, "each day led by a different working group"
    assert {c.id for c in scenario.cells} >= {"DWG", "TIPWG", "RRWG", "TFPP"}
    assert {p.id for p in scenario.participants} >= BALI_PROCESS_AHG | {"IOM", "UNHCR", "UNODC"}
    assert len(scenario.injects) >= 18
    decisions = [i for i in scenario.injects if i.options and any(o.release for o in i.options)]
    assert len(decisions) >= 2
    assert any(i.contingency for i in scenario.injects)
    assert {o.id for o in scenario.objectives} == {"O1", "O2", "O3", "O4"}
    assert all(c.critical_tasks for c in scenario.capabilities)


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda p: p.name)
def test_every_branch_of_a_shipped_scenario_is_played_by_a_script(folder: Path) -> None:
    scenario = load_scenario(folder).scenario
    branches = {(i.id, o.id) for i in scenario.injects for o in i.options if o.release or o.enter_phase}
    played = {(i.id, o.id) for i in scenario.injects for o in i.options if o.default}  # a run that leaves it open
    for script in sorted((folder / "scripts").glob("*.yaml")):
        played |= set(decisions_taken(script).items())
    assert branches - played == set(), "branches no shipped script takes"


def test_river_gate_is_built_from_the_shared_framework_and_recipient_groups() -> None:
    folder = ROOT / "scenarios" / "river-gate"
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    assert "  - ../../frameworks/bali-process.yaml" in text
    scenario = load_scenario(folder).scenario
    assert [day.lead for day in scenario.days] == ["TIPWG", "DWG", "TFPP", "RRWG"]
    assert set(scenario.groups) >= {"origin_states", "defrauded_states", "ios"}
    assert (
        "to: [TIPWG, origin_states, IOM]" in text and "by: [ios]" in (folder / "injects/day3-release.yaml").read_text()
    )
    assert any(inject.triggers for inject in scenario.injects)
    assert any(phase.start.jump for phase in scenario.phases)
    assert {c.id for c in scenario.capabilities} == {f"C{n}" for n in range(1, 14)}


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_points_editors_at_the_schema(folder: Path) -> None:
    first = (folder / "scenario.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../ttx/schemas/scenario.schema.json"
    assert (folder / "../../ttx/schemas/scenario.schema.json").resolve().exists()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_shipped_script_plays_to_the_end_and_verifies(tmp_path: Path, script: Path) -> None:
    session = tmp_path / "s.ttx"
    result = headless(script.parent.parent, session, script.stem)
    assert result.returncode == 0, result.stderr
    assert "session: closed" in result.stdout
    assert "script:" not in result.stdout, f"a scripted step did not happen:\n{result.stdout}"
    for inject, option in decisions_taken(script).items():
        assert f"  {inject}: {option} " in result.stdout, f"{inject} did not take {option}:\n{result.stdout}"
    verified = ttx("verify", session)
    assert verified.returncode == 0 and "verified" in verified.stdout


def test_new_scaffolds_a_starter_that_validates_and_lints_strict_clean(tmp_path: Path) -> None:
    result = ttx("new", "coastal-surge", "--dir", tmp_path / "scenarios")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "scenarios" / "coastal-surge"
    validated = ttx("validate", folder)
    assert validated.returncode == 0 and ": valid: COASTAL SURGE" in validated.stdout, validated.stdout
    linted = ttx("lint", "--strict", folder)
    assert linted.returncode == 0 and "no findings" in linted.stdout, linted.stdout
    again = ttx("new", "coastal-surge", "--dir", tmp_path / "scenarios")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert ttx("new", "Bad Name!", "--dir", tmp_path).returncode == 2
