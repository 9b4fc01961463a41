"""What the engine trusts: bounded text, need-to-know refusals, a hostile queue, the seal, forged events, a full disk,
one controller.

HARBOUR WATCH (tests/data) with an injected manual clock; in memory, or in a SQLite file where the file matters.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ttx.engine import commands as cmd
from ttx.engine.chain import verify_rows
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.decide import Context, Rejection, decide
from ttx.engine.events import (
    SYSTEM,
    CommandRejected,
    ExerciseEnded,
    InjectReleased,
    LogSealed,
    NoteAdded,
    Rating,
    ReleaseVia,
    wall_text,
)
from ttx.engine.ports import CommandStatus, NewEvent, StoreError
from ttx.engine.state import InvalidLog, Lifecycle, fold
from ttx.loader.load import LoadedScenario
from ttx.store.memory import MemoryStore
from ttx.store.sqlite import SqliteStore

from .conftest import Session, SessionFactory

LIMIT = 20_000


# ---------------------------------------------------------------------- fixtures
@pytest.fixture
def session_file(tmp_path: Path, harbour_watch: LoadedScenario) -> Path:
    """A new HARBOUR WATCH session file, not started."""
    path = tmp_path / "s.ttx"
    store = SqliteStore(path, create=True)
    create_session(store, harbour_watch.scenario, harbour_watch.digest, ManualClock())
    store.close()
    return path


@pytest.fixture
def sqlite_session(session_file: Path) -> Iterator[Session]:
    """A started session in a SQLite file, its store holding the writer lock."""
    store = SqliteStore(session_file)
    assert store.acquire_writer()
    clock = ManualClock()
    s = Session(Controller(store, clock), store, clock)  # type: ignore[arg-type]
    s.ok(cmd.Start())
    yield s
    store.close()


def event_count(s: Session) -> int:
    return len(list(s.store.events()))


# ---------------------------------------------------------------------- bounded text
@pytest.mark.parametrize(
    ("command", "field"),
    [
        (lambda text: cmd.Respond(inject="H1-1", text=text), "text"),
        (lambda text: cmd.Respond(inject="H1-1", text="ok", gaps=text), "gaps"),
        (lambda text: cmd.Respond(inject="H1-1", text="ok", legal_basis=text), "legal basis"),
        (lambda text: cmd.Respond(inject="H1-1", text="ok", agencies=text), "agencies"),
    ],
)
@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("x" * (LIMIT + 1), "is 20,001 characters long; the limit is 20,000"),
        ("before\x00after", "contains a NUL character"),
    ],
)
def test_a_response_field_that_is_too_long_or_not_text_is_refused_naming_it(
    session: Session, command: object, field: str, bad: str, why: str
) -> None:
    before = len(session.state.responses.get("H1-1", []))
    reason = session.rejected(command(bad), "delegation:XAR")  # type: ignore[operator]
    assert reason == f"{field} {why}"
    assert len(session.state.responses.get("H1-1", [])) == before, "nothing of it was recorded"
    rejected = session.state.rejections[-1]
    assert rejected.reason == reason and rejected.kind == "respond"


@pytest.mark.parametrize("field", ["text", "gaps", "legal_basis", "agencies"])
def test_a_lone_surrogate_is_refused_naming_the_field(session: Session, field: str) -> None:
    # No JSON queue row can carry one (the parser refuses it): the engine's own check is what stands here.
    session.wait(0)
    values = {"text": "ok", field: "lone \ud800 surrogate"}
    command = cmd.Respond(inject="H1-1", **values)  # type: ignore[arg-type]
    seat = session.state.seats["delegation:XAR"]
    context = Context(seat, 999, session.controller.clock.now(), session.controller.scheduler)
    result = decide(session.state, command, context)
    assert result == Rejection(f"{field.replace('_', ' ')} is not valid UTF-8 text")


def test_a_lone_surrogate_never_reaches_the_session_file(sqlite_session: Session) -> None:
    with pytest.raises(StoreError, match="not a command ttx can store"):
        sqlite_session.store.enqueue("delegation:XAR", cmd.Respond(inject="H1-1", text="\udcff"))
    assert sqlite_session.store.queued() == []


def test_a_queued_command_is_bounded_as_a_whole(sqlite_session: Session) -> None:
    # every field within its bound, the command over 1 MB: refused before it reaches the queue
    huge = cmd.Adhoc(to=["MWG"], tlp="GREEN", title="t", questions=["q" * LIMIT] * 60)
    with pytest.raises(StoreError, match=r"the limit is 1,000,000"):
        sqlite_session.store.enqueue("facilitator", huge)
    assert sqlite_session.store.queued() == []


def test_the_limit_itself_is_accepted(session: Session) -> None:
    session.ok(cmd.Respond(inject="H1-1", text="x" * LIMIT), "delegation:XAR")
    assert len(session.state.responses["H1-1"][-1].text) == LIMIT


@pytest.mark.parametrize(
    "command",
    [
        cmd.Note(text="n" * (LIMIT + 1)),
        cmd.Adhoc(to=["MWG"], tlp="GREEN", title="ok", body="b" * (LIMIT + 1)),
        cmd.Adhoc(to=["MWG"], tlp="GREEN", title="ok", questions=["fine", "q\x00"]),
        cmd.Pause(reason="r" * (LIMIT + 1)),
    ],
)
def test_facilitator_texts_are_bounded_too(session: Session, command: cmd.Command) -> None:
    reason = session.rejected(command)
    assert "20,000" in reason or "NUL" in reason


def test_requests_answers_and_observations_are_bounded(session: Session) -> None:
    long = "y" * (LIMIT + 1)
    assert session.rejected(cmd.SendRequest(recipient="XBO", text=long), "delegation:XAR") == (
        "text is 20,001 characters long; the limit is 20,000"
    )
    assert session.rejected(
        cmd.SendRequest(recipient="XBO", text="ok", request_kind="k\x00"), "delegation:XAR"
    ).startswith("request kind contains a NUL")
    session.ok(cmd.SendRequest(id="Q-1", recipient="XBO", text="ok"), "delegation:XAR")
    assert "20,000" in session.rejected(cmd.AnswerRequest(request="Q-1", text=long), "delegation:XBO")
    assert session.state.requests["Q-1"].answer is None
    assert session.rejected(cmd.Observe(capability="C1", rating=Rating.S, note=long), "evaluator:1") == (
        "note is 20,001 characters long; the limit is 20,000"
    )


# ---------------------------------------------------------------------- need to know
def test_the_refusal_reveals_nothing_about_injects_a_delegation_may_not_see(session: Session) -> None:
    session.wait(1)  # H1-2 released to MWG and PWG; H1-1 went to MWG only; H2-1 is not released
    assert "H1-1" in session.state.released and "H2-1" not in session.state.released
    refusals = {
        inject: session.rejected(cmd.Respond(inject=inject, text="x"), "delegation:XCA")
        for inject in ("H9-9", "H2-1", "H1-1")
    }
    assert refusals == {inject: f"no inject {inject} for XCA" for inject in refusals}
    assert {r.replace(i, "ID") for i, r in refusals.items()} == {"no inject ID for XCA"}
    session.ok(cmd.Respond(inject="H1-2", text="x"), "delegation:XCA")  # what it did receive, it may answer


def test_a_request_may_cite_only_an_inject_its_sender_received(session: Session) -> None:
    for inject in ("H1-1", "H2-1", "H9-9"):  # released to others, not released, not existing
        reason = session.rejected(cmd.SendRequest(recipient="XAR", text="see this", inject=inject), "delegation:XCA")
        assert reason == f"no inject {inject} for XCA"
    assert session.state.requests == {}
    session.ok(cmd.SendRequest(recipient="XCA", text="see this", inject="H1-1"), "delegation:XAR")


def test_an_observation_on_an_unreleased_inject_is_refused(session: Session) -> None:
    assert session.rejected(cmd.Observe(capability="C2", rating=Rating.S, inject="H2-1"), "evaluator:1") == (
        "inject H2-1 has not been released"
    )
    assert session.rejected(cmd.Observe(capability="C2", rating=Rating.S, inject="H9-9"), "evaluator:1") == (
        "inject H9-9 has not been released"
    )
    assert session.state.observations == []
    session.ok(cmd.Observe(capability="C1", rating=Rating.S, inject="H1-1"), "evaluator:1")


# ---------------------------------------------------------------------- a hostile command queue
def queue_row(path: Path, seat: object, payload: object, submitted: object = "2027-03-01T01:00:00.000000Z") -> int:
    db = sqlite3.connect(path)
    cursor = db.execute("INSERT INTO commands (submitted, seat, payload) VALUES (?, ?, ?)", (submitted, seat, payload))
    db.commit()
    db.close()
    assert cursor.lastrowid is not None
    return cursor.lastrowid


@pytest.mark.parametrize(
    ("seat", "payload", "submitted", "reason"),
    [
        ("facilitator", "{not json", "2027-03-01T01:00:00.000000Z", "not a valid command"),
        ("facilitator", '{"kind": "launch_missiles"}', "2027-03-01T01:00:00.000000Z", "not a valid command"),
        ("facilitator", b"\xff\xfe binary", "2027-03-01T01:00:00.000000Z", "not a valid command"),
        ("facilitator", "[" * 5000 + "]" * 5000, "2027-03-01T01:00:00.000000Z", "not a valid command"),
        ("facilitator", 42, "2027-03-01T01:00:00.000000Z", "not a valid command"),
        ("facilitator", '{"kind": "note", "text": "a\\u0000b"}', "2027-03-01T01:00:00.000000Z", "NUL"),
        ("facilitator", json.dumps({"kind": "note", "text": "n" * (LIMIT + 1)}), "bad time", "20,000"),
        ("nobody", '{"kind": "note", "text": "hi"}', None, "unknown seat 'nobody'"),
        (7, '{"kind": "note", "text": "hi"}', 12345, "unknown seat"),
    ],
)
def test_a_malformed_queue_row_is_rejected_and_the_controller_keeps_running(
    sqlite_session: Session, session_file: Path, seat: object, payload: object, submitted: object, reason: str
) -> None:
    s = sqlite_session
    if submitted is None:
        submitted = "2027-03-01T01:00:00.000000Z"
    bad = queue_row(session_file, seat, payload, submitted)
    after = s.store.enqueue("facilitator", cmd.Note(text="still here"))
    s.controller.step()
    outcome = s.store.outcome(bad)
    assert outcome is not None and outcome.status is CommandStatus.rejected
    assert reason in outcome.reason
    rejected = [r for r in s.store.events() if isinstance(r.event, CommandRejected) and r.event.command == bad]
    assert len(rejected) == 1
    good = s.store.outcome(after)
    assert good is not None and good.status is CommandStatus.recorded, "the next command is still processed"
    assert s.state.notes[-1][1] == "still here"
    assert verify_rows(s.store.raw_rows()).ok


def test_a_controller_restarted_over_a_malformed_queue_does_not_crash(session_file: Path) -> None:
    bad = [
        queue_row(session_file, "facilitator", "{not json"),
        queue_row(session_file, "facilitator", '{"kind": "start"}', "not a time"),
        queue_row(session_file, "facilitator", b"\x00\x01"),
    ]
    store = SqliteStore(session_file)  # a controller starts over the queue and stops before processing it
    assert store.acquire_writer()
    Controller(store, ManualClock())
    store.close()
    store = SqliteStore(session_file)
    assert store.acquire_writer()
    controller = Controller(store, ManualClock())
    controller.step()
    statuses = [store.outcome(i).status for i in bad]  # type: ignore[union-attr]
    assert statuses == [CommandStatus.rejected, CommandStatus.recorded, CommandStatus.rejected]
    assert controller.state.lifecycle is Lifecycle.running  # the start with a bad submitted time still counted
    store.close()
    store = SqliteStore(session_file)
    Controller(store, ManualClock())  # and restarting afterwards replays the rejections fine
    store.close()


# ---------------------------------------------------------------------- the seal
def test_ending_the_exercise_seals_the_log(session: Session) -> None:
    session.wait(1)
    session.ok(cmd.HotWash())
    session.ok(cmd.End(reason="done"))
    records = list(session.store.events())
    seal, before = records[-1], records[-2]
    assert isinstance(seal.event, LogSealed)
    assert before.event.type == "exercise_ended"
    assert seal.event.events == before.seq == seal.seq - 1
    assert seal.event.head == before.hash == seal.prev
    assert session.state.sealed
    verdict = verify_rows(session.store.raw_rows())
    assert verdict.ok and verdict.sealed and verdict.state_text == "sealed"


def test_nothing_is_appended_after_the_seal(session: Session) -> None:
    session.ok(cmd.End())
    count = event_count(session)
    refused = [
        session.act(cmd.Respond(inject="H1-1", text="late"), "delegation:XAR"),
        session.act(cmd.Note(text="late note")),
        session.act(cmd.Start()),
        session.act(cmd.Observe(capability="C1", rating=Rating.S), "evaluator:1"),
        session.act(cmd.Note(text="x" * (LIMIT + 1))),  # refused for its size, still nothing appended
        session.act(cmd.Pause(), "nobody"),
    ]
    assert [o.status for o in refused] == [CommandStatus.rejected] * len(refused)
    assert refused[0].reason == "the exercise has ended"
    session.wait(48)  # time passing releases nothing either
    assert event_count(session) == count
    assert isinstance(list(session.store.events())[-1].event, LogSealed)
    again = session.restart()  # a restarted controller does not seal twice nor checkpoint
    again.controller.step()
    assert event_count(again) == count
    assert verify_rows(again.store.raw_rows()).sealed


def test_a_controller_stopped_between_end_and_seal_seals_on_restart(make_session: SessionFactory) -> None:
    s = make_session()
    s.ok(cmd.Start())
    ended = s.store.append([NewEvent(s.clock.wall(), s.state.at, "facilitator", ExerciseEnded())])
    again = s.restart()
    last = list(again.store.events())[-1]
    assert isinstance(last.event, LogSealed) and last.event.head == ended[-1].hash


# ---------------------------------------------------------------------- forged events
def test_a_forged_correctly_chained_release_of_an_unknown_inject_is_not_a_valid_log(session: Session) -> None:
    forged = InjectReleased(inject="ZZ-9", via=ReleaseVia.facilitator)
    session.store.append([NewEvent(session.clock.wall(), session.state.at, "facilitator", forged)])
    assert verify_rows(session.store.raw_rows()).ok, "the chain itself is intact: only the fold can tell"
    with pytest.raises(InvalidLog) as caught:
        fold(session.store.events())
    assert isinstance(caught.value, StoreError)
    assert "not a valid ttx log" in str(caught.value) and "ZZ-9" in str(caught.value)
    with pytest.raises(StoreError, match="not a valid ttx log"):
        session.restart()


def test_an_event_before_the_session_exists_is_not_a_valid_log() -> None:
    store = MemoryStore()
    store.append([NewEvent(ManualClock().wall(), 0, SYSTEM, NoteAdded(text="forged before the session exists"))])
    with pytest.raises(InvalidLog, match="not a valid ttx log"):
        fold(store.events())


# ---------------------------------------------------------------------- a full disk
def test_disk_full_loses_nothing_and_says_so(sqlite_session: Session) -> None:
    s = sqlite_session
    s.ok(cmd.Note(text="before the disk filled"))
    rows_before = list(s.store.raw_rows())
    seq_before = s.state.seq
    command = s.store.enqueue("facilitator", cmd.Note(text="z" * LIMIT))
    db = s.store._db  # type: ignore[attr-defined]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError) as caught:
        s.controller.process_commands()
    assert str(caught.value).startswith("disk full: nothing was lost")
    assert s.state.seq == seq_before, "the controller's state did not run ahead of the log"
    assert list(s.store.raw_rows()) == rows_before, "the log before it is intact"
    assert verify_rows(s.store.raw_rows()).ok
    outcome = s.store.outcome(command)
    assert outcome is not None and outcome.status is CommandStatus.queued, "the command is still queued"
    db.execute("PRAGMA max_page_count = 1073741823")  # space freed: resume
    s.controller.process_commands()
    assert s.state.notes[-1][1] == "z" * LIMIT
    outcome = s.store.outcome(command)
    assert outcome is not None and outcome.status is CommandStatus.recorded
    assert verify_rows(s.store.raw_rows()).ok


# ---------------------------------------------------------------------- one controller
@pytest.mark.parametrize("link", ["symlink", "hardlink", "same path"])
def test_a_second_controller_through_another_path_is_refused(session_file: Path, tmp_path: Path, link: str) -> None:
    other = tmp_path / "elsewhere" / "alias.ttx"
    other.parent.mkdir()
    if link == "symlink":
        other.symlink_to(session_file)
    elif link == "hardlink":
        os.link(session_file, other)
    else:
        other = session_file
    first = SqliteStore(session_file)
    second = SqliteStore(other)
    try:
        assert first.acquire_writer()
        assert not second.acquire_writer()
    finally:
        second.close()
        first.close()
    third = SqliteStore(other)  # released when the first closed
    assert third.acquire_writer()
    third.close()


def test_writer_active_follows_the_heartbeat_not_the_lock(session_file: Path) -> None:
    reader = SqliteStore(session_file)
    assert not reader.writer_active()
    writer = SqliteStore(session_file)
    assert writer.acquire_writer()
    Controller(writer, ManualClock()).step()
    assert reader.writer_active(), "a running controller has beaten"
    assert reader.acquire_writer() is False  # (the lock is there)
    writer.close()
    assert not reader.writer_active(), "closing the controller removes its heartbeat"
    db = sqlite3.connect(session_file)
    assert db.execute("SELECT count(*) FROM meta WHERE key='heartbeat'").fetchone()[0] == 0
    db.close()
    reader.close()


def test_writer_active_never_probes_the_lock(session_file: Path) -> None:
    # A heartbeat with no lock behind it counts (it is all a console reads) ...
    db = sqlite3.connect(session_file)
    db.execute("INSERT INTO meta VALUES ('heartbeat', ?)", (wall_text(dt.datetime.now(dt.UTC)),))
    db.commit()
    reader = SqliteStore(session_file)
    assert reader.writer_active()
    # ... and asking took no lock: a controller can still start
    writer = SqliteStore(session_file)
    assert writer.acquire_writer()
    writer.close()
    # a stale heartbeat does not count
    db.execute("UPDATE meta SET value='2020-01-01T00:00:00.000000Z' WHERE key='heartbeat'")
    db.commit()
    db.close()
    assert not reader.writer_active()
    reader.close()
