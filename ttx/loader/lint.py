"""Lint rules: what is valid but probably wrong in a scenario."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from difflib import get_close_matches

from ttx.loader.load import LoadedScenario, describe_path
from ttx.loader.problems import Problem, Severity
from ttx.model.base import Tlp
from ttx.model.plan import Plan, PlannedInject, ReleaseKind
from ttx.model.scenario import PLAYER_CELL_KINDS, Scenario
from ttx.model.time import ScenarioTime

Finding = tuple[tuple[str | int, ...], str]
Rule = Callable[[Plan], Iterator[Finding]]

RULES: dict[str, tuple[Rule, str]] = {}
"""Rule name → (check, one-line description)."""


def rule(name: str, description: str) -> Callable[[Rule], Rule]:
    """Register a lint rule."""

    def register(check: Rule) -> Rule:
        RULES[name] = (check, description)
        return check

    return register


def lint(loaded: LoadedScenario, *, ignored: bool = False) -> list[Problem]:
    """Every lint finding for a loaded scenario, located and sorted.

    Rules the scenario lists under ``lint.ignore`` are left out; with ``ignored``, only their findings.
    """
    plan = loaded.plan
    data: dict[str, object] | None = None  # dumped only when a finding needs its place described
    skip = {entry.rule for entry in loaded.scenario.lint.ignore}
    findings: list[Problem] = []
    for name, (check, _) in RULES.items():
        if (name in skip) != ignored:
            continue
        for path, message in check(plan):
            if data is None:
                data = loaded.scenario.model_dump(by_alias=True, mode="json")
            findings.append(
                Problem(
                    loaded.sources.locate(path),
                    describe_path(path, data),
                    message,
                    Severity.warning,
                    name,
                )
            )
    return sorted(findings, key=Problem.sort_key)


def _inject_path(plan: Plan, inject_id: str, *rest: str | int) -> tuple[str | int, ...]:
    return ("injects", plan.by_id[inject_id].index, *rest)


@rule("unreachable-inject", "a branch or contingency inject that no reachable inject can release")
def _unreachable(plan: Plan) -> Iterator[Finding]:
    reachable = {p.id for p in plan.injects if p.kind is ReleaseKind.scheduled}
    changed = True
    while changed:
        changed = False
        for planned in plan.injects:
            if planned.id not in reachable and any(s in reachable for s in planned.sources):
                reachable.add(planned.id)
                changed = True
    for planned in plan.injects:
        if planned.id not in reachable:
            yield _inject_path(plan, planned.id), "no reachable inject releases this inject, so it can never be played"


@rule("no-recipients", "an inject whose addressed cells have nobody seated in them")
def _no_recipients(plan: Plan) -> Iterator[Finding]:
    for planned in plan.injects:
        if not planned.participants:
            yield (
                _inject_path(plan, planned.id, "to"),
                "nobody receives this inject: the cells it names have no participants",
            )


@rule("unused-objective", "an objective no inject exercises")
def _unused_objectives(plan: Plan) -> Iterator[Finding]:
    used = {o for p in plan.injects for o in p.inject.objectives}
    for index, objective in enumerate(plan.scenario.objectives):
        if objective.id not in used:
            yield ("objectives", index, "id"), f"no inject exercises objective {objective.id}"


@rule("unused-capability", "a capability in the scenario's scope that no inject exercises")
def _unused_capabilities(plan: Plan) -> Iterator[Finding]:
    used = {c for p in plan.injects for c in p.inject.capabilities}
    for index, capability in enumerate(plan.scenario.capabilities):
        if capability.id not in used:
            yield ("capabilities", index, "id"), f"no inject exercises capability {capability.id}"


@rule("idle-cell", "a playing cell that receives nothing on a day")
def _idle_cells(plan: Plan) -> Iterator[Finding]:
    for day_index, day in enumerate(plan.scenario.days):
        addressed = {cell for p in plan.on_day(day.day) for cell in p.cells}
        for cell in plan.scenario.cells:
            if cell.kind in PLAYER_CELL_KINDS and cell.id not in addressed:
                yield ("days", day_index, "day"), f"cell {cell.id} receives no inject on day {day.day}"


@rule("day-without-lead", "a day with no lead working group")
def _days_without_lead(plan: Plan) -> Iterator[Finding]:
    for index, day in enumerate(plan.scenario.days):
        if day.lead is None:
            yield ("days", index), f"day {day.day} has no lead working group"


@rule("after-last-phase", "an inject timed after the last phase ends (or the last phase has no end)")
def _after_last_phase(plan: Plan) -> Iterator[Finding]:
    phases = plan.scenario.phases
    last = phases[-1]
    if last.end is None:
        yield (
            ("phases", len(phases) - 1),
            f"the last phase ({last.id}) has no 'end'; set one so late injects can be spotted",
        )
        return
    for planned in plan.injects:
        if planned.time.minutes >= last.end.minutes:
            yield _inject_path(plan, planned.id, "time"), f"at {planned.time}, after the last phase ends ({last.end})"


@rule("between-phases", "an inject timed after one phase ends and before the next starts, in no phase")
def _between_phases(plan: Plan) -> Iterator[Finding]:
    phases = plan.scenario.phases
    spans = [(phase, plan.phase_end(phase)) for phase in phases]
    last_end = spans[-1][1]
    for planned in plan.injects:
        minutes = planned.time.minutes
        if planned.inject.phase is not None or minutes < phases[0].start.minutes:
            continue  # an assigned phase is checked by outside-phase; before the first by before-first-phase
        if last_end is not None and minutes >= last_end.minutes:
            continue  # after-last-phase
        if any(p.start.minutes <= minutes and (end is None or minutes < end.minutes) for p, end in spans):
            continue
        before = max(
            (pair for pair in spans if pair[0].start.minutes <= minutes), key=lambda pair: pair[0].start.minutes
        )
        after = min((p for p in phases if p.start.minutes > minutes), key=lambda p: p.start.minutes)
        yield (
            _inject_path(plan, planned.id, "time"),
            f"at {planned.time}, after phase {before[0].id} ends ({before[1]}) and before phase {after.id} "
            f"starts ({after.start}): in no phase",
        )


@rule("before-first-phase", "an inject timed before the first phase starts")
def _before_first_phase(plan: Plan) -> Iterator[Finding]:
    first = plan.scenario.phases[0]
    for planned in plan.injects:
        if planned.time.minutes < first.start.minutes:
            yield (
                _inject_path(plan, planned.id, "time"),
                f"at {planned.time}, before the first phase starts ({first.start})",
            )


@rule("outside-phase", "an inject assigned to a phase but timed outside it")
def _outside_phase(plan: Plan) -> Iterator[Finding]:
    phases = {phase.id: phase for phase in plan.scenario.phases}
    for planned in plan.injects:
        if planned.inject.phase is None:
            continue
        phase = phases[planned.phase]
        end = plan.phase_end(phase)
        if planned.time.minutes < phase.start.minutes or (end is not None and planned.time.minutes >= end.minutes):
            yield (
                _inject_path(plan, planned.id, "phase"),
                f"timed {planned.time}, outside phase {phase.id} ({phase.start} to {end or 'open'})",
            )


@rule("decision-without-questions", "a decision inject with no discussion questions")
def _decision_questions(plan: Plan) -> Iterator[Finding]:
    for planned in plan.injects:
        if planned.inject.options and not planned.inject.questions:
            yield (
                _inject_path(plan, planned.id, "options"),
                "decision inject has no discussion questions to frame the choice",
            )


@rule("participant-without-cell", "a delegation or organisation seated in no cell")
def _participants_without_cell(plan: Plan) -> Iterator[Finding]:
    for index, participant in enumerate(plan.scenario.participants):
        if not participant.cells:
            yield (
                ("participants", index, "id"),
                f"{participant.id} sits in no cell and only sees injects addressed to it by name",
            )


@rule("branch-cycle", "branches that release each other in a loop")
def _branch_cycles(plan: Plan) -> Iterator[Finding]:
    edges = {p.id: plan.releases(p.inject) for p in plan.injects}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()
    for start in edges:
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = []
        while stack:
            node, position = stack.pop()
            if position == 0:
                if state.get(node) == 2:
                    continue
                state[node] = 1
                trail.append(node)
            targets = edges.get(node, [])
            if position < len(targets):
                stack.append((node, position + 1))
                target = targets[position]
                if state.get(target) == 1:
                    cycle = trail[trail.index(target) :]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        loop = " → ".join([*cycle, target])
                        yield _inject_path(plan, cycle[0]), f"branch cycle: {loop}"
                elif state.get(target) != 2:
                    stack.append((target, 0))
            else:
                state[node] = 2
                trail.pop()


@rule("tlp-too-wide", "TLP:RED or AMBER+STRICT material addressed to all, to whole cells or through a group")
def _tlp_too_wide(plan: Plan) -> Iterator[Finding]:
    for planned in plan.injects:
        inject = planned.inject
        if inject.tlp not in (Tlp.RED, Tlp.AMBER_STRICT):
            continue
        groups = plan.scenario.groups_written(inject.id)
        if inject.to_all:
            wide = "it is addressed to all"
        elif planned.cells:
            cells = sorted(planned.cells)
            wide = f"it is addressed to the whole cell{'s' if len(cells) > 1 else ''} {', '.join(cells)}"
            if groups:
                wide += f" (through the group{'s' if len(groups) > 1 else ''} {', '.join(groups)})"
        elif groups:
            wide = (
                f"it is addressed through the group{'s' if len(groups) > 1 else ''} {', '.join(groups)}, "
                "which a later edit can widen"
            )
        else:
            continue
        yield (
            _inject_path(plan, inject.id, "to"),
            f"{inject.tlp.label} is for the named recipients only, but {wide}; name the delegations",
        )


@rule("questions-missing", "a required-response inject with no discussion questions")
def _required_without_questions(plan: Plan) -> Iterator[Finding]:
    for planned in plan.injects:
        inject = planned.inject
        if inject.response and inject.response.required and not inject.options and not inject.questions:
            yield (
                _inject_path(plan, inject.id, "response"),
                "a response is required but no question says what to respond to",
            )


def _exercise_day(plan: Plan, time_day: int, phase_id: str) -> int:
    """The exercise day a scenario day is played on: a phase maps its start day to the day it is played on."""
    phase = next(phase for phase in plan.scenario.phases if phase.id == phase_id)
    return phase.played_on + (time_day - phase.start.day)


@rule("after-last-day", "an inject timed on a day after the exercise's last day (a mistyped day or time jump)")
def _after_last_day(plan: Plan) -> Iterator[Finding]:
    last = max(day.day for day in plan.scenario.days)
    for planned in plan.injects:
        day = _exercise_day(plan, planned.time.day, planned.phase)
        if day > last:
            yield (
                _inject_path(plan, planned.id, "time"),
                f"at {planned.time}, which falls on exercise day {day}; the exercise ends on day {last}",
            )


@rule("empty-phase", "a phase with no inject timed inside it")
def _empty_phases(plan: Plan) -> Iterator[Finding]:
    for index, phase in enumerate(plan.scenario.phases):
        end = plan.phase_end(phase)
        inside = [
            planned
            for planned in plan.injects
            if planned.phase == phase.id
            and phase.start.minutes <= planned.time.minutes
            and (end is None or planned.time.minutes < end.minutes)
        ]
        if not inside:
            span = f"{phase.start} to {end}" if end is not None else f"from {phase.start}"
            yield ("phases", index, "id"), f"phase {phase.id} ({span}) has no inject timed inside it"


@rule(
    "guard-deadlock",
    "a phase guard waiting on an inject released only after the phase starts, or only on some paths",
)
def _guard_deadlock(plan: Plan) -> Iterator[Finding]:
    for index, phase in enumerate(plan.scenario.phases):
        if phase.guard is None:
            continue
        for position, inject_id in enumerate(phase.guard.responses):
            planned = plan.by_id.get(inject_id)
            if planned is None:
                continue
            where = ("phases", index, "guard", "responses", position)
            if planned.time.minutes >= phase.start.minutes:
                yield (
                    where,
                    f"waits for an answer to {inject_id}, released at {planned.time}, not before the phase "
                    f"starts ({phase.start}): in live play the clock stops at the boundary and never gets there",
                )
            elif (path := _released_only_if(plan, planned)) is not None:
                yield (
                    where,
                    f"waits for an answer to {inject_id}, which is released only {path}: on any other path "
                    f"the clock stops at the phase start ({phase.start}) until the facilitator overrides the guard",
                )


def _released_only_if(plan: Plan, planned: PlannedInject) -> str | None:
    """When a conditional inject is released, as a phrase; None if it is released on every path."""
    if planned.kind is ReleaseKind.scheduled:
        return None
    anchors = [plan.by_id[source].inject for source in planned.sources if source in plan.by_id]
    named = ", ".join(planned.sources)
    if any(anchor.options and all(planned.id in option.release for option in anchor.options) for anchor in anchors):
        return None  # every option of a decision releases it
    if any(anchor.contingency == planned.id for anchor in anchors):
        return f"if {named} is not answered by its deadline"
    released_by = [*(o.release for a in anchors for o in a.options), *(t.release for a in anchors for t in a.triggers)]
    if any(planned.id in release for release in released_by):
        return f"by a branch of {named}"
    return f"if {named} is released"  # timed after a branch or contingency inject


@rule("branch-before-decision", "a branch inject timed before the decision or trigger that releases it")
def _branch_before_decision(plan: Plan) -> Iterator[Finding]:
    for source in plan.injects:
        targets = [t for option in source.inject.options for t in option.release]
        targets += [t for trigger in source.inject.triggers for t in trigger.release]
        for target in dict.fromkeys(targets):
            planned = plan.by_id.get(target)
            if planned is not None and planned.time.minutes < source.time.minutes:
                yield (
                    _inject_path(plan, target, "time"),
                    f"at {planned.time}, before {source.id} ({source.time}) whose decision or trigger releases it",
                )


@rule("deadline-before-release", "a response deadline, written as a scenario time, at or before the inject's release")
def _deadline_before_release(plan: Plan) -> Iterator[Finding]:
    for planned in plan.injects:
        rule = planned.inject.response
        if (
            rule is not None
            and isinstance(rule.deadline, ScenarioTime)
            and rule.deadline.minutes <= planned.time.minutes
        ):
            yield (
                _inject_path(plan, planned.id, "response", "deadline"),
                f"due {rule.deadline}, but the inject is released at {planned.time}: nobody can answer in time",
            )


def unknown_ignored_rules(scenario: Scenario) -> list[Finding]:
    """Names under ``lint.ignore`` that are not lint rules (a typo would silently ignore nothing)."""
    problems: list[Finding] = []
    for index, entry in enumerate(scenario.lint.ignore):
        if entry.rule not in RULES:
            close = get_close_matches(entry.rule, RULES, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the rules are: {', '.join(RULES)}"
            problems.append((("lint", "ignore", index), f"unknown lint rule {entry.rule!r}{hint}"))
    return problems
