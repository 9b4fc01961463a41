"""Response deadlines as a duration after release or as an absolute scenario time, converted in one place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.engine.clock import MAX_SPEED, ManualClock
from ttx.engine.creation import create_session
from ttx.engine.headless import HeadlessRun
from ttx.loader.lint import lint
from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError
from ttx.model.plan import deadline_of
from ttx.model.time import Duration, ScenarioTime, due_at, parse_deadline
from ttx.preview.msel import msel_rows
from ttx.store.memory import MemoryStore

Write = Callable[..., Path]
RELATIVE = '      deadline: "02:00"\n'
ABSOLUTE = "      deadline: D1 12:30\n"


def test_parse_deadline_both_forms() -> None:
    assert parse_deadline("03:00") == Duration(180)
    assert parse_deadline("D1 20:00") == ScenarioTime.at(1, 20 * 60)
    assert due_at(Duration(60), 3600) == 7200
    assert due_at(ScenarioTime.at(1, 10 * 60), 9 * 3600) == 10 * 3600
    assert due_at(ScenarioTime.at(1, 8 * 60), 9 * 3600) == 9 * 3600  # never before the release


def test_a_deadline_that_is_neither_says_both_forms(write: Write, harbour: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write("ex/scenario.yaml", harbour.replace(RELATIVE, '      deadline: "9pm"\n')))
    (problem,) = caught.value.problems
    assert "'9pm' is not a deadline; write a duration after release ('03:00') or a scenario time ('D1 20:00')" in str(
        problem
    )


def test_absolute_deadline_in_plan_msel_and_engine(write: Write, harbour: str) -> None:
    assert RELATIVE in harbour
    loaded = load_scenario(write("ex/scenario.yaml", harbour.replace(RELATIVE, ABSOLUTE)))
    plan = loaded.plan
    assert str(deadline_of(plan.by_id["H1-2"])) == "D1 12:30"
    assert str(plan.by_id["H1-3"].time) == "D1 12:30"  # the contingency counts from the deadline
    assert "response due D1 12:30" in next(row.release for row in msel_rows(plan) if row.id == "H1-2")
    store, clock = MemoryStore(), ManualClock()
    create_session(store, loaded.scenario, loaded.digest, clock)
    HeadlessRun(store, clock, speed=MAX_SPEED, say=lambda _: None).run()
    released = {
        record.event.inject: record.at  # type: ignore[attr-defined]
        for record in store.events()
        if record.event.type == "inject_released"
    }
    assert released["H1-3"] == (12 * 60 + 30) * 60
    assert lint(loaded) == []


def test_absolute_deadline_before_release_is_a_lint_finding(write: Write, harbour: str) -> None:
    loaded = load_scenario(write("ex/scenario.yaml", harbour.replace(RELATIVE, "      deadline: D1 09:00\n")))
    found = [str(f) for f in lint(loaded)]
    assert any(
        "due D1 09:00, but the inject is released at D1 09:00" in line and line.endswith("[deadline-before-release]")
        for line in found
    ), found
