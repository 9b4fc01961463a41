"""The scheduler: a heap of what becomes due when — phase starts, releases, contingency deadlines, default decisions."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from enum import IntEnum

from ttx.engine.events import BranchTaken, EventRecord, InjectReleased, InjectUnheld, ReleaseVia
from ttx.engine.obligations import awaits_response
from ttx.engine.phases import phase_start_after
from ttx.engine.state import ExerciseState, InjectStatus
from ttx.model.plan import ReleaseKind
from ttx.model.scenario import Inject
from ttx.model.time import Offset, due_at


class ItemKind(IntEnum):
    """What falls due; at equal times, phases first, then releases, then deadline checks."""

    phase = 0
    release = 1
    contingency = 2
    default = 3


@dataclass(frozen=True, order=True, slots=True)
class Item:
    """One thing that falls due at a scenario time (seconds)."""

    at: int
    kind: ItemKind
    order: int
    key: str
    via: ReleaseVia = ReleaseVia.schedule
    cause: str = ""
    jump: bool = False
    """The item's time is a time jump (D+N): the clock jumps to it rather than running to it."""


class Scheduler:
    """Keeps due items in a heap; stale items are dropped when they reach the top (lazy deletion)."""

    def __init__(self, state: ExerciseState, *, auto_default: bool = False) -> None:
        assert state.plan is not None
        self.state = state
        self.plan = state.plan
        self.auto_default = auto_default
        self.heap: list[Item] = []
        self.order = {planned.id: planned.index for planned in self.plan.injects}
        self.phase_order = {phase.id: position for position, phase in enumerate(self.plan.scenario.phases)}
        self.held_due: dict[str, Item] = {}
        """Release items that fell due while their inject was held."""
        self._followers: dict[str, list[str]] = {}
        for planned in self.plan.injects:
            anchor = planned.inject.after
            if anchor is not None and planned.kind is not ReleaseKind.scheduled and planned.sources == (anchor,):
                self._followers.setdefault(anchor, []).append(planned.id)
        self._rebuild()

    # ------------------------------------------------------------------ building
    def _rebuild(self) -> None:
        state = self.state
        for position, phase in enumerate(self.plan.scenario.phases):
            heapq.heappush(
                self.heap, Item(phase.start.seconds, ItemKind.phase, position, phase.id, jump=phase.start.jump)
            )
        for planned in self.plan.injects:
            if planned.kind is ReleaseKind.scheduled:
                heapq.heappush(
                    self.heap,
                    Item(planned.time.seconds, ItemKind.release, planned.index, planned.id, jump=planned.time.jump),
                )
        for at, branch in state.branches:
            self._schedule_branch(branch, at)
        for inject_id in state.released:
            item = state.injects[inject_id]
            assert item.released_at is not None
            self._after_release(inject_id, item.released_at)

    def _push(self, item: Item) -> None:
        heapq.heappush(self.heap, item)

    def _conditional_time(self, inject: Inject, cause_at: int) -> int:
        spec = inject.time
        if isinstance(spec, Offset):
            return cause_at + spec.after.seconds
        return max(spec.seconds, cause_at)

    def _schedule_branch(self, branch: BranchTaken, at: int) -> None:
        for target in branch.release:
            if target in self.order:
                inject = self.plan.by_id[target].inject
                when = self._conditional_time(inject, at)
                cause = (
                    f"{branch.inject}:{branch.option}" if branch.option else f"{branch.inject}:trigger{branch.trigger}"
                )
                self._push(Item(when, ItemKind.release, self.order[target], target, ReleaseVia.branch, cause))

    def _after_release(self, inject_id: str, at: int) -> None:
        inject = self.state.inject(inject_id)
        rule = inject.response
        order = self.order.get(inject_id, 1_000_000)
        if rule is not None and rule.deadline is not None:
            deadline = due_at(rule.deadline, at)
            if rule.contingency is not None:
                self._push(Item(deadline, ItemKind.contingency, order, inject_id))
            if self.auto_default and inject.options:
                self._push(Item(deadline, ItemKind.default, order, inject_id))
        elif self.auto_default and inject.options:
            phase = phase_start_after(self.plan.scenario, at)
            self._push(Item(phase if phase is not None else at, ItemKind.default, order, inject_id))
        for follower in self._followers.get(inject_id, []):
            planned = self.plan.by_id[follower]
            self._push(
                Item(
                    self._conditional_time(planned.inject, at),
                    ItemKind.release,
                    planned.index,
                    follower,
                    ReleaseVia.branch,
                    inject_id,
                )
            )

    # ------------------------------------------------------------------ events in
    def observe(self, record: EventRecord) -> None:
        """Update the heap after an event has been folded into the state."""
        event = record.event
        if isinstance(event, InjectReleased):
            self._after_release(event.inject, record.at)
        elif isinstance(event, BranchTaken):
            self._schedule_branch(event, record.at)
        elif isinstance(event, InjectUnheld) and event.inject in self.held_due:
            item = self.held_due.pop(event.inject)
            self._push(Item(max(record.at, item.at), item.kind, item.order, item.key, item.via, item.cause))

    # ------------------------------------------------------------------ due items out
    def _valid(self, item: Item) -> bool:
        state = self.state
        if item.kind is ItemKind.phase:
            current = state.phase
            return current is None or self.phase_order[item.key] > self.phase_order[current]
        if item.kind is ItemKind.release:
            inject_state = state.injects.get(item.key)
            return inject_state is not None and inject_state.status is InjectStatus.pending
        if item.kind is ItemKind.contingency:
            inject = state.inject(item.key)
            target = inject.contingency
            return (
                target is not None
                and awaits_response(state, item.key)
                and state.injects[target].status is InjectStatus.pending
            )
        return item.key not in state.decisions

    def peek(self) -> Item | None:
        """The next item that is still valid, without removing it."""
        while self.heap:
            item = self.heap[0]
            if self._valid(item):
                if item.kind is ItemKind.release and self.state.injects[item.key].held:
                    self.held_due.setdefault(item.key, item)
                else:
                    return item
            heapq.heappop(self.heap)
        return None

    def pop(self) -> Item | None:
        """Remove and return the next valid item."""
        item = self.peek()
        if item is not None:
            heapq.heappop(self.heap)
        return item

    def upcoming_releases(self, count: int) -> list[Item]:
        """The next ``count`` valid, unheld release items, in order."""
        return heapq.nsmallest(
            count,
            (
                item
                for item in self.heap
                if item.kind is ItemKind.release and self._valid(item) and not self.state.injects[item.key].held
            ),
        )

    def next_release(self) -> Item | None:
        """The next valid release item (for "advance to next inject")."""
        upcoming = self.upcoming_releases(1)
        return upcoming[0] if upcoming else None
