"""Member-state ids are checked against the ISO 3166-1 list shipped with ttx, with a suggestion."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError
from ttx.model.countries import COUNTRIES, country_name, suggest_code, user_assigned

Write = Callable[..., Path]
SEAT = "  - {id: XCA, name: Calvera, cells: [PWG], roles: [legal]}"


def _seat(harbour: str, participant: str) -> str:
    assert SEAT in harbour
    return harbour.replace(SEAT, participant)


def _problems(write: Write, text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write("ex/scenario.yaml", text))
    return [str(problem).split(":", 1)[1] for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("participant", "message"),
    [
        (
            "{id: THL, name: Thailand, cells: [PWG]}",
            "member state id 'THL' is not an ISO 3166-1 alpha-3 code; did you mean 'THA' (Thailand)?",
        ),
        (
            "{id: NO, name: Norway, cells: [PWG]}",
            "member state id 'NO' must be an ISO 3166 alpha-3 code such as 'THA'; did you mean 'NOR' (Norway)?",
        ),
        (
            "{id: VIE, name: Viet Nam, cells: [PWG]}",
            "member state id 'VIE' is not an ISO 3166-1 alpha-3 code; did you mean 'VNM' (Vietnam)?",
        ),
        (
            "{id: UNHCR, name: Refugee agency, cells: [PWG]}",
            "member state id 'UNHCR' must be an ISO 3166 alpha-3 code such as 'THA'; an organisation needs "
            "'kind: io', a fictional state a code from XAA to XZZ",
        ),
    ],
)
def test_a_member_state_id_off_the_iso_list_is_located_with_a_suggestion(
    write: Write, harbour: str, participant: str, message: str
) -> None:
    text = _seat(harbour, f"  - {participant}")
    line = text.splitlines().index(f"  - {participant}") + 1
    assert _problems(write, text) == [f"{line}:5: participants[{participant[5:].split(',')[0]}]: {message}"]


@pytest.mark.parametrize(
    "participant",
    [
        "{id: NOR, name: Norway, cells: [PWG]}",  # on the list
        "{id: XQZ, name: Quazland, cells: [PWG]}",  # user-assigned: free for fictional states
        "{id: IOM, name: International Organization for Migration, kind: io, cells: [PWG]}",
        "{id: UNODC, name: UN Office on Drugs and Crime, kind: io, cells: [PWG]}",
        "{id: Caritas, name: A charity, kind: ngo, cells: [PWG]}",
    ],
)
def test_iso_codes_fictional_codes_and_organisations_are_accepted(write: Write, harbour: str, participant: str) -> None:
    load_scenario(write("ex/scenario.yaml", _seat(harbour, f"  - {participant}")))


def test_the_shipped_list_is_iso_3166_1() -> None:
    assert len(COUNTRIES) == 249
    assert country_name("THA") == "Thailand" and country_name("MMR") == "Myanmar"
    assert country_name("XBO") is None and user_assigned("XBO") and not user_assigned("THA")
    debian = Path("/usr/share/iso-codes/json/iso_3166-1.json")
    if debian.exists():  # the same codes as the system's iso-codes package, where it is installed
        entries = json.loads(debian.read_text(encoding="utf-8"))["3166-1"]
        assert {e["alpha_3"] for e in entries} == set(COUNTRIES)


@given(st.text(max_size=20), st.text(max_size=60))
def test_a_suggestion_is_always_a_real_code(code: str, name: str) -> None:
    guess = suggest_code(code, name)
    assert guess is None or guess in COUNTRIES
