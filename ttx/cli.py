"""The ``ttx`` command: argument parsing and dispatch; each command imports what it needs when it runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ttx import __version__
from ttx.text import one_line

if TYPE_CHECKING:
    from ttx.loader.load import LoadedScenario
    from ttx.loader.yaml_source import Limits

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2
SCHEMA_KINDS = ("scenario", "injects", "report", "compare", "replay-state", "status")
"""What ``ttx schema --kind`` describes: authored files, then the JSON documents ttx writes."""

DESCRIPTION = """\
ttx — tabletop-exercise scenario engine.

Scenario authors: write scenarios/<slug>/scenario.yaml (see docs/scenario-format.md), then
  ttx validate scenarios/<slug>      check it; every problem as file:line:col: where: message
  ttx lint scenarios/<slug>          what is valid but probably wrong (--strict: exit 1 on findings)
  ttx msel scenarios/<slug>          the timeline (MSEL) as a table or Markdown; --format xlsx|csv -o FILE
                                     writes every field of every inject to a spreadsheet
  ttx import MSEL.xlsx -o DIR        a scenario folder from a spreadsheet MSEL (CSV: with --setup SCENARIO)
  ttx graph scenarios/<slug>         phases and branches as Mermaid (--format svg|html: open in a browser)
  ttx schema                         JSON Schema for editor completion (--kind: also of JSON outputs)
  ttx new <slug>                     a commented starter scenario

Running an exercise (see docs/sessions.md):
  ttx run SCENARIO --session FILE    create or resume a session and open the facilitator console;
                                     --headless --speed max --script FILE plays it without a UI
  ttx join FILE --seat CODE          a delegation's, cell scribe's or evaluator's console
  ttx seats FILE                     join codes for the facilitator, delegations, scribes, evaluators,
                                     and the projector's view code
  ttx screen FILE                    the wall view (asks for the view code): TLP:CLEAR/GREEN only
  ttx submit FILE --seat CODE ...    queue a response or command; says whether it was recorded
  ttx status FILE                    lifecycle, day, phase, clock, next due, unanswered
  ttx log FILE [--format jsonl]      the event log;  ttx verify FILE_OR_JSONL  checks its hash chain
  ttx serve FILE [--bind HOST:PORT]  the seats' consoles in browsers, behind seat-code sign-in

Evaluating (see docs/evaluator-guide.md):
  ttx replay FILE_OR_JSONL           a timeline console; --at "D2 10:00" --json [--as THA] for scripts
  ttx report FILE_OR_JSONL           AAR/IP draft: --format md|html|csv|json, --chatham-house, --compare

Exit codes: 0 ok, 1 lint findings with --strict / command rejected / log not verified,
2 invalid input or usage, 3 command queued but not yet processed.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a one-line hint on usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def _limits(args: argparse.Namespace) -> Limits:
    from ttx.loader.yaml_source import Limits

    return Limits(max_bytes=int(args.max_size * 1024 * 1024))


def _load(path: Path, args: argparse.Namespace) -> LoadedScenario | None:
    """Load a scenario, printing its problems to stderr on failure."""
    from ttx.loader.load import load_scenario
    from ttx.loader.problems import ScenarioError

    try:
        return load_scenario(path, _limits(args))
    except ScenarioError as error:
        for problem in error.problems:
            print(one_line(str(problem)), file=sys.stderr)
        print(f"{path}: invalid, {_count(len(error.problems), 'problem')}", file=sys.stderr)
        return None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _summary(loaded: LoadedScenario) -> str:
    from ttx.model.plan import ReleaseKind

    scenario, plan = loaded.scenario, loaded.plan
    branch = sum(1 for p in plan.injects if p.kind is ReleaseKind.branch)
    contingency = sum(1 for p in plan.injects if p.kind is ReleaseKind.contingency)
    files = len(loaded.sources.documents)
    return (
        f"{_count(len(scenario.days), 'day')}, {_count(len(scenario.phases), 'phase')}, "
        f"{_count(len(plan.injects), 'inject')} ({branch} branch, {contingency} contingency), "
        f"{_count(len(scenario.participants), 'participant')} in {_count(len(scenario.cells), 'cell')}, "
        f"{_count(files, 'file')}"
    )


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenarios; print every problem at once."""
    from ttx.loader.load import load_scenario
    from ttx.loader.problems import ScenarioError

    status = EXIT_OK
    for path in args.paths:
        try:
            loaded = load_scenario(path, _limits(args))
        except ScenarioError as error:
            for problem in error.problems:
                print(one_line(str(problem)))
            files = len({problem.location.file for problem in error.problems})
            print(f"{path}: invalid, {_count(len(error.problems), 'problem')} in {_count(files, 'file')}")
            status = EXIT_INVALID
            continue
        print(one_line(f"{path}: valid: {loaded.scenario.exercise.title}: {_summary(loaded)}"))
        for script in args.script or []:
            status = max(status, _validate_script(script, loaded))
    return status


def _validate_script(path: Path, loaded: LoadedScenario) -> int:
    """Check a headless-run script against a valid scenario; print every problem at once."""
    from ttx.engine.script import load_script
    from ttx.loader.problems import ScenarioError

    try:
        script, _ = load_script(path, loaded.scenario, loaded.plan)
    except ScenarioError as error:
        for problem in error.problems:
            print(one_line(str(problem)))
        print(f"{path}: invalid script, {_count(len(error.problems), 'problem')}")
        return EXIT_INVALID
    print(f"{path}: valid script: {_count(len(script.actions), 'action')}")
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    """Lint scenarios; exit 1 with --strict when there are findings."""
    from ttx.loader.lint import lint

    status = EXIT_OK
    for path in args.paths:
        loaded = _load(path, args)
        if loaded is None:
            status = EXIT_INVALID
            continue
        findings = lint(loaded)
        for finding in findings:
            print(one_line(str(finding)))
        reasons = {entry.rule: entry.reason for entry in loaded.scenario.lint.ignore}
        ignored = lint(loaded, ignored=True)
        if args.show_ignored:
            for finding in ignored:
                reason = reasons.get(finding.rule) or "no reason given"
                print(one_line(f"{finding} (ignored: {reason})"))
        hidden = f", {len(ignored)} ignored" if ignored else ""
        print(f"{path}: {_count(len(findings), 'finding') if findings else 'no findings'}{hidden}")
        if findings and args.strict and status == EXIT_OK:
            status = EXIT_FINDINGS
    return status


def cmd_schema(args: argparse.Namespace) -> int:
    """Print (or write) the JSON Schema of scenario or inject-library files, or of an output document."""
    if args.kind in ("scenario", "injects"):
        from ttx.loader.schema import schema_text

        text = schema_text(args.kind)
    else:
        from ttx.analysis.schemas import document_schema_text

        text = document_schema_text(args.kind)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_msel(args: argparse.Namespace) -> int:
    """Print the MSEL."""
    from ttx.preview.msel import msel_rows, to_markdown

    loaded = _load(args.path, args)
    if loaded is None:
        return EXIT_INVALID
    known = {c.id for c in loaded.scenario.cells} | {p.id for p in loaded.scenario.participants}
    if args.cell is not None and args.cell not in known:
        print(one_line(f"ttx msel: unknown cell or participant {args.cell!r}"), file=sys.stderr)
        return EXIT_INVALID
    if args.format in ("csv", "xlsx"):
        return _msel_sheet(loaded, args)
    rows = msel_rows(loaded.plan, day=args.day, cell=args.cell)
    if args.format == "markdown":
        text = f"> **{_control_notice(loaded)}**\n\n{to_markdown(rows)}"
        if args.output:
            return _write_file(Path(args.output), text, "msel")
        sys.stdout.write(text)
    elif args.output:
        print("ttx msel: -o writes markdown, csv or xlsx; choose one with --format", file=sys.stderr)
        return EXIT_INVALID
    else:
        from ttx.preview.msel_table import print_table

        print_table(loaded, rows)
    return EXIT_OK


def _msel_sheet(loaded: LoadedScenario, args: argparse.Namespace) -> int:
    """Write the MSEL and the scenario's setup as a workbook, or the MSEL as CSV."""
    from ttx.spreadsheet.export import CONTROL_CONTENTS, ExportError, to_csv, to_xlsx, workbook_of

    if args.format == "xlsx" and not args.output:
        print("ttx msel: --format xlsx needs -o FILE.xlsx", file=sys.stderr)
        return EXIT_INVALID
    try:
        workbook = workbook_of(loaded, day=args.day, cell=args.cell)
    except ExportError as error:
        for line in str(error).splitlines():
            print(one_line(f"{args.path}: {line}"), file=sys.stderr)
        return EXIT_INVALID
    if args.format == "xlsx":
        status = _write_file(Path(args.output), to_xlsx(workbook), "msel")
    elif args.output:
        status = _write_file(Path(args.output), "\ufeff" + to_csv(workbook.tables[0]), "msel")
    else:
        sys.stdout.write(to_csv(workbook.tables[0]))
        status = EXIT_OK
    if status == EXIT_OK:  # a CSV file has no room for it: said here, as for ttx log -o
        print(f"{workbook.notice()}: {CONTROL_CONTENTS}", file=sys.stderr)
    return status


def _control_notice(loaded: LoadedScenario) -> str:
    """The line on top of an output that holds every inject: its handling label and that it is exercise control."""
    from ttx.model.base import CONTROL_MATERIAL

    label = loaded.plan.handling_label().label
    return f"{label} · {CONTROL_MATERIAL}: every inject whatever its label; keep it to exercise control"


def _write_file(path: Path, data: str | bytes, command: str) -> int:
    """Write an output file (owner-only); a path that cannot be written is one line and exit 2."""
    from ttx.private_files import write_private

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, data)
    except OSError as error:
        print(one_line(f"ttx {command}: cannot write {path}: {error.strerror or error}"), file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Read a spreadsheet MSEL into a scenario folder; every problem at its cell."""
    from ttx.spreadsheet.reader import SheetError, import_msel

    target = args.output / "scenario.yaml"
    if target.exists() and not args.force:
        print(one_line(f"ttx import: {target} exists; choose another folder or add --force"), file=sys.stderr)
        return EXIT_INVALID
    try:
        imported = import_msel(args.file, setup=args.setup, limits=_limits(args))
    except SheetError as error:
        for problem in error.problems:
            print(one_line(str(problem)), file=sys.stderr)
        print(one_line(f"{args.file}: not imported, {_count(len(error.problems), 'problem')}"), file=sys.stderr)
        return EXIT_INVALID
    if _write_file(target, imported.text, "import") != EXIT_OK:
        return EXIT_INVALID
    for line in [*imported.notes, *imported.findings]:
        print(one_line(line))
    lint_note = f", {_count(len(imported.findings), 'lint finding')}" if imported.findings else ", lint-clean"
    title = imported.loaded.scenario.exercise.title
    print(one_line(f"wrote {target}: {title}: {_summary(imported.loaded)}{lint_note}"))
    return EXIT_OK


def cmd_graph(args: argparse.Namespace) -> int:
    """Print the phases and branches: Mermaid text, a swimlane SVG or a self-contained HTML page."""
    loaded = _load(args.path, args)
    if loaded is None:
        return EXIT_INVALID
    if args.format == "mermaid":
        from ttx.preview.graph import mermaid

        text = f"%% {_control_notice(loaded)}\n{mermaid(loaded.plan)}"
    else:
        from ttx.preview.graph_svg import html_page, svg

        text = svg(loaded.plan) if args.format == "svg" else html_page(loaded.plan)
    if args.output:
        return _write_file(Path(args.output), text, "graph")
    sys.stdout.write(text)
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """Scaffold a starter scenario."""
    from ttx.scaffold import ScaffoldError, scaffold

    try:
        created = scaffold(args.slug, args.dir)
    except ScaffoldError as error:
        print(f"ttx new: {error}", file=sys.stderr)
        return EXIT_INVALID
    print(f"created {created}")
    print(f"next: edit it, then run  ttx validate {created.parent}  and  ttx lint {created.parent}")
    return EXIT_OK


def _add_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-size",
        type=float,
        default=10.0,
        metavar="MB",
        help="refuse scenario files larger than this many megabytes (default 10)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ttx command."""
    parser = _Parser(prog="ttx", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ttx {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    validate = add("validate", cmd_validate, "check scenarios; report every problem as file:line:col: where: message")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="scenario folder or its scenario.yaml")
    validate.add_argument(
        "--script",
        type=Path,
        action="append",
        metavar="FILE",
        help="also check a headless-run script against the scenario (repeatable): unknown injects, phases, "
        "seats and options, and a seat answering an inject that does not go to it",
    )
    _add_limits(validate)

    lint = add("lint", cmd_lint, "report what is valid but probably wrong in scenarios")
    lint.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="scenario folder or its scenario.yaml")
    lint.add_argument("--strict", action="store_true", help="exit 1 when there are findings")
    lint.add_argument(
        "--show-ignored",
        action="store_true",
        help="also print the findings of the rules the scenario ignores (lint: {ignore: [...]}), with the reason",
    )
    _add_limits(lint)

    schema = add("schema", cmd_schema, "print the JSON Schema of scenario files (for editors) or of an output document")
    schema.add_argument(
        "--kind",
        choices=SCHEMA_KINDS,
        default="scenario",
        help="scenario.yaml (default), an inject library file, or the JSON of ttx report, report --compare, replay --json, status --json",
    )
    schema.add_argument("-o", "--output", help="write to this file instead of standard output")

    msel = add("msel", cmd_msel, "print the master scenario events list (every inject in time order)")
    msel.add_argument("path", type=Path, metavar="PATH", help="scenario folder or its scenario.yaml")
    msel.add_argument(
        "--format",
        choices=("table", "csv", "markdown", "xlsx"),
        default="table",
        help="table or markdown: a summary to read; csv: every field of every inject, one row each; xlsx: that "
        "MSEL plus the exercise, cells, participants, days and phases on further sheets, with drop-down lists "
        "(the starter workbook for 'ttx import'); layout in docs/scenario-format.md",
    )
    msel.add_argument("-o", "--output", help="write markdown, csv or xlsx to this file (xlsx needs it)")
    msel.add_argument("--day", type=int, help="only this exercise day")
    msel.add_argument("--cell", help="only injects this cell or participant receives")
    _add_limits(msel)

    importer = add(
        "import",
        cmd_import,
        "make a scenario folder from a spreadsheet MSEL (xlsx workbook or CSV); every problem as file.xlsx:Sheet!C14",
    )
    importer.add_argument("file", type=Path, metavar="MSEL", help="an .xlsx workbook or a .csv table")
    importer.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FOLDER", help="scenario folder to write: scenarios/<slug>"
    )
    importer.add_argument(
        "--setup",
        type=Path,
        metavar="SCENARIO",
        help="take the exercise, objectives, cells, participants, days and phases from this scenario and only the "
        "MSEL from the file (needed for CSV)",
    )
    importer.add_argument("--force", action="store_true", help="replace the folder's scenario.yaml if it exists")
    _add_limits(importer)

    graph = add("graph", cmd_graph, "draw the days, phases, injects and branches (Mermaid, SVG or an HTML page)")
    graph.add_argument("path", type=Path, metavar="PATH", help="scenario folder or its scenario.yaml")
    graph.add_argument(
        "--format",
        choices=("mermaid", "svg", "html"),
        default="mermaid",
        help="mermaid text (default), a swimlane SVG, or one self-contained HTML page with the SVG and an inject table",
    )
    graph.add_argument("-o", "--output", help="write to this file instead of standard output")
    _add_limits(graph)

    from ttx.cli_analysis import add_analysis_commands
    from ttx.cli_screen import add_screen_command
    from ttx.cli_serve import add_serve_command
    from ttx.cli_session import add_session_commands

    add_session_commands(add)
    add_screen_command(add)
    add_serve_command(add)
    add_analysis_commands(add)

    new = add("new", cmd_new, "scaffold a commented starter scenario that passes 'ttx lint --strict'")
    new.add_argument("slug", help="folder name for the scenario, e.g. coastal-surge")
    new.add_argument("--dir", type=Path, default=Path("scenarios"), help="where to create it (default: scenarios)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ttx command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_INVALID
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from ttx.engine.ports import StoreError

        if not isinstance(error, StoreError):
            raise
        # A session or log that fails part-way through (a damaged page, a forged event) still ends in one line.
        print(f"ttx: {one_line(str(error))}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
