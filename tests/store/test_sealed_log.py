"""The sealed log: sealed or open, the noted head, what the hash covers, refusing an altered log, foreign files.

Sessions of HARBOUR WATCH (tests/data) are played in process with a manual clock; the `ttx` commands run as
real processes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ttx.engine import commands as cmd
from ttx.engine.chain import MIN_HEAD_PREFIX, Verdict, event_hash, verify_rows
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.events import LogSealed, NoteAdded, event_json, wall_text
from ttx.loader.load import load_scenario
from ttx.store.sqlite import SqliteStore

from ..helpers import HARBOUR, ttx

HOUR = 3600


def play(path: Path, *, end: bool) -> None:
    """A HARBOUR WATCH session: a day and a half of play, a decision, a request; closed when ``end``."""
    loaded = load_scenario(HARBOUR)
    store = SqliteStore(path, create=True)
    clock = ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    controller = Controller(store, clock)
    controller.submit(cmd.Start())
    clock.advance(HOUR)
    controller.step()
    controller.submit(cmd.Respond(inject="H1-2", decision="disembark", text="Land them"), "delegation:XAR")
    controller.submit(cmd.SendRequest(recipient="XCA", text="Screening?"), "delegation:XBO")
    controller.submit(cmd.Note(text="good start"))
    for _ in range(26):
        clock.advance(HOUR)
        controller.step()
    if end:
        controller.submit(cmd.HotWash())
        controller.submit(cmd.End())
    store.close()


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sealed")
    closed, running = folder / "closed.ttx", folder / "open.ttx"
    play(closed, end=True)
    play(running, end=False)
    return {"closed": closed, "open": running}


@pytest.fixture
def closed(templates: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of a closed (sealed) session file."""
    return Path(shutil.copy(templates["closed"], tmp_path / "closed.ttx"))


@pytest.fixture
def running(templates: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of a session file whose exercise is still under way (its log is open)."""
    return Path(shutil.copy(templates["open"], tmp_path / "open.ttx"))


def verdict_of(path: Path) -> Verdict:
    store = SqliteStore(path, read_only=True)
    try:
        return verify_rows(store.raw_rows())
    finally:
        store.close()


def sql(path: Path, statement: str, *args: object) -> None:
    db = sqlite3.connect(path)
    db.execute(statement, args)
    db.commit()
    db.close()


def row_count(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        db.close()


def rows_of(path: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return list(db.execute("SELECT * FROM events ORDER BY seq"))
    finally:
        db.close()


def clean(result: object) -> tuple[int, str]:
    """Exit code and everything printed; never a traceback."""
    code, out, err = result.returncode, result.stdout, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in err, err
    return code, out + err


# ---------------------------------------------------------------------- sealed or open
def test_a_closed_session_is_sealed_and_a_cut_one_is_open(closed: Path) -> None:
    verdict = verdict_of(closed)
    assert verdict.ok and verdict.sealed and verdict.state_text == "sealed"
    rows = rows_of(closed)
    assert rows[-1][4] == "log_sealed"
    count = len(rows)
    sql(closed, "DELETE FROM events WHERE seq > ?", count - 10)
    cut = verdict_of(closed)
    assert cut.ok, "a cut log is still a valid prefix of the chain ..."
    assert not cut.sealed and cut.state_text == "open (not sealed)", "... but it is no longer sealed"
    assert cut.count == count - 10 and cut.head != verdict.head


def test_ends_at_takes_the_full_head_or_a_long_enough_prefix(closed: Path) -> None:
    verdict = verdict_of(closed)
    head = verdict.head
    assert len(head) == 64
    assert verdict.ends_at(head)
    assert verdict.ends_at(head.upper())
    assert verdict.ends_at(f"  {head[:MIN_HEAD_PREFIX]}\n")
    assert verdict.ends_at(head[:40])
    assert MIN_HEAD_PREFIX == 16
    assert not verdict.ends_at(head[:15]), "too short a prefix proves nothing"
    assert not verdict.ends_at("")
    wrong = ("0" if head[0] != "0" else "1") + head[1:]
    assert not verdict.ends_at(wrong)
    assert not verdict.ends_at(wrong[:16])
    assert not verdict.ends_at(head + "0")


def test_the_hash_covers_the_type_column(closed: Path) -> None:
    rows = rows_of(closed)
    seq = next(row[0] for row in rows if row[4] == "note_added")
    sql(closed, "UPDATE events SET type = 'command_rejected' WHERE seq = ?", seq)
    verdict = verdict_of(closed)
    assert not verdict.ok and verdict.bad_seq == seq
    assert f"event {seq} " in verdict.problem and "altered" in verdict.problem


def test_an_event_chained_after_the_seal_fails_verification(closed: Path) -> None:
    seq, _, at, _, _, _, _, head = rows_of(closed)[-1]
    wall = wall_text(ManualClock().wall())
    payload = event_json(NoteAdded(text="added after the exercise"))
    digest = event_hash(str(head), int(seq) + 1, wall, int(at), "facilitator", "note_added", payload)
    sql(
        closed,
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        int(seq) + 1,
        wall,
        at,
        "facilitator",
        "note_added",
        payload,
        head,
        digest,
    )
    verdict = verdict_of(closed)
    assert not verdict.ok and verdict.bad_seq == int(seq) + 1
    assert "follows the seal" in verdict.problem
    code, output = clean(ttx("verify", closed))
    assert code == 1 and "follows the seal" in output


# ---------------------------------------------------------------------- ttx verify --head
def test_verify_head_on_the_command_line(closed: Path, tmp_path: Path) -> None:
    head = verdict_of(closed).head
    code, output = clean(ttx("verify", closed, "--head", head))
    assert code == 0, output
    assert "sealed" in output and head in output
    code, output = clean(ttx("verify", closed, "--head", head[:16]))
    assert code == 0, output
    wrong = ("f" if head[0] != "f" else "e") + head[1:]
    code, output = clean(ttx("verify", closed, "--head", wrong))
    assert code == 1 and "does not end at the head" in output
    code, output = clean(ttx("verify", closed, "--head", head[:15]))
    assert code == 2 and "at least 16" in output
    code, output = clean(ttx("verify", closed, "--head", "zz" * 32))
    assert code == 2

    exported = tmp_path / "log.jsonl"
    assert clean(ttx("log", closed, "--format", "jsonl", "-o", exported))[0] == 0
    assert exported.stat().st_mode & 0o777 == 0o600
    code, output = clean(ttx("verify", exported, "--head", head))
    assert code == 0, output

    count = row_count(closed)
    sql(closed, "DELETE FROM events WHERE seq > ?", count - 10)  # cut short after the exercise
    code, output = clean(ttx("verify", closed))
    assert code == 0 and "open (not sealed)" in output, "on its own, a cut log still verifies ..."
    code, output = clean(ttx("verify", closed, "--head", head))
    assert code == 1 and "NOT VERIFIED" in output, "... the noted head is what catches it"


# ---------------------------------------------------------------------- resuming an altered log
def test_run_refuses_an_altered_log_and_force_resumes_it_on_record(running: Path) -> None:
    sql(running, "UPDATE events SET at = at + 60 WHERE seq = 5")
    before = rows_of(running)

    code, output = clean(ttx("run", "--session", running, "--headless", "--speed", "max"))
    assert code == 2
    assert "does not verify" in output and "event 5" in output and "--force" in output
    assert rows_of(running) == before, "nothing was appended"

    code, output = clean(ttx("run", "--session", running, "--headless", "--speed", "max", "--force"))
    assert code == 0, output
    assert "resumed a log that does not verify" in output
    rows = rows_of(running)
    assert rows[: len(before)] == before
    resumed = [row for row in rows if row[4] == "resumed_unverified"]
    assert len(resumed) == 1 and resumed[0][0] == len(before) + 1
    assert "event 5" in json.loads(str(resumed[0][5]))["problem"]
    assert rows[-1][4] == "log_sealed", "the forced run played on to the end"
    code, output = clean(ttx("verify", running))
    assert code == 1 and "event 5" in output  # the altered event is still named
    code, output = clean(ttx("report", running, "--force", "--format", "md"))
    assert code == 0 and "resumed unverified" in output


def test_force_on_a_sealed_altered_log_appends_nothing_after_the_seal(closed: Path) -> None:
    sql(closed, "UPDATE events SET actor = 'delegation:XCA' WHERE seq = 3")
    before = rows_of(closed)
    code, output = clean(ttx("run", "--session", closed, "--headless", "--speed", "max", "--force"))
    assert code == 0, output
    rows = rows_of(closed)
    assert rows[-1][4] == "log_sealed", "docs/security.md: nothing is appended after the seal"
    assert rows == before


# ---------------------------------------------------------------------- a file that is not a session
@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
    db.executemany("INSERT INTO accounts (owner) VALUES (?)", [("a",), ("b",)])
    db.commit()
    db.close()
    return path


def journal_mode(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        db.close()


@pytest.mark.parametrize(
    "args",
    [
        ("verify", "{}"),
        ("verify", "{}", "--head", "0" * 64),
        ("status", "{}"),
        ("log", "{}"),
        ("seats", "{}"),
        ("report", "{}"),
        ("replay", "{}", "--at", "D1 09:00", "--json"),
        ("run", "--session", "{}", "--headless", "--speed", "max"),
        ("submit", "{}", "--seat", "ABC", "--json", '{"kind": "start"}', "--no-wait"),
    ],
)
def test_a_foreign_sqlite_file_is_refused_and_left_untouched(foreign: Path, args: tuple[str, ...]) -> None:
    digest = hashlib.sha256(foreign.read_bytes()).hexdigest()
    siblings = sorted(p.name for p in foreign.parent.iterdir())
    code, output = clean(ttx(*(str(foreign) if a == "{}" else a for a in args)))
    assert code == 2, output
    assert "not a ttx session" in output
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == digest, "byte-identical"
    assert sorted(p.name for p in foreign.parent.iterdir()) == siblings, "no -wal, -shm or journal left beside it"
    assert journal_mode(foreign) == "delete"


def test_seal_names_the_count_and_head_before_it(closed: Path) -> None:
    rows = rows_of(closed)
    seal = LogSealed.model_validate_json(str(rows[-1][5]))
    assert seal.events == len(rows) - 1 and seal.head == rows[-2][7] == rows[-1][6]
