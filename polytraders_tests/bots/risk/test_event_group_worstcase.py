"""risk.event_group_worstcase: an order may not push the event group's worst case below −limit;
it is cut to the largest size that keeps it there, and an order that improves it passes."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.risk import event_group_worstcase as bot
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

CODE = "RISK_EVENT_GROUP"


def _reduce(size: str) -> tuple[str, D, str]:
    return ("REDUCE", D(size), CODE)


def _row(side: str, price: str, size: str, wins: str | None, loses: str | None) -> dict:
    return {"side": side, "price": price, "size": size, "token_wins_pnl_usdc": wins, "token_loses_pnl_usdc": loses}


def test_vote_when_healthy_then_approve() -> None:
    # W' = 0 + 20·0.5 = 10, L' = 0 − 20·0.5 = −10 >= −200
    assert vote(bot, intents()) == [approve()]


def test_vote_when_no_intents_then_empty_vote_frame() -> None:
    assert vote(bot, intents().clear()) == []


def test_config_when_defaults_then_documented_values() -> None:
    assert (bot.Config().max_event_loss_usdc, bot.Config().size_decimals) == (200, 2)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("399.999999", approve("399.999999")),  # L' = −199.9999995
        ("400", approve("400")),  # L' = −400·0.5 = −200: exactly the limit passes
        ("400.000001", _reduce("400")),  # L' = −200.0000005: cut to (0 + 200)/0.5 = 400
        ("500", _reduce("400")),  # the worked example
    ],
)
def test_vote_when_buy_reaches_the_limit_then_reduced_to_it(size: str, expected: tuple) -> None:
    assert vote(bot, intents(_row("BUY", "0.50", size, "0", "0"))) == [expected]


@pytest.mark.parametrize(
    ("decimals", "expected"),
    [
        (2, _reduce("666.66")),  # 200/0.30 = 666.666…: −666.66·0.3 = −199.998; 666.67 → −200.001
        (0, _reduce("666")),
        (6, _reduce("666.666666")),  # −199.9999998
    ],
)
def test_vote_when_reduced_then_rounded_down_to_size_decimals(decimals: int, expected: tuple) -> None:
    assert vote(bot, intents(_row("BUY", "0.30", "1000", "0", "0")), size_decimals=decimals) == [expected]


@pytest.mark.parametrize(
    ("loses", "expected"),
    [
        ("-197.5", _reduce("5")),  # (−197.5 + 200)/0.5 = 5 = min_order_size
        ("-197.6", reject(CODE)),  # 4.8 < 5: no order the venue takes
        ("-200", reject(CODE)),  # no headroom
        ("-250", reject(CODE)),  # already beyond the limit on the falling leg: 0
    ],
)
def test_vote_when_headroom_below_min_order_size_then_rejected(loses: str, expected: tuple) -> None:
    assert vote(bot, intents(_row("BUY", "0.50", "20", "100", loses))) == [expected]


def test_vote_when_order_improves_worst_case_beyond_limit_then_approved() -> None:
    # W = −300 (the token winning hurts), L = 100: BUY 100 @ 0.5 → W' = −250, L' = 50: worst −300 → −250
    assert vote(bot, intents(_row("BUY", "0.50", "100", "-300", "100"))) == [approve("100")]


def test_vote_when_beyond_limit_and_order_overshoots_then_cut_to_no_worse_than_before() -> None:
    # W = −300, L = 100; BUY 1000 @ 0.5 → W' = 200, L' = −400 < −300 (worse). floor = min(−200, −300) = −300;
    # x = (100 + 300)/0.5 = 800 → worst min(100, −300) = −300: no worse, while 800 shares as an order would pass whole
    assert vote(bot, intents(_row("BUY", "0.50", "1000", "-300", "100"))) == [_reduce("800")]
    assert vote(bot, intents(_row("BUY", "0.50", "800", "-300", "100"))) == [approve("800")]


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("100", approve("100")),  # W' = 150 − 60 = 90, L' = −150 + 40 = −110: improves −150
        ("500", approve("500")),  # W' = 150 − 300 = −150, L' = −150 + 200 = 50: worst −150 unchanged, >= −200
        ("583.333333", approve("583.333333")),  # W' = 150 − 349.9999998 = −199.9999998
        ("600", _reduce("583.33")),  # W' = −210: x = (150 + 200)/0.6 = 583.33…
    ],
)
def test_vote_when_sell_then_winning_leg_falls_by_one_minus_price(size: str, expected: tuple) -> None:
    # group PnL W = 150, L = −150; a SELL at 0.40 gives up 1 − 0.40 per share if the token wins, gains 0.40 if not
    assert vote(bot, intents(_row("SELL", "0.40", size, "150", "-150"))) == [expected]


@pytest.mark.parametrize(
    "row",
    [
        _row("BUY", "0.50", "20", None, "0"),
        _row("BUY", "0.50", "20", "0", None),
        _row("SELL", "0.50", "20", None, "0"),
        _row("BUY", "0.50", "20", None, None),
    ],
)
def test_vote_when_group_pnl_unknown_then_rejected(row: dict) -> None:
    assert vote(bot, intents(row)) == [reject(CODE)]


@pytest.mark.parametrize("price", ["0", "1"])
def test_vote_when_price_outside_open_unit_interval_then_rejected(price: str) -> None:
    assert vote(bot, intents(_row("BUY", price, "20", "0", "0"), _row("SELL", price, "20", "0", "0"))) == [
        reject(CODE),
        reject(CODE),
    ]


def test_vote_when_min_order_size_unknown_then_only_full_orders_pass() -> None:
    frame = intents(
        {**_row("BUY", "0.50", "20", "0", "0"), "min_order_size": None},  # L' = −10
        {**_row("BUY", "0.50", "500", "0", "0"), "min_order_size": None},  # would be cut to 400
    )
    assert vote(bot, frame) == [approve(), reject(CODE)]


def test_vote_when_several_rows_then_each_judged_in_order() -> None:
    frame = intents(
        _row("BUY", "0.50", "500", "0", "0"),  # → 400
        _row("SELL", "0.40", "100", "150", "-150"),  # improves
        _row("BUY", "0.50", "20", None, "0"),  # unknown
        _row("BUY", "0.50", "20", "0", "0"),  # −10
    )
    assert vote(bot, frame) == [_reduce("400"), approve("100"), reject(CODE), approve()]


def test_vote_when_limit_configured_then_used() -> None:
    # limit 5: BUY 20 @ 0.5 → L' = −10 < −5 → x = 5/0.5 = 10
    assert vote(bot, intents(), max_event_loss_usdc="5") == [_reduce("10")]
    assert vote(bot, intents(), max_event_loss_usdc="10") == [approve()]


@pytest.mark.parametrize(
    "bad",
    [{"max_event_loss_usdc": "0"}, {"max_event_loss_usdc": "-1"}, {"size_decimals": 7}, {"size_decimals": -1}],
)
def test_config_when_invalid_then_validation_error(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)
