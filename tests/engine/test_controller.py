"""The controller on HARBOUR WATCH with an injected clock: releases, branches, contingencies, guards, rules."""

from __future__ import annotations

from ttx.engine import commands as cmd
from ttx.engine.clock import MAX_SPEED
from ttx.engine.events import ClockCheckpoint, InjectReleased, Rating, ReleaseVia
from ttx.engine.state import InjectStatus, Lifecycle

from .conftest import HOUR, Session, SessionFactory


def released(s: Session) -> list[str]:
    return list(s.state.released)


def test_start_enters_the_first_phase_and_releases_what_is_due(session: Session) -> None:
    assert session.state.lifecycle is Lifecycle.running
    assert session.state.phase == "distress" and session.state.day == 1
    assert released(session) == ["H1-1"]
    assert session.state.at == 8 * HOUR
    assert session.state.inbox == {"XAR": ["H1-1"], "XBO": ["H1-1"]}


def test_clock_runs_at_speed_and_stands_still_when_paused(session: Session) -> None:
    session.ok(cmd.SetSpeed(speed=60))
    session.clock.advance(30)  # 30 wall seconds at 60x = 30 scenario minutes
    assert session.controller.clock.now() == 8 * HOUR + 30 * 60
    session.ok(cmd.Pause())
    session.wait(5)
    assert session.controller.clock.now() == 8 * HOUR + 30 * 60
    assert released(session) == ["H1-1"]
    session.ok(cmd.Resume())
    session.clock.advance(30)
    session.controller.step()
    assert released(session) == ["H1-1", "H1-2"]  # H1-2 is due at D1 09:00


def test_each_inject_released_exactly_once_in_time_order(session: Session) -> None:
    for _ in range(30):
        session.wait(1)
    releases = [r.event.inject for r in session.store.events() if isinstance(r.event, InjectReleased)]
    assert releases == ["H1-1", "H1-2", "H1-3"]  # contingency at the deadline; no branch without a decision
    times = [r.at for r in session.store.events()]
    assert times == sorted(times)


def test_decision_releases_its_branch_and_never_the_other(session: Session) -> None:
    session.wait(1)
    session.ok(cmd.Respond(inject="H1-2", decision="escort", text="Escort them out"), "delegation:XAR")
    assert session.state.decisions["H1-2"].option == "escort"
    session.wait(30)
    assert "H2-2" in released(session) and "H2-1" not in released(session)
    assert (
        session.state.injects["H2-2"].via == ReleaseVia.branch and session.state.injects["H2-2"].cause == "H1-2:escort"
    )
    assert "H1-3" not in released(session), "the contingency must not fire when a response came in time"


def test_contingency_fires_only_when_the_deadline_passes_without_a_response(session: Session) -> None:
    session.wait(1)  # H1-2 released at 09:00, due by 11:00
    session.wait(1.9)
    assert "H1-3" not in released(session)
    session.wait(0.2)
    assert released(session)[-1] == "H1-3"
    assert session.state.injects["H1-3"].via == ReleaseVia.contingency
    # a late response still counts, but the contingency already happened: no second release
    session.ok(cmd.Respond(inject="H1-2", text="late answer"), "delegation:XBO")
    session.wait(1)
    assert released(session).count("H1-3") == 1


def test_guard_holds_the_clock_at_the_phase_boundary_until_a_response(session: Session) -> None:
    session.wait(30)  # past D2 08:00, but nobody answered H1-2
    assert session.state.phase == "distress"
    assert session.controller.blocked == "waiting to enter phase landing: no response yet to H1-2"
    assert session.controller.clock.now() == 32 * HOUR  # held at D2 08:00
    session.ok(cmd.Respond(inject="H1-2", text="We will rescue", decision="disembark"), "delegation:XBO")
    session.wait(0)
    assert session.state.phase == "landing" and session.state.day == 2
    session.wait(1)
    assert released(session)[-1] == "H2-1"


def test_facilitator_override_passes_a_guard_and_is_recorded(session: Session) -> None:
    reason = session.rejected(cmd.AdvancePhase())
    assert "no response yet to H1-2" in reason and "override" in reason
    session.ok(cmd.AdvancePhase(override=True))
    entered = session.state.phase_log[-1]
    assert entered.phase == "landing" and entered.override and "no response yet to H1-2" in entered.reason
    assert session.controller.clock.now() == 32 * HOUR


def test_hold_unhold_and_skip(session: Session) -> None:
    session.ok(cmd.Hold(inject="H1-2"))
    session.wait(2)
    assert "H1-2" not in released(session)
    session.ok(cmd.Unhold(inject="H1-2"))
    assert released(session)[-1] == "H1-2"  # due already: released at once
    assert session.state.injects["H1-2"].released_at == 10 * HOUR
    session.ok(cmd.Skip(inject="H1-3"))
    assert session.rejected(cmd.ReleaseNow(inject="H1-3")) == "inject H1-3 is already skipped"


def test_release_now_and_adhoc_injects(session: Session) -> None:
    session.ok(cmd.ReleaseNow(inject="H1-2"))
    assert session.state.injects["H1-2"].via == ReleaseVia.facilitator
    session.ok(cmd.Adhoc(to=["PWG"], tlp="AMBER", title="Journalist calls RMO", body="Off the record?"))
    adhoc = next(k for k in session.state.adhoc)
    assert session.state.injects[adhoc].status is InjectStatus.released
    assert adhoc in session.state.inbox["RMO"] and adhoc not in session.state.inbox["XAR"]
    assert "unknown cell or participant NOPE" in session.rejected(cmd.Adhoc(to=["NOPE"], tlp="GREEN", title="x"))


def test_who_may_respond_to_what(session: Session) -> None:
    session.wait(1)
    # XCA sits in PWG: H1-2 went to MWG and PWG, H1-1 only to MWG. The refusal is the same for an inject
    # released to others, one not released yet and one that does not exist: it reveals no hidden inject.
    assert session.rejected(cmd.Respond(inject="H1-1", text="x"), "delegation:XCA") == "no inject H1-1 for XCA"
    assert session.rejected(cmd.Respond(inject="H2-1", text="x"), "delegation:XCA") == "no inject H2-1 for XCA"
    assert session.rejected(cmd.Respond(inject="H9-9", text="x"), "delegation:XCA") == "no inject H9-9 for XCA"
    assert "'sink' is not an option of H1-2" in session.rejected(
        cmd.Respond(inject="H1-2", decision="sink"), "delegation:XCA"
    )
    assert session.rejected(cmd.Pause(), "delegation:XCA") == "only the facilitator may pause"
    assert "speaks for XCA, not XAR" in session.rejected(
        cmd.Respond(inject="H1-2", text="x", participant="XAR"), "delegation:XCA"
    )
    # the PWG scribe records for XCA; the response records both
    session.ok(cmd.Respond(inject="H1-2", text="XCA view", participant="XCA"), "scribe:PWG")
    response = session.state.responses["H1-2"][-1]
    assert (response.participant, response.cell, response.seat) == ("XCA", "PWG", "scribe:PWG")
    assert "XAR does not sit in cell PWG" in session.rejected(
        cmd.Respond(inject="H1-2", text="x", participant="XAR"), "scribe:PWG"
    )
    assert session.rejected(cmd.Respond(inject="H1-2", text="x"), "evaluator:1") == (
        "a evaluator seat cannot respond for a delegation"
    )


def test_first_decision_drives_the_branch(session: Session) -> None:
    session.wait(1)
    session.ok(cmd.Respond(inject="H1-2", decision="escort", text="a"), "delegation:XAR")
    session.ok(cmd.Respond(inject="H1-2", decision="disembark", text="b"), "delegation:XBO")
    assert session.state.decisions["H1-2"].option == "escort"
    assert len(session.state.responses["H1-2"]) == 2
    assert [b.option for _, b in session.state.branches] == ["escort"]


def test_nothing_is_accepted_after_the_end(session: Session) -> None:
    session.ok(cmd.HotWash())
    session.ok(cmd.End())
    assert session.state.lifecycle is Lifecycle.closed
    assert session.rejected(cmd.Respond(inject="H1-1", text="late"), "delegation:XAR") == "the exercise has ended"


def test_lifecycle_refusals_say_what_is_allowed(make_session: SessionFactory) -> None:
    s = make_session()
    assert s.rejected(cmd.Pause()) == "cannot pause while the exercise is ready (allowed now: brief, start, end)"
    s.ok(cmd.Brief())
    assert s.state.lifecycle is Lifecycle.briefing
    s.ok(cmd.Start())
    assert "cannot resume while the exercise is running" in s.rejected(cmd.Resume())


def test_requests_and_answers(session: Session) -> None:
    session.ok(
        cmd.SendRequest(id="MLA-1", recipient="XCA", request_kind="mutual legal assistance", text="Records?"),
        "delegation:XAR",
    )
    assert "was sent to XCA, not XBO" in session.rejected(
        cmd.AnswerRequest(request="MLA-1", text="no"), "delegation:XBO"
    )
    session.ok(cmd.AnswerRequest(request="MLA-1", text="Sent through the central authority"), "delegation:XCA")
    assert session.state.requests["MLA-1"].answer is not None
    assert "already answered" in session.rejected(cmd.AnswerRequest(request="MLA-1", text="again"), "delegation:XCA")
    assert "cannot send a request to itself" in session.rejected(
        cmd.SendRequest(recipient="XAR", text="x"), "delegation:XAR"
    )


def test_observations_are_for_evaluators_and_checked(session: Session) -> None:
    session.ok(cmd.Observe(capability="C1", task="C1.1", rating=Rating.S, note="ok", inject="H1-1"), "evaluator:1")
    assert session.state.observations[-1].event.rating is Rating.S
    assert "not a critical task of C1" in session.rejected(
        cmd.Observe(capability="C1", task="C2.1", rating=Rating.P), "evaluator:1"
    )
    assert (
        session.rejected(cmd.Observe(capability="C1", rating=Rating.P), "delegation:XAR")
        == "only evaluators record observations"
    )


def test_restart_continues_without_double_release_or_burst(session: Session) -> None:
    session.ok(cmd.SetSpeed(speed=60))
    session.clock.advance(90)  # 90 scenario minutes: D1 09:30
    session.controller.step()
    assert released(session) == ["H1-1", "H1-2"]
    at_stop = session.state.at  # the last recorded moment: H1-2's release at 09:00
    assert at_stop == 9 * HOUR
    session.clock.advance(10 * HOUR)  # the controller is down for ten wall hours
    again = session.restart()
    assert isinstance(list(again.store.events())[-1].event, ClockCheckpoint)
    assert again.state.resumed_after_stop == 1
    assert again.controller.clock.now() == at_stop  # time did not pass while nobody ran the clock
    again.controller.step()
    assert released(again) == ["H1-1", "H1-2"]  # no burst of injects for the time it was down
    again.clock.advance(119)  # 09:00 + 119 scenario minutes: just before H1-2's 11:00 deadline
    again.controller.step()
    assert released(again) == ["H1-1", "H1-2"]
    again.clock.advance(1)
    again.controller.step()
    assert released(again) == ["H1-1", "H1-2", "H1-3"]


def test_end_day_then_resume_starts_the_next_day(session: Session) -> None:
    session.wait(1)
    session.ok(cmd.Respond(inject="H1-2", decision="disembark", text="go"), "delegation:XAR")
    session.ok(cmd.EndDay())
    assert session.state.lifecycle is Lifecycle.paused and session.state.day_ended
    session.clock.advance(14 * HOUR)  # overnight: nothing moves
    session.controller.step()
    assert session.controller.clock.now() == 9 * HOUR
    session.ok(cmd.Resume())
    session.controller.step()
    assert session.state.day == 2 and session.state.phase == "landing"
    assert session.controller.clock.now() == 32 * HOUR


def test_max_speed_headless_style_takes_defaults(make_session: SessionFactory) -> None:
    s = make_session(auto_default=True)
    s.ok(cmd.SetSpeed(speed=MAX_SPEED))
    s.ok(cmd.Start())
    while s.controller.tick(limit=1):
        pass
    assert s.state.decisions["H1-2"].default and s.state.decisions["H1-2"].option == "disembark"
    assert released(s) == ["H1-1", "H1-2", "H1-3", "H2-1"]
    assert s.controller.finished()


def test_keyword_trigger_fires_once(session: Session) -> None:
    session.ok(cmd.Respond(inject="H1-1", text="We will not PUSH BACK anyone"), "delegation:XAR")
    session.ok(cmd.Respond(inject="H1-1", text="nor push back later"), "delegation:XBO")
    assert len(session.state.branches) == 1
    session.wait(0.4)
    assert "H1-4" not in released(session)
    session.wait(0.2)
    assert released(session)[-1] == "H1-4"


def test_a_default_applied_before_the_deadline_is_no_answer_and_the_contingency_fires(session: Session) -> None:
    session.wait(1)  # H1-2 released at D1 09:00 (by: any, deadline 02:00, contingency H1-3)
    assert "H1-2" in released(session)
    session.ok(cmd.ApplyDefault(inject="H1-2"))
    assert session.state.decisions["H1-2"].default
    session.wait(2.5)
    assert "H1-3" in released(session), "a decision taken by default is not an answer"
    assert session.state.injects["H1-3"].via == ReleaseVia.contingency


def test_a_response_that_does_not_answer_the_rule_lets_the_contingency_fire(make_session: SessionFactory) -> None:
    from ttx.engine.obligations import Party, outstanding, parties

    s = make_session()
    s.ok(cmd.Start())
    s.wait(1)
    # H1-1 goes to MWG only and asks for nothing; H1-2 (to MWG and PWG) needs any one answer
    assert parties(s.state, "H1-2") == [Party("any", "(any receiver)")]
    s.ok(cmd.Respond(inject="H1-2", text="Standing by."), "delegation:XCA")
    assert outstanding(s.state, "H1-2") == []
    s.wait(2.5)
    assert "H1-3" not in released(s)
