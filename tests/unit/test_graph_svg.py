"""`ttx graph --format svg|html`: a swimlane diagram an author opens in a browser; every inject and branch drawn, text inert."""

from __future__ import annotations

import dataclasses
import html
import xml.etree.ElementTree as ET
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
    assert capsys.readouterr().out.startswith("flowchart TD\n")
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
        changed = inject.model_copy(update={"title": text, "source": text, "options": options, "triggers": triggers})
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
