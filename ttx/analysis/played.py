"""Played time: scenario time the players actually played, without time jumps, nights between days or pauses."""

from __future__ import annotations

from collections.abc import Iterable

from ttx.engine.events import (
    ClockCheckpoint,
    ClockJumped,
    DayEnded,
    DayStarted,
    EventRecord,
    ExercisePaused,
    ExerciseResumed,
    PhaseEntered,
    SpeedChanged,
)
from ttx.model.scenario import Scenario

_CLOCK_EVENTS = (ClockCheckpoint, ClockJumped, DayEnded, DayStarted, PhaseEntered, SpeedChanged)
"""Events the clock writes by itself: they mark no activity."""


class PlayedTime:
    """Measures spans of scenario time with the unplayed parts taken out.

    Not played: every clock jump (``ClockJumped``); the stretch from the last activity of a day to
    the start of the next day; the stretch before a phase that starts with a time jump (``D+N``);
    and pauses. These are read from the log, so a session played at any speed measures the same.
    """

    def __init__(self, records: Iterable[EventRecord], scenario: Scenario) -> None:
        jumps = {phase.id for phase in scenario.phases if phase.start.jump}
        dead: list[tuple[int, int]] = []
        last_activity: int | None = None
        first_day = True
        paused_at: int | None = None
        paused_seqs: list[int] = []
        for record in records:
            event = record.event
            if isinstance(event, ClockJumped):
                dead.append((event.from_at, event.to_at))
            elif isinstance(event, DayStarted):
                if not first_day and last_activity is not None:
                    dead.append((last_activity, record.at))
                first_day = False
            elif isinstance(event, PhaseEntered) and event.phase in jumps and last_activity is not None:
                dead.append((last_activity, record.at))
            elif isinstance(event, ExercisePaused):
                paused_at = record.at
            elif isinstance(event, ExerciseResumed) and paused_at is not None:
                dead.append((paused_at, record.at))
                paused_at = None
            elif paused_at is not None:
                paused_seqs.append(record.seq)
            if not isinstance(event, _CLOCK_EVENTS):
                last_activity = record.at
        self.dead = _merge([(a, b) for a, b in dead if b > a])
        self.paused_seqs = frozenset(paused_seqs)
        """Events recorded while the exercise was paused (their played time to answer is not measurable)."""

    def seconds(self, start: int, end: int) -> int:
        """Played seconds between two scenario times (0 when ``end`` is not after ``start``)."""
        if end <= start:
            return 0
        lost = sum(max(0, min(b, end) - max(a, start)) for a, b in self.dead)
        return end - start - lost

    def minutes(self, start: int, end: int) -> float:
        """Played minutes between two scenario times, to one decimal."""
        return round(self.seconds(start, end) / 60, 1)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
