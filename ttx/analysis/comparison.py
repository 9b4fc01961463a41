"""Sessions side by side (``ttx report --compare``): the comparison document (schema ttx-compare/1) and its Markdown."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import Field

from ttx.analysis.report import CSS, escape, html_table, md_table
from ttx.analysis.report_model import CapabilityRating, Ratings, Report
from ttx.model.read import ReadModel

COMPARE_SCHEMA: Final = "ttx-compare/1"
"""The version of the comparison document."""


class ObjectiveFigures(ReadModel):
    """How one session covered one objective."""

    released: int
    """Injects serving it that were released."""
    responses: int
    """Responses to them."""
    ratings: Ratings
    """Ratings of the capabilities that serve it."""


class SessionSummary(ReadModel):
    """One session's headline figures."""

    label: str
    """The session file's or log's name."""
    exercise: str
    """The exercise title."""
    tlp: str
    """The exercise's handling label."""
    verified: bool
    """Whether the log's hash chain verified (false: forced)."""
    injects_released: int
    """Injects released."""
    responses: int
    """Responses recorded."""
    observations: int
    """Evaluator observations."""
    delegations_responding: int
    """Delegations that responded at least once."""
    required_missed: int
    """Answers required injects were owed and never got, counted per party their rule names (docs/scenario-format.md)."""
    injects_defaulted: int
    """Required injects whose decision was taken by default while answers were missing."""
    injects_late: int
    """Required injects answered in full, but some answers after the deadline or the default."""
    contingencies_fired: int
    """Contingencies released because answers were missing at a deadline."""
    objectives: dict[str, ObjectiveFigures]
    """Objective id → its coverage."""
    capability_ratings: dict[str, CapabilityRating]
    """Capability id → its rating (the most severe recorded, or "not rated")."""
    decisions: dict[str, str]
    """Inject id → the option taken ("option (default)" when nobody decided)."""


class Comparison(ReadModel):
    """Two or more sessions side by side: coverage, ratings and participation."""

    schema_: Literal["ttx-compare/1"] = Field(default=COMPARE_SCHEMA, alias="schema")
    """The document's format and version."""
    sessions: list[SessionSummary]
    """The sessions, in the order given."""


def _summary(label: str, report: Report) -> SessionSummary:
    delegations = report.participation.delegations
    return SessionSummary(
        label=label,
        exercise=report.exercise.title,
        tlp=report.tlp,
        verified=not report.warning,
        injects_released=report.session.injects_released,
        responses=report.session.responses,
        observations=report.session.observations,
        delegations_responding=sum(1 for d in delegations if d.responses),
        required_missed=sum(len(o.missing) for o in report.silence.injects),
        injects_defaulted=sum(1 for o in report.silence.injects if o.outcome == "defaulted"),
        injects_late=sum(1 for o in report.silence.injects if o.outcome == "late"),
        contingencies_fired=len(report.silence.contingencies_fired),
        objectives={
            o.id: ObjectiveFigures(released=len(o.injects_released), responses=o.responses, ratings=o.ratings)
            for o in report.coverage.objectives
        },
        capability_ratings={c.id: c.rating for c in report.coverage.capabilities},
        decisions={p.inject: f"{p.option} (default)" if p.default else p.option for p in report.decisions.path},
    )


def compare(reports: list[tuple[str, Report]]) -> Comparison:
    """Two or more sessions side by side: coverage, ratings and participation."""
    return Comparison(sessions=[_summary(label, report) for label, report in reports])


def compare_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown tables."""
    handling = " / ".join(sorted({s.tlp for s in comparison.sessions}))
    return f"**EXERCISE — {handling}**\n\n# Session comparison\n\n" + md_table(*_rows(comparison)) + "\n"


def _objective_cell(figures: ObjectiveFigures | None) -> str:
    return "— / —" if figures is None else f"{figures.released} / {figures.responses}"


def _rows(comparison: Comparison) -> tuple[list[str], list[list[object]]]:
    sessions = comparison.sessions
    rows: list[list[object]] = [
        ["exercise", *[s.exercise for s in sessions]],
        ["handling", *[s.tlp for s in sessions]],
        ["log verified", *["yes" if s.verified else "NO" for s in sessions]],
        ["injects released", *[s.injects_released for s in sessions]],
        ["responses", *[s.responses for s in sessions]],
        ["delegations responding", *[s.delegations_responding for s in sessions]],
        ["required answers missed", *[s.required_missed for s in sessions]],
        ["injects decided by default", *[s.injects_defaulted for s in sessions]],
        ["injects answered late", *[s.injects_late for s in sessions]],
        ["contingencies fired", *[s.contingencies_fired for s in sessions]],
        ["observations", *[s.observations for s in sessions]],
    ]
    for o in sorted({k for s in sessions for k in s.objectives}):
        rows.append([f"{o} injects released / responses", *[_objective_cell(s.objectives.get(o)) for s in sessions]])
    for c in sorted({k for s in sessions for k in s.capability_ratings}, key=lambda c: (len(c), c)):
        rows.append([f"{c} rating", *[s.capability_ratings.get(c, "—") for s in sessions]])
    for i in sorted({k for s in sessions for k in s.decisions}):
        rows.append([f"{i} decision", *[s.decisions.get(i, "—") for s in sessions]])
    return ["", *[s.label for s in sessions]], rows


def compare_html(comparison: Comparison) -> str:
    """The comparison as one self-contained HTML page (every value escaped)."""
    handling = " / ".join(sorted({s.tlp for s in comparison.sessions}))
    banner = f'<div class="banner">EXERCISE {escape(handling)}</div>'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(handling)} session comparison</title><style>{CSS}</style></head><body>"
        f"{banner}<h1>Session comparison</h1>{html_table(*_rows(comparison))}{banner}</body></html>\n"
    )
