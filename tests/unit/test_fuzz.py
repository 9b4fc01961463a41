"""Fuzzing the loader: mutated scenarios always load or fail with located problems, never a traceback."""

from __future__ import annotations

import contextlib
import copy
import io
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttx.cli import main
from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError
from ttx.loader.yaml_source import read_yaml

from ..helpers import HARBOUR

BASE: dict[str, Any] = yaml.safe_load((HARBOUR / "scenario.yaml").read_text(encoding="utf-8"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100_000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["NO", "off", "9:30", "D1 09:00", "+00:30", "all", "MWG", "H1-2", "AMBER+STRICT", "012"]),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


ALL_PATHS = paths(BASE)[1:]


def parent_of(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        live = [p for p in ALL_PATHS if _exists(data, p)]
        path = draw(st.sampled_from(live))
        parent, key = parent_of(data, path), path[-1]
        operation = draw(st.sampled_from(["delete", "replace", "duplicate", "unknown-key"]))
        if operation == "delete":
            del parent[key]
        elif operation == "replace":
            parent[key] = draw(values)
        elif operation == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(values)
    return data


def _exists(data: Any, path: tuple[Any, ...]) -> bool:
    try:
        for key in path:
            if not isinstance(data, dict | list):
                return False  # a replaced value (a string is indexable, but not a place to mutate)
            data = data[key]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def check_clean(path: Path) -> None:
    try:
        load_scenario(path)
    except ScenarioError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.location.line >= 1 and problem.location.column >= 1
            assert problem.message


@FUZZ
@given(mutated())
def test_mutated_scenarios_load_or_report_located_problems(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        check_clean(path)


@FUZZ
@given(mutated())
def test_cli_validate_exits_0_or_2_on_mutations(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main(["validate", str(path)]) in (0, 2)
            assert main(["lint", str(path)]) in (0, 2)
            assert main(["msel", str(path), "--format", "csv"]) in (0, 2)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_reader(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_bytes(raw)
        try:
            read_yaml(path)
        except ScenarioError as error:
            assert all(str(problem).startswith(str(path)) for problem in error.problems)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#, \n?%@`~\t")), max_size=200))
def test_yaml_punctuation_soup_never_crashes(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(text, encoding="utf-8")
        check_clean(path)
