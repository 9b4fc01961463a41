"""Recipient groups: named lists of cells and participants in 'to' and 'response.by'; list variables fail clearly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.loader.lint import lint
from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError

Write = Callable[..., Path]

VARIABLES = "variables:\n  harbour: Port Serein\n"
GROUPS = VARIABLES + "\ngroups:\n  flag_states: [XAR, XBO]\n  at_sea: [MWG]\n"
TO = "    to: [MWG, PWG]\n    channel: radio"
BY = "      by: any                   # one answer from either cell is enough"


def _problems(write: Write, text: str) -> list[str]:
    path = write("ex/scenario.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [str(problem).removeprefix(f"{path}:") for problem in caught.value.problems]


def test_groups_expand_in_to_and_by(write: Write, harbour: str) -> None:
    assert VARIABLES in harbour and TO in harbour and BY in harbour
    text = harbour.replace(VARIABLES, GROUPS).replace(TO, "    to: [at_sea, PWG]\n    channel: radio", 1)
    text = text.replace(BY, "      by: [flag_states]")
    loaded = load_scenario(write("ex/scenario.yaml", text))
    inject = loaded.scenario.inject("H1-2")
    assert inject.to == ["MWG", "PWG"]
    assert inject.response is not None and inject.response.by == ["XAR", "XBO"]
    assert loaded.plan.by_id["H1-2"].participants == frozenset({"XAR", "XBO", "XCA", "RMO"})
    assert loaded.scenario.groups == {"flag_states": ["XAR", "XBO"], "at_sea": ["MWG"]}
    assert lint(loaded) == []


def test_a_group_alone_as_to(write: Write, harbour: str) -> None:
    text = harbour.replace(VARIABLES, GROUPS).replace(TO, "    to: flag_states\n    channel: radio", 1)
    text = text.replace(BY, "      by: each")
    assert load_scenario(write("ex/scenario.yaml", text)).scenario.inject("H1-2").to == ["XAR", "XBO"]


def test_unknown_names_get_did_you_mean(write: Write, harbour: str) -> None:
    text = harbour.replace(VARIABLES, GROUPS.replace("[XAR, XBO]", "[XAR, XBB]"))
    text = text.replace(TO, "    to: [at_see, PWG]\n    channel: radio", 1)
    assert _problems(write, text) == [
        "25:22: groups.flag_states[1]: unknown cell or participant 'XBB'; did you mean 'XBO'?",
        "110:10: injects[H1-2].to[0]: unknown cell, participant or group 'at_see'; did you mean 'at_sea'?",
    ]


def test_group_names_and_members_are_checked(write: Write, harbour: str) -> None:
    text = harbour.replace(VARIABLES, VARIABLES + "\ngroups:\n  MWG: [XAR]\n  both: [MWG, at_sea]\n  at_sea: []\n")
    assert _problems(write, text) == [
        "25:8: groups.MWG: group name 'MWG' is already a cell or participant id",
        "26:10: groups.both[0]: 'MWG' is a group; a group lists cells and participants",
        "26:15: groups.both[1]: 'at_sea' is a group; a group lists cells and participants",
        "27:11: groups.at_sea: a group needs at least one cell or participant",
    ]


def test_a_list_variable_is_one_clear_message(write: Write, harbour: str) -> None:
    text = harbour.replace(VARIABLES, VARIABLES + "  flag_states: [XAR, XBO]\n")
    text = text.replace(TO, '    to: "{{ flag_states }}"\n    channel: radio', 1)
    (problem,) = _problems(write, text)
    assert problem == (
        "23:16: variables.flag_states: a variable holds text, not a list; for a list of cells and participants "
        "declare a group ('groups: {flag_states: [...]}') and write its name in 'to'"
    )
