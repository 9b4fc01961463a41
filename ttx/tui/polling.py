"""Reading a session off the UI thread: a worker fetches what changed, the console folds it on its own thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from textual.message import Message

from ttx.engine.commands import Command
from ttx.engine.events import EventRecord
from ttx.engine.ports import CommandOutcome, CommandStatus
from ttx.engine.session import SessionReader
from ttx.engine.state import fold


@dataclass(frozen=True, slots=True)
class Changes:
    """What a poll found: new events, outcomes of this seat's commands, whether a controller runs."""

    records: list[EventRecord] = field(default_factory=list)
    outcomes: dict[int, CommandOutcome] = field(default_factory=dict)
    running: bool = False


class SessionPolled(Message, bubble=False):
    """A worker read the session; the console applies it (``can_replace``: a newer poll supersedes an unhandled one)."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


class Poller:
    """One seat's reader shared between the UI thread and a polling worker: store access is serialised."""

    def __init__(self, client: SessionReader) -> None:
        self.client = client
        self.lock = threading.Lock()

    def read(self) -> Changes:
        """Read what changed (in a worker thread): only reads the store, never the folded state it changes."""
        with self.lock:
            store = self.client.store
            records = list(store.events(after=self.client.state.seq)) if store.changed() else []
            outcomes: dict[int, CommandOutcome] = {}
            for command_id in list(self.client.pending):
                outcome = store.outcome(command_id)
                if outcome is not None and outcome.status is not CommandStatus.queued:
                    outcomes[command_id] = outcome
            return Changes(records, outcomes, self.client.controller_running())

    def apply(self, changes: Changes) -> list[EventRecord]:
        """Fold the new events into the seat's state (on the UI thread); returns those not folded before."""
        new = [r for r in changes.records if r.seq > self.client.state.seq]
        if new:
            fold(new, self.client.state)
        return new

    def submit(self, command: Command) -> int:
        """Queue a command as the seat, while no poll reads the store."""
        with self.lock:
            return self.client.submit(command)

    def running(self) -> bool:
        """Whether a controller runs (reads the heartbeat: call it from a worker)."""
        with self.lock:
            return self.client.controller_running()
