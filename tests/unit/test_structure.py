"""Import boundaries: the CLI starts without the TUI; models and loader stay free of UI and database code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ttx"
FORBIDDEN_IN_CORE = ("textual", "sqlite3", "psycopg")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


CORE_PACKAGES = ("model", "loader", "preview", "engine")
"""Packages that must stay importable without a UI or a database driver (engine: once it exists)."""


def test_core_packages_import_no_ui_or_database() -> None:
    assert (PACKAGE / "model").is_dir() and (PACKAGE / "loader").is_dir()
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_modules(path) & set(FORBIDDEN_IN_CORE))
        for package in CORE_PACKAGES
        for path in (PACKAGE / package).rglob("*.py")
    }
    assert offenders, "no core modules found"
    assert {k: v for k, v in offenders.items() if v} == {}


def test_cli_help_does_not_import_textual_or_pydantic() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from ttx.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        "print(sorted(m for m in ('textual', 'pydantic', 'yaml', 'rich', 'jinja2') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_every_module_has_a_one_line_docstring() -> None:
    missing = []
    for path in PACKAGE.rglob("*.py"):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not docstring or "\n" in docstring.split("\n\n")[0].strip():
            missing.append(str(path.relative_to(PACKAGE)))
    assert missing == []
