"""The YAML mistakes authors make most come with what to do about them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError

Write = Callable[..., Path]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exercise:\n  title: Control: nobody\n", "2:17: YAML syntax: mapping values are not allowed"),
        ("exercise:\n\ttitle: x\n", "2:1: YAML syntax:"),
    ],
)
def test_yaml_mistakes_get_a_hint(write: Write, text: str, expected: str) -> None:
    path = write("ex/scenario.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = [str(p).removeprefix(f"{path}:") for p in caught.value.problems]
    assert problem.startswith(expected), problem
    hint = "must be quoted, e.g. title:" if "mapping" in expected else "indent with spaces, not tabs"
    assert hint in problem, problem


def test_a_comma_inside_a_flow_mapping_says_so_without_cascades(write: Write, harbour: str) -> None:
    old = '{time: "09:30", until: "12:00", kind: small_group, title: Cell work}'
    assert old in harbour
    path = write("ex/scenario.yaml", harbour.replace(old, old.replace("Cell work", "Cell work, then plenary")))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = [str(p).removeprefix(f"{path}:") for p in caught.value.problems]
    assert problem.endswith(
        "days[0].agenda[1].then plenary: unknown field 'then plenary'; a comma inside {…} ends the value "
        'before it: quote the whole text, "…, then plenary"'
    )


def test_a_comma_before_a_single_word_inside_a_flow_mapping_says_so(write: Write, harbour: str) -> None:
    old = '{time: "09:30", until: "12:00", kind: small_group, title: Cell work}'
    path = write("ex/scenario.yaml", harbour.replace(old, old.replace("Cell work", "Cell work, plenary")))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = [str(p).removeprefix(f"{path}:") for p in caught.value.problems]
    assert problem.endswith(
        "days[0].agenda[1].plenary: unknown field 'plenary'; a comma inside {…} ends the value "
        'before it: quote the whole text, "…, plenary"'
    )


def test_an_empty_unknown_field_outside_braces_gets_no_comma_hint(write: Write, harbour: str) -> None:
    path = write("ex/scenario.yaml", harbour.replace("exercise:\n", "exercise:\n  plenary:\n", 1))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = [str(p).removeprefix(f"{path}:") for p in caught.value.problems]
    assert problem.endswith("exercise.plenary: unknown field 'plenary'"), problem


def test_a_misspelt_field_is_matched_against_the_fields_of_the_file_being_read(write: Write) -> None:
    from ttx.engine.script import Script
    from ttx.loader.load import validate_document
    from ttx.loader.yaml_source import read_yaml

    path = write("script.yaml", "actions:\n  - when: {relased: H1-1}\n    do: {kind: note, text: x}\n")
    with pytest.raises(ScenarioError) as caught:
        validate_document(Script, read_yaml(path))
    (problem,) = [str(p).removeprefix(f"{path}:") for p in caught.value.problems]
    assert problem == "2:21: actions[0].when.relased: unknown field 'relased'; did you mean 'released'?"
