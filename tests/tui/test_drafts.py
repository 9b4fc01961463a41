"""Drafts live beside a session file, or in the user's state folder for a database session: never in the working folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttx.tui.drafts import Drafts, drafts_folder


def test_drafts_of_a_session_file_sit_beside_it(tmp_path: Path) -> None:
    assert drafts_folder(str(tmp_path / "bali.ttx")) == tmp_path / "bali.ttx.drafts"


def test_drafts_of_a_database_session_go_to_the_state_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    location = "postgresql://ttx:secret@db.example/ttx?session=bali-2027"
    drafts = Drafts(location, "delegation:THA")
    drafts.put("A1-1", {"text": "We will screen everyone"})
    assert drafts.folder.parent == tmp_path / "state" / "ttx" / "drafts"
    assert "secret" not in str(drafts.folder) and "postgresql" not in str(drafts.folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"], "nothing written in the working folder"
    assert Drafts(location, "delegation:THA").get("A1-1") == {"text": "We will screen everyone"}
    assert (drafts.folder.stat().st_mode & 0o777) == 0o700
