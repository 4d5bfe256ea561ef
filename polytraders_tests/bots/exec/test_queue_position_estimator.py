"""exec.queue_position_estimator: risk-averse FIFO queue (placement size, trades at our price, level caps)."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.exec import queue_position_estimator as qpe
from polytraders.contracts.frames import empty_frame
from polytraders.contracts.types import Side
from polytraders_tests.bots.frames import T0, TOKEN_ID, books, trades

ASK = [("0.52", "50")]
# Placement book (dt 0): 100 at 0.48; at dt 200 the level grew to 130 (orders behind us); at dt 400 it
# shrank to 40 (cancellations: they cap what can be ahead of us).
BOOKS = books(
    ("yes", 0, [("0.48", "100"), ("0.47", "50")], ASK),
    ("yes", 200, [("0.48", "130")], ASK),
    ("yes", 400, [("0.48", "40")], ASK),
    ("no", 0, [("0.48", "999")], ASK),  # another token: ignored
)
TRADES = trades(
    ("yes", 100, "0.48", "10", "SELL"),  # at the placement millisecond: before us, not counted
    ("yes", 150, "0.48", "20", "SELL"),  # counted
    ("yes", 300, "0.48", "15", "SELL"),  # counted
    ("yes", 350, "0.48", "99", "BUY"),  # aggressor on our side: does not hit our bid
    ("yes", 360, "0.47", "99", "SELL"),  # another price
    ("no", 300, "0.48", "99", "SELL"),  # another token
)
BID = qpe.RestingOrder(TOKEN_ID["yes"], Side.BUY, D("0.48"), T0 + 100)


def test_queue_ahead_at_placement_is_level_size() -> None:
    # Only the placement book counts; the print at T0+100 is not after placement: 100.
    assert qpe.queue_ahead(BID, BOOKS, TRADES, T0 + 100) == D("100")


def test_queue_ahead_when_trades_and_level_growth_then_only_trades_advance() -> None:
    # 100 − 20 (T0+150) = 80; book at T0+200 caps at 130: 80; − 15 (T0+300) = 65.
    # Closed form: S = 0, 20 at the books; min(100 + 0, 130 + 20) − 35 = 65.
    assert qpe.queue_ahead(BID, BOOKS, TRADES, T0 + 350) == D("65")


def test_queue_ahead_when_level_shrinks_then_capped_at_level_size() -> None:
    # ... 65, then the book at T0+400 shows 40 at 0.48: min(65, 40) = 40.
    # Closed form: min(100 + 0, 130 + 20, 40 + 35) − 35 = 75 − 35 = 40.
    assert qpe.queue_ahead(BID, BOOKS, TRADES, T0 + 500) == D("40")


def test_queue_ahead_when_trades_exceed_queue_then_zero() -> None:
    more = trades(("yes", 450, "0.48", "60", "SELL"))  # 40 − 60 < 0 → 0
    both = TRADES.vstack(more)
    assert qpe.queue_ahead(BID, BOOKS, both, T0 + 500) == D("0")


def test_queue_ahead_when_trade_and_book_share_a_time_then_trade_applies_first() -> None:
    # A 5-share print at T0+400, the book's time: 65 − 5 = 60, then min(60, 40) = 40 (book first would give 35).
    # Closed form: min(100, 130 + 20, 40 + 40) − 40 = 80 − 40 = 40.
    same = TRADES.vstack(trades(("yes", 400, "0.48", "5", "SELL")))
    assert qpe.queue_ahead(BID, BOOKS, same, T0 + 500) == D("40")


def test_queue_ahead_when_level_absent_then_zero() -> None:
    # Nothing at 0.49 on the bid side at placement: we are first.
    order = qpe.RestingOrder(TOKEN_ID["yes"], Side.BUY, D("0.49"), T0 + 100)
    assert qpe.queue_ahead(order, BOOKS, TRADES, T0 + 500) == D("0")


def test_queue_ahead_when_no_placement_book_then_first_later_book_starts_it() -> None:
    # Books only from T0+200: start at 130; − 15 (T0+300) = 115. The T0+150 print precedes the first book.
    # Closed form: min(130 + 20) − 35 = 115.
    later = BOOKS.filter(BOOKS["ts_ms"] >= T0 + 200)
    assert qpe.queue_ahead(BID, later, TRADES, T0 + 350) == D("115")


def test_queue_ahead_for_a_sell_reads_asks_and_buy_aggressors() -> None:
    # Ask 0.52 × 50 at placement; a BUY print of 20 at 0.52 lifts it: 30; the SELL print does not.
    order = qpe.RestingOrder(TOKEN_ID["yes"], Side.SELL, D("0.52"), T0 + 100)
    prints = trades(("yes", 150, "0.52", "20", "BUY"), ("yes", 160, "0.52", "7", "SELL"))
    assert qpe.queue_ahead(order, BOOKS, prints, T0 + 180) == D("30")


def test_queue_ahead_when_no_book_then_none() -> None:
    assert qpe.queue_ahead(BID, empty_frame("OrderBookSnapshot"), TRADES, T0 + 500) is None
    assert qpe.queue_ahead(BID, BOOKS, TRADES, T0 - 1) is None  # nothing at or before as_of


def test_queue_ahead_when_no_trades_then_min_of_levels() -> None:
    # min(100, 130, 40) = 40.
    assert qpe.queue_ahead(BID, BOOKS, empty_frame("TradePrint"), T0 + 500) == D("40")


def test_queue_ahead_is_independent_of_row_order() -> None:
    assert qpe.queue_ahead(BID, BOOKS.reverse(), TRADES.reverse(), T0 + 500) == D("40")


@pytest.mark.parametrize(
    ("ahead", "limit", "code"),
    [
        ("0", "1000", "EXEC_QUEUE_KEEP"),
        ("1000", "1000", "EXEC_QUEUE_KEEP"),  # not more than the limit
        ("1000.000001", "1000", "EXEC_QUEUE_REPRICE"),
        ("41", "40", "EXEC_QUEUE_REPRICE"),
    ],
)
def test_decide_when_queue_over_limit_then_reprice(ahead: str, limit: str, code: str) -> None:
    assert qpe.decide(D(ahead), qpe.Config(max_queue_ahead_shares=D(limit))) == code


def test_decide_default_limit_is_1000_shares() -> None:
    assert qpe.decide(D("1001"), qpe.Config()) == "EXEC_QUEUE_REPRICE"
    assert qpe.decide(D("1000"), qpe.Config()) == "EXEC_QUEUE_KEEP"


@pytest.mark.parametrize("bad", [{"max_queue_ahead_shares": "-1"}, {"other": 1}])
def test_config_when_invalid_then_raises(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        qpe.Config(**bad)
