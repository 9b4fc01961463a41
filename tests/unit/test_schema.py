"""The committed JSON Schemas match the models, and describe what authors write."""

from __future__ import annotations

import json

import pytest

from ttx.loader.schema import REGENERATE, committed_schema_path, schema_text


@pytest.mark.parametrize("kind", ["scenario", "injects"])
def test_committed_schema_matches_the_models(kind: str) -> None:
    committed = committed_schema_path(kind).read_text(encoding="utf-8")  # type: ignore[arg-type]
    assert committed == schema_text(kind), f"ttx/schemas/{kind}.schema.json is stale; regenerate with: {REGENERATE}"  # type: ignore[arg-type]


def test_schema_carries_field_descriptions_and_the_from_alias() -> None:
    schema = json.loads(schema_text("scenario"))
    inject = schema["$defs"]["Inject"]
    assert "from" in inject["properties"] and "source" not in inject["properties"]
    assert inject["properties"]["tlp"]["description"].startswith("TLP label")
    assert inject["additionalProperties"] is False
    assert set(schema["required"]) >= {"exercise", "objectives", "cells", "days", "phases"}
