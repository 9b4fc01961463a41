"""The committed JSON Schemas of ttx's outputs match the read models, and describe the documents ttx really writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ttx.analysis.replay_state import FacilitatorState, SeatState
from ttx.analysis.schemas import (
    DOCUMENT_KINDS,
    REGENERATE,
    committed_document_schema_path,
    document_schema_text,
    parse_document,
)
from ttx.model.read import ReadModel

from ..helpers import FERRY, FERRY_SCRIPTS, ROOT, ttx


@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_committed_schema_matches_the_read_models(kind: Any) -> None:
    path = committed_document_schema_path(kind)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing; generate it with: {REGENERATE}"
    committed = path.read_text(encoding="utf-8")
    assert committed == document_schema_text(kind), (
        f"{path.relative_to(ROOT)} is stale (the read models changed); regenerate with: {REGENERATE}"
    )


def test_make_schema_and_ttx_schema_write_every_kind() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nschema:", 1)[1].split("\n\n", 1)[0]
    for kind in DOCUMENT_KINDS:
        assert f"--kind {kind} -o ttx/schemas/{kind}.schema.json" in recipe, f"make schema does not write {kind}"
    printed = ttx("schema", "--kind", "status")
    assert printed.returncode == 0 and printed.stdout == document_schema_text("status")


def test_schemas_carry_descriptions_versions_and_aliases() -> None:
    report = json.loads(document_schema_text("report"))
    assert report["properties"]["schema"]["const"] == "ttx-report/1"
    assert report["additionalProperties"] is False
    assert "warning" not in report["required"] and report["properties"]["warning"]["type"] == "string"
    request = report["$defs"]["CoordinationRequest"]
    assert "from" in request["properties"] and "from_" not in request["properties"]
    assert request["properties"]["minutes_to_answer"]["description"].startswith("Scenario minutes")
    status = json.loads(document_schema_text("status"))
    assert status["properties"]["waiting"]["description"].startswith("Why the clock waits")
    replay = json.loads(document_schema_text("replay-state"))
    assert {ref["$ref"] for ref in replay["anyOf"]} == {"#/$defs/FacilitatorState", "#/$defs/SeatState"}


# ---------------------------------------------------------------- real documents


def _conforms(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema`` (the subset pydantic generates: $ref, anyOf, const, enum, types, properties)."""
    if "$ref" in schema:
        return _conforms(value, root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root, where)
    if "anyOf" in schema:
        tries = [_conforms(value, option, root, where) for option in schema["anyOf"]]
        return [] if any(not t for t in tries) else [f"{where}: matches no alternative ({tries})"]
    if "const" in schema and value != schema["const"]:
        return [f"{where}: {value!r} is not {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
    }
    kind = schema.get("type")
    if kind is not None:
        if not isinstance(value, kinds[kind]) or (kind in ("integer", "number") and isinstance(value, bool)):
            return [f"{where}: {value!r} is not of type {kind}"]
        if schema.get("format") == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return [f"{where}: {value!r} is not a date"]
    problems: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{where}: {key} missing" for key in schema.get("required", []) if key not in value]
        for key, item in value.items():
            if key in properties:
                problems += _conforms(item, properties[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: unexpected key {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += _conforms(item, schema["additionalProperties"], root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += _conforms(item, schema["items"], root, f"{where}[{index}]")
    return problems


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The JSON documents the CLI writes for a scripted headless run of NIGHT FERRY, per kind."""
    session = tmp_path_factory.mktemp("read-models") / "ferry.ttx"
    script = FERRY_SCRIPTS / "board-and-freeze.yaml"
    run = ttx("run", FERRY, "--session", session, "--headless", "--speed", "max", "--script", script)
    assert run.returncode == 0, run.stderr
    commands: dict[str, list[tuple[str | Path, ...]]] = {
        "report": [("report", session, "--format", "json")],
        "compare": [("report", session, session, "--compare", "--format", "json")],
        "replay-state": [
            ("replay", session, "--at", "D2 10:00", "--json"),
            ("replay", session, "--at", "D2 10:00", "--json", "--as", "XAR"),
            ("replay", session, "--at", "D2 13:00", "--json", "--as", "evaluator:1"),
        ],
        "status": [("status", session, "--json")],
    }
    found: dict[str, list[str]] = {}
    for kind, runs in commands.items():
        for args in runs:
            result = ttx(*args)
            assert result.returncode == 0, f"ttx {args}: {result.stderr}"
            found.setdefault(kind, []).append(result.stdout)
    return found


@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_real_documents_round_trip_through_their_model(kind: Any, documents: dict[str, list[str]]) -> None:
    for text in documents[kind]:
        model = parse_document(kind, text)
        assert isinstance(model, ReadModel)
        # Same keys, same order, same values: the model loses nothing and adds nothing.
        assert json.dumps(model.document()) == json.dumps(json.loads(text))


@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_real_documents_conform_to_the_committed_schema(kind: Any, documents: dict[str, list[str]]) -> None:
    schema = json.loads(committed_document_schema_path(kind).read_text(encoding="utf-8"))
    for text in documents[kind]:
        assert _conforms(json.loads(text), schema, schema) == []


def test_replay_documents_are_told_apart_by_view(documents: dict[str, list[str]]) -> None:
    facilitator, delegation, evaluator = (parse_document("replay-state", text) for text in documents["replay-state"])
    assert isinstance(facilitator, FacilitatorState)
    assert isinstance(delegation, SeatState) and delegation.requests is not None
    assert isinstance(evaluator, SeatState) and evaluator.requests is None
    assert "requests" not in json.loads(documents["replay-state"][2])


def test_the_schema_check_catches_a_wrong_document() -> None:
    schema = json.loads(document_schema_text("status"))
    assert _conforms({"exercise": 3}, schema, schema)
