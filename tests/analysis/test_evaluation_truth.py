"""Golden runs of TIDE LINE played five ways (engaged, silent, declining, late, leaking): the figures an evaluator reads.

Each run is a headless script of tests/data/tide-line/scripts played in-process at max speed; the
tests assert who had to answer, what was late or defaulted, what fired, and what the report may
quote at the exercise's label.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ttx.analysis.comparison import compare, compare_html, compare_markdown
from ttx.analysis.gaps import Options, build_report
from ttx.analysis.report import to_csv_zip, to_html, to_markdown
from ttx.analysis.report_model import Report
from ttx.engine.clock import MAX_SPEED, ManualClock
from ttx.engine.creation import create_session
from ttx.engine.events import EventRecord
from ttx.engine.headless import HeadlessRun
from ttx.engine.script import Script
from ttx.engine.state import ExerciseState, fold
from ttx.engine.status import status_of
from ttx.engine.views import board_rows, cell_rows, inject_status
from ttx.loader.load import load_scenario, validate_document
from ttx.loader.yaml_source import read_yaml
from ttx.store.memory import MemoryStore

from ..helpers import DATA

TIDE = DATA / "tide-line"
RUNS = ("engaged", "silent", "declining", "late", "leaking")


def play(script: str) -> tuple[ExerciseState, list[EventRecord]]:
    """Play TIDE LINE to its end with one of its scripts; the final state and the log."""
    loaded = load_scenario(TIDE)
    store, clock = MemoryStore(), ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    plan = validate_document(Script, read_yaml(TIDE / "scripts" / f"{script}.yaml"))
    result = HeadlessRun(store, clock, speed=MAX_SPEED, script=plan, say=lambda _: None).run()
    assert result.script_rejections == [], result.script_rejections
    records = list(store.events())
    assert not fold(records).rejections, fold(records).rejections
    return result.state, records


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[ExerciseState, list[EventRecord]]]:
    return {name: play(name) for name in RUNS}


def report(runs: dict[str, tuple[ExerciseState, list[EventRecord]]], name: str, **options: bool) -> Report:
    state, records = runs[name]
    return build_report(state, records, Options(**options))


def outcomes(document: Report) -> dict[str, tuple[str, list[str], list[str]]]:
    return {o.inject: (o.outcome, o.missing, o.late) for o in document.silence.injects}


def test_engaged_run_owes_nothing(runs: dict[str, Any]) -> None:
    document = report(runs, "engaged")
    assert {o.inject: o.outcome for o in document.silence.injects} == {
        "T1-1": "on_time",
        "T1-2": "on_time",
        "T2-2": "on_time",
        "T3-1": "on_time",
    }
    assert document.silence.unanswered_required == [] and document.silence.contingencies_fired == []
    # one answer per cell (the default) and one from the named delegation: nobody else "missed" anything
    assert all(d.required_missed == [] for d in document.participation.delegations)
    assert all(c.required_missed == [] for c in document.participation.cells)
    assert [(n.inject, n.status) for n in document.silence.not_played] == [("T3-2", "held")]
    assert [(p.inject, p.option, p.by, p.default) for p in document.decisions.path] == [
        ("T1-2", "monitor", "XAR", False),
        ("T2-2", "protect", "XDU", False),
    ]
    assert [(r.id, r.minutes_to_answer) for r in document.coordination.requests] == [("XBO-ASK-1", 60.0)], (
        "sent D1 16:00, answered D2 10:00: one played hour, not the night"
    )
    assert not [a for a in document.areas_for_improvement if a.theme == "timeliness"]
    # the appendix holds every response in full, except the one to the AMBER+STRICT T1-3
    assert len(document.responses) == 10 and "T1-3" not in {r.inject for r in document.responses}
    assert (
        document.responses[0].text == "DWG leads; Borelia's centre coordinates." and document.responses[0].cell == "DWG"
    )
    assert "## Appendix: responses in full" in to_markdown(document)


def test_silent_run_shows_the_silence_that_defaults_would_hide(runs: dict[str, Any]) -> None:
    state, _ = runs["silent"]
    document = report(runs, "silent")
    assert outcomes(document) == {
        "T1-1": ("unanswered", ["DWG", "TIPWG"], []),
        "T1-2": ("defaulted", ["XAR"], []),
        "T2-1a": ("unanswered", ["RRWG", "TIPWG"], []),
        "T2-2": ("defaulted", ["RRWG"], []),
        "T3-1": ("unanswered", ["XAR", "XBO", "XCA", "XDU", "XEM"], []),
    }
    assert [u.inject for u in document.silence.unanswered_required] == ["T1-1", "T1-2", "T2-1a", "T2-2", "T3-1"]
    assert [(c.contingency, c.because_of, c.why) for c in document.silence.contingencies_fired] == [
        ("T1-1c", "T1-1", "no answer from DWG, TIPWG by D1 11:00"),
        ("T1-2c", "T1-2", "no answer from XAR by D1 13:00"),
    ]
    assert [(p.inject, p.option, p.by, p.default) for p in document.decisions.path] == [
        ("T1-2", "intercept", "scenario default", True),
        ("T2-2", "return", "scenario default", True),
    ]
    findings = [a.observation for a in document.areas_for_improvement]
    assert len(findings) == 5 and any(f.startswith("Inject T1-2") and "decided by default" in f for f in findings)
    assert len(document.improvement_plan) == 5
    status = status_of(state)
    assert status.decisions == {} and status.defaulted == {"T1-2": "intercept", "T2-2": "return"}
    assert "T1-2" in status.unanswered_required and "T2-2" in status.unanswered_required
    assert inject_status(state, "T1-2", state.at) == "defaulted"
    # idle stretches in played time, playing cells only: no SIMCELL or CONTROL, no night, no time jump
    idle = {i.cell: i.longest_idle_minutes for i in document.silence.idle_cells}
    # DWG: D1 09:00-16:00 (7 h), D2 09:00-13:00 (4 h), D+30 09:00-10:00 (1 h): 12 played hours
    assert idle == {"DWG": 720.0, "TIPWG": 720.0, "RRWG": 300.0}


def test_declining_run_counts_parties_not_delegations(runs: dict[str, Any]) -> None:
    document = report(runs, "declining")
    assert outcomes(document) == {
        "T1-1": ("partly_answered", ["TIPWG"], []),
        "T1-2": ("on_time", [], []),
        "T2-1a": ("partly_answered", ["RRWG"], []),
        "T2-2": ("defaulted", ["RRWG"], []),
        "T3-1": ("partly_answered", ["XBO", "XCA", "XDU"], []),
    }
    assert {c.id: c.required_missed for c in document.participation.cells if c.required_missed} == {
        "TIPWG": ["T1-1"],
        "RRWG": ["T2-1a", "T2-2"],
    }
    assert {d.id: d.required_missed for d in document.participation.delegations if d.required_missed} == {
        "XBO": ["T3-1"],
        "XCA": ["T3-1"],
        "XDU": ["T3-1"],
    }


def test_a_gap_that_names_no_theme_takes_its_capability_theme(runs: dict[str, Any]) -> None:
    document = report(runs, "declining")
    assert [(g.inject, g.theme) for g in document.gaps.register_] == [("T2-1a", "victim protection")]


def test_late_run_flags_answers_after_deadlines_and_defaults(runs: dict[str, Any]) -> None:
    document = report(runs, "late")
    found = outcomes(document)
    assert found["T1-1"] == ("late", [], ["TIPWG: 60.0 min after the deadline"])
    assert found["T1-2"] == ("late", [], ["XAR: 60.0 min after the deadline, after the default"])
    assert found["T2-1a"] == ("late", [], ["TIPWG: 60.0 min after the deadline"])
    assert found["T2-2"] == ("on_time", [], [])
    t12 = next(o for o in document.silence.injects if o.inject == "T1-2")
    assert (t12.default_option, t12.contingency) == ("intercept", "T1-2c")
    assert [p.default for p in document.decisions.path if p.inject == "T1-2"] == [True]
    assert any("answered late" in a.observation for a in document.areas_for_improvement)


def test_the_boards_use_the_same_rule(runs: dict[str, Any]) -> None:
    state, _ = runs["declining"]
    cells = {row.cell: row.overdue for row in cell_rows(state, state.at)}
    assert cells["TIPWG"] == ["T1-1"] and cells["RRWG"] == ["T2-1a", "T2-2"] and cells["DWG"] == []
    board = {row.participant: row.overdue for row in board_rows(state, state.at)}
    assert all(overdue == [] for overdue in board.values()), "no delegation owes a cell's answer itself"


def test_leaking_run_keeps_material_above_the_exercise_label_out(runs: dict[str, Any], tmp_path: Path) -> None:
    document = report(runs, "leaking")
    secrets = ("STRICT-", "RED-ASK", "RED-REQUEST", "T1-3", "T1-4")
    texts = {
        "json": document.to_json(),
        "md": to_markdown(document),
        "html": to_html(document),
    }
    with zipfile.ZipFile(__import__("io").BytesIO(to_csv_zip(document))) as bundle:
        texts["csv"] = "".join(bundle.read(name).decode() for name in bundle.namelist())
    for kind, text in texts.items():
        assert not [s for s in secrets if s in text], kind
    assert document.tlp == "TLP:AMBER" and texts["md"].startswith("**EXERCISE — TLP:AMBER**")
    assert {g.theme for g in document.gaps.register_} == {"capacity and resources"}
    rows = json.loads(texts["json"])
    assert all(g["tlp"] == "TLP:AMBER" for g in rows["gaps"]["register"])
    full = report(runs, "leaking", include_restricted=True)
    assert full.tlp == "TLP:RED" and full.exercise_tlp == "TLP:AMBER"
    assert [(g.inject, g.tlp) for g in full.gaps.register_ if g.inject == "T1-3"] == [
        ("T1-3", "TLP:AMBER+STRICT"),
        ("T1-3", "TLP:AMBER+STRICT"),
    ]
    assert [(r.id, r.tlp) for r in full.coordination.requests] == [("RED-ASK", "TLP:RED")]
    assert to_markdown(full).startswith("**EXERCISE — TLP:RED")
    assert [r.text for r in full.responses if r.inject == "T1-3"] == ["STRICT-RESPONSE-TEXT"]


def test_withheld_evaluator_note_gives_no_theme() -> None:
    loaded = load_scenario(TIDE)
    store, clock = MemoryStore(), ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    script = Script.model_validate(
        {
            "actions": [
                {
                    "when": {"released": "T1-1"},
                    "as": "evaluator:1",
                    "do": {"kind": "observe", "capability": "C2", "rating": "M", "note": "interpreter capacity"},
                }
            ]
        }
    )
    state = HeadlessRun(store, clock, speed=MAX_SPEED, script=script, say=lambda _: None).run().state
    withheld = build_report(state, list(store.events()))
    gap = next(g for g in withheld.gaps.register_ if g.source == "evaluator")
    assert gap.text == "rated M (evaluator note withheld)" and gap.theme == "victim protection", (
        "the theme comes from the capability (Victim identification and protection), not the note"
    )


def test_compare_tells_engaged_from_silent(runs: dict[str, Any]) -> None:
    comparison = compare([(name, report(runs, name)) for name in ("engaged", "declining", "silent")])
    figures = [(s.required_missed, s.injects_defaulted, s.contingencies_fired) for s in comparison.sessions]
    assert figures == [(0, 0, 0), (6, 1, 1), (11, 2, 2)]  # T1-3 (AMBER+STRICT) is withheld
    assert comparison.sessions[2].decisions == {"T1-2": "intercept (default)", "T2-2": "return (default)"}
    page = compare_html(comparison)
    assert "<td>required answers missed</td><td>0</td><td>6</td><td>11</td>" in page
    text = compare_markdown(comparison)
    assert "| required answers missed | 0 | 6 | 11 |" in text and "| T1-2 decision | monitor | intercept |" in text


def test_chatham_house_names_no_delegation(runs: dict[str, Any]) -> None:
    document = report(runs, "engaged", chatham_house=True, include_restricted=True)
    rows = document.model_dump(mode="json", by_alias=True)
    attributed = json.dumps(
        [rows["participation"], rows["decisions"], rows["coordination"], rows["gaps"], rows["coverage"]]
    )
    for code in ("XAR", "XBO", "XCA", "XDU", "XEM", "Arvenia", "XBO-ASK-1"):
        assert code not in attributed, code
    assert [d.id for d in document.participation.delegations] == [
        "delegations in DWG",
        "delegations in RRWG",
        "delegations in TIPWG",
    ]
    assert all(len(d.cells) == 1 for d in document.participation.delegations)
    assert [r.id for r in document.coordination.requests] == ["request 1"]
    # T1-3 went to four delegations by name: its answer is "a delegation", never narrowed to a cell
    assert {r.by for r in document.decisions.path} == {"a delegation in DWG", "a delegation in RRWG"}
    assert "verbatim text may still identify" in to_markdown(document)


def test_replay_names_the_played_range_the_requested_time_and_the_scribe_seat(runs: dict[str, Any]) -> None:
    from ttx.analysis.replay import Replay, find_seat, replay_state
    from ttx.model.time import ScenarioTime

    _, records = runs["engaged"]
    replay = Replay(records)
    for outside in ("D+31 10:00", "D1 08:00"):
        with pytest.raises(ValueError, match=r"outside the played range, D1 09:00 to D\+30 09:00"):
            replay.at_time(outside)
    with pytest.raises(ValueError, match=r"D9 10:00 was not played: the session went from D2 16:00 to D\+30 09:00"):
        replay.at_time("D9 10:00")
    state = replay.at_time("D2 10:30")
    document = replay_state(state, None, at=ScenarioTime.parse("D2 10:30").seconds)
    assert document.scenario_time == "D2 10:30" and state.at < ScenarioTime.parse("D2 10:30").seconds
    with pytest.raises(KeyError, match="try 'scribe:RRWG'"):
        find_seat(replay.final, "RRWG")


def test_a_scribe_sees_no_request_about_an_inject_its_cell_never_received(runs: dict[str, Any]) -> None:
    from ttx.analysis.replay import find_seat, replay_state

    state, _ = runs["leaking"]  # XAR asks XBO about the RED T1-4, sent to XAR alone
    scribe = replay_state(state, find_seat(state, "scribe:DWG"))
    assert scribe.requests == []  # type: ignore[union-attr]
    # a request inherits the handling of the RED inject it cites: only a seat that may see T1-4 reads it
    assert replay_state(state, find_seat(state, "XBO")).requests == []  # type: ignore[union-attr]
    sender = replay_state(state, find_seat(state, "XAR"))
    assert [r.id for r in sender.requests or []] == ["RED-ASK"]  # type: ignore[union-attr]


def test_working_groups_hand_over_to_each_other() -> None:
    from ttx.analysis.replay import find_seat, replay_state
    from ttx.engine import commands as cmd
    from ttx.engine.controller import Controller
    from ttx.engine.ports import CommandStatus

    loaded = load_scenario(TIDE)
    store, clock = MemoryStore(), ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    controller = Controller(store, clock)
    controller.submit(cmd.Start())
    handover = cmd.SendRequest(
        id="HO-1", recipient="RRWG", request_kind="handover", text="Passengers to screen.", inject="T1-1"
    )
    assert controller.submit(handover, "scribe:DWG").status is CommandStatus.recorded
    refused = controller.submit(cmd.SendRequest(recipient="DWG", text="x", inject="T1-1"), "scribe:RRWG")
    assert refused.status is CommandStatus.rejected and "no inject T1-1 for cell RRWG" in refused.reason
    wrong = controller.submit(cmd.AnswerRequest(request="HO-1", text="no"), "delegation:XBO")
    assert wrong.status is CommandStatus.rejected
    answer = controller.submit(cmd.AnswerRequest(request="HO-1", text="Taken."), "scribe:RRWG")
    assert answer.status is CommandStatus.recorded and controller.state.requests["HO-1"].answer is not None
    records = list(store.events())
    state = fold(records)
    document = build_report(state, records)
    assert [(r.id, r.from_, r.to, r.between, r.handover) for r in document.coordination.requests] == [
        ("HO-1", "DWG", "RRWG", "cells", True)
    ]
    assert [(e.from_, e.to, e.between) for e in document.coordination.graph] == [("DWG", "RRWG", "cells")]
    # T1-1 exercises C1 and O1: their coverage rows count the handover that cites it
    c1 = next(c for c in document.coverage.capabilities if c.id == "C1")
    o1 = next(o for o in document.coverage.objectives if o.id == "O1")
    assert (c1.requests, c1.handovers, o1.requests, o1.handovers) == (1, 1, 1, 1)
    # both cells' scribes read it (it is addressed to RRWG, and cites a GREEN inject RRWG never received)
    for scribe in ("scribe:DWG", "scribe:RRWG"):
        assert [r.id for r in replay_state(state, find_seat(state, scribe)).requests or []] == ["HO-1"]  # type: ignore[union-attr]
    assert replay_state(state, find_seat(state, "scribe:TIPWG")).requests == []  # type: ignore[union-attr]


def test_by_may_name_only_receivers(tmp_path: Path) -> None:
    from ttx.loader.problems import ScenarioError

    folder = tmp_path / "bad"
    folder.mkdir()
    text = (TIDE / "scenario.yaml").read_text()
    (folder / "scenario.yaml").write_text(text.replace("by: [XAR]  ", "by: [RRWG]"))
    with pytest.raises(ScenarioError) as error:
        load_scenario(folder)
    assert "injects[T1-2].response.by[0]: 'RRWG' does not receive this inject" in str(error.value.problems[0])


def test_an_answer_given_during_a_pause_is_not_timed_as_instant() -> None:
    from ttx.engine import commands as cmd
    from ttx.engine.controller import Controller

    loaded = load_scenario(TIDE)
    store, clock = MemoryStore(), ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    controller = Controller(store, clock)
    controller.submit(cmd.Start())  # T1-1 released at D1 09:00
    controller.submit(cmd.Pause(reason="coffee"))
    clock.advance(1800)
    controller.submit(cmd.Respond(inject="T1-1", text="Agreed over coffee."), "delegation:XBO")
    controller.submit(cmd.Resume())
    clock.advance(1800)
    controller.step()
    controller.submit(cmd.Respond(inject="T1-1", text="DWG leads."), "delegation:XAR")
    records = list(store.events())
    document = build_report(fold(records), records)
    assert [(r.by, r.during_pause, r.minutes) for r in document.responses] == [
        ("XBO", True, None),
        ("XAR", False, 30.0),
    ]
    delegations = {d.id: d for d in document.participation.delegations}
    assert (delegations["XBO"].answered, delegations["XBO"].median_response_minutes) == (1, None)
