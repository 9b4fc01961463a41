"""The parts of ttx serve: the failure limiter, idle endings, the address parser, capacity, page escaping."""

from __future__ import annotations

import pytest

from ttx.serve.capacity import CONSOLE_MIB, SERVER_RESERVE_MIB, default_max_consoles
from ttx.serve.consoles import PER_SEAT, Consoles
from ttx.serve.pages import Exercise, console_page, notice_page, signin_page
from ttx.serve.ratelimit import FailureLimiter
from ttx.serve.server import parse_bind


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_are_forgotten_after_the_window() -> None:
    clock = Clock()
    limiter = FailureLimiter(3, 60.0, clock)
    for _ in range(3):
        limiter.failed("10.0.0.1")
    assert limiter.blocked("10.0.0.1") and not limiter.blocked("10.0.0.2")
    assert limiter.retry_after("10.0.0.1") == 61
    clock.now += 30
    assert limiter.blocked("10.0.0.1") and limiter.retry_after("10.0.0.1") == 31
    clock.now += 31
    assert not limiter.blocked("10.0.0.1")


async def test_idle_sign_ins_end_and_active_ones_stay() -> None:
    clock = Clock()
    consoles = Consoles(max_consoles=2, idle_seconds=60, clock=clock)
    idle = consoles.sign_in("delegation:XAR", "XAR", "AAAAAA", "10.0.0.1")
    clock.now += 50
    active = consoles.sign_in("delegation:XBO", "XBO", "BBBBBB", "10.0.0.2")
    clock.now += 20
    assert await consoles.end_idle() == 1
    assert consoles.get(idle.token) is None and consoles.get(active.token) is active
    assert idle.ended == "idle" and consoles.get("") is None and consoles.get("forged") is None
    assert idle.token != active.token and len(idle.token) >= 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        (":9000", ("127.0.0.1", 9000)),
        ("10.1.2.3", ("10.1.2.3", 8000)),
        ("[::1]:8443", ("::1", 8443)),
        ("[::]", ("::", 8000)),
    ],
)
def test_bind_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_bind(text) == expected


@pytest.mark.parametrize("text", ["host:0", "host:70000", "host:http"])
def test_bad_bind_addresses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_bind(text)


def test_the_default_bound_follows_memory() -> None:
    assert default_max_consoles(SERVER_RESERVE_MIB + 10 * CONSOLE_MIB) == 10
    assert default_max_consoles(100) == 1
    assert default_max_consoles(10_000_000) == 500


def test_pages_escape_text_and_keep_it_on_one_line() -> None:
    exercise = Exercise('<img src=x onerror="alert(1)">\n\x1b[31mred', "RED")
    for page in (
        signin_page(exercise, error="<b>no</b>"),
        console_page(exercise, "delegation:X — <i>Name</i>"),
        notice_page(exercise, "<h1>", "<script>"),
    ):
        assert "<img" not in page and "<b>no" not in page and "<i>Name" not in page and "<script>" not in page
        assert "\x1b" not in page
        assert "TLP:RED" in page


async def test_one_seat_holds_a_bounded_number_of_sign_ins() -> None:
    clock = Clock()
    consoles = Consoles(max_consoles=50, idle_seconds=600, clock=clock)
    first = await consoles.admit("delegation:XAR", "XAR", "AAAAAA", "10.0.0.1")
    others = []
    for _ in range(PER_SEAT):
        clock.now += 1
        others.append(await consoles.admit("delegation:XAR", "XAR", "AAAAAA", "10.0.0.1"))
    other_seat = await consoles.admit("delegation:XBO", "XBO", "BBBBBB", "10.0.0.2")
    assert consoles.get(first.token) is None, "the least recently active sign-in made way"
    assert all(consoles.get(s.token) is s for s in [*others, other_seat])
    assert sum(1 for s in consoles.signins.values() if s.seat == "delegation:XAR") == PER_SEAT
