"""Shared fixtures: the repository root, the test data folder, its small scenario text and a file writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import DATA, HARBOUR, ROOT


@pytest.fixture
def repo_root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture
def data_dir() -> Path:
    """tests/data: scenarios and scripts written for the tests."""
    return DATA


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
def harbour() -> str:
    """The text of HARBOUR WATCH (tests/data/harbour-watch): valid and lint-clean, for tests that edit it."""
    return (HARBOUR / "scenario.yaml").read_text(encoding="utf-8")
