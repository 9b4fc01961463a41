"""The exercise lifecycle as a `transitions` machine built from the Lifecycle enum: which command may move it where."""

from __future__ import annotations

from typing import Any

from transitions import Machine

from ttx.engine.state import Lifecycle

TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "create", "source": Lifecycle.new, "dest": Lifecycle.ready},
    {"trigger": "brief", "source": Lifecycle.ready, "dest": Lifecycle.briefing},
    {"trigger": "start", "source": [Lifecycle.ready, Lifecycle.briefing], "dest": Lifecycle.running},
    {"trigger": "pause", "source": Lifecycle.running, "dest": Lifecycle.paused},
    {"trigger": "resume", "source": Lifecycle.paused, "dest": Lifecycle.running},
    {"trigger": "hot_wash", "source": [Lifecycle.running, Lifecycle.paused], "dest": Lifecycle.hot_wash},
    {
        "trigger": "end",
        "source": [Lifecycle.ready, Lifecycle.briefing, Lifecycle.running, Lifecycle.paused, Lifecycle.hot_wash],
        "dest": Lifecycle.closed,
    },
]
"""new → ready → briefing → running ⇄ paused → hot_wash → closed (``end`` from any state before closed)."""


class TransitionRefused(Exception):
    """A transition the machine does not allow from the current state; the message says why."""


class _Model:
    """The plain object the machine is bound to (never a pydantic model: see the design notes)."""

    state: Lifecycle


class LifecycleMachine:
    """The lifecycle's transition table; the current state is the fold's, so the machine is asked, never fired."""

    def __init__(self) -> None:
        self.machine = Machine(
            model=_Model(),
            states=Lifecycle,
            transitions=TRANSITIONS,
            initial=Lifecycle.new,
            auto_transitions=False,
            queued=True,
        )

    def allowed(self, current: Lifecycle) -> list[str]:
        """The triggers allowed from ``current``."""
        return self.machine.get_triggers(current.name)

    def target(self, current: Lifecycle, trigger: str) -> Lifecycle:
        """Where ``trigger`` takes the exercise from ``current``, or TransitionRefused saying what is allowed now."""
        for transition in self.machine.get_transitions(trigger=trigger, source=current.name):
            return Lifecycle[str(transition.dest)]
        allowed = ", ".join(t for t in self.allowed(current) if t != "create") or "nothing"
        raise TransitionRefused(
            f"cannot {trigger.replace('_', ' ')} while the exercise is {current.value.replace('_', ' ')} "
            f"(allowed now: {allowed.replace('_', ' ')})"
        )


LIFECYCLE = LifecycleMachine()
"""The one lifecycle table every controller asks."""
