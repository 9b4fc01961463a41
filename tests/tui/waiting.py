"""Waiting on a console as it runs: the messages it receives (notices, session polls), never a fixed pause."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from ttx.tui.polling import SessionPolled

TIMEOUT = 10.0
"""How long a test waits for what it expects before failing (a bound for a busy machine, not a speed figure)."""


class Watch:
    """A ``run_test(message_hook=...)`` hook: records the console's notices, counts its polls, wakes waiting tests.

    Every message the console receives (a poll, a notice, a timer, a key) wakes a waiting test, which then
    lets the console finish handling it and checks again: no sleep decides when a test looks.
    """

    def __init__(self) -> None:
        self.notices: list[tuple[str, str]] = []
        self.polls = 0
        self._arrived = asyncio.Event()

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.notices.append((message.notification.title, message.notification.message))
        elif isinstance(message, SessionPolled):
            self.polls += 1
        self._arrived.set()

    def titled(self, title: str) -> list[str]:
        """The texts of the notices whose title holds ``title``, in order."""
        return [text for shown_title, text in self.notices if title in shown_title]

    async def until(self, pilot: Pilot[Any], check: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
        """Let the console run until ``check`` holds once it has handled what it received; fail after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await pilot.wait_for_scheduled_animations()
        while not check():
            self._arrived.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"{what} did not happen within {timeout} s")
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                raise AssertionError(f"{what} did not happen within {timeout} s") from None
            await pilot.wait_for_scheduled_animations()

    async def polled(self, pilot: Pilot[Any], what: str = "a poll of the session") -> None:
        """Wait until the console has applied a poll that read the session after this call.

        Polls run one after another (the next read starts once the last is applied), so the second poll
        received from now on read the store after now, whatever was in flight when the test wrote to it.
        """
        wanted = self.polls + 2
        await self.until(pilot, lambda: self.polls >= wanted, what)
