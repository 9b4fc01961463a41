"""The after-action report / improvement plan draft, rendered as Markdown, self-contained HTML, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from functools import cache
from html import escape as _escape_html
from pathlib import Path
from typing import Any, Literal

from ttx.analysis.charts import bar_chart, timeline_chart
from ttx.analysis.report_model import Report
from ttx.text import csv_cell, markdown_cell, markdown_text, visible

CHATHAM_NOTE = (
    "Chatham House: attributed to cells only; verbatim text may still identify a delegation "
    "and should be reviewed before release."
)


def to_json(report: Report) -> str:
    """The report as indented JSON (schema ttx-report/1: ttx/schemas/report.schema.json)."""
    return report.to_json() + "\n"


def _tables(report: Report) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every table of the report: name → (header, rows)."""
    coverage = report.coverage
    return {
        "objectives": (
            [
                "objective",
                "title",
                "injects planned",
                "injects released",
                "responses",
                "requests",
                "handovers",
                "P",
                "S",
                "M",
                "U",
                "not observed",
            ],
            [
                [
                    o.id,
                    o.title,
                    o.injects_planned,
                    len(o.injects_released),
                    o.responses,
                    o.requests,
                    o.handovers,
                    *o.ratings.row(),
                ]
                for o in coverage.objectives
            ],
        ),
        "capabilities": (
            [
                "capability",
                "name",
                "rating",
                "injects released",
                "responders",
                "requests",
                "handovers",
                "P",
                "S",
                "M",
                "U",
                "not observed",
            ],
            [
                [
                    c.id,
                    c.name,
                    c.rating,
                    len(c.injects_released),
                    len(c.responders),
                    c.requests,
                    c.handovers,
                    *c.ratings.row(),
                ]
                for c in coverage.capabilities
            ],
        ),
        "critical_tasks": (
            ["capability", "task", "title", "P", "S", "M", "U", "not observed"],
            [[c.id, t.id, t.title, *t.ratings.row()] for c in coverage.capabilities for t in c.tasks],
        ),
        "participation": (
            [
                "delegation",
                "cells",
                "received",
                "responses",
                "answered",
                "required missed",
                "median response (min)",
                "worst response (min)",
            ],
            [
                [
                    d.id,
                    " ".join(d.cells),
                    d.received,
                    d.responses,
                    d.answered,
                    " ".join(d.required_missed),
                    d.median_response_minutes,
                    d.worst_response_minutes,
                ]
                for d in report.participation.delegations
            ],
        ),
        "cells": (
            ["cell", "received", "responses", "required answers missed"],
            [[c.id, c.received, c.responses, " ".join(c.required_missed)] for c in report.participation.cells],
        ),
        "decisions": (
            ["inject", "option", "by", "default", "TLP"],
            [[p.inject, p.option, p.by, "yes" if p.default else "", p.tlp] for p in report.decisions.path],
        ),
        "untaken_branches": (
            ["inject", "option", "label", "would release", "TLP"],
            [[u.inject, u.option, u.label, " ".join(u.would_release), u.tlp] for u in report.decisions.untaken],
        ),
        "coordination": (
            ["request", "from", "to", "between", "kind", "answered", "minutes to answer", "TLP"],
            [
                [
                    r.id,
                    r.from_,
                    r.to,
                    r.between,
                    f"{r.kind} (handover)" if r.handover and r.kind.strip().lower() != "handover" else r.kind,
                    "yes" if r.answered else "no",
                    r.minutes_to_answer,
                    r.tlp,
                ]
                for r in report.coordination.requests
            ],
        ),
        "coordination_graph": (
            ["from", "to", "between", "requests", "answered"],
            [[e.from_, e.to, e.between, e.requests, e.answered] for e in report.coordination.graph],
        ),
        "gaps": (
            ["source", "by", "capabilities", "theme", "inject", "event", "text", "TLP"],
            [
                [g.source, g.by, " ".join(g.capabilities), g.theme, g.inject, g.event, g.text, g.tlp]
                for g in report.gaps.register_
            ],
        ),
        "answers": (
            [
                "inject",
                "title",
                "whose answer",
                "deadline",
                "outcome",
                "answered",
                "late",
                "missing",
                "default",
                "contingency",
                "TLP",
            ],
            [
                [
                    o.inject,
                    o.title,
                    o.rule,
                    o.deadline,
                    o.outcome.replace("_", " "),
                    " ".join(o.answered),
                    "; ".join(o.late),
                    " ".join(o.missing),
                    o.default_option,
                    o.contingency,
                    o.tlp,
                ]
                for o in report.silence.injects
            ],
        ),
        "contingencies": (
            ["contingency", "because of", "released", "why", "TLP"],
            [[c.contingency, c.because_of, c.at, c.why, c.tlp] for c in report.silence.contingencies_fired],
        ),
        "not_played": (
            ["inject", "status", "planned", "TLP"],
            [[n.inject, n.status, n.planned, n.tlp] for n in report.silence.not_played],
        ),
        "responses": (
            ["inject", "by", "cell", "time", "minutes", "decision", "text", "agencies", "legal basis", "gaps", "TLP"],
            [
                [
                    r.inject,
                    r.by,
                    r.cell,
                    r.time,
                    r.minutes,
                    r.decision,
                    r.text,
                    r.agencies,
                    r.legal_basis,
                    r.gaps,
                    r.tlp,
                ]
                for r in report.responses
            ],
        ),
        "timeline": (
            ["inject", "released", "TLP"],
            [[t.inject, t.time, t.tlp] for t in report.timeline],
        ),
        "improvement_plan": (
            [
                "capability",
                "issue",
                "corrective action",
                "capability element (POETE)",
                "primary responsible organisation",
                "organisation POC",
                "start date",
                "completion date",
                "status",
                "TLP",
            ],
            [[*row.row(), row.tlp] for row in report.improvement_plan],
        ),
    }


def _strengths(report: Report) -> tuple[list[str], list[list[Any]]]:
    return (
        ["capability", "task", "rating", "observation", "inject", "TLP"],
        [[s.capability, s.task, s.rating.value, s.observation, s.inject, s.tlp] for s in report.strengths],
    )


def _improvements(report: Report) -> tuple[list[str], list[list[Any]]]:
    return (
        ["capability", "observation", "references", "analysis (root cause)", "recommendation", "TLP"],
        [
            [a.capability, a.observation, a.references, a.analysis, a.recommendation, a.tlp]
            for a in report.areas_for_improvement
        ],
    )


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else "not set"


def to_csv_zip(report: Report) -> bytes:
    """One CSV file per table, in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in _tables(report).items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([csv_cell(cell) for cell in row] for row in rows)
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()


def md_table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table (``_none_`` when there are no rows)."""

    def cell(value: Any) -> str:
        return "" if value is None else markdown_cell(str(value))

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) if rows else "_none_"


def _banner(report: Report) -> str:
    line = f"EXERCISE — {report.tlp}"
    if report.warning:
        line += f" — {report.warning}"
    if report.restricted_included:
        line += f" — INCLUDES RESTRICTED MATERIAL (above {report.exercise_tlp}, and evaluator notes)"
    return line


def session_log(report: Report) -> str:
    """The log's state and full head hash, as every report shows them."""
    session = report.session
    state = "sealed" if session.sealed else "open (not sealed)"
    forced = f"; resumed unverified: {'; '.join(session.resumed_unverified)}" if session.resumed_unverified else ""
    return f"log {state}, head {session.head}{forced}"


md = markdown_text


class Rendered(str):
    """Text already rendered for the output format (a table, a chart): templates insert it as is."""


TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment(kind: Literal["md", "html"]) -> Any:
    """The Jinja2 environment of one output format (imported here: `ttx --help` never loads jinja2).

    HTML: autoescape on, and every value made visible (control characters as escapes) before it is
    escaped. Markdown: every value escaped as Markdown text. Pre-rendered pieces pass unchanged.
    """
    import jinja2
    from markupsafe import Markup

    def finalize_md(value: Any) -> Any:
        if isinstance(value, Rendered):
            return value
        return "" if value is None else markdown_text(str(value))

    def finalize_html(value: Any) -> Any:
        if isinstance(value, Markup):
            return value
        return "" if value is None else visible(str(value))

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=kind == "html",
        finalize=finalize_html if kind == "html" else finalize_md,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _days(report: Report) -> tuple[list[str], list[list[Any]]]:
    return ["day", "title", "lead"], [[d.day, d.title, d.lead] for d in report.exercise.days]


def to_markdown(report: Report) -> str:
    """The AAR/IP draft in Markdown, for editing (templates/report.md.j2)."""
    tables = {**_tables(report), "strengths": _strengths(report), "improvements": _improvements(report)}
    tables["days"] = _days(report)
    return str(
        _environment("md")
        .get_template("report.md.j2")
        .render(
            banner=_banner(report),
            chatham=report.attribution == "chatham_house",
            chatham_note=CHATHAM_NOTE,
            exercise=report.exercise,
            session=report.session,
            session_log=session_log(report),
            dates=_date(report.exercise.start_date),
            gaps=report.gaps,
            silence=report.silence,
            table=lambda name: Rendered(md_table(*tables[name])),
        )
    )


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
.banner { background: #222; color: #fff; padding: .4em .8em; font-weight: bold; }
.tlp { padding: .1em .5em; margin-left: .5em; }
.tlp-RED { background: #c00; color: #fff; } .tlp-AMBER, .tlp-AMBER\\+STRICT { background: #f90; color: #000; }
.tlp-GREEN { background: #393; color: #fff; } .tlp-CLEAR { background: #fff; color: #000; }
.warning { background: #fdd; color: #900; padding: .4em .8em; font-weight: bold; }
table { border-collapse: collapse; margin: .5em 0 1.5em; width: 100%; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
.chart { display: block; margin: 1em 0; } .bar { fill: #36c; } .axis { stroke: #999; } .tick { stroke: #36c; stroke-width: 2; }
.chart-title { font-weight: bold; font-size: 13px; } .chart-label, .chart-value, .chart-empty { font-size: 12px; }
@media print { .chart { page-break-inside: avoid; } table { page-break-inside: auto; } }
"""


def escape(text: str) -> str:
    """Text for HTML: markup escaped, control characters shown as escapes."""
    return _escape_html(visible(text))


def html_table(header: list[str], rows: list[list[Any]]) -> str:
    """An HTML table (every cell escaped), or "none"."""
    if not rows:
        return "<p><em>none</em></p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: Report) -> str:
    """A single self-contained HTML file: readable, printable, charts as inline SVG (templates/report.html.j2)."""
    from markupsafe import Markup

    exercise, session, silence = report.exercise, report.session, report.silence
    tables = {**_tables(report), "strengths": _strengths(report), "improvements": _improvements(report)}
    tables["days"] = _days(report)
    tables["overview"] = (
        ["field", "value"],
        [
            ["exercise", f"{exercise.title} (version {exercise.version})"],
            ["dates", f"{_date(exercise.start_date)} · {len(exercise.days)} days"],
            ["sponsor", exercise.sponsor],
            ["co-chairs", ", ".join(exercise.co_chairs)],
            ["point of contact", exercise.point_of_contact],
            ["scope", exercise.scope],
            ["participating organisations", ", ".join(o.id for o in exercise.participating_organisations)],
            ["session", f"{session.lifecycle.value}, {session.events} events, {session_log(report)}"],
            [
                "played",
                f"{session.injects_released} injects released, {session.responses} responses, "
                f"{session.observations} observations",
            ],
        ],
    )
    tables["silence"] = (
        ["what", "which"],
        [
            [
                "required injects still owed an answer",
                ", ".join(u.inject for u in silence.unanswered_required) or "none",
            ],
            ["requests never answered", ", ".join(silence.open_requests) or "none"],
            [
                "longest quiet stretch per cell",
                "; ".join(f"{i.cell} {i.longest_idle_minutes} min" for i in silence.idle_cells) or "none",
            ],
        ],
    )
    charts = {
        "responses": bar_chart(
            "Median time to respond per delegation (played scenario minutes)",
            [
                (d.id, d.median_response_minutes)
                for d in report.participation.delegations
                if d.median_response_minutes is not None
            ],
            " min",
        ),
        "coverage": bar_chart(
            "Injects released per objective", [(o.id, len(o.injects_released)) for o in report.coverage.objectives]
        ),
        "timeline": timeline_chart(
            "Timeline of the exercise: inject releases", [(t.inject, t.at or 0) for t in report.timeline]
        ),
    }
    return str(
        _environment("html")
        .get_template("report.html.j2")
        .render(
            report=report,
            exercise=exercise,
            css=Markup(CSS),
            tlp_class=report.tlp.removeprefix("TLP:"),
            chatham=report.attribution == "chatham_house",
            chatham_note=CHATHAM_NOTE,
            charts={name: Markup(svg) for name, svg in charts.items()},
            table=lambda name: Markup(html_table(*tables[name])),
        )
    )
