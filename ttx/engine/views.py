"""What each seat may see, and the rows consoles show: need-to-know filtering and inject statuses."""

from __future__ import annotations

from dataclasses import dataclass

from ttx.engine.events import RequestSent, SeatInfo, SeatRole
from ttx.engine.obligations import defaulted, has_answer, overdue_for, past_deadline, response_required
from ttx.engine.state import ExerciseState, InjectStatus
from ttx.model.base import Tlp
from ttx.model.plan import ReleaseKind
from ttx.model.time import ScenarioTime, Seconds


def clock_text(at: Seconds, last_day: int | None = None) -> str:
    """Scenario seconds as ``D2 09:30``; past ``last_day`` (a time jump) as ``D+90 09:00``."""
    time = ScenarioTime.from_seconds(at)
    if last_day is not None and time.day > last_day:
        return str(ScenarioTime(time.minutes, jump=True))
    return str(time)


def last_day(state: ExerciseState) -> int | None:
    """The last exercise day of the session's scenario."""
    return max(day.day for day in state.scenario.days) if state.scenario else None


def time_text(at: int, state: ExerciseState) -> str:
    """Scenario seconds as text for this session (time jumps as ``D+N``)."""
    return clock_text(at, last_day(state))


@dataclass(frozen=True, slots=True)
class InjectRow:
    """One line of the facilitator's MSEL."""

    id: str
    at: int
    time: str
    day: int
    phase: str
    status: str
    to: str
    tlp: Tlp
    title: str
    kind: str
    responses: int


def planned_at(state: ExerciseState, inject_id: str) -> int:
    """When an inject is (or was) due: its release time, else its planned time."""
    item = state.injects[inject_id]
    if item.released_at is not None:
        return item.released_at
    assert state.plan is not None
    planned = state.plan.by_id.get(inject_id)
    return planned.time.seconds if planned else state.at


def inject_status(state: ExerciseState, inject_id: str, now: int) -> str:
    """pending, due, held, skipped, released, required, answered, defaulted or overdue.

    "answered" means every party the inject's rule names has answered (obligations.py); a decision
    taken by default without those answers is "defaulted", never "answered".
    """
    item = state.injects[inject_id]
    if item.status is InjectStatus.skipped:
        return "skipped"
    if item.status is InjectStatus.pending:
        if item.held:
            return "held"
        return "due" if planned_at(state, inject_id) <= now else "pending"
    if has_answer(state, inject_id):
        return "answered"
    if defaulted(state, inject_id):
        return "defaulted"
    if response_required(state, inject_id):
        return "overdue" if past_deadline(state, inject_id, now) else "required"
    return "released"


def _armed(state: ExerciseState, inject_id: str) -> bool:
    """Whether the facilitator should see the inject in the MSEL yet."""
    item = state.injects[inject_id]
    if item.status is not InjectStatus.pending or item.held or inject_id in state.adhoc:
        return True
    assert state.plan is not None
    planned = state.plan.by_id[inject_id]
    if planned.kind is ReleaseKind.scheduled:
        return True
    if any(inject_id in branch.release for _, branch in state.branches):
        return True
    return planned.kind is ReleaseKind.contingency and any(state.is_released(source) for source in planned.sources)


def live_msel_rows(
    state: ExerciseState, now: int, day: int | None = None, status: str | None = None, receiver: str | None = None
) -> list[InjectRow]:
    """The facilitator's MSEL: scheduled injects, branch injects once their branch is taken, ad-hoc ones.

    ``receiver`` keeps the injects a cell (addressed directly) or a delegation receives.
    """
    assert state.plan is not None
    rows: list[InjectRow] = []
    for planned in state.plan.injects:
        if not _armed(state, planned.id) or (day is not None and planned.day != day):
            continue
        rows.append(_row(state, planned.id, planned.day, planned.phase, planned.kind.value, now))
    assert state.scenario is not None
    for inject_id, adhoc in state.adhoc.items():
        # An ad-hoc inject belongs to the day and phase it was written in, not to wherever play is now.
        written = adhoc.time if isinstance(adhoc.time, ScenarioTime) else ScenarioTime.from_seconds(state.at)
        phase = next((p.id for p in reversed(state.scenario.phases) if p.start.seconds <= written.seconds), "")
        if day is not None and written.day != day:
            continue
        rows.append(_row(state, inject_id, written.day, phase, "adhoc", now))
    if status is not None:
        rows = [row for row in rows if row.status == status]
    if receiver is not None:
        rows = [row for row in rows if receiver in state.receivers(row.id)[0] or receiver in state.receivers(row.id)[1]]
    return sorted(rows, key=lambda row: row.at)


def _row(state: ExerciseState, inject_id: str, day: int, phase: str, kind: str, now: int) -> InjectRow:
    inject = state.inject(inject_id)
    at = planned_at(state, inject_id)
    return InjectRow(
        id=inject_id,
        at=at,
        time=time_text(at, state),
        day=day,
        phase=phase,
        status=inject_status(state, inject_id, now),
        to=", ".join(inject.to),
        tlp=inject.tlp,
        title=inject.title,
        kind=kind,
        responses=len(state.responses.get(inject_id, [])),
    )


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One delegation on the facilitator's live board."""

    participant: str
    name: str
    cells: str
    received: int
    answered: int
    overdue: list[str]
    requests_open: int


def board_rows(state: ExerciseState, now: int) -> list[BoardRow]:
    """Per delegation: injects received, answered, overdue (those it owes itself); open requests to it."""
    assert state.scenario is not None
    answered_by: dict[str, set[str]] = {}
    for inject_id, responses in state.responses.items():
        for response in responses:
            answered_by.setdefault(response.participant, set()).add(inject_id)
    rows = []
    for participant in state.scenario.participants:
        received = state.inbox.get(participant.id, [])
        mine = answered_by.get(participant.id, set())
        overdue = overdue_for(state, participant.id, received, now)
        open_requests = sum(
            1 for r in state.requests.values() if r.event.recipient == participant.id and r.answer is None
        )
        rows.append(
            BoardRow(
                participant.id,
                participant.name,
                ", ".join(participant.cells),
                len(received),
                len(mine),
                overdue,
                open_requests,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class CellRow:
    """One cell on the facilitator's live board."""

    cell: str
    received: int
    answered: int
    overdue: list[str]


def cell_rows(state: ExerciseState, now: int) -> list[CellRow]:
    """Per playing cell: injects addressed to it, how many its members answered, which it owes and is overdue on."""
    assert state.scenario is not None
    rows = []
    for cell in state.scenario.cells:
        addressed = [i for i in state.released if cell.id in state.receivers(i)[0]]
        answered = [i for i in addressed if any(r.cell == cell.id for r in state.responses.get(i, []))]
        overdue = overdue_for(state, cell.id, addressed, now)
        if addressed or cell.kind.value in ("working_group", "delegation", "other"):
            rows.append(CellRow(cell.id, len(addressed), len(answered), overdue))
    return rows


def visible_injects(state: ExerciseState, seat: SeatInfo) -> list[str]:
    """Released injects this seat may read, newest first.

    Delegations see what was released to them (to a cell they sit in, or by name); a cell's scribe
    sees what was released to its cell (not material addressed to one delegation by name);
    evaluators see every released inject except TLP:RED unless the scenario grants it; the projector
    sees the TLP:CLEAR and TLP:GREEN ones; nobody sees an inject before its release.
    """
    assert state.scenario is not None
    released = list(reversed(state.released))
    if seat.role is SeatRole.facilitator:
        return released
    if seat.role is SeatRole.projector:
        return [i for i in released if state.inject(i).tlp in (Tlp.CLEAR, Tlp.GREEN)]
    if seat.role is SeatRole.evaluator:
        see_red = state.scenario.exercise.evaluators_see_red
        return [i for i in released if see_red or state.inject(i).tlp is not Tlp.RED]
    if seat.role is SeatRole.delegation:
        return [i for i in released if seat.participant in state.receivers(i)[1]]
    return [i for i in released if seat.cell in state.receivers(i)[0]]


def may_see_request(state: ExerciseState, seat: SeatInfo, request: RequestSent, seen: set[str] | None = None) -> bool:
    """Whether a seat that is party to a request may read it: a request inherits the handling of the inject it cites.

    A seat the request is sent from or to directly (its delegation, or a scribe's own cell) reads
    it unless it cites an AMBER+STRICT or RED inject the seat may not see; a scribe that is party
    only through one of its cell's delegations reads it only if its cell received the cited inject.
    Facilitator and evaluators read every request. ``seen``: the seat's visible injects, if known.
    """
    if seat.role in (SeatRole.facilitator, SeatRole.evaluator):
        return True
    cited = request.inject
    visible = seen if seen is not None else set(visible_injects(state, seat))
    if cited is None or cited in visible:
        return True
    me = seat.participant if seat.participant is not None else seat.cell
    if me in (request.sender, request.recipient):
        return state.inject(cited).tlp not in (Tlp.RED, Tlp.AMBER_STRICT)
    return False


def may_see_responses(seat: SeatInfo, participant: str) -> bool:
    """Whether a seat may read a delegation's responses (its own; evaluators and control: all)."""
    if seat.role in (SeatRole.facilitator, SeatRole.evaluator):
        return True
    return seat.participant == participant


def speakers(state: ExerciseState, seat: SeatInfo) -> list[str]:
    """The delegations a seat speaks for."""
    assert state.scenario is not None
    if seat.role is SeatRole.delegation and seat.participant:
        return [seat.participant]
    if seat.role is SeatRole.scribe:
        return [p.id for p in state.scenario.participants if seat.cell in p.cells]
    return []
