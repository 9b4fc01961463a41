"""Located problems in scenario files: the ``file:line:col: where: message`` lines authors read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How bad a problem is: errors make a scenario invalid, warnings are lint findings."""

    error = "error"
    warning = "warning"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file, 1-based line and column."""

    file: Path
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or suspicious) in a scenario, where it was written."""

    location: Location
    where: str
    message: str
    severity: Severity = Severity.error
    rule: str = ""

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{self.location}:{where} {self.message}{rule}"

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order problems by file, line, column, message."""
        loc = self.location
        return (str(loc.file), loc.line, loc.column, self.message)


class ScenarioError(Exception):
    """A scenario that could not be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(problem) for problem in self.problems))
