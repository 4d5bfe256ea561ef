"""runtime.risk_context: the market columns of each PLACE intent, as of its time, and the mock
venue's keep-alives.

Markets and tokens are those of ``polytraders_tests.bots.frames`` (m1 = "yes" / "no", m2 = "y2" /
"n2"); times are offsets from its T0 in ms. Every source is joined backward as of the intent's
``ts_ms``: a row at exactly ``ts_ms`` is seen, a row 1 ms later is not.
"""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pytest

from polytraders.adapters.budgets import FreshnessBudgets
from polytraders.bots.risk.context import RISK_FRAME_SCHEMA, VENUE_EVENT_SCHEMA
from polytraders.contracts import FairValue, OrderIntent, TokenState
from polytraders.contracts.frames import empty_frame, to_frame
from polytraders.runtime.feed import RECEIPT_SCHEMA
from polytraders.runtime.risk_context import (
    HEARTBEAT_MS,
    MARKET_COLUMNS,
    PORTFOLIO_COLUMNS,
    USER_KEEPALIVE_MS,
    MarketInputs,
    keepalives,
    market_columns,
)
from polytraders_tests.bots.frames import T0, TOKEN_ID, books, condition, instruments, market, tops

HASH = "ab" * 32


def _places(*rows: tuple) -> pl.DataFrame:
    """OrderIntent frame of ``(intent_id, token, dt[, side])`` PLACE rows (BUY 10 @ 0.50 unless said)."""
    return to_frame("OrderIntent", [
        OrderIntent(intent_id=iid, strategy="strat.maker_tight", condition_id=condition(tok), token_id=TOKEN_ID[tok],
                    ts_ms=T0 + dt, side=rest[0] if rest else "BUY", price=D("0.50"), size=D(10))
        for iid, tok, dt, *rest in rows
    ])  # fmt: skip


def _inputs(**frames) -> MarketInputs:
    base = {"instruments": instruments(market("m1", end_dt=3_600_000)),
            "market_snapshots": empty_frame("MarketSnapshot")}
    return MarketInputs(**{**base, **frames})


def _cols(out: pl.DataFrame, *columns: str) -> list[tuple]:
    """Rows of ``intent_id`` and ``columns``; Int64 times as offsets from T0."""
    shifted = [pl.col(c) - T0 if c.endswith("_ms") and c != "feed_liveness_budget_ms" else pl.col(c) for c in columns]
    return out.select("intent_id", *shifted).rows()


def _state(tok: str, dt: int, tick: str, status: str = "ACTIVE", source: str = "metadata", *, active: bool = True,
           accepting: bool = True) -> TokenState:
    return TokenState(condition_id=condition(tok), token_id=TOKEN_ID[tok], as_of_ms=T0 + dt, tick_size=D(tick),
                      status=status, active=active, accepting_orders=accepting, source=source, provenance_hash=HASH)


# --- shape ------------------------------------------------------------------------------------


def test_market_columns_when_called_then_market_columns_of_the_risk_frame_with_intent_fields() -> None:
    out = market_columns(_places(("a", "yes", 0, "SELL")), _inputs())
    assert out.columns == list(MARKET_COLUMNS)
    assert set(MARKET_COLUMNS) | set(PORTFOLIO_COLUMNS) == set(RISK_FRAME_SCHEMA)
    assert all(out.schema[c] == RISK_FRAME_SCHEMA[c] for c in MARKET_COLUMNS)
    row = out.row(0, named=True)
    assert (row["intent_id"], row["strategy"], row["condition_id"], row["token_id"], row["ts_ms"], row["side"],
            row["price"], row["size"], row["order_type"], row["post_only"]) == (
        "a", "strat.maker_tight", condition("yes"), TOKEN_ID["yes"], T0, "SELL", D("0.50"), D(10), "GTC", True)


def test_market_columns_when_rows_out_of_time_order_then_input_order_kept() -> None:
    # rows given as 300 "no", 0 "yes", 100 "yes", 100 "no": each keeps its place and its own values.
    snaps = tops(("yes", 0, "0.40", "0.42"), ("yes", 100, "0.41", "0.43"), ("no", 50, "0.57", "0.59"),
                 ("no", 250, "0.55", "0.58"))
    out = market_columns(_places(("c", "no", 300), ("a", "yes", 0), ("b", "yes", 100), ("d", "no", 100)),
                         _inputs(market_snapshots=snaps))
    assert _cols(out, "ts_ms", "book_ts_ms", "best_bid") == [
        ("c", 300, 250, D("0.55")), ("a", 0, 0, D("0.40")), ("b", 100, 100, D("0.41")), ("d", 100, 50, D("0.57"))]


def test_market_columns_when_no_intents_then_empty_frame_with_the_columns() -> None:
    out = market_columns(empty_frame("OrderIntent"), _inputs())
    assert out.is_empty() and out.columns == list(MARKET_COLUMNS)


# --- instruments ------------------------------------------------------------------------------


def test_market_columns_when_token_unknown_then_instrument_known_false_and_nulls() -> None:
    # m1 listed (ends at T0 + 1 h, category Sports, min size 5); m2 is not; "y3" is m3's token, not
    # listed under any market.
    unlisted = OrderIntent(intent_id="c", strategy="strat.maker_tight", condition_id=condition("yes"),
                           token_id=TOKEN_ID["y3"], ts_ms=T0, side="BUY", price=D("0.5"), size=D(10))
    frame = pl.concat([_places(("a", "yes", 0), ("b", "y2", 0)), to_frame("OrderIntent", [unlisted])])
    out = market_columns(frame, _inputs())
    assert _cols(out, "instrument_known", "category", "min_order_size", "neg_risk", "neg_risk_market_id",
                 "end_ts_ms", "closed", "uma_resolution_status") == [
        ("a", True, "Sports", D(5), False, None, 3_600_000, False, None),
        ("b", False, None, None, None, None, None, None, None),
        ("c", False, None, None, None, None, None, None, None),
    ]  # fmt: skip


def test_market_columns_when_neg_risk_market_then_group_columns() -> None:
    listed = instruments(market("m1", neg_risk_group="g1"), market("m2", neg_risk_group="g1"))
    out = market_columns(_places(("a", "no", 0), ("b", "y2", 0)), _inputs(instruments=listed))
    assert _cols(out, "neg_risk", "neg_risk_market_id", "end_ts_ms") == [
        ("a", True, "g1", None), ("b", True, "g1", None)]


def test_market_columns_when_several_records_then_the_one_in_force_at_the_intent_time() -> None:
    # m1's record as of 0 (Sports, open, no oracle activity) and as of 1000 (Politics, closed, UMA
    # "proposed"); given newest first. Before 0 no record is known yet; at 999 the first is in force
    # (no look-ahead on status), from exactly 1000 the second.
    later = market("m1", as_of_dt=1_000, category="Politics", closed=True, uma_resolution_status="proposed")
    listed = instruments(later, market("m1", as_of_dt=0))
    frame = _places(("a", "yes", -1), ("b", "yes", 0), ("c", "no", 999), ("d", "yes", 1_000), ("e", "no", 5_000))
    out = market_columns(frame, _inputs(instruments=listed))
    assert _cols(out, "instrument_known", "category", "closed", "uma_resolution_status", "min_order_size") == [
        ("a", False, None, None, None, None), ("b", True, "Sports", False, None, D(5)),
        ("c", True, "Sports", False, None, D(5)), ("d", True, "Politics", True, "proposed", D(5)),
        ("e", True, "Politics", True, "proposed", D(5)),
    ]  # fmt: skip


# --- token states -----------------------------------------------------------------------------


def test_market_columns_when_token_states_then_state_in_force_at_each_time() -> None:
    # "yes": metadata at 0 (0.01), tick change at 100 (0.001), resolved at 500; "no": metadata at 0
    # only. A state at exactly ts_ms is in force; one 1 ms later is not; before 0 nothing is known.
    states = to_frame("TokenState", [
        _state("yes", 0, "0.01"), _state("yes", 100, "0.001", source="tick_size_change"),
        _state("yes", 500, "0.001", "RESOLVED", "market_resolved"), _state("no", 0, "0.01"),
    ])  # fmt: skip
    frame = _places(*[(f"y{dt}", "yes", dt) for dt in (-1, 0, 99, 100, 499, 500)], ("n400", "no", 400),
                    ("u0", "y2", 0))
    out = market_columns(frame, _inputs(token_states=states))
    assert _cols(out, "tick_size", "token_status", "active", "accepting_orders") == [
        ("y-1", None, None, None, None), ("y0", D("0.01"), "ACTIVE", True, True),
        ("y99", D("0.01"), "ACTIVE", True, True), ("y100", D("0.001"), "ACTIVE", True, True),
        ("y499", D("0.001"), "ACTIVE", True, True), ("y500", D("0.001"), "RESOLVED", True, True),
        ("n400", D("0.01"), "ACTIVE", True, True), ("u0", None, None, None, None),
    ]  # fmt: skip


def test_market_columns_when_tick_changed_then_only_tick_size_change_rows_count() -> None:
    # "yes": tick change at 100; a metadata refresh at 200 with a new tick (0.0001) and a paused
    # market; resolved at 300. tick_changed_ms stays 100 through both later rows; "no" never changed.
    states = to_frame("TokenState", [
        _state("yes", 0, "0.01"), _state("yes", 100, "0.001", source="tick_size_change"),
        _state("yes", 200, "0.0001", active=False, accepting=False),
        _state("yes", 300, "0.0001", "RESOLVED", "market_resolved", active=False, accepting=False),
        _state("no", 0, "0.01"),
    ])  # fmt: skip
    frame = _places(("a", "yes", 99), ("b", "yes", 100), ("c", "yes", 250), ("d", "yes", 300), ("e", "no", 300))
    out = market_columns(frame, _inputs(token_states=states))
    assert _cols(out, "tick_size", "tick_changed_ms", "token_status", "active", "accepting_orders") == [
        ("a", D("0.01"), None, "ACTIVE", True, True), ("b", D("0.001"), 100, "ACTIVE", True, True),
        ("c", D("0.0001"), 100, "ACTIVE", False, False), ("d", D("0.0001"), 100, "RESOLVED", False, False),
        ("e", D("0.01"), None, "ACTIVE", True, True),
    ]  # fmt: skip


def test_market_columns_when_no_token_state_then_tick_size_null_not_the_metadata_tick() -> None:
    # the instrument's 0.01 is not used as the grid: without a token state the tick is unknown.
    out = market_columns(_places(("a", "yes", 0)), _inputs())
    assert _cols(out, "instrument_known", "tick_size", "token_status") == [("a", True, None, None)]


# --- tops of book and touch sizes -------------------------------------------------------------


def test_market_columns_when_book_at_intent_time_then_seen_and_one_ms_later_not() -> None:
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 100, "0.49", "0.51", "0.001"), ("yes", 200, None, "0.60"),
                 ("no", 0, "0.47", "0.53"))
    frame = _places(("a", "yes", -1), ("b", "yes", 0), ("c", "yes", 99), ("d", "yes", 100), ("e", "yes", 200),
                    ("f", "no", 500))
    out = market_columns(frame, _inputs(market_snapshots=snaps))
    # spread (0.52 − 0.48)/0.01 = 4, (0.51 − 0.49)/0.001 = 20; one-sided at 200: no spread.
    assert _cols(out, "book_ts_ms", "best_bid", "best_ask", "book_tick_size", "spread_ticks", "book_quality") == [
        ("a", None, None, None, None, None, None),
        ("b", 0, D("0.48"), D("0.52"), D("0.01"), 4, "OK"),
        ("c", 0, D("0.48"), D("0.52"), D("0.01"), 4, "OK"),
        ("d", 100, D("0.49"), D("0.51"), D("0.001"), 20, "OK"),
        ("e", 200, None, D("0.60"), D("0.01"), None, "OK"),
        ("f", 0, D("0.47"), D("0.53"), D("0.01"), 6, "OK"),
    ]  # fmt: skip


def test_market_columns_when_two_books_at_the_same_time_then_the_later_row_wins() -> None:
    snaps = tops(("yes", 50, "0.40", "0.60"), ("yes", 50, "0.45", "0.55"))
    out = market_columns(_places(("a", "yes", 50)), _inputs(market_snapshots=snaps))
    assert _cols(out, "best_bid", "best_ask") == [("a", D("0.45"), D("0.55"))]


def test_market_columns_when_full_book_touch_equals_top_then_touch_sizes() -> None:
    # tops of "yes": 0.48/0.52 at 0, 0.49/0.52 at 10. Full books of "yes": at 0 bids 0.48×100, 0.47×300,
    # asks 0.52×50; at 20 bids 0.49×70, no asks; at 30 bids 0.49×5, asks 0.52×999.
    #   at 0:  book@0 touch = top → 100 / 50
    #   at 10: top bid 0.49 ≠ book@0's 0.48 → bid size unknown; ask 0.52 = 0.52 → 50
    #   at 20: book@20 bid 0.49 = top → 70; no ask level → unknown
    #   at 29: still book@20 (book@30 is 1 ms ahead) → 70 / unknown
    #   at 30: book@30 → 5 / 999
    # "no" has a top but no full book: both unknown.
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 10, "0.49", "0.52"), ("no", 0, "0.47", "0.53"))
    depth = books(("yes", 0, [("0.48", "100"), ("0.47", "300")], [("0.52", "50")]),
                  ("yes", 20, [("0.49", "70")], []), ("yes", 30, [("0.49", "5")], [("0.52", "999")]))
    frame = _places(("a", "yes", 0), ("b", "yes", 10), ("c", "yes", 20), ("d", "yes", 29), ("e", "yes", 30),
                    ("f", "no", 30))
    out = market_columns(frame, _inputs(market_snapshots=snaps, book_state=depth))
    assert _cols(out, "best_bid", "best_bid_size", "best_ask", "best_ask_size") == [
        ("a", D("0.48"), D(100), D("0.52"), D(50)), ("b", D("0.49"), None, D("0.52"), D(50)),
        ("c", D("0.49"), D(70), D("0.52"), None), ("d", D("0.49"), D(70), D("0.52"), None),
        ("e", D("0.49"), D(5), D("0.52"), D(999)), ("f", D("0.47"), None, D("0.53"), None),
    ]  # fmt: skip


# --- feed liveness ----------------------------------------------------------------------------


@pytest.mark.parametrize(("dt", "last", "dead"), [
    (-1, None, True),           # no data frame yet
    (0, 0, False),              # a receipt at exactly ts_ms counts
    (9_999, 0, False),
    (35_000, 10_000, False),    # the user channel's 30,000 and the poll's 5,000 do not count
    (110_000, 10_000, False),   # silent 100,000 = the budget: still alive
    (110_001, 10_000, True),    # 100,001 > 100,000: dead
    (200_000, 200_000, False),
])  # fmt: skip
def test_market_columns_when_feed_receipts_then_last_market_data_at_or_before(dt: int, last: int | None,
                                                                             dead: bool) -> None:
    receipts = pl.DataFrame({"channel": ["market", "market", "market", "user", "poll"],
                             "receive_ts_ms": [T0 + t for t in (0, 10_000, 200_000, 30_000, 5_000)]},
                            schema=RECEIPT_SCHEMA)
    budgets = FreshnessBudgets(feed_liveness_ms=100_000)
    out = market_columns(_places(("a", "yes", dt)), _inputs(feed_receipts=receipts, budgets=budgets))
    row = out.row(0, named=True)
    assert (row["feed_last_data_ms"], row["feed_liveness_budget_ms"]) == (None if last is None else T0 + last, 100_000)
    # risk.stale_book's rule on these columns: dead when nothing yet, or silent longer than the budget.
    silent = None if row["feed_last_data_ms"] is None else row["ts_ms"] - row["feed_last_data_ms"]
    assert (silent is None or silent > row["feed_liveness_budget_ms"]) is dead


def test_market_columns_when_no_receipts_then_feed_null_and_default_budget() -> None:
    out = market_columns(_places(("a", "yes", 0)), _inputs())
    assert _cols(out, "feed_last_data_ms", "feed_liveness_budget_ms") == [("a", None, 120_000)]


# --- fair value -------------------------------------------------------------------------------


def test_market_columns_when_fair_values_then_latest_at_or_before_per_token() -> None:
    fair = to_frame("FairValue", [
        FairValue(condition_id=condition(tok), token_id=TOKEN_ID[tok], ts_ms=T0 + dt, fair_value=D(v),
                  source="intel.microprice")
        for tok, dt, v in (("yes", 0, "0.50"), ("yes", 100, "0.60"), ("no", 50, "0.45"))
    ])  # fmt: skip
    frame = _places(("a", "yes", -1), ("b", "yes", 99), ("c", "yes", 100), ("d", "no", 49), ("e", "no", 50),
                    ("f", "y2", 100))
    out = market_columns(frame, _inputs(fair_values=fair))
    assert _cols(out, "fair_value") == [
        ("a", None), ("b", D("0.50")), ("c", D("0.60")), ("d", None), ("e", D("0.45")), ("f", None)]


# --- keep-alives ------------------------------------------------------------------------------


def test_keepalives_when_twenty_seconds_then_user_every_ten_and_heartbeat_every_five() -> None:
    # [0, 20,000]: user at 0, 10,000, 20,000 (3); heartbeat at 0, 5,000, …, 20,000 (5); at equal
    # times the user row first.
    out = keepalives(T0, T0 + 20_000)
    assert out.schema == VENUE_EVENT_SCHEMA
    assert (USER_KEEPALIVE_MS, HEARTBEAT_MS) == (10_000, 5_000)
    assert [(t - T0, ch) for t, ch in out.select("ts_ms", "channel").iter_rows()] == [
        (0, "user"), (0, "heartbeat"), (5_000, "heartbeat"), (10_000, "user"), (10_000, "heartbeat"),
        (15_000, "heartbeat"), (20_000, "user"), (20_000, "heartbeat"),
    ]  # fmt: skip
    beats = out.filter(pl.col("channel") == "heartbeat")
    assert set(beats.select("endpoint", "status", "latency_ms").rows()) == {("POST /heartbeats", 200, 0)}
    assert out.filter(pl.col("channel") == "user").select("endpoint", "status", "latency_ms").rows() == [
        (None, None, None)] * 3


@pytest.mark.parametrize(("span", "users", "beats"), [
    (0, 1, 1),            # start = end: one of each, at start
    (4_999, 1, 1),        # the next heartbeat would be at 5,000 > end
    (9_999, 1, 2),        # 0, 5,000
    (10_000, 2, 3),       # the end itself included
    (60_000, 7, 13),      # 60,000/10,000 + 1, 60,000/5,000 + 1
])  # fmt: skip
def test_keepalives_when_span_then_row_counts(span: int, users: int, beats: int) -> None:
    out = keepalives(T0, T0 + span)
    counts = dict(out.group_by("channel").len().iter_rows())
    assert counts == {"user": users, "heartbeat": beats}
    assert out["ts_ms"].is_sorted() and out["ts_ms"].min() == T0


def test_keepalives_when_end_before_start_then_none() -> None:
    assert keepalives(T0, T0 - 1).is_empty()
