"""Gap analysis: pure functions over a session's events and scenario snapshot, producing the typed report."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from ttx.analysis.report_model import (
    REPORT_SCHEMA,
    AreaForImprovement,
    CapabilityCoverage,
    CellParticipation,
    Coordination,
    CoordinationEdge,
    CoordinationRequest,
    Coverage,
    DayLine,
    Decisions,
    DelegationParticipation,
    ExerciseOverview,
    Gap,
    Gaps,
    IdleCell,
    ImprovementPlanRow,
    ObjectiveCoverage,
    Organisation,
    Participation,
    PathDecision,
    Ratings,
    Release,
    Report,
    SessionFigures,
    Silence,
    Strength,
    TaskCoverage,
    UnansweredInject,
    UntakenOption,
)
from ttx.collector import collector_paused
from ttx.engine.events import EventRecord, InjectReleased
from ttx.engine.obligations import awaits_response, deadline_at, response_required
from ttx.engine.state import ExerciseState, InjectStatus, Response
from ttx.engine.views import time_text
from ttx.model.base import Tlp
from ttx.model.plan import ReleaseKind

SCHEMA = REPORT_SCHEMA
RATINGS = ("P", "S", "M", "U", "NO")
SEVERITY: tuple[Literal["U", "M", "S", "P"], ...] = ("U", "M", "S", "P")
"""Ratings from most to least severe: a capability's rating is the most severe one recorded."""
THEMES = {
    "information sharing": ("share", "sharing", "information", "intelligence", "deconflict", "focal point", "channel"),
    "legal basis and process": (
        "legal",
        "law",
        "court",
        "mla",
        "mutual legal",
        "extradition",
        "dual criminality",
        "order",
    ),
    "data protection": ("data", "privacy", "consent", "name list", "personal"),
    "capacity and resources": ("capacity", "resource", "staff", "interpreter", "asset", "funding", "shelter"),
    "coordination between groups": ("handover", "working group", "coordination", "owner", "lead"),
    "victim protection": ("victim", "child", "children", "trafficking", "non-punishment", "referral", "screening"),
    "timeliness": ("late", "delay", "slow", "time", "hours", "weeks", "months"),
}


@dataclass(frozen=True)
class Options:
    """What the report may show."""

    include_restricted: bool = False
    """Include TLP:RED material and evaluators' notes."""
    chatham_house: bool = False
    """Attribute quotes to cells, never to delegations."""


def theme_of(text: str) -> str:
    """The first theme whose keywords the text mentions ("other" if none)."""
    lowered = text.lower()
    for theme, words in THEMES.items():
        if any(word in lowered for word in words):
            return theme
    return "other"


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def build_report(
    state: ExerciseState, records: list[EventRecord], options: Options = Options(), warning: str = ""
) -> Report:
    """Everything the after-action report needs (``warning``: what is wrong with a forced, unverified log)."""
    with collector_paused():
        return _analyse(state, records, options, warning)


def _analyse(state: ExerciseState, records: list[EventRecord], options: Options, warning: str) -> Report:
    assert state.scenario is not None and state.plan is not None
    scenario, plan = state.scenario, state.plan
    hidden = set() if options.include_restricted else {i for i in state.injects if state.inject(i).tlp is Tlp.RED}
    released = [i for i in state.released if i not in hidden]
    participants = {p.id: p for p in scenario.participants}

    def who(participant: str | None, cell: str | None = None) -> str:
        if participant is None:
            return "scenario default"
        if not options.chatham_house:
            return participant
        cells = [cell] if cell else participants[participant].cells[:1] if participant in participants else []
        return f"a delegation in {cells[0]}" if cells else "a delegation"

    released_at = {r.event.inject: r for r in records if isinstance(r.event, InjectReleased)}
    responses = [r for inject in released for r in state.responses.get(inject, [])]
    observations = [o for o in state.observations if o.event.inject not in hidden]

    by_participant: dict[str, list[Response]] = {}
    by_cell: dict[str | None, list[Response]] = {}
    for response in responses:
        by_participant.setdefault(response.participant, []).append(response)
        by_cell.setdefault(response.cell, []).append(response)
    rating_counts: Counter[tuple[str, str | None, str]] = Counter()
    for observation in observations:
        event = observation.event
        rating_counts[(event.capability, None, event.rating.value)] += 1
        rating_counts[(event.capability, event.task, event.rating.value)] += 1

    def responses_to(injects: list[str]) -> list[Response]:
        return [r for i in injects for r in state.responses.get(i, [])]

    # ---------------------------------------------------------------- coverage
    def ratings_for(capability: str, task: str | None = None) -> Ratings:
        return Ratings(**{rating: rating_counts[(capability, task, rating)] for rating in RATINGS})

    def injects_for(key: str, value: str) -> tuple[list[str], list[str]]:
        planned = [p.id for p in plan.injects if value in getattr(p.inject, key) and p.id not in hidden]
        return planned, [i for i in planned if state.is_released(i)]

    objectives = []
    for objective in scenario.objectives:
        planned_ids, out = injects_for("objectives", objective.id)
        answered = responses_to(out)
        responders = sorted({who(r.participant, r.cell) for r in answered})
        capability_ids = [c.id for c in scenario.capabilities if objective.id in c.objectives]
        counts: Counter[str] = Counter()
        for capability_id in capability_ids:
            counts.update(ratings_for(capability_id).document())
        objectives.append(
            ObjectiveCoverage(
                id=objective.id,
                title=objective.title,
                injects_planned=len(planned_ids),
                injects_released=out,
                responses=len(answered),
                responders=responders,
                ratings=Ratings(**{rating: counts.get(rating, 0) for rating in RATINGS}),
            )
        )
    capabilities = []
    for capability in scenario.capabilities:
        _, out = injects_for("capabilities", capability.id)
        ratings = ratings_for(capability.id)
        rated = [r for r in SEVERITY if getattr(ratings, r)]
        capabilities.append(
            CapabilityCoverage(
                id=capability.id,
                name=capability.name,
                objectives=capability.objectives,
                target=capability.target,
                injects_released=out,
                responders=sorted({who(r.participant, r.cell) for r in responses_to(out)}),
                ratings=ratings,
                rating=rated[0] if rated else "not rated",
                tasks=[
                    TaskCoverage(id=task, title=title, ratings=ratings_for(capability.id, task))
                    for task, title in zip(capability.task_ids(), capability.critical_tasks, strict=True)
                ],
            )
        )

    # ---------------------------------------------------------------- participation
    delegations = []
    for participant in scenario.participants:
        inbox = [i for i in state.inbox.get(participant.id, []) if i not in hidden]
        mine = by_participant.get(participant.id, [])
        first: dict[str, tuple[int, float]] = {}
        for response in mine:
            release = released_at.get(response.inject)
            if release is not None and response.inject not in first:
                first[response.inject] = (response.at - release.at, (response.wall - release.wall).total_seconds())
        required = [i for i in inbox if response_required(state, i)]
        missed = [i for i in required if i not in first]
        scenario_delays = [d[0] for d in first.values()]
        wall_delays = [d[1] for d in first.values()]
        delegations.append(
            DelegationParticipation(
                id=who(participant.id) if options.chatham_house else participant.id,
                name="" if options.chatham_house else participant.name,
                cells=participant.cells,
                received=len(inbox),
                responses=len(mine),
                answered=len(first),
                required_missed=missed,
                median_response_minutes=_minutes(statistics.median(scenario_delays)) if scenario_delays else None,
                worst_response_minutes=_minutes(max(scenario_delays)) if scenario_delays else None,
                median_response_wall_seconds=round(statistics.median(wall_delays), 1) if wall_delays else None,
                worst_response_wall_seconds=round(max(wall_delays), 1) if wall_delays else None,
            )
        )
    if options.chatham_house:
        delegations.sort(key=lambda d: (d.cells, d.received))
    cells = [
        CellParticipation(
            id=cell.id,
            name=cell.name,
            received=sum(1 for i in released if cell.id in state.receivers(i)[0]),
            responses=len(by_cell.get(cell.id, [])),
        )
        for cell in scenario.cells
    ]

    # ---------------------------------------------------------------- decisions and branches
    path = [
        PathDecision(inject=inject, option=decision.option, by=who(decision.participant), default=decision.default)
        for inject, decision in state.decisions.items()
        if inject not in hidden
    ]
    untaken = []
    for planned in plan.injects:
        inject = planned.inject
        if not inject.options or planned.id in hidden:
            continue
        chosen = state.decisions.get(planned.id)
        for alternative in inject.options:
            if chosen is None or alternative.id != chosen.option:
                untaken.append(
                    UntakenOption(
                        inject=planned.id,
                        option=alternative.id,
                        label=alternative.label,
                        would_release=alternative.release,
                        decision_reached=state.is_released(planned.id),
                    )
                )
    never_played = [
        p.id
        for p in plan.injects
        if p.kind is not ReleaseKind.scheduled and state.injects[p.id].status is InjectStatus.pending
    ]

    # ---------------------------------------------------------------- coordination
    requests: list[CoordinationRequest] = []
    edges: Counter[tuple[str, str]] = Counter()
    answered_edges: Counter[tuple[str, str]] = Counter()
    for request_id, request in state.requests.items():
        sent = request.event
        sender, recipient = who(sent.sender), who(sent.recipient)
        edges[(sender, recipient)] += 1
        if request.answer is not None:
            answered_edges[(sender, recipient)] += 1
        requests.append(
            CoordinationRequest(
                id=request_id,
                from_=sender,
                to=recipient,
                kind=sent.kind,
                answered=request.answer is not None,
                minutes_to_answer=_minutes(request.answered_at - request.sent_at)
                if request.answered_at is not None
                else None,
            )
        )
    graph = [
        CoordinationEdge(from_=a, to=b, requests=n, answered=answered_edges[(a, b)])
        for (a, b), n in sorted(edges.items())
    ]

    # ---------------------------------------------------------------- gaps register
    gaps: list[Gap] = []
    for response in responses:
        if response.gaps.strip():
            inject = state.inject(response.inject)
            gaps.append(
                Gap(
                    source="participant",
                    by=who(response.participant, response.cell),
                    text=response.gaps,
                    capabilities=inject.capabilities,
                    theme=theme_of(response.gaps),
                    inject=response.inject,
                    event=response.seq,
                )
            )
    for observation in observations:
        event = observation.event
        if event.rating.value in ("M", "U"):
            gaps.append(
                Gap(
                    source="evaluator",
                    by="evaluation team",
                    text=event.note
                    if options.include_restricted
                    else f"rated {event.rating.value} (evaluator note withheld)",
                    capabilities=[event.capability],
                    theme=theme_of(event.note),
                    inject=event.inject,
                    event=observation.seq,
                )
            )
    by_capability: dict[str, list[int]] = {}
    by_theme: dict[str, list[int]] = {}
    for index, gap in enumerate(gaps):
        for capability_id in gap.capabilities or ["(none)"]:
            by_capability.setdefault(capability_id, []).append(index)
        by_theme.setdefault(gap.theme, []).append(index)

    # ---------------------------------------------------------------- silence
    unanswered = [
        UnansweredInject(inject=i, deadline=time_text(d, state) if (d := deadline_at(state, i)) is not None else None)
        for i in released
        if awaits_response(state, i)
    ]
    idle = []
    for cell_row in cells:
        times = sorted({r.at for r in by_cell.get(cell_row.id, [])})
        marks = [plan.injects[0].time.seconds if plan.injects else 0, *times, state.at]
        gaps_between = [(b - a, a, b) for a, b in pairwise(marks)]
        if gaps_between:
            longest = max(gaps_between)
            idle.append(
                IdleCell(
                    cell=cell_row.id,
                    longest_idle_minutes=_minutes(longest[0]),
                    from_=time_text(longest[1], state),
                    to=time_text(longest[2], state),
                )
            )
    overdue_requests = [r.id for r in requests if not r.answered]

    # ---------------------------------------------------------------- AAR/IP
    strengths = [
        Strength(
            capability=o.event.capability,
            task=o.event.task,
            rating=o.event.rating,
            observation=o.event.note if options.include_restricted else "(evaluator note withheld)",
            inject=o.event.inject,
        )
        for o in observations
        if o.event.rating.value in ("P", "S")
    ]
    improvements = [
        AreaForImprovement(
            capability=", ".join(g.capabilities) or "(none)",
            observation=g.text,
            references=f"inject {g.inject}, event {g.event}" if g.inject else f"event {g.event}",
            analysis="",
            recommendation="",
            theme=g.theme,
        )
        for g in gaps
    ]
    plan_rows = [
        ImprovementPlanRow(
            capability=item.capability,
            issue=item.observation,
            corrective_action="",
            capability_element="",
            primary_responsible_organisation="",
            organisation_poc="",
            start_date="",
            completion_date="",
            status="open",
        )
        for item in improvements
    ]
    exercise = scenario.exercise
    return Report(
        tlp=exercise.tlp.label,
        restricted_included=options.include_restricted,
        attribution="chatham_house" if options.chatham_house else "delegation",
        exercise=ExerciseOverview(
            title=exercise.title,
            version=exercise.version,
            summary=exercise.summary,
            scope=exercise.scope,
            sponsor=exercise.sponsor,
            co_chairs=exercise.co_chairs,
            point_of_contact=exercise.point_of_contact,
            start_date=exercise.start_date,
            days=[DayLine(day=d.day, title=d.title, lead=d.lead) for d in scenario.days],
            participating_organisations=[
                Organisation(id=p.id, name=p.name, kind=p.kind) for p in scenario.participants
            ],
        ),
        session=SessionFigures(
            lifecycle=state.lifecycle,
            events=state.seq,
            head=state.head,
            sealed=state.sealed,
            resumed_unverified=list(state.unverified_resumes),
            ended_at=time_text(state.at, state),
            phases=[p.phase for p in state.phase_log],
            injects_released=len(released),
            injects_skipped=sum(1 for i in state.injects.values() if i.status is InjectStatus.skipped),
            responses=len(responses),
            observations=len(observations),
        ),
        coverage=Coverage(objectives=objectives, capabilities=capabilities),
        participation=Participation(delegations=delegations, cells=cells),
        decisions=Decisions(path=path, untaken=untaken, branch_injects_never_played=never_played),
        coordination=Coordination(requests=requests, graph=graph),
        gaps=Gaps(register_=gaps, by_capability=by_capability, by_theme=by_theme),
        silence=Silence(unanswered_required=unanswered, idle_cells=idle, open_requests=overdue_requests),
        strengths=strengths,
        areas_for_improvement=improvements,
        improvement_plan=plan_rows,
        timeline=[
            Release(
                inject=i,
                at=state.injects[i].released_at,
                time=time_text(state.injects[i].released_at or 0, state),
            )
            for i in released
        ],
        warning=warning or None,
    )
