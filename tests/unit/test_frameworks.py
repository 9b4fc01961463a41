"""Shared evaluation frameworks: objectives and capabilities from an included file, located in that file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.loader.lint import lint
from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError

Write = Callable[..., Path]

OWN = "objectives:\n  - id: O1"
FRAMEWORK_END = "cells:\n"


def _split(harbour: str) -> tuple[str, str]:
    """HARBOUR WATCH with its objectives and capabilities moved to a framework file: (scenario, framework)."""
    start, end = harbour.index(OWN), harbour.index(FRAMEWORK_END)
    framework = harbour[start:end]
    scenario = harbour[:start] + "include:\n  - ../frameworks/harbour.yaml\n\n" + harbour[end:]
    return scenario, framework


def _in(line: str, path: Path) -> bool:
    """Whether a problem line is located in ``path`` (included files are named as the include wrote them)."""
    return Path(line.split(":", 1)[0]).resolve() == path.resolve()


def test_objectives_and_capabilities_come_from_a_framework(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    write("frameworks/harbour.yaml", framework)
    loaded = load_scenario(write("ex/scenario.yaml", scenario))
    assert [o.id for o in loaded.scenario.objectives] == ["O1", "O2"]
    assert [c.id for c in loaded.scenario.capabilities] == ["C1", "C2"]
    assert lint(loaded) == []


def test_framework_problems_are_located_in_the_framework_file(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    path = write("frameworks/harbour.yaml", framework.replace("objectives: [O1]", "objectives: [O7]", 1))
    scenario = scenario.replace("include:\n", "objectives:\n  - id: O1\n    title: Twice\ninclude:\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write("ex/scenario.yaml", scenario))
    found = [str(problem) for problem in caught.value.problems]
    assert any(_in(line, path) and "unknown objective 'O7'" in line for line in found), found
    assert any(_in(line, path) and "duplicate objective id 'O1'" in line for line in found), found


def test_unused_framework_capability_is_found_there_and_can_be_ignored(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    path = write("frameworks/harbour.yaml", framework + "  - id: C9\n    name: Not exercised here\n")
    loaded = load_scenario(write("ex/scenario.yaml", scenario))
    (finding,) = [str(f) for f in lint(loaded)]
    assert _in(finding, path) and finding.endswith("no inject exercises capability C9 [unused-capability]")
    ignoring = scenario + "\nlint:\n  ignore:\n    - {rule: unused-capability, reason: shared framework}\n"
    assert lint(load_scenario(write("ex/scenario.yaml", ignoring))) == []


def test_a_framework_outside_the_libraries_is_refused(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    write("elsewhere/harbour.yaml", framework)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write("ex/scenario.yaml", scenario.replace("../frameworks/", "../elsewhere/")))
    assert "leads outside the scenario's folder" in str(caught.value.problems[0])
