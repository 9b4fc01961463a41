"""Shared evaluation frameworks: objectives and capabilities from an included file, located in that file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.loader.lint import lint
from ttx.loader.load import load_scenario, validate_document
from ttx.loader.problems import ScenarioError
from ttx.loader.yaml_source import read_yaml
from ttx.model.scenario import InjectFile

from ..helpers import ROOT

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


SHIPPED_FRAMEWORK = ROOT / "frameworks" / "bali-process.yaml"


@pytest.mark.parametrize("name", ["monsoon-drift", "southern-crossing"])
def test_shipped_scenarios_take_their_framework_from_the_shared_file(name: str) -> None:
    folder = ROOT / "scenarios" / name
    assert "objectives" not in read_yaml(folder / "scenario.yaml").data, "the framework is written once"
    loaded = load_scenario(folder)
    assert [o.id for o in loaded.scenario.objectives] == ["O1", "O2", "O3", "O4"]
    assert [c.id for c in loaded.scenario.capabilities] == [f"C{n}" for n in range(1, 14)]
    assert all(c.critical_tasks and c.target for c in loaded.scenario.capabilities)
    assert _in(str(loaded.sources.locate(("capabilities", 12, "id"))), SHIPPED_FRAMEWORK)


def test_the_shipped_framework_is_an_include_file_editors_can_check() -> None:
    framework = validate_document(InjectFile, read_yaml(SHIPPED_FRAMEWORK))
    assert not framework.injects
    first = SHIPPED_FRAMEWORK.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../ttx/schemas/injects.schema.json"
    assert (SHIPPED_FRAMEWORK.parent / "../ttx/schemas/injects.schema.json").resolve().exists()


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle``."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def _scoped(scenario: str, capabilities: str) -> str:
    return scenario.replace("include:\n", f"scope:\n  capabilities: {capabilities}\n\ninclude:\n", 1)


EXTRA = "  - id: C9\n    name: Not exercised here\n    critical_tasks: [Something else]\n"


def test_capabilities_out_of_scope_are_left_out_of_lint_and_evaluation(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    write("frameworks/harbour.yaml", framework + EXTRA)
    loaded = load_scenario(write("ex/scenario.yaml", _scoped(scenario, "[C1, C2]")))
    assert lint(loaded) == []
    assert [c.id for c in loaded.scenario.capabilities] == ["C1", "C2"], "evaluators rate only what is in scope"
    assert [c.id for c in loaded.plan.scenario.capabilities] == ["C1", "C2"]


def test_an_unused_capability_in_scope_is_still_reported_where_it_is_written(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    path = write("frameworks/harbour.yaml", framework + EXTRA + "  - id: C10\n    name: Out of scope\n")
    loaded = load_scenario(write("ex/scenario.yaml", _scoped(scenario, "[C1, C2, C9]")))
    (finding,) = lint(loaded)
    assert finding.location.file.resolve() == path.resolve()
    assert finding.location.line == _line_of(path.read_text(encoding="utf-8"), "id: C9")
    assert finding.message == "no inject exercises capability C9" and finding.rule == "unused-capability"


def test_an_inject_cannot_use_a_capability_out_of_scope(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    write("frameworks/harbour.yaml", framework)
    text = _scoped(scenario, "[C1]")
    path = write("ex/scenario.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    found = {(p.location.line, p.message) for p in caught.value.problems}
    out = "is out of this scenario's scope: add C2 to scope.capabilities or leave it out here"
    assert (_line_of(text, "capabilities: [C1, C2]"), f"capability 'C2' {out}") in found
    assert (_line_of(text, "capabilities: [C2]"), f"capability 'C2' {out}") in found
    assert (_line_of(text, "critical_tasks: [C2.2]"), f"critical task 'C2.2' {out}") in found
    assert all(p.location.file == path for p in caught.value.problems)
    assert len(caught.value.problems) == 5, found  # three injects use C2, one names C2.2, one C2.1


def test_scope_names_only_known_capabilities_once(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    write("frameworks/harbour.yaml", framework)
    text = _scoped(scenario, "[C1, C2, C1, C3, C11]")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write("ex/scenario.yaml", text))
    line = _line_of(text, "capabilities: [C1, C2, C1")
    assert [str(p).split(":", 1)[1] for p in caught.value.problems] == [
        f"{line}:26: scope.capabilities[2]: capability 'C1' is listed twice",
        f"{line}:30: scope.capabilities[3]: unknown capability 'C3'",
        f"{line}:34: scope.capabilities[4]: unknown capability 'C11'; did you mean 'C1'?",
    ]


def test_an_empty_scope_is_refused(write: Write, harbour: str) -> None:
    scenario, framework = _split(harbour)
    write("frameworks/harbour.yaml", framework)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write("ex/scenario.yaml", _scoped(scenario, "[]")))
    assert "scope.capabilities: list should have at least 1 item" in str(caught.value)
