"""``ttx new``: a commented starter scenario that validates and lints clean."""

from __future__ import annotations

import os
import re
from importlib.resources import files
from pathlib import Path

from ttx.loader.schema import committed_schema_path
from ttx.loader.sources import SCENARIO_FILE

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ScaffoldError(Exception):
    """The starter scenario could not be created."""


def starter_text(slug: str, folder: Path) -> str:
    """The starter scenario.yaml text for a new scenario in ``folder``."""
    template = files("ttx").joinpath("templates/starter.yaml").read_text(encoding="utf-8")
    schema = Path(os.path.relpath(committed_schema_path("scenario"), folder.resolve()))
    title = slug.replace("-", " ").upper()
    return (
        template.replace("__SCHEMA__", schema.as_posix())
        .replace("__FOLDER__", folder.as_posix())
        .replace("__TITLE__", title)
    )


def scaffold(slug: str, parent: Path) -> Path:
    """Create ``parent/slug/scenario.yaml``; refuse bad slugs and existing files."""
    if not _SLUG.match(slug):
        raise ScaffoldError(f"{slug!r} is not a usable folder name: use lower-case letters, digits and '-'")
    folder = parent / slug
    target = folder / SCENARIO_FILE
    if target.exists():
        raise ScaffoldError(f"{target} already exists; choose another name")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_text(slug, folder), encoding="utf-8")
    return target
