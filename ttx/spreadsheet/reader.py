"""Read a spreadsheet MSEL (xlsx workbook or CSV table) into a scenario folder that the loader checks like any other.

Every cell is read as text and bounded where it enters; the scenario is written as YAML and loaded
with :mod:`ttx.loader`, and each problem found is reported at the cell it came from
(``msel.xlsx:MSEL!D14: ...``, ``msel.csv:14:4: ...``), all at once.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime as dt
import io
import json
import posixpath
import re
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from xml.parsers import expat

import yaml
from pydantic import ValidationError

from ttx.loader.load import LoadedScenario, load_scenario
from ttx.loader.problems import Location, Problem, ScenarioError
from ttx.loader.sources import MERGED, SCENARIO_FILE
from ttx.loader.yaml_source import DEFAULT_LIMITS, Limits, NodePath, YamlDocument, read_yaml
from ttx.model import scenario as models
from ttx.model.time import ScenarioTime, parse_time_spec
from ttx.spreadsheet.export import authored
from ttx.spreadsheet.layout import (
    EXERCISE_FIELDS,
    EXERCISE_SHEET,
    GROUPS_SHEET,
    HEADER_ALIASES,
    KEYED,
    MAX_ROWS,
    MSEL_COLUMNS,
    MSEL_SHEET,
    REQUIRED_HEADERS,
    SECTIONS,
    SETTINGS_SHEET,
    SHEET_ORDER,
    VARIABLES_SHEET,
    CellError,
    Column,
    Kind,
    normalise_header,
    read_cell,
)
from ttx.text import MAX_FIELD_CHARS, bounded, csv_cell, one_line

MAX_COLUMNS = 64
"""Most columns one sheet may have."""
WIDE_ROWS_CHECKED = 1_000
"""Rows of a sheet with cells written beyond MAX_COLUMNS that are looked through for a value there: each costs the
row's full width (up to 16,384 cells), so a small file of wide rows cannot keep an import busy for long."""
UNPACKED_FACTOR = 20
"""A workbook is a zip archive: its unpacked parts may be at most this many times --max-size."""
MAX_SHARED_STRINGS = MAX_ROWS * MAX_COLUMNS
"""Most entries a workbook's shared strings may have: one for every cell an MSEL may have."""
MAX_STYLE_ENTRIES = 200_000
"""Most elements a workbook's styles may have (Excel itself keeps at most 64,000 cell formats); each is an object
in memory once the workbook is opened."""
CONTENT_TYPES_PART = "[Content_Types].xml"
WORKSHEET_TYPES = frozenset(
    f"application/vnd.{kind}.worksheet+xml"
    for kind in ("openxmlformats-officedocument.spreadsheetml", "ms-excel.sheet.macroEnabled.main")
)
"""Content types of the parts that are streamed row by row (read-only worksheets): the only parts not held whole
in memory, so the only ones that may unpack to more than --max-size."""
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
STYLES_PART = "xl/styles.xml"
"""Where openpyxl reads a workbook's styles from, whatever the content types say."""
READ_BY_NAME = (STYLES_PART, "xl/workbook.xml", "xl/theme/theme1.xml", "docProps/core.xml", "docProps/custom.xml")
"""Parts openpyxl reads by their name, whatever the content types say."""
PART_NAMES = {
    SHARED_STRINGS_TYPE: "shared strings",
    STYLES_TYPE: "styles",
    "application/vnd.openxmlformats-package.relationships+xml": "relationships",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "workbook part",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "workbook part",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "workbook part",
}


@dataclass(frozen=True, slots=True)
class Where:
    """A cell: its sheet (None in a CSV file), 1-based row and column."""

    sheet: str | None
    row: int
    column: int

    def label(self, file: Path) -> str:
        """``file.xlsx:Sheet!C14`` or ``file.csv:14:3``."""
        if self.sheet is None:
            return f"{file}:{self.row}:{self.column}"
        from openpyxl.utils import get_column_letter

        return f"{file}:{sheet_reference(self.sheet)}!{get_column_letter(self.column)}{self.row}"


def sheet_reference(name: str) -> str:
    """A sheet's name as a cell reference writes it: quoted (``'Planner MSEL'``) unless it is one plain word
    that does not look like a cell (``A1``)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", name):
        return name
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """One thing wrong in a spreadsheet, at the cell (or sheet, or file) it is in."""

    file: Path
    where: Where | None
    """None for a problem with the whole file (or in the --setup scenario)."""
    message: str
    place: Location | None = None
    """Where in the --setup scenario's files the problem is written, when it is in one of them."""

    def __str__(self) -> str:
        if self.place is not None:
            return f"{self.place}: {self.message}"
        if self.where is not None:
            return f"{self.where.label(self.file)}: {self.message}"
        return f"{self.file}: {self.message}"

    def sort_key(self) -> tuple[int, int, int, str]:
        """The file's own problems first, then sheets in workbook order, row, column and message."""
        if self.where is None:
            return (-1, 0, 0, self.message)
        sheet = self.where.sheet
        order = SHEET_ORDER.index(sheet) if sheet in SHEET_ORDER else len(SHEET_ORDER)
        return (order, self.where.row, self.where.column, self.message)


class SheetError(Exception):
    """A spreadsheet that could not be imported; carries every problem found."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        self.problems = sorted(problems, key=SheetProblem.sort_key)
        super().__init__("\n".join(str(problem) for problem in self.problems))


Rows = list[tuple[int, list[str]]]
"""A sheet's non-empty rows: each 1-based row number and its cells' text."""


@dataclass(frozen=True, slots=True)
class _Setup:
    """The --setup scenario: what was taken from it, and where each value is written in its files."""

    data: dict[str, Any]
    """Its authored data, the parts taken (all but include and injects)."""
    documents: list[YamlDocument]
    """Its files, scenario.yaml first, in the order the loader merges them."""
    injects: frozenset[str]
    """Its own inject ids (which the import leaves out)."""

    def locate(self, path: NodePath) -> Location:
        """Where the value at ``path`` of the taken data is written in the setup's files."""
        if len(path) >= 2 and path[0] in MERGED and isinstance(path[1], int):
            remaining = path[1]
            for document in self.documents:
                items = document.data.get(path[0]) if isinstance(document.data, dict) else None
                count = len(items) if isinstance(items, list) else 0
                if remaining < count:
                    return document.locate((path[0], remaining, *path[2:]))
                remaining -= count
        return self.documents[0].locate(path)

    def paths(self) -> list[NodePath]:
        """Every value's path in the taken data."""
        found: list[NodePath] = []

        def walk(node: Any, path: NodePath) -> None:
            found.append(path)
            if isinstance(node, dict):
                for key, value in node.items():
                    walk(value, (*path, str(key)))
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    walk(value, (*path, index))

        for key, value in self.data.items():
            walk(value, (key,))
        return found


@dataclass(frozen=True, slots=True)
class _InSetup:
    """A value of the written YAML that came from the --setup scenario: its path there."""

    path: NodePath


@dataclass
class _Reading:
    """What has been read so far: the scenario data, where each value came from, and the problems."""

    file: Path
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[NodePath, Where] = field(default_factory=dict)
    headers: dict[str | None, dict[str, int]] = field(default_factory=dict)
    """For each sheet read: the column of each field, to place a problem about a missing one."""
    missing_at: dict[str, Where] = field(default_factory=dict)
    """Where a field left empty would have been written (``exercise.title``: its Value cell)."""
    days: list[tuple[str, Where, int]] = field(default_factory=list)
    """The MSEL's Day cells: the text, where, and the inject's position."""
    problems: list[SheetProblem] = field(default_factory=list)
    notes: list[SheetProblem] = field(default_factory=list)
    """Columns of the planner's own (Status, Remarks, ...) that ttx does not read."""
    setup: _Setup | None = None
    """The --setup scenario the exercise, cells and phases were taken from."""

    def problem(self, where: Where | None, message: str) -> None:
        self.problems.append(SheetProblem(self.file, where, message))


# --- reading the file ----------------------------------------------------------------------------------------


def _read_xlsx(path: Path, reading: _Reading, limits: Limits) -> dict[str, Rows] | None:
    from openpyxl import load_workbook

    unpacked_limit = limits.max_bytes * UNPACKED_FACTOR
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        reading.problem(None, f"not an xlsx workbook ({error})")
        return None
    if unpacked > unpacked_limit:
        reading.problem(
            None,
            f"the workbook unpacks to {unpacked:,} bytes; the limit is {unpacked_limit:,} (--max-size × {UNPACKED_FACTOR})",
        )
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            trouble = _held_parts_trouble(archive, limits)
    except Exception as error:  # a damaged archive or part: bad XML, a bad deflate stream, encryption, ...
        trouble = f"not an xlsx workbook ({type(error).__name__}: {one_line(str(error))})"
    if trouble is not None:
        reading.problem(None, trouble)
        return None
    sheets: dict[str, Rows] = {}
    # openpyxl raises many kinds of error on a damaged file (each becomes one line here) and warns about
    # workbook features it does not read (which do not matter to an MSEL).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(path, read_only=True, data_only=False)
        except Exception as error:
            reading.problem(None, f"not an xlsx workbook ({type(error).__name__}: {one_line(str(error))})")
            return None
        try:
            for sheet in book.worksheets:
                sheet.reset_dimensions()  # read every row written, whatever size the file claims its sheets are
                sheets[sheet.title] = _sheet_rows(sheet, reading)
        except Exception as error:
            reading.problem(None, f"a damaged sheet ({type(error).__name__}: {one_line(str(error))})")
            return None
        finally:
            book.close()
    return sheets


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f}".removesuffix(".0") + " MB"


def _content_types(archive: zipfile.ZipFile) -> dict[str, set[str]]:
    """The content types declared for each part of the archive in its ``[Content_Types].xml``: every override for
    the part's name (openpyxl finds the parts it reads by these), else the default for its extension; names compared
    in any case."""
    defaults: dict[str, str] = {}
    overrides: dict[str, set[str]] = {}

    def start(name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition("}")[2]
        if tag == "Default":
            defaults.setdefault(attributes.get("Extension", "").lower(), attributes.get("ContentType", ""))
        elif tag == "Override":
            part = attributes.get("PartName", "").lstrip("/").lower()
            overrides.setdefault(part, set()).add(attributes.get("ContentType", ""))

    _parse(archive, archive.getinfo(CONTENT_TYPES_PART), start)
    types: dict[str, set[str]] = {}
    for name in archive.namelist():
        key = name.lower()
        types[name] = overrides.get(key) or {defaults.get(key.rpartition(".")[2] if "." in key else "", "")}
    return types


def _related_not_as_worksheets(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> set[str]:
    """Parts (lower-case names) some relationship names as anything but a worksheet: openpyxl reads those by the
    relationship, whatever their content type says."""
    targets: set[str] = set()
    for info in parts:
        folder = posixpath.dirname(posixpath.dirname(info.filename))  # xl/_rels/workbook.xml.rels: xl

        def start(name: str, attributes: dict[str, str], folder: str = folder) -> None:
            if name.rpartition("}")[2] != "Relationship" or attributes.get("Type", "").endswith("/worksheet"):
                return
            target = attributes.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            targets.add(posixpath.normpath(path).lower())

        _parse(archive, info, start)
    return targets


class _EnoughElements(Exception):
    """Counting a part's elements stopped: there are more than may be."""


def _parse(archive: zipfile.ZipFile, info: zipfile.ZipInfo, start: Callable[[str, dict[str, str]], None]) -> None:
    """Read a part as a stream of elements (no tree is built), calling ``start`` with each one's name and attributes."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    with archive.open(info) as source:
        while chunk := source.read(1 << 16):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _held_parts_trouble(archive: zipfile.ZipFile, limits: Limits) -> str | None:
    """Why openpyxl must not open this workbook: a part it holds wholly in memory (all but the worksheets, streamed
    in read-only mode) unpacks to more than --max-size, or the shared strings or styles have more entries than a
    workbook of an MSEL needs. Sizes are the ones the archive declares: no more than that is ever unpacked."""
    infos = archive.infolist()
    content = next((info for info in infos if info.filename == CONTENT_TYPES_PART), None)
    if content is None:
        return f"not an xlsx workbook (no {CONTENT_TYPES_PART})"
    if content.file_size > limits.max_bytes:
        return _too_big("content types", content.file_size, limits)
    types = _content_types(archive)
    relationships = [info for info in infos if info.filename.lower().endswith(".rels")]
    held = [info for info in relationships if info.file_size > limits.max_bytes]
    if not held:
        related = _related_not_as_worksheets(archive, relationships) | {name.lower() for name in READ_BY_NAME}
        held = [
            info
            for info in infos
            if info.file_size > limits.max_bytes
            and not info.is_dir()
            and (not types[info.filename] <= WORKSHEET_TYPES or info.filename.lower() in related)
        ]
    if held:
        info = held[0]
        label = next((PART_NAMES[kind] for kind in sorted(types[info.filename]) if kind in PART_NAMES), None)
        if info.filename == STYLES_PART:
            label = "styles"
        return _too_big(
            label or f"part {json.dumps(one_line(info.filename), ensure_ascii=False)}", info.file_size, limits
        )
    for info in infos:
        kinds = types.get(info.filename, set())
        if SHARED_STRINGS_TYPE in kinds:
            count = _count_elements(archive, info, "si", MAX_SHARED_STRINGS)
            if count > MAX_SHARED_STRINGS:
                return f"the workbook's shared strings have more than {MAX_SHARED_STRINGS:,} entries; split the MSEL"
        elif STYLES_TYPE in kinds or info.filename == STYLES_PART:
            count = _count_elements(archive, info, None, MAX_STYLE_ENTRIES)
            if count > MAX_STYLE_ENTRIES:
                return (
                    f"the workbook's styles have more than {MAX_STYLE_ENTRIES:,} entries; "
                    "save it again with the unused cell styles removed"
                )
    return None


def _too_big(label: str, size: int, limits: Limits) -> str:
    verb = "unpack" if label in ("content types", "shared strings", "styles", "relationships") else "unpacks"
    return (
        f"the workbook's {label} {verb} to {_megabytes(size)}; the limit is {_megabytes(limits.max_bytes)} (--max-size)"
    )


def _count_elements(archive: zipfile.ZipFile, info: zipfile.ZipInfo, tag: str | None, most: int) -> int:
    """How many elements (named ``tag``, or of any name) a part has, read as a stream; stops counting past ``most``."""
    count = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal count
        if tag is None or name.rpartition("}")[2] == tag:
            count += 1
            if count > most:
                raise _EnoughElements

    with contextlib.suppress(_EnoughElements):
        _parse(archive, info, start)
    return count


def _sheet_rows(sheet: Any, reading: _Reading) -> Rows:
    rows: Rows = []
    name = str(sheet.title)
    wide = 0
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > MAX_ROWS + 1:
            reading.problem(Where(name, number, 1), f"the sheet has more than {MAX_ROWS:,} rows; split the MSEL")
            break
        # A row reaches as far as its last written cell (empty ones fill the gaps), so its length tells whether a
        # cell is written beyond the last column read.
        if len(row) > MAX_COLUMNS and (wide := wide + 1) <= WIDE_ROWS_CHECKED:
            column = next(
                (
                    n
                    for n, cell in enumerate(row[MAX_COLUMNS:], MAX_COLUMNS + 1)
                    if getattr(cell, "value", None) is not None
                ),
                0,
            )
            if column:
                reading.problem(Where(name, number, column), f"more than {MAX_COLUMNS} columns")
        texts: list[str] = []
        for column, cell in enumerate(row[:MAX_COLUMNS], start=1):
            value = getattr(cell, "value", None)
            if value is None:
                texts.append("")
                continue
            where = Where(name, number, column)
            if cell.data_type == "f":
                reading.problem(
                    where,
                    f"holds a formula ({one_line(str(value)[:40])}); ttx reads text: type the value itself, "
                    "after a ' if it starts with =, +, - or @",
                )
                texts.append("")
                continue
            if cell.data_type == "e":
                reading.problem(where, f"holds the spreadsheet error {value}; type the value itself")
                texts.append("")
                continue
            text = _value_text(value)
            reason = _unfit(text)
            if reason is not None:
                reading.problem(where, f"the cell {reason}")
                text = ""
            texts.append(text)
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            rows.append((number, texts))
    return rows


def _unfit(text: str) -> str | None:
    """Why a cell's text cannot be taken (too long, a NUL, broken UTF-16), checked in C for the usual cell."""
    if len(text) <= MAX_FIELD_CHARS and text.isprintable():
        return None  # no NUL or surrogate is printable
    return bounded(text, MAX_FIELD_CHARS)


def _value_text(value: Any) -> str:
    """A cell's value as the text a person typed: numbers without '.0', times as HH:MM, dates as YYYY-MM-DD."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds()) // 60
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value)


def _read_csv(path: Path, reading: _Reading, limits: Limits) -> Rows | None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        reading.problem(Where(None, line, 1), "not UTF-8 text; save the sheet as 'CSV UTF-8'")
        return None
    rows: Rows = []
    header = text.split("\n", 1)[0]
    # Spreadsheets set to a decimal comma save CSV with semicolons; the header row tells which was used.
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            reading.problem(Where(None, line, 1), f"not a CSV row: {error}")
            return None
        start, line = line, reader.line_num + 1
        if len(rows) > MAX_ROWS:
            reading.problem(Where(None, start, 1), f"the file has more than {MAX_ROWS:,} rows; split the MSEL")
            break
        if len(row) > MAX_COLUMNS:
            reading.problem(Where(None, start, MAX_COLUMNS + 1), f"more than {MAX_COLUMNS} columns")
            continue
        texts = [_csv_value(cell, Where(None, start, column), reading) for column, cell in enumerate(row, start=1)]
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            rows.append((start, texts))
    return rows


def _csv_value(cell: str, where: Where, reading: _Reading) -> str:
    """A CSV cell's text: the ``'`` written before formula-like text removed; unmarked formula text refused."""
    reason = _unfit(cell)
    if reason is not None:
        reading.problem(where, f"the cell {reason}")
        return ""
    if cell.startswith("'") and csv_cell(cell[1:]).startswith("'"):
        return cell[1:]
    if cell.startswith(("=", "\uff1d")):
        reading.problem(
            where, f"starts with '=' and a spreadsheet would run it as a formula; to keep it as text write '{cell[:20]}"
        )
        return ""
    return cell


# --- reading the sheets --------------------------------------------------------------------------------------


def _headers(
    sheet: str | None, rows: Rows, reading: _Reading, known: dict[str, Column], required: tuple[str, ...]
) -> dict[int, Column] | None:
    """The columns of a sheet by position, from its first row; None when its header row is wrong."""
    if not rows or rows[0][0] != 1:
        reading.problem(Where(sheet, 1, 1), "the first row must name the columns: " + ", ".join(known))
        return None
    by_position: dict[int, Column] = {}
    seen: dict[str, int] = {}
    ok = True
    for position, text in enumerate(rows[0][1], start=1):
        where = Where(sheet, 1, position)
        name = normalise_header(text)
        if not name:
            if any(position <= len(cells) and cells[position - 1].strip() for _, cells in rows[1:]):
                reading.problem(where, "this column has values but no header")
                ok = False
            continue
        name = normalise_header(HEADER_ALIASES.get(name, name))
        if name not in known and f"{name}s" in known:
            name = f"{name}s"  # Objective, Question, Trigger
        column = known.get(name)
        if column is None:
            close = get_close_matches(name, list(known), n=1, cutoff=0.6)
            if close:  # a misspelt column, not one of the planner's own
                reading.problem(where, f"unknown column {text.strip()!r}; did you mean {known[close[0]].header!r}?")
                ok = False
            else:
                reading.notes.append(SheetProblem(reading.file, where, f"column {text.strip()!r} is not read"))
            continue
        if name in seen:
            reading.problem(where, f"column {column.header!r} appears twice (first in column {seen[name]})")
            ok = False
            continue
        seen[name] = position
        by_position[position] = column
        if column.key:
            reading.headers.setdefault(sheet, {})[column.key.split(".")[-1]] = position
    for header in required:
        if normalise_header(header) not in seen:
            reading.problem(Where(sheet, 1, 1), f"missing column {header!r}")
            ok = False
    return by_position if ok else None


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    head, _, rest = key.partition(".")
    if rest:
        inner = target.setdefault(head, {})
        if isinstance(inner, dict):
            _set(inner, rest, value)
    else:
        target[head] = value


def _read_msel(sheet: str | None, rows: Rows, reading: _Reading) -> None:
    known = {normalise_header(column.header): column for column in MSEL_COLUMNS}
    columns = _headers(sheet, rows, reading, known, REQUIRED_HEADERS)
    if columns is None:
        return
    injects: list[dict[str, Any]] = []
    order = _field_order(models.Inject)
    id_position = next((p for p, c in columns.items() if c.key == "id"), 1)
    for number, cells in rows[1:]:
        index = len(injects)
        inject: dict[str, Any] = {}
        other: dict[str, Any] = {}
        day: tuple[str, Where, int] | None = None
        for position, text in enumerate(cells, start=1):
            column = columns.get(position)
            if column is None or not text.strip():
                continue
            where = Where(sheet, number, position)
            if column.header == "Day":
                day = (text, where, index)
                continue
            if column.kind is Kind.derived:
                continue
            try:
                value = read_cell(column.kind, text)
            except CellError as error:
                reading.problem(where, f"{column.header}: {error}")
                continue
            if column.header == "Other":
                if not isinstance(value, dict):
                    reading.problem(where, 'Other: write the extra fields as a JSON object, {"field": value}')
                    continue
                other = {str(key): item for key, item in value.items()}
                for key in other:
                    reading.cells[("injects", index, key)] = where
                continue
            _set(inject, column.key, value)
            reading.cells[("injects", index, *column.key.split("."))] = where
        for key, value in other.items():
            if key == "response" and isinstance(value, dict) and isinstance(inject.get("response"), dict):
                inject["response"].update(value)
            else:
                inject[key] = value
        if not inject:
            continue  # only Serial or Day filled in: a row kept for later
        if day is not None:
            reading.days.append(day)
        injects.append(
            {key: inject[key] for key in sorted(inject, key=lambda k: order.index(k) if k in order else len(order))}
        )
        reading.cells[("injects", index)] = Where(sheet, number, id_position)
    reading.data["injects"] = injects


def _field_order(model: type[Any]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _read_items(
    section_sheet: str, key: str, columns: tuple[Column, ...], rows: Rows, reading: _Reading
) -> list[dict[str, Any]]:
    known = {normalise_header(column.header): column for column in columns}
    by_position = _headers(section_sheet, rows, reading, known, ())
    items: list[dict[str, Any]] = []
    if by_position is None:
        return items
    for number, cells in rows[1:]:
        item: dict[str, Any] = {}
        placed: list[int] = []
        for position, text in enumerate(cells, start=1):
            column = by_position.get(position)
            if column is None or not text.strip():
                continue
            where = Where(section_sheet, number, position)
            try:
                value = read_cell(column.kind, text)
            except CellError as error:
                reading.problem(where, f"{column.header}: {error}")
                continue
            item[column.key] = value
            placed.append(position)
            reading.cells[(key, len(items), column.key)] = where
        reading.cells[(key, len(items))] = Where(section_sheet, number, min(placed, default=1))
        items.append(item)
    return items


def _read_pairs(sheet: str, rows: Rows, reading: _Reading, header: tuple[str, str]) -> list[tuple[str, str, int]]:
    """A two-column sheet (Field/Value, name/value): each name, its value's text and its row."""
    if not rows or [normalise_header(text) for text in rows[0][1][:2]] != [h.lower() for h in header]:
        reading.problem(Where(sheet, 1, 1), f"the first row must be {header[0]!r}, {header[1]!r}")
        return []
    pairs: list[tuple[str, str, int]] = []
    seen: dict[str, int] = {}
    for number, cells in rows[1:]:
        name = cells[0].strip() if cells else ""
        value = cells[1] if len(cells) > 1 else ""
        if not name:
            if value.strip():
                reading.problem(Where(sheet, number, 1), f"a value with no {header[0].lower()}")
            continue
        if name in seen:
            reading.problem(Where(sheet, number, 1), f"{name!r} appears twice (first in row {seen[name]})")
            continue
        seen[name] = number
        pairs.append((name, value, number))
    return pairs


def _any_value(text: str) -> Any:
    """A Settings or Variables value: JSON when it looks like JSON, else the text."""
    if text.lstrip().startswith(("[", "{", '"')):
        return read_cell(Kind.json, text)
    return text


def _read_setup(sheets: dict[str, Rows], reading: _Reading) -> None:
    data = reading.data
    exercise: dict[str, Any] = {}
    fields = {column.key: column for column in EXERCISE_FIELDS}
    for name, text, number in _read_pairs(EXERCISE_SHEET, sheets.get(EXERCISE_SHEET, []), reading, ("Field", "Value")):
        column = fields.get(name)
        if column is None:
            close = get_close_matches(name, list(fields), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            reading.problem(Where(EXERCISE_SHEET, number, 1), f"unknown exercise field {name!r}{hint}")
            continue
        reading.missing_at[f"exercise.{name}"] = Where(EXERCISE_SHEET, number, 2)
        if not text.strip():
            continue
        try:
            exercise[name] = read_cell(column.kind, text)
        except CellError as error:
            reading.problem(Where(EXERCISE_SHEET, number, 2), str(error))
            continue
        reading.cells[("exercise", name)] = Where(EXERCISE_SHEET, number, 2)
    data["exercise"] = exercise
    reading.cells[("exercise",)] = Where(EXERCISE_SHEET, 1, 1)
    if SETTINGS_SHEET in sheets:
        for name, text, number in _read_pairs(SETTINGS_SHEET, sheets[SETTINGS_SHEET], reading, ("Field", "Value")):
            if name in KEYED:
                why = "a workbook holds every inject and capability itself" if name == "include" else "it has a sheet"
                reading.problem(Where(SETTINGS_SHEET, number, 1), f"{name!r} is not read from Settings: {why}")
                continue
            if not text.strip():
                continue
            try:
                data[name] = _any_value(text)
            except CellError as error:
                reading.problem(Where(SETTINGS_SHEET, number, 2), str(error))
                continue
            reading.cells[(name,)] = Where(SETTINGS_SHEET, number, 2)
    for sheet, key, kind in ((VARIABLES_SHEET, "variables", None), (GROUPS_SHEET, "groups", Kind.ids)):
        if sheet not in sheets:
            continue
        values: dict[str, Any] = {}
        for name, text, number in _read_pairs(sheet, sheets[sheet], reading, ("name", "members" if kind else "value")):
            try:
                values[name] = read_cell(kind, text) if kind else _any_value(text)
            except CellError as error:
                reading.problem(Where(sheet, number, 2), str(error))
                continue
            reading.cells[(key, name)] = Where(sheet, number, 2)
        if values:
            data[key] = values
    for section in SECTIONS:
        if section.sheet == "Agenda" or section.sheet not in sheets:
            continue
        data[section.key] = _read_items(section.sheet, section.key, section.columns, sheets[section.sheet], reading)
    agenda = next(section for section in SECTIONS if section.sheet == "Agenda")
    if "Agenda" in sheets:
        _attach_agenda(_read_items("Agenda", "agenda", agenda.columns, sheets["Agenda"], reading), reading)
        for path in [path for path in reading.cells if path[0] == "agenda"]:
            del reading.cells[path]  # placed under its day now


def _attach_agenda(entries: list[dict[str, Any]], reading: _Reading) -> None:
    """Put each Agenda row under its day (the Days row with the same 'day')."""
    days = reading.data.get("days") or []
    positions = {str(day.get("day", "")).strip(): n for n, day in enumerate(days)}
    counts: dict[int, int] = {}
    cells_of: dict[int, list[tuple[NodePath, Where]]] = {}
    for path, cell in reading.cells.items():
        if path[0] == "agenda" and isinstance(path[1], int):
            cells_of.setdefault(path[1], []).append((path, cell))
    for index, entry in enumerate(entries):
        where = reading.cells.get(("agenda", index))
        day_text = str(entry.pop("day", "")).strip()
        position = positions.get(day_text)
        if position is None:
            reading.problem(
                reading.cells.get(("agenda", index, "day"), where),
                f"day {day_text!r} is not on the Days sheet" if day_text else "an agenda item needs its day",
            )
            continue
        slot = counts.get(position, 0)
        counts[position] = slot + 1
        days[position].setdefault("agenda", []).append(entry)
        for path, cell in cells_of.get(index, []):
            reading.cells[("days", position, "agenda", slot, *path[2:])] = cell


# --- writing and loading -------------------------------------------------------------------------------------


_STR = "tag:yaml.org,2002:str"
_resolve: Callable[[type[yaml.Node], str, tuple[bool, bool]], str] = yaml.resolver.Resolver().resolve
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when present


def _events(value: Any, out: list[yaml.Event]) -> None:
    """YAML events for a value: block mappings, text with line breaks as literal blocks, short lists of text on
    one line (straight to the emitter: no node graph to build for thousands of injects)."""
    if isinstance(value, dict):
        out.append(yaml.MappingStartEvent(None, None, True, flow_style=False))
        for key, item in value.items():
            _events(str(key), out)
            _events(item, out)
        out.append(yaml.MappingEndEvent())
    elif isinstance(value, list):
        short = bool(value) and all(isinstance(i, str) and "\n" not in i for i in value) and sum(map(len, value)) <= 60
        out.append(yaml.SequenceStartEvent(None, None, True, flow_style=short))
        for item in value:
            _events(item, out)
        out.append(yaml.SequenceEndEvent())
    elif isinstance(value, str):
        plain = _resolve(yaml.ScalarNode, value, (True, False)) == _STR  # else quoted: '1', 'yes', ''
        out.append(yaml.ScalarEvent(None, None, (plain, True), value, style="|" if "\n" in value else None))
    else:  # a number, true/false or null from a JSON cell: the models read its text
        text = "null" if value is None else json.dumps(value)
        out.append(yaml.ScalarEvent(None, None, (True, False), text))


def scenario_yaml(data: dict[str, Any], source: Path) -> str:
    """The scenario as YAML in the model's key order, with a first line that says where it came from."""
    order = _field_order(models.Scenario)
    ordered = {key: data[key] for key in sorted(data, key=lambda k: order.index(k) if k in order else len(order))}
    events: list[yaml.Event] = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]
    _events(ordered, events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    body = yaml.emit(events, Dumper=_Dumper, allow_unicode=True, width=100)
    return f"# Imported from {source.name} with 'ttx import'; the spreadsheet layout is in docs/scenario-format.md.\n{body}"


@dataclass
class Imported:
    """A spreadsheet read into a valid scenario."""

    text: str
    """The scenario.yaml written."""
    loaded: LoadedScenario
    findings: list[str]
    """Lint findings, each at the cell it came from."""
    notes: list[str]
    """Columns that were not read (a planner's own, such as Status or Remarks)."""


def import_msel(source: Path, *, setup: Path | None = None, limits: Limits = DEFAULT_LIMITS) -> Imported:
    """Read a workbook or CSV MSEL into a validated, linted scenario (not yet written anywhere).

    With ``setup`` (a scenario folder) the exercise, cells, participants, days and phases come from
    that scenario and only the MSEL is read from ``source``.

    Raises:
        SheetError: every problem found, each at its cell.
    """
    reading = _Reading(source)
    if not source.is_file():
        reading.problem(None, "no such file")
        raise SheetError(reading.problems)
    size = source.stat().st_size
    if size > limits.max_bytes:
        reading.problem(None, f"the file is {size:,} bytes; the limit is {limits.max_bytes:,} (--max-size)")
        raise SheetError(reading.problems)
    is_csv = source.suffix.lower() == ".csv"
    if is_csv:
        rows = _read_csv(source, reading, limits)
        sheets = {MSEL_SHEET: rows} if rows is not None else None
    else:
        sheets = _read_xlsx(source, reading, limits)
    if sheets is None:
        raise SheetError(reading.problems)
    if setup is not None:
        _base_setup(setup, reading, limits)
    elif is_csv:
        reading.problem(
            None, "a CSV file holds only the MSEL: give --setup SCENARIO for its exercise, cells and phases"
        )
    elif EXERCISE_SHEET not in sheets:
        reading.problem(
            None,
            "the workbook has no Exercise sheet: give --setup SCENARIO for the setup, "
            "or start from a workbook written by 'ttx msel --format xlsx'",
        )
    else:
        _read_setup(sheets, reading)
    if is_csv:
        _read_msel(None, sheets[MSEL_SHEET], reading)
    else:
        name = _msel_sheet(list(sheets))
        if name is None:
            reading.problem(None, f"the workbook has no sheet named {MSEL_SHEET} (and more than one sheet)")
        else:
            _read_msel(name, sheets[name], reading)
    if any(problem.where is None or problem.where.row == 1 for problem in reading.problems):
        raise SheetError(reading.problems)  # no file, sheet or header to read rows by
    return _load(reading, source, limits)


def _msel_sheet(names: list[str]) -> str | None:
    """The sheet that holds the MSEL: the one named MSEL (in any case), or the only sheet there is."""
    named = [name for name in names if name.strip().upper() == MSEL_SHEET]
    if named:
        return named[0]
    return names[0] if len(names) == 1 else None


def _base_setup(base: Path, reading: _Reading, limits: Limits) -> None:
    try:
        loaded = load_scenario(base, limits)
    except ScenarioError as error:
        for problem in error.problems:
            reading.problems.append(SheetProblem(reading.file, None, f"--setup: {problem}"))
        return
    taken = {key: value for key, value in authored(loaded).items() if key not in ("include", "injects")}
    own = frozenset(planned.inject.id for planned in loaded.plan.injects)
    reading.setup = _Setup(taken, list(loaded.sources.documents), own)
    reading.data.update(taken)


def _load(reading: _Reading, source: Path, limits: Limits) -> Imported:
    text = scenario_yaml(reading.data, source)
    with tempfile.TemporaryDirectory(prefix="ttx-import-") as folder:
        file = Path(folder) / SCENARIO_FILE
        file.write_text(text, encoding="utf-8")
        locate = _Locator(reading, file, limits)  # reads the YAML again only when there is something to place
        try:
            loaded = load_scenario(file, limits)
        except ScenarioError as error:
            # A cell that could not be read was left out: what the loader says about its absence repeats it.
            _check_days(reading, _days_known(reading.data))
            unread = {problem.where for problem in reading.problems}
            located = [locate(problem) for problem in error.problems]
            raise SheetError([*reading.problems, *(p for p in located if p.where not in unread)]) from None
        _check_days(reading, {planned.index: planned.day for planned in loaded.plan.injects})
        if reading.problems:
            raise SheetError(reading.problems)
        from ttx.loader.lint import lint  # lint builds on the loader, as this module does

        findings = [str(locate(finding)) for finding in lint(loaded)]
    return Imported(text, loaded, findings, [str(note) for note in sorted(reading.notes, key=SheetProblem.sort_key)])


def _check_days(reading: _Reading, day_of: dict[int, int]) -> None:
    """Report each Day cell that disagrees with the day its inject's time puts it on (where that is known)."""
    for text_day, where, index in reading.days:
        if index in day_of and text_day.strip() != str(day_of[index]):
            reading.problem(
                where,
                f"Day says {text_day.strip()!r} but the inject's time puts it on day {day_of[index]}; "
                "change Time (Day is worked out from it) or leave Day empty",
            )


def _days_known(data: dict[str, Any]) -> dict[int, int]:
    """The exercise day of each inject whose day follows from its own row and the phases alone (an absolute
    time or a phase), for a scenario that did not load: its Day cells are still checked in the same run."""
    phases: list[models.Phase] = []
    for item in data.get("phases") or []:
        try:
            phases.append(models.Phase.model_validate(item))
        except (ValidationError, TypeError):
            return {}
    if not phases:
        return {}
    by_id = {phase.id: phase for phase in phases}
    days: dict[int, int] = {}
    for index, inject in enumerate(data.get("injects") or []):
        phase = by_id.get(str(inject.get("phase"))) if inject.get("phase") is not None else None
        if phase is None and inject.get("phase") is None and isinstance(inject.get("time"), str):
            try:
                time = parse_time_spec(inject["time"])
            except ValueError:
                continue
            if not isinstance(time, ScenarioTime):
                continue
            phase = phases[0]
            for candidate in phases:
                if candidate.start.minutes > time.minutes:
                    break
                phase = candidate
        if phase is not None:
            days[index] = phase.played_on
    return days


_SHEET_OF = {
    "exercise": EXERCISE_SHEET,
    **{section.key: section.sheet for section in SECTIONS if section.sheet != "Agenda"},
}


class _Locator:
    """Maps a problem in the written YAML back to the cell its value came from."""

    def __init__(self, reading: _Reading, file: Path, limits: Limits) -> None:
        self.reading = reading
        self.file = file
        self.limits = limits
        self.keys: list[tuple[int, int]] | None = None
        self.cells: list[Where | _InSetup] = []
        self.mention = re.compile(re.escape(str(file)) + r":(\d+):(\d+)")

    def _index(self) -> list[tuple[int, int]]:
        if self.keys is not None:
            return self.keys
        try:
            document = read_yaml(self.file, self.limits)
        except ScenarioError:  # the written YAML is itself what the loader refused: no cell to place problems at
            self.keys = []
            return self.keys
        setup = self.reading.setup
        places: list[tuple[NodePath, Where | _InSetup]] = [
            *self.reading.cells.items(),
            *((path, _InSetup(path)) for path in (setup.paths() if setup is not None else [])),
        ]
        spots = sorted(
            (
                ((location.line, location.column), where)
                for path, where in places
                for location in [document.locate(path)]
            ),
            key=lambda spot: spot[0],
        )
        self.keys = [spot[0] for spot in spots]
        self.cells = [spot[1] for spot in spots]
        return self.keys

    def at(self, line: int) -> Where | _InSetup | None:
        """The cell written at this line of the YAML (the first one on it), or the nearest one before it."""
        keys = self._index()
        position = bisect.bisect_left(keys, (line + 1, 0)) - 1
        if position < 0:
            return None
        first = bisect.bisect_left(keys, (keys[position][0], 0))
        return self.cells[first]

    def _exact(self, line: int, column: int) -> Where | _InSetup | None:
        """The value written nearest before this line and column."""
        keys = self._index()
        position = bisect.bisect_right(keys, (line, column)) - 1
        return self.cells[position] if position >= 0 else None

    def __call__(self, problem: Problem) -> SheetProblem:
        written = problem.location.file == self.file
        spot = self.at(problem.location.line) if written else None
        if written and not self._index():  # about the scenario as a whole (too large to read): not one cell
            return SheetProblem(self.reading.file, None, f"the scenario it makes: {problem.message}")
        if spot is not None:
            exact = self._exact(problem.location.line, problem.location.column)
            if isinstance(exact, _InSetup):
                spot = exact  # the setup's own files give a column: the value itself, not its line
        message = self.mention.sub(self._mentioned, problem.message)
        rule = f" [{problem.rule}]" if problem.rule else ""
        prefix = f"{problem.where}: " if problem.where else ""
        if isinstance(spot, _InSetup):
            assert self.reading.setup is not None
            unknown = re.match(r"unknown inject '([^']*)'", message)
            if unknown and unknown.group(1) in self.reading.setup.injects:
                message = f"{unknown.group(0)}: the --setup scenario's own injects are not imported"
            place = self.reading.setup.locate(spot.path)
            return SheetProblem(self.reading.file, None, f"{prefix}{message}{rule}", place=place)
        where = spot
        missing = re.match(r"missing required field '([^']+)'", message)
        if missing and problem.where == missing.group(1):  # a whole part of the scenario: its sheet
            sheet = _SHEET_OF.get(missing.group(1), missing.group(1))
            return SheetProblem(self.reading.file, None, f"no {sheet} sheet, or nothing on it: {message}")
        if missing and problem.where in self.reading.missing_at:
            where = self.reading.missing_at[problem.where]
        elif missing and where is not None:
            placed = self.reading.headers.get(where.sheet, {})
            if missing.group(1) in placed:
                where = Where(where.sheet, where.row, placed[missing.group(1)])
        return SheetProblem(self.reading.file, where, f"{prefix}{message}{rule}")

    def _mentioned(self, match: re.Match[str]) -> str:
        where = self.at(int(match.group(1)))
        if isinstance(where, _InSetup):
            assert self.reading.setup is not None
            return str(self.reading.setup.locate(where.path))
        return where.label(self.reading.file) if where else match.group(0)
