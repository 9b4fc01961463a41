"""The spreadsheet layout: its sheets and columns, and how each authored value is written in one cell and read back.

Values are handled as the author wrote them (the text of the YAML, before variables are filled in
and groups expanded), so a workbook shows ``{{ host_state }}`` and group names where the scenario
has them, and reading a cell back gives the value that was written.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ttx.loader.yaml_source import DEFAULT_LIMITS
from ttx.model import scenario as models
from ttx.text import json_text, one_line


class Kind(StrEnum):
    """How a column's cells hold their value."""

    text = "text"
    """The text as written."""
    ids = "ids"
    """A list of ids, comma-separated."""
    lines = "lines"
    """A list of texts, one per line."""
    recipients = "recipients"
    """'all', one id, or ids comma-separated (the inject's 'to')."""
    answer_by = "answer_by"
    """cell, each, any, or ids comma-separated (the response's 'by')."""
    required = "required"
    """The response rule's 'required' (yes/no); empty when the inject has no response rule."""
    options = "options"
    """Decision options, one per line: ``id: label``, ``*`` after the id for the default, then
    ``→ release A, B`` and ``→ phase P``."""
    triggers = "triggers"
    """Keyword triggers, one per line: ``keyword, keyword → release A, B → phase P``."""
    json = "json"
    """Any other value, as JSON."""
    derived = "derived"
    """Worked out by ttx when it writes the sheet; not read back as authored text."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet."""

    header: str
    key: str
    """The field it holds (in the YAML of the item), '' for derived and catch-all columns."""
    kind: Kind
    width: int = 14


MSEL_SHEET = "MSEL"
MAX_ROWS = 20_000
"""Most rows one sheet may have on import (a four-day MSEL has a few hundred); the drop-downs reach as far."""
RESPONSE_KEYS = ("required", "by", "deadline", "contingency")

MSEL_COLUMNS: tuple[Column, ...] = (
    Column("Serial", "", Kind.derived, 7),
    Column("ID", "id", Kind.text, 10),
    Column("Day", "", Kind.derived, 5),
    Column("Time", "time", Kind.text, 13),
    Column("After", "after", Kind.text, 10),
    Column("Phase", "phase", Kind.text, 14),
    Column("From", "from", Kind.text, 28),
    Column("To", "to", Kind.recipients, 24),
    Column("Channel", "channel", Kind.text, 14),
    Column("TLP", "tlp", Kind.text, 13),
    Column("Title", "title", Kind.text, 40),
    Column("Body", "body", Kind.text, 70),
    Column("Questions", "questions", Kind.lines, 45),
    Column("Expected actions", "expected_actions", Kind.lines, 45),
    Column("Objectives", "objectives", Kind.ids, 12),
    Column("Capabilities", "capabilities", Kind.ids, 13),
    Column("Critical tasks", "critical_tasks", Kind.ids, 14),
    Column("Response", "response.required", Kind.required, 10),
    Column("Answer by", "response.by", Kind.answer_by, 12),
    Column("Deadline", "response.deadline", Kind.text, 12),
    Column("Contingency", "response.contingency", Kind.text, 12),
    Column("Decision options", "options", Kind.options, 45),
    Column("Triggers", "triggers", Kind.triggers, 35),
    Column("Facilitator notes", "facilitator_notes", Kind.text, 45),
    Column("Other", "", Kind.json, 20),
)
"""The MSEL sheet (and the CSV table): HSEEP's columns, then ttx's. 'Other' holds, as a JSON object,
any field of an inject that has no column of its own."""

HEADER_ALIASES = {
    "#": "Serial",
    "msel #": "Serial",
    "event #": "Serial",
    "inject #": "Serial",
    "inject id": "ID",
    "scenario time": "Time",
    "notes": "Facilitator notes",
    "expected player actions": "Expected actions",
    "core capabilities": "Capabilities",
    "options": "Decision options",
    "subject": "Title",
    "description": "Body",
    "inject description": "Body",
    "event description": "Body",
    "message": "Body",
    "capability": "Capabilities",
}
"""Other names planners give the HSEEP columns, read as the column they mean (case does not matter; a
singular such as 'Objective' is read as its plural column too)."""

REQUIRED_HEADERS = ("ID", "Time", "From", "To", "TLP", "Title")


@dataclass(frozen=True, slots=True)
class Section:
    """A setup sheet: one row per item of a list section of the scenario."""

    sheet: str
    key: str
    """The scenario key it holds (``cells``), or the parent's key for the agenda (``days``)."""
    columns: tuple[Column, ...]


def normalise_header(text: str) -> str:
    """A header as compared: lower case, single spaces."""
    return " ".join(text.split()).lower()


def _kind_of(annotation: Any) -> Kind:
    """How a model field's value is held in a cell, from its type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind_of(typing.get_args(annotation)[0])
    if origin is list:
        (item,) = typing.get_args(annotation)
        if typing.get_origin(item) is typing.Annotated or (isinstance(item, type) and issubclass(item, Enum)):
            return Kind.ids
        return Kind.lines if item is str else Kind.json
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType) and type(None) in args:  # X | None
        rest = [arg for arg in args if arg is not type(None)]
        return _kind_of(rest[0]) if len(rest) == 1 else Kind.json
    if origin in (dict, typing.Union, types.UnionType):
        return Kind.json
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Kind.json
    return Kind.text


def _columns(
    model: type[BaseModel], *, skip: tuple[str, ...] = (), first: tuple[Column, ...] = ()
) -> tuple[Column, ...]:
    columns = list(first)
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in skip:
            continue
        kind = _kind_of(info.annotation)
        width = 40 if key in ("title", "name", "target", "summary", "scope", "critical_tasks") else 14
        columns.append(Column(key, key, kind, width))
    return tuple(columns)


SECTIONS: tuple[Section, ...] = (
    Section("Objectives", "objectives", _columns(models.Objective)),
    Section("Capabilities", "capabilities", _columns(models.Capability)),
    Section("Cells", "cells", _columns(models.Cell)),
    Section("Participants", "participants", _columns(models.Participant)),
    Section("Days", "days", _columns(models.Day, skip=("agenda",))),
    Section("Agenda", "days", _columns(models.AgendaItem, first=(Column("day", "day", Kind.text, 6),))),
    Section("Phases", "phases", _columns(models.Phase)),
)
"""The setup sheets with one row per item; their headers are the YAML field names."""

EXERCISE_SHEET = "Exercise"
GROUPS_SHEET = "Groups"
VARIABLES_SHEET = "Variables"
SETTINGS_SHEET = "Settings"
LISTS_SHEET = "Lists"
EXERCISE_FIELDS: tuple[Column, ...] = _columns(models.Exercise)
KEYED = ("exercise", "groups", "variables", "include", *dict.fromkeys(section.key for section in SECTIONS), "injects")
"""Scenario keys with a sheet of their own (and 'include', whose files are written out in full)."""

SETUP_SHEETS = (EXERCISE_SHEET, *(s.sheet for s in SECTIONS), GROUPS_SHEET, VARIABLES_SHEET, SETTINGS_SHEET)
SHEET_ORDER = (MSEL_SHEET, *SETUP_SHEETS, LISTS_SHEET)


# --- one value in one cell --------------------------------------------------------------------------------------


def as_json(value: Any) -> str:
    """A value as JSON text that no terminal or spreadsheet obeys."""
    return json_text(json.dumps(value, ensure_ascii=False))


_TRUE = TypeAdapter(bool)

RESPONSE_CHOICES = ("yes", "no", "true", "false")
"""What the Response column's drop-down offers: the ways a scenario writes 'required'."""
RESPONSE_ACCEPTED = "yes or no (true or false mean the same)"


def _is_yes_or_no(text: str) -> bool:
    try:
        _TRUE.validate_python(text)
    except ValidationError:
        return False
    return True


def truthy(value: Any) -> bool:
    """Whether a written yes/no value means yes (as the models read it)."""
    try:
        return _TRUE.validate_python(value)
    except ValidationError:
        return False


def _split_ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _split_lines(text: str) -> list[str]:
    return [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


_THEN = r"(?: (?:→|->) release (?P<release>.+?))?(?: (?:→|->) phase (?P<phase>\S+))?\s*$"
"""The end of an option or trigger line: what it releases and the phase it enters (``->`` is read as ``→``)."""
_OPTION = re.compile(r"^\s*(?P<id>[^\s:*]+)\s*(?P<default>\*)?\s*: (?P<label>.*?)" + _THEN)
_TRIGGER = re.compile(r"^\s*(?P<keywords>.+?)" + _THEN)


def _option_line(option: Any) -> str | None:
    if (
        not isinstance(option, dict)
        or not isinstance(option.get("id"), str)
        or not isinstance(option.get("label"), str)
    ):
        return None
    line = f"{option['id']}{'*' if truthy(option.get('default')) else ''}: {option['label']}"
    if option.get("release"):
        if not isinstance(option["release"], list):
            return None
        line += f" → release {', '.join(map(str, option['release']))}"
    if option.get("enter_phase") is not None:
        line += f" → phase {option['enter_phase']}"
    return line


def _read_option(line: str) -> dict[str, Any] | None:
    match = _OPTION.match(line)
    if match is None:
        return None
    option: dict[str, Any] = {"id": match["id"], "label": match["label"]}
    if match["default"]:
        option["default"] = "true"
    if match["release"]:
        option["release"] = _split_ids(match["release"])
    if match["phase"]:
        option["enter_phase"] = match["phase"]
    return option


def _trigger_line(trigger: Any) -> str | None:
    if not isinstance(trigger, dict) or not isinstance(trigger.get("keywords"), list):
        return None
    line = ", ".join(map(str, trigger["keywords"]))
    if trigger.get("release"):
        if not isinstance(trigger["release"], list):
            return None
        line += f" → release {', '.join(map(str, trigger['release']))}"
    if trigger.get("enter_phase") is not None:
        line += f" → phase {trigger['enter_phase']}"
    return line


def _read_trigger(line: str) -> dict[str, Any] | None:
    match = _TRIGGER.match(line)
    if match is None:
        return None
    trigger: dict[str, Any] = {"keywords": _split_ids(match["keywords"])}
    if match["release"]:
        trigger["release"] = _split_ids(match["release"])
    if match["phase"]:
        trigger["enter_phase"] = match["phase"]
    return trigger


class CellError(ValueError):
    """A cell whose text cannot be read as its column's value."""


MAX_JSON_DEPTH = DEFAULT_LIMITS.max_depth - 8
"""The deepest a JSON value in a cell may nest: a scenario file may nest 64 levels, and a cell's value is written
up to six levels below the top of it (an agenda entry's field), so the scenario that holds it can always be read."""


def _json(text: str) -> Any:
    """The value of a cell's JSON text.

    Raises:
        json.JSONDecodeError: the text is not JSON.
        CellError: it nests deeper than :data:`MAX_JSON_DEPTH` (a 20,000-character cell can nest 10,000 deep,
            past what Python's parser and the scenario's YAML can hold).
    """
    too_deep = CellError(f"the JSON here nests more than {MAX_JSON_DEPTH} levels deep")
    try:
        value = json.loads(text)
    except RecursionError:
        raise too_deep from None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise too_deep
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return value


def read_cell(kind: Kind, text: str) -> Any:
    """The authored value a cell holds (None for an empty cell).

    Raises:
        CellError: the text is not a value of this kind.
    """
    if not text.strip():
        return None
    if kind is Kind.text:
        return text
    if kind is Kind.required:
        if not _is_yes_or_no(text):
            raise CellError(f"write {RESPONSE_ACCEPTED}, not {one_line(text[:40])!r}")
        return text
    if kind is not Kind.json and text.lstrip().startswith("["):
        try:
            value = _json(text)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, list):
            return value
    if kind is Kind.json:
        try:
            return _json(text)
        except json.JSONDecodeError as error:
            raise CellError(f"expected JSON here: {error.msg} at character {error.pos + 1}") from None
    if kind is Kind.ids:
        return _split_ids(text)
    if kind is Kind.lines:
        return _split_lines(text)
    if kind is Kind.recipients:
        ids = _split_ids(text)
        return ids[0] if len(ids) == 1 and "," not in text else ids
    if kind is Kind.answer_by:
        ids = _split_ids(text)
        return ids[0] if len(ids) == 1 and ids[0] in {by.value for by in models.AnswerBy} else ids
    read = _read_option if kind is Kind.options else _read_trigger
    items: list[Any] = []
    for number, line in enumerate(_split_lines(text), start=1):
        item = read(line)
        if item is None:
            form = (
                "an option as 'id: label' ('*' after the id for the default)"
                if kind is Kind.options
                else "a trigger as 'keyword, keyword'"
            )
            raise CellError(f"line {number}: write {form}, then '→ release A, B' and '→ phase P' if it has them")
        items.append(item)
    return items


def write_cell(kind: Kind, value: Any) -> str:
    """The text of a cell for an authored value; a value the readable form would not give back is written as JSON."""
    if value is None:
        return ""
    if kind is Kind.text:
        return value if isinstance(value, str) else as_json(value)
    if kind is Kind.required:
        return value if isinstance(value, str) else "yes"
    if kind is Kind.json:
        return as_json(value)
    text: str | None
    if kind is Kind.ids or kind is Kind.recipients or kind is Kind.answer_by:
        if isinstance(value, str):
            text = value
        else:
            text = ", ".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else None
    elif kind is Kind.lines:
        text = "\n".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else None
    elif isinstance(value, list):
        write = _option_line if kind is Kind.options else _trigger_line
        lines = [write(item) for item in value]
        text = None if any(line is None for line in lines) else "\n".join(typing.cast(list[str], lines))
    else:
        text = None
    if kind is Kind.recipients and isinstance(value, list) and len(value) == 1:
        value = value[0]  # 'to: [DWG]' and 'to: DWG' say the same: one cell shows both as DWG
    if text is not None and text.strip():
        try:
            if read_cell(kind, text) == value:
                return text
        except CellError:
            pass
    return as_json(value)
