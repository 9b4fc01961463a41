"""Every store behaves alike behind the engine's port: memory, SQLite and PostgreSQL run the same tests."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest

from ttx.engine import commands as cmd
from ttx.engine.chain import GENESIS_HASH, chain, verify_rows
from ttx.engine.clock import ManualClock
from ttx.engine.controller import Controller
from ttx.engine.creation import create_session
from ttx.engine.events import ClockCheckpoint, NoteAdded, wall_text
from ttx.engine.ports import CommandStatus, EventStore, NewEvent, Seat
from ttx.engine.state import Lifecycle, fold
from ttx.loader.load import LoadedScenario
from ttx.store.address import parse_url
from ttx.store.jsonl import export_lines
from ttx.store.queue import HEARTBEAT_EVERY, controller_alive

from ..helpers import ROOT
from .conftest import Backend

WALL = dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC)


def notes(count: int, start: int = 0) -> list[NewEvent]:
    """Facilitator notes with fixed wall times: the same events give the same hashes anywhere."""
    return [
        NewEvent(WALL + dt.timedelta(seconds=n), 60 * n, "facilitator", NoteAdded(text=f"note {n} — ünïcode"))
        for n in range(start, start + count)
    ]


def new_session(backend: Backend, loaded: LoadedScenario) -> tuple[EventStore, dict[str, Seat]]:
    """A created session of HARBOUR WATCH; its store and its seats by seat id."""
    store = backend.open(create=True)
    seats = create_session(store, loaded.scenario, loaded.digest, ManualClock())
    return store, {seat.seat: seat for seat in seats}


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    """Poll ``condition`` until it holds or the time is up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def expected_head(events: list[NewEvent]) -> tuple[int, str]:
    """The head the hash chain gives these events, computed without any store."""
    rows = chain(events, 0, GENESIS_HASH)
    return rows[-1][0][0], rows[-1][0][7]


# ---------------------------------------------------------------------- the log and its chain


def test_appends_are_numbered_chained_and_verify(backend: Backend) -> None:
    store = backend.open(create=True)
    assert store.head() == (0, GENESIS_HASH)
    first = store.append(notes(3))
    second = store.append(notes(2, start=3))
    assert [r.seq for r in first + second] == [1, 2, 3, 4, 5]
    assert store.head() == expected_head(notes(5))
    verdict = verify_rows(store.raw_rows())
    assert verdict.ok and verdict.count == 5 and verdict.head == store.head()[1]
    assert [r.event.text for r in store.events(after=3)] == ["note 3 — ünïcode", "note 4 — ünïcode"]  # type: ignore[union-attr]
    exported = "\n".join(export_lines(store.raw_rows()))
    assert exported.count("\n") == 4 and "ünïcode" in exported


def test_the_same_events_give_the_same_head_in_every_store(backend: Backend) -> None:
    store = backend.open(create=True)
    for start in range(0, 12, 4):
        store.append(notes(4, start))
    assert store.head() == expected_head(notes(12)), "every store hashes exactly what the chain module hashes"


def test_another_handle_sees_appends_and_is_told_of_them(backend: Backend) -> None:
    writer = backend.open(create=True)
    reader = backend.open()
    writer.append(notes(1))
    assert wait_for(reader.changed, 10), "a reader learns that something was written"
    assert not reader.changed(), "and only once"
    writer.append(notes(2, start=1))
    time.sleep(0.2)  # the news reaches the reader's connection …
    reader.head()  # … while it is busy with a query, and is not lost
    assert wait_for(reader.changed, 10)
    assert [r.seq for r in reader.events(after=1)] == [2, 3]
    assert not reader.changed()


# ---------------------------------------------------------------------- commands and outcomes


def test_queued_commands_are_decided_exactly_once_with_their_outcomes(
    backend: Backend, harbour_watch: LoadedScenario
) -> None:
    store, _ = new_session(backend, harbour_watch)
    submitter = backend.open()
    start = submitter.enqueue("facilitator", cmd.Start(), origin="script:0")
    note = submitter.enqueue("facilitator", cmd.Note(text="first note"))
    refused = submitter.enqueue("delegation:XAR", cmd.Pause(reason="not yours"))
    unknown = submitter.enqueue("delegation:NOPE", cmd.Note(text="who?"))
    assert [q.id for q in store.queued()] == [start, note, refused, unknown]
    assert all(submitter.outcome(i).status is CommandStatus.queued for i in (start, note))  # type: ignore[union-attr]

    controller = Controller(store, ManualClock())
    assert controller.process_commands() == 4
    assert controller.process_commands() == 0, "nothing is decided twice"
    assert store.queued() == []
    outcomes = {i: submitter.outcome(i) for i in (start, note, refused, unknown)}
    assert outcomes[start].status is CommandStatus.recorded and outcomes[start].seq == 2  # type: ignore[union-attr]
    assert outcomes[note].status is CommandStatus.recorded  # type: ignore[union-attr]
    assert outcomes[refused].status is CommandStatus.rejected and outcomes[refused].reason  # type: ignore[union-attr]
    assert "unknown seat" in outcomes[unknown].reason  # type: ignore[union-attr]
    assert submitter.outcome(10_000) is None
    assert submitter.origins() == {"script:0"}
    types = [r.event.type for r in store.events()]
    assert types.count("note_added") == 1 and types.count("command_rejected") == 2


def test_seats_and_join_codes(backend: Backend, harbour_watch: LoadedScenario) -> None:
    _, seats = new_session(backend, harbour_watch)
    other = backend.open()
    stored = other.seats()
    assert [s.seat for s in stored] == list(seats), "seats come back in creation order"
    assert {"facilitator", "delegation:XAR", "scribe:MWG", "evaluator:2"} <= set(seats)
    found = other.seat_by_code(f"  {seats['delegation:XBO'].code.lower()} ")
    assert found == seats["delegation:XBO"]
    assert other.seat_by_code("ZZZZZZ") is None


# ---------------------------------------------------------------------- controllers


def test_a_second_controller_is_refused(backend: Backend, harbour_watch: LoadedScenario) -> None:
    store, _ = new_session(backend, harbour_watch)
    second = backend.open()
    assert store.acquire_writer()
    assert not second.acquire_writer()
    assert second.writer_active(), "readers learn of the controller from its heartbeat"
    if backend.shared_process_only:
        return
    store.close()
    assert wait_for(second.acquire_writer, 10), "the session is free once its controller closed"


def test_a_controller_built_again_on_the_store_continues(backend: Backend, harbour_watch: LoadedScenario) -> None:
    store, _ = new_session(backend, harbour_watch)
    clock = ManualClock()
    first = Controller(store, clock)
    first.submit(cmd.Start())
    for _ in range(3):
        clock.advance(3600)
        first.step()
    before = first.state.seq
    again = Controller(backend.open(), clock)
    assert again.state.seq == before + 1 and again.state.lifecycle.value == "running"
    assert isinstance(next(iter(again.store.events(after=before))).event, ClockCheckpoint)
    outcome = again.submit(cmd.Note(text="after the restart"))
    assert outcome.status is CommandStatus.recorded
    assert verify_rows(again.store.raw_rows()).ok
    assert fold(again.store.events()).released == again.state.released


def test_twenty_threads_submitting_fifty_commands_each_are_recorded_once(
    backend: Backend, harbour_watch: LoadedScenario
) -> None:
    if backend.shared_process_only:
        pytest.skip("an in-memory store serves one thread of one process")
    store, _ = new_session(backend, harbour_watch)
    controller = Controller(store, ManualClock())
    handles = [backend.open() for _ in range(20)]
    ids: list[list[int]] = [[] for _ in handles]

    def submit(index: int) -> None:
        for n in range(50):
            ids[index].append(handles[index].enqueue("facilitator", cmd.Note(text=f"w{index} n{n}")))

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads) or store.queued(1):
        controller.process_commands()
    for thread in threads:
        thread.join()
    every = [i for chunk in ids for i in chunk]
    assert len(set(every)) == 1000, "every command has its own id"
    assert all(store.outcome(i).status is CommandStatus.recorded for i in every)  # type: ignore[union-attr]
    texts = [r.event.text for r in store.events() if isinstance(r.event, NoteAdded)]
    assert len(texts) == 1000 and len(set(texts)) == 1000, "every command recorded exactly once"
    assert verify_rows(store.raw_rows()).ok


CONTROLLER = """
import sys, time
from ttx.engine.clock import SystemClock
from ttx.engine.controller import Controller
from ttx.store.sessions import open_store, resolve
store = open_store(resolve(sys.argv[1], None))
if not store.acquire_writer():
    print("refused", flush=True)
    sys.exit(1)
controller = Controller(store, SystemClock())
print("controlling", flush=True)
while True:
    controller.step()
    time.sleep(0.01)
"""


def test_a_controller_killed_with_sigkill_is_replaced_and_nothing_is_lost(
    backend: Backend, harbour_watch: LoadedScenario
) -> None:
    if backend.shared_process_only:
        pytest.skip("an in-memory store cannot be shared with another process")
    store, _ = new_session(backend, harbour_watch)
    process = subprocess.Popen(
        [sys.executable, "-c", CONTROLLER, backend.location], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "controlling"
        assert not store.acquire_writer(), "a second controller is refused while the first runs"
        assert store.writer_active()
        done = [store.enqueue("facilitator", cmd.Start())]
        done += [store.enqueue("facilitator", cmd.Note(text=f"before {n}")) for n in range(5)]
        assert wait_for(lambda: store.outcome(done[-1]).status is CommandStatus.recorded)  # type: ignore[union-attr]
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert wait_for(lambda: not store.writer_active(), 30), "readers see that the killed controller stopped"
    later = [store.enqueue("facilitator", cmd.Note(text=f"after {n}")) for n in range(5)]
    assert wait_for(store.acquire_writer, 15), "the killed controller's lock is gone with its process"
    controller = Controller(store, ManualClock())
    controller.process_commands()
    assert all(store.outcome(i).status is CommandStatus.recorded for i in done + later)  # type: ignore[union-attr]
    texts = [r.event.text for r in store.events() if isinstance(r.event, NoteAdded)]
    assert texts == [f"before {n}" for n in range(5)] + [f"after {n}" for n in range(5)]
    assert verify_rows(store.raw_rows()).ok


# ---------------------------------------------------------------------- the controller's heartbeat


def test_the_staleness_rule_lets_every_console_show_a_stopped_controller_within_two_seconds() -> None:
    running = HEARTBEAT_EVERY + 0.2  # the oldest beat of a live controller that steps every 0.2 s
    assert controller_alive(0.0) and controller_alive(running), "a running controller is never taken as stopped"
    assert controller_alive(-1.0), "a beat a little ahead of the reader's clock counts"
    # A console polls every 0.25 s: a beat 1.75 s old must already read as stopped to show it within 2 s.
    assert not controller_alive(1.75) and not controller_alive(2.0) and not controller_alive(10.0)
    assert not controller_alive(-1.75), "nor does one far in the future"


def age_heartbeat(backend: Backend, seconds: float) -> None:
    """Make the stored heartbeat ``seconds`` old by the store's own clock, as a controller that stopped then left it."""
    if backend.kind == "sqlite":
        db = sqlite3.connect(backend.location)
        try:
            with db:
                beat = wall_text(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))
                changed = db.execute("UPDATE meta SET value = ? WHERE key = 'heartbeat'", (beat,)).rowcount
        finally:
            db.close()
    else:
        import psycopg

        address = parse_url(backend.location)
        with psycopg.connect(address.conninfo, autocommit=True) as server:
            changed = server.execute(
                "UPDATE ttx.sessions SET heartbeat = clock_timestamp() - make_interval(secs => %s) "
                "WHERE name = %s AND heartbeat IS NOT NULL",
                (seconds, address.session),
            ).rowcount
    assert changed == 1, "the controller wrote a heartbeat"


def test_a_heartbeat_two_seconds_old_reads_as_a_stopped_controller_until_the_next_beat(
    backend: Backend, harbour_watch: LoadedScenario
) -> None:
    if backend.shared_process_only:
        pytest.skip("an in-memory store's controller runs in its readers' process")
    store, _ = new_session(backend, harbour_watch)
    reader = backend.open()
    assert store.acquire_writer()
    assert reader.writer_active()
    age_heartbeat(backend, 2.0)
    assert not reader.writer_active(), "consoles show the controller stopped"
    assert store.writer_active(), "the controller itself still holds the session"

    def beats() -> bool:
        store.heartbeat()
        return reader.writer_active()

    assert wait_for(beats), "its next heartbeat shows it running again"


def test_a_paused_controller_whose_loop_only_reads_the_queue_keeps_beating(
    backend: Backend, harbour_watch: LoadedScenario
) -> None:
    if backend.shared_process_only:
        pytest.skip("an in-memory store's controller runs in its readers' process")
    store, _ = new_session(backend, harbour_watch)
    reader = backend.open()
    assert store.acquire_writer()
    controller = Controller(store, ManualClock())
    controller.submit(cmd.Start())
    controller.submit(cmd.Pause(reason="lunch"))
    assert controller.state.lifecycle is Lifecycle.paused
    age_heartbeat(backend, 2.0)
    assert not reader.writer_active()

    def loop_once() -> bool:  # as a headless run at max speed loops while it waits for a scripted resume
        controller.process_commands()
        return reader.writer_active()

    assert wait_for(loop_once), "the paused controller's loop writes its heartbeat"
    assert controller.state.lifecycle is Lifecycle.paused
