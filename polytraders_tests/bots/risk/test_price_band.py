"""risk.price_band: venue range [tick, 1 − tick], k ticks from fair value, post-only never crosses."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import price_band as bot
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

CODE = "RISK_PRICE_BAND"
NO = reject(CODE)
NO_FAIR = {"fair_value": None}
TAKER = {"post_only": False}


def test_vote_when_healthy_then_approve() -> None:
    # BUY 20 @ 0.50, tick 0.01, fair 0.50, post-only, book 0.49 / 0.51: every rule passes.
    assert vote(bot, intents()) == [approve()]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # tick 0.01 → valid range [0.01, 0.99]; no fair value so only (a) and (c) apply.
        ({"price": "0.01"}, approve()),  # = tick: lowest valid price
        ({"price": "0.009"}, NO),  # 0.009 < 0.01
        ({"price": "0"}, NO),
        ({"price": "0.99", **TAKER}, approve()),  # = 1 − 0.01: highest valid price
        ({"price": "0.991", **TAKER}, NO),  # 0.991 > 0.99
        ({"price": "1", **TAKER}, NO),
        # tick 0.001 → [0.001, 0.999]
        ({"price": "0.001", "tick_size": "0.001"}, approve()),
        ({"price": "0.000999", "tick_size": "0.001"}, NO),  # one micro-unit below the tick
        ({"price": "0.999", "tick_size": "0.001", **TAKER}, approve()),
        ({"price": "0.999001", "tick_size": "0.001", **TAKER}, NO),  # one micro-unit above 1 − tick
        # tick 0.1 → [0.1, 0.9]
        ({"price": "0.09", "tick_size": "0.1"}, NO),
        ({"price": "0.9", "tick_size": "0.1", **TAKER}, approve()),
        ({"price": "0.91", "tick_size": "0.1", **TAKER}, NO),
    ],
)
def test_vote_when_price_at_range_edges_then_only_inside_approves(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents({**NO_FAIR, **row})) == [expected]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # fair 0.50, tick 0.01, k = 10 → band 0.10: [0.40, 0.60]
        ({"price": "0.40"}, approve()),  # |0.40 − 0.50| = 0.10 = 10 ticks exactly
        ({"price": "0.39"}, NO),  # 0.11 > 0.10
        ({"price": "0.60", **TAKER}, approve()),  # 0.10 = 10 ticks (not post-only: 0.60 ≥ ask 0.51)
        ({"price": "0.61", **TAKER}, NO),  # 0.11
        ({"price": "0.605", **TAKER}, NO),  # 0.105 > 0.10 (off-grid prices are measured exactly)
        ({"price": "0.595", **TAKER}, approve()),  # 0.095 ≤ 0.10
        ({"price": "0.400001"}, approve()),  # 0.099999
        ({"price": "0.399999"}, NO),  # 0.100001
        # tick 0.001 → band 10 × 0.001 = 0.010: [0.490, 0.510]
        ({"price": "0.510", "tick_size": "0.001", **TAKER}, approve()),
        ({"price": "0.511", "tick_size": "0.001", **TAKER}, NO),
        ({"price": "0.489", "tick_size": "0.001"}, NO),
        # fair near the edge: fair 0.95, price 0.85 = 10 ticks below → APPROVE; 0.84 → 11 ticks
        ({"price": "0.85", "fair_value": "0.95", **TAKER}, approve()),
        ({"price": "0.84", "fair_value": "0.95", **TAKER}, NO),
    ],
)
def test_vote_when_price_near_fair_band_edges_then_exactly_k_ticks_passes(
    row: dict[str, Any], expected: tuple
) -> None:
    assert vote(bot, intents(row)) == [expected]


def test_vote_when_custom_k_then_band_follows() -> None:
    # k = 3, tick 0.01 → band 0.03: 0.47 and 0.53 pass, 0.46 and 0.54 do not
    frame = intents({"price": "0.47"}, {"price": "0.46"}, {"price": "0.53", **TAKER}, {"price": "0.54", **TAKER})
    assert vote(bot, frame, max_ticks_from_fair=3) == [approve(), NO, approve(), NO]
    # k = 1: only the adjacent ticks 0.49 / 0.51
    frame = intents({"price": "0.49"}, {"price": "0.48"})
    assert vote(bot, frame, max_ticks_from_fair=1) == [approve(), NO]


def test_vote_when_fair_value_null_then_config_decides() -> None:
    # 0.30 is 20 ticks from 0.50, but with no fair value the band rule is skipped by default
    frame = intents({"price": "0.30", **NO_FAIR}, {"price": "0.30"})
    assert vote(bot, frame) == [approve(), NO]
    assert vote(bot, frame, require_fair_value=True) == [NO, NO]
    # require_fair_value does not change anything when the fair value is known
    assert vote(bot, intents(), require_fair_value=True) == [approve()]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # book 0.49 / 0.51, post-only
        ({"side": "BUY", "price": "0.51"}, NO),  # = best ask: would take
        ({"side": "BUY", "price": "0.52"}, NO),  # through the ask
        ({"side": "BUY", "price": "0.50"}, approve()),  # one tick below the ask: rests
        ({"side": "SELL", "price": "0.49"}, NO),  # = best bid
        ({"side": "SELL", "price": "0.48"}, NO),
        ({"side": "SELL", "price": "0.50"}, approve()),
        # not post-only: crossing is allowed (a taker)
        ({"side": "BUY", "price": "0.51", **TAKER}, approve()),
        ({"side": "SELL", "price": "0.49", **TAKER}, approve()),
        # empty opposite side: nothing to cross
        ({"side": "BUY", "price": "0.51", "best_ask": None}, approve()),
        ({"side": "SELL", "price": "0.49", "best_bid": None}, approve()),
        # the own side's emptiness does not matter
        ({"side": "BUY", "price": "0.51", "best_bid": None}, NO),
    ],
)
def test_vote_when_post_only_at_touch_then_crossing_rejects(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents(row)) == [expected]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"tick_size": None}, NO),  # no grid: nothing can be checked
        ({"tick_size": "0"}, NO),  # a zero tick is no grid either (and must not divide)
        ({"price": None}, NO),
        ({"post_only": None, "price": "0.51"}, NO),  # would cross if post-only: unknown → REJECT
        ({"post_only": None, "price": "0.50"}, approve()),  # crosses nothing: post_only irrelevant
        ({"side": None}, NO),  # post-only with unknown side: crossing unknown
        ({"side": None, **TAKER}, approve()),  # not post-only: side irrelevant to this bot
        ({"best_ask": None, "best_bid": None}, approve()),  # no book: risk.stale_book's case
    ],
)
def test_vote_when_inputs_null_then_reject_only_where_needed(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents(row)) == [expected]


def test_vote_when_several_rows_then_vectorised_in_order() -> None:
    frame = intents(
        {"intent_id": "a"},  # healthy
        {"intent_id": "b", "price": "0.51"},  # post-only crosses the ask
        {"intent_id": "c", "price": "0.39"},  # 11 ticks below fair
        {"intent_id": "d", "side": "SELL", "price": "0.55", "size": "7"},  # 5 ticks above fair, above the bid
        {"intent_id": "e", "tick_size": None},
        {"intent_id": "f", "price": "0.99", **TAKER, **NO_FAIR},  # top of the range
    )
    assert vote(bot, frame) == [approve(), NO, NO, approve("7"), NO, approve()]


def test_vote_when_same_input_twice_then_same_output() -> None:
    frame = intents({"price": "0.61", **TAKER}, {})
    assert vote(bot, frame) == vote(bot, frame) == [NO, approve()]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(bot, intents().clear()) == []


@pytest.mark.parametrize(
    "bad", [{"max_ticks_from_fair": 0}, {"max_ticks_from_fair": 1001}, {"max_ticks_from_fair": -1}, {"band": 3}]
)
def test_config_when_invalid_then_validation_error(bad: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)


def test_module_when_imported_then_identity() -> None:
    assert (bot.SLUG, bot.VERSION, bot.CODE) == ("risk.price_band", "0.1.0", CODE)
    assert (bot.Config().max_ticks_from_fair, bot.Config().require_fair_value) == (10, False)
