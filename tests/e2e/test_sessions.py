"""Sessions as real processes: headless runs, resume after kill -9, concurrent submits, verification."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ttx.engine.state import fold
from ttx.store.sqlite import SqliteStore

from ..helpers import FERRY, FERRY_SCRIPTS, HARBOUR, ROOT, headless, ttx


def outcome(path: Path) -> dict[str, object]:
    """What a session ended with, independent of wall times and checkpoints."""
    store = SqliteStore(path)
    state = fold(store.events())
    store.close()
    return {
        "lifecycle": state.lifecycle.value,
        "released": sorted(state.released),
        "decisions": {k: (v.option, v.default) for k, v in state.decisions.items()},
        "branches": sorted((b.inject, b.option or "", b.trigger or 0) for _, b in state.branches),
        "responses": sorted((r.inject, r.participant, r.text) for v in state.responses.values() for r in v),
        "requests": sorted((k, r.answer is not None) for k, r in state.requests.items()),
        "observations": len(state.observations),
        "phases": [p.phase for p in state.phase_log],
    }


def seats_of(path: Path) -> list[object]:
    """The seats of a session (none while it is still being created)."""
    store = SqliteStore(path)
    try:
        return list(store.seats())
    finally:
        store.close()


def releases(path: Path) -> list[str]:
    """Inject ids in release order (empty while the session file is still being created)."""
    db = sqlite3.connect(path)
    try:
        rows = [
            json.loads(p)["inject"] for (p,) in db.execute("SELECT payload FROM events WHERE type='inject_released'")
        ]
    except sqlite3.OperationalError:
        rows = []
    finally:
        db.close()
    return rows


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("board-and-freeze", {"N1-4": "board (XAR)", "N2-3": "freeze (XBO)"}),
        ("follow-and-monitor", {"N1-4": "follow (XBO)", "N2-3": "monitor (XAR)"}),
        (None, {"N1-4": "board (default)", "N2-3": "freeze (default)"}),
    ],
)
def test_headless_runs_take_every_branch_across_scripts(
    tmp_path: Path, script: str | None, expected: dict[str, str]
) -> None:
    session = tmp_path / "s.ttx"
    result = headless(FERRY, session, script)
    assert result.returncode == 0, result.stderr
    assert "session: closed" in result.stdout and "day 2" in result.stdout
    assert "phases: crossing → landing → aftermath" in result.stdout
    for inject, decision in expected.items():
        assert f"  {inject}: {decision}" in result.stdout
    assert "script:" not in result.stdout, "every scripted step happened"
    verified = ttx("verify", session)
    assert verified.returncode == 0 and "verified" in verified.stdout
    assert len(releases(session)) == len(set(releases(session)))


def test_contingency_and_trigger_follow_the_script(tmp_path: Path) -> None:
    answered, silent = tmp_path / "a.ttx", tmp_path / "b.ttx"
    headless(FERRY, answered, "board-and-freeze")
    headless(FERRY, silent, "follow-and-monitor")
    assert "N1-2c" not in releases(answered) and "N1-3t" in releases(answered)
    assert "N1-2c" in releases(silent) and "N1-3t" not in releases(silent)


def test_rerunning_an_ended_session_prints_its_summary(tmp_path: Path) -> None:
    session = tmp_path / "s.ttx"
    headless(FERRY, session)
    again = ttx("run", "--session", session, "--headless", "--speed", "max")
    assert again.returncode == 0
    assert "this session has already ended" in again.stdout and "session: closed" in again.stdout


def test_a_different_scenario_is_refused_for_an_existing_session(tmp_path: Path) -> None:
    session = tmp_path / "s.ttx"
    headless(FERRY, session)
    refused = ttx("run", HARBOUR, "--session", session, "--headless")
    assert refused.returncode == 2 and "created from a different version" in refused.stderr


def test_kill_9_mid_run_then_resume_ends_like_an_uninterrupted_run(tmp_path: Path) -> None:
    script = FERRY_SCRIPTS / "follow-and-monitor.yaml"
    reference = tmp_path / "reference.ttx"
    assert headless(FERRY, reference, "follow-and-monitor").returncode == 0

    session = tmp_path / "killed.ttx"
    command = [
        sys.executable,
        "-m",
        "ttx",
        "run",
        str(FERRY),
        "--session",
        str(session),
        "--headless",
        "--speed",
        "40000",  # about 11 scenario hours a second: the run lasts a few seconds
        "--script",
        str(script),
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(releases(session) if session.exists() else []) < 4:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = len(releases(session))
    assert 4 <= killed_at < len(releases(reference)), "the kill must land mid-run"

    resumed = ttx("run", "--session", session, "--headless", "--speed", "max", "--script", script)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming at" in resumed.stdout
    assert ttx("verify", session).returncode == 0
    assert len(releases(session)) == len(set(releases(session))), "no inject released twice"
    assert outcome(session) == outcome(reference)


def test_twenty_processes_submitting_fifty_responses_each(tmp_path: Path) -> None:
    live = tmp_path / "live.ttx"
    feed = (tmp_path / "feed.txt").open("w")
    controller = subprocess.Popen(
        [sys.executable, "-m", "ttx", "run", str(FERRY), "--session", str(live), "--speed", "1"],
        cwd=ROOT,
        stdout=feed,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (live.exists() and seats_of(live)):
            time.sleep(0.1)
        store = SqliteStore(live)
        seats = {s.seat: s.code for s in store.seats()}
        store.close()
        facilitator = seats["facilitator"]
        assert ttx("submit", live, "--seat", facilitator, "--json", '{"kind": "start"}').returncode == 0
        assert (
            ttx("submit", live, "--seat", facilitator, "--json", '{"kind": "release", "inject": "N1-3"}').returncode
            == 0
        )
        # N1-3 goes to all: five delegation seats share nineteen processes, the DWG scribe records for XAR
        delegation_codes = [code for seat, code in seats.items() if seat.startswith("delegation:")]
        codes = [*(delegation_codes[index % len(delegation_codes)] for index in range(19)), seats["scribe:DWG"]]
        worker = (
            "import sys, contextlib, io\n"
            "from ttx.cli import main\n"
            "session, code, index = sys.argv[1], sys.argv[2], sys.argv[3]\n"
            "extra = ['--participant', 'XAR'] if index == '19' else []\n"
            "codes = []\n"
            "for n in range(50):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        codes.append(main(['submit', session, '--seat', code, '--inject', 'N1-3', '--text', f'p{index} r{n}', *extra]))\n"
            "print(codes.count(0))\n"
        )
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", worker, str(live), code, str(index)], cwd=ROOT, stdout=subprocess.PIPE, text=True
            )
            for index, code in enumerate(codes)
        ]
        recorded = [int(w.communicate(timeout=600)[0].strip()) for w in workers]
        assert recorded == [50] * 20
    finally:
        controller.send_signal(signal.SIGINT)
        controller.wait(timeout=30)
        feed.close()
    assert ttx("verify", live).returncode == 0
    store = SqliteStore(live)
    state = fold(store.events())
    store.close()
    texts = [r.text for r in state.responses["N1-3"]]
    assert len(texts) == 1000 and len(set(texts)) == 1000, "every response recorded exactly once"
    assert {r.seat for r in state.responses["N1-3"]} == {
        f"delegation:{p}" for p in ("XAR", "XBO", "XCA", "XDU", "RMO")
    } | {"scribe:DWG"}


def test_submit_without_a_controller_is_queued_then_processed(tmp_path: Path) -> None:
    from ttx.engine.clock import SystemClock
    from ttx.engine.creation import create_session
    from ttx.loader.load import load_scenario

    store_path = tmp_path / "ready.ttx"
    loaded = load_scenario(FERRY)
    store = SqliteStore(store_path, create=True)
    seats = {s.seat: s.code for s in create_session(store, loaded.scenario, loaded.digest, SystemClock())}
    store.close()
    queued = ttx("submit", store_path, "--seat", seats["delegation:XAR"], "--inject", "N1-1", "--text", "early")
    assert queued.returncode == 3 and "no controller is running" in queued.stdout
    bad_code = ttx("submit", store_path, "--seat", "NOPE99", "--inject", "N1-1", "--text", "x")
    assert bad_code.returncode == 2 and "no seat has the code" in bad_code.stderr
    run = ttx("run", "--session", store_path, "--headless", "--speed", "max")
    assert run.returncode == 0
    log = ttx("log", store_path).stdout
    assert "command_rejected" in log and "no inject N1-1 for XAR" in log  # queued before N1-1 was released


def test_status_json_reports_where_the_session_is(tmp_path: Path) -> None:
    session = tmp_path / "s.ttx"
    headless(FERRY, session, "follow-and-monitor")
    data = json.loads(ttx("status", session, "--json").stdout)
    assert data["lifecycle"] == "closed" and data["phase"] == "aftermath" and data["day"] == 2
    assert data["scenario_time"].startswith("D+30")
    assert data["decisions"] == {"N1-4": "follow", "N2-3": "monitor"}
    assert data["tlp"] == "TLP:AMBER"
    exported = tmp_path / "log.jsonl"
    assert ttx("log", session, "--format", "jsonl", "-o", exported).returncode == 0
    assert ttx("verify", exported).returncode == 0
    lines = exported.read_text().splitlines()
    lines[5] = lines[5].replace('"at":', '"at":1', 1)
    exported.write_text("\n".join(lines) + "\n")
    tampered = ttx("verify", exported)
    assert tampered.returncode == 1 and "NOT VERIFIED: event 6" in tampered.stdout
