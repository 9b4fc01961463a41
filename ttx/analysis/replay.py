"""Replay: the state of a session at any event or scenario time, fast to seek, and what a seat saw then."""

from __future__ import annotations

import bisect
from typing import Any

from ttx.analysis.played import PlayedTime
from ttx.analysis.replay_state import (
    BoardLine,
    DecisionLine,
    FacilitatorState,
    ReplayState,
    RequestLine,
    ResponseLine,
    SeatInject,
    SeatState,
)
from ttx.collector import collector_paused
from ttx.engine.events import EventRecord, ExerciseStarted, SeatInfo, SeatRole
from ttx.engine.state import ExerciseState, InjectStatus, fold
from ttx.engine.views import board_rows, inject_status, may_see_request, time_text, visible_injects
from ttx.model.time import ScenarioTime

SNAPSHOT_EVERY = 2000


class Replay:
    """Seekable replay of a log: keeps a state snapshot every few thousand events."""

    def __init__(self, records: list[EventRecord], every: int | None = None) -> None:
        every = every or max(SNAPSHOT_EVERY, len(records) // 40)
        self.records = records
        self.ats = [record.at for record in records]
        self.snapshots: list[ExerciseState] = []
        state = ExerciseState()
        with collector_paused():
            for index, record in enumerate(records):
                state.apply(record)
                if (index + 1) % every == 0:
                    self.snapshots.append(state.snapshot())
        self.final = state
        self.every = every

    def at_seq(self, seq: int) -> ExerciseState:
        """The state right after event ``seq`` (0: before anything)."""
        seq = max(0, min(seq, len(self.records)))
        slot = seq // self.every
        with collector_paused():
            base = self.snapshots[slot - 1].snapshot() if slot > 0 else ExerciseState()
            return fold(self.records[base.seq : seq], base)

    def seq_at_time(self, at: int) -> int:
        """The last event at or before scenario time ``at`` (seconds)."""
        return bisect.bisect_right(self.ats, at)

    def playable_range(self) -> tuple[int, int] | None:
        """The scenario times the session was played over: from its start to its last event (None: never started)."""
        start = next((r.at for r in self.records if isinstance(r.event, ExerciseStarted)), None)
        return None if start is None else (start, self.final.at)

    def at_time(self, text: str) -> ExerciseState:
        """The state at a scenario time such as "D2 10:00" (ValueError outside the played range, naming it)."""
        at = ScenarioTime.parse(text).seconds
        played = self.playable_range()
        if played is None:
            raise ValueError("the session was never started: there is no played time to replay")
        start, end = played
        final = self.final
        if not start <= at <= end:
            raise ValueError(
                f"{text} is outside the played range, {time_text(start, final)} to {time_text(end, final)}"
            )
        assert final.scenario is not None
        for gap_start, gap_end in PlayedTime(self.records, final.scenario).dead:
            if gap_start < at < gap_end:
                raise ValueError(
                    f"{text} was not played: the session went from {time_text(gap_start, final)} "
                    f"to {time_text(gap_end, final)} (played range {time_text(start, final)} to {time_text(end, final)})"
                )
        return self.at_seq(self.seq_at_time(at))


def find_seat(state: ExerciseState, who: str) -> SeatInfo:
    """A seat by id ("delegation:THA", "scribe:DWG", "evaluator:1", "facilitator") or delegation id ("THA")."""
    if who in state.seats:
        return state.seats[who]
    if f"delegation:{who}" in state.seats:
        return state.seats[f"delegation:{who}"]
    if f"scribe:{who}" in state.seats:
        raise KeyError(f"no seat or delegation {who!r} in this session; {who} is a cell: try 'scribe:{who}'")
    raise KeyError(f"no seat or delegation {who!r} in this session")


def replay_state(
    state: ExerciseState, seat: SeatInfo | None = None, warning: str = "", at: int | None = None
) -> ReplayState:
    """The state at a moment: the facilitator's view, or one seat's need-to-know view.

    ``warning``: the log's; ``at``: the scenario time asked for (seconds), which the document
    reports as its ``scenario_time`` (default: the time of the last event folded).
    """
    assert state.scenario is not None
    now = state.at if at is None else max(at, state.at)
    header: dict[str, Any] = {
        "exercise": state.scenario.exercise.title,
        "tlp": state.scenario.exercise.tlp.label,
        "event": state.seq,
        "scenario_time": time_text(now, state),
        "lifecycle": state.lifecycle,
        "day": state.day,
        "phase": state.phase,
    }
    if seat is None or seat.role is SeatRole.facilitator:
        return FacilitatorState(
            **header,
            view="facilitator",
            injects={
                i: inject_status(state, i, now)
                for i, item in state.injects.items()
                if item.status is not InjectStatus.pending or item.held
            },
            board=[
                BoardLine(
                    delegation=r.participant,
                    received=r.received,
                    answered=r.answered,
                    overdue=r.overdue,
                    open_requests=r.requests_open,
                )
                for r in board_rows(state, now)
            ],
            decisions={
                k: DecisionLine(option=v.option, by=v.participant, default=v.default)
                for k, v in state.decisions.items()
            },
            responses=sum(len(v) for v in state.responses.values()),
            open_requests=sorted(k for k, r in state.requests.items() if r.answer is None),
            warning=warning or None,
        )
    visible = visible_injects(state, seat)
    seen = set(visible)
    injects = [
        SeatInject(
            id=i,
            title=state.inject(i).title,
            tlp=state.inject(i).tlp.label,
            released=time_text(state.injects[i].released_at or 0, state),
        )
        for i in visible
    ]
    if seat.role is SeatRole.evaluator:
        mine = None
    elif seat.participant:
        mine = {seat.participant}
    else:
        mine = {p.id for p in state.scenario.participants if seat.cell in p.cells}
    if mine is None:
        parties: set[str] = set()
    elif seat.participant:  # a delegation: itself and the cells it sits in
        member = next((p for p in state.scenario.participants if p.id == seat.participant), None)
        parties = mine | set(member.cells if member else [])
    else:  # a scribe: its cell's delegations and the cell itself
        parties = mine | ({seat.cell} if seat.cell else set())
    responses = [
        ResponseLine(inject=r.inject, participant=r.participant, decision=r.decision, text=r.text)
        for i in visible
        for r in state.responses.get(i, [])
        if mine is None or r.participant in mine
    ]
    requests = (
        None
        if mine is None
        else [
            RequestLine(
                id=k, from_=r.event.sender, to=r.event.recipient, kind=r.event.kind, answered=r.answer is not None
            )
            for k, r in state.requests.items()
            if (r.event.sender in parties or r.event.recipient in parties)
            and may_see_request(state, seat, r.event, seen)
        ]
    )
    return SeatState(
        **header,
        view=seat.seat,
        injects=injects,
        responses=responses,
        requests=requests,
        warning=warning or None,
    )
