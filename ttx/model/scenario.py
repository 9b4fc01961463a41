"""Pydantic models of what authors write: exercise, objectives, cells, participants, days, phases, injects."""

from __future__ import annotations

import datetime as dt
import itertools
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, PrivateAttr, WithJsonSchema, field_validator, model_validator

from ttx.model.base import ID_PATTERN, ClockTime, Id, Model, TlpLabel
from ttx.model.countries import COUNTRIES, code_for_name, country_name, suggest_code, user_assigned
from ttx.model.time import DeadlineField, ScenarioTime, TimeSpecField

ALL = "all"
"""The ``to:`` value that addresses every participant."""


class Exercise(Model):
    """Who runs the exercise, what it is called and how its material is handled."""

    title: str = Field(min_length=1)
    """Exercise name as printed on every screen and report, e.g. "MONSOON DRIFT"."""
    version: str = "1"
    """Version of this scenario text; bump it when the scenario changes."""
    summary: str = ""
    """A paragraph on the scenario for the exercise overview (Markdown)."""
    scope: str = ""
    """What the exercise covers and what it leaves out (Markdown)."""
    sponsor: str = ""
    """Organisation that sponsors the exercise."""
    co_chairs: list[str] = []
    """Co-chairs of the exercise, as they should be named in the report."""
    point_of_contact: str = ""
    """Name and contact of the exercise planning lead (fictional in shipped scenarios)."""
    tlp: TlpLabel
    """Handling label of the exercise as a whole: shown on every screen, export and report."""
    start_date: dt.date | None = None
    """Calendar date of Day 1 (YYYY-MM-DD), if the exercise has fixed dates."""
    timezone: str = "UTC"
    """IANA time zone for displaying wall-clock times, e.g. "Asia/Bangkok"."""
    evaluators_see_red: bool = False
    """Whether evaluator seats may see TLP:RED material during play."""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Asia/Bangkok'") from None
        return value


class Objective(Model):
    """An exercise objective (what the exercise is meant to achieve)."""

    id: Id
    """Short code, e.g. "O1"."""
    title: str = Field(min_length=1)
    """The objective in one sentence."""


class Capability(Model):
    """A capability the evaluators rate, with its target and critical tasks (the EEG backbone)."""

    id: Id
    """Short code, e.g. "C1"."""
    name: str = Field(min_length=1)
    """Name of the capability."""
    objectives: list[Id] = []
    """Objectives this capability serves."""
    target: str = ""
    """Capability target: the measurable outcome evaluators look for."""
    critical_tasks: list[str] = []
    """Critical tasks, in order; they are numbered C1.1, C1.2, ... for reference from injects."""

    def task_ids(self) -> list[str]:
        """Reference ids of the critical tasks (``C1.1``, ``C1.2``, ...)."""
        return [f"{self.id}.{number}" for number in range(1, len(self.critical_tasks) + 1)]


class CellKind(StrEnum):
    """What a cell is."""

    working_group = "working_group"
    delegation = "delegation"
    simcell = "simcell"
    control = "control"
    evaluation = "evaluation"
    other = "other"


PLAYER_CELL_KINDS = frozenset({CellKind.working_group, CellKind.delegation, CellKind.other})
"""Kinds of cell whose members play (and so should receive injects)."""


class Cell(Model):
    """A group of players who receive injects together: a working-group table, SimCell, control."""

    id: Id
    """Short code, e.g. "DWG"."""
    name: str = Field(min_length=1)
    """Full name, e.g. "Disruption of criminal networks working group"."""
    kind: CellKind = CellKind.working_group
    """working_group, delegation, simcell, control, evaluation or other."""


class ParticipantKind(StrEnum):
    """What a participant is."""

    state = "state"
    io = "io"
    ngo = "ngo"
    other = "other"


class Role(StrEnum):
    """The kinds of official a delegation brings."""

    policy = "policy"
    legal = "legal"
    operational = "operational"


class Participant(Model):
    """A delegation (member state) or organisation seated in one or more cells."""

    id: Id
    """Member states: ISO 3166-1 alpha-3 code ("THA"; fictional states XAA-XZZ). Organisations: short name ("UNHCR")."""
    name: str = Field(min_length=1)
    """Display name, e.g. "Thailand"."""
    kind: ParticipantKind = ParticipantKind.state
    """state, io (international organisation), ngo or other."""
    cells: list[Id] = []
    """Cells this participant sits in."""
    roles: list[Role] = []
    """Officials in the delegation: policy, legal, operational."""

    @model_validator(mode="after")
    def _state_code(self) -> Participant:
        if self.kind is not ParticipantKind.state:
            return self
        well_formed = len(self.id) == 3 and self.id.isascii() and self.id.isalpha() and self.id.isupper()
        if well_formed and (self.id in COUNTRIES or user_assigned(self.id)):
            return self
        guess = suggest_code(self.id, self.name)
        hint = f"; did you mean {guess!r} ({country_name(guess)})?" if guess else ""
        if code_for_name(self.name) is None:  # perhaps not a real state at all
            note = "an organisation needs 'kind: io', a fictional state a code from XAA to XZZ"
            hint += f" ({note[:1].upper()}{note[1:]}.)" if hint else f"; {note}"
        if not well_formed:
            raise ValueError(f"member state id {self.id!r} must be an ISO 3166 alpha-3 code such as 'THA'{hint}")
        raise ValueError(f"member state id {self.id!r} is not an ISO 3166-1 alpha-3 code{hint}")


class AgendaKind(StrEnum):
    """Kinds of agenda item on an exercise day."""

    keynote = "keynote"
    briefing = "briefing"
    small_group = "small_group"
    panel = "panel"
    plenary = "plenary"
    hot_wash = "hot_wash"
    break_ = "break"
    other = "other"


class AgendaItem(Model):
    """One item of a day's real-world agenda."""

    time: ClockTime
    """Start, wall-clock "HH:MM" on that exercise day."""
    until: ClockTime | None = None
    """End, wall-clock "HH:MM" (optional)."""
    kind: AgendaKind = AgendaKind.other
    """keynote, briefing, small_group, panel, plenary, hot_wash, break or other."""
    title: str = Field(min_length=1)
    """What happens, e.g. "Keynote: the region's SAR arrangements"."""

    @model_validator(mode="after")
    def _ends_after_start(self) -> AgendaItem:
        if self.until is not None and self.until <= self.time:
            raise ValueError(f"agenda item ends ({self.until}) before it starts ({self.time})")
        return self


class Day(Model):
    """One real exercise day: its lead working group and agenda."""

    day: int = Field(ge=1, le=366)
    """Day number, 1-based."""
    title: str = Field(min_length=1)
    """Title of the day, e.g. "Detection and distress"."""
    lead: Id | None = None
    """Cell (working group) that leads the day."""
    agenda: list[AgendaItem] = []
    """The day's programme, in time order."""

    @field_validator("agenda")
    @classmethod
    def _agenda_in_order(cls, items: list[AgendaItem]) -> list[AgendaItem]:
        for earlier, later in itertools.pairwise(items):
            if later.time < earlier.time:
                raise ValueError(f"agenda is out of order: {later.time} comes after {earlier.time}")
        return items


class Guard(Model):
    """Conditions that must hold before the exercise may enter a phase."""

    facilitator_only: bool = False
    """Only the facilitator can move the exercise into this phase (never automatically)."""
    responses: list[Id] = []
    """Enter only once each of these injects has at least one response or decision."""


class Phase(Model):
    """A named stage of the evolving scenario, in order, with a scenario start time."""

    id: Id
    """Short id used by branches, e.g. "disembarkation"."""
    title: str = Field(min_length=1)
    """Title shown on the facilitator console."""
    start: ScenarioTime
    """Scenario time the phase starts, e.g. "D2 07:00"."""
    end: ScenarioTime | None = None
    """Scenario time the phase ends; defaults to the next phase's start. Set it on the last phase."""
    day: int | None = Field(default=None, ge=1)
    """Exercise day on which the phase is played; defaults to the day of its start time."""
    guard: Guard | None = None
    """Conditions for entering this phase."""

    @model_validator(mode="after")
    def _ends_after_start(self) -> Phase:
        if self.end is not None and self.end.minutes <= self.start.minutes:
            raise ValueError(f"phase ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def played_on(self) -> int:
        """The exercise day this phase is played on."""
        return self.day if self.day is not None else self.start.day


class Channel(StrEnum):
    """How an inject reaches the players in the fiction."""

    sitrep = "sitrep"
    email = "email"
    phone = "phone"
    radio = "radio"
    media = "media"
    social_media = "social_media"
    intelligence = "intelligence"
    diplomatic_note = "diplomatic_note"
    briefing = "briefing"
    report = "report"
    other = "other"


class Option(Model):
    """A decision option on an inject; choosing it can release injects or enter a phase."""

    id: Id
    """Short id players and scripts use, e.g. "rescue"."""
    label: str = Field(min_length=1)
    """The option as players read it."""
    default: bool = False
    """What the scenario assumes when nobody decides (at most one option per inject)."""
    release: list[Id] = []
    """Injects released when this option is chosen (branch)."""
    enter_phase: Id | None = None
    """Phase the exercise enters when this option is chosen."""


class Trigger(Model):
    """A branch that follows what players write: a keyword in any response."""

    keywords: list[str] = Field(min_length=1)
    """Words or phrases; any response containing one (case does not matter) fires the branch."""
    release: list[Id] = []
    """Injects released when the trigger fires."""
    enter_phase: Id | None = None
    """Phase the exercise enters when the trigger fires."""

    @model_validator(mode="after")
    def _does_something(self) -> Trigger:
        if not self.release and self.enter_phase is None:
            raise ValueError("a trigger needs 'release' or 'enter_phase'")
        return self


class AnswerBy(StrEnum):
    """Whose answer a required inject needs."""

    cell = "cell"
    """One answer per addressed cell (any member, or its scribe); delegations named directly answer for themselves."""
    each = "each"
    """One answer from each delegation that receives the inject."""
    any = "any"
    """One answer from any receiver."""


class ResponseRule(Model):
    """Whether a response is required, by when, and what happens when it does not come."""

    required: bool = True
    """Whether an answer is expected (see 'by' for whose)."""
    by: AnswerBy | list[Id] | None = None
    """Whose answer is needed: "cell" (one answer per addressed cell, the default), "each" addressed
    delegation, "any" one of the receivers, or a list of cells and delegations (one answer from each)."""
    deadline: DeadlineField | None = None
    """When the response is due: "HH:MM" of scenario time after release, or a scenario time "D1 20:00"."""
    contingency: Id | None = None
    """Inject released when the deadline passes without a response."""

    @model_validator(mode="after")
    def _contingency_needs_deadline(self) -> ResponseRule:
        if self.contingency is not None and self.deadline is None:
            raise ValueError("a contingency needs a deadline")
        if self.contingency is not None and not self.required:
            raise ValueError("a contingency needs 'required: true'")
        if isinstance(self.by, list) and not self.by:
            raise ValueError("'by' needs at least one cell or delegation")
        return self


def _recipients(value: object) -> object:
    if isinstance(value, str):
        return [ALL] if value.strip().lower() == ALL else [value]
    return value


Recipients = Annotated[
    list[Id],
    BeforeValidator(_recipients),
    WithJsonSchema(
        {
            "anyOf": [
                {"const": ALL},
                {"type": "string", "pattern": ID_PATTERN},
                {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN}, "minItems": 1},
            ]
        }
    ),
]


class Inject(Model):
    """One scenario message delivered to players at a scenario time."""

    id: Id
    """Unique id across the scenario and everything it includes, e.g. "A1-5"."""
    time: TimeSpecField
    """"D1 09:00", "D+60 09:00" (time jump) or "+00:30" (after 'after' or the phase start)."""
    after: Id | None = None
    """With a "+HH:MM" time: the inject this one follows."""
    phase: Id | None = None
    """Phase the inject belongs to; defaults to the phase running at its time."""
    source: str = Field(alias="from", min_length=1)
    """The simulated originator, e.g. "Merchant vessel master via MRCC radio log"."""
    to: Recipients
    """Cells and/or participants (by id) who receive it, or "all"."""
    channel: Channel = Channel.other
    """sitrep, email, phone, radio, media, social_media, intelligence, diplomatic_note, briefing, report, other."""
    tlp: TlpLabel
    """TLP label: RED, AMBER+STRICT, AMBER, GREEN or CLEAR."""
    title: str = Field(min_length=1)
    """Headline players see in their list."""
    body: str = ""
    """The message itself (Markdown)."""
    questions: list[str] = []
    """Discussion questions for the receiving cells."""
    expected_actions: list[str] = []
    """What evaluators expect players to do or decide."""
    objectives: list[Id] = []
    """Objectives this inject exercises."""
    capabilities: list[Id] = []
    """Capabilities this inject exercises."""
    critical_tasks: list[str] = []
    """Critical tasks it exercises, by reference id ("C1.2")."""
    facilitator_notes: str = ""
    """Notes for control only; never shown to players."""
    response: ResponseRule | None = None
    """Whether a response is required, its deadline and contingency."""
    options: list[Option] = []
    """Decision options; players choose one when they respond."""
    triggers: list[Trigger] = []
    """Branches fired by keywords in responses."""

    @field_validator("to")
    @classmethod
    def _recipients_not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one cell or participant, or write 'all'")
        if ALL in value and len(value) > 1:
            raise ValueError("'all' already includes everyone; write it alone")
        return value

    @model_validator(mode="after")
    def _check_options(self) -> Inject:
        defaults = [option.id for option in self.options if option.default]
        if len(defaults) > 1:
            raise ValueError(f"only one option may be the default, not {', '.join(defaults)}")
        seen: set[str] = set()
        for option in self.options:
            if option.id in seen:
                raise ValueError(f"option id {option.id!r} is used twice")
            seen.add(option.id)
        if self.after is not None and isinstance(self.time, ScenarioTime):
            raise ValueError("'after' needs a relative time such as '+00:30'")
        if self.contingency == self.id:
            raise ValueError("the contingency points to the inject itself")
        return self

    @property
    def to_all(self) -> bool:
        """Whether the inject goes to every participant."""
        return self.to == [ALL]

    @property
    def contingency(self) -> str | None:
        """The contingency inject id, if any."""
        return self.response.contingency if self.response else None


_IGNORE_SCHEMA = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {"rule": {"type": "string", "minLength": 1}, "reason": {"type": "string"}},
            "required": ["rule"],
            "additionalProperties": False,
        },
    ]
}


def _ignore_entry(value: object) -> object:
    return {"rule": value} if isinstance(value, str) else value


class LintIgnore(Model):
    """A lint rule this scenario does not want reported, and why."""

    rule: str = Field(min_length=1)
    """The rule's name as lint prints it in brackets, e.g. "unused-capability"."""
    reason: str = ""
    """Why the rule does not apply here (shown by ttx lint --show-ignored)."""


class LintSettings(Model):
    """How 'ttx lint' treats this scenario."""

    ignore: list[Annotated[LintIgnore, BeforeValidator(_ignore_entry), WithJsonSchema(_IGNORE_SCHEMA)]] = []
    """Rules not reported: names, or {rule: NAME, reason: WHY}."""


class Scope(Model):
    """What this scenario evaluates of the framework it includes."""

    capabilities: list[Id] | None = Field(default=None, min_length=1)
    """Capabilities evaluated here; the others are left out of lint, evaluation and the report.
    Leave it out to evaluate every capability."""


class InjectFile(Model):
    """An included file: a reusable inject library (``injects/``) or a shared evaluation framework (``frameworks/``)."""

    objectives: list[Objective] = []
    """Objectives this file contributes (a shared framework), added after the scenario's own."""
    capabilities: list[Capability] = []
    """Capabilities with critical tasks this file contributes (a shared framework)."""
    injects: list[Inject] = []
    """The injects this file contributes."""


class Scenario(Model):
    """A complete multi-day exercise scenario."""

    format: int = 1
    """Version of this file format (1)."""
    exercise: Exercise
    """Title, sponsor, handling label, dates and time zone."""
    include: list[str] = []
    """Inject files to add, relative to this file; globs allowed ("injects/*.yaml")."""
    variables: dict[str, str] = {}
    """Values substituted for {{ name }} in any text, e.g. host_state: THA."""
    groups: dict[Id, list[Id]] = {}
    """Named lists of cells and participants, usable in an inject's 'to' and 'response.by', e.g.
    origin_states: [BGD, MMR]."""
    objectives: list[Objective] = Field(min_length=1)
    """Exercise objectives (O1-O4)."""
    capabilities: list[Capability] = []
    """Capabilities with targets and critical tasks."""
    scope: Scope = Scope()
    """Capabilities this scenario evaluates, e.g. {capabilities: [C1, C2, C5]}; by default all of them."""
    cells: list[Cell] = Field(min_length=1)
    """Cells: working groups, SimCell, control."""
    participants: list[Participant] = []
    """Delegations and organisations, each seated in one or more cells."""
    days: list[Day] = Field(min_length=1)
    """The exercise days, in order."""
    phases: list[Phase] = Field(min_length=1)
    """Scenario phases, in order of start time."""
    injects: list[Inject] = []
    """The MSEL: injects written here plus those from 'include'."""
    lint: LintSettings = LintSettings()
    """Lint rules this scenario suppresses, e.g. {ignore: [unused-capability]}."""
    _groups_written: dict[str, tuple[str, ...]] = PrivateAttr(default_factory=dict)
    """After group expansion: the group names each inject's 'to' was written with, by inject id."""

    @field_validator("format")
    @classmethod
    def _supported_format(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"format {value} is not supported; this ttx reads format 1")
        return value

    def phase_after(self, current: str | None) -> Phase | None:
        """The phase following ``current`` (the first phase when ``current`` is None; None after the last)."""
        if current is None:
            return self.phases[0]
        position = [phase.id for phase in self.phases].index(current)
        return self.phases[position + 1] if position + 1 < len(self.phases) else None

    def expand(self, names: list[str]) -> list[str]:
        """A recipient list with each group name replaced by its members (in order, each id once)."""
        expanded: dict[str, None] = {}
        for name in names:
            for member in self.groups.get(name, [name]):
                expanded.setdefault(member, None)
        return list(expanded)

    def with_groups_expanded(self) -> Scenario:
        """This scenario with group names in 'to' and 'response.by' replaced by their members.

        What the engine, the plan and every report read: groups are an authoring shorthand.
        """
        if not self.groups:
            return self
        injects: list[Inject] = []
        for inject in self.injects:
            update: dict[str, object] = {}
            if any(name in self.groups for name in inject.to):
                update["to"] = self.expand(inject.to)
            rule = inject.response
            if rule is not None and isinstance(rule.by, list) and any(name in self.groups for name in rule.by):
                update["response"] = rule.model_copy(update={"by": self.expand(rule.by)})
            injects.append(inject.model_copy(update=update) if update else inject)
        expanded = self.model_copy(update={"injects": injects})
        expanded._groups_written = {
            inject.id: tuple(name for name in inject.to if name in self.groups)
            for inject in self.injects
            if any(name in self.groups for name in inject.to)
        }
        return expanded

    def groups_written(self, inject_id: str) -> tuple[str, ...]:
        """The group names an inject's 'to' was written with, once groups are expanded (else none)."""
        return self._groups_written.get(inject_id, ())

    def out_of_scope(self) -> frozenset[str]:
        """Ids of the capabilities this scenario leaves out of its scope (none unless 'scope' lists some)."""
        wanted = self.scope.capabilities
        if wanted is None:
            return frozenset()
        return frozenset(c.id for c in self.capabilities if c.id not in wanted)

    def in_scope(self) -> Scenario:
        """This scenario with only the capabilities in its scope: what evaluators rate and reports cover."""
        left_out = self.out_of_scope()
        if not left_out:
            return self
        return self.model_copy(update={"capabilities": [c for c in self.capabilities if c.id not in left_out]})

    def inject(self, inject_id: str) -> Inject:
        """The inject with this id (KeyError if none)."""
        for candidate in self.injects:
            if candidate.id == inject_id:
                return candidate
        raise KeyError(inject_id)
