"""Failed sign-ins counted per client address in a sliding window, so a seat code cannot be guessed by trying many."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FailureLimiter:
    """At most ``limit`` failed attempts per address in any ``window`` seconds; past that the address is refused."""

    def __init__(self, limit: int = 10, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        now = self.clock()
        failures = self._failures.get(address)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[address]
        return failures

    def blocked(self, address: str) -> bool:
        """Whether ``address`` used up its failed attempts for now."""
        return len(self._recent(address)) >= self.limit

    def retry_after(self, address: str) -> int:
        """Seconds until ``address`` may try again (at least 1)."""
        failures = self._recent(address)
        if len(failures) < self.limit:
            return 0
        return max(1, int(failures[-self.limit] + self.window - self.clock()) + 1)

    def failed(self, address: str) -> int:
        """Count a failed attempt; returns how many ``address`` made in the window."""
        failures = self._recent(address)
        failures.append(self.clock())
        self._failures[address] = failures
        if len(self._failures) > 100_000:  # a flood from many addresses cannot grow this without bound
            self._failures.pop(next(iter(self._failures)))
        return len(failures)
