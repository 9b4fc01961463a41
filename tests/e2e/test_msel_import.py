"""`ttx msel --format xlsx|csv` and `ttx import`: exit codes, the scenario folder written, every bad cell located."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ttx.text import MAX_FIELD_CHARS

from ..helpers import FERRY, HARBOUR, ttx


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """HARBOUR WATCH written by `ttx msel --format xlsx`."""
    path = tmp_path / "harbour.xlsx"
    result = ttx("msel", HARBOUR, "--format", "xlsx", "-o", path)
    assert result.returncode == 0, result.stderr
    return path


def edit(path: Path, changes: dict[str, dict[str, str | None]]) -> Path:
    """Change cells as a planner would in a spreadsheet program; a value starting with '=' becomes a formula."""
    book = load_workbook(path)
    for sheet, cells in changes.items():
        for coordinate, value in cells.items():
            book[sheet][coordinate] = value
    book.save(path)
    return path


def test_a_workbook_imports_into_a_scenario_folder_that_validates_and_lints(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "scenarios" / "harbour-copy"
    result = ttx("import", workbook, "-o", out)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out / 'scenario.yaml'}: HARBOUR WATCH: 2 days, 2 phases, 6 injects" in result.stdout
    assert ttx("validate", out).returncode == 0
    assert ttx("lint", out).stdout == ttx("lint", HARBOUR).stdout.replace(str(HARBOUR), str(out))
    again = tmp_path / "again.xlsx"
    assert ttx("msel", out, "--format", "xlsx", "-o", again).returncode == 0
    assert ttx("import", again, "-o", out).returncode == 2, "an existing scenario.yaml is kept without --force"
    assert ttx("import", again, "-o", out, "--force").returncode == 0


def test_every_bad_cell_is_reported_at_once_at_its_cell(workbook: Path, tmp_path: Path) -> None:
    # MSEL columns: B ID, C Day, D Time, H To, J TLP, K Title, L Body.
    edit(
        workbook,
        {
            "MSEL": {
                "H2": "NOPE, MWG",
                "D3": "D1 25:00",
                "J4": "PURPLE",
                "K5": "=1+1",
                "L5": "x" * (MAX_FIELD_CHARS + 1),
                "B6": "H1-1",
                "C7": "9",
            },
            "Cells": {"B2": None},
        },
    )
    result = ttx("import", workbook, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    name = str(workbook)
    expected = [
        f"{name}:MSEL!H2: injects[H1-1].to[0]: unknown cell or participant 'NOPE'",
        f"{name}:MSEL!D3: injects[H1-4].time: 'D1 25:00': hours must be 0-23",
        f"{name}:MSEL!J4: injects[H1-2].tlp: input should be 'RED', 'AMBER+STRICT', 'AMBER', 'GREEN' or 'CLEAR'",
        f"{name}:MSEL!K5: holds a formula (=1+1); ttx reads text: type the value itself, after a ' if it starts "
        "with =, +, - or @",
        f"{name}:MSEL!L5: the cell is 20,001 characters long; the limit is 20,000",
        f"{name}:MSEL!B6: injects[H1-1].id: duplicate inject id 'H1-1'; first defined at {name}:MSEL!B2",
        f"{name}:MSEL!C7: Day says '9' but the inject's time puts it on day 2; change Time (Day is worked out from "
        "it) or leave Day empty",
        f"{name}:Cells!B2: cells[MWG].name: missing required field 'name'",
    ]
    for line in expected:
        assert line in lines, result.stderr
    assert lines[-1] == f"{name}: not imported, {len(expected)} problems"
    assert not (tmp_path / "out").exists()


def test_a_missing_or_misspelt_header_is_reported_at_the_header_row(workbook: Path, tmp_path: Path) -> None:
    edit(workbook, {"MSEL": {"K1": None, "Z1": "Titel"}})
    result = ttx("import", workbook, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert f"{workbook}:MSEL!A1: missing column 'Title'" in result.stderr
    assert f"{workbook}:MSEL!Z1: unknown column 'Titel'; did you mean 'Title'?" in result.stderr
    assert f"{workbook}:MSEL!K1: this column has values but no header" in result.stderr


def test_a_day_that_disagrees_with_the_time_is_reported(workbook: Path, tmp_path: Path) -> None:
    edit(workbook, {"MSEL": {"C2": "2"}})
    result = ttx("import", workbook, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert f"{workbook}:MSEL!C2: Day says '2' but the inject's time puts it on day 1" in result.stderr


def test_a_csv_msel_imports_with_a_setup_and_is_located_by_line_and_column(tmp_path: Path) -> None:
    exported = ttx("msel", FERRY, "--format", "csv", "-o", tmp_path / "ferry.csv")
    assert exported.returncode == 0
    text = (tmp_path / "ferry.csv").read_text(encoding="utf-8-sig")
    assert ttx("import", tmp_path / "ferry.csv", "-o", tmp_path / "plain").returncode == 2, "CSV needs --setup"
    ok = ttx("import", tmp_path / "ferry.csv", "--setup", FERRY, "-o", tmp_path / "copy")
    assert ok.returncode == 0, ok.stderr
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[1][9] = "PURPLE"  # TLP of the first inject
    rows[2][10] = "=cmd|' /C calc'!A0"  # Title of the second
    bad = tmp_path / "bad.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    bad.write_text(buffer.getvalue(), encoding="utf-8")
    result = ttx("import", bad, "--setup", FERRY, "-o", tmp_path / "bad")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:2:10: injects[N1-1].tlp: input should be" in result.stderr
    line = next(n for n, text in enumerate(buffer.getvalue().split("\n"), start=1) if text.startswith("2,"))
    assert line > 3, "the first inject's body spans lines: the second inject starts further down"
    assert f"{bad}:{line}:11: starts with '=' and a spreadsheet would run it as a formula" in result.stderr
    semicolons = tmp_path / "semicolons.csv"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(csv.reader(io.StringIO(text, newline="")))
    semicolons.write_text(buffer.getvalue(), encoding="utf-8-sig")
    saved = ttx("import", semicolons, "--setup", FERRY, "-o", tmp_path / "semicolons")
    assert saved.returncode == 0, "a spreadsheet set to a decimal comma saves CSV with semicolons"


@pytest.mark.parametrize("content", [b"not a workbook", b"PK\x03\x04broken", b""])
def test_a_file_that_is_not_a_workbook_is_one_line_and_exit_2(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "msel.xlsx"
    path.write_bytes(content)
    result = ttx("import", path, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}: not an xlsx workbook")


def test_a_file_over_the_size_limit_is_refused_before_reading(workbook: Path, tmp_path: Path) -> None:
    result = ttx("import", workbook, "-o", tmp_path / "out", "--max-size", "0.001")
    assert result.returncode == 2
    assert "the limit is 1,048 (--max-size)" in result.stderr


def test_xlsx_needs_an_output_file() -> None:
    result = ttx("msel", HARBOUR, "--format", "xlsx")
    assert result.returncode == 2
    assert "--format xlsx needs -o FILE.xlsx" in result.stderr


def test_a_planners_own_one_sheet_workbook_imports_with_a_setup(tmp_path: Path) -> None:
    from openpyxl import Workbook

    exported = ttx("msel", HARBOUR, "--format", "csv")
    rows = list(csv.reader(io.StringIO(exported.stdout, newline="")))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    header = ["MSEL #", "ID", "Time", "After", "From", "To", "TLP", "Title", "Notes", "Response", "Deadline"]
    header += ["Contingency", "Options", "Triggers", "Responsible controller"]
    wanted = ["Serial", "ID", "Time", "After", "From", "To", "TLP", "Title", "Facilitator notes", "Response"]
    columns = [rows[0].index(name) for name in [*wanted, "Deadline", "Contingency", "Decision options", "Triggers"]]
    sheet.append(header)
    for row in rows[1:]:
        sheet.append([*(row[n].removeprefix("'") or None for n in columns), "Exercise director"])
    path = tmp_path / "planner.xlsx"
    book.save(path)
    assert ttx("import", path, "-o", tmp_path / "out").returncode == 2, "no setup: the exercise is missing"
    result = ttx("import", path, "--setup", HARBOUR, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "6 injects" in result.stdout
    assert f"{path}:Sheet1!O1: column 'Responsible controller' is not read" in result.stdout.splitlines()


def test_output_files_of_msel(tmp_path: Path) -> None:
    assert ttx("msel", HARBOUR, "--format", "markdown", "-o", tmp_path / "msel.md").returncode == 0
    written = (tmp_path / "msel.md").read_text(encoding="utf-8").splitlines()
    assert "EXERCISE CONTROL MATERIAL" in written[0] and written[2].startswith("| day | phase | time | id |")
    assert ttx("msel", HARBOUR, "-o", tmp_path / "table.txt").returncode == 2, "the table is for the terminal"
    assert ttx("msel", HARBOUR, "--format", "csv", "-o", tmp_path / "msel.csv").returncode == 0
    assert (tmp_path / "msel.csv").read_bytes().startswith(b"\xef\xbb\xbfSerial,ID,Day,Time,")


def test_a_workbook_with_a_damaged_sheet_is_one_line_and_exit_2(workbook: Path, tmp_path: Path) -> None:
    import zipfile

    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off half-way through
            target.writestr(item, data)
    result = ttx("import", damaged, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{damaged}: ")


def test_a_missing_setup_sheet_or_exercise_field_is_named(workbook: Path, tmp_path: Path) -> None:
    book = load_workbook(workbook)
    del book["Phases"]
    title = next(cell.row for cell in book["Exercise"]["A"] if cell.value == "title")
    book["Exercise"][f"B{title}"] = None
    book.save(workbook)
    result = ttx("import", workbook, "-o", tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert f"{workbook}: no Phases sheet, or nothing on it: missing required field 'phases'" in lines
    assert f"{workbook}:Exercise!B{title}: exercise.title: missing required field 'title'" in lines


def test_lint_findings_are_printed_at_their_cells_and_do_not_fail(workbook: Path, tmp_path: Path) -> None:
    edit(workbook, {"MSEL": {"M4": None}, "Days": {"C3": None}})  # H1-2's questions, day 2's lead
    result = ttx("import", workbook, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        f"{workbook}:Days!A3: days[1]: day 2 has no lead working group [day-without-lead]",
        f"{workbook}:MSEL!V4: injects[H1-2].options: decision inject has no discussion questions to frame the choice "
        "[decision-without-questions]",
    ]
    assert result.stdout.splitlines()[2].endswith(", 2 lint findings")


def test_problems_on_the_setup_sheets_are_located_at_their_cells(workbook: Path, tmp_path: Path) -> None:
    edit(workbook, {"Agenda": {"C3": "25:00", "A4": "7"}, "Participants": {"D2": "MWG, NOPE"}})
    result = ttx("import", workbook, "-o", tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert (
        f"{workbook}:Agenda!C3: days[0].agenda[1].until: '25:00': hours must be 0-23; write a time of day such as '09:30'"
        in lines
    )
    assert f"{workbook}:Agenda!A4: day '7' is not on the Days sheet" in lines
    assert any(line.startswith(f"{workbook}:Participants!D2: participants[") and "'NOPE'" in line for line in lines)


def test_an_output_folder_that_cannot_be_written_is_one_line_and_exit_2(workbook: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    result = ttx("import", workbook, "-o", blocked)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"ttx import: cannot write {blocked / 'scenario.yaml'}: ")
    exported = ttx("msel", HARBOUR, "--format", "xlsx", "-o", blocked / "msel.xlsx")
    assert exported.returncode == 2
    assert exported.stderr.startswith(f"ttx msel: cannot write {blocked / 'msel.xlsx'}: ")


def test_a_bad_response_and_a_day_that_disagrees_are_reported_in_one_run(workbook: Path, tmp_path: Path) -> None:
    # R Response; H To; C Day. Row 3 is H1-2 (a decision with a response rule), row 7 is H2-2 on day 2.
    edit(workbook, {"MSEL": {"R3": "maybe", "C7": "1"}})
    result = ttx("import", workbook, "-o", tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert f"{workbook}:MSEL!R3: Response: write yes or no (true or false mean the same), not 'maybe'" in lines
    assert f"{workbook}:MSEL!C7: Day says '1' but the inject's time puts it on day 2" in result.stderr
    # also when the scenario itself does not load (an unknown cell elsewhere)
    edit(workbook, {"MSEL": {"R3": "yes", "H2": "NOPE"}})
    result = ttx("import", workbook, "-o", tmp_path / "out")
    assert f"{workbook}:MSEL!H2: injects[H1-1].to[0]: unknown cell or participant 'NOPE'" in result.stderr
    assert f"{workbook}:MSEL!C7: Day says '1' but the inject's time puts it on day 2" in result.stderr
    assert result.stderr.splitlines()[-1] == f"{workbook}: not imported, 2 problems"


def test_every_exported_response_is_on_its_drop_down_list(workbook: Path) -> None:
    book = load_workbook(workbook)
    msel, lists = book["MSEL"], book["Lists"]
    response = next(cell.column_letter for cell in msel[1] if cell.value == "Response")
    rule = next(rule for rule in msel.data_validations.dataValidation if str(rule.sqref).startswith(f"{response}2"))
    column = rule.formula1.split("!")[1].split(":")[0].strip("$").rstrip("$0123456789").strip("$")
    offered = {cell.value for cell in lists[column][1:] if cell.value}
    written = {cell.value for cell in msel[response][1:] if cell.value}
    assert written and written <= offered, (written, offered)
    assert {"yes", "no"} <= offered
    assert rule.error == "Write yes or no (true or false mean the same)."


def test_serial_and_day_are_numbers_and_every_drop_down_reaches_the_last_row_read(workbook: Path) -> None:
    msel = load_workbook(workbook)["MSEL"]
    assert [(msel["A2"].value, msel["C2"].value)] == [(1, 1)]
    assert msel["A2"].data_type == "n" and msel["C7"].value == 2
    assert {
        str(rule.sqref).split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for rule in msel.data_validations.dataValidation
    } == {"20001"}


def test_a_problem_in_the_setup_scenario_is_reported_in_its_file(tmp_path: Path) -> None:
    exported = ttx("msel", HARBOUR, "--format", "csv", "-o", tmp_path / "planner.csv")
    assert exported.returncode == 0
    text = (tmp_path / "planner.csv").read_text(encoding="utf-8-sig").replace("H1-2", "Z1-2")
    (tmp_path / "planner.csv").write_text(text, encoding="utf-8")
    result = ttx("import", tmp_path / "planner.csv", "--setup", HARBOUR, "-o", tmp_path / "out")
    assert result.returncode == 2
    lines = (HARBOUR / "scenario.yaml").read_text(encoding="utf-8").splitlines()
    guard = next(n for n, line in enumerate(lines, 1) if "responses: [H1-2]" in line)
    column = lines[guard - 1].index("H1-2") + 1
    assert (
        f"{HARBOUR / 'scenario.yaml'}:{guard}:{column}: phases[landing].guard.responses[0]: unknown inject 'H1-2': "
        "the --setup scenario's own injects are not imported"
    ) in result.stderr.splitlines(), result.stderr


def test_a_sheet_name_with_a_space_is_quoted_in_a_cell_reference(workbook: Path, tmp_path: Path) -> None:
    book = load_workbook(workbook)
    for name in book.sheetnames[1:]:
        del book[name]
    book["MSEL"]["J2"] = "PURPLE"
    book["MSEL"].title = "Planner MSEL"
    book.save(workbook)
    result = ttx("import", workbook, "--setup", HARBOUR, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.startswith(f"{workbook}:'Planner MSEL'!J2: injects[H1-1].tlp: "), result.stderr
