"""The facilitator's MSEL rows: an ad-hoc inject stays on the day and phase it was written in."""

from __future__ import annotations

from ttx.engine import commands as cmd
from ttx.engine.views import live_msel_rows

from .conftest import Session


def test_an_adhoc_inject_stays_on_its_own_day(session: Session) -> None:
    session.wait(1)
    session.ok(cmd.Adhoc(id="AH-1", to=["MWG"], tlp="GREEN", title="Harbour master calls"))
    session.ok(cmd.AdvancePhase(override=True))  # to day 2
    state = session.state
    assert state.day == 2
    day_one = [row.id for row in live_msel_rows(state, state.at, day=1)]
    day_two = [row.id for row in live_msel_rows(state, state.at, day=2)]
    assert "AH-1" in day_one and "AH-1" not in day_two
    row = next(row for row in live_msel_rows(state, state.at) if row.id == "AH-1")
    assert (row.day, row.phase) == (1, "distress")
