"""Text is data in spreadsheet MSELs: no cell of an exported xlsx or CSV is ever a formula, and any text reads back."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError
from ttx.spreadsheet.export import authored, to_csv, to_xlsx, workbook_of
from ttx.spreadsheet.reader import SheetError, import_msel, sheet_reference

from ..helpers import HARBOUR

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

TEXT = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["", "=", "+", "-", "@", "'", "''=", "\t", "＝", '=HYPERLINK("http://x","y")', "[", '"', "{"]),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30),
)


def harbour_with(text: str) -> dict[str, Any]:
    """HARBOUR WATCH as written, with ``text`` in the exercise title and in every text field of two injects."""
    data = authored(load_scenario(HARBOUR))
    data.pop("include", None)
    data["exercise"]["title"] = text
    first = data["injects"][0]
    for key in ("title", "body", "from", "facilitator_notes"):
        first[key] = text
    first["questions"] = [text, "Second question"]
    first["expected_actions"] = [text]
    decision = next(inject for inject in data["injects"] if inject.get("options"))
    decision["options"][0]["label"] = text
    return data


def formula_cells(workbook: bytes) -> list[str]:
    """Cells stored as formulas, read from the sheets' XML as a spreadsheet would."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name):
                found.append(name)
    book = load_workbook(io.BytesIO(workbook))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{sheet.title}!{cell.coordinate}")
                elif isinstance(cell.value, str) and cell.value.startswith("=") and not cell.quotePrefix:
                    found.append(f"{sheet.title}!{cell.coordinate} would become a formula when edited")
    return found


def cell_values(workbook: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(workbook), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@given(TEXT)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_is_never_a_formula_in_xlsx_or_csv_and_reads_back_the_same(text: str) -> None:
    assume(text.strip() and "{{" not in text)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "scenario").mkdir()
        (root / "scenario" / "scenario.yaml").write_text(
            yaml.safe_dump(harbour_with(text), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        try:
            loaded = load_scenario(root / "scenario")
        except ScenarioError:
            assume(False)  # text the scenario format itself refuses (e.g. a label the model rejects)
            return
        workbook = workbook_of(loaded)
        xlsx, table = to_xlsx(workbook), to_csv(workbook.tables[0])

        assert formula_cells(xlsx) == []
        for row in csv.reader(io.StringIO(table, newline="")):
            for cell in row:
                assert not cell.startswith(FORMULA_START), cell

        for name, data in (("msel.xlsx", xlsx), ("msel.csv", table.encode("utf-8"))):
            source = root / name
            source.write_bytes(data)
            imported = import_msel(source, setup=root / "scenario" if name.endswith(".csv") else None)
            again = root / f"again-{name}"
            again.mkdir()
            (again / "scenario.yaml").write_text(imported.text, encoding="utf-8")
            second = workbook_of(load_scenario(again))
            if name.endswith(".xlsx"):
                assert cell_values(to_xlsx(second)) == cell_values(xlsx)
            else:
                assert to_csv(second.tables[0]) == table


HEADER = ["ID", "Time", "From", "To", "TLP", "Title", "Body", "Decision options", "Triggers", "Other", "Day"]
CELL = st.one_of(
    st.sampled_from(
        ["", "H9", "D1 09:00", "+00:30", "MWG", "all", "GREEN", "[", "{", "[1]", '{"a": 1}', "'=1", "x: y"]
    ),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
)


@given(
    st.lists(st.sampled_from([*HEADER, "Serial", "Nope", ""]), min_size=1, max_size=8),
    st.lists(st.lists(CELL, max_size=8), max_size=5),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_csv_imports_or_reports_located_problems(header: list[str], rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "msel.csv"
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *rows])
        path.write_text(buffer.getvalue(), encoding="utf-8")
        try:
            import_msel(path, setup=HARBOUR)
        except SheetError as error:
            assert error.problems
            assert all(str(problem).startswith(f"{path}:") for problem in error.problems)


@given(st.text(min_size=1, max_size=31))
def test_any_sheet_name_is_written_as_a_reference_that_gives_the_name_back(name: str) -> None:
    reference = sheet_reference(name)
    if reference == name:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", name)
    else:
        assert reference.startswith("'") and reference.endswith("'")
        assert reference[1:-1].replace("''", "'") == name
        assert "'" not in reference[1:-1].replace("''", "")
