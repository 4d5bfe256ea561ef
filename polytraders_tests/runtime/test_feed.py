"""runtime.feed: FeedHealth per channel and window, data receipts and the S7 feed tape.

Capture (recv ms after T0 = 1_790_000_080_000; windows of 60,000 start at multiples of it, the first
at W0 = T0 − 40,000 = 1_790_000_040_000 = 60,000 × 29,833,334; liveness budget 100,000 unless said):

=========  ========  =========================================
 recv−T0    channel   frame
=========  ========  =========================================
      0     market    book (data)
  1,000     market    PING
 10,000     market    book (data)
 30,000     user      order (data)
 50,000     market    PONG
130,000     market    PONG
200,000     market    book (data), quarantined (2 records)
230,000     market    " PING " (keep-alive, padded)
=========  ========  =========================================
"""

from __future__ import annotations

import polars as pl
import pytest

from polytraders.adapters.budgets import FreshnessBudgets
from polytraders.adapters.capture import CAPTURE_SCHEMA
from polytraders.contracts.frames import empty_frame, validate_frame
from polytraders.runtime.feed import RECEIPT_SCHEMA, feed_health, feed_receipts

T0 = 1_790_000_080_000
W0 = T0 - 40_000  # a multiple of 60,000
BUDGETS = FreshnessBudgets(feed_liveness_ms=100_000)
LINES = [(0, "market", '{"event_type":"book"}'), (1_000, "market", "PING"), (10_000, "market", '{"event_type":"book"}'),
         (30_000, "user", '{"event_type":"order"}'), (50_000, "market", "PONG"), (130_000, "market", "PONG"),
         (200_000, "market", '{"event_type":"book","x":1}'), (230_000, "market", " PING ")]  # fmt: skip


def _capture(lines=LINES) -> pl.DataFrame:
    return pl.DataFrame([(T0 + dt, ch, fr) for dt, ch, fr in lines], schema=CAPTURE_SCHEMA, orient="row")


def _quarantine() -> pl.DataFrame:
    base = {"reason_code": "GOV_DQ_SCHEMA", "detail": "d", "raw": "r"}
    rows = [
        {**base, "source": "polymarket.ws.market", "receive_ts_ms": T0 + 200_000, "provenance_hash": "a" * 64},
        {**base, "source": "polymarket.ws.market", "receive_ts_ms": T0 + 200_000, "provenance_hash": "a" * 64},
        {**base, "source": "capture.jsonl.gz:9", "receive_ts_ms": None, "provenance_hash": "b" * 64},  # no time
    ]
    return pl.DataFrame(rows).select(empty_frame("QuarantineRecord").columns).cast(
        dict(empty_frame("QuarantineRecord").schema))


def _rows(frame: pl.DataFrame, channel: str) -> list[tuple]:
    cols = ("window_start_ms", "data_frames", "keepalive_frames", "quarantined_frames", "last_data_receive_ts_ms",
            "longest_data_gap_ms", "live")
    return [(r[0] - W0, *r[1:4], None if r[4] is None else r[4] - T0, *r[5:])
            for r in frame.filter(pl.col("channel") == channel).select(cols).iter_rows()]


def test_feed_health_when_keepalives_only_then_silence_grows_and_feed_dies() -> None:
    # market data at 0, 10,000, 200,000 (T0-relative); windows W0 + k·60,000, k = 0..4 (last frame at 230,000).
    # Window 0 [W0, W0+60k) = T0−40k..T0+20k: data 0, 10,000 → gaps: 0 − first (0) = 0 and 10,000; the
    #   open silence at its end T0+20,000 − 10,000 = 10,000 → longest 10,000. PING at 1,000: keep-alive.
    # Window 1 (T0+20k..80k): PONG only → silence at its end 80,000 − 10,000 = 70,000 → live (<= 100,000).
    # Window 2 (80k..140k): PONG only → 140,000 − 10,000 = 130,000 → dead: the socket answers, no data.
    # Window 3 (140k..200k): empty → 200,000 − 10,000 = 190,000 → dead (an empty window is present).
    # Window 4 (200k..260k, capture ends at 230k): data at 200,000, gap 190,000 → dead; 2 quarantine
    #   records of one frame → 1 quarantined frame; the padded " PING " is a keep-alive.
    out = feed_health(_capture(), _quarantine(), BUDGETS)
    validate_frame("FeedHealth", out)
    assert _rows(out, "market") == [
        (0, 2, 1, 0, 10_000, 10_000, True),
        (60_000, 0, 1, 0, 10_000, 70_000, True),
        (120_000, 0, 1, 0, 10_000, 130_000, False),
        (180_000, 0, 0, 0, 10_000, 190_000, False),
        (240_000, 1, 1, 1, 200_000, 190_000, False),
    ]
    assert set(out["window_ms"]) == {60_000} and set(out["liveness_budget_ms"]) == {100_000}


def test_feed_health_when_channel_starts_late_then_silence_counted_from_the_capture_start() -> None:
    # user: one data frame at 30,000; the capture starts at 0 → first gap 30,000. Window 0 ends at
    # 20,000 with no user data yet: 20,000 − 0 = 20,000. Window 1: gap 30,000, open 80,000 − 30,000.
    out = feed_health(_capture(), _quarantine(), BUDGETS)
    assert _rows(out, "user") == [
        (0, 0, 0, 0, None, 20_000, True),
        (60_000, 1, 0, 0, 30_000, 50_000, True),
        (120_000, 0, 0, 0, 30_000, 110_000, False),
        (180_000, 0, 0, 0, 30_000, 170_000, False),
        (240_000, 0, 0, 0, 30_000, 200_000, False),  # capture end 230,000 − 30,000
    ]


def test_feed_health_when_budget_changes_then_only_live_changes() -> None:
    loose = feed_health(_capture(), _quarantine(), FreshnessBudgets(feed_liveness_ms=190_000))
    tight = feed_health(_capture(), _quarantine(), BUDGETS)
    assert loose.drop("live", "liveness_budget_ms").equals(tight.drop("live", "liveness_budget_ms"))
    assert loose.filter(pl.col("channel") == "market")["live"].to_list() == [True] * 5  # 190,000 exactly: alive


def test_feed_health_when_quiet_market_on_live_feed_then_live() -> None:
    # One token's book every 30 s (its market quiet, nothing else to send) keeps the feed live.
    lines = [(dt, "market", '{"event_type":"book"}') for dt in range(0, 300_001, 30_000)]
    out = feed_health(_capture(lines), empty_frame("QuarantineRecord"), BUDGETS)
    assert out["live"].all() and out["longest_data_gap_ms"].max() == 30_000


def test_feed_health_when_empty_capture_then_empty_typed_frame() -> None:
    out = feed_health(_capture([]), empty_frame("QuarantineRecord"), BUDGETS)
    assert out.is_empty()
    validate_frame("FeedHealth", out)
    with pytest.raises(ValueError, match="window_ms"):
        feed_health(_capture(), _quarantine(), BUDGETS, window_ms=0)


def test_feed_receipts_when_capture_then_data_frames_only_distinct_sorted() -> None:
    lines = [*LINES, (10_000, "market", '{"event_type":"price_change"}')]  # same ms as a book: one receipt
    out = feed_receipts(_capture(lines))
    assert out.schema == RECEIPT_SCHEMA
    assert [(c, t - T0) for c, t in out.iter_rows()] == [
        ("market", 0), ("market", 10_000), ("market", 200_000), ("user", 30_000)]
