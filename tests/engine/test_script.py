"""Headless scripts: every mistake located at once, rejected commands reported, actions timed after a release."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.engine.clock import MAX_SPEED, ManualClock
from ttx.engine.creation import create_session
from ttx.engine.headless import HeadlessRun, RunReport
from ttx.engine.script import Script
from ttx.loader.load import LoadedScenario, validate_document
from ttx.loader.problems import ScenarioError
from ttx.loader.yaml_source import read_yaml
from ttx.store.memory import MemoryStore

from ..helpers import HARBOUR, headless, ttx

Write = Callable[..., Path]

BROKEN = """\
description: three mistakes
actions:
  - at: D1 10:00
    as: XAR
    do: {kind: respond, inject: H1-2, decision: escort, txt: hello}
  - at: D1 11:00
    as: XAR
    do: {kind: respnd, inject: H1-2}
  - when: {phase: landing, after: "+00:10"}
    do: {kind: note, text: x}
"""


def _problems(write: Write, text: str) -> list[str]:
    path = write("script.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        validate_document(Script, read_yaml(path))
    return [str(problem).removeprefix(f"{path}:") for problem in caught.value.problems]


def test_every_script_mistake_is_located_and_reported_at_once(write: Write) -> None:
    assert _problems(write, BROKEN) == [
        "5:9: actions[0].do: respond takes no field 'txt'; did you mean 'text'?",
        "8:9: actions[1].do: unknown command kind 'respnd'; did you mean 'respond'?",
        "9:11: actions[2].when: 'after' counts from a release: write 'released: INJECT' with it",
    ]


def test_a_missing_field_names_the_command(write: Write) -> None:
    text = "actions:\n  - at: D1 10:00\n    do: {kind: release}\n"
    assert _problems(write, text) == ["3:9: actions[0].do: release needs 'inject'"]


def _play(harbour_watch: LoadedScenario, script: dict[str, object]) -> tuple[RunReport, MemoryStore]:
    store, clock = MemoryStore(), ManualClock()
    create_session(store, harbour_watch.scenario, harbour_watch.digest, clock)
    report = HeadlessRun(store, clock, speed=MAX_SPEED, script=Script.model_validate(script), say=lambda _: None).run()
    return report, store


def test_an_action_timed_after_a_release(harbour_watch: LoadedScenario) -> None:
    """H1-2 is released at D1 09:00; the answer comes half an hour later and takes the branch."""
    action = {
        "when": {"released": "H1-2", "after": "+00:30"},
        "as": "XAR",
        "do": {"kind": "respond", "decision": "escort", "text": "Escort."},
    }
    report, store = _play(harbour_watch, {"actions": [action]})
    decision = report.state.decisions["H1-2"]
    assert (decision.option, decision.default) == ("escort", False)
    answers = [record for record in store.events() if record.event.type == "response_recorded"]
    assert [record.at for record in answers] == [(9 * 60 + 30) * 60]
    assert report.rejected_commands == []


def test_rejected_scripted_commands_are_reported(harbour_watch: LoadedScenario) -> None:
    actions = [
        {"when": {"released": "H1-2"}, "as": "XAR", "do": {"kind": "respond", "decision": "sink", "text": "x"}},
        {"at": "D1 08:30", "as": "XCA", "do": {"kind": "respond", "inject": "H1-1", "text": "not mine"}},
    ]
    report, _ = _play(harbour_watch, {"actions": actions})
    assert sorted(report.rejected_commands) == [
        (0, "when H1-2: XAR respond: rejected: 'sink' is not an option of H1-2 (options: disembark, escort)"),
        (1, "at D1 08:30: XCA respond: rejected: no inject H1-1 for XCA"),
    ]


def test_headless_run_with_rejected_commands_exits_1(tmp_path: Path) -> None:
    """XAR answers H1-2 at 08:30, before its release at 09:00: only the controller can tell, so the run finds it."""
    script = tmp_path / "scripts" / "not-mine.yaml"
    script.parent.mkdir()
    script.write_text(
        'actions:\n  - at: D1 08:30\n    as: XAR\n    do: {kind: respond, inject: H1-2, text: "Ours?"}\n',
        encoding="utf-8",
    )
    result = headless(HARBOUR, tmp_path / "a.ttx", script="not-mine", scripts=tmp_path / "scripts")
    assert result.returncode == 1, result.stderr
    assert f"{script}:2:5: actions[0] at D1 08:30: XAR respond: rejected: no inject H1-2 for XAR" in result.stderr
    assert "1 scripted command(s) rejected: exit 1" in result.stderr
    allowed = headless(
        HARBOUR, tmp_path / "b.ttx", "not-mine", scripts=tmp_path / "scripts", extra=("--allow-rejections",)
    )
    assert allowed.returncode == 0, allowed.stderr
    assert "rejected: no inject H1-2 for XAR" in allowed.stderr


CHECKED = """\
actions:
  - when: {released: H1-22}
    as: XAX
    do: {kind: respond, text: "x"}
  - when: {released: H1-2}
    as: scribe:MWX
    do: {kind: respond, decision: escrot, text: "x"}
  - when: {phase: landin}
    as: evaluator:1
    do: {kind: note, text: x}
  - at: D1 10:00
    do: {kind: adhoc, id: X-1, to: [MWG], tlp: GREEN, title: Leak}
  - when: {released: X-1}
    as: XAR
    do: {kind: respond, text: ok}
"""


def test_a_script_is_checked_against_its_scenario_before_the_run(write: Write, tmp_path: Path) -> None:
    path = write("scripts/checked.yaml", CHECKED)
    expected = [
        f"{path}:2:22: actions[0].when.released: unknown inject 'H1-22'; did you mean 'H1-2'?",
        f"{path}:3:9: actions[0].as: unknown delegation 'XAX'; did you mean 'XCA'?",
        f"{path}:6:9: actions[1].as: unknown cell 'MWX'; did you mean 'MWG'?",
        f"{path}:7:35: actions[1].do.decision: 'escrot' is not an option of H1-2; did you mean 'escort'? "
        "(options: disembark, escort)",
        f"{path}:8:19: actions[2].when.phase: unknown phase 'landin'; did you mean 'landing'?",
    ]
    checked = ttx("validate", HARBOUR, "--script", path)
    assert checked.returncode == 2
    assert checked.stdout.splitlines()[1:-1] == expected, checked.stdout
    run = headless(HARBOUR, tmp_path / "c.ttx", "checked", scripts=path.parent)
    assert run.returncode == 2 and run.stderr.splitlines() == expected, run.stderr
    assert not (tmp_path / "c.ttx").exists()


MIXED = """\
actions:
  - when: {relased: H1-2}
    as: XAR
    do: {kind: respond, text: x}
  - at: D1 09:30
    as: XCA
    do: {kind: respond, inject: H1-1, text: "Ours?"}
  - at: D1 10:00
    as: scribe:PWG
    do: {kind: respond, inject: H1-4, participant: XCA, text: x}
  - at: D1 11:00
    do: {kind: advance_phase, phase: landng}
  - at: D1 12:00
    do: {kind: release, inject: H9-9}
"""


def test_script_form_and_scenario_mistakes_come_in_one_round(write: Write, tmp_path: Path) -> None:
    """A misspelt field in one action does not hide the others' unknown phase and inject; a seat answering
    an inject that never goes to it is found before the run (H1-1 and H1-4 go to MWG alone)."""
    path = write("scripts/mixed.yaml", MIXED)
    checked = ttx("validate", HARBOUR, "--script", path)
    assert checked.returncode == 2
    assert checked.stdout.splitlines()[1:] == [
        f"{path}:2:21: actions[0].when.relased: unknown field 'relased'; did you mean 'released'?",
        f"{path}:6:9: actions[1].as: XCA does not receive H1-1 (it goes to MWG, XAR, XBO)",
        f"{path}:9:9: actions[2].as: cell PWG does not receive H1-4 (it goes to MWG, XAR, XBO)",
        f"{path}:12:38: actions[3].do.phase: unknown phase 'landng'; did you mean 'landing'?",
        f"{path}:14:33: actions[4].do.inject: unknown inject 'H9-9'",
        f"{path}: invalid script, 5 problems",
    ], checked.stdout
    run = headless(HARBOUR, tmp_path / "m.ttx", "mixed", scripts=path.parent)
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 5, run.stderr


def test_allow_rejections_or_a_script_without_a_headless_run_is_refused(tmp_path: Path) -> None:
    script = HARBOUR.parent / "harbour-watch" / "scenario.yaml"  # any file: it is refused before it is read
    for extra in (["--allow-rejections"], ["--headless", "--allow-rejections"], ["--script", script]):
        result = ttx("run", HARBOUR, "--session", tmp_path / "s.ttx", *extra)
        assert result.returncode == 2, (extra, result.stderr)
        assert result.stderr.startswith("ttx: usage: ttx run ... --headless --script FILE"), result.stderr
        assert not (tmp_path / "s.ttx").exists(), "no session is created and no controller started"
