"""Spreadsheet MSELs: export → import → export gives the same workbook and CSV, for every shipped scenario."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from ttx.loader.lint import lint
from ttx.loader.load import load_scenario
from ttx.model.scenario import Inject, ResponseRule
from ttx.spreadsheet.export import to_csv, to_xlsx, workbook_of
from ttx.spreadsheet.layout import MSEL_COLUMNS, RESPONSE_KEYS, CellError, Kind, read_cell, write_cell
from ttx.spreadsheet.reader import SheetError, import_msel

from ..helpers import DATA, FERRY, HARBOUR, ROOT

SHIPPED = sorted(path for path in (ROOT / "scenarios").iterdir() if (path / "scenario.yaml").is_file())
SCENARIOS = [*SHIPPED, *sorted(path for path in DATA.iterdir() if (path / "scenario.yaml").is_file())]


def export(folder: Path, form: str) -> bytes:
    workbook = workbook_of(load_scenario(folder))
    return to_xlsx(workbook) if form == "xlsx" else to_csv(workbook.tables[0]).encode("utf-8")


def sheets(data: bytes) -> dict[str, Any]:
    """Every cell of every sheet (value and type), the drop-down lists and frozen panes: what a planner sees."""
    book = load_workbook(io.BytesIO(data))
    seen: dict[str, Any] = {}
    for sheet in book.worksheets:
        cells = [(cell.coordinate, cell.value, cell.data_type) for row in sheet.iter_rows() for cell in row]
        rules = [
            (str(rule.sqref), rule.formula1, rule.showErrorMessage) for rule in sheet.data_validations.dataValidation
        ]
        seen[sheet.title] = (cells, rules, sheet.freeze_panes)
    return seen


def rules_of(findings: list[str]) -> list[str]:
    return sorted(re.sub(r".*\[([^\]]+)\]$", r"\1", finding) for finding in findings)


@pytest.mark.parametrize("form", ["xlsx", "csv"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.name)
def test_export_import_export_is_identical(scenario: Path, form: str, tmp_path: Path) -> None:
    first = export(scenario, form)
    source = tmp_path / f"msel.{form}"
    source.write_bytes(first)
    imported = import_msel(source, setup=None if form == "xlsx" else scenario)
    folder = tmp_path / "imported"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(imported.text, encoding="utf-8")
    second = export(folder, form)
    if form == "xlsx":
        assert sheets(second) == sheets(first)
        assert second == first, "byte for byte: a workbook does not record when it was written"
    else:
        assert second.decode("utf-8") == first.decode("utf-8")
    original = load_scenario(scenario)
    assert rules_of(imported.findings) == rules_of([str(finding) for finding in lint(original)])
    assert [p.id for p in imported.loaded.plan.injects] == [p.id for p in original.plan.injects]
    assert [p.time for p in imported.loaded.plan.injects] == [p.time for p in original.plan.injects]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda path: path.name)
def test_plain_values_are_written_plainly_not_as_json(scenario: Path) -> None:
    workbook = workbook_of(load_scenario(scenario))
    cells = [(table.name, cell) for table in workbook.tables for row in table.rows for cell in row]
    assert [(name, cell) for name, cell in cells if isinstance(json_or_none(cell), str)] == []
    lists = [(name, cell) for name, cell in cells if isinstance(json_or_none(cell), list)]
    assert lists == [], "every list of these scenarios fits the readable one-per-line or comma form"


def json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def test_every_field_of_an_inject_and_its_response_rule_has_a_column() -> None:
    columns = {column.key.split(".")[0] for column in MSEL_COLUMNS if column.key}
    fields = {info.alias or name for name, info in Inject.model_fields.items()}
    assert fields <= columns, "a field without a column goes to Other (JSON): give it a column and document it"
    assert set(ResponseRule.model_fields) <= set(RESPONSE_KEYS)


def test_the_msel_sheet_carries_every_authored_field_of_a_decision_inject() -> None:
    workbook = workbook_of(load_scenario(FERRY))
    msel = workbook.tables[0]
    row = dict(zip(msel.header, next(row for row in msel.rows if row[1] == "N1-2"), strict=True))
    assert row["Time"] == "+01:00" and row["After"] == "N1-1"
    assert row["To"] == "DWG, PWG" and row["Channel"] == "phone" and row["TLP"] == "GREEN"
    assert (row["Response"], row["Answer by"], row["Deadline"], row["Contingency"]) == ("true", "any", "03:00", "N1-2c")
    assert row["Objectives"] == "O1, O2" and row["Capabilities"] == "C1" and row["Critical tasks"] == "C1.3"
    assert row["Body"].startswith("A fishing skipper") and row["Questions"].startswith("Is this a distress case")
    first = dict(zip(msel.header, msel.rows[0], strict=True))
    assert first["ID"] == "N1-1" and first["Expected actions"] == "Name the lead centre"
    harbour = workbook_of(load_scenario(HARBOUR)).tables[0]
    notes = harbour.header.index("Facilitator notes")
    assert "Ask for a lead centre within the first hour." in [row[notes] for row in harbour.rows]
    decision = dict(zip(msel.header, next(row for row in msel.rows if row[1] == "N1-4"), strict=True))
    assert decision["Decision options"] == (
        "board*: Board the ferry and bring it into port → release N2-1a\n"
        "follow: Follow at a distance to find the organisers → release N2-1b"
    )
    assert any(row[msel.header.index("To")] == "{{ host_state }}" for row in msel.rows), "variables as written"


def test_the_starter_workbook_has_drop_downs_a_frozen_header_and_widths() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(workbook_of(load_scenario(HARBOUR)))))
    msel = book["MSEL"]
    assert [cell.value for cell in msel[1]][:4] == ["Serial", "ID", "Day", "Time"]
    assert msel.freeze_panes == "C2" and msel.column_dimensions["L"].width == 70
    lists = {cell.value: column for column, cell in enumerate(book["Lists"][1], start=1)}
    recipients = [row[lists["recipients"] - 1] for row in book["Lists"].iter_rows(min_row=2, values_only=True)]
    assert {"all", "PWG", "MWG"} <= set(recipients)
    rules = {str(rule.sqref).split(":")[0]: rule for rule in msel.data_validations.dataValidation}
    assert rules["J2"].formula1 == "Lists!$B$2:$B$6" and rules["J2"].showErrorMessage  # TLP
    assert rules["H2"].type == "list" and not rules["H2"].showErrorMessage  # To: several cells in one
    assert "O1" in [row[lists["objectives"] - 1] for row in book["Lists"].iter_rows(min_row=2, values_only=True)]
    assert {"Exercise", "Objectives", "Capabilities", "Cells", "Participants", "Days", "Agenda", "Phases"} <= set(
        book.sheetnames
    )


def test_numbers_dates_and_times_a_spreadsheet_typed_read_as_the_text_a_person_sees(tmp_path: Path) -> None:
    import datetime as dt

    path = tmp_path / "msel.xlsx"
    path.write_bytes(to_xlsx(workbook_of(load_scenario(HARBOUR))))
    book = load_workbook(path)
    book["MSEL"]["C2"] = 1  # Day typed as a number
    exercise = book["Exercise"]
    row = next(cell.row for cell in exercise["A"] if cell.value == "start_date")
    exercise[f"B{row}"] = dt.datetime(2027, 3, 1)  # a date typed into a cell
    version = next(cell.row for cell in exercise["A"] if cell.value == "version")
    exercise[f"B{version}"] = 2.0
    book.save(path)
    imported = import_msel(path)
    assert imported.loaded.scenario.exercise.start_date == dt.date(2027, 3, 1)
    assert imported.loaded.scenario.exercise.version == "2"
    book["MSEL"]["D2"] = dt.time(8, 0)  # a bare time of day: not a scenario time
    book.save(path)
    with pytest.raises(SheetError) as error:
        import_msel(path)
    assert [str(problem).split(": ", 1)[0] for problem in error.value.problems] == [f"{path}:MSEL!D2"]


def test_options_and_triggers_as_planners_type_them() -> None:
    options = read_cell(Kind.options, "rescue*: Rescue now -> release A2-1a, A2-1b -> phase landing\nhold: Hold at sea")
    assert options == [
        {
            "id": "rescue",
            "label": "Rescue now",
            "default": "true",
            "release": ["A2-1a", "A2-1b"],
            "enter_phase": "landing",
        },
        {"id": "hold", "label": "Hold at sea"},
    ]
    assert read_cell(Kind.triggers, "tow back, push back → release A1-3t") == [
        {"keywords": ["tow back", "push back"], "release": ["A1-3t"]}
    ]
    with pytest.raises(CellError, match="line 2: write an option as 'id: label'"):
        read_cell(Kind.options, "rescue: Rescue\nno colon here")
    awkward = [{"id": "a", "label": "Wait → release B first"}, {"id": "b", "label": "two\nlines"}]
    assert read_cell(Kind.options, write_cell(Kind.options, awkward)) == awkward, "JSON when the line form cannot"


def test_hseep_column_names_and_singulars_read_as_their_columns(tmp_path: Path) -> None:
    table = to_csv(workbook_of(load_scenario(HARBOUR)).tables[0])
    renamed = {"Serial": "Event #", "ID": "Inject ID", "Time": "Scenario time", "Title": "Subject"}
    renamed |= {"Body": "Inject description", "Objectives": "Objective", "Triggers": "Trigger"}
    header, rest = table.split("\r\n", 1)
    source = tmp_path / "hseep.csv"
    source.write_text(",".join(renamed.get(name, name) for name in header.split(",")) + ",Status\r\n" + rest)
    imported = import_msel(source, setup=HARBOUR)
    assert imported.notes == [f"{source}:1:26: column 'Status' is not read"]
    folder = tmp_path / "again"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(imported.text, encoding="utf-8")
    assert to_csv(workbook_of(load_scenario(folder)).tables[0]) == table


def scoped_scenario(root: Path) -> Path:
    """HARBOUR WATCH with its capabilities in a framework file of three, two of them in scope."""
    text = (HARBOUR / "scenario.yaml").read_text(encoding="utf-8")
    start, end = text.index("\nobjectives:\n") + 1, text.index("\ncells:\n") + 1
    framework = text[start:end] + (
        "  - id: C3\n    name: Return and reintegration\n    objectives: [O2]\n"
        "    critical_tasks: [Agree a return plan]\n"
    )
    (root / "frameworks").mkdir()
    (root / "frameworks" / "shared.yaml").write_text(framework, encoding="utf-8")
    folder = root / "scenarios" / "scoped"
    folder.mkdir(parents=True)
    scoped = "include: [../../frameworks/shared.yaml]\nscope: {capabilities: [C1, C2]}\n"
    (folder / "scenario.yaml").write_text(text[:start] + scoped + text[end:], encoding="utf-8")
    return folder


def test_capabilities_outside_the_scope_are_written_and_the_scope_can_be_widened(tmp_path: Path) -> None:
    folder = scoped_scenario(tmp_path)
    assert [c.id for c in load_scenario(folder).scenario.capabilities] == ["C1", "C2"], "the run sees the scope"
    first = export(folder, "xlsx")
    book = load_workbook(io.BytesIO(first))
    assert [row[0] for row in book["Capabilities"].iter_rows(min_row=2, values_only=True)] == ["C1", "C2", "C3"]
    offered = [row[5] for row in book["Lists"].iter_rows(min_row=2, values_only=True) if row[5]]
    assert offered == ["C1", "C2", "C3"]
    source = tmp_path / "msel.xlsx"
    source.write_bytes(first)
    imported = tmp_path / "imported"
    imported.mkdir()
    (imported / "scenario.yaml").write_text(import_msel(source).text, encoding="utf-8")
    assert export(imported, "xlsx") == first
    settings = book["Settings"]
    row = next(cell.row for cell in settings["A"] if cell.value == "scope")
    settings[f"B{row}"] = '{"capabilities": ["C1", "C2", "C3"]}'
    book.save(source)
    widened = import_msel(source)
    assert [c.id for c in widened.loaded.scenario.capabilities] == ["C1", "C2", "C3"]


@pytest.mark.parametrize("scenario", SHIPPED, ids=lambda path: path.name)
def test_every_printed_page_and_the_file_say_it_is_exercise_control_under_its_highest_label(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ttx.cli import main

    loaded = load_scenario(scenario)
    order = ["RED", "AMBER+STRICT", "AMBER", "GREEN", "CLEAR"]
    highest = min([loaded.scenario.exercise.tlp, *(p.inject.tlp for p in loaded.plan.injects)], key=order.index)
    notice = f"TLP:{highest} · EXERCISE CONTROL MATERIAL"
    assert main(["msel", str(scenario), "--format", "xlsx", "-o", str(tmp_path / "msel.xlsx")]) == 0
    assert capsys.readouterr().err.startswith(f"{notice}: every inject whatever its label")
    book = load_workbook(tmp_path / "msel.xlsx")
    assert [sheet.oddHeader.center.text for sheet in book.worksheets] == [notice] * len(book.worksheets)
    assert (book.properties.subject or "").startswith(notice)
    assert main(["msel", str(scenario), "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Serial,ID,"), "the CSV itself stays a table ttx imports"
    assert captured.err.startswith(notice)


def test_a_workbook_of_one_day_is_labelled_by_that_days_injects_and_the_exercise() -> None:
    loaded = load_scenario(FERRY)
    exercise = loaded.scenario.exercise.tlp
    order = ["RED", "AMBER+STRICT", "AMBER", "GREEN", "CLEAR"]
    everything = workbook_of(loaded)
    assert everything.label == min([exercise, *(p.inject.tlp for p in loaded.plan.injects)], key=order.index)
    day_one = workbook_of(loaded, day=1)
    expected = min([exercise, *(p.inject.tlp for p in loaded.plan.injects if p.day == 1)], key=order.index)
    assert day_one.label == expected


def test_a_value_beyond_the_last_column_is_reported_and_wide_rows_are_looked_through_only_so_far(
    tmp_path: Path,
) -> None:
    """A small file of rows written out to column XFD is each row's full width: only the first rows are searched."""
    from openpyxl import Workbook

    from ttx.spreadsheet.reader import MAX_COLUMNS, WIDE_ROWS_CHECKED

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "MSEL"
    for position, column in enumerate(MSEL_COLUMNS, start=1):
        sheet.cell(row=1, column=position, value=column.header)
    for row in range(2, WIDE_ROWS_CHECKED + 52):
        sheet.cell(row=row, column=16_384, value="far right")
    sheet.cell(row=2, column=MAX_COLUMNS + 1, value="just beyond")
    path = tmp_path / "wide.xlsx"
    book.save(path)
    with pytest.raises(SheetError) as raised:
        import_msel(path, setup=FERRY)
    wide = [str(problem) for problem in raised.value.problems if problem.message == f"more than {MAX_COLUMNS} columns"]
    assert wide[0] == f"{path}:MSEL!BM2: more than {MAX_COLUMNS} columns", "the first value beyond, at its cell"
    assert wide[1] == f"{path}:MSEL!XFD3: more than {MAX_COLUMNS} columns"
    assert len(wide) == WIDE_ROWS_CHECKED


@pytest.mark.parametrize("depth", [57, 990, 9_000])
def test_json_nested_past_what_a_scenario_holds_is_one_problem_at_its_cell(depth: int, tmp_path: Path) -> None:
    """A 20,000-character cell can nest 10,000 deep: past Python's parser and the scenario's YAML alike."""
    from ttx.spreadsheet.layout import MAX_JSON_DEPTH

    table = workbook_of(load_scenario(FERRY)).tables[0]
    other, to = table.header.index("Other"), table.header.index("To")
    table.rows[0][other] = '{"x": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    table.rows[1][to] = "[" * depth + "]" * depth
    path = tmp_path / "deep.csv"
    path.write_text(to_csv(table), encoding="utf-8")
    with pytest.raises(SheetError) as raised:
        import_msel(path, setup=FERRY)
    found = [(problem.where and problem.where.column, problem.message) for problem in raised.value.problems]
    assert found == [
        (other + 1, f"Other: the JSON here nests more than {MAX_JSON_DEPTH} levels deep"),
        (to + 1, f"To: the JSON here nests more than {MAX_JSON_DEPTH} levels deep"),
    ]


def test_a_small_workbook_whose_text_makes_a_scenario_over_the_size_limit_is_one_problem(tmp_path: Path) -> None:
    from ttx.loader.yaml_source import Limits

    workbook = workbook_of(load_scenario(FERRY))
    body = workbook.tables[0].header.index("Body")
    for row in workbook.tables[0].rows:
        row[body] = "plain words " * 1_500
    path = tmp_path / "long.xlsx"
    path.write_bytes(to_xlsx(workbook))
    limit = 200_000
    assert path.stat().st_size < limit
    with pytest.raises(SheetError) as raised:
        import_msel(path, limits=Limits(max_bytes=limit))
    assert [str(problem) for problem in raised.value.problems] == [
        f"{path}: the scenario it makes: file is over the {limit:,}-byte limit (--max-size)"
    ]
