"""The session verbs of the ``ttx`` command: run, join, seats, submit, status, log, verify, session copy."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ttx.text import one_line

if TYPE_CHECKING:
    from ttx.engine.clock import SystemClock
    from ttx.engine.commands import Command
    from ttx.engine.events import EventRecord
    from ttx.engine.ports import EventStore
    from ttx.engine.script import Script
    from ttx.engine.state import ExerciseState
    from ttx.loader.yaml_source import YamlDocument
    from ttx.store.address import Location

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID, EXIT_QUEUED = 0, 1, 2, 3
SESSION_HELP = "a session file, a PostgreSQL session URL (postgresql://host/db?session=NAME), or NAME with --store"
STORE_HELP = (
    "the PostgreSQL database holding the session (postgresql://[user@]host[:port]/db); a bare SESSION name "
    "(letters, digits, - and _) then names a session in it (default: the TTX_STORE environment variable)"
)
CONTROL_MATERIAL = (
    "EXERCISE CONTROL MATERIAL: join codes, every inject (TLP:RED and future ones included) and facilitator notes; "
    "keep it to exercise control (see docs/security.md)"
)


def _shown(value: object) -> bool:
    """Whether an event field is worth printing (not empty, not a false flag)."""
    return value is not None and value is not False and value != "" and value != []


def event_line(record: EventRecord, last_day: int | None = None) -> str:
    """One readable line for an event: sequence, wall and scenario time, actor, type, fields."""
    from ttx.engine.views import clock_text

    fields = record.event.model_dump(exclude={"type", "scenario", "seats"})
    detail = " ".join(f"{k}={v}" for k, v in fields.items() if _shown(v))
    line = f"{record.seq:>6} {record.wall:%Y-%m-%d %H:%M:%S} {clock_text(record.at, last_day)}  {record.actor:<18} {record.event.type} {detail}"
    return one_line(line)  # a newline or escape sequence in someone's text never forges or hides a line


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    print(f"ttx: {one_line(message)}", file=sys.stderr)
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


def _snapshot_digest(store: EventStore) -> str | None:
    from ttx.engine.events import SessionCreated

    first = next(store.events(), None)
    return first.event.digest if first is not None and isinstance(first.event, SessionCreated) else None


def cmd_run(args: argparse.Namespace) -> int:
    """Create or resume a session and run it (headless, or as a foreground controller)."""
    from ttx.engine.clock import SystemClock
    from ttx.engine.creation import create_session
    from ttx.engine.ports import StoreError
    from ttx.engine.script import load_script
    from ttx.loader.load import load_scenario
    from ttx.loader.problems import ScenarioError
    from ttx.store.sessions import open_store, resolve, session_exists

    if args.allow_rejections and not (args.headless and args.script is not None):
        return _fail(
            "usage: ttx run ... --headless --script FILE --allow-rejections (the flag is for headless scripts)"
        )
    if args.script is not None and not args.headless:
        return _fail("usage: ttx run ... --headless --script FILE (a script plays a run without a UI)")
    script = None
    document = None
    problems = []
    loaded = None
    try:
        loaded = load_scenario(args.scenario) if args.scenario is not None else None
    except ScenarioError as error:
        problems.extend(error.problems)
    try:
        if args.script is not None:
            scenario, plan = (loaded.scenario, loaded.plan) if loaded is not None else (None, None)
            script, document = load_script(args.script, scenario, plan)
    except ScenarioError as error:
        problems.extend(error.problems)
    if problems:
        for problem in problems:
            print(one_line(str(problem)), file=sys.stderr)
        return EXIT_INVALID
    clock = SystemClock()
    try:
        where = resolve(args.session, args.store)
        session = _shown_location(where)
        if session_exists(where):
            store = open_store(where)
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
            store = open_store(where, create=True)
            create_session(store, loaded.scenario, loaded.digest, clock, evaluators=args.evaluators)
            print(f"created session {session} from {args.scenario} (seat codes: ttx seats {session})")
        if not store.acquire_writer():
            store.close()
            return _fail(f"another controller is already running {session}")
        try:
            refusal = _verify_before_resume(store, force=args.force)
            if refusal is not None:
                return _fail(refusal)
            _give_view_code(store)
            if args.headless:
                speed = 1.0 if args.speed is None else args.speed
                return _run_headless(store, clock, speed, script, document, allow_rejections=args.allow_rejections)
            if args.plain or not sys.stdout.isatty():
                _print_join_lines(store)
                return _run_foreground(store, clock, args.speed)
            return _run_console(store, clock, args.speed)
        finally:
            store.close()
    except StoreError as error:
        return _fail(str(error))


def _shown_location(where: Location | str) -> str:
    """A session's location as a shell word a person can paste (a database URL without its password)."""
    return shlex.quote(str(where))


def _verify_before_resume(store: EventStore, *, force: bool) -> str | None:
    """Check the log before appending to it; with ``force``, record that it was resumed anyway."""
    from ttx.engine.chain import verify_rows
    from ttx.engine.clock import SystemClock
    from ttx.engine.events import SYSTEM, LogSealed, ResumedUnverified
    from ttx.engine.ports import NewEvent

    verdict = verify_rows(store.raw_rows())
    if verdict.ok:
        return None
    head_seq = store.head()[0]
    last_kind = next((row[4] for row in store.raw_rows() if row[0] == head_seq), "") if head_seq else ""
    if force and last_kind == LogSealed.model_fields["type"].default:
        print(
            f"warning: {store.location} does not verify ({verdict.problem}) and is sealed: nothing is appended",
            file=sys.stderr,
        )
        return None
    if not force:
        return (
            f"{store.location} does not verify: {verdict.problem}; nothing was appended. "
            "Resume anyway with --force (recorded in the log) or investigate with ttx verify"
        )
    last = max(0, store.head()[0] - 1)
    at = next((record.at for record in store.events(after=last)), 0)
    store.append([NewEvent(SystemClock().wall(), at, SYSTEM, ResumedUnverified(problem=verdict.problem))])
    print(f"warning: resumed a log that does not verify ({verdict.problem}); recorded in the log", file=sys.stderr)
    return None


def _give_view_code(store: EventStore) -> None:
    """Give a session made before sessions had a view code its projector seat (as its controller starts)."""
    from ttx.engine.ports import StoreError
    from ttx.engine.seats import new_projector_seat, projector_seat

    seats = store.seats()
    if seats and projector_seat(seats) is None:
        try:
            store.add_seats([new_projector_seat(seats)])
        except StoreError as error:  # the exercise runs on; only the wall view waits for a code
            print(f"warning: no view code could be added for the wall view: {one_line(str(error))}", file=sys.stderr)
            return
        print(f"this session now has a view code for the wall view: ttx seats {_shown_location(store.location)}")


def _run_headless(
    store: EventStore,
    clock: SystemClock,
    speed: float,
    script: Script | None,
    document: YamlDocument | None = None,
    *,
    allow_rejections: bool = False,
) -> int:
    """Play to the end; exit 1 when the controller rejected a scripted command (unless allowed)."""
    from ttx.engine.headless import HeadlessRun, summary_lines

    run = HeadlessRun(store, clock, speed=speed, script=script, sleep=time.sleep)
    report = run.run()
    if report.already_ended:
        print("this session has already ended")
    for line in summary_lines(report.state, store):
        print(one_line(line))
    for line in report.script_rejections:
        print(f"script: {one_line(line)}")
    for index, line in report.rejected_commands:
        where = f"{document.locate(('actions', index))}: " if document is not None else ""
        print(one_line(f"{where}actions[{index}] {line}"), file=sys.stderr)
    if report.rejected_commands and not allow_rejections:
        print(
            f"{len(report.rejected_commands)} scripted command(s) rejected: exit {EXIT_FINDINGS} "
            "(--allow-rejections when the script tests rejections on purpose)",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    return EXIT_OK


def _run_foreground(store: EventStore, clock: SystemClock, speed: float | None) -> int:
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
            print(one_line(line))
        return EXIT_OK
    if speed is not None and speed != controller.state.speed:
        controller.submit(cmd.SetSpeed(speed=speed))
    print(
        f"controller running {store.location}: send commands with "
        f"`ttx submit {_shown_location(store.location)} --seat CODE ...`; Ctrl-C stops"
    )
    try:
        while not controller.closed():
            controller.step()
            wait = controller.wall_seconds_to_next()
            time.sleep(0.2 if wait is None else max(0.0, min(0.2, wait)))
    except KeyboardInterrupt:
        print("\ncontroller stopped; the session resumes from here when run again")
    for line in summary_lines(controller.state, store):
        print(one_line(line))
    return EXIT_OK


def join_lines(store: EventStore) -> list[str]:
    """The exact command for every seat but the facilitator's: `ttx join`, or `ttx screen` for the projector."""
    where = _shown_location(store.location)
    return [
        f"ttx {'screen' if seat.role.value == 'projector' else 'join'} {where} --seat {seat.code}"
        f"    # {seat.seat}: {seat.label}"
        for seat in store.seats()
        if seat.role.value != "facilitator"
    ]


def _print_join_lines(store: EventStore) -> list[str]:
    """Print, and return, the `ttx join` line of every delegation, scribe and evaluator seat."""
    lines = join_lines(store)
    print("Participants and evaluators join from other terminals (the wall view opens with ttx screen):")
    for line in lines:
        print(f"  {line}")
    return lines


def _run_console(store: EventStore, clock: SystemClock, speed: float | None) -> int:
    """The facilitator console (Textual), running the controller; a closed session prints its summary instead."""
    from ttx.engine import commands as cmd
    from ttx.engine.controller import Controller
    from ttx.engine.headless import head_lines, summary_lines
    from ttx.tui.facilitator import FacilitatorApp

    controller = Controller(store, clock)
    if controller.state.lifecycle.value == "closed":
        for line in summary_lines(controller.state, store):
            print(one_line(line))
        return EXIT_OK
    lines = _print_join_lines(store)
    if speed is not None and speed != controller.state.speed:  # resuming without --speed keeps the session's
        controller.submit(cmd.SetSpeed(speed=speed))
    app = FacilitatorApp(controller, join_lines=lines)
    app.run()
    if app.return_code:
        print(
            f"the facilitator console stopped on an error (above); every recorded event and queued command is kept. "
            f"Resume with: ttx run --session {_shown_location(store.location)}",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    for line in head_lines(controller.state, store.location):
        print(one_line(line))
    print(f"facilitator console closed; resume with: ttx run --session {_shown_location(store.location)}")
    return EXIT_OK


def seat_code(given: str | None, prompt: str = "Seat code: ") -> str:
    """The join (or view) code: from --seat, else the TTX_SEAT environment variable, else asked for (not echoed).

    A code in the environment or typed at the prompt does not show in the host's process list.
    """
    import getpass
    import os

    if given:
        return given.strip()
    if os.environ.get("TTX_SEAT"):
        return os.environ["TTX_SEAT"].strip()
    if sys.stdin.isatty():
        try:
            return getpass.getpass(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            return ""
    return ""


def cmd_join(args: argparse.Namespace) -> int:
    """Open the console of a delegation, cell scribe or evaluator seat."""
    from ttx.engine.ports import StoreError
    from ttx.engine.session import SessionReader

    code = seat_code(args.seat)
    if not code:
        return _fail("give the seat's join code: type it when asked, set TTX_SEAT, or pass --seat CODE")
    try:
        store = _open(args)
        seat = store.seat_by_code(code)
        if seat is not None and seat.role.value == "projector":
            store.close()
            return _fail(
                "that is the projector's view code: it opens the wall view only, with "
                f"ttx screen {_shown_location(store.location)}"
            )
        client = SessionReader(store, code)
    except StoreError as error:
        return _fail(str(error))
    if client.seat.role.value == "facilitator":
        client.close()
        return _fail(
            "that is the facilitator's code: open the facilitator console with "
            f"ttx run --session {_shown_location(client.location)}"
        )
    from ttx.tui.participant import SeatApp

    app = SeatApp(client)
    app.run()
    if app.return_code:
        return _fail(
            "the console stopped on an error (above); what you submitted is kept. Join again to go on", EXIT_FINDINGS
        )
    return EXIT_OK


def _open(args: argparse.Namespace, *, read_only: bool = False) -> EventStore:
    """The session named on the command line (a file, a PostgreSQL URL, or a name in --store / TTX_STORE)."""
    from ttx.store.sessions import open_store, resolve

    return open_store(resolve(args.session, args.store), read_only=read_only)


def cmd_seats(args: argparse.Namespace) -> int:
    """List seats and their join codes."""
    from ttx.engine.ports import StoreError

    try:
        store = _open(args, read_only=True)
        with_codes = store.seats()
        where = _shown_location(store.location)
        store.close()
    except StoreError as error:
        return _fail(str(error))
    print(CONTROL_MATERIAL)
    width = max(len(seat.seat) for seat in with_codes)
    for seat in with_codes:
        print(f"{seat.code}  {one_line(seat.seat):<{width}}  {one_line(seat.label)}")
    print(f"\njoin a seat: ttx join {where} --seat CODE   (keep codes to their holders)")
    if any(seat.role.value == "projector" for seat in with_codes):
        print(f"wall view:   ttx screen {where} --seat VIEW-CODE   (the projector's code: reads TLP:CLEAR/GREEN only)")
    else:
        print(f"no view code yet (a session made before them): the next `ttx run --session {where}` adds one")
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

    from ttx.engine import commands as cmd
    from ttx.engine.ports import CommandStatus, StoreError

    try:
        store = _open(args)
    except StoreError as error:
        return _fail(str(error))
    try:
        seat = store.seat_by_code(args.seat)
        if seat is None:
            return _fail(f"no seat has the code {args.seat!r} in {store.location}")
        if seat.role.value == "projector":
            return _fail("that is the projector's view code: it opens the wall view (ttx screen) and submits nothing")
        try:
            command = _build_command(args)
        except (ValueError, ValidationError) as error:
            return _fail(f"not a valid command: {str(error).splitlines()[0]}")
        if (why := cmd.unacceptable_text(command)) is not None:
            return _fail(f"not queued: {why}")
        command_id = store.enqueue(seat.seat, command)
        if args.no_wait:
            print(f"queued as command {command_id}")
            return EXIT_OK
        deadline = time.monotonic() + args.timeout
        look = True
        while time.monotonic() < deadline:
            # the outcome is read again only once another connection wrote (a PostgreSQL store is told by NOTIFY)
            outcome = store.outcome(command_id) if look or store.changed() else None
            look = False
            if outcome is not None and outcome.status is CommandStatus.recorded:
                print(f"recorded as event {outcome.seq} (command {command_id})")
                return EXIT_OK
            if outcome is not None and outcome.status is CommandStatus.rejected:
                print(f"rejected: {one_line(outcome.reason)}")
                return EXIT_FINDINGS
            if not store.writer_active():
                print(f"queued as command {command_id}; no controller is running, it will be processed when one starts")
                return EXIT_QUEUED
            time.sleep(0.05)
        print(f"queued as command {command_id}; not processed within {args.timeout:g} s")
        return EXIT_QUEUED
    finally:
        store.close()


def _fold_session(args: argparse.Namespace) -> tuple[ExerciseState, EventStore]:
    from ttx.engine.state import fold

    store = _open(args, read_only=True)
    try:
        return fold(store.events()), store
    except BaseException:
        store.close()
        raise


def cmd_status(args: argparse.Namespace) -> int:
    """Print where a session is."""
    from ttx.engine.ports import StoreError
    from ttx.engine.status import status_of

    try:
        state, store = _fold_session(args)
        store.close()
    except StoreError as error:
        return _fail(str(error))
    if state.scenario is None:
        return _fail(f"{store.location} has no events")
    status = status_of(state)
    if args.json:
        print(status.to_json(ensure_ascii=True))
        return EXIT_OK

    def say(line: str) -> None:
        print(one_line(line))

    say(f"EXERCISE — {status.tlp}  {status.exercise}")
    say(
        f"{status.lifecycle.value} · day {status.day or '-'} · phase {status.phase or '-'} · {status.scenario_time} · speed {status.speed}"
    )
    counts = status.injects
    say(
        f"injects: {counts.released} released, {counts.pending} pending, {counts.skipped} skipped; held: {', '.join(status.held) or 'none'}"
    )
    say(
        f"responses: {status.responses} · decisions: {len(status.decisions)} · open requests: {len(status.open_requests)} · observations: {status.observations}"
    )
    say("next due: " + (", ".join(f"{d.inject} at {d.at}" for d in status.next_due) or "nothing scheduled"))
    say("unanswered required: " + (", ".join(status.unanswered_required) or "none"))
    say("defaulted decisions: " + (", ".join(f"{k} → {v}" for k, v in status.defaulted.items()) or "none"))
    if status.waiting:
        say(status.waiting)
    say(f"log: {status.events} events, {'sealed' if status.sealed else 'open (not sealed)'}, head {status.head}")
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    """Export the event log."""
    from ttx.engine.events import SessionCreated
    from ttx.engine.ports import StoreError
    from ttx.private_files import open_private
    from ttx.store.jsonl import export_lines

    try:
        store = _open(args, read_only=True)
    except StoreError as error:
        return _fail(str(error))
    out = open_private(Path(args.output)) if args.output else sys.stdout
    # The JSONL export stays one event a line; the warning goes beside it.
    print(CONTROL_MATERIAL, file=sys.stderr if args.format == "jsonl" or args.output else sys.stdout)
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
    from ttx.engine.chain import MIN_HEAD_PREFIX, records_from_rows, verify_rows
    from ttx.engine.ports import StoreError
    from ttx.engine.state import fold
    from ttx.store.sessions import read_rows, resolve

    expected: str | None = args.head
    if expected is not None and (
        len(expected.strip()) < MIN_HEAD_PREFIX or any(c not in "0123456789abcdef" for c in expected.strip().lower())
    ):
        return _fail(f"--head takes the head hash: 64 hex digits, or a prefix of at least {MIN_HEAD_PREFIX}")
    try:
        path = resolve(args.path, args.store)
        rows = read_rows(path)
        verdict = verify_rows(rows)
        if verdict.ok:
            fold(records_from_rows(rows))  # a correctly chained but forged event still fails here
    except StoreError as error:
        return _fail(one_line(str(error)))
    shown = one_line(str(path))
    if not verdict.ok:
        print(f"{shown}: NOT VERIFIED: {one_line(verdict.problem)} ({verdict.count} events verified before it)")
        return EXIT_FINDINGS
    print(f"{shown}: verified {verdict.count} events, {verdict.state_text}, head {verdict.head}")
    if expected is not None and not verdict.ends_at(expected):
        print(f"{shown}: NOT VERIFIED: the log does not end at the head {expected.strip().lower()}")
        return EXIT_FINDINGS
    return EXIT_OK


def _session_usage(args: argparse.Namespace) -> int:
    """``ttx session`` without an action."""
    return _fail("give an action: ttx session copy SRC DST, or ttx session init --store URL")


def cmd_session_init(args: argparse.Namespace) -> int:
    """Create ttx's tables in a PostgreSQL database (before granting other roles access to them)."""
    import os

    from ttx.engine.ports import StoreError
    from ttx.store.sessions import STORE_VARIABLE, prepare_database

    url = args.store or os.environ.get(STORE_VARIABLE)
    if not url:
        return _fail(f"give the database: --store postgresql://host/database (or set {STORE_VARIABLE})")
    try:
        where = prepare_database(url)
    except StoreError as error:
        return _fail(str(error))
    print(f"{where}: ready for ttx sessions (schema ttx); grant other roles access as docs/sessions.md shows")
    return EXIT_OK


def cmd_session_copy(args: argparse.Namespace) -> int:
    """Copy a whole session between stores, verified on arrival."""
    from ttx.engine.ports import StoreError
    from ttx.store.copy import copy_session
    from ttx.store.sessions import resolve

    try:
        source, destination = resolve(args.source, args.store), resolve(args.destination, args.store)
        copied = copy_session(source, destination)
    except StoreError as error:
        return _fail(str(error))
    verdict = copied.verdict
    what = "the log only" if copied.log_only else f"{copied.seats} seats and {copied.commands} commands"
    print(
        one_line(
            f"copied {verdict.count} events ({verdict.state_text}; {what}) from {source} to {destination}; "
            f"verified on arrival, head {verdict.head}"
        )
    )
    if copied.new_codes:
        print(f"an exported log holds no join codes: new ones were made (ttx seats {_shown_location(destination)})")
    return EXIT_OK


def _session_arguments(parser: Any) -> None:
    """The SESSION argument and the --store option every session verb takes."""
    parser.add_argument("session", metavar="SESSION", help=SESSION_HELP)
    parser.add_argument("--store", metavar="URL", help=STORE_HELP)


def add_session_commands(add: Any) -> None:
    """Register the session verbs on the ttx parser (``add(name, handler, help)`` returns a subparser)."""
    run = add("run", cmd_run, "create or resume a session and run it (--headless: no UI, to the end)")
    run.add_argument(
        "scenario", nargs="?", type=Path, metavar="SCENARIO", help="scenario folder (omit to resume a session)"
    )
    run.add_argument(
        "--session",
        required=True,
        metavar="SESSION",
        help="the session (created if missing): a file, a PostgreSQL session URL, or a name with --store",
    )
    run.add_argument("--store", metavar="URL", help=STORE_HELP)
    run.add_argument(
        "--headless", action="store_true", help="no UI: run to the end, taking declared defaults where nobody acts"
    )
    run.add_argument(
        "--speed",
        type=parse_speed,
        default=None,
        help="scenario seconds per wall second (60 = a minute a second) or max; default 1, or the session's own "
        "speed when resuming",
    )
    run.add_argument(
        "--script",
        type=Path,
        help="with --headless: YAML file of timed or event-triggered commands (see docs/sessions.md)",
    )
    run.add_argument(
        "--allow-rejections",
        action="store_true",
        help="with --headless --script: exit 0 even when the controller rejected scripted commands",
    )
    run.add_argument(
        "--evaluators", type=int, default=2, help="evaluator seats to create with a new session (default 2)"
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="resume a session whose log does not verify (recorded in the log as such)",
    )
    run.add_argument(
        "--plain", action="store_true", help="no console: print events as they happen (also when not on a terminal)"
    )

    join = add("join", cmd_join, "open a delegation, cell scribe or evaluator console on a session")
    _session_arguments(join)
    join.add_argument(
        "--seat",
        metavar="CODE",
        help="the seat's join code (from ttx seats); without it, TTX_SEAT or a prompt, which keep the code "
        "off the process list",
    )

    seats = add("seats", cmd_seats, "list a session's seats, their join codes and the projector's view code")
    _session_arguments(seats)

    submit = add("submit", cmd_submit, "queue a response (or any command) from a seat; report recorded or rejected")
    _session_arguments(submit)
    submit.add_argument("--seat", required=True, metavar="CODE", help="the seat's join code")
    submit.add_argument("--inject", metavar="ID", help="inject to respond to")
    submit.add_argument("--decision", metavar="OPTION", help="decision option id")
    submit.add_argument("--text", help="response text")
    submit.add_argument("--participant", metavar="ID", help="delegation a cell scribe records for")
    submit.add_argument("--json", metavar="COMMAND", help='any command as JSON, e.g. \'{"kind": "pause"}\'')
    submit.add_argument("--no-wait", action="store_true", help="only queue; do not wait for the controller")
    submit.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the controller (default 30)")

    status = add("status", cmd_status, "print where a session is: lifecycle, day, phase, time, next due injects")
    _session_arguments(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")

    log = add("log", cmd_log, "print or export a session's event log")
    _session_arguments(log)
    log.add_argument("--format", choices=("text", "jsonl"), default="text")
    log.add_argument("-o", "--output", help="write to this file")

    verify = add("verify", cmd_verify, "re-check a session's or exported log's hash chain (exit 1 if altered)")
    verify.add_argument("path", metavar="SESSION_OR_JSONL", help=f"{SESSION_HELP}, or an exported .jsonl log")
    verify.add_argument("--store", metavar="URL", help=STORE_HELP)
    verify.add_argument(
        "--head",
        metavar="HEX",
        help="the head hash noted when the exercise closed (64 hex digits, or at least the first 16): "
        "fail unless the log ends exactly there",
    )

    session = add("session", _session_usage, "whole sessions: copy one between stores; prepare a PostgreSQL database")
    actions = session.add_subparsers(dest="session_action", metavar="ACTION")
    copy = actions.add_parser(
        "copy",
        help="copy a session to another store (file, PostgreSQL, .jsonl), verified on arrival",
        description="Copy every event, seat and queued command of SRC into a new session DST; the copy must "
        "end at SRC's head. Refuses to overwrite an existing session.",
    )
    copy.set_defaults(handler=cmd_session_copy)
    copy.add_argument("source", metavar="SRC", help=f"{SESSION_HELP}, or an exported .jsonl log")
    copy.add_argument("destination", metavar="DST", help=f"{SESSION_HELP}, or a new .jsonl file")
    copy.add_argument("--store", metavar="URL", help=STORE_HELP)
    init = actions.add_parser(
        "init",
        help="create ttx's tables in a PostgreSQL database (idempotent)",
        description="Create schema ttx and its tables in the database, so that its administrator can grant "
        "other roles access before the first session (see docs/sessions.md).",
    )
    init.set_defaults(handler=cmd_session_init)
    init.add_argument("--store", metavar="URL", help="the PostgreSQL database (default: the TTX_STORE variable)")
