"""risk.exposure_caps: per-market and total caps, linear taper from 70 %, round-down sizes."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import exposure_caps as caps
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

CODE = "RISK_EXPOSURE"
CAPPED = reject(CODE)


def reduce(size: str) -> tuple[str, D, str]:
    return ("REDUCE", D(size), CODE)


def _vote(row: dict[str, Any] | None = None, **cfg: Any) -> tuple:
    """One row's vote. The hand-computed tables below were written with no minimum order size; a
    minimum of 0.01 share keeps every reduced size of them an order (the smallest is 0.33)."""
    (got,) = vote(caps, intents({"min_order_size": "0.01", **(row or {})}), **cfg)
    return got


def test_vote_when_healthy_row_and_default_config_then_approve() -> None:
    assert vote(caps, intents()) == [approve()]  # no exposure: 0 + 0.50·20 = 10 ≤ 100


# Market cap c = 100, taper start t = 70; intent p = 0.50, s = 20 → n = 10 USDC.
@pytest.mark.parametrize(
    ("market", "expected"),
    [
        ("0", approve()),  # zero exposure: 0 + 10 ≤ 100
        ("60", approve()),  # projected 70 = t exactly
        ("65", approve()),  # e ≤ t and n ≤ headroom 35: full
        ("70", approve()),  # e = t exactly: f = 30/30 = 1
        ("70.03", reduce("19.98")),  # f = 29.97/30; 20·29.97/30 = 19.98
        ("80", reduce("13.33")),  # f = 20/30; 20·2/3 = 13.333… → 13.33
        ("85", reduce("10.00")),  # f = 15/30 = 0.5 → 10
        ("95", reduce("3.33")),  # f = 5/30; 20·5/30 = 3.333… → 3.33; headroom 5/0.5 = 10
        ("99.99", CAPPED),  # 20·0.01/30 = 0.00666… → 0.00 → REJECT
        ("100", CAPPED),  # e = c exactly
        ("150", CAPPED),  # above the cap
    ],
)
def test_vote_when_market_exposure_then_taper(market: str, expected: tuple) -> None:
    assert _vote({"market_exposure_usdc": market}) == expected


@pytest.mark.parametrize(
    ("price", "size", "market", "expected"),
    [
        # below t but n > headroom: size = headroom / p, rounded down
        ("0.50", "250", "0", reduce("200.00")),  # 100 / 0.5 = 200
        ("0.50", "80", "69", reduce("62.00")),  # 31 / 0.5 = 62
        ("0.30", "500", "0", reduce("333.33")),  # 100 / 0.3 = 333.33…; 333.33·0.3 = 99.999
        ("0.99", "200", "0", reduce("101.01")),  # 100 / 0.99 = 101.0101… (1 − tick)
        ("0.01", "10000", "0", approve("10000")),  # n = 100 = c: fits
        ("0.01", "10001", "0", reduce("10000.00")),  # price at tick: 100 / 0.01
    ],
)
def test_vote_when_order_exceeds_headroom_then_size_is_headroom(
    price: str, size: str, market: str, expected: tuple
) -> None:
    assert _vote({"price": price, "size": size, "market_exposure_usdc": market}) == expected


def test_vote_when_total_cap_tighter_then_total_wins() -> None:
    # total c = 1000, t = 700, e = 995: f = 5/300; 20·5/300 = 0.333… → 0.33 (market cap would allow 20)
    assert _vote({"market_exposure_usdc": "0", "total_exposure_usdc": "995"}) == reduce("0.33")
    # total at its cap rejects even with an empty market
    assert _vote({"market_exposure_usdc": "0", "total_exposure_usdc": "1000"}) == CAPPED
    # market tighter than total: market f = 15/30 → 10; total f = 300/300 → 20
    assert _vote({"market_exposure_usdc": "85", "total_exposure_usdc": "700"}) == reduce("10.00")


def test_vote_when_size_has_more_decimals_then_full_size_kept() -> None:
    assert _vote({"size": "20.125"}) == approve("20.125")  # n = 10.0625 ≤ 100: not rounded


def test_vote_when_sell_at_cap_then_approve() -> None:
    assert _vote({"side": "SELL", "market_exposure_usdc": "500", "total_exposure_usdc": "5000"}) == approve()


def test_vote_when_custom_config_then_taper_and_decimals_follow() -> None:
    # c = 10, taper 0.5 → t = 5; p = 0.10, n = 2; e = 7.5: f = 2.5/5 = 0.5 → 20·0.5 = 10
    # (headroom 2.5/0.10 = 25 does not bind)
    got = _vote(
        {"price": "0.10", "market_exposure_usdc": "7.5"}, max_market_exposure_usdc=D("10"), taper_from_fraction=D("0.5")
    )
    assert got == reduce("10.00")
    # p = 0.50, e = 8: f = 2/5 → 20·0.4 = 8; headroom 2/0.5 = 4 → min = 4, with 0 decimals
    got = _vote(
        {"market_exposure_usdc": "8"}, max_market_exposure_usdc=D("10"), taper_from_fraction=D("0.5"), size_decimals=0
    )
    assert got == reduce("4")


@pytest.mark.parametrize(
    ("market", "min_size", "expected"),
    [
        # e = 95: the taper allows 3.33 shares (see above); a minimum of 5 makes that no order.
        ("95", "5", CAPPED),
        # e = 85: 10.00 shares ≥ 5 → REDUCE stands.
        ("85", "5", reduce("10.00")),
        # e = 95 with a minimum of 3.33 exactly: 3.33 ≥ 3.33 → REDUCE.
        ("95", "3.33", reduce("3.33")),
        # e = 95 with a minimum of 3.34: 3.33 < 3.34 → REJECT.
        ("95", "3.34", CAPPED),
        # minimum unknown: a reduced size cannot be shown to be an order → REJECT (fail closed) …
        ("85", None, CAPPED),
        # … while the full size needs no minimum.
        ("0", None, approve()),
    ],
)
def test_vote_when_reduced_below_min_order_size_then_reject(market: str, min_size: str | None, expected: tuple) -> None:
    assert _vote({"market_exposure_usdc": market, "min_order_size": min_size}) == expected


@pytest.mark.parametrize(
    "row",
    [
        {"market_exposure_usdc": None},  # exposure unknown
        {"total_exposure_usdc": None},
        {"price": None},
        {"price": "0", "market_exposure_usdc": "80"},  # taper zone: (c − e) / p has no value at p = 0
    ],
)
def test_vote_when_buy_input_missing_then_reject(row: dict[str, Any]) -> None:
    assert _vote(row) == CAPPED
    assert _vote({**row, "side": "SELL"}) == approve()  # a SELL needs none of them


def test_vote_when_rows_differ_then_each_row_judged_in_order() -> None:
    frame = intents(
        {"market_exposure_usdc": "80"},  # 13.33 (table above)
        {"market_exposure_usdc": "100"},  # at the cap
        {"market_exposure_usdc": "500", "side": "SELL", "size": "3"},
        {"market_exposure_usdc": "0", "size": "250"},  # headroom 100/0.5 = 200
        {"market_exposure_usdc": "95"},  # 3.33 < minimum 5
    )
    assert vote(caps, frame) == [reduce("13.33"), CAPPED, approve("3"), reduce("200.00"), CAPPED]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(caps, intents().clear()) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"taper_from_fraction": D("1")},
        {"taper_from_fraction": D("0")},
        {"max_market_exposure_usdc": D("0")},
        {"max_total_exposure_usdc": D("-1")},
        {"size_decimals": 7},
        {"size_decimals": -1},
    ],
)
def test_config_when_invalid_then_validation_error(bad: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError, match=next(iter(bad))):
        caps.Config(**bad)


def test_vote_when_swept_then_never_above_headroom_or_taper_line() -> None:
    # invariant over a grid, in one frame: approved notional ≤ c − e, approved size ≤ s·f (f clipped to [0, 1])
    c, t = D("100"), D("70")
    grid = [(D(x) / 4, price) for x in range(0, 420, 7) for price in ("0.01", "0.37", "0.50", "0.99")]
    frame = intents(
        *({"market_exposure_usdc": str(e), "price": p, "size": "137.5", "min_order_size": "0.01"} for e, p in grid)
    )
    votes = vote(caps, frame)
    assert {d for d, _, _ in votes} == {"APPROVE", "REDUCE", "REJECT"}
    for (e, price), (decision, size, _) in zip(grid, votes, strict=True):
        f = min(D(1), max(D(0), (c - e) / (c - t)))
        assert size * D(price) <= max(D(0), c - e)
        assert size <= D("137.5") * f
        assert (decision == "REJECT") == (size == 0)


def _reference(price: D, size: D, market: D, total: D, min_size: D, config: caps.Config) -> tuple:
    """Version 0.1.0's per-intent rule (exact Python Decimal), for a BUY."""
    allowed_size = size
    unit = D(1).scaleb(-config.size_decimals)
    for e, c in ((market, config.max_market_exposure_usdc), (total, config.max_total_exposure_usdc)):
        if e >= c:
            allowed_size = D(0)
            continue
        t, h = c * config.taper_from_fraction, c - e
        if e <= t and price * size <= h:
            continue
        headroom_units = h // (price * unit)
        taper_units = size // unit if e <= t else (size * h) // ((c - t) * unit)
        allowed_size = min(allowed_size, min(headroom_units, taper_units) * unit)
    if allowed_size >= size:
        return approve(str(size))
    return reduce(str(allowed_size)) if allowed_size > 0 and allowed_size >= min_size else CAPPED


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"max_market_exposure_usdc": D("100.5"), "taper_from_fraction": D("0.65"), "size_decimals": 3},
        {
            "max_market_exposure_usdc": D("7.3"),
            "max_total_exposure_usdc": D("9"),
            "taper_from_fraction": D("0.123"),
            "size_decimals": 0,
        },
        # caps finer than a micro-USDC: t = 33.3333337·0.3 = 10.00000011, compared exactly
        {"max_market_exposure_usdc": D("33.3333337"), "taper_from_fraction": D("0.3"), "size_decimals": 6},
    ],
)
def test_vote_when_compared_with_the_per_intent_rule_then_same_votes(config: dict[str, Any]) -> None:
    cfg = caps.Config(**config)
    grid = [
        (D(p), D(s), D(m), D(tot))
        for p in ("0.01", "0.123457", "0.5", "0.999999")
        for s in ("0.5", "20", "137.5", "12345.678901")
        for m in ("0", "5.5", "10.000001", "23.333334", "33.333333", "65.000001", "71.111111", "99.999999", "100.5")
        for tot in ("0", "8.999999", "700", "999.999999")
    ]
    frame = intents(
        *(
            {
                "price": str(p),
                "size": str(s),
                "market_exposure_usdc": str(m),
                "total_exposure_usdc": str(t),
                "min_order_size": "1",
            }
            for p, s, m, t in grid
        )
    )
    expected = [_reference(p, s, m, t, D(1), cfg) for p, s, m, t in grid]
    assert {d for d, _, _ in expected} == {"APPROVE", "REDUCE", "REJECT"}
    assert vote(caps, frame, **config) == expected


def test_vote_when_zero_price_fits_then_approve() -> None:
    # notional 0·20 = 0 ≤ headroom 100 below the taper start: the full size fits, no division needed
    assert _vote({"price": "0"}) == approve()


# --- net cap (C = 500 by default): a market's YES + NO pair nets out ---------------------------


@pytest.mark.parametrize(("net", "token_net", "size", "expected"), [
    ("490", "0", "40", ("REDUCE", D("20"), CODE)),    # room 500 − 490 = 10 USDC → 10 / 0.50 = 20 shares
    ("480", "0", "40", ("APPROVE", D("40"), None)),   # room 20 = n exactly: 480 + 20 = 500 still within
    ("490", "-30", "40", ("APPROVE", D("40"), None)),  # the other token leads by 30: room 10 + 2·30 = 70 ≥ 20
    ("600", "-10", "40", ("REDUCE", D("20"), CODE)),   # over the cap, but netting out 10 USDC is always allowed
    ("600", "10", "40", ("REJECT", D(0), CODE)),      # over the cap and adding to the long side: room 0
    ("499.99", "0", "40", ("REJECT", D(0), CODE)),     # room 0.01 → 0.02 shares, below the minimum of 5
])  # fmt: skip
def test_vote_when_net_exposure_then_capped_on_the_imbalance(net: str, token_net: str, size: str,
                                                              expected: tuple) -> None:
    frame = intents({"net_exposure_usdc": net, "token_net_usdc": token_net, "size": size})
    assert vote(caps, frame) == [expected]


def test_vote_when_net_columns_null_then_buy_rejected_and_sell_passes() -> None:
    frame = intents({"net_exposure_usdc": None}, {"token_net_usdc": None}, {"side": "SELL", "net_exposure_usdc": None})
    assert vote(caps, frame) == [("REJECT", D(0), CODE), ("REJECT", D(0), CODE), ("APPROVE", D("20"), None)]


def test_config_when_net_cap_finer_than_a_micro_usdc_then_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        caps.Config(max_net_exposure_usdc=D("0.0000001"))
