"""A workbook whose parts held whole in memory (shared strings, styles, ...) are too large is refused before it is read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ttx.loader.load import load_scenario
from ttx.loader.yaml_source import Limits
from ttx.spreadsheet.export import to_xlsx, workbook_of
from ttx.spreadsheet.reader import MAX_SHARED_STRINGS, MAX_STYLE_ENTRIES, SheetError, import_msel

from ..helpers import HARBOUR, ttx

MB = 2**20
ONE_MB = Limits(max_bytes=MB)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def harbour_parts() -> dict[str, bytes]:
    """The parts of HARBOUR WATCH as `ttx msel --format xlsx` writes it."""
    with zipfile.ZipFile(io.BytesIO(to_xlsx(workbook_of(load_scenario(HARBOUR))))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def shared_strings(size: int) -> bytes:
    """A shared-strings part of exactly ``size`` bytes: one long string."""
    start, end = f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode(), b"</t></si></sst>"
    return start + b"x" * (size - len(start) - len(end)) + end


def with_shared_strings(parts: dict[str, bytes], name: str, data: bytes) -> dict[str, bytes]:
    """``parts`` with a shared-strings part stored at ``name``, declared by its content type."""
    types = parts["[Content_Types].xml"].decode()
    override = f'<Override PartName="/{name}" ContentType="{SHARED_STRINGS}" />'
    return {**parts, "[Content_Types].xml": types.replace("</Types>", override + "</Types>").encode(), name: data}


def refusal(path: Path, limits: Limits) -> list[str]:
    with pytest.raises(SheetError) as caught:
        import_msel(path, limits=limits)
    return [str(problem) for problem in caught.value.problems]


def test_huge_shared_strings_are_refused_before_the_workbook_is_opened(tmp_path: Path) -> None:
    path = write(
        tmp_path / "msel.xlsx", with_shared_strings(harbour_parts(), "xl/sharedStrings.xml", shared_strings(3 * MB))
    )
    assert path.stat().st_size < MB, "the file itself is small; only its unpacked part is large"
    assert refusal(path, ONE_MB) == [
        f"{path}: the workbook's shared strings unpack to 3 MB; the limit is 1 MB (--max-size)"
    ]


def test_a_part_is_known_by_its_content_type_not_its_name(tmp_path: Path) -> None:
    parts = with_shared_strings(harbour_parts(), "xl/notes.bin", shared_strings(3 * MB))
    path = write(tmp_path / "msel.xlsx", parts)
    assert refusal(path, ONE_MB) == [
        f"{path}: the workbook's shared strings unpack to 3 MB; the limit is 1 MB (--max-size)"
    ]
    parts = harbour_parts()
    parts["xl/other.xml"] = parts.pop("xl/styles.xml") + b" " * (2 * MB)
    types = parts["[Content_Types].xml"].decode().replace('PartName="/xl/styles.xml"', 'PartName="/XL/Other.xml"')
    parts["[Content_Types].xml"] = types.encode()
    path = write(tmp_path / "renamed.xml.xlsx", parts)
    assert refusal(path, ONE_MB) == [f"{path}: the workbook's styles unpack to 2 MB; the limit is 1 MB (--max-size)"]


def test_a_part_declared_a_worksheet_too_is_still_bounded(tmp_path: Path) -> None:
    worksheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    parts = with_shared_strings(harbour_parts(), "xl/sharedStrings.xml", shared_strings(3 * MB))
    types = parts["[Content_Types].xml"].decode()
    first = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{worksheet}" />'
    parts["[Content_Types].xml"] = types.replace("<Override ", first + "<Override ", 1).encode()
    path = write(tmp_path / "twice.xlsx", parts)
    assert refusal(path, ONE_MB) == [
        f"{path}: the workbook's shared strings unpack to 3 MB; the limit is 1 MB (--max-size)"
    ]
    parts = harbour_parts()
    parts["xl/workbook.xml"] += b" " * (2 * MB)
    types = parts["[Content_Types].xml"].decode().replace("spreadsheetml.sheet.main+xml", "spreadsheetml.worksheet+xml")
    parts["[Content_Types].xml"] = types.encode()
    path = write(tmp_path / "workbook.xlsx", parts)
    assert refusal(path, ONE_MB) == [
        f'{path}: the workbook\'s part "xl/workbook.xml" unpacks to 2 MB; the limit is 1 MB (--max-size)'
    ]


def test_any_part_but_a_worksheet_is_bounded_and_a_large_worksheet_still_imports(tmp_path: Path) -> None:
    parts = harbour_parts()
    parts["xl/theme/theme1.xml"] += b" " * (2 * MB)
    path = write(tmp_path / "theme.xlsx", parts)
    assert refusal(path, ONE_MB) == [
        f'{path}: the workbook\'s part "xl/theme/theme1.xml" unpacks to 2 MB; the limit is 1 MB (--max-size)'
    ]
    parts = harbour_parts()
    parts["xl/worksheets/sheet1.xml"] += b"<!--" + b" " * (2 * MB) + b"-->"
    imported = import_msel(write(tmp_path / "sheet.xlsx", parts), limits=ONE_MB)
    assert len(imported.loaded.plan.injects) == 6


def test_too_many_shared_strings_or_styles_are_refused(tmp_path: Path) -> None:
    many = f'<sst xmlns="{MAIN}">'.encode() + b"<si/>" * (MAX_SHARED_STRINGS + 1) + b"</sst>"
    path = write(tmp_path / "strings.xlsx", with_shared_strings(harbour_parts(), "xl/sharedStrings.xml", many))
    assert refusal(path, Limits()) == [
        f"{path}: the workbook's shared strings have more than {MAX_SHARED_STRINGS:,} entries; split the MSEL"
    ]
    parts = harbour_parts()
    parts["xl/styles.xml"] = parts["xl/styles.xml"].replace(b"</cellXfs>", b"<xf/>" * MAX_STYLE_ENTRIES + b"</cellXfs>")
    path = write(tmp_path / "styles.xlsx", parts)
    assert refusal(path, Limits()) == [
        f"{path}: the workbook's styles have more than {MAX_STYLE_ENTRIES:,} entries; "
        "save it again with the unused cell styles removed"
    ]


def test_damaged_or_missing_content_types_are_one_line(tmp_path: Path) -> None:
    parts = harbour_parts()
    parts["[Content_Types].xml"] = b"<Types><Override"
    path = write(tmp_path / "damaged.xlsx", parts)
    [line] = refusal(path, Limits())
    assert line.startswith(f"{path}: not an xlsx workbook (ExpatError: ")
    del parts["[Content_Types].xml"]
    path = write(tmp_path / "missing.xlsx", parts)
    assert refusal(path, Limits()) == [f"{path}: not an xlsx workbook (no [Content_Types].xml)"]


def test_the_command_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "msel.xlsx", with_shared_strings(harbour_parts(), "xl/strings.dat", shared_strings(3 * MB)))
    out = tmp_path / "out"
    result = ttx("import", path, "-o", out, "--max-size", "1")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{path}: the workbook's shared strings unpack to 3 MB; the limit is 1 MB (--max-size)",
        f"{path}: not imported, 1 problem",
    ]
    assert not out.exists()
