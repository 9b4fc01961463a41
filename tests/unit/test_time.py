"""Scenario time: one parser, one canonical form, round-trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ttx.model.time import Duration, Offset, ScenarioTime, TimeFormatError, parse_time_spec


@pytest.mark.parametrize(
    ("text", "day", "minutes", "canonical"),
    [
        ("D1 09:00", 1, 540, "D1 09:00"),
        ("D2 9:30", 2, 1440 + 570, "D2 09:30"),
        ("D+60 09:00", 61, 60 * 1440 + 540, "D+60 09:00"),
        ("  D4 23:59 ", 4, 3 * 1440 + 1439, "D4 23:59"),
    ],
)
def test_absolute_times_parse_to_minutes_and_canonical_text(text: str, day: int, minutes: int, canonical: str) -> None:
    time = ScenarioTime.parse(text)
    assert (time.day, time.minutes, str(time)) == (day, minutes, canonical)


def test_time_jump_is_marked_and_ordered_after_the_days_before_it() -> None:
    jump = ScenarioTime.parse("D+90 09:00")
    assert jump.jump and jump.minutes > ScenarioTime.parse("D4 16:00").minutes


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("D2 9:70", "minutes must be 00-59"),
        ("D1 24:00", "hours must be 0-23"),
        ("D0 09:00", "days count from D1"),
        ("Day 1 09:00", "not a scenario time"),
        ("09:00", "not a scenario time"),
    ],
)
def test_bad_times_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(TimeFormatError, match=fragment):
        ScenarioTime.parse(text)


def test_offsets_and_durations() -> None:
    spec = parse_time_spec("+00:30")
    assert isinstance(spec, Offset) and spec.after == Duration(30) and str(spec) == "+00:30"
    assert ScenarioTime.parse("D1 23:45") + Duration.parse("00:30") == ScenarioTime.parse("D2 00:15")
    assert str(Duration.parse("36:00")) == "36:00"
    with pytest.raises(TimeFormatError, match="not a duration"):
        Duration.parse("1h")


@given(st.integers(1, 400), st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_every_time_round_trips_through_its_text(day: int, hour: int, minute: int, jump: bool) -> None:
    text = f"D+{day} {hour:02d}:{minute:02d}" if jump else f"D{day} {hour:02d}:{minute:02d}"
    parsed = ScenarioTime.parse(text)
    assert str(parsed) == text
    assert ScenarioTime.parse(str(parsed)) == parsed


@given(st.integers(0, 999 * 60 + 59))
def test_every_offset_round_trips(minutes: int) -> None:
    offset = Offset(Duration(minutes))
    assert parse_time_spec(str(offset)) == offset
