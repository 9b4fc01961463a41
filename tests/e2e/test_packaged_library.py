"""The shared frameworks/ and injects/ ship inside the wheel, and a scenario kept anywhere includes them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ttx.loader import sources
from ttx.loader.load import load_scenario
from ttx.loader.problems import ScenarioError

from ..helpers import ROOT

SHIPPED = ROOT / "scenarios" / "southern-crossing"
"""Includes ../../frameworks/bali-process.yaml and ../../injects/*.yaml."""


def outside_copy(tmp_path: Path) -> Path:
    """The shipped scenario copied where no frameworks/ or injects/ folder is above it."""
    folder = tmp_path / "planning" / "southern-crossing"
    shutil.copytree(SHIPPED, folder)
    assert not any((parent / "frameworks").is_dir() for parent in folder.parents)
    return folder


def test_the_wheel_holds_the_shared_libraries_and_a_scenario_outside_the_repository_uses_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", ROOT],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("ttx-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for name in ("frameworks/bali-process.yaml", "injects/bali-process-closing.yaml"):
            assert archive.read(f"ttx/library/{name}") == (ROOT / name).read_bytes()
        archive.extractall(tmp_path / "installed")
    folder = outside_copy(tmp_path)
    in_clone = load_scenario(folder)
    monkeypatch.setattr(sources, "PACKAGE_DIR", tmp_path / "installed" / "ttx")  # as installed from the wheel
    installed = load_scenario(folder)
    original = load_scenario(SHIPPED)
    for loaded in (in_clone, installed):
        assert [c.id for c in loaded.scenario.capabilities] == [c.id for c in original.scenario.capabilities]
        assert [p.id for p in loaded.plan.injects] == [p.id for p in original.plan.injects]
    assert {d.path for d in installed.sources.documents} >= {
        tmp_path / "installed/ttx/library/frameworks/bali-process.yaml"
    }


def test_a_library_folder_above_the_scenario_comes_before_the_packaged_copy(tmp_path: Path) -> None:
    folder = outside_copy(tmp_path)
    (tmp_path / "planning" / "frameworks").mkdir()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)  # its own frameworks/ is used, and it lacks the file
    assert "no file matches '../../frameworks/bali-process.yaml'" in str(caught.value)
