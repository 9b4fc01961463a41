"""Write a scenario as spreadsheet tables: the MSEL with every authored field, and the setup sheets (xlsx or CSV)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from ttx.loader.load import LoadedScenario, describe_path
from ttx.loader.sources import MERGED
from ttx.model.base import CONTROL_MATERIAL, Tlp, strictest
from ttx.model.scenario import ALL, AnswerBy, Channel
from ttx.spreadsheet.layout import (
    EXERCISE_FIELDS,
    EXERCISE_SHEET,
    GROUPS_SHEET,
    KEYED,
    LISTS_SHEET,
    MAX_ROWS,
    MSEL_COLUMNS,
    MSEL_SHEET,
    RESPONSE_ACCEPTED,
    RESPONSE_CHOICES,
    RESPONSE_KEYS,
    SECTIONS,
    SETTINGS_SHEET,
    VARIABLES_SHEET,
    Column,
    Kind,
    write_cell,
)
from ttx.text import MAX_FIELD_CHARS, bounded, csv_cell, visible


@dataclass
class Table:
    """One sheet: a header row and rows of cell text."""

    name: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)
    wrap: set[int] = field(default_factory=set)
    """Columns (0-based) whose long text wraps."""


@dataclass
class Validation:
    """A drop-down list on a column of the MSEL sheet, its choices a column of the Lists sheet."""

    column: int
    """0-based column of the MSEL sheet."""
    choices: int
    """0-based column of the Lists sheet."""
    strict: bool
    """Warn on a value that is not in the list (else the list only offers choices: the cell may hold several)."""
    error: str = "Not one of the values on the Lists sheet."
    """What the warning on a value outside the list says."""


@dataclass
class Workbook:
    """Every table of a scenario's workbook, and the drop-down lists of its MSEL."""

    tables: list[Table]
    validations: list[Validation]
    label: Tlp = Tlp.RED
    """Its handling label: the highest of the exercise's and every inject it holds."""

    def notice(self) -> str:
        """What the workbook is, at the top of every printed page: ``TLP:AMBER · EXERCISE CONTROL MATERIAL``."""
        return f"{self.label.label} · {CONTROL_MATERIAL}"


CONTROL_CONTENTS = (
    "every inject whatever its label, expected actions and facilitator notes; keep it to exercise control "
    "(see docs/security.md)"
)
"""What a workbook or CSV MSEL holds, said in the workbook's properties and when ttx msel writes one."""


class ExportError(Exception):
    """A value that no spreadsheet cell can hold and give back (too long, or a NUL character)."""


def _get(item: Any, key: str) -> Any:
    node = item
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _msel_row(inject: dict[str, Any], serial: int, day: int) -> list[str]:
    covered = {column.key.split(".")[0] for column in MSEL_COLUMNS if column.key}
    other: dict[str, Any] = {key: value for key, value in inject.items() if key not in covered}
    response = inject.get("response")
    if isinstance(response, dict):
        extra = {key: value for key, value in response.items() if key not in RESPONSE_KEYS}
        if extra:
            other["response"] = extra
    cells: list[str] = []
    for column in MSEL_COLUMNS:
        if column.header == "Serial":
            cells.append(str(serial))
        elif column.header == "Day":
            cells.append(str(day))
        elif column.header == "Other":
            cells.append(write_cell(Kind.json, other) if other else "")
        elif column.kind is Kind.required:
            cells.append(write_cell(Kind.required, _required(response)))
        else:
            cells.append(write_cell(column.kind, _get(inject, column.key)))
    return cells


def _required(response: Any) -> Any:
    """What the Response column shows: the rule's 'required' as written, 'yes' for a rule that leaves it out."""
    if not isinstance(response, dict):
        return None
    return response.get("required", "yes")


def _item_rows(items: Any, columns: tuple[Column, ...]) -> list[list[str]]:
    if not isinstance(items, list):
        return []
    return [
        [write_cell(column.kind, item.get(column.key)) for column in columns]
        for item in items
        if isinstance(item, dict)
    ]


def _key_value(value: Any) -> str:
    """A value on a Field/Value sheet: text as written, anything else (or text that looks like JSON) as JSON."""
    if isinstance(value, str) and not value.lstrip().startswith(("[", "{", '"')):
        return value
    return write_cell(Kind.json, value)


def authored(loaded: LoadedScenario) -> dict[str, Any]:
    """The scenario's data as its files have it (before variables and groups are filled in), includes merged.

    Read from the files themselves, in the order the loader merges them: the loaded scenario leaves out
    the capabilities outside its scope, and a workbook keeps them so that a planner can widen the scope.
    """
    sources = loaded.sources
    data = dict(sources.main.data)
    for section in MERGED:
        items = [
            item
            for document in sources.documents
            if isinstance(document.data, dict) and isinstance(document.data.get(section), list)
            for item in document.data[section]
        ]
        if items or section in data:
            data[section] = items
    return data


def workbook_of(loaded: LoadedScenario, *, day: int | None = None, cell: str | None = None) -> Workbook:
    """The tables of a scenario as authored: its MSEL (in release order) and its setup.

    Values are taken as written, before variables and groups are filled in, with included files
    written out in full.

    Raises:
        ExportError: a value too long for a cell ttx would read back.
    """
    data = authored(loaded)
    injects = data.get("injects") or []
    msel = Table(MSEL_SHEET, [column.header for column in MSEL_COLUMNS], widths=[c.width for c in MSEL_COLUMNS])
    msel.wrap = {n for n, column in enumerate(MSEL_COLUMNS) if column.width >= 28}
    problems: list[str] = []
    serial = 0
    labels = [loaded.scenario.exercise.tlp]
    for planned in loaded.plan.injects:
        if day is not None and planned.day != day:
            continue
        if cell is not None and cell not in planned.cells and cell not in planned.participants:
            continue
        serial += 1
        labels.append(planned.inject.tlp)
        row = _msel_row(injects[planned.index], serial, planned.day)
        for column, text in zip(MSEL_COLUMNS, row, strict=True):
            _check(text, f"{describe_path(('injects', planned.index), data)} {column.header}", problems)
        msel.rows.append(row)
    tables = [msel, _exercise(data), *_sections(data), _groups(data), _variables(data), _settings(data)]
    for table in tables[1:]:
        for number, row in enumerate(table.rows, start=2):
            for header, text in zip(table.header, row, strict=True):
                _check(text, f"{table.name} row {number} {header}", problems)
    if problems:
        raise ExportError("\n".join(problems))
    lists, validations = _lists(loaded, data, msel)
    return Workbook([*tables, lists], validations, strictest(labels))


def _check(text: str, where: str, problems: list[str]) -> None:
    reason = bounded(text, MAX_FIELD_CHARS)
    if reason is not None:
        problems.append(f"{where}: {reason}: a spreadsheet cell ttx reads back holds at most {MAX_FIELD_CHARS:,}")


def _exercise(data: dict[str, Any]) -> Table:
    exercise = data.get("exercise") if isinstance(data.get("exercise"), dict) else {}
    assert isinstance(exercise, dict)
    rows = [[column.key, write_cell(column.kind, exercise.get(column.key))] for column in EXERCISE_FIELDS]
    return Table(EXERCISE_SHEET, ["Field", "Value"], rows, widths=[20, 90], wrap={1})


def _sections(data: dict[str, Any]) -> list[Table]:
    tables: list[Table] = []
    for section in SECTIONS:
        columns = section.columns
        items = data.get(section.key)
        if section.sheet == "Agenda":
            rows = [
                [write_cell(Kind.text, day.get("day")), *_item_rows([entry], columns[1:])[0]]
                for day in (items if isinstance(items, list) else [])
                if isinstance(day, dict) and isinstance(day.get("agenda"), list)
                for entry in day["agenda"]
                if isinstance(entry, dict)
            ]
        else:
            rows = _item_rows(items, columns)
        tables.append(
            Table(
                section.sheet,
                [column.header for column in columns],
                rows,
                widths=[column.width for column in columns],
                wrap={n for n, column in enumerate(columns) if column.width >= 28},
            )
        )
    return tables


def _groups(data: dict[str, Any]) -> Table:
    groups = data.get("groups") if isinstance(data.get("groups"), dict) else {}
    assert isinstance(groups, dict)
    rows = [[str(name), write_cell(Kind.ids, members)] for name, members in groups.items()]
    return Table(GROUPS_SHEET, ["name", "members"], rows, widths=[20, 60], wrap={1})


def _variables(data: dict[str, Any]) -> Table:
    variables = data.get("variables") if isinstance(data.get("variables"), dict) else {}
    assert isinstance(variables, dict)
    rows = [[str(name), _key_value(value)] for name, value in variables.items()]
    return Table(VARIABLES_SHEET, ["name", "value"], rows, widths=[20, 60], wrap={1})


def _settings(data: dict[str, Any]) -> Table:
    rows = [[str(key), _key_value(value)] for key, value in data.items() if key not in KEYED]
    return Table(SETTINGS_SHEET, ["Field", "Value"], rows, widths=[20, 90], wrap={1})


MSEL_HEADERS = [column.header for column in MSEL_COLUMNS]
NUMBER_COLUMNS = ("Serial", "Day")
"""MSEL columns written as numbers (ttx works them out; they read back as the same text)."""

LIST_HEADERS = ("recipients", "tlp", "channel", "phases", "objectives", "capabilities", "yes/no", "answer by")


def _lists(loaded: LoadedScenario, data: dict[str, Any], msel: Table) -> tuple[Table, list[Validation]]:
    """The Lists sheet (choices for the MSEL's drop-downs) and the drop-downs themselves.

    Capabilities are those the files hold, in scope or not (one left out of scope is reported as such on
    import); Response offers every value the MSEL holds, so no exported cell is outside its own list.
    """
    scenario = loaded.scenario
    at = {column.header: n for n, column in enumerate(MSEL_COLUMNS)}
    capabilities = [
        str(item["id"])
        for item in data.get("capabilities") or []
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]
    responses = dict.fromkeys(RESPONSE_CHOICES)
    responses.update(dict.fromkeys(row[at["Response"]] for row in msel.rows if row[at["Response"]]))
    choices: list[list[str]] = [
        [ALL, *(c.id for c in scenario.cells), *(p.id for p in scenario.participants), *scenario.groups],
        [tlp.value for tlp in Tlp],
        [channel.value for channel in Channel],
        [phase.id for phase in scenario.phases],
        [objective.id for objective in scenario.objectives],
        capabilities,
        list(responses),
        [by.value for by in AnswerBy],
    ]
    length = max(len(column) for column in choices)
    rows = [[column[n] if n < len(column) else "" for column in choices] for n in range(length)]
    table = Table(LISTS_SHEET, list(LIST_HEADERS), rows, widths=[16] * len(LIST_HEADERS))
    validations = [
        Validation(at["To"], 0, strict=False),
        Validation(at["TLP"], 1, strict=True),
        Validation(at["Channel"], 2, strict=True),
        Validation(at["Phase"], 3, strict=True),
        Validation(at["Objectives"], 4, strict=False),
        Validation(at["Capabilities"], 5, strict=False),
        Validation(at["Response"], 6, strict=True, error=f"Write {RESPONSE_ACCEPTED}."),
        Validation(at["Answer by"], 7, strict=False),
    ]
    return table, [v for v in validations if choices[v.choices]]


# --- writers --------------------------------------------------------------------------------------------------


def csv_text(value: str) -> str:
    """A CSV cell that reads back as ``value``: :func:`csv_cell`, and a leading ``'`` doubled so that the ``'``
    ttx adds before formula-like text is the only one it removes."""
    cell = csv_cell(value)
    return "'" + cell if cell.startswith("'") and cell == visible(value) else cell


def to_csv(table: Table) -> str:
    """One table as CSV: a header row, then one row per line of the sheet; no cell is ever a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_text(header) for header in table.header)
    for row in table.rows:
        writer.writerow(csv_text(cell) for cell in row)
    return buffer.getvalue()


def to_xlsx(workbook: Workbook) -> bytes:
    """The workbook as xlsx: every cell text (never a formula), a frozen header, widths, drop-down lists."""
    from openpyxl import Workbook as Book
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Book()
    default = book.active
    if default is not None:
        book.remove(default)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE4EE")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for table in workbook.tables:
        sheet = book.create_sheet(table.name)
        for number, header in enumerate(table.header, start=1):
            cell = sheet.cell(row=1, column=number)
            _put(cell, header)
            cell.font, cell.fill = bold, fill
        numeric = {MSEL_HEADERS.index(h) + 1 for h in NUMBER_COLUMNS} if table.name == MSEL_SHEET else set()
        for row_number, row in enumerate(table.rows, start=2):
            for number, text in enumerate(row, start=1):
                if text:
                    cell = sheet.cell(row=row_number, column=number)
                    if number in numeric and text.isascii() and text.isdigit():
                        cell.value = int(text)  # a number, not a "number stored as text"
                    else:
                        _put(cell, text)
                    cell.alignment = wrap if number - 1 in table.wrap else top
        for number, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        sheet.freeze_panes = "C2" if table.name == MSEL_SHEET else "A2"
        sheet.oddHeader.center.text = workbook.notice()  # on every printed page
        sheet.oddHeader.center.size = 12
        if table.rows:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{len(table.rows) + 1}"
    msel = book[MSEL_SHEET]
    lists = workbook.tables[-1]
    for validation in workbook.validations:
        letter = get_column_letter(validation.choices + 1)
        count = sum(1 for row in lists.rows if row[validation.choices])
        rule = DataValidation(
            type="list",
            formula1=f"{LISTS_SHEET}!${letter}$2:${letter}${count + 1}",
            allow_blank=True,
            showErrorMessage=validation.strict,
            errorStyle="warning",
            error=validation.error,
        )
        column = get_column_letter(validation.column + 1)
        rule.add(f"{column}2:{column}{MAX_ROWS + 1}")  # every row an import reads
        msel.add_data_validation(rule)
    book.properties.creator = "ttx"
    book.properties.subject = f"{workbook.notice()}: {CONTROL_CONTENTS}"
    book.properties.keywords = workbook.label.label
    buffer = io.BytesIO()
    book.save(buffer)
    return _steady(buffer.getvalue())


_SAVED_AT = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def _steady(workbook: bytes) -> bytes:
    """The workbook without the moment it was saved (archive times, document dates): one scenario, one file."""
    steady = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(steady, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            payload = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                payload = _SAVED_AT.sub(b"", payload)
            target.writestr(
                zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0)), payload, zipfile.ZIP_DEFLATED
            )
    return steady.getvalue()


def _put(cell: Any, text: str) -> None:
    """Store text as a text cell: a value starting with '=' stays text, never a formula, and is marked so that
    a spreadsheet keeps it text when someone edits the cell."""
    shown = visible(text)
    cell.value = shown
    cell.data_type = "s"
    if csv_cell(shown) != shown and not shown.startswith("'"):
        cell.quotePrefix = True
