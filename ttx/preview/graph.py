"""The scenario's phases and branches as a Mermaid flowchart (renders on GitHub, no Graphviz)."""

from __future__ import annotations

import re

from ttx.model.plan import Plan, ReleaseKind
from ttx.text import one_line

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def _node(prefix: str, ident: str) -> str:
    return f"{prefix}_{_UNSAFE.sub('_', ident)}"


def _label(text: str) -> str:
    """Scenario text inside a Mermaid label: on one line, no controls, and no HTML (Mermaid entity codes)."""
    return one_line(text).replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def mermaid(plan: Plan) -> str:
    """Mermaid ``flowchart`` of days, phases, decision injects and the injects their branches release.

    Phases run top to bottom inside one subgraph per exercise day; solid arrows are decision
    options and triggers, dotted arrows are contingencies; phases a branch enters get an arrow too.
    """
    scenario = plan.scenario
    lines = ["flowchart TD"]
    for day in scenario.days:
        lead = f" · lead {day.lead}" if day.lead else ""
        lines.append(f'  subgraph day{day.day}["Day {day.day}: {_label(day.title)}{lead}"]')
        for phase in scenario.phases:
            if phase.played_on == day.day:
                guard = ""
                if phase.guard and phase.guard.facilitator_only:
                    guard = " 🔒"
                lines.append(f'    {_node("phase", phase.id)}(["{_label(phase.title)} · {phase.start}{guard}"])')
        lines.append("  end")
    for earlier, later in zip(scenario.phases, scenario.phases[1:], strict=False):
        lines.append(f"  {_node('phase', earlier.id)} --> {_node('phase', later.id)}")

    involved: set[str] = set()
    edges: list[str] = []
    for planned in plan.injects:
        inject = planned.inject
        source = _node("inject", inject.id)
        for option in inject.options:
            label = _label(option.label + (" (default)" if option.default else ""))
            for target in option.release:
                edges.append(f'  {source} -->|"{label}"| {_node("inject", target)}')
                involved.update((inject.id, target))
            if option.enter_phase:
                edges.append(f'  {source} -->|"{label}"| {_node("phase", option.enter_phase)}')
                involved.add(inject.id)
        for trigger in inject.triggers:
            label = _label("says: " + ", ".join(trigger.keywords))
            for target in trigger.release:
                edges.append(f'  {source} -->|"{label}"| {_node("inject", target)}')
                involved.update((inject.id, target))
            if trigger.enter_phase:
                edges.append(f'  {source} -->|"{label}"| {_node("phase", trigger.enter_phase)}')
                involved.add(inject.id)
        if inject.contingency:
            edges.append(f'  {source} -.->|"no response by deadline"| {_node("inject", inject.contingency)}')
            involved.update((inject.id, inject.contingency))
    for planned in plan.injects:
        if planned.id not in involved:
            continue
        shape = ('{{"', '"}}') if planned.inject.options else ('["', '"]')
        mark = {ReleaseKind.branch: " ⎇", ReleaseKind.contingency: " ⏱"}.get(planned.kind, "")
        text = _label(f"{planned.id} · {planned.time}{mark}<br/>{planned.inject.title}")
        lines.append(f"  {_node('inject', planned.id)}{shape[0]}{text}{shape[1]}")
        lines.append(f"  {_node('phase', planned.phase)} -.- {_node('inject', planned.id)}")
    lines.extend(edges)
    return "\n".join(lines) + "\n"
