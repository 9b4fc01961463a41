"""Loading scenarios: located errors across included files, cross-references, the resolved timeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.loader.load import LoadedScenario, load_scenario
from ttx.loader.problems import ScenarioError
from ttx.model.plan import ReleaseKind
from ttx.model.scenario import Scenario

from ..conftest import SCENARIOS

Write = Callable[..., Path]
LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<where>[^:]+): (?P<message>.+)$")


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(problem) for problem in caught.value.problems]


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_shipped_scenarios_are_complete_combined_exercises() -> None:
    assert {path.name for path in SCENARIOS} >= {"monsoon-drift", "southern-crossing"}
    for folder in SCENARIOS:
        loaded = load_scenario(folder)
        scenario = loaded.scenario
        assert len(scenario.days) == 4
        assert len({day.lead for day in scenario.days}) == 4, "each day led by a different working group"
        assert {c.id for c in scenario.cells} >= {"DWG", "TIPWG", "RRWG", "TFPP"}
        ahg = {
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
        assert {p.id for p in scenario.participants} >= ahg | {"IOM", "UNHCR", "UNODC"}
        assert len(scenario.injects) >= 18
        decisions = [i for i in scenario.injects if i.options and any(o.release for o in i.options)]
        assert len(decisions) >= 2
        assert any(i.contingency for i in scenario.injects)
        assert {o.id for o in scenario.objectives} == {"O1", "O2", "O3", "O4"}
        assert all(c.critical_tasks for c in scenario.capabilities)


def test_included_files_are_merged_and_report_their_own_locations(write: Write, starter: str) -> None:
    main = write("ex/scenario.yaml", starter + "include:\n  - more/*.yaml\n")
    extra = write(
        "ex/more/late.yaml",
        "injects:\n  - id: S2-3\n    time: D2 10:00\n    from: Someone\n    to: [TFPX]\n"
        "    tlp: GREEN\n    title: Late\n",
    )
    found = problems(main)
    assert found == [f"{extra}:5:10: injects[S2-3].to[0]: unknown cell or participant 'TFPX'; did you mean 'TFPP'?"]


def test_every_problem_is_reported_at_once_with_file_line_and_column(write: Write, starter: str) -> None:
    text = starter.replace(
        "    time: D2 09:00\n    from: Port health officer", "    time: D2 9:70\n    from: Port health officer"
    )
    text = text.replace("      contingency: S1-3", "      contingency: S1-9")
    text = text.replace("    to: [TFPP, TIPWG]\n    channel: radio", "    to: [TFPP, TIPWX]\n    channel: radio")
    path = write("ex/scenario.yaml", text)
    found = problems(path)
    assert len(found) == 3, found
    for line in found:
        assert LINE.match(line), line
    assert f"{path}:{line_of(path, 'D2 9:70')}:11: injects[S2-1].time: 'D2 9:70': minutes must be 00-59" in found
    assert any("injects[S1-2].response.contingency: unknown inject 'S1-9'" in line for line in found)
    assert any("injects[S1-2].to[1]: unknown cell or participant 'TIPWX'" in line for line in found)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  - id: S1-3\n", "  - id: S1-1\n", "injects[S1-1].id: duplicate inject id 'S1-1'"),
        ("      contingency: S1-3", "      contingency: S1-2", "the contingency points to the inject itself"),
        ("    start: D2 08:00\n", "    start: D1 07:00\n", "phase starts at D1 07:00, not after the previous phase"),
        (
            "    title: Fishing boat in distress",
            "    titel: Fishing boat in distress",
            "unknown field 'titel'; did you mean 'title'?",
        ),
        ("    tlp: GREEN\n    title: Eighty", "    tlp: AMBR\n    title: Eighty", "injects[S2-1].tlp: input should be"),
        ("    after: S1-1\n", "    after: S1-2\n", "an inject cannot be timed after itself"),
        ("    after: S1-1\n", "", "a relative time needs 'after' (an inject) or 'phase'"),
        ("  host_state: Coastal State A", "  host_name: Coastal State A", "unknown variable {{ host_state }}"),
        ("        release: [S2-2]", "        release: [S2-9]", "unknown inject 'S2-9'"),
        ("    critical_tasks: [C2.2]", "    critical_tasks: [C2.7]", "unknown critical task 'C2.7'"),
        ("  - {id: MYS, name: Malaysia", "  - {id: Malaysia, name: Malaysia", "must be an ISO 3166 alpha-3 code"),
        ('      deadline: "02:00"', '      deadline: "2 hours"', "not a duration"),
        ("    lead: TIPWG", "    lead: TIPGW", "unknown cell 'TIPGW'; did you mean 'TIPWG'?"),
        ("      responses: [S1-2]", "      responses: [S9-9]", "unknown inject 'S9-9'"),
        ("    time: D1 08:00\n    from: Rescue", "    from: Rescue", "missing required field 'time'"),
        ("      default: true  ", "      default: maybe  ", "expected true or false, got 'maybe'"),
    ],
)
def test_each_mistake_gets_one_clear_located_message(
    write: Write, starter: str, old: str, new: str, expected: str
) -> None:
    assert old in starter
    path = write("ex/scenario.yaml", starter.replace(old, new, 1))
    found = problems(path)
    assert any(expected in line for line in found), found
    assert all(LINE.match(line) and line.startswith(str(path)) for line in found), found


def test_relative_times_and_release_kinds_are_resolved(write: Write, starter: str) -> None:
    loaded: LoadedScenario = load_scenario(write("ex/scenario.yaml", starter))
    plan = loaded.plan
    assert str(plan.by_id["S1-2"].time) == "D1 09:00"  # +01:00 after S1-1
    assert str(plan.by_id["S1-3"].time) == "D1 11:00"  # at S1-2's 02:00 deadline
    assert plan.by_id["S1-3"].kind is ReleaseKind.contingency
    assert plan.by_id["S2-1"].kind is ReleaseKind.branch and plan.by_id["S2-1"].sources == ("S1-2",)
    assert plan.by_id["S1-1"].kind is ReleaseKind.scheduled
    assert [p.id for p in plan.injects] == ["S1-1", "S1-2", "S1-3", "S2-1", "S2-2"]
    assert plan.by_id["S2-1"].day == 2 and plan.by_id["S2-1"].phase == "landing"
    assert plan.by_id["S1-2"].participants == {"THA", "MYS", "IDN", "IOM"}


def test_variables_are_substituted_in_text_and_recipients(write: Write, starter: str) -> None:
    loaded = load_scenario(write("ex/scenario.yaml", starter))
    assert "territorial sea of Coastal State A" in loaded.scenario.inject("S1-2").body


def test_time_jump_phase_is_played_on_its_declared_day() -> None:
    loaded = load_scenario(Path("scenarios/monsoon-drift"))
    epilogue = next(p for p in loaded.scenario.phases if p.id == "epilogue")
    assert str(epilogue.start) == "D+90 09:00" and epilogue.played_on == 4
    assert loaded.plan.by_id["A4-4"].day == 4


def test_scenario_models_are_frozen(write: Write, starter: str) -> None:
    scenario: Scenario = load_scenario(write("ex/scenario.yaml", starter)).scenario
    with pytest.raises(Exception, match="frozen"):
        scenario.exercise.title = "changed"  # type: ignore[misc]


def test_missing_scenario_file_is_a_located_error(tmp_path: Path) -> None:
    found = problems(tmp_path)
    assert found == [f"{tmp_path / 'scenario.yaml'}:1:1: no such scenario file (no scenario.yaml in that folder)"]


def test_include_that_matches_nothing_is_an_error(write: Write, starter: str) -> None:
    path = write("ex/scenario.yaml", starter + "include: [nowhere/*.yaml]\n")
    assert problems(path) == [f"{path}:{line_of(path, 'include:')}:11: include[0]: no file matches 'nowhere/*.yaml'"]


def test_source_digest_changes_when_an_included_file_changes(write: Write, starter: str) -> None:
    main = write("ex/scenario.yaml", starter + "include: [more.yaml]\n")
    extra = write("ex/more.yaml", "injects: []\n")
    before = load_scenario(main).digest
    extra.write_text("injects: []\n# edited\n")
    assert load_scenario(main).digest != before


def test_problems_in_several_sections_are_all_reported_in_one_run(write: Write, starter: str) -> None:
    text = starter.replace("tlp: GREEN                  #", "tlp: GRN #")
    text = text.replace(
        "  - {id: IDN, name: Indonesia, cells: [TIPWG], roles: [legal]}",
        "  - {id: IDN, name: Indonesia, cells: [TIPWX], roles: [legal]}\n  - {id: NO, name: Norway, cells: [TIPWG]}",
    )
    text = text.replace("      contingency: S1-3", "      contingency: S1-9")
    text = text.replace(
        "    time: D2 09:00\n    from: Port health officer", "    time: D2 9:70\n    from: Port health officer"
    )
    path = write("ex/scenario.yaml", text)
    found = problems(path)
    expected = [
        "exercise.tlp: input should be",
        "participants[IDN].cells[0]: unknown cell 'TIPWX'; did you mean 'TIPWG'?",
        "participants[NO]: member state id 'NO' must be an ISO 3166 alpha-3 code",
        "injects[S1-2].response.contingency: unknown inject 'S1-9'",
        "injects[S2-1].time: 'D2 9:70': minutes must be 00-59",
    ]
    assert len(found) == len(expected), found
    for fragment, line in zip(expected, found, strict=True):
        assert fragment in line, (fragment, line)
