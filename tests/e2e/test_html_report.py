"""The HTML report opened in headless Chromium: it renders its tables and charts, with no network."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from ..helpers import FERRY, headless, ttx

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("chromium is not installed: `make test` installs it with apt-get (apt-get install chromium)")


def test_html_report_renders_tables_and_charts(tmp_path: Path) -> None:
    session, html = tmp_path / "s.ttx", tmp_path / "report.html"
    played = headless(FERRY, session, "board-and-freeze")
    assert played.returncode == 0, played.stderr
    reported = ttx("report", session, "--format", "html", "-o", html)
    assert reported.returncode == 0, reported.stderr
    browser = chromium()
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "After-action report / improvement plan (draft): NIGHT FERRY" in dom
    assert dom.count("<table") >= 10 and dom.count("<svg") == 3
    assert "Median time to respond per delegation" in dom and "Injects released per objective" in dom
    assert "TLP:AMBER" in dom and "Improvement plan" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 1600)
    assert len(data) > 50_000, "a blank page compresses to a few kilobytes; the report has text, tables and charts"
