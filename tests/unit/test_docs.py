"""The scenario-format guide stays in step with the models, the lint rules and the CLI."""

from __future__ import annotations

from pydantic import BaseModel

from ttx.cli import build_parser
from ttx.loader.lint import RULES
from ttx.model import scenario as models

from ..helpers import ROOT

GUIDE = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_guide_explains_every_field_authors_can_write() -> None:
    missing = set()
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel:
            for name, field in value.model_fields.items():
                key = field.alias or name
                if f"`{key}`" not in GUIDE and f"{key}:" not in GUIDE:
                    missing.add(f"{value.__name__}.{key}")
    assert missing == set()


def test_guide_lists_every_lint_rule() -> None:
    assert [rule for rule in RULES if f"`{rule}`" not in GUIDE] == []


def test_readme_starts_with_the_two_commands_and_lists_every_command() -> None:
    assert README.split("```sh\n", 1)[1].startswith("make demo")
    assert "make test" in README.split("```", 3)[1]
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert [name for name in commands if f"ttx {name}" not in README] == []
