"""Headless run scripts: timed or event-triggered commands that stand in for players and control."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ttx.engine.commands import COMMAND_ADAPTER, Command
from ttx.model.time import Duration, ScenarioTime


class When(BaseModel):
    """An event that triggers a script action."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    released: str | None = None
    """When this inject is released."""
    phase: str | None = None
    """When this phase is entered."""

    @model_validator(mode="after")
    def _one(self) -> When:
        if (self.released is None) == (self.phase is None):
            raise ValueError("say either 'released: INJECT' or 'phase: PHASE'")
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

    @model_validator(mode="after")
    def _check(self) -> Action:
        if (self.at is None) == (self.when is None):
            raise ValueError("give each action either 'at' or 'when'")
        return self

    def command(self) -> Command:
        """The command, with the inject filled in from ``when.released`` for responses."""
        data = dict(self.do)
        if data.get("kind") in {"respond", "request"} and "inject" not in data and self.when and self.when.released:
            data["inject"] = self.when.released
        return COMMAND_ADAPTER.validate_python(data)

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

    @model_validator(mode="after")
    def _commands_parse(self) -> Script:
        for index, action in enumerate(self.actions):
            try:
                action.command()
            except ValueError as error:
                raise ValueError(f"actions[{index}].do: {str(error).splitlines()[0]}") from None
        return self


def describe(action: Action) -> str:
    """A short human label for an action."""
    trigger = (
        f"at {action.at}" if action.at else f"when {action.when.released or action.when.phase}" if action.when else ""
    )
    return f"{trigger}: {action.seat} {action.do.get('kind', '?')}"
