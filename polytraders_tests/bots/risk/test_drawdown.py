"""risk.drawdown: BUYs stop once peak − equity reaches the limit; SELLs pass."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.risk import drawdown
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

DRAWN = reject("RISK_DRAWDOWN")


def _row(equity: str | None, peak: str | None, side: str = "BUY") -> dict[str, str | None]:
    return {"equity_usdc": equity, "peak_equity_usdc": peak, "side": side}


def test_vote_when_healthy_row_and_default_config_then_approve() -> None:
    assert vote(drawdown, intents()) == [approve()]  # flat equity: drawdown 0 < 50


@pytest.mark.parametrize(
    ("equity", "peak", "side", "expected"),
    [
        ("0", "0", "BUY", approve()),  # start of day: no drawdown
        ("50.01", "100", "BUY", approve()),  # 100 − 50.01 = 49.99 < 50
        ("50.000001", "100", "BUY", approve()),  # 49.999999 < 50: one micro-USDC short
        ("50", "100", "BUY", DRAWN),  # 50 = limit: breached
        ("49.99", "100", "BUY", DRAWN),  # 50.01 > 50
        ("-50", "0", "BUY", DRAWN),  # 0 − (−50) = 50
        ("-80", "0", "SELL", approve()),  # SELLs reduce exposure
        ("120", "100", "BUY", approve()),  # equity above a stale peak: drawdown −20
        (None, "100", "BUY", DRAWN),  # equity unknown: fail closed
        ("50", None, "BUY", DRAWN),  # peak unknown: fail closed
        (None, None, "SELL", approve()),  # a SELL needs neither
    ],
)
def test_vote_when_drawdown_then_vote(equity: str | None, peak: str | None, side: str, expected: tuple) -> None:
    assert vote(drawdown, intents(_row(equity, peak, side))) == [expected]


def test_vote_when_custom_limit_then_boundary_moves() -> None:
    frame = intents(_row("89.51", "100"), _row("89.5", "100"))  # drawdowns 10.49 and 10.5
    assert vote(drawdown, frame, max_drawdown_usdc=D("10.5")) == [approve(), DRAWN]


def test_vote_when_limit_finer_than_a_micro_usdc_then_compared_exactly() -> None:
    # limit 10.0000005: drawdown 10.000000 < limit, 10.000001 > limit (no rounding of the limit to 10.000001
    # or 10.000000 could get both right: ceil(10,000,000.5) = 10,000,001 µUSDC)
    frame = intents(_row("90", "100"), _row("89.999999", "100"))
    assert vote(drawdown, frame, max_drawdown_usdc=D("10.0000005")) == [approve(), DRAWN]


def test_vote_when_rows_differ_then_each_row_judged_in_order() -> None:
    frame = intents(_row("0", "0"), _row("-60", "0"), {**_row("-60", "0", "SELL"), "size": "8"}, _row("-49.99", "0"))
    assert vote(drawdown, frame) == [approve(), DRAWN, approve("8"), approve()]  # 0, 60, SELL, 49.99


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(drawdown, intents().clear()) == []


@pytest.mark.parametrize("bad", [{"max_drawdown_usdc": D(0)}, {"max_drawdown_usdc": D("-1")}, {"max_drawdown": D(5)}])
def test_config_when_limit_not_positive_or_unknown_then_validation_error(bad: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError, match="max_drawdown"):
        drawdown.Config(**bad)
