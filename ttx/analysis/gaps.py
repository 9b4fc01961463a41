"""Gap analysis: pure functions over a session's events and scenario snapshot, producing the typed report."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from ttx.analysis.played import PlayedTime
from ttx.analysis.report_model import (
    REPORT_SCHEMA,
    AreaForImprovement,
    CapabilityCoverage,
    CellParticipation,
    ContingencyFired,
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
    InjectOutcome,
    InjectOutcomeKind,
    NotPlayed,
    ObjectiveCoverage,
    Organisation,
    Participation,
    PathDecision,
    Ratings,
    Release,
    Report,
    ResponseRow,
    SessionFigures,
    Silence,
    Strength,
    TaskCoverage,
    UnansweredInject,
    UntakenOption,
)
from ttx.collector import collector_paused
from ttx.engine.commands import HANDOVER
from ttx.engine.events import DecisionTaken, EventRecord, InjectReleased
from ttx.engine.obligations import (
    ANY,
    Party,
    answer_rule,
    answered_at,
    awaits_response,
    deadline_at,
    owes,
    parties,
    response_required,
)
from ttx.engine.state import ExerciseState, InjectStatus, Response
from ttx.engine.views import time_text
from ttx.model.base import Tlp, strictest
from ttx.model.plan import ReleaseKind
from ttx.model.scenario import PLAYER_CELL_KINDS

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
    """Include material above the exercise's label (TLP:RED, AMBER+STRICT…) and evaluators' notes."""
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
    exercise_tlp = scenario.exercise.tlp
    strictness = list(Tlp)  # most restrictive first

    def above_exercise(label: Tlp) -> bool:
        return label is Tlp.RED or strictness.index(label) < strictness.index(exercise_tlp)

    hidden = set() if options.include_restricted else {i for i in state.injects if above_exercise(state.inject(i).tlp)}
    labels_used: set[Tlp] = {exercise_tlp}

    def tlp_of(inject_id: str | None) -> str:
        """The label of a row quoting material of this inject (the exercise's, or the inject's if stricter)."""
        label = exercise_tlp
        if inject_id is not None and inject_id in state.injects:
            inject_label = state.inject(inject_id).tlp
            if strictness.index(inject_label) < strictness.index(label):
                label = inject_label
        labels_used.add(label)
        return label.label

    played = PlayedTime(records, scenario)
    released = [i for i in state.released if i not in hidden]

    def who(participant: str | None, cell: str | None = None) -> str:
        if participant is None:
            return "scenario default"
        if not options.chatham_house:
            return participant
        # only the cell the words were said in: never the delegation's own cell list, which can
        # single it out, and nothing at all for material addressed to delegations by name
        return f"a delegation in {cell}" if cell else "a delegation"

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
    cells_known = {c.id for c in scenario.cells}
    coordination = [r.event for r in state.requests.values() if r.event.inject not in hidden]

    def coordination_on(injects: list[str]) -> tuple[int, int]:
        """(requests citing these injects, of which working-group handovers between cells)."""
        cited = [e for e in coordination if e.inject in set(injects)]
        handovers = [
            e
            for e in cited
            if e.kind.strip().lower() == HANDOVER or (e.sender in cells_known and e.recipient in cells_known)
        ]
        return len(cited), len(handovers)

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
        asked, handed = coordination_on(out)
        objectives.append(
            ObjectiveCoverage(
                requests=asked,
                handovers=handed,
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
        asked, handed = coordination_on(out)
        capabilities.append(
            CapabilityCoverage(
                requests=asked,
                handovers=handed,
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
            if response.seq in played.paused_seqs:
                continue  # given during a pause: answered, but its time to respond cannot be measured
            if release is not None and response.inject not in first:
                first[response.inject] = (
                    played.seconds(release.at, response.at),
                    (response.wall - release.wall).total_seconds(),
                )
        required = [i for i in inbox if response_required(state, i) and owes(state, i, participant.id)]
        answered_ids = {r.inject for r in mine}
        missed = [i for i in required if i not in answered_ids]
        scenario_delays = [d[0] for d in first.values()]
        wall_delays = [d[1] for d in first.values()]
        delegations.append(
            DelegationParticipation(
                id=who(participant.id) if options.chatham_house else participant.id,
                name="" if options.chatham_house else participant.name,
                cells=participant.cells,
                received=len(inbox),
                responses=len(mine),
                answered=len(answered_ids & set(inbox)),
                required_missed=missed,
                median_response_minutes=_minutes(statistics.median(scenario_delays)) if scenario_delays else None,
                worst_response_minutes=_minutes(max(scenario_delays)) if scenario_delays else None,
                median_response_wall_seconds=round(statistics.median(wall_delays), 1) if wall_delays else None,
                worst_response_wall_seconds=round(max(wall_delays), 1) if wall_delays else None,
            )
        )
    if options.chatham_house:
        # one merged row per playing cell, in cell order: no row, order or cell list singles out a delegation
        merged = []
        rows = dict(zip((p.id for p in scenario.participants), delegations, strict=True))
        for cell in sorted(c.id for c in scenario.cells if c.kind in PLAYER_CELL_KINDS):
            members = [p.id for p in scenario.participants if cell in p.cells]
            if not members:
                continue
            spoken = by_cell.get(cell, [])
            delays: dict[tuple[str, str], tuple[int, float]] = {}
            for response in spoken:
                release = released_at.get(response.inject)
                key = (response.participant, response.inject)
                if release is not None and key not in delays and response.seq not in played.paused_seqs:
                    delays[key] = (
                        played.seconds(release.at, response.at),
                        (response.wall - release.wall).total_seconds(),
                    )
            in_scenario = [d[0] for d in delays.values()]
            in_wall = [d[1] for d in delays.values()]
            merged.append(
                DelegationParticipation(
                    id=f"delegations in {cell}",
                    name="",
                    cells=[cell],
                    received=sum(rows[m].received for m in members),
                    responses=len(spoken),
                    answered=len(delays),
                    required_missed=sorted({i for m in members for i in rows[m].required_missed}),
                    median_response_minutes=_minutes(statistics.median(in_scenario)) if in_scenario else None,
                    worst_response_minutes=_minutes(max(in_scenario)) if in_scenario else None,
                    median_response_wall_seconds=round(statistics.median(in_wall), 1) if in_wall else None,
                    worst_response_wall_seconds=round(max(in_wall), 1) if in_wall else None,
                )
            )
        delegations = merged
    owed_by_cell: dict[str, list[str]] = {}
    answers_by_inject = {i: answered_at(state, i) for i in released if response_required(state, i)}
    for inject_id, found in answers_by_inject.items():
        for party in parties(state, inject_id):
            if party.kind == "cell" and party not in found:
                owed_by_cell.setdefault(party.id, []).append(inject_id)
    cells = [
        CellParticipation(
            id=cell.id,
            name=cell.name,
            received=sum(1 for i in released if cell.id in state.receivers(i)[0]),
            responses=len(by_cell.get(cell.id, [])),
            required_missed=owed_by_cell.get(cell.id, []),
        )
        for cell in scenario.cells
    ]

    # ---------------------------------------------------------------- decisions and branches
    path = [
        PathDecision(
            inject=inject,
            option=decision.option,
            by=who(
                decision.participant,
                next(
                    (
                        r.cell
                        for r in state.responses.get(inject, [])
                        if r.participant == decision.participant and r.decision == decision.option
                    ),
                    None,
                ),
            ),
            default=decision.default,
            tlp=tlp_of(inject),
        )
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
                        tlp=tlp_of(planned.id),
                    )
                )
    never_played = [
        p.id
        for p in plan.injects
        if p.kind is not ReleaseKind.scheduled and state.injects[p.id].status is InjectStatus.pending
    ]

    # ---------------------------------------------------------------- coordination
    requests: list[CoordinationRequest] = []
    edges: Counter[tuple[str, str, str]] = Counter()
    answered_edges: Counter[tuple[str, str, str]] = Counter()
    cell_ids = {c.id for c in scenario.cells}

    def side(party_id: str) -> str:
        return party_id if party_id in cell_ids else who(party_id)

    def between(a: str, b: str) -> Literal["delegations", "cells", "delegation and cell"]:
        kinds = {x in cell_ids for x in (a, b)}
        return "cells" if kinds == {True} else "delegations" if kinds == {False} else "delegation and cell"

    shown_requests = [(k, r) for k, r in state.requests.items() if r.event.inject not in hidden]
    for number, (request_id, request) in enumerate(shown_requests, start=1):
        sent = request.event
        sender, recipient = side(sent.sender), side(sent.recipient)
        level = between(sent.sender, sent.recipient)
        edges[(sender, recipient, level)] += 1
        if request.answer is not None:
            answered_edges[(sender, recipient, level)] += 1
        requests.append(
            CoordinationRequest(
                id=f"request {number}" if options.chatham_house else request_id,
                from_=sender,
                to=recipient,
                kind=sent.kind,
                answered=request.answer is not None,
                minutes_to_answer=played.minutes(request.sent_at, request.answered_at)
                if request.answered_at is not None
                else None,
                tlp=tlp_of(sent.inject),
                between=level,
                handover=sent.kind.strip().lower() == HANDOVER,
            )
        )
    graph = [
        CoordinationEdge(from_=a, to=b, requests=n, answered=answered_edges[(a, b, level)], between=level)
        for (a, b, level), n in sorted(edges.items())
    ]

    # ---------------------------------------------------------------- gaps register
    capability_names = {c.id: c.name for c in scenario.capabilities}

    def capability_theme(capability: str) -> str:
        """A withheld note gives no theme: the capability's name does."""
        return theme_of(capability_names.get(capability, ""))

    def gap_theme(text: str, capabilities: list[str]) -> str:
        """The text's theme; failing that, its first capability's theme, or the capability itself."""
        theme = theme_of(text)
        for capability in capabilities:
            if theme != "other":
                break
            theme = capability_theme(capability)
            if theme == "other":
                theme = f"{capability}: {capability_names.get(capability, '')}".rstrip(": ")
        return theme

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
                    theme=gap_theme(response.gaps, inject.capabilities),
                    inject=response.inject,
                    event=response.seq,
                    tlp=tlp_of(response.inject),
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
                    theme=theme_of(event.note) if options.include_restricted else capability_theme(event.capability),
                    inject=event.inject,
                    event=observation.seq,
                    tlp=tlp_of(event.inject),
                )
            )
    by_capability: dict[str, list[int]] = {}
    by_theme: dict[str, list[int]] = {}
    for index, gap in enumerate(gaps):
        for capability_id in gap.capabilities or ["(none)"]:
            by_capability.setdefault(capability_id, []).append(index)
        by_theme.setdefault(gap.theme, []).append(index)

    # ---------------------------------------------------------------- silence and lateness
    default_seq = {r.event.inject: r.seq for r in records if isinstance(r.event, DecisionTaken) and r.event.default}

    def party_name(party: Party) -> str:
        return who(party.id) if party.kind == "delegation" else party.id

    outcomes: list[InjectOutcome] = []
    for inject_id in released:
        if not response_required(state, inject_id):
            continue
        owed = parties(state, inject_id)
        found = answers_by_inject[inject_id]
        deadline = deadline_at(state, inject_id)
        defaulted_at = default_seq.get(inject_id)
        late: list[str] = []
        for party, response in found.items():
            reasons = []
            if deadline is not None and response.at > deadline:
                reasons.append(f"{played.minutes(deadline, response.at)} min after the deadline")
            if defaulted_at is not None and response.seq > defaulted_at:
                reasons.append("after the default")
            if reasons:
                late.append(f"{party_name(party)}: {', '.join(reasons)}")
        missing = [party_name(p) for p in owed if p not in found]
        decision = state.decisions.get(inject_id)
        default_option = decision.option if decision is not None and decision.default else None
        if not missing:
            outcome: InjectOutcomeKind = "late" if late else "on_time"
        elif default_option is not None:
            outcome = "defaulted"
        else:
            outcome = "partly_answered" if found else "unanswered"
        target = state.inject(inject_id).contingency
        fired = (
            target
            if target is not None
            and state.injects[target].via == "contingency"
            and state.injects[target].cause == inject_id
            else None
        )
        rule = answer_rule(state, inject_id)
        outcomes.append(
            InjectOutcome(
                inject=inject_id,
                title=state.inject(inject_id).title,
                rule=" ".join(party_name(p) for p in owed) if isinstance(rule, list) else rule.value,
                deadline=time_text(deadline, state) if deadline is not None else None,
                outcome=outcome,
                answered=[party_name(p) for p in owed if p in found],
                late=late,
                missing=missing,
                default_option=default_option,
                contingency=fired if fired not in hidden else None,
                tlp=tlp_of(inject_id),
            )
        )
    contingencies = []
    for inject_id in released:
        item = state.injects[inject_id]
        if item.via != "contingency" or item.cause in hidden:
            continue
        cause = item.cause
        deadline = deadline_at(state, cause)
        owed = parties(state, cause)
        in_time = {p for p, r in answered_at(state, cause).items() if deadline is None or r.at <= deadline}
        lacking = [party_name(p) for p in owed if p not in in_time]
        contingencies.append(
            ContingencyFired(
                contingency=inject_id,
                because_of=cause,
                at=time_text(item.released_at or 0, state),
                why=(
                    f"no answer from {', '.join(lacking) or ANY} by "
                    f"{time_text(deadline, state) if deadline is not None else 'the deadline'}"
                ),
                tlp=tlp_of(inject_id),
            )
        )
    not_played = []
    for planned in plan.injects:
        item = state.injects[planned.id]
        if planned.id in hidden or item.status is InjectStatus.released:
            continue
        if item.status is InjectStatus.skipped:
            status: Literal["held", "skipped", "never released"] = "skipped"
        elif item.held:
            status = "held"
        elif planned.kind is ReleaseKind.scheduled:
            status = "never released"
        else:
            continue  # a branch or contingency not taken: listed under decisions
        not_played.append(
            NotPlayed(
                inject=planned.id, status=status, planned=time_text(planned.time.seconds, state), tlp=tlp_of(planned.id)
            )
        )
    unanswered = [
        UnansweredInject(
            inject=i,
            deadline=time_text(d, state) if (d := deadline_at(state, i)) is not None else None,
            tlp=tlp_of(i),
        )
        for i in released
        if awaits_response(state, i)
    ]
    playing = {c.id for c in scenario.cells if c.kind in PLAYER_CELL_KINDS}
    idle = []
    for cell_row in cells:
        if cell_row.id not in playing:
            continue
        addressed = [state.injects[i].released_at for i in released if cell_row.id in state.receivers(i)[0]]
        starts = [a for a in addressed if a is not None]
        if not starts:
            continue
        times = sorted({r.at for r in by_cell.get(cell_row.id, []) if r.at >= min(starts)})
        marks = [min(starts), *times, state.at]
        stretches = [(played.seconds(a, b), a, b) for a, b in pairwise(marks)]
        if stretches:
            longest = max(stretches)
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
            tlp=tlp_of(o.event.inject),
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
            tlp=g.tlp,
        )
        for g in gaps
    ]
    findings = {
        "defaulted": "decided by default: nobody who had to answer did",
        "unanswered": "required answers never came",
        "partly_answered": "some required answers never came",
        "late": "answered late",
    }
    for o in outcomes:
        if o.outcome == "on_time":
            continue
        inject = state.inject(o.inject)
        detail = "; ".join(
            part
            for part in (
                f"missing: {', '.join(o.missing)}" if o.missing else "",
                f"late: {'; '.join(o.late)}" if o.late else "",
                f"default {o.default_option} applied" if o.default_option else "",
                f"contingency {o.contingency} released" if o.contingency else "",
            )
            if part
        )
        improvements.append(
            AreaForImprovement(
                capability=", ".join(inject.capabilities) or "(none)",
                observation=f"Inject {o.inject} ({o.title}): {findings[o.outcome]} ({detail})",
                references=f"inject {o.inject}",
                analysis="",
                recommendation="",
                theme="timeliness",
                tlp=o.tlp,
            )
        )
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
            tlp=item.tlp,
        )
        for item in improvements
    ]
    timeline = [
        Release(
            inject=i,
            at=state.injects[i].released_at,
            time=time_text(state.injects[i].released_at or 0, state),
            tlp=tlp_of(i),
        )
        for i in released
    ]
    exercise = scenario.exercise
    banner = strictest(labels_used)
    return Report(
        tlp=banner.label,
        exercise_tlp=exercise.tlp.label,
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
        silence=Silence(
            unanswered_required=unanswered,
            idle_cells=idle,
            open_requests=overdue_requests,
            injects=outcomes,
            contingencies_fired=contingencies,
            not_played=not_played,
        ),
        strengths=strengths,
        areas_for_improvement=improvements,
        improvement_plan=plan_rows,
        timeline=timeline,
        responses=[
            ResponseRow(
                inject=r.inject,
                by=who(r.participant, r.cell),
                cell=r.cell,
                time=time_text(r.at, state),
                minutes=played.minutes(released_at[r.inject].at, r.at)
                if r.inject in released_at and r.seq not in played.paused_seqs
                else None,
                during_pause=r.seq in played.paused_seqs,
                decision=r.decision,
                text=r.text,
                agencies=r.agencies,
                legal_basis=r.legal_basis,
                gaps=r.gaps,
                tlp=tlp_of(r.inject),
            )
            for r in sorted(responses, key=lambda r: r.seq)
        ],
        warning=warning or None,
    )
