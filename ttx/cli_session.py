"""The session verbs of the ``ttx`` command: run, seats, submit, status, log, verify."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ttx.engine.clock import SystemClock
    from ttx.engine.commands import Command
    from ttx.engine.events import EventRecord
    from ttx.engine.ports import EventStore
    from ttx.engine.script import Script
    from ttx.engine.state import ExerciseState

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID, EXIT_QUEUED = 0, 1, 2, 3


def _shown(value: object) -> bool:
    """Whether an event field is worth printing (not empty, not a false flag)."""
    return value is not None and value is not False and value != "" and value != []


def event_line(record: EventRecord, last_day: int | None = None) -> str:
    """One readable line for an event: sequence, wall and scenario time, actor, type, fields."""
    from ttx.engine.views import clock_text

    fields = record.event.model_dump(exclude={"type", "scenario", "seats"})
    detail = " ".join(f"{k}={v}" for k, v in fields.items() if _shown(v))
    return f"{record.seq:>6} {record.wall:%Y-%m-%d %H:%M:%S} {clock_text(record.at, last_day)}  {record.actor:<18} {record.event.type} {detail}"


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    print(f"ttx: {message}", file=sys.stderr)
    return code


def parse_speed(text: str) -> float:
    """``max`` or a positive number of scenario seconds per wall second."""
    if text.strip().lower() == "max":
        return 0.0  # MAX_SPEED
    try:
        value = float(text.rstrip("xX"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a speed: write a number such as 60, or max") from None
    if value <= 0 or value > 100_000:
        raise argparse.ArgumentTypeError("speed must be above 0 and at most 100000 (or max)")
    return value


def _load_script(path: Path) -> Script:
    from ttx.engine.script import Script
    from ttx.loader.load import validate_document
    from ttx.loader.yaml_source import read_yaml

    return validate_document(Script, read_yaml(path))


def _snapshot_digest(store: EventStore) -> str | None:
    from ttx.engine.events import SessionCreated

    first = next(store.events(), None)
    return first.event.digest if first is not None and isinstance(first.event, SessionCreated) else None


def cmd_run(args: argparse.Namespace) -> int:
    """Create or resume a session and run it (headless, or as a foreground controller)."""
    from ttx.engine.clock import SystemClock
    from ttx.engine.creation import create_session
    from ttx.engine.ports import StoreError
    from ttx.loader.load import load_scenario
    from ttx.loader.problems import ScenarioError
    from ttx.store.sessions import open_store

    session: Path = args.session
    script = None
    try:
        if args.script is not None:
            script = _load_script(args.script)
        loaded = load_scenario(args.scenario) if args.scenario is not None else None
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_INVALID
    clock = SystemClock()
    try:
        if session.exists():
            store = open_store(session)
            digest = _snapshot_digest(store)
            if loaded is not None and digest is not None and digest != loaded.digest:
                store.close()
                return _fail(
                    f"{session} was created from a different version of {args.scenario}; "
                    f"run `ttx run --session {session}` to resume it as it was, or use a new session file"
                )
        else:
            if loaded is None:
                return _fail(
                    f"{session} does not exist; give a scenario to create it: ttx run SCENARIO --session {session}"
                )
            store = open_store(session, create=True)
            create_session(store, loaded.scenario, loaded.digest, clock, evaluators=args.evaluators)
            print(f"created session {session} from {args.scenario} (seat codes: ttx seats {session})")
        if not store.acquire_writer():
            store.close()
            return _fail(f"another controller is already running {session}")
        try:
            if args.headless:
                return _run_headless(store, clock, args.speed, script)
            if args.plain or not sys.stdout.isatty():
                _print_join_lines(store)
                return _run_foreground(store, clock, args.speed)
            return _run_console(store, clock, args.speed)
        finally:
            store.close()
    except StoreError as error:
        return _fail(str(error))


def _run_headless(store: EventStore, clock: SystemClock, speed: float, script: Script | None) -> int:
    from ttx.engine.headless import HeadlessRun, summary_lines

    run = HeadlessRun(store, clock, speed=speed, script=script, sleep=time.sleep)
    report = run.run()
    if report.already_ended:
        print("this session has already ended")
    for line in summary_lines(report.state, store):
        print(line)
    for line in report.script_rejections:
        print(f"script: {line}")
    return EXIT_OK


def _run_foreground(store: EventStore, clock: SystemClock, speed: float) -> int:
    """Run the controller without a UI: process commands from other terminals, print the feed."""
    from ttx.engine import commands as cmd
    from ttx.engine.controller import Controller
    from ttx.engine.headless import summary_lines
    from ttx.engine.state import Lifecycle

    def show(record: EventRecord) -> None:
        print(event_line(record)[:200], flush=True)

    controller = Controller(store, clock, on_event=show)
    if controller.state.lifecycle is Lifecycle.closed:
        for line in summary_lines(controller.state, store):
            print(line)
        return EXIT_OK
    if speed != controller.state.speed:
        controller.submit(cmd.SetSpeed(speed=speed))
    print(
        f"controller running {store.location}: send commands with `ttx submit {store.location} --seat CODE ...`; Ctrl-C stops"
    )
    try:
        while not controller.closed():
            controller.step()
            wait = controller.wall_seconds_to_next()
            time.sleep(0.2 if wait is None else max(0.0, min(0.2, wait)))
    except KeyboardInterrupt:
        print("\ncontroller stopped; the session resumes from here when run again")
    for line in summary_lines(controller.state, store):
        print(line)
    return EXIT_OK


def join_lines(store: EventStore) -> list[str]:
    """The exact `ttx join` command for every non-facilitator seat."""
    return [
        f"ttx join {store.location} --seat {seat.code}    # {seat.seat}: {seat.label}"
        for seat in store.seats()
        if seat.seat != "facilitator"
    ]


def _print_join_lines(store: EventStore) -> list[str]:
    """Print, and return, the `ttx join` line of every delegation, scribe and evaluator seat."""
    lines = join_lines(store)
    print("Participants and evaluators join from other terminals with:")
    for line in lines:
        print(f"  {line}")
    return lines


def _run_console(store: EventStore, clock: SystemClock, speed: float) -> int:
    """The facilitator console (Textual), running the controller."""
    from ttx.engine import commands as cmd
    from ttx.engine.controller import Controller
    from ttx.tui.facilitator import FacilitatorApp

    lines = _print_join_lines(store)
    controller = Controller(store, clock)
    if speed != controller.state.speed and controller.state.lifecycle.value != "closed":
        controller.submit(cmd.SetSpeed(speed=speed))
    FacilitatorApp(controller, join_lines=lines).run()
    print(f"facilitator console closed; resume with: ttx run --session {store.location}")
    return EXIT_OK


def cmd_join(args: argparse.Namespace) -> int:
    """Open the console of a delegation, cell scribe or evaluator seat."""
    from ttx.engine.ports import StoreError
    from ttx.engine.session import SessionReader

    try:
        client = SessionReader(_open(args.session), args.seat)
    except StoreError as error:
        return _fail(str(error))
    if client.seat.role.value == "facilitator":
        client.close()
        return _fail(
            f"that is the facilitator's code: open the facilitator console with ttx run --session {args.session}"
        )
    from ttx.tui.participant import SeatApp

    SeatApp(client).run()
    return EXIT_OK


def _open(path: Path) -> EventStore:
    from ttx.store.sessions import open_store

    return open_store(path)


def cmd_seats(args: argparse.Namespace) -> int:
    """List seats and their join codes."""
    from ttx.engine.ports import StoreError

    try:
        store = _open(args.session)
    except StoreError as error:
        return _fail(str(error))
    with_codes = store.seats()
    store.close()
    width = max(len(seat.seat) for seat in with_codes)
    for seat in with_codes:
        print(f"{seat.code}  {seat.seat:<{width}}  {seat.label}")
    print(f"\njoin a seat: ttx join {args.session} --seat CODE   (keep codes to their holders)")
    return EXIT_OK


def _build_command(args: argparse.Namespace) -> Command:
    from ttx.engine import commands as cmd

    if args.json is not None:
        return cmd.COMMAND_ADAPTER.validate_json(args.json)
    if args.inject is None:
        raise ValueError("give --inject ID (with --text and/or --decision) or --json COMMAND")
    return cmd.Respond(inject=args.inject, decision=args.decision, text=args.text or "", participant=args.participant)


def cmd_submit(args: argparse.Namespace) -> int:
    """Queue a command from a seat and report what the controller did with it."""
    from pydantic import ValidationError

    from ttx.engine.ports import CommandStatus, StoreError

    try:
        store = _open(args.session)
    except StoreError as error:
        return _fail(str(error))
    try:
        seat = store.seat_by_code(args.seat)
        if seat is None:
            return _fail(f"no seat has the code {args.seat!r} in {args.session}")
        try:
            command = _build_command(args)
        except (ValueError, ValidationError) as error:
            return _fail(f"not a valid command: {str(error).splitlines()[0]}")
        command_id = store.enqueue(seat.seat, command)
        if args.no_wait:
            print(f"queued as command {command_id}")
            return EXIT_OK
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            outcome = store.outcome(command_id)
            if outcome is not None and outcome.status is CommandStatus.recorded:
                print(f"recorded as event {outcome.seq} (command {command_id})")
                return EXIT_OK
            if outcome is not None and outcome.status is CommandStatus.rejected:
                print(f"rejected: {outcome.reason}")
                return EXIT_FINDINGS
            if store.acquire_writer():
                print(f"queued as command {command_id}; no controller is running, it will be processed when one starts")
                return EXIT_QUEUED
            time.sleep(0.05)
        print(f"queued as command {command_id}; not processed within {args.timeout:g} s")
        return EXIT_QUEUED
    finally:
        store.close()


def _fold_session(path: Path) -> tuple[ExerciseState, EventStore]:
    from ttx.engine.state import fold

    store = _open(path)
    return fold(store.events()), store


def status_data(state: ExerciseState) -> dict[str, Any]:
    """The status of a session as plain data."""
    from ttx.engine.clock import MAX_SPEED
    from ttx.engine.obligations import unanswered_required
    from ttx.engine.scheduler import Scheduler
    from ttx.engine.state import InjectStatus
    from ttx.engine.views import clock_text, last_day

    assert state.plan is not None and state.scenario is not None
    scheduler = Scheduler(state)
    upcoming = scheduler.upcoming_releases(5)
    unanswered = unanswered_required(state)
    counts = {status.value: 0 for status in InjectStatus}
    for item in state.injects.values():
        counts[item.status.value] += 1
    return {
        "exercise": state.scenario.exercise.title,
        "tlp": state.scenario.exercise.tlp.label,
        "lifecycle": state.lifecycle.value,
        "day": state.day,
        "phase": state.phase,
        "scenario_time": clock_text(state.at, last_day(state)),
        "speed": "max" if state.speed == MAX_SPEED else state.speed,
        "events": state.seq,
        "head": state.head,
        "injects": counts,
        "held": sorted(k for k, v in state.injects.items() if v.held),
        "responses": sum(len(v) for v in state.responses.values()),
        "decisions": {k: v.option for k, v in state.decisions.items()},
        "open_requests": sorted(k for k, r in state.requests.items() if r.answer is None),
        "observations": len(state.observations),
        "next_due": [{"inject": item.key, "at": clock_text(item.at, last_day(state))} for item in upcoming],
        "unanswered_required": unanswered,
        "waiting": _waiting(state),
        "rejected_commands": len(state.rejections),
    }


def _waiting(state: ExerciseState) -> str | None:
    """Why the clock waits at the next phase boundary, if it does."""
    from ttx.engine.phases import waiting_reason

    return waiting_reason(state, state.at)


def cmd_status(args: argparse.Namespace) -> int:
    """Print where a session is."""
    from ttx.engine.ports import StoreError

    try:
        state, store = _fold_session(args.session)
        store.close()
    except StoreError as error:
        return _fail(str(error))
    if state.scenario is None:
        return _fail(f"{args.session} has no events")
    data = status_data(state)
    if args.json:
        print(json.dumps(data, indent=2))
        return EXIT_OK
    print(f"EXERCISE — {data['tlp']}  {data['exercise']}")
    print(
        f"{data['lifecycle']} · day {data['day'] or '-'} · phase {data['phase'] or '-'} · {data['scenario_time']} · speed {data['speed']}"
    )
    counts = data["injects"]
    print(
        f"injects: {counts['released']} released, {counts['pending']} pending, {counts['skipped']} skipped; held: {', '.join(data['held']) or 'none'}"
    )
    print(
        f"responses: {data['responses']} · decisions: {len(data['decisions'])} · open requests: {len(data['open_requests'])} · observations: {data['observations']}"
    )
    print("next due: " + (", ".join(f"{d['inject']} at {d['at']}" for d in data["next_due"]) or "nothing scheduled"))
    print("unanswered required: " + (", ".join(data["unanswered_required"]) or "none"))
    if data["waiting"]:
        print(data["waiting"])
    print(f"log: {data['events']} events, head {data['head'][:16]}")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    """Export the event log."""
    from ttx.engine.events import SessionCreated
    from ttx.engine.ports import StoreError
    from ttx.store.jsonl import export_lines

    try:
        store = _open(args.session)
    except StoreError as error:
        return _fail(str(error))
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.format == "jsonl":
            for line in export_lines(store.raw_rows()):
                out.write(line + "\n")
        else:
            days = None
            for record in store.events():
                if isinstance(record.event, SessionCreated):
                    days = max((int(day["day"]) for day in record.event.scenario.get("days", [])), default=None)
                out.write(event_line(record, days) + "\n")
    finally:
        store.close()
        if args.output:
            out.close()
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-check a log's hash chain and sequence."""
    from ttx.engine.chain import verify_rows
    from ttx.engine.ports import StoreError
    from ttx.store.sessions import read_rows

    path: Path = args.path
    try:
        verdict = verify_rows(read_rows(path))
    except StoreError as error:
        return _fail(str(error))
    if not verdict.ok:
        print(f"{path}: NOT VERIFIED: {verdict.problem} ({verdict.count} events verified before it)")
        return EXIT_FINDINGS
    print(f"{path}: verified {verdict.count} events, head {verdict.head}")
    return EXIT_OK


def add_session_commands(add: Any) -> None:
    """Register the session verbs on the ttx parser (``add(name, handler, help)`` returns a subparser)."""
    run = add("run", cmd_run, "create or resume a session and run it (--headless: no UI, to the end)")
    run.add_argument(
        "scenario", nargs="?", type=Path, metavar="SCENARIO", help="scenario folder (omit to resume a session)"
    )
    run.add_argument(
        "--session", type=Path, required=True, metavar="FILE", help="the session file (created if missing)"
    )
    run.add_argument(
        "--headless", action="store_true", help="no UI: run to the end, taking declared defaults where nobody acts"
    )
    run.add_argument(
        "--speed",
        type=parse_speed,
        default=1.0,
        help="scenario seconds per wall second (60 = a minute a second) or max",
    )
    run.add_argument(
        "--script", type=Path, help="YAML file of timed or event-triggered commands (see docs/sessions.md)"
    )
    run.add_argument(
        "--evaluators", type=int, default=2, help="evaluator seats to create with a new session (default 2)"
    )
    run.add_argument(
        "--plain", action="store_true", help="no console: print events as they happen (also when not on a terminal)"
    )

    join = add("join", cmd_join, "open a delegation, cell scribe or evaluator console on a session")
    join.add_argument("session", type=Path, metavar="SESSION")
    join.add_argument("--seat", required=True, metavar="CODE", help="the seat's join code (from ttx seats)")

    seats = add("seats", cmd_seats, "list a session's seats and join codes")
    seats.add_argument("session", type=Path, metavar="SESSION")

    submit = add("submit", cmd_submit, "queue a response (or any command) from a seat; report recorded or rejected")
    submit.add_argument("session", type=Path, metavar="SESSION")
    submit.add_argument("--seat", required=True, metavar="CODE", help="the seat's join code")
    submit.add_argument("--inject", metavar="ID", help="inject to respond to")
    submit.add_argument("--decision", metavar="OPTION", help="decision option id")
    submit.add_argument("--text", help="response text")
    submit.add_argument("--participant", metavar="ID", help="delegation a cell scribe records for")
    submit.add_argument("--json", metavar="COMMAND", help='any command as JSON, e.g. \'{"kind": "pause"}\'')
    submit.add_argument("--no-wait", action="store_true", help="only queue; do not wait for the controller")
    submit.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the controller (default 30)")

    status = add("status", cmd_status, "print where a session is: lifecycle, day, phase, time, next due injects")
    status.add_argument("session", type=Path, metavar="SESSION")
    status.add_argument("--json", action="store_true", help="machine-readable output")

    log = add("log", cmd_log, "print or export a session's event log")
    log.add_argument("session", type=Path, metavar="SESSION")
    log.add_argument("--format", choices=("text", "jsonl"), default="text")
    log.add_argument("-o", "--output", help="write to this file")

    verify = add("verify", cmd_verify, "re-check a session's or exported log's hash chain (exit 1 if altered)")
    verify.add_argument("path", type=Path, metavar="SESSION_OR_JSONL")
