"""Clocks: the injectable time source, and the scenario clock that runs at a chosen speed."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Protocol

MAX_SPEED = 0.0
"""Speed value meaning "as fast as possible": jump straight to each next due event."""


class Clock(Protocol):
    """Where the engine gets time from: a monotonic counter and the UTC wall time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never goes back."""
        ...

    def wall(self) -> dt.datetime:
        """Current UTC wall time."""
        ...


class SystemClock:
    """The real time."""

    def monotonic(self) -> float:
        """time.monotonic()."""
        return time.monotonic()

    def wall(self) -> dt.datetime:
        """Now, in UTC."""
        return dt.datetime.now(dt.UTC)


@dataclass
class ManualClock:
    """A clock tests move by hand: exact and instant."""

    now: float = 0.0
    start: dt.datetime = field(default_factory=lambda: dt.datetime(2027, 3, 1, 1, 0, tzinfo=dt.UTC))

    def monotonic(self) -> float:
        """The manual time."""
        return self.now

    def wall(self) -> dt.datetime:
        """The start wall time plus the manual time."""
        return self.start + dt.timedelta(seconds=self.now)

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@dataclass
class ScenarioClock:
    """Scenario seconds: advance at ``speed`` x wall time while running, stand still otherwise."""

    source: Clock
    at: int = 0
    speed: float = 1.0
    running: bool = False
    ceiling: int | None = None
    """While set, the clock does not pass this time (it waits at a guarded phase boundary)."""
    _anchor_at: float = 0.0
    _anchor_mono: float = 0.0

    def __post_init__(self) -> None:
        self._reanchor()

    def _reanchor(self) -> None:
        self._anchor_at = float(self.at)
        self._anchor_mono = self.source.monotonic()

    def now(self) -> int:
        """Scenario seconds now (never earlier than the last recorded time)."""
        if not self.running or self.speed == MAX_SPEED:
            return self.at
        elapsed = self.source.monotonic() - self._anchor_mono
        value = max(self.at, int(self._anchor_at + elapsed * self.speed))
        return value if self.ceiling is None else max(self.at, min(value, self.ceiling))

    def hold(self, ceiling: int) -> None:
        """Do not run past ``ceiling`` until :meth:`release` (a guard keeps the next phase shut)."""
        self.ceiling = ceiling

    def release(self) -> None:
        """Run on from where the clock waited, not from where it would have been."""
        if self.ceiling is not None:
            self.at = self.now()
            self.ceiling = None
            self._reanchor()

    def set(self, at: int) -> None:
        """Move the clock to ``at`` (never backwards) and re-anchor."""
        self.at = max(self.now(), at)
        self._reanchor()

    def mark(self, at: int) -> None:
        """Record that the scenario reached ``at`` (no re-anchoring: the clock keeps running as it was)."""
        self.at = max(self.at, at)

    def run(self, running: bool) -> None:
        """Start or stop the clock at its current time."""
        self.at = self.now()
        self.running = running
        self._reanchor()

    def rebase(self, source: Clock) -> None:
        """Keep the scenario time, but measure from now on with ``source`` (after replaying the log in no time)."""
        self.at = self.now()
        self.source = source
        self._reanchor()

    def set_speed(self, speed: float) -> None:
        """Change speed from now on."""
        self.at = self.now()
        self.speed = speed
        self._reanchor()

    def wall_seconds_until(self, at: int) -> float | None:
        """Wall seconds until the scenario clock reaches ``at`` (None when stopped or at max speed)."""
        if not self.running or self.speed == MAX_SPEED:
            return None
        return max(0.0, (at - self.now()) / self.speed)
