"""State is a pure fold: the same events give the same state, incrementally or from scratch."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttx.engine import commands as cmd
from ttx.engine.events import Rating
from ttx.engine.state import fold

from .conftest import SessionFactory

SEATS = ["facilitator", "delegation:XAR", "delegation:XBO", "delegation:XCA", "scribe:PWG", "evaluator:1"]
INJECTS = ["H1-1", "H1-2", "H1-3", "H1-4", "H2-1", "H2-2"]

commands = st.one_of(
    st.builds(cmd.Pause),
    st.builds(cmd.Resume),
    st.builds(cmd.SetSpeed, speed=st.sampled_from([1.0, 60.0, 600.0])),
    st.builds(cmd.Hold, inject=st.sampled_from(INJECTS)),
    st.builds(cmd.Unhold, inject=st.sampled_from(INJECTS)),
    st.builds(cmd.Skip, inject=st.sampled_from(INJECTS)),
    st.builds(cmd.ReleaseNow, inject=st.sampled_from(INJECTS)),
    st.builds(cmd.AdvancePhase, override=st.booleans()),
    st.builds(cmd.EndDay),
    st.builds(cmd.Jump, to=st.sampled_from(["next_inject", "next_phase", "D2 12:00"])),
    st.builds(
        cmd.Respond,
        inject=st.sampled_from(INJECTS),
        decision=st.sampled_from([None, "disembark", "escort", "bogus"]),
        text=st.sampled_from(["", "we respond", "push back"]),
        participant=st.sampled_from([None, "XCA", "XBO"]),
    ),
    st.builds(cmd.SendRequest, recipient=st.sampled_from(["XAR", "XBO", "XCA"]), text=st.just("help?")),
    st.builds(cmd.Observe, capability=st.sampled_from(["C1", "C9"]), rating=st.sampled_from(list(Rating))),
    st.builds(cmd.Note, text=st.just("note")),
    st.builds(cmd.HotWash),
)
steps = st.lists(
    st.tuples(commands, st.sampled_from(SEATS), st.floats(min_value=0, max_value=20_000)), min_size=1, max_size=25
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, split=st.integers(min_value=1, max_value=200))
def test_fold_from_scratch_and_incremental_equal_the_live_state(
    make_session: SessionFactory, steps: list[tuple[cmd.Command, str, float]], split: int
) -> None:
    s = make_session()
    s.ok(cmd.Start())
    for command, seat, wall_seconds in steps:
        s.clock.advance(wall_seconds)
        s.controller.step()
        s.act(command, seat)
    events = list(s.store.events())
    live = s.state.summary()
    assert fold(events).summary() == live
    assert fold(events).summary() == fold(events).summary()
    cut = min(split, len(events))
    assert fold(events[cut:], fold(events[:cut])).summary() == live
    # invariants a facilitator relies on
    released = [r.event.inject for r in events if r.event.type == "inject_released"]
    assert len(released) == len(set(released)), "an inject was released twice"
    assert [r.seq for r in events] == list(range(1, len(events) + 1))
    ats = [r.at for r in events]
    assert ats == sorted(ats), "scenario time went backwards in the log"
