"""The base every scenario model derives from, and the small shared field types."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ttx.model.time import TimeFormatError, parse_clock


class Model(BaseModel):
    """Frozen, strict-keyed base: unknown keys are errors, docstrings become schema text."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=True,
        str_strip_whitespace=True,
    )


ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_.\-]*$"
_ID = re.compile(ID_PATTERN)


def _check_id(value: object) -> object:
    """Say what an id may hold before the pattern check would answer with the pattern itself."""
    if isinstance(value, str) and value.strip() and not _ID.match(value.strip()):
        shown = value if len(value) <= 64 else value[:63] + "…"
        raise ValueError(f"{shown!r} is not a valid id: start with a letter, then letters, digits, '-', '_' or '.'")
    return value


Id = Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN), BeforeValidator(_check_id)]
"""An identifier authors use to refer to things (A1-5, DWG, THA, O1)."""


def _canonical_clock(value: object) -> object:
    if isinstance(value, str):
        try:
            minutes = parse_clock(value)
        except TimeFormatError as error:
            raise ValueError(f"{error}; write a time of day such as '09:30'") from None
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return value


ClockTime = Annotated[str, BeforeValidator(_canonical_clock), Field(pattern=r"^\d{2}:\d{2}$", examples=["09:30"])]
"""A time of day on the real agenda, ``HH:MM``."""


class Tlp(StrEnum):
    """Traffic Light Protocol 2.0 labels, most restrictive first."""

    RED = "RED"
    AMBER_STRICT = "AMBER+STRICT"
    AMBER = "AMBER"
    GREEN = "GREEN"
    CLEAR = "CLEAR"

    @property
    def label(self) -> str:
        """The label as printed on material: ``TLP:AMBER``."""
        return f"TLP:{self.value}"


def strictest(labels: Iterable[Tlp]) -> Tlp:
    """The most restrictive of ``labels`` (the label material holding all of them carries)."""
    return min(labels, key=_TLP_ORDER.index)


_TLP_ORDER = list(Tlp)

CONTROL_MATERIAL = "EXERCISE CONTROL MATERIAL"
"""What every output that holds the whole scenario (every inject whatever its label) says at its top."""


def _tlp_from_text(value: object) -> object:
    if isinstance(value, str):
        text = value.strip().upper()
        text = text.removeprefix("TLP:").removeprefix("TLP ").strip()
        return text.replace(" ", "")
    return value


TlpLabel = Annotated[Tlp, BeforeValidator(_tlp_from_text)]
"""A TLP label, written ``AMBER`` or ``TLP:AMBER`` (case does not matter)."""
