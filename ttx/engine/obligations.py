"""What an inject asks of its receivers, in one place: whose answer it needs, when it is due, who is overdue.

The one rule (docs/scenario-format.md, "Who must answer"): a required inject needs one answer from
each *party* it owes. ``response.by`` says who the parties are:

- ``cell`` (the default): each addressed playing cell (one answer from any member or its scribe,
  given in that cell), plus each delegation addressed by name outside those cells;
- ``each``: every delegation that receives the inject;
- ``any``: one party, satisfied by any receiver's answer;
- a list: each cell (as for ``cell``) or delegation named.

Only recorded responses are answers. A decision taken by default (scenario or facilitator) is
never an answer: it is reported as a default, and answers that come after it are late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ttx.engine.state import ExerciseState, Response
from ttx.model.scenario import PLAYER_CELL_KINDS, AnswerBy
from ttx.model.time import Seconds, due_at

ANY = "(any receiver)"
"""The name of the single party of an inject answered ``by: any``."""


@dataclass(frozen=True, slots=True)
class Party:
    """One answer an inject is owed: from a cell (``kind='cell'``), a delegation, or any receiver."""

    kind: Literal["cell", "delegation", "any"]
    id: str

    def answered_by(self, response: Response, members: frozenset[str]) -> bool:
        """Whether ``response`` is this party's answer (``members``: the cell's delegations)."""
        if self.kind == "any":
            return True
        if self.kind == "delegation":
            return response.participant == self.id
        return response.cell == self.id or (response.cell is None and response.participant in members)


def response_required(state: ExerciseState, inject_id: str) -> bool:
    """Whether the inject asks for a response."""
    rule = state.inject(inject_id).response
    return rule is not None and rule.required


def answer_rule(state: ExerciseState, inject_id: str) -> AnswerBy | list[str]:
    """Whose answer the inject needs (the default when the author wrote none: one per addressed cell)."""
    rule = state.inject(inject_id).response
    return rule.by if rule is not None and rule.by is not None else AnswerBy.cell


def _player_cells(state: ExerciseState) -> frozenset[str]:
    assert state.scenario is not None
    return frozenset(cell.id for cell in state.scenario.cells if cell.kind in PLAYER_CELL_KINDS)


def _members(state: ExerciseState, cell: str) -> frozenset[str]:
    assert state.scenario is not None
    return frozenset(p.id for p in state.scenario.participants if cell in p.cells)


def parties(state: ExerciseState, inject_id: str) -> list[Party]:
    """The parties each of which owes the inject one answer (empty when no response is required)."""
    if not response_required(state, inject_id):
        return []
    cells, participants = state.receivers(inject_id)
    rule = answer_rule(state, inject_id)
    if rule is AnswerBy.any:
        return [Party("any", ANY)]
    if rule is AnswerBy.each:
        return [Party("delegation", p) for p in sorted(participants)]
    player_cells = _player_cells(state)
    if rule is AnswerBy.cell:
        owed = sorted(c for c in cells & player_cells if _members(state, c))  # a cell nobody sits in cannot answer
        seated = {m for cell in owed for m in _members(state, cell)}
        inject = state.inject(inject_id)
        named = sorted(p for p in participants if p in set(inject.to) and p not in seated)
        return [Party("cell", c) for c in owed] + [Party("delegation", p) for p in named]
    cell_ids = {cell.id for cell in state.scenario.cells} if state.scenario else set()
    return [Party("cell", i) if i in cell_ids else Party("delegation", i) for i in rule]


def answers(state: ExerciseState, inject_id: str) -> list[Response]:
    """The responses recorded to the inject, in order (decisions by default are not among them)."""
    return list(state.responses.get(inject_id, []))


def answered_at(state: ExerciseState, inject_id: str) -> dict[Party, Response]:
    """Each party's first answer."""
    found: dict[Party, Response] = {}
    owed = parties(state, inject_id)
    members = {p.id: _members(state, p.id) for p in owed if p.kind == "cell"}
    for response in answers(state, inject_id):
        for party in owed:
            if party not in found and party.answered_by(response, members.get(party.id, frozenset())):
                found[party] = response
    return found


def outstanding(state: ExerciseState, inject_id: str) -> list[Party]:
    """The parties that still owe the inject an answer."""
    found = answered_at(state, inject_id)
    return [party for party in parties(state, inject_id) if party not in found]


def has_answer(state: ExerciseState, inject_id: str) -> bool:
    """Whether the inject has what it asks for: every party answered (any response, if none is required).

    A default decision is not an answer.
    """
    if not response_required(state, inject_id):
        return bool(state.responses.get(inject_id))
    return not outstanding(state, inject_id)


def defaulted(state: ExerciseState, inject_id: str) -> bool:
    """Whether the inject's decision was taken by default (by the scenario or the facilitator)."""
    decision = state.decisions.get(inject_id)
    return decision is not None and decision.default


def owes(state: ExerciseState, inject_id: str, party: str) -> bool:
    """Whether a delegation or cell (by id) is itself one of the inject's parties."""
    return any(p.id == party for p in parties(state, inject_id))


def deadline_at(state: ExerciseState, inject_id: str) -> Seconds | None:
    """When a response to a released inject is due (None: not released, or no deadline)."""
    item = state.injects[inject_id]
    rule = state.inject(inject_id).response
    if item.released_at is None or rule is None or rule.deadline is None:
        return None
    return due_at(rule.deadline, item.released_at)


def past_deadline(state: ExerciseState, inject_id: str, now: Seconds) -> bool:
    """Whether a required response to the inject is past its deadline at ``now`` (answered or not)."""
    deadline = deadline_at(state, inject_id)
    return response_required(state, inject_id) and deadline is not None and now > deadline


def awaits_response(state: ExerciseState, inject_id: str) -> bool:
    """Whether the inject was released, requires a response, and some party has not answered it.

    A decision taken by default does not stop the wait: the inject stays unanswered.
    """
    return state.is_released(inject_id) and response_required(state, inject_id) and bool(outstanding(state, inject_id))


def unanswered_required(state: ExerciseState) -> list[str]:
    """Released injects that require a response some party did not give, in release order."""
    return [inject_id for inject_id in state.released if awaits_response(state, inject_id)]


def overdue_parties(state: ExerciseState, inject_id: str, now: Seconds) -> list[Party]:
    """The parties past the inject's deadline at ``now`` without an answer."""
    if not state.is_released(inject_id) or not past_deadline(state, inject_id, now):
        return []
    return outstanding(state, inject_id)


def overdue_for(state: ExerciseState, party: str, injects: Iterable[str], now: Seconds) -> list[str]:
    """Of ``injects``, those a delegation or cell (by id) owes an answer to and is overdue on."""
    return [i for i in injects if any(p.id == party for p in overdue_parties(state, i, now))]


def guard_met(state: ExerciseState, inject_id: str) -> bool:
    """Whether a phase guard waiting on the inject may pass.

    It passes once the inject has every answer its rule asks for (any response, if none is
    required), or once its decision is settled — by a player or by default, since the branch the
    next phase depends on is then known. A default still counts as no answer everywhere else.
    """
    if inject_id in state.decisions:
        return True
    if response_required(state, inject_id):
        return state.is_released(inject_id) and not outstanding(state, inject_id)
    return bool(state.responses.get(inject_id))
