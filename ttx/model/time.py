"""Scenario time: absolute times ("D2 09:30", "D+60 09:00"), offsets ("+00:30") and durations."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

MINUTES_PER_DAY = 24 * 60

_ABSOLUTE = re.compile(r"^D(?P<jump>\+)?(?P<day>\d{1,4})\s+(?P<h>\d{1,2}):(?P<m>\d{2})$")
_CLOCK = re.compile(r"^(?P<h>\d{1,3}):(?P<m>\d{2})$")

ABSOLUTE_PATTERN = r"^D\+?\d{1,4}\s+\d{1,2}:\d{2}$"
OFFSET_PATTERN = r"^\+\d{1,3}:\d{2}$"
DURATION_PATTERN = r"^\d{1,3}:\d{2}$"
CLOCK_PATTERN = r"^\d{1,2}:\d{2}$"


class TimeFormatError(ValueError):
    """A scenario time, offset or duration that does not parse."""


def _hours_minutes(text: str, *, max_hours: int) -> int:
    match = _CLOCK.match(text)
    if not match:
        raise TimeFormatError(f"{text!r} is not HH:MM")
    hours, minutes = int(match["h"]), int(match["m"])
    if minutes > 59:
        raise TimeFormatError(f"{text!r}: minutes must be 00-59")
    if hours > max_hours:
        raise TimeFormatError(f"{text!r}: hours must be 0-{max_hours}")
    return hours * 60 + minutes


def _format_hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Seconds = int
"""Scenario time as the engine and the log count it: seconds since Day 1 00:00 (authors write minutes)."""
SECONDS_PER_MINUTE = 60


@dataclass(frozen=True, order=True, slots=True)
class ScenarioTime:
    """A moment of the scenario: minutes since Day 1 00:00.

    ``D1 09:00`` is day 1 at 09:00. ``D+60 09:00`` is a time jump: 60 days after Day 1,
    i.e. day 61, written with the jump mark so the clock knows to jump there.
    """

    minutes: int
    jump: bool = False

    @classmethod
    def parse(cls, text: str) -> ScenarioTime:
        """Parse ``D<n> HH:MM`` or ``D+<n> HH:MM``."""
        match = _ABSOLUTE.match(text.strip())
        if not match:
            raise TimeFormatError(
                f"{text!r} is not a scenario time; write 'D1 09:00' (day 1, 09:00) "
                "or 'D+60 09:00' (time jump: 60 days after day 1)"
            )
        day = int(match["day"])
        jump = match["jump"] is not None
        if not jump and day < 1:
            raise TimeFormatError(f"{text!r}: days count from D1")
        try:
            clock = _hours_minutes(f"{match['h']}:{match['m']}", max_hours=23)
        except TimeFormatError as error:
            raise TimeFormatError(f"{text!r}: {str(error).split(': ', 1)[1]}") from None
        day_index = day if jump else day - 1
        return cls(day_index * MINUTES_PER_DAY + clock, jump)

    @classmethod
    def at(cls, day: int, clock_minutes: int = 0) -> ScenarioTime:
        """The time ``clock_minutes`` after midnight of ``day`` (1-based)."""
        return cls((day - 1) * MINUTES_PER_DAY + clock_minutes)

    @classmethod
    def from_seconds(cls, at: Seconds, *, jump: bool = False) -> ScenarioTime:
        """The minute a scenario second falls in."""
        return cls(at // SECONDS_PER_MINUTE, jump)

    @property
    def seconds(self) -> Seconds:
        """This moment in scenario seconds."""
        return self.minutes * SECONDS_PER_MINUTE

    @property
    def day(self) -> int:
        """Day number, 1-based (a ``D+60`` time is day 61)."""
        return self.minutes // MINUTES_PER_DAY + 1

    @property
    def clock(self) -> str:
        """Time of day as ``HH:MM``."""
        return _format_hm(self.minutes % MINUTES_PER_DAY)

    def __add__(self, other: Duration) -> ScenarioTime:
        return ScenarioTime(self.minutes + other.minutes)

    def __str__(self) -> str:
        if self.jump:
            return f"D+{self.day - 1} {self.clock}"
        return f"D{self.day} {self.clock}"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[Any], handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _string_type_schema(cls, cls.parse)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": ABSOLUTE_PATTERN,
            "examples": ["D1 09:00", "D+60 09:00"],
        }


@dataclass(frozen=True, order=True, slots=True)
class Duration:
    """A span of scenario time, written ``HH:MM`` (hours may exceed 24: ``36:00``)."""

    minutes: int

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse ``HH:MM``."""
        try:
            return cls(_hours_minutes(text.strip(), max_hours=999))
        except TimeFormatError:
            raise TimeFormatError(
                f"{text!r} is not a duration; write hours and minutes, e.g. '01:30' or '36:00'"
            ) from None

    @property
    def seconds(self) -> Seconds:
        """This duration in scenario seconds."""
        return self.minutes * SECONDS_PER_MINUTE

    def __str__(self) -> str:
        return _format_hm(self.minutes)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[Any], handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _string_type_schema(cls, cls.parse)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": DURATION_PATTERN, "examples": ["01:30"]}


@dataclass(frozen=True, slots=True)
class Offset:
    """A relative time ``+HH:MM``: after the inject's anchor (another inject or a phase start)."""

    after: Duration

    @classmethod
    def parse(cls, text: str) -> Offset:
        """Parse ``+HH:MM``."""
        stripped = text.strip()
        if not stripped.startswith("+"):
            raise TimeFormatError(f"{text!r} is not an offset; write '+00:30'")
        return cls(Duration.parse(stripped[1:]))

    def __str__(self) -> str:
        return f"+{self.after}"


TimeSpec = ScenarioTime | Offset
"""What an author writes as an inject's time: absolute or relative."""


def _union_string_type(
    name: str, parse: Callable[[str], Any], types: tuple[type, ...], pattern: str, examples: list[str]
) -> type:
    """A pydantic adapter for a value written as one string that parses to one of ``types``."""

    class _Adapter:
        @classmethod
        def __get_pydantic_core_schema__(
            cls, source: type[Any], handler: GetCoreSchemaHandler
        ) -> core_schema.CoreSchema:
            return core_schema.no_info_plain_validator_function(
                _parse_or_pass(parse, types),
                serialization=core_schema.plain_serializer_function_ser_schema(str),
            )

        @classmethod
        def __get_pydantic_json_schema__(
            cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
        ) -> JsonSchemaValue:
            return {"type": "string", "pattern": pattern, "examples": examples}

    _Adapter.__name__ = _Adapter.__qualname__ = f"_{name}Type"
    _Adapter.__doc__ = f"Pydantic adapter for {name} written as one string."
    return _Adapter


def parse_time_spec(text: str) -> TimeSpec:
    """Parse an inject time: ``D1 09:00``, ``D+60 09:00`` or ``+00:30``."""
    if text.strip().startswith("+"):
        return Offset.parse(text)
    return ScenarioTime.parse(text)


_TimeSpecType = _union_string_type(
    "TimeSpec",
    parse_time_spec,
    (ScenarioTime, Offset),
    f"({ABSOLUTE_PATTERN})|({OFFSET_PATTERN})",
    ["D1 09:00", "D+60 09:00", "+00:30"],
)


TimeSpecField = Annotated[TimeSpec, _TimeSpecType]
"""Pydantic field type for an inject time."""


Deadline = Duration | ScenarioTime
"""A response deadline: a duration after release ("03:00") or a scenario time ("D1 20:00")."""


def parse_deadline(text: str) -> Deadline:
    """Parse a deadline: ``HH:MM`` after release, or an absolute ``D1 20:00``."""
    stripped = text.strip()
    if stripped[:1].upper() == "D":
        return ScenarioTime.parse(stripped)
    try:
        return Duration.parse(stripped)
    except TimeFormatError:
        raise TimeFormatError(
            f"{text!r} is not a deadline; write a duration after release ('03:00') or a scenario time ('D1 20:00')"
        ) from None


def due_at(deadline: Deadline, released_at: Seconds) -> Seconds:
    """When a response is due for an inject released at ``released_at`` (never before its release).

    The one conversion of a deadline into a scenario second: the plan, the scheduler and the
    obligations all ask this.
    """
    if isinstance(deadline, ScenarioTime):
        return max(released_at, deadline.seconds)
    return released_at + deadline.seconds


_DeadlineType = _union_string_type(
    "Deadline",
    parse_deadline,
    (Duration, ScenarioTime),
    f"({DURATION_PATTERN})|({ABSOLUTE_PATTERN})",
    ["03:00", "D1 20:00"],
)


DeadlineField = Annotated[Deadline, _DeadlineType]
"""Pydantic field type for a response deadline."""


def parse_clock(text: str) -> int:
    """Parse a wall-clock agenda time ``HH:MM`` into minutes after midnight."""
    return _hours_minutes(text.strip(), max_hours=23)


def _parse_or_pass(parse: Any, types: tuple[type, ...]) -> Any:
    def validate(value: Any) -> Any:
        if isinstance(value, types):
            return value
        if not isinstance(value, str):
            raise ValueError("expected a string such as 'D1 09:00'")
        try:
            return parse(value)
        except TimeFormatError as error:
            raise ValueError(str(error)) from None

    return validate


def _string_type_schema(cls: type[Any], parse: Any) -> core_schema.CoreSchema:
    return core_schema.no_info_plain_validator_function(
        _parse_or_pass(parse, (cls,)),
        serialization=core_schema.plain_serializer_function_ser_schema(str),
    )
