"""risk.resolution_proximity: reduce-only within reduce_only_within_ms of the end date (SELLs up to
the position), nothing within deny_within_ms, unknown end date rejected unless allowed."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.risk import resolution_proximity as bot
from polytraders_tests.bots.frames import T0
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

CODE = "RISK_RESOLUTION_WINDOW"
MIN = 60_000


def _at(t_left_ms: int, **row: object) -> dict:
    """An intent at T0 whose market ends ``t_left_ms`` later."""
    return {"end_ts_ms": T0 + t_left_ms, **row}


def _reduce(size: str) -> tuple[str, D, str]:
    return ("REDUCE", D(size), CODE)


def test_vote_when_healthy_then_approve() -> None:
    assert vote(bot, intents()) == [approve()]  # 30 days left


def test_vote_when_no_intents_then_empty_vote_frame() -> None:
    assert vote(bot, intents().clear()) == []


def test_config_when_defaults_then_documented_values() -> None:
    config = bot.Config()
    assert (config.reduce_only_within_ms, config.deny_within_ms, config.allow_no_end_date) == (300_000, 60_000, False)


@pytest.mark.parametrize(
    ("t_left", "side", "expected"),
    [
        (5 * MIN + 1, "BUY", approve()),  # 1 ms before the reduce-only window
        (5 * MIN, "BUY", reject(CODE)),  # exactly 5 min left: reduce-only, BUYs out
        (5 * MIN, "SELL", approve()),  # SELL 20 holding 50
        (MIN + 1, "SELL", approve()),
        (MIN, "SELL", reject(CODE)),  # exactly 1 min left: nothing passes
        (MIN, "BUY", reject(CODE)),
        (0, "SELL", reject(CODE)),  # at the end date
        (-MIN, "SELL", reject(CODE)),  # past it
    ],
)
def test_vote_when_near_end_date_then_window_applies(t_left: int, side: str, expected: tuple) -> None:
    assert vote(bot, intents(_at(t_left, side=side, position_shares="50"))) == [expected]


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("20", approve()),  # size 20 = position
        ("50", approve()),
        ("12", _reduce("12")),  # SELL 20 holding 12 → 12
        ("5", _reduce("5")),  # = min_order_size 5
        ("4.99", reject(CODE)),  # below min_order_size
        ("0", reject(CODE)),  # nothing to reduce
        (None, reject(CODE)),  # unknown position
    ],
)
def test_vote_when_reduce_only_sell_then_capped_at_position(position: str | None, expected: tuple) -> None:
    assert vote(bot, intents(_at(2 * MIN, side="SELL", position_shares=position))) == [expected]


def test_vote_when_no_end_date_then_rejected_unless_allowed() -> None:
    frame = intents({"end_ts_ms": None}, {"end_ts_ms": None, "side": "SELL"})
    assert vote(bot, frame) == [reject(CODE), reject(CODE)]
    assert vote(bot, frame, allow_no_end_date=True) == [approve(), approve()]


def test_vote_when_long_dated_operator_config_then_hours_apply() -> None:
    hours = {"reduce_only_within_ms": 86_400_000, "deny_within_ms": 3_600_000}  # 24 h / 1 h
    frame = intents(
        _at(86_400_001),  # 24 h + 1 ms: normal
        _at(86_400_000),  # 24 h: reduce-only, BUY out
        _at(7_200_000, side="SELL", position_shares="8"),  # 2 h: SELL 20 holding 8 → 8
        _at(3_600_000, side="SELL", position_shares="50"),  # 1 h: denied
    )
    assert vote(bot, frame, **hours) == [approve(), reject(CODE), _reduce("8"), reject(CODE)]


def test_vote_when_windows_equal_then_no_reduce_only_band() -> None:
    frame = intents(_at(MIN + 1), _at(MIN, side="SELL", position_shares="50"))
    assert vote(bot, frame, reduce_only_within_ms=MIN, deny_within_ms=MIN) == [approve(), reject(CODE)]


def test_vote_when_several_rows_then_each_judged_in_order() -> None:
    frame = intents(
        _at(10 * MIN),  # normal
        _at(3 * MIN),  # reduce-only BUY
        _at(3 * MIN, side="SELL", position_shares="12"),  # → 12
        {"end_ts_ms": None},  # unknown
        _at(30 * MIN, side="SELL", size="100", position_shares="0"),  # outside the windows: not this bot's concern
    )
    assert vote(bot, frame) == [approve(), reject(CODE), _reduce("12"), reject(CODE), approve("100")]


def test_vote_when_same_input_twice_then_same_output() -> None:
    frame = intents(_at(2 * MIN, side="SELL", position_shares="12"), _at(2 * MIN))
    assert vote(bot, frame) == vote(bot, frame) == [_reduce("12"), reject(CODE)]


@pytest.mark.parametrize(
    "bad",
    [
        {"reduce_only_within_ms": -1},
        {"deny_within_ms": -1},
        {"deny_within_ms": 300_001},  # longer than the default reduce-only window
        {"reduce_only_within_ms": 59_999},  # shorter than the default deny window
        {"unknown": 1},
    ],
)
def test_config_when_invalid_then_validation_error(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)
