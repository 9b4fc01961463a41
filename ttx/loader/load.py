"""Load a scenario folder into a validated Scenario and Plan, or fail with every located problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

from ttx.collector import collector_paused
from ttx.loader.checks import check_references
from ttx.loader.problems import Problem, ScenarioError
from ttx.loader.sources import SourceMap, read_sources
from ttx.loader.yaml_source import DEFAULT_LIMITS, Limits, NodePath, YamlDocument
from ttx.model import scenario as scenario_models
from ttx.model.base import Id
from ttx.model.countries import suggest_code
from ttx.model.plan import Plan, PlanIssue, build_plan
from ttx.model.scenario import Inject, Scenario

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass
class LoadedScenario:
    """A validated scenario with its resolved timeline and the files it came from."""

    scenario: Scenario
    plan: Plan
    sources: SourceMap

    @property
    def digest(self) -> str:
        """SHA-256 of the source files."""
        return self.sources.digest()


def load_scenario(path: Path, limits: Limits = DEFAULT_LIMITS) -> LoadedScenario:
    """Read, validate and cross-check a scenario folder (or its scenario.yaml).

    Raises:
        ScenarioError: every problem found, each as ``file:line:col: where: message``.
    """
    with collector_paused():
        return _load(path, limits)


def _load(path: Path, limits: Limits) -> LoadedScenario:
    data, sources = read_sources(path, limits)
    problems: list[Problem] = []
    blocked: set[NodePath] = set()
    data = _substitute_variables(data, sources, problems, limits, blocked)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems.extend(_pydantic_problems(error, data, sources, Scenario, frozenset(blocked)))
        problems.extend(_located(issue, data, sources) for issue in _check_valid_parts(data))
        raise ScenarioError(problems) from None
    from ttx.loader.lint import unknown_ignored_rules  # lint builds on this module

    issues = [*check_references(scenario), *unknown_ignored_rules(scenario)]
    if not issues:
        scenario = _in_scope(scenario, sources)
    scenario = scenario.with_groups_expanded()
    plan, plan_issues = (None, []) if issues else build_plan(scenario)
    problems.extend(_located(issue, data, sources) for issue in [*issues, *plan_issues])
    if problems or plan is None:
        raise ScenarioError(problems)
    return LoadedScenario(scenario, plan, sources)


def _in_scope(scenario: Scenario, sources: SourceMap) -> Scenario:
    """The scenario with only its in-scope capabilities, and the source map following it.

    Out-of-scope capabilities are checked like the others, then left out of everything that
    reads the loaded scenario: lint, the evaluators' guide, ratings and the report.
    """
    left_out = scenario.out_of_scope()
    if left_out:
        origins = sources.origins.get("capabilities", [])
        sources.origins["capabilities"] = [
            origin
            for origin, capability in zip(origins, scenario.capabilities, strict=True)
            if capability.id not in left_out
        ]
    return scenario.in_scope()


ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_document(model: type[ModelT], document: YamlDocument) -> ModelT:
    """Validate one YAML document against a model, with every error located in the file.

    Raises:
        ScenarioError: the located problems.
    """
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        raise ScenarioError(_pydantic_problems(error, document.data, SourceMap(document), model)) from None


SECTIONS: dict[str, type[BaseModel]] = {
    "objectives": scenario_models.Objective,
    "capabilities": scenario_models.Capability,
    "cells": scenario_models.Cell,
    "participants": scenario_models.Participant,
    "days": scenario_models.Day,
    "phases": scenario_models.Phase,
    "injects": Inject,
}
"""List sections whose items are cross-checked one by one when the scenario as a whole is invalid."""


def _check_valid_parts(data: dict[str, Any]) -> list[PlanIssue]:
    """Cross-check the items that are valid on their own when others are broken.

    Lets one run report both a malformed item and, say, an unknown cell named in another one.
    """
    kept: dict[str, list[Any]] = {}
    positions: dict[str, list[int]] = {}
    others: dict[str, frozenset[str]] = {}
    for section, model in SECTIONS.items():
        raw = data.get(section)
        items = raw if isinstance(raw, list) else []
        adapter: TypeAdapter[Any] = TypeAdapter(model)
        kept[section], positions[section] = [], []
        broken: set[str] = set()
        for position, item in enumerate(items):
            try:
                kept[section].append(adapter.validate_python(item))
                positions[section].append(position)
            except ValidationError:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    broken.add(item["id"])
                    if section == "participants" and (code := suggest_code(item["id"], str(item.get("name", "")))):
                        broken.add(code)  # "THL, did you mean THA?": injects already naming THA are not also wrong
                elif isinstance(item, dict) and section == "days" and isinstance(item.get("day"), int | str):
                    broken.add(str(item["day"]))  # a broken day is still a day: phases played on it are fine
        others[section] = frozenset(broken)
    groups, groups_valid = _valid_groups(data.get("groups"))
    try:
        scope = scenario_models.Scope.model_validate(data.get("scope") or {})
    except ValidationError:
        scope = scenario_models.Scope()
    partial = Scenario.model_construct(
        exercise=cast(Any, None),  # not read by the cross-reference checks
        objectives=kept["objectives"],
        capabilities=kept["capabilities"],
        cells=kept["cells"],
        participants=kept["participants"],
        days=kept["days"],
        phases=kept["phases"],
        injects=kept["injects"],
        groups=groups,
        scope=scope,
    )
    issues: list[PlanIssue] = []
    for path, message in check_references(partial, others):
        if path[:1] == ("groups",) and not groups_valid:
            continue  # the malformed groups are reported by validation; their names alone are kept
        if len(path) >= 2 and path[0] in positions and isinstance(path[1], int):
            path = (path[0], positions[str(path[0])][path[1]], *path[2:])
        issues.append((path, message))
    return issues


def _valid_groups(raw: Any) -> tuple[dict[str, list[str]], bool]:
    """The groups as written and whether they are well formed; malformed, their names alone (so that names
    used in 'to' are not also reported as unknown)."""
    try:
        return TypeAdapter(dict[Id, list[Id]]).validate_python(raw or {}), True
    except ValidationError:
        return ({str(name): [] for name in raw} if isinstance(raw, dict) else {}), False


def describe_path(path: NodePath, data: Any) -> str:
    """Human path into the data: ``injects[A1-5].options[0].release`` (list items by id when they have one)."""
    text = ""
    node = data
    for key in path:
        if isinstance(key, int):
            item = node[key] if isinstance(node, list) and 0 <= key < len(node) else None
            label = item.get("id") if isinstance(item, dict) else None
            text += f"[{label}]" if isinstance(label, str) and label else f"[{key}]"
            node = item
        else:
            text += f".{key}" if text else key
            node = node.get(key) if isinstance(node, dict) else None
    return text


def _located(issue: PlanIssue, data: Any, sources: SourceMap) -> Problem:
    path, message = issue
    first = _first_of_duplicate(path, message, data)
    if first is not None:
        message = f"{message}; first defined at {sources.locate(first)}"
    return Problem(sources.locate(path), describe_path(path, data), message)


def _first_of_duplicate(path: NodePath, message: str, data: Any) -> NodePath | None:
    """For a duplicate id, where the id was first written (perhaps in another file)."""
    if not message.startswith("duplicate ") or len(path) != 3 or path[2] != "id" or not isinstance(path[1], int):
        return None
    items = data.get(str(path[0])) if isinstance(data, dict) else None
    if not isinstance(items, list) or not 0 <= path[1] < len(items) or not isinstance(items[path[1]], dict):
        return None
    wanted = items[path[1]].get("id")
    for index, item in enumerate(items[: path[1]]):
        if isinstance(item, dict) and item.get("id") == wanted:
            return (path[0], index, "id")
    return None


def _substitute_variables(
    data: dict[str, Any],
    sources: SourceMap,
    problems: list[Problem],
    limits: Limits = DEFAULT_LIMITS,
    blocked: set[NodePath] | None = None,
) -> dict[str, Any]:
    """Replace every {{ name }}; ``blocked`` collects the paths that use a variable which is not text.

    Such a variable is reported once, where it is defined: the places that use it are left as written
    and their own errors are not reported (they would only repeat it).
    """
    variables = data.get("variables")
    if not isinstance(variables, dict):
        variables = {}
    values = {str(k): v for k, v in variables.items() if isinstance(v, str)}
    not_text = {str(k) for k, v in variables.items() if not isinstance(v, str)}
    blocked = set() if blocked is None else blocked
    budget = [limits.max_bytes]
    """Characters variables may still add: substitution never grows a scenario past --max-size."""

    def walk(value: Any, path: NodePath) -> Any:
        if isinstance(value, str) and "{{" in value:

            def replace(match: re.Match[str]) -> str:
                name = match.group(1)
                if name in not_text:
                    blocked.add(path)
                    return match.group(0)
                if name in values:
                    budget[0] -= len(values[name])
                    if budget[0] < 0:
                        if budget[0] + len(values[name]) >= 0:  # report once, where the limit was crossed
                            problems.append(
                                Problem(
                                    sources.locate(path),
                                    describe_path(path, data),
                                    f"variables expand the scenario past the {limits.max_bytes:,}-byte limit "
                                    "(--max-size); use shorter variables or fewer uses",
                                )
                            )
                        return match.group(0)
                    return values[name]
                known = ", ".join(sorted(values)) or "none defined"
                problems.append(
                    Problem(
                        sources.locate(path),
                        describe_path(path, data),
                        f"unknown variable {{{{ {name} }}}} (variables: {known})",
                    )
                )
                return match.group(0)

            return _VARIABLE.sub(replace, value)
        if isinstance(value, list):
            return [walk(item, (*path, index)) for index, item in enumerate(value)]
        if isinstance(value, dict):
            return {key: walk(item, (*path, key)) for key, item in value.items()}
        return value

    return {key: value if key in ("variables", "include") else walk(value, (key,)) for key, value in data.items()}


@cache
def _field_names(model: type[BaseModel]) -> tuple[str, ...]:
    """The field names of ``model`` and of every model nested in it: what a misspelt field may have meant."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    pending: list[Any] = [model]
    while pending:
        kind = pending.pop()
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            if kind in seen:
                continue
            seen.add(kind)
            for name, info in kind.model_fields.items():
                names.add(info.alias or name)
                pending.append(info.annotation)
        else:
            pending.extend(get_args(kind))
    return tuple(sorted(names))


def _pydantic_problems(
    error: ValidationError,
    data: Any,
    sources: SourceMap,
    model: type[BaseModel],
    blocked: frozenset[NodePath] = frozenset(),
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[NodePath, str]] = set()
    for item in error.errors(include_url=False):
        path: NodePath = tuple(key for key in item["loc"] if isinstance(key, str | int))
        path = _trim_to_data(path, data)
        if any(path[: len(used)] == used or used[: len(path)] == path for used in blocked):
            continue  # a value written with a variable that is not text: reported at the variable
        message = _message(item, path, model, sources)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        problems.append(Problem(sources.locate(path), describe_path(path, data), message))
    return problems


def _trim_to_data(path: NodePath, data: Any) -> NodePath:
    """Keep the keys of a pydantic loc that address the data; drop union and validator labels."""
    kept: list[str | int] = []
    node = data
    for key in path:
        if isinstance(node, dict) and isinstance(key, str):
            kept.append(key)
            if key not in node:
                break  # a missing key: located at its parent mapping
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            kept.append(key)
            node = node[key]
    return tuple(kept)


def _message(item: Any, path: NodePath, model: type[BaseModel], sources: SourceMap) -> str:
    kind = item["type"]
    field = path[-1] if path else ""
    if kind == "missing":
        return f"missing required field {field!r}"
    if kind == "extra_forbidden":
        close = get_close_matches(str(field), _field_names(model), n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        written_alone = " " in str(field) or sources.in_flow_mapping(path)
        if not close and item.get("input") is None and written_alone:
            hint = f'; a comma inside {{…}} ends the value before it: quote the whole text, "…, {field}"'
        return f"unknown field {field!r}{hint}"
    message = str(item["msg"])
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "string_type" and len(path) == 2 and path[0] == "variables" and isinstance(item.get("input"), list):
        return (
            "a variable holds text, not a list; for a list of cells and participants declare a group "
            f"('groups: {{{field}: [...]}}') and write its name in 'to'"
        )
    if kind in {"string_type", "list_type", "dict_type", "model_type", "model_attributes_type"}:
        got = item.get("input")
        shown = (
            "nothing"
            if got is None
            else type(got).__name__.replace("str", "text").replace("dict", "a mapping").replace("list", "a list")
        )
        want = {
            "string_type": "text",
            "list_type": "a list",
            "dict_type": "a mapping",
            "model_type": "a mapping",
            "model_attributes_type": "a mapping",
        }[kind]
        return f"expected {want}, got {shown}"
    if kind == "enum" and isinstance(item.get("input"), str):
        choices = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected", "")))
        close = get_close_matches(item["input"], choices, n=1, cutoff=0.6)
        if close:
            message += f"; did you mean {close[0]!r}?"
    if kind in {"int_parsing", "int_from_float"}:
        return f"expected a whole number, got {item.get('input')!r}"
    if kind == "bool_parsing":
        return f"expected true or false, got {item.get('input')!r}"
    return message[:1].lower() + message[1:]
