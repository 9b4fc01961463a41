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

from ..conftest import ROOT

MONSOON = ROOT / "scenarios/monsoon-drift"
SOUTHERN = ROOT / "scenarios/southern-crossing"


def ttx(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ttx", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=timeout
    )


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
    ("scenario", "script", "expected"),
    [
        (MONSOON, "rescue-and-screen", {"A1-5": "rescue", "A2-4": "screened", "A3-1": "frozen"}),
        (MONSOON, "escort-and-delay", {"A1-5": "escort", "A2-4": "irregular-entry", "A3-1": "delayed"}),
        (MONSOON, "hold-at-sea", {"A1-5": "hold", "A2-4": "screened", "A3-1": "frozen"}),
        (SOUTHERN, "screen-and-disembark", {"B1-4": "screen", "B2-2": "disembark"}),
        (SOUTHERN, "refuse-and-return", {"B1-4": "refuse", "B2-2": "return-after-sea-screening"}),
        (SOUTHERN, "monitor", {"B1-4": "monitor", "B2-2": "disembark"}),
    ],
)
def test_headless_runs_take_every_branch_across_scripts(
    tmp_path: Path, scenario: Path, script: str, expected: dict[str, str]
) -> None:
    session = tmp_path / "s.ttx"
    result = ttx(
        "run",
        scenario,
        "--session",
        session,
        "--headless",
        "--speed",
        "max",
        "--script",
        scenario / "scripts" / f"{script}.yaml",
    )
    assert result.returncode == 0, result.stderr
    assert "session: closed" in result.stdout and "day 4" in result.stdout
    for inject, option in expected.items():
        assert f"  {inject}: {option} " in result.stdout
    assert "script:" not in result.stdout, "every scripted step happened"
    verified = ttx("verify", session)
    assert verified.returncode == 0 and "verified" in verified.stdout
    assert len(releases(session)) == len(set(releases(session)))


def test_contingency_and_trigger_follow_the_script(tmp_path: Path) -> None:
    answered, silent = tmp_path / "a.ttx", tmp_path / "b.ttx"
    ttx(
        "run",
        MONSOON,
        "--session",
        answered,
        "--headless",
        "--speed",
        "max",
        "--script",
        MONSOON / "scripts/rescue-and-screen.yaml",
    )
    ttx(
        "run",
        MONSOON,
        "--session",
        silent,
        "--headless",
        "--speed",
        "max",
        "--script",
        MONSOON / "scripts/escort-and-delay.yaml",
    )
    assert "A1-2c" not in releases(answered) and "A1-3t" in releases(answered)
    assert "A1-2c" in releases(silent) and "A1-3t" not in releases(silent)


def test_rerunning_an_ended_session_prints_its_summary(tmp_path: Path) -> None:
    session = tmp_path / "s.ttx"
    ttx("run", SOUTHERN, "--session", session, "--headless", "--speed", "max")
    again = ttx("run", "--session", session, "--headless", "--speed", "max")
    assert again.returncode == 0
    assert "this session has already ended" in again.stdout and "session: closed" in again.stdout


def test_a_different_scenario_is_refused_for_an_existing_session(tmp_path: Path) -> None:
    session = tmp_path / "s.ttx"
    ttx("run", SOUTHERN, "--session", session, "--headless", "--speed", "max")
    refused = ttx("run", MONSOON, "--session", session, "--headless")
    assert refused.returncode == 2 and "created from a different version" in refused.stderr


def test_kill_9_mid_run_then_resume_ends_like_an_uninterrupted_run(tmp_path: Path) -> None:
    script = MONSOON / "scripts/escort-and-delay.yaml"
    reference = tmp_path / "reference.ttx"
    assert (
        ttx("run", MONSOON, "--session", reference, "--headless", "--speed", "max", "--script", script).returncode == 0
    )

    session = tmp_path / "killed.ttx"
    command = [
        sys.executable,
        "-m",
        "ttx",
        "run",
        str(MONSOON),
        "--session",
        str(session),
        "--headless",
        "--speed",
        "40000",
        "--script",
        str(script),
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(releases(session) if session.exists() else []) < 8:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = len(releases(session))
    assert 8 <= killed_at < len(releases(reference)), "the kill must land mid-run"

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
        [sys.executable, "-m", "ttx", "run", str(MONSOON), "--session", str(live), "--speed", "1"],
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
            ttx("submit", live, "--seat", facilitator, "--json", '{"kind": "release", "inject": "A1-3"}').returncode
            == 0
        )
        delegations = [
            *[code for seat, code in seats.items() if seat.startswith("delegation:")][:19],
            seats["scribe:TFPP"],
        ]
        worker = (
            "import sys, contextlib, io\n"
            "from ttx.cli import main\n"
            "session, code, index = sys.argv[1], sys.argv[2], sys.argv[3]\n"
            "extra = ['--participant', 'THA'] if index == '19' else []\n"
            "codes = []\n"
            "for n in range(50):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        codes.append(main(['submit', session, '--seat', code, '--inject', 'A1-3', '--text', f'p{index} r{n}', *extra]))\n"
            "print(codes.count(0))\n"
        )
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", worker, str(live), code, str(index)], cwd=ROOT, stdout=subprocess.PIPE, text=True
            )
            for index, code in enumerate(delegations)
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
    texts = [r.text for r in state.responses["A1-3"]]
    assert len(texts) == 1000 and len(set(texts)) == 1000, "every response recorded exactly once"


def test_submit_without_a_controller_is_queued_then_processed(tmp_path: Path) -> None:
    from ttx.engine.clock import SystemClock
    from ttx.engine.creation import create_session
    from ttx.loader.load import load_scenario

    store_path = tmp_path / "ready.ttx"
    loaded = load_scenario(SOUTHERN)
    store = SqliteStore(store_path, create=True)
    seats = {s.seat: s.code for s in create_session(store, loaded.scenario, loaded.digest, SystemClock())}
    store.close()
    queued = ttx("submit", store_path, "--seat", seats["delegation:THA"], "--inject", "B1-1", "--text", "early")
    assert queued.returncode == 3 and "no controller is running" in queued.stdout
    bad_code = ttx("submit", store_path, "--seat", "NOPE99", "--inject", "B1-1", "--text", "x")
    assert bad_code.returncode == 2 and "no seat has the code" in bad_code.stderr
    run = ttx("run", "--session", store_path, "--headless", "--speed", "max")
    assert run.returncode == 0
    log = ttx("log", store_path).stdout
    assert "command_rejected" in log and "inject B1-1 has not been released" in log


def test_status_json_reports_where_the_session_is(tmp_path: Path) -> None:
    session = tmp_path / "s.ttx"
    ttx(
        "run",
        MONSOON,
        "--session",
        session,
        "--headless",
        "--speed",
        "max",
        "--script",
        MONSOON / "scripts/escort-and-delay.yaml",
    )
    data = json.loads(ttx("status", session, "--json").stdout)
    assert data["lifecycle"] == "closed" and data["phase"] == "epilogue" and data["day"] == 4
    assert data["scenario_time"].startswith("D+90")
    assert data["decisions"] == {"A1-5": "escort", "A2-4": "irregular-entry", "A3-1": "delayed"}
    assert data["tlp"] == "TLP:AMBER"
    exported = tmp_path / "log.jsonl"
    assert ttx("log", session, "--format", "jsonl", "-o", exported).returncode == 0
    assert ttx("verify", exported).returncode == 0
    lines = exported.read_text().splitlines()
    lines[5] = lines[5].replace('"at":', '"at":1', 1)
    exported.write_text("\n".join(lines) + "\n")
    tampered = ttx("verify", exported)
    assert tampered.returncode == 1 and "NOT VERIFIED: event 6" in tampered.stdout
