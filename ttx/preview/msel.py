"""The master scenario events list (MSEL) to read: every inject in time order, as rows for a table or Markdown.

The spreadsheet form with every authored field is :mod:`ttx.spreadsheet`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ttx.model.plan import Plan, PlannedInject, ReleaseKind, deadline_of
from ttx.text import markdown_cell

COLUMNS = ("day", "phase", "time", "id", "from", "to", "channel", "tlp", "title", "objectives", "release")


@dataclass(frozen=True, slots=True)
class MselRow:
    """One line of the MSEL."""

    day: int
    phase: str
    time: str
    id: str
    source: str
    to: str
    channel: str
    tlp: str
    title: str
    objectives: str
    release: str

    def values(self) -> tuple[str, ...]:
        """The row's cells, in :data:`COLUMNS` order."""
        return (
            str(self.day),
            self.phase,
            self.time,
            self.id,
            self.source,
            self.to,
            self.channel,
            self.tlp,
            self.title,
            self.objectives,
            self.release,
        )


def _release_mark(planned: PlannedInject) -> str:
    marks: list[str] = []
    if planned.kind is ReleaseKind.branch:
        marks.append(f"branch ← {', '.join(planned.sources)}")
    elif planned.kind is ReleaseKind.contingency:
        marks.append(f"contingency ← {', '.join(planned.sources)}")
    inject = planned.inject
    if inject.options:
        marks.append(
            "decision: " + " | ".join(option.id + ("*" if option.default else "") for option in inject.options)
        )
    if inject.response and inject.response.required:
        deadline = deadline_of(planned)
        marks.append(f"response due {deadline}" if deadline else "response required")
    if inject.contingency:
        marks.append(f"else → {inject.contingency}")
    return "; ".join(marks)


def msel_rows(plan: Plan, *, day: int | None = None, cell: str | None = None) -> list[MselRow]:
    """MSEL rows in release order, optionally for one day and/or one cell (or participant)."""
    rows: list[MselRow] = []
    for planned in plan.injects:
        if day is not None and planned.day != day:
            continue
        if cell is not None and cell not in planned.cells and cell not in planned.participants:
            continue
        inject = planned.inject
        rows.append(
            MselRow(
                day=planned.day,
                phase=planned.phase,
                time=str(planned.time),
                id=inject.id,
                source=inject.source,
                to=", ".join(inject.to),
                channel=inject.channel.value,
                tlp=inject.tlp.label,
                title=inject.title,
                objectives=", ".join(inject.objectives),
                release=_release_mark(planned),
            )
        )
    return rows


def to_markdown(rows: Iterable[MselRow]) -> str:
    """The MSEL as a Markdown table."""

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(markdown_cell(value) for value in row.values()) + " |" for row in rows]
    return "\n".join(lines) + "\n"
