"""Sessions side by side (``ttx report --compare``): the comparison document (schema ttx-compare/1) and its Markdown."""

from __future__ import annotations

from typing import Final, Literal

from pydantic import Field

from ttx.analysis.report import md_table
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
    """Required responses missed, over all delegations."""
    objectives: dict[str, ObjectiveFigures]
    """Objective id → its coverage."""
    capability_ratings: dict[str, CapabilityRating]
    """Capability id → its rating (the most severe recorded, or "not rated")."""
    decisions: dict[str, str]
    """Inject id → the option taken."""


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
        required_missed=sum(len(d.required_missed) for d in delegations),
        objectives={
            o.id: ObjectiveFigures(released=len(o.injects_released), responses=o.responses, ratings=o.ratings)
            for o in report.coverage.objectives
        },
        capability_ratings={c.id: c.rating for c in report.coverage.capabilities},
        decisions={p.inject: p.option for p in report.decisions.path},
    )


def compare(reports: list[tuple[str, Report]]) -> Comparison:
    """Two or more sessions side by side: coverage, ratings and participation."""
    return Comparison(sessions=[_summary(label, report) for label, report in reports])


def compare_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown tables."""
    sessions = comparison.sessions
    labels = [s.label for s in sessions]
    rows: list[list[object]] = [
        ["exercise", *[s.exercise for s in sessions]],
        ["handling", *[s.tlp for s in sessions]],
        ["log verified", *["yes" if s.verified else "NO" for s in sessions]],
        ["injects released", *[s.injects_released for s in sessions]],
        ["responses", *[s.responses for s in sessions]],
        ["delegations responding", *[s.delegations_responding for s in sessions]],
        ["required responses missed", *[s.required_missed for s in sessions]],
        ["observations", *[s.observations for s in sessions]],
    ]
    objectives = sorted({k for s in sessions for k in s.objectives})
    rows += [
        [
            f"{o} injects released / responses",
            *[_objective_cell(s.objectives.get(o)) for s in sessions],
        ]
        for o in objectives
    ]
    capabilities = sorted({k for s in sessions for k in s.capability_ratings}, key=lambda c: (len(c), c))
    rows += [[f"{c} rating", *[s.capability_ratings.get(c, "—") for s in sessions]] for c in capabilities]
    handling = " / ".join(sorted({s.tlp for s in sessions}))
    return f"**EXERCISE — {handling}**\n\n# Session comparison\n\n" + md_table(["", *labels], rows) + "\n"


def _objective_cell(figures: ObjectiveFigures | None) -> str:
    return "— / —" if figures is None else f"{figures.released} / {figures.responses}"
