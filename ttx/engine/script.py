"""Headless run scripts: timed or event-triggered commands that stand in for players and control."""

from __future__ import annotations

from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ttx.engine.commands import COMMAND_ADAPTER, Command
from ttx.loader.load import describe_path, validate_document
from ttx.loader.problems import Problem, ScenarioError
from ttx.loader.yaml_source import YamlDocument, read_yaml
from ttx.model.plan import Plan
from ttx.model.scenario import Scenario
from ttx.model.time import Duration, ScenarioTime


def _offset_text(value: object) -> object:
    """Accept "+00:30" (as inject times write offsets) as well as "00:30"."""
    return value.strip().removeprefix("+") if isinstance(value, str) else value


class When(BaseModel):
    """An event that triggers a script action."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    released: str | None = None
    """When this inject is released."""
    phase: str | None = None
    """When this phase is entered."""
    after: Annotated[Duration | None, BeforeValidator(_offset_text)] = None
    """With 'released': act this much scenario time after the release, "+00:30"."""

    @model_validator(mode="after")
    def _one(self) -> When:
        if (self.released is None) == (self.phase is None):
            raise ValueError("say either 'released: INJECT' or 'phase: PHASE'")
        if self.after is not None and self.released is None:
            raise ValueError("'after' counts from a release: write 'released: INJECT' with it")
        return self


class Action(BaseModel):
    """One scripted step: at a scenario time or on an event, a seat submits a command."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    at: ScenarioTime | None = None
    """Scenario time to act at, e.g. "D2 10:00"."""
    when: When | None = None
    """Event to act on."""
    seat: str = Field(default="facilitator", alias="as")
    """Who acts: a delegation id ("THA"), a seat id ("scribe:DWG", "evaluator:1") or "facilitator"."""
    do: dict[str, Any]
    """The command, as in `ttx submit --json`: {kind: respond, decision: rescue, text: ...}."""
    resume_after: Duration | None = None
    """With a pause: resume after this much wall time (not waited for at --speed max)."""

    @field_validator("do")
    @classmethod
    def _command_parses(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        when = info.data.get("when")
        filled = _filled(value, when)
        if "when" not in info.data and filled.get("kind") in {"respond", "request"} and "inject" not in filled:
            filled["inject"] = ""  # 'when' is wrong (and reported): the inject it names is not missing too
        try:
            COMMAND_ADAPTER.validate_python(filled)
        except ValidationError as error:
            raise ValueError(
                "; ".join(_command_problem(item, value) for item in error.errors(include_url=False))
            ) from None
        return value

    @model_validator(mode="after")
    def _check(self) -> Action:
        if (self.at is None) == (self.when is None):
            raise ValueError("give each action either 'at' or 'when'")
        return self

    def command(self) -> Command:
        """The command, with the inject filled in from ``when.released`` for responses."""
        return COMMAND_ADAPTER.validate_python(_filled(self.do, self.when))

    def command_inject(self) -> str | None:
        """The inject the command names (or takes from ``when: {released: ...}``), if any."""
        value = _filled(self.do, self.when).get("inject")
        return str(value) if value is not None else None

    def seat_id(self) -> str:
        """The seat id the command is submitted from."""
        if ":" in self.seat or self.seat == "facilitator":
            return self.seat
        return f"delegation:{self.seat}"


class Script(BaseModel):
    """A headless run script."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    """What this script plays out (e.g. which branches it takes)."""
    actions: list[Action] = []
    """The steps, in any order; timed ones run in time order."""


def _filled(do: dict[str, Any], when: When | None) -> dict[str, Any]:
    """A command's data with the inject taken from ``when: {released: ID}`` for responses and requests."""
    data = dict(do)
    if data.get("kind") in {"respond", "request"} and "inject" not in data and when is not None and when.released:
        data["inject"] = when.released
    return data


def _kinds() -> dict[str, set[str]]:
    """Command kind → the fields it takes."""
    union = get_args(get_args(Command)[0])
    return {model.model_fields["kind"].default: set(model.model_fields) for model in union}


def _command_problem(item: Any, do: dict[str, Any]) -> str:
    """One readable sentence for one error in a scripted command."""
    kinds = _kinds()
    kind = do.get("kind")
    if item["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        if kind is None:
            return f"missing 'kind'; write one of: {', '.join(sorted(kinds))}"
        close = get_close_matches(str(kind), kinds, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; write one of: {', '.join(sorted(kinds))}"
        return f"unknown command kind {kind!r}{hint}"
    loc = [str(key) for key in item["loc"]]
    if loc and loc[0] == kind:
        loc = loc[1:]
    field = ".".join(loc)
    if item["type"] == "extra_forbidden":
        close = get_close_matches(loc[-1], kinds.get(str(kind), set()), n=1, cutoff=0.6) if loc else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{kind} takes no field {field!r}{hint}"
    if item["type"] == "missing":
        return f"{kind} needs {field!r}"
    message = str(item["msg"]).removeprefix("Value error, ")
    return f"{field}: {message}" if field else message


def describe(action: Action) -> str:
    """A short human label for an action."""
    trigger = (
        f"at {action.at}"
        if action.at
        else f"when {action.when.released or action.when.phase}{_after(action.when)}"
        if action.when
        else ""
    )
    return f"{trigger}: {action.seat} {action.do.get('kind', '?')}"


def _after(when: When) -> str:
    return f" +{when.after}" if when.after is not None else ""


ScriptIssue = tuple[tuple[str | int, ...], str]
"""A problem in a script against its scenario: the path in the script data, and the message."""


def _unknown(kind: str, value: str, known: set[str]) -> str:
    close = get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f"unknown {kind} {value!r}" + (f"; did you mean {close[0]!r}?" if close else "")


def check_script(script: Script, scenario: Scenario, plan: Plan | None = None) -> list[ScriptIssue]:
    """What in a valid script cannot work on this scenario: unknown injects, phases, seats and options, and
    (given the scenario's plan) a seat responding to an inject it does not receive.

    Caught before the run, these would otherwise be commands the controller rejects (or actions that
    never happen) in the middle of it.
    """
    adhoc = {
        str(action.do["id"]) for action in script.actions if action.do.get("kind") == "adhoc" and action.do.get("id")
    }
    return _check_actions(list(enumerate(script.actions)), adhoc, scenario, plan)


def _check_actions(
    actions: list[tuple[int, Action]], adhoc: set[str], scenario: Scenario, plan: Plan | None
) -> list[ScriptIssue]:
    injects = {inject.id: inject for inject in scenario.injects}
    inject_ids = set(injects) | adhoc
    phases = {phase.id for phase in scenario.phases}
    cells = {cell.id for cell in scenario.cells}
    participants = {participant.id for participant in scenario.participants}
    issues: list[ScriptIssue] = []
    for index, action in actions:
        here: tuple[str | int, ...] = ("actions", index)
        if action.when is not None and action.when.released and action.when.released not in inject_ids:
            issues.append(((*here, "when", "released"), _unknown("inject", action.when.released, inject_ids)))
        if action.when is not None and action.when.phase and action.when.phase not in phases:
            issues.append(((*here, "when", "phase"), _unknown("phase", action.when.phase, phases)))
        seat = action.seat
        role, _, who = seat.partition(":") if ":" in seat else ("delegation", ":", seat)
        seat_known = False
        if seat != "facilitator":
            known = {"delegation": participants, "scribe": cells}.get(role)
            if known is not None and who not in known:
                kind = "delegation" if role == "delegation" else "cell"
                issues.append(((*here, "as"), _unknown(kind, who, known)))
            elif role not in {"delegation", "scribe", "evaluator"}:
                issues.append(
                    (
                        (*here, "as"),
                        f"unknown seat {seat!r}; write a delegation id, scribe:CELL, evaluator:N or facilitator",
                    )
                )
            else:
                seat_known = role in {"delegation", "scribe"}
        kind_of_command = action.do.get("kind")
        target = action.command_inject()
        if target is not None and "inject" in action.do and target not in inject_ids:
            issues.append(((*here, "do", "inject"), _unknown("inject", target, inject_ids)))
        if kind_of_command == "advance_phase":
            phase = action.do.get("phase")
            if phase is not None and str(phase) not in phases:
                issues.append(((*here, "do", "phase"), _unknown("phase", str(phase), phases)))
        planned = plan.by_id.get(target) if plan is not None and target is not None else None
        if seat_known and planned is not None and kind_of_command in {"respond", "request"}:
            receivers = planned.participants if role == "delegation" else planned.cells
            if who not in receivers:
                sent = ", ".join(sorted(planned.cells | planned.participants))
                what = who if role == "delegation" else f"cell {who}"
                issues.append(((*here, "as"), f"{what} does not receive {target} (it goes to {sent})"))
        decision = action.do.get("decision")
        if kind_of_command == "respond" and decision is not None and target in injects:
            options = {option.id for option in injects[target].options}
            if decision not in options:
                listed = ", ".join(sorted(options)) or "it has none"
                close = get_close_matches(str(decision), sorted(options), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                message = f"{decision!r} is not an option of {target}{hint} (options: {listed})"
                issues.append(((*here, "do", "decision"), message))
    return issues


def load_script(path: Path, scenario: Scenario | None = None, plan: Plan | None = None) -> tuple[Script, YamlDocument]:
    """Read and check a script (against its scenario when given); every problem located at once.

    A mistake in one action's form does not hide what the other actions get wrong about the scenario.

    Raises:
        ScenarioError: the located problems.
    """
    document = read_yaml(path)
    try:
        script = validate_document(Script, document)
    except ScenarioError as error:
        if scenario is None:
            raise
        issues = _check_actions(*_valid_actions(document.data), scenario, plan)
        raise ScenarioError([*error.problems, *_located(issues, document)]) from None
    if scenario is not None:
        problems = _located(check_script(script, scenario, plan), document)
        if problems:
            raise ScenarioError(problems)
    return script, document


def _located(issues: list[ScriptIssue], document: YamlDocument) -> list[Problem]:
    return [Problem(document.locate(where), describe_path(where, document.data), message) for where, message in issues]


def _valid_actions(data: Any) -> tuple[list[tuple[int, Action]], set[str]]:
    """The actions of a script that is not valid as a whole which are valid on their own (by position), and
    the ad-hoc inject ids the script names."""
    raw = data.get("actions") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return [], set()
    actions: list[tuple[int, Action]] = []
    adhoc: set[str] = set()
    for index, item in enumerate(raw):
        do = item.get("do") if isinstance(item, dict) else None
        if isinstance(do, dict) and do.get("kind") == "adhoc" and isinstance(do.get("id"), str):
            adhoc.add(do["id"])
        try:
            actions.append((index, Action.model_validate(item)))
        except ValidationError:
            continue
    return actions, adhoc
