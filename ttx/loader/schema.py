"""JSON Schema of scenario and inject-library files, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from ttx.model.scenario import InjectFile, Scenario

SchemaKind = Literal["scenario", "injects"]
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
REGENERATE = (
    "ttx schema -o ttx/schemas/scenario.schema.json && ttx schema --kind injects -o ttx/schemas/injects.schema.json"
)


def schema_for(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for a scenario.yaml or an inject library file."""
    model = Scenario if kind == "scenario" else InjectFile
    schema = model.model_json_schema(by_alias=True)
    title = "ttx scenario" if kind == "scenario" else "ttx inject library"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}


def schema_text(kind: SchemaKind) -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"


def committed_schema_path(kind: SchemaKind) -> Path:
    """Where the committed copy of a schema lives."""
    return SCHEMA_DIR / f"{kind}.schema.json"
