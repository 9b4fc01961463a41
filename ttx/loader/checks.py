"""Cross-reference checks on a structurally valid scenario: ids exist, are unique, phases in order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from difflib import get_close_matches

from ttx.model.plan import PlanIssue
from ttx.model.scenario import ALL, Scenario

Path = tuple[str | int, ...]


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    choices = sorted(set(known))
    close = get_close_matches(value, choices, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {kind} {value!r}{hint}"


def check_references(scenario: Scenario, others: Mapping[str, frozenset[str]] | None = None) -> list[PlanIssue]:
    """Every cross-reference problem in the scenario, each with its data path.

    ``others`` maps a section ("cells", "injects", ...) to ids written in the files but left out of
    ``scenario`` because those items are invalid themselves: references to them are not reported.
    """
    others = others or {}
    issues: list[PlanIssue] = []

    def unique(section: str, ids: list[str], label: str) -> set[str]:
        seen: set[str] = set()
        for index, item_id in enumerate(ids):
            if item_id in seen:
                issues.append(((section, index, "id"), f"duplicate {label} id {item_id!r}"))
            seen.add(item_id)
        return seen

    def known(section: str, ids: list[str], label: str) -> set[str]:
        return unique(section, ids, label) | others.get(section, frozenset())

    objectives = known("objectives", [o.id for o in scenario.objectives], "objective")
    capabilities = known("capabilities", [c.id for c in scenario.capabilities], "capability")
    cells = known("cells", [c.id for c in scenario.cells], "cell")
    participants = known("participants", [p.id for p in scenario.participants], "participant")
    phases = known("phases", [p.id for p in scenario.phases], "phase")
    injects = known("injects", [i.id for i in scenario.injects], "inject")
    scoped = scenario.scope.capabilities
    out_of_scope = frozenset() if scoped is None else frozenset(capabilities - set(scoped))
    tasks = {task for c in scenario.capabilities if c.id not in out_of_scope for task in c.task_ids()}
    unchecked_task_prefixes = tuple(f"{c}." for c in others.get("capabilities", frozenset()))
    for index, participant in enumerate(scenario.participants):
        if participant.id in cells:
            issues.append(
                (
                    ("participants", index, "id"),
                    f"{participant.id!r} is already a cell id; cells and participants share one set of ids",
                )
            )

    groups = set(scenario.groups)
    for name, members in scenario.groups.items():
        if name in cells or name in participants or name == ALL:
            issues.append((("groups", name), f"group name {name!r} is already a cell or participant id"))
        if not members:
            issues.append((("groups", name), "a group needs at least one cell or participant"))
        for index, member in enumerate(members):
            if member in groups:
                issues.append((("groups", name, index), f"{member!r} is a group; a group lists cells and participants"))
            elif member not in cells and member not in participants:
                issues.append((("groups", name, index), _unknown("cell or participant", member, cells | participants)))

    def refs(path: Path, values: Iterable[str], kind: str, known: set[str]) -> None:
        for index, value in enumerate(values):
            if value not in known:
                issues.append(((*path, index), _unknown(kind, value, known)))

    def ref(path: Path, value: str | None, kind: str, known: set[str]) -> None:
        if value is not None and value not in known:
            issues.append((path, _unknown(kind, value, known)))

    for index, capability in enumerate(scenario.capabilities):
        refs(("capabilities", index, "objectives"), capability.objectives, "objective", objectives)
    listed: set[str] = set()
    for index, capability_id in enumerate(scoped or []):
        if capability_id in listed:
            issues.append((("scope", "capabilities", index), f"capability {capability_id!r} is listed twice"))
        elif capability_id not in capabilities:
            issues.append((("scope", "capabilities", index), _unknown("capability", capability_id, capabilities)))
        listed.add(capability_id)

    def scoped_refs(path: Path, values: Iterable[str], kind: str, known: set[str]) -> None:
        """Like refs, for capabilities and critical tasks: one left out of scope gets its own message."""
        for index, value in enumerate(values):
            owner = value if kind == "capability" else value.rpartition(".")[0]
            if owner in out_of_scope:
                issues.append(
                    (
                        (*path, index),
                        f"{kind} {value!r} is out of this scenario's scope: add {owner} to scope.capabilities "
                        "or leave it out here",
                    )
                )
            elif value not in known:
                issues.append(((*path, index), _unknown(kind, value, known)))

    for index, participant in enumerate(scenario.participants):
        refs(("participants", index, "cells"), participant.cells, "cell", cells)

    day_numbers: set[int] = set()
    for index, day in enumerate(scenario.days):
        if day.day in day_numbers:
            issues.append((("days", index, "day"), f"day {day.day} is listed twice"))
        elif day_numbers and day.day < max(day_numbers):
            issues.append((("days", index, "day"), f"day {day.day} is listed after day {max(day_numbers)}"))
        day_numbers.add(day.day)
        ref(("days", index, "lead"), day.lead, "cell", cells)

    previous = None
    for index, phase in enumerate(scenario.phases):
        if previous is not None and phase.start.minutes <= previous.start.minutes:
            issues.append(
                (
                    ("phases", index, "start"),
                    f"phase starts at {phase.start}, not after the previous phase ({previous.start}); "
                    "list phases in time order",
                )
            )
        if previous is not None and previous.end is not None and previous.end.minutes > phase.start.minutes:
            issues.append(
                (
                    ("phases", index - 1, "end"),
                    f"phase ends at {previous.end}, after the next phase starts ({phase.start})",
                )
            )
        if phase.played_on not in day_numbers and str(phase.played_on) not in others.get("days", frozenset()):
            field = "day" if phase.day is not None else "start"
            issues.append(
                (("phases", index, field), f"phase is played on day {phase.played_on}, which is not in 'days'")
            )
        if phase.guard is not None:
            refs(("phases", index, "guard", "responses"), phase.guard.responses, "inject", injects)
        previous = phase

    recipients = cells | participants | groups
    for index, inject in enumerate(scenario.injects):
        path: Path = ("injects", index)
        ref((*path, "after"), inject.after, "inject", injects)
        ref((*path, "phase"), inject.phase, "phase", phases)
        if inject.after == inject.id:
            issues.append(((*path, "after"), "an inject cannot be timed after itself"))
        if not inject.to_all:
            refs(
                (*path, "to"), inject.to, "cell, participant or group" if groups else "cell or participant", recipients
            )
        refs((*path, "objectives"), inject.objectives, "objective", objectives)
        scoped_refs((*path, "capabilities"), inject.capabilities, "capability", capabilities - out_of_scope)
        scoped_refs(
            (*path, "critical_tasks"),
            inject.critical_tasks,
            "critical task",
            tasks
            | {t for t in inject.critical_tasks if unchecked_task_prefixes and t.startswith(unchecked_task_prefixes)},
        )
        for number, option in enumerate(inject.options):
            refs((*path, "options", number, "release"), option.release, "inject", injects)
            ref((*path, "options", number, "enter_phase"), option.enter_phase, "phase", phases)
            if inject.id in option.release:
                issues.append(((*path, "options", number, "release"), "an option cannot release its own inject"))
        for number, trigger in enumerate(inject.triggers):
            refs((*path, "triggers", number, "release"), trigger.release, "inject", injects)
            ref((*path, "triggers", number, "enter_phase"), trigger.enter_phase, "phase", phases)
        if inject.response is not None:
            ref((*path, "response", "contingency"), inject.response.contingency, "inject", injects)
    return issues
