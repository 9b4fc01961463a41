"""The after-action report / improvement plan draft, rendered as Markdown, self-contained HTML, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from html import escape as _escape_html
from typing import Any

from ttx.analysis.charts import bar_chart, timeline_chart
from ttx.analysis.report_model import Report
from ttx.text import csv_cell, markdown_cell, markdown_text, visible


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
                    *o.ratings.row(),
                ]
                for o in coverage.objectives
            ],
        ),
        "capabilities": (
            ["capability", "name", "rating", "injects released", "responders", "P", "S", "M", "U", "not observed"],
            [
                [
                    c.id,
                    c.name,
                    c.rating,
                    len(c.injects_released),
                    len(c.responders),
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
        "decisions": (
            ["inject", "option", "by", "default"],
            [[p.inject, p.option, p.by, "yes" if p.default else ""] for p in report.decisions.path],
        ),
        "untaken_branches": (
            ["inject", "option", "label", "would release"],
            [[u.inject, u.option, u.label, " ".join(u.would_release)] for u in report.decisions.untaken],
        ),
        "coordination": (
            ["request", "from", "to", "kind", "answered", "minutes to answer"],
            [
                [r.id, r.from_, r.to, r.kind, "yes" if r.answered else "no", r.minutes_to_answer]
                for r in report.coordination.requests
            ],
        ),
        "gaps": (
            ["source", "by", "capabilities", "theme", "inject", "event", "text"],
            [
                [g.source, g.by, " ".join(g.capabilities), g.theme, g.inject, g.event, g.text]
                for g in report.gaps.register_
            ],
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
            ],
            [row.row() for row in report.improvement_plan],
        ),
    }


def _strengths(report: Report) -> tuple[list[str], list[list[Any]]]:
    return (
        ["capability", "task", "rating", "observation", "inject"],
        [[s.capability, s.task, s.rating.value, s.observation, s.inject] for s in report.strengths],
    )


def _improvements(report: Report) -> tuple[list[str], list[list[Any]]]:
    return (
        ["capability", "observation", "references", "analysis (root cause)", "recommendation"],
        [
            [a.capability, a.observation, a.references, a.analysis, a.recommendation]
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
        line += " — INCLUDES RESTRICTED MATERIAL (TLP:RED and evaluator notes)"
    return line


def session_log(report: Report) -> str:
    """The log's state and full head hash, as every report shows them."""
    session = report.session
    state = "sealed" if session.sealed else "open (not sealed)"
    forced = f"; resumed unverified: {'; '.join(session.resumed_unverified)}" if session.resumed_unverified else ""
    return f"log {state}, head {session.head}{forced}"


md = markdown_text


def to_markdown(report: Report) -> str:
    """The AAR/IP draft in Markdown, for editing."""
    exercise, session = report.exercise, report.session
    tables = _tables(report)
    out = [
        f"**{md(_banner(report))}**",
        "",
        f"# After-action report / improvement plan (draft): {md(exercise.title)}",
        "",
        "## Exercise overview",
        "",
        f"- **Exercise:** {md(exercise.title)} (version {md(exercise.version)})",
        f"- **Dates:** {_date(exercise.start_date)} · {len(exercise.days)} days",
        f"- **Sponsor:** {md(exercise.sponsor or '—')} · **Co-chairs:** {md(', '.join(exercise.co_chairs) or '—')}",
        f"- **Point of contact:** {md(exercise.point_of_contact or '—')}",
        f"- **Scope:** {md(exercise.scope or '—')}",
        f"- **Participating organisations:** {len(exercise.participating_organisations)}",
        f"- **Session:** {session.lifecycle.value}, {session.events} events, {session_log(report)}; "
        f"{session.injects_released} injects released, {session.responses} responses, {session.observations} observations",
        "",
        md(exercise.summary or ""),
        "",
        "### Days",
        "",
        md_table(["day", "title", "lead"], [[d.day, d.title, d.lead] for d in exercise.days]),
        "",
        "## Objectives and capabilities",
        "",
        md_table(*tables["objectives"]),
        "",
        md_table(*tables["capabilities"]),
        "",
        "### Critical tasks",
        "",
        md_table(*tables["critical_tasks"]),
        "",
        "## Strengths",
        "",
        md_table(*_strengths(report)),
        "",
        "## Areas for improvement",
        "",
        md_table(*_improvements(report)),
        "",
        "## Participation",
        "",
        md_table(*tables["participation"]),
        "",
        "## Decisions and branches",
        "",
        md_table(*tables["decisions"]),
        "",
        "Alternatives never played:",
        "",
        md_table(*tables["untaken_branches"]),
        "",
        "## Coordination between delegations",
        "",
        md_table(*tables["coordination"]),
        "",
        "## Gaps register",
        "",
        md_table(*tables["gaps"]),
        "",
        "By theme: "
        + (", ".join(f"{md(theme)} ({len(items)})" for theme, items in report.gaps.by_theme.items()) or "none"),
        "",
        "## Silence",
        "",
        "- Required injects nobody answered: "
        + (md(", ".join(u.inject for u in report.silence.unanswered_required)) or "none"),
        "- Requests never answered: " + (md(", ".join(report.silence.open_requests)) or "none"),
        "- Longest quiet stretch per cell: "
        + (
            md(
                ", ".join(
                    f"{i.cell} {i.longest_idle_minutes} min ({i.from_}–{i.to})" for i in report.silence.idle_cells
                )
            )
            or "none"
        ),
        "",
        "## Improvement plan",
        "",
        md_table(*tables["improvement_plan"]),
        "",
        f"**{md(_banner(report))}**",
        "",
    ]
    return "\n".join(out)


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


def _html_table(header: list[str], rows: list[list[Any]]) -> str:
    if not rows:
        return "<p><em>none</em></p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: Report) -> str:
    """A single self-contained HTML file: readable, printable, charts as inline SVG."""
    exercise, session = report.exercise, report.session
    tables = _tables(report)
    tlp = report.tlp.removeprefix("TLP:")
    response_chart = bar_chart(
        "Median time to respond per delegation (scenario minutes)",
        [
            (d.id, d.median_response_minutes)
            for d in report.participation.delegations
            if d.median_response_minutes is not None
        ],
        " min",
    )
    coverage_chart = bar_chart(
        "Injects released per objective",
        [(o.id, len(o.injects_released)) for o in report.coverage.objectives],
    )
    timeline = timeline_chart(
        "Timeline of the exercise: inject releases", [(t.inject, t.at or 0) for t in report.timeline]
    )
    warning = f'<div class="warning">{escape(report.warning)}</div>' if report.warning else ""
    restricted = (
        '<div class="warning">Includes restricted material (TLP:RED and evaluator notes)</div>'
        if report.restricted_included
        else ""
    )
    banner = f'<div class="banner">EXERCISE <span class="tlp tlp-{escape(tlp)}">{escape(report.tlp)}</span></div>{warning}{restricted}'
    sections = [
        (
            "Exercise overview",
            f"<p>{escape(exercise.summary or '')}</p>"
            + _html_table(
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
                        f"{session.injects_released} injects released, {session.responses} responses, {session.observations} observations",
                    ],
                ],
            )
            + _html_table(["day", "title", "lead"], [[d.day, d.title, d.lead] for d in exercise.days])
            + timeline,
        ),
        (
            "Objectives and capabilities",
            coverage_chart
            + _html_table(*tables["objectives"])
            + _html_table(*tables["capabilities"])
            + "<h3>Critical tasks</h3>"
            + _html_table(*tables["critical_tasks"]),
        ),
        ("Strengths", _html_table(*_strengths(report))),
        ("Areas for improvement", _html_table(*_improvements(report))),
        ("Participation", response_chart + _html_table(*tables["participation"])),
        (
            "Decisions and branches",
            _html_table(*tables["decisions"])
            + "<h3>Alternatives never played</h3>"
            + _html_table(*tables["untaken_branches"]),
        ),
        ("Coordination between delegations", _html_table(*tables["coordination"])),
        ("Gaps register", _html_table(*tables["gaps"])),
        (
            "Silence",
            _html_table(
                ["what", "which"],
                [
                    [
                        "required injects nobody answered",
                        ", ".join(u.inject for u in report.silence.unanswered_required) or "none",
                    ],
                    ["requests never answered", ", ".join(report.silence.open_requests) or "none"],
                    [
                        "longest quiet stretch per cell",
                        "; ".join(f"{i.cell} {i.longest_idle_minutes} min" for i in report.silence.idle_cells)
                        or "none",
                    ],
                ],
            ),
        ),
        ("Improvement plan", _html_table(*tables["improvement_plan"])),
    ]
    body = "".join(f"<h2>{escape(title)}</h2>{content}" for title, content in sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.tlp)} AAR/IP draft: {escape(exercise.title)}</title><style>{CSS}</style></head><body>"
        f"{banner}<h1>After-action report / improvement plan (draft): {escape(exercise.title)}</h1>{body}{banner}</body></html>\n"
    )
