"""The SQLite session store: hash chain, verification of tampering, JSONL export, commands, seats."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ttx.engine import commands as cmd
from ttx.engine.chain import verify_rows
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.ports import CommandStatus, StoreError
from ttx.loader.load import load_scenario
from ttx.store.jsonl import export_lines, jsonl_rows
from ttx.store.sqlite import SqliteStore

from ..helpers import FERRY


@pytest.fixture
def played(tmp_path: Path) -> Path:
    """A session file of NIGHT FERRY played for twelve scenario hours."""
    path = tmp_path / "s.ttx"
    loaded = load_scenario(FERRY)
    store = SqliteStore(path, create=True)
    clock = ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    controller = Controller(store, clock)
    controller.submit(cmd.Start())
    for _ in range(12):
        clock.advance(3600)
        controller.step()
    store.close()
    return path


def test_session_file_verifies_and_is_private(played: Path) -> None:
    store = SqliteStore(played)
    verdict = verify_rows(store.raw_rows())
    assert verdict.ok and verdict.count == store.head()[0] and verdict.head == store.head()[1]
    assert played.stat().st_mode & 0o077 == 0, "session files hold join codes: owner-only"
    store.close()


def tamper(path: Path, sql: str) -> None:
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        (
            "UPDATE events SET payload = replace(payload, 'N1-2', 'N1-3') WHERE seq = 6",
            "event 6 (inject_released) was altered",
        ),
        ("UPDATE events SET at = at + 60 WHERE seq = 4", "event 4 (phase_entered) was altered"),
        ("DELETE FROM events WHERE seq = 6", "has sequence 7, expected 6: events removed"),
        ("UPDATE events SET actor = 'delegation:THA' WHERE seq = 2", "event 2 (exercise_started) was altered"),
    ],
)
def test_verify_names_the_first_bad_event(played: Path, sql: str, problem: str) -> None:
    tamper(played, sql)
    store = SqliteStore(played)
    verdict = verify_rows(store.raw_rows())
    store.close()
    assert not verdict.ok and problem in verdict.problem


def test_reordered_events_are_detected(played: Path) -> None:
    store = SqliteStore(played)
    rows = list(store.raw_rows())
    store.close()
    rows[4], rows[5] = rows[5], rows[4]
    verdict = verify_rows(rows)
    assert not verdict.ok and verdict.bad_seq == 6


def test_jsonl_export_verifies_and_detects_a_changed_byte(played: Path, tmp_path: Path) -> None:
    store = SqliteStore(played)
    lines = list(export_lines(store.raw_rows()))
    store.close()
    exported = tmp_path / "log.jsonl"
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert verify_rows(jsonl_rows(exported)).ok
    first_release = next(i for i, line in enumerate(lines) if '"inject_released"' in line)
    item = json.loads(lines[first_release])
    item["event"]["inject"] = item["event"]["inject"] + "x"
    lines[first_release] = json.dumps(item)
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    verdict = verify_rows(jsonl_rows(exported))
    assert not verdict.ok and f"event {item['seq']} (inject_released) was altered" in verdict.problem


def test_commands_queue_and_outcomes_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "q.ttx"
    loaded = load_scenario(FERRY)
    store = SqliteStore(path, create=True)
    create_session(store, loaded.scenario, loaded.digest, ManualClock())
    command_id = store.enqueue("facilitator", cmd.Start())
    store.close()
    reopened = SqliteStore(path)
    assert [q.id for q in reopened.queued()] == [command_id]
    controller = Controller(reopened, ManualClock())
    controller.process_commands()
    outcome = reopened.outcome(command_id)
    assert outcome is not None and outcome.status is CommandStatus.recorded and outcome.seq == 2
    assert reopened.queued() == []
    reopened.close()


def test_only_one_controller_per_session(played: Path) -> None:
    first, second = SqliteStore(played), SqliteStore(played)
    assert first.acquire_writer()
    assert not second.acquire_writer()
    first.close()
    assert second.acquire_writer()
    second.close()


def test_not_a_session_file_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ttx"
    junk.write_text("hello")
    with pytest.raises(StoreError, match="not a ttx session"):
        SqliteStore(junk)
    with pytest.raises(StoreError, match="no such session file"):
        SqliteStore(tmp_path / "missing.ttx")


def test_seat_codes_are_unique_and_case_insensitive(played: Path) -> None:
    store = SqliteStore(played)
    seats = store.seats()
    assert len({s.code for s in seats}) == len(seats)
    assert {s.seat for s in seats} >= {"facilitator", "delegation:XAR", "scribe:PWG", "evaluator:1"}
    found = store.seat_by_code(seats[3].code.lower())
    assert found is not None and found.seat == seats[3].seat
    store.close()
