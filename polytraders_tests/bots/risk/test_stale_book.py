"""risk.stale_book: a missing or structurally bad book, or a dead feed, is rejected; a quiet market on a
live feed is not."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import stale_book
from polytraders_tests.bots.frames import T0
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

STALE = reject("RISK_STALE_BOOK")


def test_vote_when_healthy_row_and_default_config_then_approve() -> None:
    assert vote(stale_book, intents()) == [approve()]  # book and last data 1 s old, budget 120 s


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"book_ts_ms": T0}, approve()),  # age 0, feed alive
        # a quiet market: the book is 10 minutes old (far past any freshness budget), the feed alive
        ({"book_ts_ms": T0 - 600_000}, approve()),
        ({"book_ts_ms": None}, STALE),  # no book: fail closed
        ({"book_quality": "WARN"}, approve()),  # arrived late, not structural
        ({"book_quality": "HARD"}, STALE),
        ({"book_quality": "FAIL"}, STALE),
        ({"book_quality": None}, STALE),  # quality unknown: fail closed
        ({"book_quality": "HARD", "side": "SELL"}, STALE),  # SELLs too
    ],
)
def test_vote_when_book_state_then_vote(row: dict[str, Any], expected: tuple) -> None:
    assert vote(stale_book, intents(row)) == [expected]


@pytest.mark.parametrize(
    ("last_ms", "budget_ms", "expected"),
    [
        (T0, 120_000, approve()),  # data received at the decision time: silence 0
        (T0 - 120_000, 120_000, approve()),  # silent exactly the budget: still alive
        (T0 - 120_001, 120_000, STALE),  # 120,001 > 120,000: dead feed
        (T0 - 500, 499, STALE),  # the budget is the run's, per row: 500 > 499
        (T0 - 499, 499, approve()),  # 499 = 499
        (None, 120_000, STALE),  # no data frame yet on the channel
        (T0 - 1_000, None, STALE),  # budget unknown: fail closed
    ],
)
def test_vote_when_feed_state_then_dead_feed_rejected_even_with_a_fresh_book(
    last_ms: int | None, budget_ms: int | None, expected: tuple
) -> None:
    row = {"book_ts_ms": T0, "feed_last_data_ms": last_ms, "feed_liveness_budget_ms": budget_ms}
    assert vote(stale_book, intents(row)) == [expected]


def test_vote_when_rows_at_different_times_then_silence_measured_per_row_in_order() -> None:
    # one feed, last data at T0 − 1000: silence 1,000 / 119,000 / 120,000 / 120,001 ms
    frame = intents(
        {"ts_ms": T0, "size": "5"},
        {"ts_ms": T0 + 118_000},
        {"ts_ms": T0 + 119_000, "size": "6"},
        {"ts_ms": T0 + 119_001},
    )
    assert vote(stale_book, frame) == [approve("5"), approve(), approve("6"), STALE]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(stale_book, intents().clear()) == []


def test_config_when_a_parameter_given_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="max_book_age_ms"):
        stale_book.Config(max_book_age_ms=5_000)
