"""The resolved timeline of a scenario: each inject's time, phase, day, recipients and how it is released."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from ttx.model.base import Tlp, strictest
from ttx.model.scenario import ALL, PLAYER_CELL_KINDS, Inject, Phase, Scenario
from ttx.model.time import Offset, ScenarioTime, due_at

PlanIssue = tuple[tuple[str | int, ...], str]
"""A problem found while resolving: the path in the scenario data, and the message."""


class ReleaseKind(StrEnum):
    """How an inject comes to be released."""

    scheduled = "scheduled"
    """At its time, on every path through the scenario."""
    branch = "branch"
    """Only when a decision option or trigger that names it fires."""
    contingency = "contingency"
    """Only when a required response is missing at its deadline."""


@dataclass(frozen=True, slots=True)
class PlannedInject:
    """An inject with everything the timeline needs resolved."""

    inject: Inject
    index: int
    """Position in the merged file order (ties in time keep this order)."""
    time: ScenarioTime
    """Planned scenario time (for conditional injects: when their trigger fires as planned)."""
    phase: str
    day: int
    kind: ReleaseKind
    sources: tuple[str, ...]
    """Injects whose decision, trigger, contingency or timing can release this one."""
    cells: frozenset[str]
    """Cells addressed directly (every cell for 'all')."""
    participants: frozenset[str]
    """Participants who receive it: those addressed, and everyone seated in an addressed cell."""

    @property
    def id(self) -> str:
        """The inject id."""
        return self.inject.id


@dataclass
class Plan:
    """The scenario's timeline, in release order."""

    scenario: Scenario
    injects: list[PlannedInject]
    by_id: dict[str, PlannedInject] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {planned.id: planned for planned in self.injects}

    def phase_end(self, phase: Phase) -> ScenarioTime | None:
        """When a phase ends: its own end, else the next phase's start (None for an open last phase)."""
        if phase.end is not None:
            return phase.end
        phases = self.scenario.phases
        position = phases.index(phase)
        return phases[position + 1].start if position + 1 < len(phases) else None

    def handling_label(self) -> Tlp:
        """The label of material that shows the whole plan: the strictest of the exercise's and every inject's."""
        return strictest((self.scenario.exercise.tlp, *(planned.inject.tlp for planned in self.injects)))

    def on_day(self, day: int) -> Iterator[PlannedInject]:
        """Injects played on an exercise day."""
        return (planned for planned in self.injects if planned.day == day)

    def releases(self, inject: Inject) -> list[str]:
        """Injects that this inject's options, triggers and contingency can release."""
        targets: list[str] = []
        for option in inject.options:
            targets.extend(option.release)
        for trigger in inject.triggers:
            targets.extend(trigger.release)
        if inject.contingency:
            targets.append(inject.contingency)
        return targets


def build_plan(scenario: Scenario) -> tuple[Plan, list[PlanIssue]]:
    """Resolve every inject's time, phase, day, release kind and recipients.

    Assumes ids cross-reference correctly (see ``ttx.loader.checks``). Returns the plan and the
    problems that prevent a sound timeline (relative-time cycles, missing anchors).
    """
    issues: list[PlanIssue] = []
    injects = {inject.id: inject for inject in scenario.injects}
    index_of = {inject.id: index for index, inject in enumerate(scenario.injects)}
    phases = {phase.id: phase for phase in scenario.phases}
    kinds, sources = _release_kinds(scenario, injects)

    times: dict[str, ScenarioTime] = {}
    resolving: set[str] = set()

    def resolve(inject_id: str) -> ScenarioTime:
        known = times.get(inject_id)
        if known is not None:
            return known
        inject = injects[inject_id]
        path = ("injects", index_of[inject_id], "time")
        if inject_id in resolving:
            issues.append((path, "relative times form a loop (through 'after' or the injects that release each other)"))
            times[inject_id] = ScenarioTime(0)
            return times[inject_id]
        resolving.add(inject_id)
        result = _resolve_one(inject, path)
        resolving.discard(inject_id)
        times[inject_id] = result
        return result

    def _resolve_one(inject: Inject, path: tuple[str | int, ...]) -> ScenarioTime:
        spec = inject.time
        if isinstance(spec, ScenarioTime):
            return spec
        assert isinstance(spec, Offset)
        if inject.after is not None:
            return resolve(inject.after) + spec.after
        if inject.phase is not None:
            return phases[inject.phase].start + spec.after
        origin = sources.get(inject.id)
        if origin:
            source = injects[origin[0]]
            anchor = resolve(source.id)
            if source.contingency == inject.id and source.response and source.response.deadline:
                anchor = ScenarioTime.from_seconds(due_at(source.response.deadline, anchor.seconds))
            return anchor + spec.after
        issues.append((path, "a relative time needs 'after' (an inject) or 'phase' to count from"))
        return ScenarioTime(0)

    for inject in scenario.injects:
        resolve(inject.id)

    resolve_to = Recipients(scenario)
    planned: list[PlannedInject] = []
    for index, inject in enumerate(scenario.injects):
        time = times[inject.id]
        phase = phases[inject.phase] if inject.phase else _phase_at(scenario.phases, time)
        cells, participants = resolve_to(inject.to)
        if inject.response is not None and isinstance(inject.response.by, list):
            for position, party in enumerate(inject.response.by):
                if party not in cells and party not in participants:
                    issues.append(
                        (
                            ("injects", index, "response", "by", position),
                            f"{party!r} does not receive this inject: 'by' names only cells in 'to' "
                            "and delegations that receive it",
                        )
                    )
        planned.append(
            PlannedInject(
                inject=inject,
                index=index,
                time=time,
                phase=phase.id,
                day=phase.played_on,
                kind=kinds.get(inject.id, ReleaseKind.scheduled),
                sources=tuple(sources.get(inject.id, ())),
                cells=cells,
                participants=participants,
            )
        )
    planned.sort(key=lambda p: (p.time.minutes, p.index))
    return Plan(scenario, planned), issues


def _release_kinds(
    scenario: Scenario, injects: dict[str, Inject]
) -> tuple[dict[str, ReleaseKind], dict[str, list[str]]]:
    kinds: dict[str, ReleaseKind] = {}
    sources: dict[str, list[str]] = {}
    for inject in scenario.injects:
        for option in inject.options:
            for target in option.release:
                kinds[target] = ReleaseKind.branch
                sources.setdefault(target, []).append(inject.id)
        for trigger in inject.triggers:
            for target in trigger.release:
                kinds[target] = ReleaseKind.branch
                sources.setdefault(target, []).append(inject.id)
    for inject in scenario.injects:
        if inject.contingency is not None:
            kinds.setdefault(inject.contingency, ReleaseKind.contingency)
            sources.setdefault(inject.contingency, []).append(inject.id)
    # An inject timed after a conditional inject is released only if that one is.
    changed = True
    while changed:
        changed = False
        for inject in scenario.injects:
            anchor = inject.after
            if anchor is None or inject.id in kinds or anchor not in kinds or anchor not in injects:
                continue
            kinds[inject.id] = kinds[anchor]
            sources[inject.id] = [anchor]
            changed = True
    return kinds, sources


class Recipients:
    """Resolves an inject's ``to`` list into the cells addressed and the participants who receive it."""

    def __init__(self, scenario: Scenario) -> None:
        self.members: dict[str, set[str]] = {cell.id: set() for cell in scenario.cells}
        for participant in scenario.participants:
            for cell in participant.cells:
                self.members.setdefault(cell, set()).add(participant.id)
        self.player_cells = frozenset(cell.id for cell in scenario.cells if cell.kind in PLAYER_CELL_KINDS)
        self.everyone = frozenset(p.id for p in scenario.participants)

    def __call__(self, to: list[str]) -> tuple[frozenset[str], frozenset[str]]:
        """(cells addressed, participants who receive) for a ``to`` list."""
        if to == [ALL]:
            return self.player_cells, self.everyone
        cells = frozenset(target for target in to if target in self.members)
        members = {m for cell in cells for m in self.members[cell]}
        return cells, frozenset(members | {t for t in to if t not in self.members})


def _phase_at(phases: list[Phase], time: ScenarioTime) -> Phase:
    current = phases[0]
    for phase in phases:
        if phase.start.minutes <= time.minutes:
            current = phase
        else:
            break
    return current


def deadline_of(planned: PlannedInject) -> ScenarioTime | None:
    """Planned time by which a required response is due, if the inject has a deadline."""
    rule = planned.inject.response
    if rule is None or rule.deadline is None:
        return None
    return ScenarioTime.from_seconds(due_at(rule.deadline, planned.time.seconds))
