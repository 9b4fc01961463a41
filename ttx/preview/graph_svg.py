"""The scenario's timeline as a swimlane SVG, or one self-contained HTML page around it: nothing to install to open it."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field

from ttx.model.base import CONTROL_MATERIAL
from ttx.model.plan import Plan, PlannedInject, ReleaseKind
from ttx.model.scenario import ALL, Inject
from ttx.model.time import ScenarioTime
from ttx.text import one_line

BOX_LINE_CHARS = 22
"""Characters per line of an inject's title inside its box (two lines at most)."""
LABEL_CHARS = 26
"""The longest edge label, lane name, phase title or day title drawn on the diagram."""
TO_CHARS = 25
"""The longest recipient list drawn at the foot of an inject's box (every lane it goes to; in full on hover)."""
HOVER_CHARS = 300
"""The longest single value in a hover text (titles, senders, recipients)."""

SLOT_W = 170
BOX_W = 150
BOX_H = 62
BOX_GAP = 8
LANE_PAD = 10
LEFT = 190
DAY_GAP = 30
JUMP_W = 60
TOP = 40
DAY_ROW = 30
PHASE_ROW = 44
TICK_ROW = 22
LEGEND_H = 120
GUTTER = 48
"""Room under the last lane for arrows bent below the boxes in their way."""
HEADING_CHAR_W = 10.0
"""A generous width of one character of the 16px heading."""
LABEL_CHAR_W = 6.2
"""Width of one character of an edge label (10px text), to keep labels clear of boxes and of each other."""
LABEL_H = 13
"""Height of an edge label, from above its capitals to below its baseline."""
ROUTE_STEPS = 40
"""Points checked along an arrow when looking for boxes in its way."""
ROUTE_LIFTS = (60.0, -60.0, 100.0, -100.0, 140.0, -140.0)
"""How far an arrow's control points are moved to take it above or below boxes in its way, in order of preference."""
LABEL_SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)
"""Where along its arrow a label may go (0 = at the source, 1 = at the target), in order of preference."""

Rect = tuple[float, float, float, float]

_NOT_XML = re.compile("[\ufffe\uffff]")
_ALL_LANE = "\x00all"
_DIRECT_LANE = "\x00direct"

STYLE = """
svg.ttx-graph { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; font-size: 11px; }
.ttx-graph .heading { font-size: 16px; font-weight: 600; }
.ttx-graph .day rect { fill: #f4f6fa; stroke: #c5cad3; }
.ttx-graph .day text { font-weight: 600; }
.ttx-graph .lane rect { fill: #ffffff; stroke: #e1e4ea; }
.ttx-graph .lane:nth-of-type(even) rect { fill: #fafbfc; }
.ttx-graph .lane text { font-weight: 600; fill: #333; }
.ttx-graph .phase rect { fill: #e8eefc; stroke: #5b7bd5; }
.ttx-graph .phase line { stroke: #5b7bd5; stroke-dasharray: 4 4; }
.ttx-graph .tick { fill: #666; font-size: 10px; }
.ttx-graph .jump line { stroke: #b35c00; stroke-width: 2; stroke-dasharray: 8 3 2 3; }
.ttx-graph .jump text { fill: #b35c00; font-weight: 600; }
.ttx-graph .inject rect { stroke: #555; stroke-width: 1.2; }
.ttx-graph .inject .id { font-weight: 600; }
.ttx-graph .inject .to { font-size: 9px; fill: #555; }
.ttx-graph .inject.decision rect { stroke: #1f3d99; stroke-width: 3; }
.ttx-graph .inject.branch rect { stroke-dasharray: 6 3; }
.ttx-graph .inject.contingency rect { stroke: #b35c00; stroke-dasharray: 2 3; stroke-width: 2; }
.ttx-graph .tlp-RED rect { fill: #ffd9d9; }
.ttx-graph .tlp-AMBER-STRICT rect, .ttx-graph .tlp-AMBER rect { fill: #ffeccc; }
.ttx-graph .tlp-GREEN rect { fill: #dcf3dc; }
.ttx-graph .tlp-CLEAR rect { fill: #ffffff; }
.ttx-graph .edge path { fill: none; stroke-width: 1.6; }
.ttx-graph .edge-label { font-size: 10px; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
.ttx-graph .edge.option path { stroke: #1f3d99; marker-end: url(#arrow-option); }
.ttx-graph .edge-label.option { fill: #1f3d99; }
.ttx-graph .edge.trigger path { stroke: #7a2e99; marker-end: url(#arrow-trigger); }
.ttx-graph .edge-label.trigger { fill: #7a2e99; }
.ttx-graph .edge.contingency path { stroke: #b35c00; stroke-dasharray: 5 4; marker-end: url(#arrow-contingency); }
.ttx-graph .edge-label.contingency { fill: #b35c00; }
.ttx-graph .edge.enter-phase path { stroke-dasharray: 1 3; stroke-width: 2.2; }
"""


CONTROL_NOTICE = CONTROL_MATERIAL
"""Said at the top of every diagram: it shows every inject (whoever it goes to, whatever its label) and every branch."""


def banner_text(plan: Plan) -> str:
    """The line at the top of a diagram: its handling label and that it is exercise-control material."""
    return f"{plan.handling_label().label} · {CONTROL_NOTICE}: every inject and branch; keep it to exercise control"


def xml_text(text: str, limit: int = HOVER_CHARS) -> str:
    """Scenario text for SVG or HTML: on one line, controls shown as escapes, at most ``limit`` characters, escaped."""
    shown = _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", one_line(text))
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return html.escape(shown, quote=True)


def _box_lines(title: str) -> list[str]:
    lines = textwrap.wrap(one_line(title), BOX_LINE_CHARS, max_lines=2, placeholder="…") or [""]
    return [xml_text(line, BOX_LINE_CHARS + 1) for line in lines]


@dataclass
class _Slot:
    """One column position on the time axis: a scenario time played on an exercise day."""

    day: int
    time: ScenarioTime
    x: float = 0.0
    jump_before: str | None = None


@dataclass
class _Layout:
    """Where everything is drawn."""

    days: list[int]
    slots: dict[tuple[int, int], _Slot]
    day_span: dict[int, tuple[float, float]]
    lanes: list[tuple[str, str]]
    lane_top: dict[str, float]
    lane_height: dict[str, float]
    boxes: dict[str, tuple[float, float]] = field(default_factory=dict)
    phase_boxes: dict[str, tuple[float, float]] = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0


def _lane_of(inject: Inject, cell_order: list[str]) -> str:
    """The lane an inject is drawn in: 'all', the first cell it addresses, or the delegations addressed directly."""
    if inject.to == [ALL]:
        return _ALL_LANE
    for cell in cell_order:
        if cell in inject.to:
            return cell
    return _DIRECT_LANE


def _layout(plan: Plan) -> _Layout:
    scenario = plan.scenario
    cell_order = [cell.id for cell in scenario.cells]
    days = sorted(
        {day.day for day in scenario.days} | {p.day for p in plan.injects} | {p.played_on for p in scenario.phases}
    )
    times: dict[int, set[int]] = {day: set() for day in days}
    jump_flag: dict[int, bool] = {}
    for planned in plan.injects:
        times[planned.day].add(planned.time.minutes)
        jump_flag[planned.time.minutes] = jump_flag.get(planned.time.minutes, False) or planned.time.jump
    for phase in scenario.phases:
        times[phase.played_on].add(phase.start.minutes)
        jump_flag[phase.start.minutes] = jump_flag.get(phase.start.minutes, False) or phase.start.jump

    slots: dict[tuple[int, int], _Slot] = {}
    day_span: dict[int, tuple[float, float]] = {}
    x = float(LEFT)
    previous: _Slot | None = None
    for day in days:
        start = x
        if not times[day]:  # a day with nothing timed on it still gets a column
            x += SLOT_W
        for minutes in sorted(times[day]):
            slot = _Slot(day, ScenarioTime(minutes, jump_flag.get(minutes, False)))
            if previous is not None:
                gap = slot.time.day - previous.time.day
                if slot.time.jump != previous.time.jump or abs(gap) > 1:
                    slot.jump_before = f"time jump to {slot.time}"
                    x += JUMP_W
            slot.x = x
            slots[(day, minutes)] = slot
            x += SLOT_W
            previous = slot
        day_span[day] = (start - DAY_GAP / 2 + 4, x + DAY_GAP / 2 - 4)
        x += DAY_GAP

    used = {_lane_of(planned.inject, cell_order) for planned in plan.injects}
    lanes: list[tuple[str, str]] = []
    if _ALL_LANE in used:
        lanes.append((_ALL_LANE, "All delegations"))
    for cell in scenario.cells:
        if cell.id in used or cell.kind == "working_group":
            lanes.append((cell.id, cell.id))
    if _DIRECT_LANE in used:
        lanes.append((_DIRECT_LANE, "Delegations (direct)"))

    stacks: dict[tuple[str, int, int], int] = {}
    positions: dict[str, tuple[str, int]] = {}
    for planned in plan.injects:
        lane = _lane_of(planned.inject, cell_order)
        key = (lane, planned.day, planned.time.minutes)
        positions[planned.id] = (lane, stacks.get(key, 0))
        stacks[key] = stacks.get(key, 0) + 1
    depth = {lane: 1 for lane, _ in lanes}
    for (lane, _, _), count in stacks.items():
        depth[lane] = max(depth[lane], count)

    lane_top: dict[str, float] = {}
    lane_height: dict[str, float] = {}
    y = float(TOP + DAY_ROW + PHASE_ROW + TICK_ROW)
    for lane, _ in lanes:
        lane_top[lane] = y
        lane_height[lane] = depth[lane] * (BOX_H + BOX_GAP) - BOX_GAP + 2 * LANE_PAD
        y += lane_height[lane]

    layout = _Layout(days, slots, day_span, lanes, lane_top, lane_height)
    for planned in plan.injects:
        lane, level = positions[planned.id]
        slot = slots[(planned.day, planned.time.minutes)]
        layout.boxes[planned.id] = (
            slot.x + (SLOT_W - BOX_W) / 2,
            lane_top[lane] + LANE_PAD + level * (BOX_H + BOX_GAP),
        )
    for phase in scenario.phases:
        slot = slots[(phase.played_on, phase.start.minutes)]
        layout.phase_boxes[phase.id] = (slot.x + 4, float(TOP + DAY_ROW + 6))
    layout.width = x + 20
    layout.height = y + GUTTER - 20 + LEGEND_H
    return layout


def _hover(planned: PlannedInject) -> str:
    inject = planned.inject
    release = {
        ReleaseKind.scheduled: "scheduled",
        ReleaseKind.branch: "only if chosen or triggered by " + ", ".join(planned.sources),
        ReleaseKind.contingency: "only if no response by the deadline of " + ", ".join(planned.sources),
    }[planned.kind]
    lines = [
        f"{inject.id}: {xml_text(inject.title)}",
        f"Time: {planned.time} (day {planned.day}, phase {xml_text(planned.phase)})",
        inject.tlp.label,
        f"From: {xml_text(inject.source)}",
        f"To: {xml_text(', '.join(inject.to))}",
        f"Released: {xml_text(release)}",
    ]
    for option in inject.options:
        targets = [*option.release, *([f"phase {option.enter_phase}"] if option.enter_phase else [])]
        default = " (default)" if option.default else ""
        lines.append(
            f"Option {option.id}{default}: {xml_text(option.label)} → {xml_text(', '.join(targets) or 'no branch')}"
        )
    for trigger in inject.triggers:
        lines.append(
            f"A response saying {xml_text(', '.join(trigger.keywords))} releases {xml_text(', '.join(trigger.release))}"
        )
    if inject.contingency:
        lines.append(f"No response by the deadline releases {inject.contingency}")
    return "\n".join(lines)


def _marks(planned: PlannedInject) -> str:
    inject = planned.inject
    marks = ""
    if inject.options:
        marks += " ◆"
    if inject.triggers:
        marks += " ⚑"
    if planned.kind is ReleaseKind.branch:
        marks += " ⎇"
    elif planned.kind is ReleaseKind.contingency:
        marks += " ⊘"
    return marks


@dataclass
class _Edge:
    """An arrow, and where its label goes (if anywhere)."""

    kind: str
    source: str
    target: str
    start: tuple[float, float]
    end: tuple[float, float]
    label: str
    label_at: tuple[float, float] | None = None
    lift: float = 0.0
    """How far both control points are moved up (negative: down) to take the arrow round boxes in its way."""

    def controls(self) -> tuple[tuple[float, float], tuple[float, float]]:
        (sx, sy), (tx, ty) = self.start, self.end
        bend = max(60.0, abs(tx - sx) / 3)
        if tx <= sx:  # a target drawn left of (or above) its source: loop around
            bend = 120.0
        return (sx + bend, sy - self.lift), (tx - bend, ty - self.lift)

    def crossed(self, boxes: list[Rect]) -> int:
        """How many of ``boxes`` the arrow runs under (each would seem to be where the arrow comes from)."""
        points = [self.point(step / ROUTE_STEPS) for step in range(1, ROUTE_STEPS)]
        return sum(any(x0 < x < x1 and y0 < y < y1 for x, y in points) for x0, y0, x1, y1 in boxes)

    def point(self, t: float) -> tuple[float, float]:
        """The point of the curve at ``t`` (0 = source, 1 = target)."""
        (ax, ay), (dx, dy) = self.start, self.end
        (bx, by), (cx, cy) = self.controls()
        u = 1 - t
        return (
            u**3 * ax + 3 * u * u * t * bx + 3 * u * t * t * cx + t**3 * dx,
            u**3 * ay + 3 * u * u * t * by + 3 * u * t * t * cy + t**3 * dy,
        )

    def shown_label(self) -> str:
        return xml_text(self.label, LABEL_CHARS)

    def path(self) -> str:
        (sx, sy), (tx, ty) = self.start, self.end
        (bx, by), (cx, cy) = self.controls()
        d = f"M{sx:.1f},{sy:.1f} C{bx:.1f},{by:.1f} {cx:.1f},{cy:.1f} {tx:.1f},{ty:.1f}"
        return (
            f'<g class="edge {self.kind}" data-source="{xml_text(self.source)}" data-target="{xml_text(self.target)}">'
            f"<title>{xml_text(self.source)} → {xml_text(self.target)}: {xml_text(self.label)}</title>"
            f'<path d="{d}"/></g>'
        )

    def label_text(self) -> str:
        if self.label_at is None:
            return ""
        x, y = self.label_at
        return (
            f'<text class="edge-label {self.kind}" data-source="{xml_text(self.source)}" '
            f'data-target="{xml_text(self.target)}" x="{x:.1f}" y="{y:.1f}" text-anchor="middle">'
            f"{self.shown_label()}</text>"
        )


def label_box(x: float, y: float, text: str) -> Rect:
    """The rectangle an edge label centred at ``x`` with its baseline at ``y`` covers (``text`` as written out)."""
    width = len(html.unescape(text)) * LABEL_CHAR_W
    return (x - width / 2, y - LABEL_H + 3, x + width / 2, y + 3)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _route(edges: list[_Edge], boxes: dict[str, Rect], below: float) -> None:
    """Bend each arrow that would run under an inject box other than its ends round it, above or below.

    A bent arrow stays above ``below`` (the legend); where no bend clears every box, the one crossing fewest is kept.
    """
    for edge in edges:
        others = [rect for inject_id, rect in boxes.items() if inject_id not in (edge.source, edge.target)]
        if not edge.crossed(others):
            continue
        fewest: tuple[int, float] = (edge.crossed(others), 0.0)
        for lift in ROUTE_LIFTS:
            edge.lift = lift
            crossed = edge.crossed(others) + len(others) * edge.crossed([(-1e9, below, 1e9, 1e9)])
            if crossed < fewest[0]:
                fewest = (crossed, lift)
            if not crossed:
                break
        edge.lift = fewest[1]


def _place_labels(edges: list[_Edge], boxes: list[Rect]) -> None:
    """Put each label on its arrow where it covers no inject box and no other label; leave it out if nowhere fits."""
    taken: list[Rect] = []
    for edge in edges:
        (sx, sy), (tx, ty) = edge.start, edge.end
        if abs(tx - sx) < 2 * (SLOT_W - BOX_W) + 100 and abs(ty - sy) < BOX_H:
            continue  # neighbouring boxes: no room between them (the label is in the arrow's hover text)
        for t in LABEL_SPOTS:
            x, y = edge.point(t)
            y -= 4
            area = label_box(x, y, edge.shown_label())
            if not any(_overlaps(area, other) for other in [*boxes, *taken]):
                edge.label_at = (x, y)
                taken.append(area)
                break


def _edges(plan: Plan, layout: _Layout) -> Iterator[_Edge]:
    def out(inject_id: str) -> tuple[float, float]:
        x, y = layout.boxes[inject_id]
        return x + BOX_W, y + BOX_H / 2

    def into(inject_id: str) -> tuple[float, float]:
        x, y = layout.boxes[inject_id]
        return x, y + BOX_H / 2

    def phase_in(phase_id: str) -> tuple[float, float]:
        x, y = layout.phase_boxes[phase_id]
        return x, y + 14

    for planned in plan.injects:
        inject = planned.inject
        for option in inject.options:
            label = option.label + (" (default)" if option.default else "")
            for target in option.release:
                if target in layout.boxes:
                    yield _Edge("option", inject.id, target, out(inject.id), into(target), label)
            if option.enter_phase in layout.phase_boxes:
                phase = option.enter_phase
                yield _Edge("option enter-phase", inject.id, f"phase:{phase}", out(inject.id), phase_in(phase), label)
        for trigger in inject.triggers:
            label = "says: " + ", ".join(trigger.keywords)
            for target in trigger.release:
                if target in layout.boxes:
                    yield _Edge("trigger", inject.id, target, out(inject.id), into(target), label)
            if trigger.enter_phase in layout.phase_boxes:
                phase = trigger.enter_phase
                yield _Edge("trigger enter-phase", inject.id, f"phase:{phase}", out(inject.id), phase_in(phase), label)
        if inject.contingency and inject.contingency in layout.boxes:
            target = inject.contingency
            yield _Edge("contingency", inject.id, target, out(inject.id), into(target), "no response by deadline")


def _legend(y: float) -> Iterator[str]:
    yield f'<g class="legend" transform="translate({LEFT},{y + 20:.0f})">'
    yield '<text class="heading" x="0" y="0">Legend</text>'
    boxes = [
        ("inject tlp-GREEN", "scheduled inject"),
        ("inject decision tlp-GREEN", "◆ decision (options)"),
        ("inject branch tlp-GREEN", "⎇ released by a branch"),
        ("inject contingency tlp-GREEN", "⊘ contingency"),
        ("inject tlp-AMBER", "fill: TLP (red, amber, green, clear)"),
    ]
    for position, (kind, text) in enumerate(boxes):
        x = position * 200
        yield f'<g class="{kind}"><rect x="{x}" y="12" width="34" height="20" rx="5"/></g>'
        yield f'<text x="{x + 42}" y="26">{html.escape(text)}</text>'
    edges = [
        ("option", "decision option"),
        ("trigger", "⚑ keyword trigger"),
        ("contingency", "no response by deadline"),
        ("option enter-phase", "enters a phase"),
    ]
    for position, (kind, text) in enumerate(edges):
        x = position * 200
        yield f'<g class="edge {kind}"><path d="M{x},56 L{x + 34},56"/></g>'
        yield f'<text x="{x + 42}" y="60">{html.escape(text)}</text>'
    yield '<g class="jump"><line x1="0" y1="76" x2="0" y2="96"/></g><text x="10" y="90">time jump</text>'
    yield '<g class="phase"><rect x="200" y="78" width="34" height="16" rx="8"/></g>'
    yield '<text x="242" y="90">phase start (‖ only the facilitator opens it)</text>'
    yield "</g>"


def svg(plan: Plan, *, standalone: bool = True) -> str:
    """Swimlane SVG: exercise days left to right, one lane per cell, each inject a box, branches as arrows.

    ``standalone`` adds the XML namespace an SVG file needs; inside HTML the element is inlined without it.
    """
    scenario = plan.scenario
    layout = _layout(plan)
    heading = f"{plan.handling_label().label} · {CONTROL_NOTICE} · {xml_text(scenario.exercise.title, 80)}"
    layout.width = max(layout.width, 24 + len(html.unescape(heading)) * HEADING_CHAR_W)  # the label is never cut off
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    title = xml_text(scenario.exercise.title)
    out = [
        f'<svg{namespace} class="ttx-graph" width="{layout.width:.0f}" height="{layout.height:.0f}" '
        f'viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" role="img" aria-labelledby="ttx-graph-title">',
        f'<title id="ttx-graph-title">{plan.handling_label().label} {CONTROL_NOTICE}: {title}: days, phases, injects '
        "and branches</title>",
        f"<style>{STYLE}</style>",
        "<defs>",
    ]
    for kind, colour in (("option", "#1f3d99"), ("trigger", "#7a2e99"), ("contingency", "#b35c00")):
        out.append(
            f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<rect x="0" y="0" width="{layout.width:.0f}" height="{layout.height:.0f}" fill="#ffffff"/>')
    out.append(f'<text class="heading" x="12" y="24">{heading}</text>')

    lanes_bottom = (
        max(layout.lane_top[lane] + layout.lane_height[lane] for lane, _ in layout.lanes) if layout.lanes else 0
    )
    days = {day.day: day for day in scenario.days}
    for day_number in layout.days:
        left, right = layout.day_span[day_number]
        day = days.get(day_number)
        heading = f"Day {day_number}"
        hover = heading
        if day is not None:
            lead = f" · lead {day.lead}" if day.lead else ""
            heading = f"Day {day_number}{lead}: {one_line(day.title)}"
            hover = f"Day {day_number}{lead}: {xml_text(day.title)}"
        chars = max(8, int((right - left) / 7))
        out.append(
            f'<g class="day" data-day="{day_number}"><title>{hover}</title>'
            f'<rect x="{left:.1f}" y="{TOP}" width="{right - left:.1f}" height="{lanes_bottom - TOP:.1f}" rx="6"/>'
            f'<text x="{left + 8:.1f}" y="{TOP + 19}">{xml_text(heading, chars)}</text></g>'
        )
    for lane, name in layout.lanes:
        top, height = layout.lane_top[lane], layout.lane_height[lane]
        cell = next((cell for cell in scenario.cells if cell.id == lane), None)
        hover = xml_text(f"{cell.id}: {cell.name}") if cell else xml_text(name)
        out.append(
            f'<g class="lane" data-lane="{xml_text(name)}"><title>{hover}</title>'
            f'<rect x="4" y="{top:.1f}" width="{layout.width - 8:.0f}" height="{height:.1f}"/>'
            f'<text x="12" y="{top + 20:.1f}">{xml_text(name, LABEL_CHARS)}</text></g>'
        )
    tick_y = TOP + DAY_ROW + PHASE_ROW + TICK_ROW - 6
    for slot in layout.slots.values():
        shown = str(slot.time) if slot.time.jump else slot.time.clock
        if slot.time.day != slot.day and not slot.time.jump:
            shown = str(slot.time)
        out.append(f'<text class="tick" x="{slot.x + SLOT_W / 2:.1f}" y="{tick_y}" text-anchor="middle">{shown}</text>')
        if slot.jump_before:
            jx = slot.x - JUMP_W / 2
            out.append(
                f'<g class="jump"><title>{slot.jump_before}</title>'
                f'<line x1="{jx:.1f}" y1="{TOP + DAY_ROW}" x2="{jx:.1f}" y2="{lanes_bottom:.1f}"/>'
                f'<text x="{jx:.1f}" y="{tick_y}" text-anchor="middle">⤳ {slot.time}</text></g>'
            )
    for phase in scenario.phases:
        x, y = layout.phase_boxes[phase.id]
        lock = " ‖" if phase.guard and phase.guard.facilitator_only else ""
        end = plan.phase_end(phase)
        hover = f"Phase {xml_text(phase.title)}: from {phase.start}" + (f" to {end}" if end else "")
        if phase.guard and phase.guard.facilitator_only:
            hover += "; only the facilitator opens it"
        if phase.guard and phase.guard.responses:
            hover += "; waits for responses to " + ", ".join(phase.guard.responses)
        out.append(
            f'<g class="phase" data-phase="{phase.id}"><title>{hover}</title>'
            f'<line x1="{x - 4:.1f}" y1="{y}" x2="{x - 4:.1f}" y2="{lanes_bottom:.1f}"/>'
            f'<rect x="{x:.1f}" y="{y}" width="{SLOT_W - 12}" height="28" rx="14"/>'
            f'<text x="{x + 10:.1f}" y="{y + 18}">{xml_text(phase.title, LABEL_CHARS - 6)}{lock}</text></g>'
        )
    edges = list(_edges(plan, layout))
    rects = {inject_id: (x, y, x + BOX_W, y + BOX_H) for inject_id, (x, y) in layout.boxes.items()}
    _route(edges, rects, lanes_bottom + GUTTER)
    obstacles = [(x, y, x + BOX_W, y + BOX_H) for x, y in layout.boxes.values()]
    obstacles += [(x, y, x + SLOT_W - 12, y + 28) for x, y in layout.phase_boxes.values()]
    _place_labels(edges, obstacles)
    out.extend(edge.path() for edge in edges)  # under the boxes: an arrow never strikes through an inject's text
    for planned in plan.injects:
        x, y = layout.boxes[planned.id]
        inject = planned.inject
        kinds = ["inject", planned.kind.value, f"tlp-{inject.tlp.value.replace('+', '-')}"]
        if inject.options:
            kinds.append("decision")
        lines = _box_lines(inject.title)
        heading = f"{inject.id} · {planned.time.clock}{_marks(planned)}"
        texts = "".join(
            f'<text x="{x + 8:.1f}" y="{y + 31 + 13 * position:.1f}">{line}</text>'
            for position, line in enumerate(lines)
        )
        recipients = "all" if inject.to == [ALL] else ", ".join(inject.to)
        texts += f'<text class="to" x="{x + 8:.1f}" y="{y + BOX_H - 6:.1f}">→ {xml_text(recipients, TO_CHARS)}</text>'
        out.append(
            f'<g class="{" ".join(kinds)}" data-inject="{inject.id}"><title>{_hover(planned)}</title>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="6"/>'
            f'<text class="id" x="{x + 8:.1f}" y="{y + 16:.1f}">{xml_text(heading, BOX_LINE_CHARS + 2)}</text>'
            f"{texts}</g>"
        )
    out.extend(text for edge in edges if (text := edge.label_text()))
    out.extend(_legend(lanes_bottom + GUTTER - 20))
    out.append("</svg>")
    return "\n".join(out) + "\n"


PAGE_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
.banner { font-weight: 700; border: 2px solid #222; padding: .3rem .6rem; display: inline-block; margin: 0 0 .8rem; }
.summary { max-width: 60rem; color: #444; }
.diagram { overflow-x: auto; border: 1px solid #d5d9e0; border-radius: 6px; margin: 1rem 0; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #d5d9e0; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f6fa; }
"""


def html_page(plan: Plan) -> str:
    """One HTML file with everything inline (the SVG, its styles and a table of injects): no script, font or address."""
    scenario = plan.scenario
    title = xml_text(scenario.exercise.title)
    rows = []
    for planned in plan.injects:
        inject = planned.inject
        rows.append(
            f'<tr data-inject="{inject.id}"><td>{inject.id}</td><td>{planned.time}</td><td>{planned.day}</td>'
            f"<td>{xml_text(planned.phase)}</td><td>{inject.tlp.label}</td><td>{xml_text(inject.source)}</td>"
            f"<td>{xml_text(', '.join(inject.to))}</td><td>{xml_text(inject.title)}</td><td>{planned.kind.value}</td></tr>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{plan.handling_label().label} {title}: scenario graph</title>\n<style>{PAGE_STYLE}</style>\n</head>\n"
        f'<body>\n<p class="banner">{html.escape(banner_text(plan))}</p>\n'
        f"<h1>{title}</h1>\n"
        f'<p class="summary">{xml_text(scenario.exercise.summary, 1000)}</p>\n'
        "<p>Exercise days run left to right, one lane per cell; hover over an inject, phase or arrow for its details.</p>\n"
        f'<div class="diagram">\n{svg(plan, standalone=False)}</div>\n'
        "<h2>Injects</h2>\n<table>\n<thead><tr><th>Id</th><th>Time</th><th>Day</th><th>Phase</th><th>TLP</th>"
        "<th>From</th><th>To</th><th>Title</th><th>Released</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )
