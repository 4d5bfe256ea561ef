"""risk.exposure_caps: per-market and total caps, linear taper from 70 %, round-down sizes."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.risk import exposure_caps as caps
from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import InstrumentRecord, InstrumentToken, OrderIntent
from polytraders.contracts.types import Decision

TS = 1_700_000_000_000
COND = "0x" + "a" * 64


def _intent(price: str = "0.50", size: str = "20", side: str = "BUY", kind: str = "PLACE") -> OrderIntent:
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=COND, token_id="1",
        ts_ms=TS, side=side, price=D(price), size=D(size),
    )  # fmt: skip


def _ctx(market: str = "0", total: str = "0") -> RiskContext:
    return RiskContext(TS, None, None, D(market), D(total), D(0), D(0))


def _vote(intent: OrderIntent, market: str = "0", total: str = "0", **cfg: object) -> tuple:
    vote = caps.evaluate(intent, _ctx(market, total), caps.Config(**cfg))
    assert (vote.bot, vote.ts_ms, vote.intent_id) == ("risk.exposure_caps", TS, "i-1")
    return vote.decision, vote.approved_size, vote.reason_codes


APPROVE_20 = (Decision.APPROVE, D("20"), ())
CODE = ("RISK_EXPOSURE",)


# Market cap c = 100, taper start t = 70; intent p = 0.50, s = 20 → n = 10 USDC.
@pytest.mark.parametrize(
    ("market", "expected"),
    [
        ("0", APPROVE_20),  # zero exposure: 0 + 10 ≤ 100
        ("60", APPROVE_20),  # projected 70 = t exactly
        ("65", APPROVE_20),  # e ≤ t and n ≤ headroom 35: full
        ("70", APPROVE_20),  # e = t exactly: f = 30/30 = 1
        ("70.03", (Decision.REDUCE, D("19.98"), CODE)),  # f = 29.97/30; 20·29.97/30 = 19.98
        ("80", (Decision.REDUCE, D("13.33"), CODE)),  # f = 20/30; 20·2/3 = 13.333… → 13.33
        ("85", (Decision.REDUCE, D("10.00"), CODE)),  # f = 15/30 = 0.5 → 10
        ("95", (Decision.REDUCE, D("3.33"), CODE)),  # f = 5/30; 20·5/30 = 3.333… → 3.33; headroom 5/0.5 = 10
        ("99.99", (Decision.REJECT, D(0), CODE)),  # 20·0.01/30 = 0.00666… → 0.00 → REJECT
        ("100", (Decision.REJECT, D(0), CODE)),  # e = c exactly
        ("150", (Decision.REJECT, D(0), CODE)),  # above the cap
    ],
)
def test_evaluate_when_market_exposure_then_taper(market: str, expected: tuple) -> None:
    assert _vote(_intent(), market=market) == expected


@pytest.mark.parametrize(
    ("price", "size", "market", "expected"),
    [
        # below t but n > headroom: size = headroom / p, rounded down
        ("0.50", "250", "0", (Decision.REDUCE, D("200.00"), CODE)),  # 100 / 0.5 = 200
        ("0.50", "80", "69", (Decision.REDUCE, D("62.00"), CODE)),  # 31 / 0.5 = 62
        (
            "0.30",
            "500",
            "0",
            (Decision.REDUCE, D("333.33"), CODE),
        ),  # 100 / 0.3 = 333.33…; 333.33·0.3 = 99.999
        ("0.99", "200", "0", (Decision.REDUCE, D("101.01"), CODE)),  # 100 / 0.99 = 101.0101… (1 − tick)
        ("0.01", "10000", "0", (Decision.APPROVE, D("10000"), ())),  # n = 100 = c: fits
        ("0.01", "10001", "0", (Decision.REDUCE, D("10000.00"), CODE)),  # price at tick: 100 / 0.01
    ],
)
def test_evaluate_when_order_exceeds_headroom_then_size_is_headroom(
    price: str, size: str, market: str, expected: tuple
) -> None:
    assert _vote(_intent(price, size), market=market) == expected


def test_evaluate_when_total_cap_tighter_then_total_wins() -> None:
    # total c = 1000, t = 700, e = 995: f = 5/300; 20·5/300 = 0.333… → 0.33 (market cap would allow 20)
    assert _vote(_intent(), market="0", total="995") == (Decision.REDUCE, D("0.33"), CODE)
    # total at its cap rejects even with an empty market
    assert _vote(_intent(), market="0", total="1000") == (Decision.REJECT, D(0), CODE)
    # market tighter than total: market f = 15/30 → 10; total f = 300/300 → 20
    assert _vote(_intent(), market="85", total="700") == (Decision.REDUCE, D("10.00"), CODE)


def test_evaluate_when_size_has_more_decimals_then_full_size_kept() -> None:
    assert _vote(_intent(size="20.125")) == (Decision.APPROVE, D("20.125"), ())


@pytest.mark.parametrize("intent", [_intent(side="SELL"), _intent(kind="CANCEL")])
def test_evaluate_when_sell_or_cancel_at_cap_then_approve(intent: OrderIntent) -> None:
    assert _vote(intent, market="500", total="5000") == APPROVE_20


def test_evaluate_when_custom_config_then_taper_and_decimals_follow() -> None:
    # c = 10, taper 0.5 → t = 5; p = 0.10, n = 2; e = 7.5: f = 2.5/5 = 0.5 → 20·0.5 = 10
    # (headroom 2.5/0.10 = 25 does not bind)
    got = _vote(
        _intent(price="0.10"), market="7.5", max_market_exposure_usdc=D("10"), taper_from_fraction=D("0.5")
    )
    assert got == (Decision.REDUCE, D("10.00"), CODE)
    # p = 0.50, e = 8: f = 2/5 → 20·0.4 = 8; headroom 2/0.5 = 4 → min = 4, with 0 decimals
    got = _vote(
        _intent(), market="8", max_market_exposure_usdc=D("10"), taper_from_fraction=D("0.5"), size_decimals=0
    )
    assert got == (Decision.REDUCE, D("4"), CODE)


def test_evaluate_when_same_input_twice_then_same_vote() -> None:
    assert _vote(_intent(), market="80") == _vote(_intent(), market="80")


@pytest.mark.parametrize(
    "bad",
    [{"taper_from_fraction": D("1")}, {"taper_from_fraction": D("0")}, {"max_market_exposure_usdc": D("0")}],
)
def test_config_when_invalid_then_validation_error(bad: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        caps.Config(**bad)


def test_evaluate_when_swept_then_never_above_headroom_or_taper_line() -> None:
    # invariant over a grid: approved notional ≤ c − e, approved size ≤ s·f (f clipped to [0, 1])
    c, t = D("100"), D("70")
    for e in (D(x) / 4 for x in range(0, 420, 7)):
        for price in ("0.01", "0.37", "0.50", "0.99"):
            intent = _intent(price=price, size="137.5")
            decision, size, _ = _vote(intent, market=str(e))
            f = min(D(1), max(D(0), (c - e) / (c - t)))
            assert size * intent.price <= max(D(0), c - e)
            assert size <= intent.size * f
            assert (decision is Decision.REJECT) == (size == 0)


def _instrument(min_order_size: str) -> InstrumentRecord:
    return InstrumentRecord(
        condition_id=COND, question="q", slug="s", tokens=(InstrumentToken(token_id="1", outcome="Yes"),
                                                          InstrumentToken(token_id="2", outcome="No")),
        tick_size=D("0.01"), min_order_size=D(min_order_size), neg_risk=False, active=True, closed=False,
        accepting_orders=True, as_of_ms=TS,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("market", "min_size", "expected"),
    [
        # e = 95: the taper allows 3.33 shares (see above); a minimum of 5 makes that no order.
        ("95", "5", (Decision.REJECT, D(0), CODE)),
        # e = 85: 10.00 shares ≥ 5 → REDUCE stands.
        ("85", "5", (Decision.REDUCE, D("10.00"), CODE)),
        # e = 95 with a minimum of 3.33 exactly: 3.33 ≥ 3.33 → REDUCE.
        ("95", "3.33", (Decision.REDUCE, D("3.33"), CODE)),
    ],
)
def test_evaluate_when_reduced_below_min_order_size_then_reject(market: str, min_size: str, expected: tuple) -> None:
    ctx = RiskContext(TS, _instrument(min_size), None, D(market), D(0), D(0), D(0))
    vote = caps.evaluate(_intent(), ctx, caps.Config())
    assert (vote.decision, vote.approved_size, vote.reason_codes) == expected
