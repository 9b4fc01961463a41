"""Lint rules: what is valid but probably wrong in a scenario."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ttx.loader.load import LoadedScenario, describe_path
from ttx.loader.problems import Problem, Severity
from ttx.model.base import Tlp
from ttx.model.plan import Plan, ReleaseKind
from ttx.model.scenario import PLAYER_CELL_KINDS

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


def lint(loaded: LoadedScenario) -> list[Problem]:
    """Every lint finding for a loaded scenario, located and sorted."""
    plan = loaded.plan
    data = loaded.scenario.model_dump(by_alias=True, mode="json")
    findings: list[Problem] = []
    for name, (check, _) in RULES.items():
        for path, message in check(plan):
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


@rule("unused-capability", "a capability no inject exercises")
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


@rule("tlp-too-wide", "TLP:RED or AMBER+STRICT material addressed to whole cells or to all")
def _tlp_too_wide(plan: Plan) -> Iterator[Finding]:
    for planned in plan.injects:
        inject = planned.inject
        if inject.tlp not in (Tlp.RED, Tlp.AMBER_STRICT):
            continue
        if inject.to_all or planned.cells:
            yield (
                _inject_path(plan, inject.id, "to"),
                (f"{inject.tlp.label} is for the named recipients only; address delegations, not whole cells"),
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
