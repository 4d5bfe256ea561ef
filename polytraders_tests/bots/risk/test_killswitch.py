"""risk.killswitch: an engaged switch denies every intent (BUY and SELL) from its start time."""

from __future__ import annotations

import pydantic
import pytest

from polytraders.bots.risk import killswitch
from polytraders_tests.bots.frames import T0
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

KILL = reject("RISK_KILL_SWITCH")


def test_vote_when_healthy_row_and_default_config_then_approve() -> None:
    assert vote(killswitch, intents()) == [approve("20")]


@pytest.mark.parametrize(
    ("engaged", "from_ms", "side", "expected"),
    [
        (False, None, "BUY", approve()),  # default: off
        (False, T0 - 1, "BUY", approve()),  # a start time alone does not engage it
        (True, None, "BUY", KILL),  # engaged for the whole run
        (True, None, "SELL", KILL),  # every new intent, SELLs too
        (True, T0, "BUY", KILL),  # takes effect exactly at engaged_from_ms (T0 >= T0)
        (True, T0 - 1, "SELL", KILL),  # in force since 1 ms before
        (True, T0 + 1, "BUY", approve()),  # not yet in force (T0 < T0 + 1)
    ],
)
def test_vote_when_switch_state_then_vote(engaged: bool, from_ms: int | None, side: str, expected: tuple) -> None:
    assert vote(killswitch, intents({"side": side}), engaged=engaged, engaged_from_ms=from_ms) == [expected]


def test_vote_when_rows_straddle_the_start_then_each_row_judged_at_its_time_in_order() -> None:
    frame = intents({"ts_ms": T0 - 1}, {"ts_ms": T0, "side": "SELL"}, {"ts_ms": T0 + 60_000, "size": "7"})
    assert vote(killswitch, frame, engaged=True, engaged_from_ms=T0) == [approve("20"), KILL, KILL]


def test_vote_when_time_unknown_then_reject_only_if_a_start_time_must_be_compared() -> None:
    frame = intents({"ts_ms": None})
    assert vote(killswitch, frame, engaged=True, engaged_from_ms=T0) == [KILL]  # null time: fail closed
    assert vote(killswitch, frame, engaged=False, engaged_from_ms=T0) == [approve()]  # switch off


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(killswitch, intents().clear(), engaged=True) == []


@pytest.mark.parametrize(
    ("bad", "field"),
    [({"engaged_from_ms": -1}, "engaged_from_ms"), ({"engaged": "maybe"}, "engaged"), ({"from_ms": 1}, "from_ms")],
)
def test_config_when_invalid_then_validation_error(bad: dict[str, object], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        killswitch.Config(**bad)
