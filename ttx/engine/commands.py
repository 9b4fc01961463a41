"""Commands consoles, scripts and the CLI submit; the controller validates each and turns it into events."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ttx.engine.events import Rating
from ttx.model.base import TlpLabel
from ttx.model.scenario import Channel, Option
from ttx.text import bounded


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Brief(_Command):
    """Open the briefing (ready → briefing)."""

    kind: Literal["brief"] = "brief"


class Start(_Command):
    """Start play (ready or briefing → running)."""

    kind: Literal["start"] = "start"


class Pause(_Command):
    """Stop the clock."""

    kind: Literal["pause"] = "pause"
    reason: str = ""


class Resume(_Command):
    """Run the clock again (continues at the next day's start after a day has ended)."""

    kind: Literal["resume"] = "resume"


class SetSpeed(_Command):
    """Scenario seconds per wall second; 0 runs as fast as possible."""

    kind: Literal["set_speed"] = "set_speed"
    speed: float = Field(ge=0, le=100_000)


class Jump(_Command):
    """Move the clock forward: to a scenario time, the next inject, or the next phase."""

    kind: Literal["jump"] = "jump"
    to: str
    """"next_inject", "next_phase" or a scenario time such as "D2 09:00"."""


class AdvancePhase(_Command):
    """Enter the next phase (or a named one); ``override`` passes an unmet guard, recorded as such."""

    kind: Literal["advance_phase"] = "advance_phase"
    phase: str | None = None
    override: bool = False


class EndDay(_Command):
    """End the current exercise day: pause; the next resume starts the next day."""

    kind: Literal["end_day"] = "end_day"


class ReleaseNow(_Command):
    """Release an inject now, whatever its time (not skipped ones)."""

    kind: Literal["release"] = "release"
    inject: str


class Hold(_Command):
    """Keep an inject from being released when due."""

    kind: Literal["hold"] = "hold"
    inject: str


class Unhold(_Command):
    """Let a held inject go (at once if it is already due)."""

    kind: Literal["unhold"] = "unhold"
    inject: str


class Skip(_Command):
    """Never release this inject in this session."""

    kind: Literal["skip"] = "skip"
    inject: str


class Adhoc(_Command):
    """Write and release a new inject now."""

    kind: Literal["adhoc"] = "adhoc"
    id: str | None = None
    source: str = Field(default="Exercise control", alias="from")
    to: list[str] = Field(min_length=1)
    channel: Channel = Channel.other
    tlp: TlpLabel
    title: str = Field(min_length=1)
    body: str = ""
    questions: list[str] = []
    options: list[Option] = []
    response_required: bool = False
    deadline: str | None = Field(default=None, max_length=8)
    """How long after release a response is due, "HH:MM" of scenario time (implies a required response)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ApplyDefault(_Command):
    """Take the scenario's default option for an undecided decision inject."""

    kind: Literal["apply_default"] = "apply_default"
    inject: str


class Respond(_Command):
    """A response to a released inject, with an optional decision option."""

    kind: Literal["respond"] = "respond"
    inject: str
    participant: str | None = None
    """Needed when a cell scribe responds on behalf of a delegation."""
    text: str = ""
    decision: str | None = None
    agencies: str = ""
    legal_basis: str = ""
    gaps: str = ""


HANDOVER = "handover"
"""The request kind of an inter-working-group handover: one cell hands a case or task to another."""


class SendRequest(_Command):
    """Ask another delegation or a cell for help (mutual legal assistance, information, a handover…).

    A delegation seat sends as itself; a cell's scribe sends for a delegation of its cell (with
    ``participant``) or, without it, for the cell. ``recipient`` is a delegation or a playing cell
    (delivered to its scribe and members); ``request_kind: handover`` marks an inter-working-group
    handover.
    """

    kind: Literal["request"] = "request"
    id: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_.\-]{0,39}$")
    """Request id to use (scripts name their requests so answers can refer to them); default Q<number>."""
    recipient: str
    request_kind: str = "information"
    text: str = Field(min_length=1)
    participant: str | None = None
    """Sender, when a cell scribe sends on behalf of a delegation (none: the scribe sends for its cell)."""
    inject: str | None = None


class AnswerRequest(_Command):
    """Answer a coordination request addressed to this delegation, or to a cell (by its scribe or a member)."""

    kind: Literal["answer"] = "answer"
    request: str
    text: str = Field(min_length=1)
    participant: str | None = None


class Observe(_Command):
    """An evaluator's observation."""

    kind: Literal["observe"] = "observe"
    capability: str
    task: str | None = None
    rating: Rating
    note: str = ""
    inject: str | None = None


class Note(_Command):
    """A facilitator note."""

    kind: Literal["note"] = "note"
    text: str = Field(min_length=1)


class HotWash(_Command):
    """Stop play and start the hot wash."""

    kind: Literal["hot_wash"] = "hot_wash"


class End(_Command):
    """Close the session."""

    kind: Literal["end"] = "end"
    reason: str = ""


Command = Annotated[
    Brief
    | Start
    | Pause
    | Resume
    | SetSpeed
    | Jump
    | AdvancePhase
    | EndDay
    | ReleaseNow
    | Hold
    | Unhold
    | Skip
    | Adhoc
    | ApplyDefault
    | Respond
    | SendRequest
    | AnswerRequest
    | Observe
    | Note
    | HotWash
    | End,
    Field(discriminator="kind"),
]
"""Any command."""

COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)

FACILITATOR_ONLY = frozenset(
    {
        "brief",
        "start",
        "pause",
        "resume",
        "set_speed",
        "jump",
        "advance_phase",
        "end_day",
        "release",
        "hold",
        "unhold",
        "skip",
        "adhoc",
        "apply_default",
        "note",
        "hot_wash",
        "end",
    }
)
"""Command kinds only the facilitator seat may issue."""


def unacceptable_text(command: Command) -> str | None:
    """Why one of the command's texts cannot be accepted (too long, a NUL, not UTF-8), naming the field; None if all can."""
    for name, value in command:
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str) and (why := bounded(text)) is not None:
                return f"{name.replace('_', ' ')} {why}"
    return None
