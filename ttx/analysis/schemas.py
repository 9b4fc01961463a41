"""JSON Schemas of what ttx writes out (report, comparison, replay state, status), generated from the read models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import TypeAdapter

from ttx.analysis.comparison import Comparison
from ttx.analysis.replay_state import REPLAY_STATE
from ttx.analysis.report_model import Report
from ttx.engine.status import Status

DocumentKind = Literal["report", "compare", "replay-state", "status"]
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
REGENERATE = "make schema"

_TITLES: dict[str, tuple[str, str]] = {
    "report": ("ttx report", "ttx report SESSION --format json"),
    "compare": ("ttx report comparison", "ttx report A B --compare --format json"),
    "replay-state": ("ttx replay state", "ttx replay SESSION --at TIME --json [--as SEAT]"),
    "status": ("ttx status", "ttx status SESSION --json"),
}
"""Per kind: the schema's title, and the command that writes such documents."""

REPLAY_STATE_TEXT = "The state at a moment: the facilitator's view, or one seat's need-to-know view."


def _adapter(kind: DocumentKind) -> TypeAdapter[Any]:
    if kind == "replay-state":
        return REPLAY_STATE
    model = {"report": Report, "compare": Comparison, "status": Status}[kind]
    return TypeAdapter(model)


def document_schema(kind: DocumentKind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of output document."""
    schema = _adapter(kind).json_schema(by_alias=True)
    title, command = _TITLES[kind]
    description = schema.get("description", REPLAY_STATE_TEXT)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": title,
        "description": f"{description} Written by `{command}`.",
    }


def document_schema_text(kind: DocumentKind) -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(document_schema(kind), indent=2, ensure_ascii=False) + "\n"


def committed_document_schema_path(kind: DocumentKind) -> Path:
    """Where the committed copy of a schema lives."""
    return SCHEMA_DIR / f"{kind}.schema.json"


def parse_document(kind: DocumentKind, text: str) -> Any:
    """Parse a JSON document of this kind into its read model (raises pydantic's ValidationError)."""
    return _adapter(kind).validate_json(text)
