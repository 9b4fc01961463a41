"""The after-action report document (schema ttx-report/1, ttx/schemas/report.schema.json) as typed, frozen models."""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from ttx.engine.events import Rating
from ttx.engine.state import Lifecycle
from ttx.model.read import ReadModel, absent_when_none
from ttx.model.scenario import ParticipantKind

REPORT_SCHEMA: Final = "ttx-report/1"
"""The version of the report document; it changes when a key changes meaning or goes away."""

CapabilityRating = Literal["P", "S", "M", "U", "not rated"]


class Ratings(ReadModel):
    """Observations per HSEEP rating: performed without challenges (P), with some (S), with major (M), unable (U); not observed (NO)."""

    P: int
    """Performed without challenges."""
    S: int
    """Performed with some challenges."""
    M: int
    """Performed with major challenges."""
    U: int
    """Unable to be performed."""
    NO: int
    """Not observed (counted separately, never a rating)."""

    def row(self) -> list[int]:
        """The counts in table order: P, S, M, U, not observed."""
        return [self.P, self.S, self.M, self.U, self.NO]


# ---------------------------------------------------------------- exercise and session


class DayLine(ReadModel):
    """One exercise day."""

    day: int
    """The day number, from 1."""
    title: str
    """What the day is about."""
    lead: str | None
    """The cell leading the day, if any."""


class Organisation(ReadModel):
    """A participating delegation or organisation."""

    id: str
    """Its id ("THA", "IOM")."""
    name: str
    """Its name."""
    kind: ParticipantKind
    """A state, an international organisation (io), an NGO, or other."""


class ExerciseOverview(ReadModel):
    """The exercise as its scenario describes it."""

    title: str
    """The exercise title."""
    version: str
    """The scenario's version."""
    summary: str
    """The scenario summary ('' if none)."""
    scope: str
    """The exercise scope ('' if none)."""
    sponsor: str
    """The sponsor ('' if none)."""
    co_chairs: list[str]
    """The co-chairs."""
    point_of_contact: str
    """The point of contact ('' if none)."""
    start_date: dt.date | None
    """The first exercise day's date ("YYYY-MM-DD"), if set."""
    days: list[DayLine]
    """The exercise days and their lead groups."""
    participating_organisations: list[Organisation]
    """Every delegation and organisation in the scenario."""


class SessionFigures(ReadModel):
    """The session the report is drawn from."""

    lifecycle: Lifecycle
    """Where the exercise was in its life at the end of the log."""
    events: int
    """Events in the log."""
    head: str
    """The hash of the last event (SHA-256, hex): keep it with the report."""
    sealed: bool
    """Whether the log ends with the seal written when the exercise closed ("open (not sealed)" otherwise)."""
    resumed_unverified: list[str]
    """Problems of a log the facilitator resumed anyway with ttx run --force (empty when none)."""
    ended_at: str
    """The scenario time at the end of the log."""
    phases: list[str]
    """The phases entered, in order."""
    injects_released: int
    """Injects released (restricted ones only with --include-restricted)."""
    injects_skipped: int
    """Injects the facilitator skipped."""
    responses: int
    """Responses to the released injects."""
    observations: int
    """Evaluator observations (on injects shown)."""


# ---------------------------------------------------------------- coverage


class ObjectiveCoverage(ReadModel):
    """How the exercise covered one objective."""

    id: str
    """The objective id ("O1")."""
    title: str
    """The objective."""
    injects_planned: int
    """Injects in the scenario that serve it."""
    injects_released: list[str]
    """Of those, the ones released."""
    responses: int
    """Responses to the released ones."""
    responders: list[str]
    """Who responded, sorted."""
    requests: int
    """Coordination requests citing its released injects (delegations and working groups)."""
    handovers: int
    """Of those, handovers between working groups (kind "handover", or cell to cell)."""
    ratings: Ratings
    """Ratings of the capabilities that serve it."""


class TaskCoverage(ReadModel):
    """Ratings of one critical task."""

    id: str
    """The task id ("C4.1")."""
    title: str
    """The critical task."""
    ratings: Ratings
    """Observations of this task per rating."""


class CapabilityCoverage(ReadModel):
    """How the exercise covered, and evaluators rated, one capability."""

    id: str
    """The capability id ("C4")."""
    name: str
    """The capability."""
    objectives: list[str]
    """The objectives it serves."""
    target: str
    """Its performance target ('' if none)."""
    injects_released: list[str]
    """Released injects that exercise it."""
    responders: list[str]
    """Who responded to them, sorted."""
    requests: int
    """Coordination requests citing its released injects (delegations and working groups)."""
    handovers: int
    """Of those, handovers between working groups (kind "handover", or cell to cell)."""
    ratings: Ratings
    """Observations of this capability per rating."""
    rating: CapabilityRating
    """The most severe rating recorded (U, M, S, P), or "not rated"."""
    tasks: list[TaskCoverage]
    """Its critical tasks and their ratings."""


class Coverage(ReadModel):
    """Objectives and capabilities: what was played and how it was rated."""

    objectives: list[ObjectiveCoverage]
    """Per objective, in scenario order."""
    capabilities: list[CapabilityCoverage]
    """Per capability, in scenario order."""


# ---------------------------------------------------------------- participation


class DelegationParticipation(ReadModel):
    """What one delegation received and answered."""

    id: str
    """The delegation's id (with --chatham-house: "a delegation in DWG")."""
    name: str
    """Its name ('' with --chatham-house)."""
    cells: list[str]
    """The cells it sits in."""
    received: int
    """Injects it received."""
    responses: int
    """Responses it gave."""
    answered: int
    """Released injects it answered at least once."""
    required_missed: list[str]
    """Required injects it owed an answer itself (rule "each", or named in "by") and never answered."""
    median_response_minutes: float | None
    """Median time from release to its first response, in played scenario minutes (answers given during a pause are not timed)."""
    worst_response_minutes: float | None
    """Longest time from release to its first response, in scenario minutes."""
    median_response_wall_seconds: float | None
    """Median time from release to its first response, in wall-clock seconds."""
    worst_response_wall_seconds: float | None
    """Longest time from release to its first response, in wall-clock seconds."""


class CellParticipation(ReadModel):
    """What one cell received and answered."""

    id: str
    """The cell id ("DWG")."""
    name: str
    """The cell's name."""
    received: int
    """Released injects addressed to it."""
    responses: int
    """Responses recorded for it."""
    required_missed: list[str]
    """Released injects that owe this cell one answer (by their rule) that it never gave."""


class Participation(ReadModel):
    """Who received what, and who answered."""

    delegations: list[DelegationParticipation]
    """Per delegation (with --chatham-house: sorted by cells, unnamed)."""
    cells: list[CellParticipation]
    """Per cell, in scenario order."""


# ---------------------------------------------------------------- decisions


class PathDecision(ReadModel):
    """A decision on the path the exercise took."""

    inject: str
    """The inject decided."""
    option: str
    """The option taken."""
    by: str
    """Who decided, or "scenario default"."""
    default: bool
    """Whether the declared default was taken because nobody decided."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""


class UntakenOption(ReadModel):
    """An alternative never played."""

    inject: str
    """The inject with the decision."""
    option: str
    """The option not taken."""
    label: str
    """What the option says."""
    would_release: list[str]
    """The branch injects it would have released."""
    decision_reached: bool
    """Whether the decision's inject was released at all."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""


class Decisions(ReadModel):
    """The path the exercise took and the alternatives never played."""

    path: list[PathDecision]
    """Decisions taken, in order."""
    untaken: list[UntakenOption]
    """Options not taken, per inject with options."""
    branch_injects_never_played: list[str]
    """Branch and contingency injects never released."""


# ---------------------------------------------------------------- coordination


class CoordinationRequest(ReadModel):
    """A coordination request between delegations."""

    id: str
    """The request id."""
    from_: str = Field(alias="from")
    """Who asked."""
    to: str
    """Who was asked."""
    kind: str
    """What kind of request (mutual legal assistance, information…)."""
    answered: bool
    """Whether it was answered."""
    minutes_to_answer: float | None
    """Scenario minutes until the answer, in played time (none if unanswered)."""
    between: Literal["delegations", "cells", "delegation and cell"]
    """Who the parties are: two delegations, two cells (working groups), or one of each."""
    handover: bool
    """Whether it is an inter-working-group handover (request kind "handover")."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""


class CoordinationEdge(ReadModel):
    """Requests from one delegation to another."""

    from_: str = Field(alias="from")
    """Who asked."""
    to: str
    """Who was asked."""
    requests: int
    """Requests sent."""
    answered: int
    """Of those, answered."""
    between: Literal["delegations", "cells", "delegation and cell"]
    """Who the parties are: two delegations, two cells (working groups), or one of each."""


class Coordination(ReadModel):
    """Who asked whom for what, and whether and how fast it was answered."""

    requests: list[CoordinationRequest]
    """Every request, in the order sent."""
    graph: list[CoordinationEdge]
    """Requests per pair of delegations, sorted."""


# ---------------------------------------------------------------- gaps and silence


class Gap(ReadModel):
    """A gap or challenge noted by a participant, or an M/U observation by an evaluator."""

    source: Literal["participant", "evaluator"]
    """Who noted it."""
    by: str
    """The delegation (or "a delegation in DWG"), or "evaluation team"."""
    text: str
    """What was noted (an evaluator's note only with --include-restricted)."""
    capabilities: list[str]
    """The capabilities concerned."""
    theme: str
    """information sharing, legal basis and process, data protection, capacity and resources, coordination between groups, victim protection, timeliness, or other."""
    inject: str | None
    """The inject that raised it, if any."""
    event: int
    """The event that recorded it."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""


class Gaps(ReadModel):
    """The gaps register and its indexes."""

    register_: list[Gap] = Field(alias="register")
    """Every gap: participants' first, then evaluators'."""
    by_capability: dict[str, list[int]]
    """Capability id (or "(none)") → indexes into the register."""
    by_theme: dict[str, list[int]]
    """Theme → indexes into the register."""


class UnansweredInject(ReadModel):
    """A required inject nobody answered."""

    inject: str
    """The inject id."""
    deadline: str | None
    """When the response was due, in scenario time (none: no deadline)."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""


class IdleCell(ReadModel):
    """A cell's longest quiet stretch."""

    cell: str
    """The cell id."""
    longest_idle_minutes: float
    """The longest stretch without a response from it, in scenario minutes."""
    from_: str = Field(alias="from")
    """When the stretch began, in scenario time."""
    to: str
    """When it ended, in scenario time."""


InjectOutcomeKind = Literal["on_time", "late", "partly_answered", "defaulted", "unanswered"]


class InjectOutcome(ReadModel):
    """What became of one released inject that required an answer."""

    inject: str
    """The inject id."""
    title: str
    """Its headline."""
    rule: str
    """Whose answer it needed: "cell", "each", "any", or the parties named ("XAR DWG")."""
    deadline: str | None
    """When the answers were due, in scenario time (none: no deadline)."""
    outcome: InjectOutcomeKind
    """on_time: every party answered by the deadline; late: every party answered, some after the deadline
    or after a default; partly_answered / unanswered: some / no party answered; defaulted: the decision was
    taken by default and some party never answered."""
    answered: list[str]
    """Parties that answered (cells, delegations, or "(any receiver)")."""
    late: list[str]
    """Parties that answered late, each with why ("DWG: 45.0 min after the deadline", "XAR: after the default")."""
    missing: list[str]
    """Parties that never answered."""
    default_option: str | None
    """The option applied by default, if the decision was not taken by a player."""
    contingency: str | None
    """The contingency released because answers were missing at the deadline, if one was."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER")."""


class ContingencyFired(ReadModel):
    """A contingency inject released because an inject was not answered in time."""

    contingency: str
    """The contingency inject."""
    because_of: str
    """The inject whose answers were missing."""
    at: str
    """When it was released, in scenario time."""
    why: str
    """Who had not answered by the deadline."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER")."""


class NotPlayed(ReadModel):
    """A scheduled inject that players never saw."""

    inject: str
    """The inject id."""
    status: Literal["held", "skipped", "never released"]
    """Held by the facilitator when the session ended, skipped, or never reached."""
    planned: str
    """When it was planned, in scenario time."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER")."""


class Silence(ReadModel):
    """What nobody answered, and when cells were quiet."""

    unanswered_required: list[UnansweredInject]
    """Released injects still owed an answer by a party their rule names (defaulted ones included)."""
    idle_cells: list[IdleCell]
    """Each cell's longest quiet stretch."""
    open_requests: list[str]
    """Requests never answered."""
    injects: list[InjectOutcome]
    """Every released inject that required an answer: on time, late, partly answered, defaulted or unanswered."""
    contingencies_fired: list[ContingencyFired]
    """Contingencies released, and why."""
    not_played: list[NotPlayed]
    """Scheduled injects held, skipped or never released."""


# ---------------------------------------------------------------- AAR/IP tables


class Strength(ReadModel):
    """A P or S observation."""

    capability: str
    """The capability observed."""
    task: str | None
    """The critical task, if given."""
    rating: Rating
    """P or S."""
    observation: str
    """The evaluator's note (only with --include-restricted)."""
    inject: str | None
    """The inject being read, if any."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""


class AreaForImprovement(ReadModel):
    """A row of the areas for improvement: one per gap, analysis and recommendation left to complete."""

    capability: str
    """The capabilities concerned, comma-separated ("(none)")."""
    observation: str
    """What was noted."""
    references: str
    """The inject and event it comes from."""
    analysis: str
    """Root cause, to complete."""
    recommendation: str
    """To complete."""
    theme: str
    """The gap's theme."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""


class ImprovementPlanRow(ReadModel):
    """A row of the improvement plan, seeded from an area for improvement, to complete."""

    capability: str
    """The capabilities concerned."""
    issue: str
    """The area for improvement."""
    corrective_action: str
    """To complete."""
    capability_element: str
    """Planning, organisation, equipment, training or exercises (POETE), to complete."""
    primary_responsible_organisation: str
    """To complete."""
    organisation_poc: str
    """To complete."""
    start_date: str
    """To complete."""
    completion_date: str
    """To complete."""
    status: str
    """"open" until completed."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""

    def row(self) -> list[str]:
        """The cells in table order."""
        return [
            self.capability,
            self.issue,
            self.corrective_action,
            self.capability_element,
            self.primary_responsible_organisation,
            self.organisation_poc,
            self.start_date,
            self.completion_date,
            self.status,
        ]


class Release(ReadModel):
    """An inject release on the timeline."""

    inject: str
    """The inject id."""
    at: int | None
    """Scenario seconds since Day 1 00:00."""
    time: str
    """The same, as scenario time ("D2 09:30")."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER"): the stricter of the exercise's and the inject's."""


class ResponseRow(ReadModel):
    """One response, in full, for the appendix."""

    inject: str
    """The inject answered."""
    by: str
    """Who answered (a cell under Chatham House)."""
    cell: str | None
    """The cell the answer was given in."""
    time: str
    """When, in scenario time."""
    minutes: float | None
    """Played scenario minutes after the inject's release (none: given during a pause, not measurable)."""
    during_pause: bool
    """Whether it was recorded while the exercise was paused."""
    decision: str | None
    """The option chosen, if any."""
    text: str
    """The response."""
    agencies: str
    """Agencies involved."""
    legal_basis: str
    """Legal basis cited."""
    gaps: str
    """Gaps noted."""
    tlp: str
    """The handling label of the material this row quotes ("TLP:AMBER")."""


# ---------------------------------------------------------------- the report


class Report(ReadModel):
    """The after-action report / improvement plan draft of one session, with the gap analysis."""

    schema_: Literal["ttx-report/1"] = Field(default=REPORT_SCHEMA, alias="schema")
    """The document's format and version."""
    tlp: str
    """The report's handling label: the highest of the exercise's label and every row's ("TLP:AMBER")."""
    exercise_tlp: str
    """The exercise's own handling label; without --include-restricted nothing stricter is in the report."""
    restricted_included: bool
    """Whether material above the exercise's label (TLP:RED, AMBER+STRICT above AMBER…) and evaluators' notes are in."""
    attribution: Literal["delegation", "chatham_house"]
    """"chatham_house": responses, decisions, requests and gaps are attributed to cells, never to delegations."""
    exercise: ExerciseOverview
    """The exercise."""
    session: SessionFigures
    """The session."""
    coverage: Coverage
    """Objectives and capabilities."""
    participation: Participation
    """Delegations and cells."""
    decisions: Decisions
    """Decisions and branches."""
    coordination: Coordination
    """Coordination requests."""
    gaps: Gaps
    """The gaps register."""
    silence: Silence
    """Unanswered injects and requests, quiet cells."""
    strengths: list[Strength]
    """P and S observations."""
    areas_for_improvement: list[AreaForImprovement]
    """One row per gap."""
    improvement_plan: list[ImprovementPlanRow]
    """One row per area for improvement."""
    timeline: list[Release]
    """Inject releases in order."""
    responses: list[ResponseRow]
    """Appendix: every response included, in full, in log order."""
    warning: str | SkipJsonSchema[None] = absent_when_none()
    """Present only for a forced, unverified log: what is wrong with it."""
