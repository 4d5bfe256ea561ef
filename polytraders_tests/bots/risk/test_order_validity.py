"""risk.order_validity: tick grid, minimum size, size precision, order type, marketable minimum, max notional."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import order_validity as bot
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

CODE = "RISK_ORDER_INVALID"
NO = reject(CODE)
TAKER = {"post_only": False}
FOK = {"order_type": "FOK", "post_only": False}
FAK = {"order_type": "FAK", "post_only": False}


def test_vote_when_healthy_then_approve() -> None:
    # GTC post-only BUY 20 @ 0.50 on 0.01, min 5: on grid, 2 decimals, n = 10 ≤ 1000, not marketable.
    assert vote(bot, intents()) == [approve()]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"price": "0.505"}, NO),  # 0.505 mod 0.01 = 0.005
        ({"price": "0.500001"}, NO),  # one micro-unit off
        ({"price": "0.49"}, approve()),
        ({"price": "0.505", "tick_size": "0.001"}, approve()),  # 505 ticks of 0.001
        ({"price": "0.5055", "tick_size": "0.001"}, NO),
        ({"price": "0.5055", "tick_size": "0.0001"}, approve()),
        ({"price": "0.5", "tick_size": "0.1"}, approve()),
        ({"price": "0.55", "tick_size": "0.1"}, NO),
        ({"tick_size": None}, NO),
        ({"tick_size": "0"}, NO),  # no grid (and no division by zero)
        ({"price": None}, NO),
    ],
)
def test_vote_when_price_on_or_off_grid_then_only_multiples_pass(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents(row)) == [expected]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"size": "5"}, approve("5")),  # = minimum 5
        ({"size": "4.99"}, NO),  # one size unit below
        ({"size": "5.01"}, approve("5.01")),
        ({"size": "0", "min_order_size": "0"}, NO),  # a zero order is no order
        ({"size": "-5", "min_order_size": "0"}, NO),
        ({"min_order_size": None}, NO),
        ({"size": None}, NO),
        # size precision, default 2 decimals
        ({"size": "20.12"}, approve("20.12")),
        ({"size": "20.1"}, approve("20.1")),
        ({"size": "20.125"}, NO),  # 3 decimals
        ({"size": "20.000001"}, NO),  # 6 decimals
    ],
)
def test_vote_when_size_at_minimum_or_precision_edges_then_boundaries_pass(
    row: dict[str, Any], expected: tuple
) -> None:
    assert vote(bot, intents(row)) == [expected]


def test_vote_when_size_decimals_configured_then_precision_follows() -> None:
    frame = intents({"size": "20"}, {"size": "20.5"}, {"size": "20.125"}, {"size": "20.000001"})
    assert vote(bot, frame, size_decimals=0) == [approve("20"), NO, NO, NO]
    assert vote(bot, frame, size_decimals=3) == [approve("20"), approve("20.5"), approve("20.125"), NO]
    assert vote(bot, frame, size_decimals=6) == [approve("20"), approve("20.5"), approve("20.125"),
                                                 approve("20.000001")]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"order_type": "GTD"}, approve()),
        ({"order_type": "IOC"}, NO),  # not a venue order type
        ({"order_type": None}, NO),
        ({"order_type": "FOK", "post_only": True}, NO),  # post-only cannot be FOK / FAK
        ({"order_type": "FAK", "post_only": True}, NO),
        ({"order_type": "FOK", "post_only": None}, NO),  # might be post-only FOK: unknown → REJECT
        ({"post_only": None}, approve()),  # GTC, n = 10 ≥ 1: post_only cannot change anything
        ({"side": "HOLD"}, NO),
        ({"side": None}, NO),
    ],
)
def test_vote_when_order_type_or_side_invalid_then_reject(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents(row)) == [expected]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # FOK / FAK are always marketable: n = p·s must be ≥ 1 USDC
        ({**FOK, "size": "5", "price": "0.19"}, NO),  # 5 × 0.19 = 0.95 < 1
        ({**FOK, "size": "5", "price": "0.20"}, approve("5")),  # 5 × 0.20 = 1.00 = minimum
        ({**FAK, "side": "SELL", "size": "5", "price": "0.19"}, NO),  # 0.95
        ({**FAK, "size": "5.26", "price": "0.19"}, NO),  # 0.9994
        ({**FAK, "size": "5.27", "price": "0.19"}, approve("5.27")),  # 1.0013
        ({**FOK, "size": "5", "price": "0.1999", "tick_size": "0.0001"}, NO),  # 0.9995
        # GTC post-only resting below the ask: not marketable, n = 0.95 is fine
        ({"size": "5", "price": "0.19"}, approve("5")),
        # GTC not post-only, not crossing (ask 0.51): rests, not marketable
        ({**TAKER, "size": "5", "price": "0.19"}, approve("5")),
        # GTC not post-only crossing the touch: marketable
        ({**TAKER, "size": "5", "price": "0.19", "best_bid": "0.18", "best_ask": "0.19"}, NO),  # BUY p = ask
        ({**TAKER, "size": "5", "price": "0.20", "best_bid": "0.18", "best_ask": "0.19"}, approve("5")),  # n = 1.00
        ({**TAKER, "side": "SELL", "size": "5", "price": "0.19", "best_bid": "0.19", "best_ask": "0.20"}, NO),
        ({**TAKER, "side": "SELL", "size": "5", "price": "0.19", "best_bid": "0.18", "best_ask": "0.20"},
         approve("5")),  # p > bid: rests
        ({**TAKER, "side": "SELL", "size": "5", "price": "0.19", "best_bid": None}, approve("5")),  # nothing to hit
        # post-only crossing is not marketable (it is refused, risk.price_band's rule), so no minimum here
        ({"size": "5", "price": "0.19", "best_bid": "0.18", "best_ask": "0.19"}, approve("5")),
        # post_only unknown on a crossing order below 1 USDC: might be marketable → REJECT
        ({"post_only": None, "size": "5", "price": "0.19", "best_bid": "0.18", "best_ask": "0.19"}, NO),
    ],
)
def test_vote_when_marketable_below_minimum_notional_then_reject(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents(row)) == [expected]


def test_vote_when_notional_needs_twelve_decimals_then_compared_exactly() -> None:
    # size_decimals 6 lets 1.999999 through the precision rule; 1.999999 × 0.50 = 0.9999995 < 1
    # (rounded to 6 decimals it would read 1.000000 and pass); 2.000000 × 0.50 = 1 passes.
    frame = intents({**FOK, "size": "1.999999", "min_order_size": "1"}, {**FOK, "size": "2", "min_order_size": "1"})
    assert vote(bot, frame, size_decimals=6) == [NO, approve("2")]


def test_vote_when_min_marketable_notional_configured_then_threshold_follows() -> None:
    # FOK BUY 20 @ 0.50 → n = 10: passes 10, fails 10.000001; 0 disables the minimum
    frame = intents({**FOK}, {**FOK, "size": "5", "price": "0.01"})  # second: n = 0.05
    assert vote(bot, frame, min_marketable_notional_usdc=Decimal("10")) == [approve(), NO]
    assert vote(bot, frame, min_marketable_notional_usdc=Decimal("10.000001")) == [NO, NO]
    assert vote(bot, frame, min_marketable_notional_usdc=Decimal("0")) == [approve(), approve("5")]


@pytest.mark.parametrize(
    ("row", "config", "expected"),
    [
        ({"size": "2000"}, {}, approve("2000")),  # 2000 × 0.50 = 1000 = max
        ({"size": "2000.01"}, {}, NO),  # 1000.005 > 1000
        ({"size": "1010.1", "price": "0.99"}, {}, approve("1010.1")),  # 999.999
        ({"size": "1010.11", "price": "0.99"}, {}, NO),  # 1000.0089
        ({"size": "20"}, {"max_notional_usdc": Decimal("10")}, approve()),  # 10 = max
        ({"size": "20.01"}, {"max_notional_usdc": Decimal("10")}, NO),  # 10.005
        ({**FOK, "size": "2000.01"}, {}, NO),  # applies to marketable orders too
    ],
)
def test_vote_when_notional_at_max_then_exactly_max_passes(
    row: dict[str, Any], config: dict[str, Any], expected: tuple
) -> None:
    assert vote(bot, intents(row), **config) == [expected]


def test_vote_when_several_rows_then_vectorised_in_order() -> None:
    frame = intents(
        {"intent_id": "a"},  # valid
        {"intent_id": "b", "price": "0.505"},  # off grid
        {"intent_id": "c", "size": "4.99"},  # below minimum
        {"intent_id": "d", "side": "SELL", "size": "7.5", "price": "0.52"},  # valid SELL, n = 3.9
        {"intent_id": "e", **FOK, "size": "5", "price": "0.19"},  # marketable 0.95
        {"intent_id": "f", "size": "2000.01"},  # above max notional
        {"intent_id": "g", "min_order_size": None},
    )
    assert vote(bot, frame) == [approve(), NO, NO, approve("7.5"), NO, NO, NO]


def test_vote_when_same_input_twice_then_same_output() -> None:
    frame = intents({"price": "0.505"}, {})
    assert vote(bot, frame) == vote(bot, frame) == [NO, approve()]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(bot, intents().clear()) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"size_decimals": -1},
        {"size_decimals": 7},
        {"min_marketable_notional_usdc": Decimal("-1")},
        {"max_notional_usdc": Decimal("0")},
        {"max_notional_usdc": Decimal("0.0000001")},  # more than 6 decimals
        {"min_marketable_notional_usdc": Decimal("5"), "max_notional_usdc": Decimal("1")},  # min above max
        {"max_size": 3},
    ],
)
def test_config_when_invalid_then_validation_error(bad: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)


def test_module_when_imported_then_identity() -> None:
    cfg = bot.Config()
    assert (bot.SLUG, bot.VERSION, bot.CODE) == ("risk.order_validity", "0.1.0", CODE)
    assert (cfg.size_decimals, cfg.min_marketable_notional_usdc, cfg.max_notional_usdc) == (2, 1, 1000)
