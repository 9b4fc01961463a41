"""Reports and replays of scripted headless runs: exact figures, need-to-know, integrity, replay states."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ttx.analysis.gaps import Options, build_report, theme_of
from ttx.analysis.logfile import UnverifiedLog, open_log
from ttx.analysis.replay import Replay, find_seat, replay_state
from ttx.engine import commands as cmd
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.state import fold
from ttx.loader.load import load_scenario
from ttx.store.memory import MemoryStore

from ..helpers import FERRY, headless, ttx


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Scripted headless runs of NIGHT FERRY, one down each path."""
    folder = tmp_path_factory.mktemp("runs")
    paths = {}
    for name, script in {"board": "board-and-freeze", "follow": "follow-and-monitor"}.items():
        path = folder / f"{name}.ttx"
        result = headless(FERRY, path, script)
        assert result.returncode == 0, result.stderr
        paths[name] = path
    return paths


def report_of(path: Path, *extra: str) -> dict[str, Any]:
    result = ttx("report", path, "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_board_report_has_the_exact_figures_of_the_scripted_run(sessions: dict[str, Path]) -> None:
    report = report_of(sessions["board"])
    assert report["schema"] == "ttx-report/1" and report["tlp"] == "TLP:AMBER"
    session = report["session"]
    assert (session["lifecycle"], session["injects_released"], session["responses"], session["observations"]) == (
        "closed",
        10,  # 12 released, less the TLP:RED N2-5 and the AMBER+STRICT N2-2 (above the exercise's AMBER)
        5,
        1,
    )
    assert [(p["inject"], p["option"], p["by"], p["default"]) for p in report["decisions"]["path"]] == [
        ("N1-4", "board", "XAR", False),
        ("N2-3", "freeze", "XBO", False),
    ]
    untaken = {(u["inject"], u["option"]) for u in report["decisions"]["untaken"]}
    assert untaken == {("N1-4", "follow"), ("N2-3", "monitor")}
    assert sorted(report["decisions"]["branch_injects_never_played"]) == ["N1-2c", "N2-1b", "N2-4m"]
    delegations = {d["id"]: d for d in report["participation"]["delegations"]}
    assert (delegations["XBO"]["responses"], delegations["XBO"]["median_response_minutes"]) == (2, 0.0)
    assert delegations["RMO"]["responses"] == 0 and delegations["RMO"]["received"] == 8
    assert report["coordination"]["requests"] == [], "MLA-1 cites the AMBER+STRICT N2-2: withheld"
    assert report_of(sessions["board"], "--include-restricted")["coordination"]["requests"] == [
        {
            "id": "MLA-1",
            "from": "XBO",
            "to": "XAR",
            "kind": "mutual legal assistance",
            "answered": True,
            "minutes_to_answer": 60.0,
            "between": "delegations",
            "handover": False,
            "tlp": "TLP:AMBER+STRICT",
        }
    ]
    c1 = next(c for c in report["coverage"]["capabilities"] if c["id"] == "C1")
    assert c1["rating"] == "S" and next(t for t in c1["tasks"] if t["id"] == "C1.2")["ratings"]["S"] == 1
    register = report["gaps"]["register"]
    assert [(g["source"], g["by"], g["inject"], g["theme"]) for g in register] == [
        ("participant", "XCA", "N2-1a", "capacity and resources")
    ]
    assert (
        report["improvement_plan"][0]["issue"] == "No agreed interpreter pool."
        and report["improvement_plan"][0]["status"] == "open"
    )
    # N1-4 went to DWG and PWG and needs one answer per cell (the default): only DWG answered (XAR)
    assert {u["inject"] for u in report["silence"]["unanswered_required"]} == {"N1-4", "N3-1"}
    assert report["strengths"][0]["observation"] == "(evaluator note withheld)"


def test_follow_report_figures(sessions: dict[str, Path]) -> None:
    report = report_of(sessions["follow"])
    assert report["session"]["injects_released"] == 11  # less the AMBER+STRICT N2-2
    assert {p["inject"]: p["option"] for p in report["decisions"]["path"]} == {"N1-4": "follow", "N2-3": "monitor"}
    assert sorted(report["decisions"]["branch_injects_never_played"]) == ["N1-3t", "N2-1a"]
    assert report["coordination"]["requests"] == []
    assert {(u["inject"], u["deadline"]) for u in report["silence"]["unanswered_required"]} == {
        ("N1-2", "D1 12:00"),
        ("N1-4", None),
        ("N3-1", None),
    }
    assert {o["id"] for o in report["coverage"]["objectives"]} == {"O1", "O2", "O3"}


def test_restricted_material_and_attribution(sessions: dict[str, Path]) -> None:
    withheld = report_of(sessions["board"])
    full = report_of(sessions["board"], "--include-restricted")
    assert full["restricted_included"] and full["strengths"][0]["observation"].startswith("Boarding decided late")
    assert "Boarding decided late" not in json.dumps(withheld)
    assert "N2-5" not in json.dumps(withheld) and "N2-5" in json.dumps(full), "the TLP:RED inject"
    chatham = report_of(sessions["board"], "--chatham-house")
    text = json.dumps(chatham["participation"]) + json.dumps(chatham["decisions"]) + json.dumps(chatham["gaps"])
    assert "XAR" not in text and "Arvenia" not in text and "a delegation in DWG" in text


def test_red_injects_stay_out_of_reports_unless_asked(tmp_path: Path) -> None:
    loaded = load_scenario(FERRY)
    store, clock = MemoryStore(), ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    controller = Controller(store, clock)
    controller.submit(cmd.Start())
    controller.submit(cmd.Adhoc(id="SOURCE-X", to=["XAR"], tlp="RED", title="Named informant in the port authority"))
    controller.submit(
        cmd.Respond(inject="SOURCE-X", text="Protect the source", gaps="no secure channel"), "delegation:XAR"
    )
    records = list(store.events())
    state = fold(records)
    hidden = build_report(state, records).to_json()
    shown = build_report(state, records, Options(include_restricted=True)).to_json()
    assert "SOURCE-X" not in hidden and "Named informant" not in hidden and "no secure channel" not in hidden
    assert "SOURCE-X" in shown


def test_every_format_renders(sessions: dict[str, Path], tmp_path: Path) -> None:
    markdown = ttx("report", sessions["board"]).stdout
    assert markdown.startswith("**EXERCISE — TLP:AMBER**") and "## Improvement plan" in markdown
    html = tmp_path / "r.html"
    assert ttx("report", sessions["board"], "--format", "html", "-o", html).returncode == 0
    page = html.read_text()
    assert page.count("<svg") == 3 and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    archive = tmp_path / "r.zip"
    assert ttx("report", sessions["board"], "--format", "csv", "-o", archive).returncode == 0
    with zipfile.ZipFile(archive) as bundle:
        assert {"objectives.csv", "capabilities.csv", "participation.csv", "improvement_plan.csv"} <= set(
            bundle.namelist()
        )
        assert bundle.read("decisions.csv").decode().splitlines()[1] == "N1-4,board,XAR,,TLP:AMBER"
    assert ttx("report", sessions["board"], "--format", "csv").returncode == 2


def test_compare_two_sessions(sessions: dict[str, Path]) -> None:
    result = ttx("report", sessions["board"], sessions["follow"], "--compare", "--format", "json")
    comparison = json.loads(result.stdout)
    first, second = comparison["sessions"]
    assert first["decisions"]["N1-4"] == "board" and second["decisions"]["N1-4"] == "follow"
    assert (first["responses"], second["responses"]) == (5, 2)
    assert "| injects released | 10 | 11 |" in ttx("report", sessions["board"], sessions["follow"], "--compare").stdout
    assert ttx("report", sessions["board"], sessions["follow"]).returncode == 2


def test_exported_jsonl_alone_gives_the_same_report(sessions: dict[str, Path], tmp_path: Path) -> None:
    exported = tmp_path / "log.jsonl"
    assert ttx("log", sessions["board"], "--format", "jsonl", "-o", exported).returncode == 0
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.copy(exported, moved / "log.jsonl")
    assert report_of(moved / "log.jsonl") == report_of(sessions["board"])


def test_tampered_logs_are_refused_unless_forced(sessions: dict[str, Path], tmp_path: Path) -> None:
    copy = tmp_path / "tampered.ttx"
    shutil.copy(sessions["board"], copy)
    db = sqlite3.connect(copy)
    db.execute("UPDATE events SET payload = replace(payload, 'board', 'follow') WHERE type = 'decision_taken'")
    db.commit()
    db.close()
    refused = ttx("report", copy)
    assert refused.returncode == 2 and "does not verify" in refused.stderr
    with pytest.raises(UnverifiedLog):
        open_log(copy)
    forced = report_of(copy, "--force")
    assert forced["warning"].startswith("UNVERIFIED LOG")
    assert "UNVERIFIED LOG" in ttx("report", copy, "--force", "--format", "html").stdout
    assert "UNVERIFIED LOG" in ttx("replay", copy, "--force", "--at", "D2 10:00", "--json").stdout


def test_replay_at_matches_the_live_state_at_the_same_points() -> None:
    loaded = load_scenario(FERRY)
    store, clock = MemoryStore(), ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    controller = Controller(store, clock)
    controller.submit(cmd.Start())
    live: dict[int, dict[str, Any]] = {}
    for hour in range(1, 30):
        clock.advance(3600)
        controller.step()
        if hour % 4 == 0:
            controller.submit(cmd.Respond(inject="N1-3", text=f"hour {hour}"), "delegation:XDU")
            live[controller.state.seq] = controller.state.summary()
    replay = Replay(list(store.events()), every=7)
    for seq, summary in live.items():
        assert replay.at_seq(seq).summary() == summary
    assert replay.at_seq(len(replay.records)).summary() == controller.state.summary()


def test_replay_at_a_time_with_a_seat_view(sessions: dict[str, Path]) -> None:
    result = ttx("replay", sessions["board"], "--at", "D2 10:00", "--json", "--as", "XCA")
    document = json.loads(result.stdout)
    assert document["view"] == "delegation:XCA" and document["scenario_time"] == "D2 10:00"
    # newest first; not N1-1 and N1-2c (DWG only), nor N2-2 (AMBER+STRICT to XAR and XBO, released at D2 10:00)
    assert [i["id"] for i in document["injects"]] == ["N2-1a", "N1-4", "N1-5", "N1-3t", "N1-3", "N1-2"]
    facilitator = json.loads(ttx("replay", sessions["board"], "--at", "D1 17:00", "--json").stdout)
    assert (
        facilitator["view"] == "facilitator"
        and "N1-4" in facilitator["injects"]
        and "N2-1a" not in facilitator["injects"]
    )
    log = open_log(sessions["board"])
    replay = Replay(log.records)
    assert replay_state(replay.at_time("D2 13:00"), find_seat(replay.final, "evaluator:1")).view == "evaluator:1"
    assert ttx("replay", sessions["board"], "--at", "D2 25:00", "--json").returncode == 2
    assert ttx("replay", sessions["board"], "--at", "D2 10:00", "--as", "XYZ").returncode == 2


def test_gap_themes() -> None:
    assert theme_of("No agreed interpreter pool.") == "capacity and resources"
    assert theme_of("Who shares the name list?") == "information sharing"
    assert theme_of("Weather") == "other"
