"""Shared fixtures: paths to shipped scenarios and a writer for scenario files under test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ttx.scaffold import starter_text

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(p.parent for p in (ROOT / "scenarios").glob("*/scenario.yaml"))


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a file under tmp_path (text or bytes) and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def starter(tmp_path: Path) -> str:
    """The text of a valid, lint-clean starter scenario."""
    return starter_text("test-exercise", tmp_path / "test-exercise")
