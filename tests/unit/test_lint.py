"""Lint rules: each finds what it promises on a scenario written to trigger it, and nothing on clean ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.loader.lint import RULES, lint
from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError

from ..helpers import FERRY, HARBOUR, ROOT, ttx

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


def _rule_lines(found: list[str], rule: str) -> list[str]:
    return [line for line in found if line.endswith(f"[{rule}]")]


def test_inject_after_the_last_day_and_the_phase_it_leaves_empty(write: Write, harbour: str) -> None:
    """Both day-2 injects moved to a day 3 the exercise does not have: each is flagged, and so is the empty phase."""
    text = harbour.replace("    time: D2 09:00\n    from: Port health", "    time: D3 09:00\n    from: Port health")
    text = text.replace("    time: D2 09:00\n    from: Neighbouring", "    time: D+5 09:00\n    from: Neighbouring")
    found = findings(write, text)
    late = _rule_lines(found, "after-last-day")
    assert len(late) == 2, found
    assert any("at D3 09:00, which falls on exercise day 3; the exercise ends on day 2" in line for line in late)
    assert any("at D+5 09:00, which falls on exercise day 6" in line for line in late)
    empty = _rule_lines(found, "empty-phase")
    assert len(empty) == 1 and "phase landing (D2 08:00 to D2 17:00) has no inject timed inside it" in empty[0]


def test_mistyped_time_jump_is_after_the_last_day(write: Write) -> None:
    """NIGHT FERRY plays D+30 on day 2; a jump mistyped as D+3 lands on day 4 of a two-day exercise."""
    folder = FERRY
    target = write("ferry/scenario.yaml", (folder / "scenario.yaml").read_text(encoding="utf-8"))
    for source in (folder / "injects").glob("*.yaml"):
        write(f"ferry/injects/{source.name}", source.read_text(encoding="utf-8"))
    text = target.read_text(encoding="utf-8").replace("trial_time: D+30 09:00", "trial_time: D+3 09:00")
    target.write_text(text, encoding="utf-8")
    found = [str(f) for f in lint(load_scenario(target))]
    late = _rule_lines(found, "after-last-day")
    assert len(late) == 1 and "aftermath.yaml" in late[0] and "exercise day 4" in late[0], found


def test_time_jump_played_on_a_listed_day_is_not_after_the_last_day(write: Write, harbour: str) -> None:
    text = harbour.replace(
        "    end: D2 17:00\n",
        "    end: D2 17:00\n  - id: later\n    title: Later\n    start: D+40 09:00\n    end: D+40 12:00\n    day: 2\n",
    )
    text += EXTRA_INJECT.format(id="H3-1", time="D+40 10:00", to="[MWG]", tlp="GREEN")
    assert _rule_lines(findings(write, text), "after-last-day") == []


def test_guard_waiting_on_a_later_inject_deadlocks(write: Write, harbour: str) -> None:
    found = findings(write, harbour.replace("      responses: [H1-2]", "      responses: [H2-1]"))
    deadlock = _rule_lines(found, "guard-deadlock")
    assert len(deadlock) == 1, found
    assert "waits for an answer to H2-1, released at D2 09:00, not before the phase starts (D2 08:00)" in deadlock[0]


@pytest.mark.parametrize(
    ("guarded", "expected"),
    [
        ("H1-3", "waits for an answer to H1-3, which is released only if H1-2 is not answered by its deadline"),
        ("H1-4", "waits for an answer to H1-4, which is released only by a branch of H1-1"),
    ],
)
def test_guard_waiting_on_an_inject_only_some_paths_release_deadlocks_the_others(
    write: Write, harbour: str, guarded: str, expected: str
) -> None:
    found = findings(write, harbour.replace("      responses: [H1-2]", f"      responses: [{guarded}]"))
    deadlock = _rule_lines(found, "guard-deadlock")
    assert len(deadlock) == 1, found
    assert expected in deadlock[0]
    assert "on any other path the clock stops at the phase start (D2 08:00)" in deadlock[0]


def test_branch_inject_timed_before_its_decision(write: Write, harbour: str) -> None:
    text = harbour.replace("    time: D2 09:00\n    from: Port health", "    time: D1 08:30\n    from: Port health")
    found = findings(write, text)
    early = _rule_lines(found, "branch-before-decision")
    assert len(early) == 1, found
    assert "at D1 08:30, before H1-2 (D1 09:00) whose decision or trigger releases it" in early[0]


IGNORE = """
lint:
  ignore:
    - {rule: unused-capability, reason: C9 belongs to the shared framework}
    - day-without-lead
"""


def test_a_scenario_can_ignore_rules_with_a_reason(write: Write, harbour: str) -> None:
    text = harbour.replace("capabilities:\n  - id: C1", "capabilities:\n  - id: C9\n    name: Shared\n  - id: C1")
    text = text.replace("    lead: PWG\n", "", 1)
    assert {line.rsplit("[", 1)[1] for line in findings(write, text)} == {"unused-capability]", "day-without-lead]"}
    loaded = load_scenario(write("ex/scenario.yaml", text + IGNORE))
    assert lint(loaded) == []
    assert sorted(f.rule for f in lint(loaded, ignored=True)) == ["day-without-lead", "unused-capability"]


def test_an_unknown_ignored_rule_is_an_error(write: Write, harbour: str) -> None:
    path = write("ex/scenario.yaml", harbour + IGNORE.replace("day-without-lead", "day-without-led"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [str(p).removeprefix(f"{path}:") for p in caught.value.problems] == [
        f"{harbour.count(chr(10)) + 5}:7: lint.ignore[1]: unknown lint rule 'day-without-led'; "
        "did you mean 'day-without-lead'?"
    ]


def test_lint_show_ignored_prints_the_reason(write: Write, harbour: str) -> None:
    text = harbour.replace("capabilities:\n  - id: C1", "capabilities:\n  - id: C9\n    name: Shared\n  - id: C1")
    path = write("ex/scenario.yaml", text + IGNORE)
    quiet = ttx("lint", path.parent, "--strict")
    assert quiet.returncode == 0 and quiet.stdout.strip().endswith("no findings, 1 ignored"), quiet.stdout
    shown = ttx("lint", path.parent, "--show-ignored")
    assert "[unused-capability] (ignored: C9 belongs to the shared framework)" in shown.stdout, shown.stdout


def test_an_inject_between_two_phases_is_in_no_phase(write: Write, harbour: str) -> None:
    text = harbour.replace("    start: D1 08:00\n", "    start: D1 08:00\n    end: D1 18:00\n", 1)
    text += EXTRA_INJECT.format(id="H1-9", time="D1 20:00", to="[MWG]", tlp="GREEN")
    text += EXTRA_INJECT.format(id="H1-8", time="D1 21:00", to="[MWG]", tlp="GREEN") + "    phase: distress\n"
    path = write("ex/scenario.yaml", text)
    found = [str(f) for f in lint(load_scenario(path))]
    line = text.splitlines().index("    time: D1 20:00") + 1
    assert _rule_lines(found, "between-phases") == [
        f"{path}:{line}:11: injects[H1-9].time: at D1 20:00, after phase distress ends (D1 18:00) and before "
        "phase landing starts (D2 08:00): in no phase [between-phases]"
    ]
    assert [line for line in found if "H1-8" in line] == [
        line for line in _rule_lines(found, "outside-phase") if "H1-8" in line
    ], "an inject assigned to a phase is reported once, by outside-phase"
    assert _rule_lines(findings(write, harbour), "between-phases") == []


GROUPS = "groups:\n  coast: [XAR, XBO]\n  front: [MWG, XCA]\n\n"


@pytest.mark.parametrize(
    ("to", "tlp", "expected"),
    [
        (
            "coast",
            "RED",
            "TLP:RED is for the named recipients only, but it is addressed through the group coast, "
            "which a later edit can widen; name the delegations",
        ),
        (
            "[front]",
            "AMBER+STRICT",
            "TLP:AMBER+STRICT is for the named recipients only, but it is addressed to "
            "the whole cell MWG (through the group front); name the delegations",
        ),
        (
            "[PWG, MWG]",
            "RED",
            "TLP:RED is for the named recipients only, but it is addressed to the whole cells "
            "MWG, PWG; name the delegations",
        ),
        ("all", "RED", "TLP:RED is for the named recipients only, but it is addressed to all; name the delegations"),
        ("[XAR, XBO]", "RED", None),
        ("coast", "AMBER", None),
    ],
)
def test_red_and_amber_strict_go_to_delegations_named_on_the_inject(
    write: Write, harbour: str, to: str, tlp: str, expected: str | None
) -> None:
    text = harbour.replace("cells:\n", GROUPS + "cells:\n", 1)
    text += EXTRA_INJECT.format(id="H1-9", time="D1 10:00", to=to, tlp=tlp)
    path = write("ex/scenario.yaml", text)
    found = _rule_lines([str(f) for f in lint(load_scenario(path))], "tlp-too-wide")
    lines = text.splitlines()
    line = len(lines) - lines[::-1].index(f"    to: {to}")  # the added inject's, the last one
    assert found == ([] if expected is None else [f"{path}:{line}:9: injects[H1-9].to: {expected} [tlp-too-wide]"])


def test_the_guide_shows_each_rule_with_a_bad_and_a_good_example() -> None:
    guide = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    headed = re.split(r"^(#{2,4} .*)$", guide, flags=re.MULTILINE)
    sections = {heading: body for heading, body in zip(headed[1::2], headed[2::2], strict=True)}
    for rule in RULES:
        body = sections.get(f"#### `{rule}`")
        assert body is not None, f"no section for {rule}"
        examples = "".join(re.findall(r"```yaml\n(.*?)```", body, flags=re.DOTALL))
        assert "# bad" in examples and "# good" in examples, rule
