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

from ..helpers import FERRY, HARBOUR

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


def test_included_files_are_merged_and_report_their_own_locations(write: Write, harbour: str) -> None:
    main = write("ex/scenario.yaml", harbour + "include:\n  - more/*.yaml\n")
    extra = write(
        "ex/more/late.yaml",
        "injects:\n  - id: H2-3\n    time: D2 10:00\n    from: Someone\n    to: [MWX]\n"
        "    tlp: GREEN\n    title: Late\n",
    )
    found = problems(main)
    assert found == [f"{extra}:5:10: injects[H2-3].to[0]: unknown cell or participant 'MWX'; did you mean 'MWG'?"]


def test_a_duplicate_id_across_files_names_both_places(write: Write, harbour: str) -> None:
    main = write("ex/scenario.yaml", harbour + "include:\n  - more/*.yaml\n")
    extra = write(
        "ex/more/again.yaml",
        "injects:\n  - id: H2-2\n    time: D2 10:00\n    from: Someone\n    to: [MWG]\n"
        "    tlp: GREEN\n    title: Again\n",
    )
    first = line_of(main, "  - id: H2-2")
    assert problems(main) == [
        f"{extra}:2:9: injects[H2-2].id: duplicate inject id 'H2-2'; first defined at {main}:{first}:9"
    ]


def test_every_problem_is_reported_at_once_with_file_line_and_column(write: Write, harbour: str) -> None:
    text = harbour.replace(
        "    time: D2 09:00\n    from: Port health officer", "    time: D2 9:70\n    from: Port health officer"
    )
    text = text.replace("      contingency: H1-3", "      contingency: H1-9")
    text = text.replace("    to: [MWG, PWG]\n    channel: radio", "    to: [MWG, PWX]\n    channel: radio")
    path = write("ex/scenario.yaml", text)
    found = problems(path)
    assert len(found) == 3, found
    for line in found:
        assert LINE.match(line), line
    assert f"{path}:{line_of(path, 'D2 9:70')}:11: injects[H2-1].time: 'D2 9:70': minutes must be 00-59" in found
    assert any("injects[H1-2].response.contingency: unknown inject 'H1-9'" in line for line in found)
    assert any("injects[H1-2].to[1]: unknown cell or participant 'PWX'" in line for line in found)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  - id: H1-3\n", "  - id: H1-1\n", "injects[H1-1].id: duplicate inject id 'H1-1'"),
        ("      contingency: H1-3", "      contingency: H1-2", "the contingency points to the inject itself"),
        ("    start: D2 08:00\n", "    start: D1 07:00\n", "phase starts at D1 07:00, not after the previous phase"),
        (
            "    title: Leaking launch off the breakwater",
            "    titel: Leaking launch off the breakwater",
            "unknown field 'titel'; did you mean 'title'?",
        ),
        ("    tlp: GREEN\n    title: Forty", "    tlp: AMBR\n    title: Forty", "injects[H2-1].tlp: input should be"),
        ("    after: H1-1\n", "    after: H1-2\n", "an inject cannot be timed after itself"),
        ("    after: H1-1\n", "", "a relative time needs 'after' (an inject) or 'phase'"),
        ("  harbour: Port Serein", "  port: Port Serein", "unknown variable {{ harbour }}"),
        ("        release: [H2-2]", "        release: [H2-9]", "unknown inject 'H2-9'"),
        ("    critical_tasks: [C2.2]", "    critical_tasks: [C2.7]", "unknown critical task 'C2.7'"),
        ("  - {id: XBO, name: Borelia", "  - {id: Borelia, name: Borelia", "must be an ISO 3166 alpha-3 code"),
        (
            '      deadline: "02:00"',
            '      deadline: "2 hours"',
            "is not a deadline; write a duration after release ('03:00')",
        ),
        ("    lead: PWG", "    lead: PGW", "unknown cell 'PGW'; did you mean 'PWG'?"),
        ("      responses: [H1-2]", "      responses: [H9-9]", "unknown inject 'H9-9'"),
        ("    time: D1 08:00\n    from: Harbour pilot", "    from: Harbour pilot", "missing required field 'time'"),
        ("        default: true\n", "        default: maybe\n", "expected true or false, got 'maybe'"),
        (
            "    tlp: GREEN\n    title: Forty",
            "    tlp: amber strict\n    title: Forty",
            "'AMBER', 'GREEN' or 'CLEAR'; did you mean 'AMBER+STRICT'?",
        ),
        ("    channel: sitrep\n", "    channel: emial\n", "channel: input should be 'sitrep', 'email',"),
        ("    channel: sitrep\n", "    channel: emial\n", "'report' or 'other'; did you mean 'email'?"),
        (
            "    to: [MWG, PWG]\n",
            "    to: MWG; PWG\n",
            "to: 'MWG; PWG' is not a valid id: start with a letter, then letters, digits, '-', '_' or '.'",
        ),
    ],
)
def test_each_mistake_gets_one_clear_located_message(
    write: Write, harbour: str, old: str, new: str, expected: str
) -> None:
    assert old in harbour
    path = write("ex/scenario.yaml", harbour.replace(old, new, 1))
    found = problems(path)
    assert any(expected in line for line in found), found
    assert all(LINE.match(line) and line.startswith(str(path)) for line in found), found


def test_relative_times_and_release_kinds_are_resolved() -> None:
    loaded: LoadedScenario = load_scenario(HARBOUR)
    plan = loaded.plan
    assert str(plan.by_id["H1-2"].time) == "D1 09:00"  # +01:00 after H1-1
    assert str(plan.by_id["H1-3"].time) == "D1 11:00"  # at H1-2's 02:00 deadline
    assert plan.by_id["H1-3"].kind is ReleaseKind.contingency
    assert plan.by_id["H2-1"].kind is ReleaseKind.branch and plan.by_id["H2-1"].sources == ("H1-2",)
    assert plan.by_id["H1-4"].kind is ReleaseKind.branch and plan.by_id["H1-4"].sources == ("H1-1",)  # a trigger
    assert plan.by_id["H1-1"].kind is ReleaseKind.scheduled
    assert [p.id for p in plan.injects] == ["H1-1", "H1-4", "H1-2", "H1-3", "H2-1", "H2-2"]
    assert plan.by_id["H2-1"].day == 2 and plan.by_id["H2-1"].phase == "landing"
    assert plan.by_id["H1-2"].participants == {"XAR", "XBO", "XCA", "RMO"}


def test_variables_are_substituted_in_text_and_recipients() -> None:
    loaded = load_scenario(HARBOUR)
    assert "alongside the launch outside Port Serein" in loaded.scenario.inject("H1-2").body
    ferry = load_scenario(FERRY)
    assert ferry.scenario.inject("N2-5").to == ["XAR"] and ferry.plan.by_id["N2-5"].participants == {"XAR"}
    assert str(ferry.plan.by_id["N3-1"].time) == "D+30 09:00"  # a variable in an included file


def test_time_jump_phase_is_played_on_its_declared_day() -> None:
    loaded = load_scenario(FERRY)
    aftermath = next(p for p in loaded.scenario.phases if p.id == "aftermath")
    assert str(aftermath.start) == "D+30 09:00" and aftermath.played_on == 2
    assert loaded.plan.by_id["N3-2"].day == 2


def test_scenario_models_are_frozen() -> None:
    scenario: Scenario = load_scenario(HARBOUR).scenario
    with pytest.raises(Exception, match="frozen"):
        scenario.exercise.title = "changed"  # type: ignore[misc]


def test_missing_scenario_file_is_a_located_error(tmp_path: Path) -> None:
    found = problems(tmp_path)
    assert found == [f"{tmp_path / 'scenario.yaml'}:1:1: no such scenario file (no scenario.yaml in that folder)"]


def test_include_that_matches_nothing_is_an_error(write: Write, harbour: str) -> None:
    path = write("ex/scenario.yaml", harbour + "include: [nowhere/*.yaml]\n")
    assert problems(path) == [f"{path}:{line_of(path, 'include:')}:11: include[0]: no file matches 'nowhere/*.yaml'"]


def test_source_digest_changes_when_an_included_file_changes(write: Write, harbour: str) -> None:
    main = write("ex/scenario.yaml", harbour + "include: [more.yaml]\n")
    extra = write("ex/more.yaml", "injects: []\n")
    before = load_scenario(main).digest
    extra.write_text("injects: []\n# edited\n")
    assert load_scenario(main).digest != before


def test_problems_in_several_sections_are_all_reported_in_one_run(write: Write, harbour: str) -> None:
    text = harbour.replace("tlp: GREEN                  #", "tlp: GRN #")
    text = text.replace(
        "  - {id: XCA, name: Calvera, cells: [PWG], roles: [legal]}",
        "  - {id: XCA, name: Calvera, cells: [PWX], roles: [legal]}\n  - {id: NO, name: Nordmark, cells: [PWG]}",
    )
    text = text.replace("      contingency: H1-3", "      contingency: H1-9")
    text = text.replace(
        "    time: D2 09:00\n    from: Port health officer", "    time: D2 9:70\n    from: Port health officer"
    )
    path = write("ex/scenario.yaml", text)
    found = problems(path)
    expected = [
        "exercise.tlp: input should be",
        "participants[XCA].cells[0]: unknown cell 'PWX'; did you mean 'PWG'?",
        "participants[NO]: member state id 'NO' must be an ISO 3166 alpha-3 code",
        "injects[H1-2].response.contingency: unknown inject 'H1-9'",
        "injects[H2-1].time: 'D2 9:70': minutes must be 00-59",
    ]
    assert len(found) == len(expected), found
    for fragment, line in zip(expected, found, strict=True):
        assert fragment in line, (fragment, line)


def test_a_malformed_id_is_quoted_in_its_message_at_most_64_characters_long(write: Write, harbour: str) -> None:
    path = write("ex/scenario.yaml", harbour.replace("    to: [MWG, PWG]\n", f"    to: {'MWG PWG ' * 100}\n", 1))
    (line,) = problems(path)
    assert line.endswith(
        f"to: '{('MWG PWG ' * 8)[:63]}…' is not a valid id: start with a letter, then letters, digits, '-', '_' or '.'"
    ), line


def test_a_mistyped_state_code_is_reported_once_not_again_where_the_right_code_is_used(
    write: Write, harbour: str
) -> None:
    text = harbour.replace("{id: XAR, name: Arvenia", "{id: THL, name: Thailand", 1)
    text = text.replace("    to: [MWG]\n", "    to: [MWG, THA]\n", 1)  # written with the right code
    found = problems(write("ex/scenario.yaml", text))
    assert len(found) == 1, found
    assert "member state id 'THL' is not an ISO 3166-1 alpha-3 code; did you mean 'THA' (Thailand)?" in found[0]
