"""risk.market_quality: reject gapped / one-sided books; cap size at a fraction of the touch it meets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import market_quality as bot
from polytraders_tests.bots.risk.frames import D, approve, intents, reject, vote

CODE = "RISK_MARKET_QUALITY"
NO = reject(CODE)


def reduce(size: str) -> tuple[str, Decimal, str]:
    return ("REDUCE", D(size), CODE)


def test_vote_when_healthy_then_approve() -> None:
    # BUY 20 @ 0.50 rests (< ask 0.51): reference = bid size 100, cap 0.5 × 100 = 50 ≥ 20.
    assert vote(bot, intents()) == [approve()]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"spread_ticks": 10}, approve()),  # = max 10
        ({"spread_ticks": 11}, NO),  # a gap at the touch
        ({"spread_ticks": 1}, approve()),
        ({"spread_ticks": 0}, NO),  # locked touch: inconsistent data
        ({"spread_ticks": -1}, NO),  # crossed touch
        ({"spread_ticks": None}, NO),
        ({"best_bid": None}, NO),  # one side empty
        ({"best_ask": None}, NO),
        ({"best_bid_size": None}, NO),
        ({"best_ask_size": None}, NO),  # even for a resting BUY, which reads the bid size
    ],
)
def test_vote_when_book_gapped_or_one_sided_then_reject(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents(row)) == [expected]


def test_vote_when_max_spread_configured_then_limit_follows() -> None:
    frame = intents({"spread_ticks": 3}, {"spread_ticks": 4})
    assert vote(bot, frame, max_spread_ticks=3) == [approve(), NO]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # resting BUY 20 @ 0.50 (ask 0.51): reference = best_bid_size; cap = 0.5 × bid size, floor 2 dp
        ({"best_bid_size": "40"}, approve()),  # cap 20 = size
        ({"best_bid_size": "39.99"}, reduce("19.99")),  # 19.995 → 19.99
        ({"best_bid_size": "30"}, reduce("15")),
        ({"best_bid_size": "33.33"}, reduce("16.66")),  # 16.665 → 16.66
        ({"best_bid_size": "10"}, reduce("5")),  # cap 5 = minimum 5
        ({"best_bid_size": "9.99"}, NO),  # 4.995 → 4.99 < 5
        ({"best_bid_size": "0"}, NO),  # cap 0
        ({"best_bid_size": "100", "best_ask_size": "1"}, approve()),  # the other side's size is not read
        ({"best_bid_size": "30", "min_order_size": None}, NO),  # cap below size, minimum unknown
        ({"best_bid_size": "40", "min_order_size": None}, approve()),  # full size: minimum not needed
        # crossing BUY (price ≥ ask 0.51): reference = best_ask_size
        ({"price": "0.51", "best_ask_size": "25"}, reduce("12.5")),  # 0.5 × 25
        ({"price": "0.52", "best_ask_size": "25"}, reduce("12.5")),  # through the ask
        ({"price": "0.51", "best_ask_size": "40", "best_bid_size": "1"}, approve()),
        # resting SELL 20 @ 0.50 (> bid 0.49): reference = best_ask_size
        ({"side": "SELL", "best_ask_size": "30", "best_bid_size": "100"}, reduce("15")),
        ({"side": "SELL", "best_ask_size": "100", "best_bid_size": "1"}, approve()),
        # crossing SELL (price ≤ bid 0.49): reference = best_bid_size
        ({"side": "SELL", "price": "0.49", "best_bid_size": "25", "best_ask_size": "100"}, reduce("12.5")),
        ({"side": "SELL", "price": "0.48", "best_bid_size": "25"}, reduce("12.5")),
        # unknown price or side: the touch it meets is unknown
        ({"price": None}, NO),
        ({"side": None}, NO),
    ],
)
def test_vote_when_touch_thin_then_size_capped_to_fraction_of_touch_met(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents(row)) == [expected]


@pytest.mark.parametrize(
    ("row", "config", "expected"),
    [
        ({"best_bid_size": "20"}, {"max_touch_fraction": Decimal("1")}, approve()),  # cap 20
        ({"best_bid_size": "19.99"}, {"max_touch_fraction": Decimal("1")}, reduce("19.99")),
        ({"best_bid_size": "30"}, {"max_touch_fraction": Decimal("0.333333")}, reduce("9.99")),  # 9.99999
        ({"best_bid_size": "33.33"}, {"size_decimals": 0}, reduce("16")),  # 16.665 → 16
        ({"best_bid_size": "30"}, {"max_touch_fraction": Decimal("0.333333"), "size_decimals": 6},
         reduce("9.99999")),
        # exactness: 0.333333 × 3.000003 = 0.999999999999 → 0.999999 (rounding at 6 decimals would give 1)
        ({"best_bid_size": "3.000003", "size": "1", "min_order_size": "0.5"},
         {"max_touch_fraction": Decimal("0.333333"), "size_decimals": 6}, reduce("0.999999")),
    ],
)
def test_vote_when_fraction_or_decimals_configured_then_cap_rounds_down_exactly(
    row: dict[str, Any], config: dict[str, Any], expected: tuple
) -> None:
    assert vote(bot, intents(row), **config) == [expected]


def test_vote_when_several_rows_then_vectorised_in_order() -> None:
    frame = intents(
        {"intent_id": "a"},  # healthy
        {"intent_id": "b", "spread_ticks": 11},  # gap
        {"intent_id": "c", "best_bid_size": "30"},  # cap 15
        {"intent_id": "d", "side": "SELL", "price": "0.49", "best_bid_size": "9"},  # cap 4.5 < 5
        {"intent_id": "e", "best_ask": None},  # one-sided
        {"intent_id": "f", "price": "0.51", "size": "7", "best_ask_size": "14"},  # cap 7 = size
    )
    assert vote(bot, frame) == [approve(), NO, reduce("15"), NO, NO, approve("7")]


def test_vote_when_same_input_twice_then_same_output() -> None:
    frame = intents({"best_bid_size": "30"}, {})
    assert vote(bot, frame) == vote(bot, frame) == [reduce("15"), approve()]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(bot, intents().clear()) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"max_spread_ticks": 0},
        {"max_spread_ticks": 1001},
        {"max_touch_fraction": Decimal("0")},
        {"max_touch_fraction": Decimal("1.01")},
        {"max_touch_fraction": Decimal("0.1234567")},  # more than 6 decimals
        {"size_decimals": 7},
        {"size_decimals": -1},
        {"min_depth": 3},
    ],
)
def test_config_when_invalid_then_validation_error(bad: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)


def test_module_when_imported_then_identity() -> None:
    cfg = bot.Config()
    assert (bot.SLUG, bot.VERSION, bot.CODE) == ("risk.market_quality", "0.1.0", CODE)
    assert (cfg.max_spread_ticks, cfg.max_touch_fraction, cfg.size_decimals) == (10, Decimal("0.5"), 2)
