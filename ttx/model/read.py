"""The base of the read models ttx writes out (report, comparison, replay state, status), and its JSON rendering."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ttx.text import json_text


class ReadModel(BaseModel):
    """Frozen, strict-keyed output document: unknown keys are errors, docstrings become schema text.

    Keys that are not Python names (``from``, ``schema``) are fields with an alias; documents are
    always written with the aliases.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    def document(self) -> dict[str, Any]:
        """The model as plain JSON data, keys in field order."""
        return self.model_dump(mode="json")

    def to_json(self, *, ensure_ascii: bool = False) -> str:
        """The document as indented JSON text (no trailing newline)."""
        if ensure_ascii:
            return json_text(json.dumps(self.document(), indent=2, ensure_ascii=True))
        # pydantic-core writes the same text as json.dumps(indent=2), several times faster on big reports
        return json_text(self.model_dump_json(indent=2))


def _is_none(value: object) -> bool:
    return value is None


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent_when_none() -> Any:
    """A field default: ``None``, and then the key is left out of the document (and is optional in its schema).

    Annotate the field ``T | SkipJsonSchema[None]`` so its schema shows only ``T``.
    """
    return Field(default=None, exclude_if=_is_none, json_schema_extra=_no_default)
