"""`ttx graph --format svg|html`: a swimlane diagram an author opens in a browser; every inject and branch drawn, text inert."""

from __future__ import annotations

import dataclasses
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttx.cli import main
from ttx.loader.load import load_scenario
from ttx.model.plan import Plan
from ttx.preview.graph_svg import LABEL_CHARS, html_page, svg, xml_text
from ttx.text import one_line

from ..helpers import FERRY, ROOT

SVG = "{http://www.w3.org/2000/svg}"
SHIPPED = sorted(path.parent for path in (ROOT / "scenarios").glob("*/scenario.yaml"))


def _groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if kind in (g.get("class") or "").split()]


def _expected_edges(plan: Plan) -> set[tuple[str, str, str]]:
    edges: set[tuple[str, str, str]] = set()
    for planned in plan.injects:
        inject = planned.inject
        for option in inject.options:
            edges.update(("option", inject.id, target) for target in option.release)
            if option.enter_phase:
                edges.add(("option", inject.id, f"phase:{option.enter_phase}"))
        for trigger in inject.triggers:
            edges.update(("trigger", inject.id, target) for target in trigger.release)
            if trigger.enter_phase:
                edges.add(("trigger", inject.id, f"phase:{trigger.enter_phase}"))
        if inject.contingency:
            edges.add(("contingency", inject.id, inject.contingency))
    return edges


def _drawn_edges(root: ET.Element) -> set[tuple[str, str, str]]:
    return {
        ((g.get("class") or "").split()[1], g.get("data-source") or "", g.get("data-target") or "")
        for g in _groups(root, "edge")
        if g.get("data-source")
    }


@pytest.mark.parametrize("folder", [FERRY, *SHIPPED], ids=lambda path: path.name)
def test_svg_draws_every_inject_phase_and_branch(folder: Path) -> None:
    plan = load_scenario(folder).plan
    root = ET.fromstring(svg(plan))
    assert root.tag == f"{SVG}svg"
    drawn = [g.get("data-inject", "") for g in _groups(root, "inject") if g.get("data-inject")]
    assert sorted(drawn) == sorted(planned.id for planned in plan.injects)
    assert {g.get("data-phase") for g in _groups(root, "phase") if g.get("data-phase")} == {
        phase.id for phase in plan.scenario.phases
    }
    assert {g.get("data-day") for g in _groups(root, "day")} >= {str(day.day) for day in plan.scenario.days}
    expected = _expected_edges(plan)
    assert expected, "the scenario has branches"
    assert _drawn_edges(root) == expected
    decisions = {g.get("data-inject") for g in _groups(root, "decision") if g.get("data-inject")}
    assert decisions == {planned.id for planned in plan.injects if planned.inject.options}


def test_svg_marks_the_time_jump_lanes_and_hover_details() -> None:
    plan = load_scenario(FERRY).plan
    root = ET.fromstring(svg(plan))
    jumps = _groups(root, "jump")
    assert any("time jump to D+30 09:00" in (g.findtext(f"{SVG}title") or "") for g in jumps)
    lanes = [g.get("data-lane") for g in _groups(root, "lane")]
    assert lanes[0] == "All delegations" and {"DWG", "PWG"} <= set(lanes)
    boarding = next(g for g in _groups(root, "inject") if g.get("data-inject") == "N1-2")
    hover = boarding.findtext(f"{SVG}title") or ""
    assert "\nTLP:GREEN\n" in hover
    assert "From: Fishing skipper, via the rescue centre" in hover
    assert "To: DWG, PWG" in hover
    assert "No response by the deadline releases N1-2c" in hover
    contingency = next(g for g in _groups(root, "inject") if g.get("data-inject") == "N1-2c")
    assert "contingency" in (contingency.get("class") or "").split()


class _Tags(HTMLParser):
    """Start tags and attributes of an HTML document, and the text of each <td>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_cell = tag == "td"
        if self._in_cell:
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells[-1] += data


ALLOWED_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div"),
    *("table", "thead", "tbody", "tr", "th", "td"),
    *("svg", "defs", "marker", "path", "rect", "text", "g", "line"),
}


def _check_page(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    names = [tag for tag, _ in parser.tags]
    assert set(names) <= ALLOWED_TAGS, set(names) - ALLOWED_TAGS
    assert names.count("svg") == 1 and names.count("table") == 1
    for _, attributes in parser.tags:
        assert not {"src", "href", "xlink:href"} & set(attributes)
        assert not any(name.startswith("on") for name in attributes)
    return parser


def test_html_page_is_self_contained_with_the_diagram_and_an_inject_table() -> None:
    plan = load_scenario(FERRY).plan
    page = html_page(plan)
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page and "@import" not in page
    parser = _check_page(page)
    rows = [
        attributes.get("data-inject") for tag, attributes in parser.tags if tag == "tr" and "data-inject" in attributes
    ]
    assert rows == [planned.id for planned in plan.injects]
    assert "Fishing skipper, via the rescue centre" in parser.cells
    assert "Legend" in page


def test_graph_command_writes_svg_and_html_and_keeps_mermaid_as_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", str(FERRY)]) == 0
    assert "\nflowchart TD\n" in capsys.readouterr().out  # under its %% TLP notice line
    assert main(["graph", str(FERRY), "--format", "svg", "-o", str(tmp_path / "ferry.svg")]) == 0
    root = ET.parse(tmp_path / "ferry.svg").getroot()
    assert len(_groups(root, "inject")) >= len(load_scenario(FERRY).plan.injects)
    assert main(["graph", str(FERRY), "--format", "html"]) == 0
    _check_page(capsys.readouterr().out)


# ------------------------------------------------------------------------------------------ hostile text
HOSTILE = [
    "</svg><script>alert(1)</script>",
    "]]><!-- x --><![CDATA[",
    "\"' onload='alert(1)' & &amp; &#60;",
    "\x1b[2J\x07\x00\x0b\x0c\x7f\x9b",
    "abc\u202edef\u2066\u200f",
    "🙂🚢 中文 العربية עברית",
    "\ufffe\uffff" + chr(0xD800),
    "x" * 500,
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), min_size=1, max_size=60),
    st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4).map("".join),
)


def _hostile_plan(plan: Plan, text: str) -> Plan:
    scenario = plan.scenario
    exercise = scenario.exercise.model_copy(update={"title": text, "summary": text})
    days = [day.model_copy(update={"title": text}) for day in scenario.days]
    phases = [phase.model_copy(update={"title": text}) for phase in scenario.phases]
    cells = [cell.model_copy(update={"name": text}) for cell in scenario.cells]
    injects = []
    for planned in plan.injects:
        inject = planned.inject
        options = [option.model_copy(update={"label": text}) for option in inject.options]
        triggers = [trigger.model_copy(update={"keywords": [text]}) for trigger in inject.triggers]
        update = {"title": text, "source": text, "options": options, "triggers": triggers, "to": [*inject.to, text]}
        changed = inject.model_copy(update=update)
        injects.append(dataclasses.replace(planned, inject=changed))
    changed_scenario = scenario.model_copy(
        update={"exercise": exercise, "days": days, "phases": phases, "cells": cells}
    )
    return Plan(changed_scenario, injects)


FERRY_PLAN = load_scenario(FERRY).plan


@given(TEXT)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_hostile_scenario_text_never_breaks_the_svg_or_the_page(text: str) -> None:
    plan = _hostile_plan(FERRY_PLAN, text)
    drawing = svg(plan)
    root = ET.fromstring(drawing)  # well-formed XML whatever the text
    assert len([g for g in _groups(root, "inject") if g.get("data-inject")]) == len(plan.injects)
    assert _drawn_edges(root) == _expected_edges(plan)
    assert [child.tag for child in root].count(f"{SVG}script") == 0
    assert not any(node.tag.endswith(("script", "foreignObject", "image", "a")) for node in root.iter())
    shown = html.unescape(xml_text(text, LABEL_CHARS))
    assert len(shown) <= LABEL_CHARS
    assert shown.rstrip("…") in one_line(text).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")
    for char in "\x00\x07\x1b\x7f\x9b\u202e\u2066\ufffe\uffff":
        assert char not in drawing
    page = html_page(plan)
    _check_page(page)
    assert "<script" not in page.lower()


# ------------------------------------------------------------------------------------------ readability
CROWDED = """\
exercise: {title: CROWDED, tlp: GREEN}
objectives: [{id: O1, title: Decide}]
capabilities: [{id: C1, name: Deciding, objectives: [O1], critical_tasks: [Decide]}]
cells:
  - {id: TFPP, name: Task force}
  - {id: TIPWG, name: Trafficking group}
participants:
  - {id: THA, name: Thailand, cells: [TFPP, TIPWG]}
  - {id: MYS, name: Malaysia, cells: [TFPP, TIPWG]}
days: [{day: 1, title: One, lead: TFPP}, {day: 2, title: Two, lead: TIPWG}]
phases:
  - {id: one, title: One, start: D1 08:00}
  - {id: two, title: Two, start: D2 08:00, end: D2 17:00}
injects:
  - {id: S1-1, time: D1 08:00, from: RCC, to: [TFPP, TIPWG], tlp: GREEN, title: Boat, objectives: [O1], capabilities: [C1]}
  - id: S1-2
    time: D1 10:00
    from: Patrol
    to: [THA, MYS]
    tlp: GREEN
    title: Decision required
    questions: [Rescue or escort?]
    objectives: [O1]
    response: {required: true, deadline: "02:00", contingency: S1-3}
    options:
      - {id: rescue, label: Rescue, default: true, release: [S2-1]}
      - {id: escort, label: Escort, release: [S2-2]}
    triggers: [{keywords: [push back], release: [S1-4]}]
  - {id: S1-3, time: "+00:00", from: Control, to: [TFPP], tlp: GREEN, title: The boat cannot wait}
  - {id: S1-4, time: "+00:30", from: Media, to: [TFPP], tlp: GREEN, title: Push-back filmed}
  - {id: S2-1, time: D2 09:00, from: Port, to: [TFPP, TIPWG], tlp: GREEN, title: Landed}
  - {id: S2-2, time: D2 09:00, from: RCC B, to: [TFPP, TIPWG], tlp: GREEN, title: Adrift again}
"""


def _rect(element: ET.Element) -> tuple[float, float, float, float]:
    x, y = float(element.get("x") or 0), float(element.get("y") or 0)
    return x, y, x + float(element.get("width") or 0), y + float(element.get("height") or 0)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_area(text: ET.Element) -> tuple[float, float, float, float]:
    """What a 10px edge label centred on its x covers: about 6.2px a character, 13px high."""
    x, y, width = float(text.get("x") or 0), float(text.get("y") or 0), len(text.text or "") * 6.2
    return x - width / 2, y - 10, x + width / 2, y + 3


def _crowded(write: Callable[..., Path]) -> Path:
    return write("crowded/scenario.yaml", CROWDED).parent


@pytest.mark.parametrize("name", ["crowded", "ferry", *(path.name for path in SHIPPED)])
def test_arrows_run_under_the_boxes_and_labels_hide_no_id_and_no_other_label(
    name: str, write: Callable[..., Path]
) -> None:
    folder = _crowded(write) if name == "crowded" else FERRY if name == "ferry" else ROOT / "scenarios" / name
    root = ET.fromstring(svg(load_scenario(folder).plan))
    order = list(root)
    arrows = [order.index(g) for g in _groups(root, "edge") if g.get("data-source")]
    boxes = [order.index(g) for g in _groups(root, "inject") if g.get("data-inject")]
    assert max(arrows) < min(boxes), "an arrow drawn over an inject box strikes through its id and title"
    labels = [
        text
        for text in root.iter(f"{SVG}text")
        if "edge-label" in (text.get("class") or "").split()
        or any(text in list(g) for g in _groups(root, "edge"))  # labels as earlier versions drew them
    ]
    assert labels, "the arrows are labelled"
    areas = [_label_area(text) for text in labels]
    rects = [_rect(rect) for g in _groups(root, "inject") if (rect := g.find(f"{SVG}rect")) is not None]
    for index, area in enumerate(areas):
        assert not any(_overlap(area, rect) for rect in rects), labels[index].text
        assert not any(_overlap(area, other) for other in areas[index + 1 :]), labels[index].text


def test_every_box_names_the_cells_and_delegations_it_goes_to(write: Callable[..., Path]) -> None:
    root = ET.fromstring(svg(load_scenario(_crowded(write)).plan))
    feet = {
        g.get("data-inject"): "".join(text.itertext())
        for g in _groups(root, "inject")
        if g.get("data-inject")
        for text in g.iter(f"{SVG}text")
        if "to" in (text.get("class") or "").split()
    }
    # S1-1 is drawn in the TFPP lane only: its box says it goes to TIPWG too
    assert feet["S1-1"] == "→ TFPP, TIPWG"
    assert feet["S1-2"] == "→ THA, MYS"
    assert len(feet) == 6


def test_an_arrow_goes_round_the_boxes_between_its_ends(write: Callable[..., Path]) -> None:
    root = ET.fromstring(svg(load_scenario(_crowded(write)).plan))
    boxes = {
        g.get("data-inject"): _rect(rect)
        for g in _groups(root, "inject")
        if g.get("data-inject") and (rect := g.find(f"{SVG}rect")) is not None
    }
    for g in _groups(root, "edge"):
        source, target, path = g.get("data-source"), g.get("data-target"), g.find(f"{SVG}path")
        if not source or path is None:
            continue
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d") or "")]
        (ax, ay, bx, by, cx, cy, dx, dy) = numbers
        for step in range(1, 50):
            t, u = step / 50, 1 - step / 50
            x = u**3 * ax + 3 * u * u * t * bx + 3 * u * t * t * cx + t**3 * dx
            y = u**3 * ay + 3 * u * u * t * by + 3 * u * t * t * cy + t**3 * dy
            under = [
                i for i, (x0, y0, x1, y1) in boxes.items() if i not in (source, target) and x0 < x < x1 and y0 < y < y1
            ]
            assert not under, f"the arrow {source} → {target} runs under {under}, as if it came from there"


# ------------------------------------------------------------------------------------------ handling label
ONE_RED = """\
exercise: {title: R, tlp: GREEN}
objectives: [{id: O1, title: Decide}]
capabilities: [{id: C1, name: Deciding, objectives: [O1], critical_tasks: [Decide]}]
cells: [{id: TFPP, name: Task force}]
participants: [{id: THA, name: Thailand, cells: [TFPP]}]
days: [{day: 1, title: One, lead: TFPP}]
phases: [{id: one, title: One, start: D1 08:00}]
injects:
  - {id: S1-1, time: D1 08:00, from: RCC, to: [THA], tlp: RED, title: Informant, objectives: [O1], capabilities: [C1]}
"""


@pytest.mark.parametrize("folder", [FERRY, *SHIPPED], ids=lambda path: path.name)
def test_the_diagram_and_page_say_at_the_top_they_are_exercise_control_under_the_highest_label(folder: Path) -> None:
    plan = load_scenario(folder).plan
    order = ["RED", "AMBER+STRICT", "AMBER", "GREEN", "CLEAR"]
    highest = min([plan.scenario.exercise.tlp, *(p.inject.tlp for p in plan.injects)], key=order.index)
    root = ET.fromstring(svg(plan))
    heading = next(node for node in root.iter(f"{SVG}text"))
    assert (heading.text or "").startswith(f"TLP:{highest} · EXERCISE CONTROL MATERIAL")
    title = root.find(f"{SVG}title")
    assert title is not None and (title.text or "").startswith(f"TLP:{highest} EXERCISE CONTROL MATERIAL")
    page = html_page(plan)
    body = page.split("<body>", 1)[1].lstrip()
    assert body.startswith(f'<p class="banner">TLP:{highest} · EXERCISE CONTROL MATERIAL')
    assert f"<title>TLP:{highest} " in page


def test_a_red_inject_in_a_green_exercise_raises_the_label_and_the_heading_fits(write: Callable[..., Path]) -> None:
    plan = load_scenario(write("red/scenario.yaml", ONE_RED).parent).plan
    root = ET.fromstring(svg(plan))
    heading = next(node for node in root.iter(f"{SVG}text"))
    assert (heading.text or "").startswith("TLP:RED · EXERCISE CONTROL MATERIAL")
    assert float(root.get("width") or 0) >= 12 + len(heading.text or "") * 9
    assert html_page(plan).split("<body>", 1)[1].lstrip().startswith('<p class="banner">TLP:RED ·')


@pytest.mark.parametrize("form", ["mermaid", "svg", "html"])
def test_a_path_that_cannot_be_written_is_one_line_and_exit_2(
    form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert main(["graph", str(FERRY), "--format", form, "-o", str(blocked / "graph.svg")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"ttx graph: cannot write {blocked / 'graph.svg'}: ")
    assert error.count("\n") == 1
