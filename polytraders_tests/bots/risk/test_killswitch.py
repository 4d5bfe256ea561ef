"""risk.killswitch: engaged switch denies every PLACE from its start time; cancels pass."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from polytraders.bots.risk import killswitch
from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import OrderIntent
from polytraders.contracts.types import Decision

TS = 1_700_000_000_000
COND = "0x" + "a" * 64


def _intent(kind: str = "PLACE", side: str = "BUY") -> OrderIntent:
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=COND, token_id="1",
        ts_ms=TS, side=side, price=D("0.54"), size=D("10"),
    )  # fmt: skip


CTX = RiskContext(TS, None, None, D(0), D(0), D(0), D(0))


@pytest.mark.parametrize(
    ("engaged", "from_ms", "side", "decision"),
    [
        (False, None, "BUY", Decision.APPROVE),  # default: off
        (False, TS - 1, "BUY", Decision.APPROVE),  # a start time alone does not engage it
        (True, None, "BUY", Decision.REJECT),  # engaged for the whole run
        (True, None, "SELL", Decision.REJECT),  # every new intent, SELLs too
        (True, TS, "BUY", Decision.REJECT),  # takes effect exactly at engaged_from_ms
        (True, TS + 1, "BUY", Decision.APPROVE),  # not yet in force
    ],
)
def test_evaluate_when_switch_state_then_vote(
    engaged: bool, from_ms: int | None, side: str, decision: Decision
) -> None:
    vote = killswitch.evaluate(
        _intent(side=side), CTX, killswitch.Config(engaged=engaged, engaged_from_ms=from_ms)
    )
    assert vote.decision is decision
    if decision is Decision.REJECT:
        assert (vote.reason_codes, vote.approved_size) == (("RISK_KILL_SWITCH",), D(0))
    else:
        assert (vote.reason_codes, vote.approved_size) == ((), D("10"))
    assert (vote.bot, vote.ts_ms) == ("risk.killswitch", TS)


def test_evaluate_when_engaged_and_cancel_then_approve() -> None:
    vote = killswitch.evaluate(_intent("CANCEL"), CTX, killswitch.Config(engaged=True))
    assert (vote.decision, vote.approved_size) == (Decision.APPROVE, D("10"))


def test_evaluate_when_same_input_twice_then_same_vote() -> None:
    config = killswitch.Config(engaged=True)
    assert killswitch.evaluate(_intent(), CTX, config) == killswitch.evaluate(_intent(), CTX, config)
