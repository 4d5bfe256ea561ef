"""risk.drawdown: BUYs stop once peak − equity reaches the limit; SELLs and cancels pass."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.risk import drawdown
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


def _ctx(equity: str, peak: str) -> RiskContext:
    return RiskContext(TS, None, None, D(0), D(0), D(equity), D(peak))


@pytest.mark.parametrize(
    ("equity", "peak", "side", "decision"),
    [
        ("0", "0", "BUY", Decision.APPROVE),  # start of day: no drawdown
        ("50.01", "100", "BUY", Decision.APPROVE),  # 49.99 < 50
        ("50", "100", "BUY", Decision.REJECT),  # 50 = limit: breached
        ("-50", "0", "BUY", Decision.REJECT),  # 0 − (−50) = 50
        ("-80", "0", "SELL", Decision.APPROVE),  # SELLs reduce exposure
        ("120", "100", "BUY", Decision.APPROVE),  # equity above a stale peak: drawdown −20
    ],
)
def test_evaluate_when_drawdown_then_vote(equity: str, peak: str, side: str, decision: Decision) -> None:
    vote = drawdown.evaluate(_intent(side=side), _ctx(equity, peak), drawdown.Config())
    assert vote.decision is decision
    expected = (("RISK_DRAWDOWN",), D(0)) if decision is Decision.REJECT else ((), D("10"))
    assert (vote.reason_codes, vote.approved_size) == expected
    assert (vote.bot, vote.ts_ms) == ("risk.drawdown", TS)


def test_evaluate_when_breached_and_cancel_then_approve() -> None:
    vote = drawdown.evaluate(_intent("CANCEL"), _ctx("-500", "0"), drawdown.Config())
    assert vote.decision is Decision.APPROVE


def test_evaluate_when_custom_limit_then_boundary_moves() -> None:
    config = drawdown.Config(max_drawdown_usdc=D("10.5"))
    assert drawdown.evaluate(_intent(), _ctx("89.51", "100"), config).decision is Decision.APPROVE  # 10.49
    assert drawdown.evaluate(_intent(), _ctx("89.5", "100"), config).decision is Decision.REJECT  # 10.5


def test_evaluate_when_same_input_twice_then_same_vote() -> None:
    assert drawdown.evaluate(_intent(), _ctx("0", "60"), drawdown.Config()) == drawdown.evaluate(
        _intent(), _ctx("0", "60"), drawdown.Config()
    )


def test_config_when_limit_not_positive_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="max_drawdown_usdc"):
        drawdown.Config(max_drawdown_usdc=D(0))
