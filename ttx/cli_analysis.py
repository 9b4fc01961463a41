"""The evaluation verbs of the ``ttx`` command: replay and report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ttx.analysis.logfile import Log

from ttx.private_files import write_private
from ttx.text import one_line

EXIT_OK, EXIT_INVALID = 0, 2
LOG_HELP = (
    "a session file, an exported .jsonl log, a PostgreSQL session URL (postgresql://host/db?session=NAME), "
    "or NAME with --store"
)
STORE_HELP = (
    "the PostgreSQL database holding the session (postgresql://[user@]host[:port]/db); a bare session name "
    "(letters, digits, - and _) then names a session in it (default: the TTX_STORE environment variable)"
)
CONTROL_MATERIAL = "EXERCISE CONTROL MATERIAL: {what}; keep it to exercise control (see docs/security.md)"


def _fail(message: str) -> int:
    print(f"ttx: {one_line(message)}", file=sys.stderr)
    return EXIT_INVALID


def _open(text: str, store: str | None, force: bool) -> Log | None:
    """The verified log of a session file, export or PostgreSQL session (None once the refusal is printed)."""
    from ttx.analysis.logfile import UnverifiedLog, open_log
    from ttx.engine.ports import StoreError
    from ttx.store.sessions import resolve

    try:
        path = resolve(text, store)
        log = open_log(path, force=force)
    except (StoreError, UnverifiedLog) as error:
        _fail(str(error))
        return None
    if log.warning:
        print(f"ttx: {one_line(log.warning)}", file=sys.stderr)
    if not log.records:
        _fail(f"{path}: the log has no events")
        return None
    return log


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay a session: a console with a timeline, or the state at a time as JSON."""
    from ttx.analysis.replay import Replay, find_seat, replay_state

    log = _open(args.path, args.store, args.force)
    if log is None:
        return EXIT_INVALID
    replay = Replay(log.records)
    if args.seat:
        what = f"the session as seat {args.seat} saw it, from the whole log"
        print(CONTROL_MATERIAL.format(what=one_line(what)), file=sys.stderr)
    if args.at is None:
        if args.json:
            return _fail("--json goes with --at TIME")
        from ttx.tui.replay import ReplayApp

        ReplayApp(replay, log.warning, seat=args.seat).run()
        return EXIT_OK
    try:
        state = replay.at_time(args.at)
    except ValueError as error:
        return _fail(str(error))
    seat = None
    if args.seat:
        try:
            seat = find_seat(replay.final, args.seat)
        except KeyError as error:
            return _fail(str(error.args[0]))
    if state.scenario is None:
        return _fail(f"nothing had happened by {args.at}")
    from ttx.model.time import ScenarioTime

    document = replay_state(state, seat, log.warning, at=ScenarioTime.parse(args.at).seconds)
    if args.json:
        print(document.to_json())
    else:
        for key, value in document.document().items():
            print(one_line(f"{key}: {value}"))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Write the after-action report draft (or compare sessions)."""
    from ttx.analysis.comparison import compare, compare_html, compare_markdown
    from ttx.analysis.gaps import Options, build_report
    from ttx.analysis.report import to_csv_zip, to_html, to_json, to_markdown
    from ttx.engine.state import fold

    if len(args.paths) > 1 and not args.compare:
        return _fail("several logs: add --compare to put them side by side")
    options = Options(include_restricted=args.include_restricted, chatham_house=args.chatham_house)
    if args.include_restricted:
        print(
            CONTROL_MATERIAL.format(
                what="material above the exercise's label (TLP:RED, AMBER+STRICT) and evaluators' notes are included"
            ),
            file=sys.stderr,
        )
    reports = []
    for path in args.paths:
        log = _open(path, args.store, args.force)
        if log is None:
            return EXIT_INVALID
        state = fold(log.records)
        reports.append((log.path.name, build_report(state, log.records, options, log.warning)))
    if args.compare:
        if args.format not in ("md", "html", "json"):
            return _fail("--compare writes md, html or json")
        comparison = compare(reports)
        if args.format == "json":
            text = comparison.to_json() + "\n"
        else:
            text = compare_markdown(comparison) if args.format == "md" else compare_html(comparison)
        return _write(text, args.output)
    report = reports[0][1]
    if args.format == "csv":
        if not args.output:
            return _fail("--format csv writes a zip of CSV files: give -o report.zip")
        write_private(Path(args.output), to_csv_zip(report))
        print(f"wrote {args.output}")
        return EXIT_OK
    renderers = {"md": to_markdown, "html": to_html, "json": to_json}
    return _write(renderers[args.format](report), args.output)


def _write(text: str, output: str | None) -> int:
    if output:
        write_private(Path(output), text)
        print(f"wrote {output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def add_analysis_commands(add: Any) -> None:
    """Register replay and report on the ttx parser."""
    replay = add("replay", cmd_replay, "replay a session or exported log: a timeline console, or the state at a time")
    replay.add_argument("path", metavar="SESSION_OR_JSONL", help=LOG_HELP)
    replay.add_argument("--store", metavar="URL", help=STORE_HELP)
    replay.add_argument("--at", metavar="TIME", help='scenario time, e.g. "D2 10:00": print the state then (headless)')
    replay.add_argument("--json", action="store_true", help="with --at: print JSON")
    replay.add_argument(
        "--as", dest="seat", metavar="SEAT", help="apply a seat's or delegation's view (THA, scribe:DWG, evaluator:1)"
    )
    replay.add_argument(
        "--force", action="store_true", help="open a log whose hash chain does not verify (said on every output)"
    )

    report = add(
        "report", cmd_report, "draft the after-action report / improvement plan from a session or exported log"
    )
    report.add_argument("paths", nargs="+", metavar="SESSION_OR_JSONL", help=LOG_HELP)
    report.add_argument("--store", metavar="URL", help=STORE_HELP)
    report.add_argument("--format", choices=("md", "html", "csv", "json"), default="md")
    report.add_argument("-o", "--output", help="write to this file (csv: a .zip)")
    report.add_argument(
        "--include-restricted",
        action="store_true",
        help="include material above the exercise's label (TLP:RED, AMBER+STRICT) and evaluators' notes",
    )
    report.add_argument("--chatham-house", action="store_true", help="attribute quotes to cells, never to delegations")
    report.add_argument("--compare", action="store_true", help="compare two or more sessions side by side")
    report.add_argument(
        "--force", action="store_true", help="use a log whose hash chain does not verify (said in the report)"
    )
