"""risk.tick_epoch: after a tick-size change, deny until a book on the new grid; optional settle period."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import tick_epoch as bot
from polytraders_tests.bots.frames import T0
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

CODE = "RISK_TICK_EPOCH"
NO = reject(CODE)
C = T0 - 5_000  # the tick change, 5 s before the decision at T0
# After a change 0.01 → 0.001 at C: a book at T0 − 1000 (after C) on the new grid, price on it.
NEW_GRID = {"tick_changed_ms": C, "tick_size": "0.001", "book_tick_size": "0.001", "price": "0.970",
            "fair_value": "0.970", "best_bid": "0.969", "best_ask": "0.971"}


def test_vote_when_healthy_then_approve() -> None:
    # no tick change: the metadata grid holds since the start
    assert vote(bot, intents()) == [approve()]


def test_vote_when_no_tick_change_then_pass_whatever_the_book() -> None:
    # tick_changed_ms null: this bot checks nothing (grid checks are risk.order_validity's)
    frame = intents({"book_ts_ms": None}, {"book_tick_size": "0.001"}, {"price": "0.505"}, {"tick_size": None})
    assert vote(bot, frame) == [approve()] * 4


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({}, approve()),  # fresh book (T0 − 1000 ≥ C) on the new grid, price 970 ticks of 0.001
        ({"book_ts_ms": C}, approve()),  # book stamped at the change itself counts
        ({"book_ts_ms": C - 1}, NO),  # one ms before the change: the old book
        ({"book_ts_ms": None}, NO),  # no book since (or at all)
        ({"book_tick_size": "0.01"}, NO),  # a book still quoted on the old grid
        ({"book_tick_size": None}, NO),
        ({"price": "0.9705"}, NO),  # off the new 0.001 grid
        ({"price": "0.971"}, approve()),
        ({"tick_size": None}, NO),
        ({"tick_size": "0"}, NO),  # no grid (and no division by zero)
        ({"price": None}, NO),
        ({"tick_changed_ms": T0}, NO),  # changed at the decision time: the book at T0 − 1000 predates it
        ({"tick_changed_ms": T0, "book_ts_ms": T0}, approve()),  # a book at T0 = c counts
        ({"tick_changed_ms": T0 + 1, "book_ts_ms": T0}, NO),  # change stamped after the decision
        ({"tick_changed_ms": T0 + 1, "book_ts_ms": T0 + 1}, NO),  # ... even with a book at or after it
        ({"ts_ms": None}, NO),
        # the old change long ago with books on the grid ever since: nothing to deny
        ({"tick_changed_ms": T0 - 86_400_000}, approve()),
    ],
)
def test_vote_when_tick_changed_then_deny_until_fresh_book_on_new_grid(row: dict[str, Any], expected: tuple) -> None:
    assert vote(bot, intents({**NEW_GRID, **row})) == [expected]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (T0 - 2_000, approve()),  # T0 = c + 2000: settle just over
        (T0 - 1_999, NO),  # T0 = c + 1999: still settling
        (T0 - 1_000, NO),  # book at T0 − 1000 = c, but settling until c + 2000
        (T0 - 10_000, approve()),
    ],
)
def test_vote_when_settle_period_configured_then_deny_until_it_ends(changed: int, expected: tuple) -> None:
    frame = intents({**NEW_GRID, "tick_changed_ms": changed})
    assert vote(bot, frame, settle_ms=2_000) == [expected]


def test_vote_when_settle_zero_then_change_at_book_time_passes() -> None:
    # settle 0: c = T0 − 1000 = book_ts_ms → APPROVE; with settle 1 ms still fine (T0 ≥ c + 1)
    frame = intents({**NEW_GRID, "tick_changed_ms": T0 - 1_000})
    assert vote(bot, frame) == [approve()]
    assert vote(bot, frame, settle_ms=1_000) == [approve()]  # T0 = c + 1000
    assert vote(bot, frame, settle_ms=1_001) == [NO]


def test_vote_when_several_rows_then_vectorised_in_order() -> None:
    frame = intents(
        {"intent_id": "a"},  # no change
        {"intent_id": "b", **NEW_GRID},  # fresh book on the new grid
        {"intent_id": "c", **NEW_GRID, "book_ts_ms": C - 1},  # old book
        {"intent_id": "d", **NEW_GRID, "side": "SELL", "size": "6"},
        {"intent_id": "e", **NEW_GRID, "price": "0.9705"},  # off grid
        {"intent_id": "f", "tick_changed_ms": C, "book_tick_size": "0.001"},  # token grid 0.01, book 0.001
    )
    assert vote(bot, frame) == [approve(), approve(), NO, approve("6"), NO, NO]


def test_vote_when_same_input_twice_then_same_output() -> None:
    frame = intents({**NEW_GRID, "book_ts_ms": C - 1}, NEW_GRID)
    assert vote(bot, frame) == vote(bot, frame) == [NO, approve()]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(bot, intents().clear()) == []


@pytest.mark.parametrize("bad", [{"settle_ms": -1}, {"settle_ms": 3_600_001}, {"settle_s": 5}])
def test_config_when_invalid_then_validation_error(bad: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)


def test_module_when_imported_then_identity() -> None:
    assert (bot.SLUG, bot.VERSION, bot.CODE, bot.Config().settle_ms) == ("risk.tick_epoch", "0.1.0", CODE, 0)
