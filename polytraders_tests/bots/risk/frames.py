"""Builders for risk-bot tests: intent frames with a healthy context, and the histories.

``intents()`` is one BUY of 20 shares at 0.50 in market m1's YES token at ``T0``, with a context
every risk bot approves under its default config: a known, active market on a 0.01 grid (minimum
size 5, not neg-risk, ending in 30 days), a fresh two-sided book 0.49 / 0.51 (100 shares each
side) on a live feed, fair value 0.50, no position, no exposure, flat equity.
Override any column per row::

    intents({"side": "SELL"}, {"price": "0.99", "size": "3"})   # two rows
    intents({"best_bid": None})                                  # a null context value

Decimal columns take strings (or None). ``healthy_context()`` holds a live user stream, an
acknowledged heartbeat and a fast API call just before ``T0``; ``vote()`` runs a bot and returns
``(decision, approved_size, reason_code)`` tuples.
"""

from __future__ import annotations

from decimal import Decimal
from types import ModuleType
from typing import Any

import polars as pl

from polytraders.bots.risk.context import (
    FILL_PNL_SCHEMA,
    RECON_SCHEMA,
    RISK_FRAME_SCHEMA,
    VENUE_EVENT_SCHEMA,
    VOTE_SCHEMA,
    RiskContext,
)
from polytraders.contracts import FeedHealth
from polytraders.contracts.frames import to_frame
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID

D = Decimal
DAY_MS = 86_400_000

HEALTHY: dict[str, Any] = {
    "intent_id": "i-1", "strategy": "strat.maker_tight", "condition_id": CONDITION["m1"],
    "token_id": TOKEN_ID["yes"], "ts_ms": T0, "side": "BUY", "price": "0.50", "size": "20",
    "order_type": "GTC", "post_only": True,
    "instrument_known": True, "category": "Politics", "tick_size": "0.01", "tick_changed_ms": None,
    "min_order_size": "5", "neg_risk": False, "neg_risk_market_id": None, "end_ts_ms": T0 + 30 * DAY_MS,
    "uma_resolution_status": None, "token_status": "ACTIVE", "active": True, "accepting_orders": True,
    "closed": False,
    "book_ts_ms": T0 - 1_000, "best_bid": "0.49", "best_ask": "0.51", "best_bid_size": "100",
    "best_ask_size": "100", "book_tick_size": "0.01", "spread_ticks": 2, "book_quality": "OK",
    "feed_last_data_ms": T0 - 1_000, "feed_liveness_budget_ms": 120_000, "fair_value": "0.50",
    "position_shares": "0", "market_exposure_usdc": "0", "total_exposure_usdc": "0", "net_exposure_usdc": "0",
    "token_net_usdc": "0",
    "equity_usdc": "0", "peak_equity_usdc": "0", "token_wins_pnl_usdc": "0", "token_loses_pnl_usdc": "0",
}


def _value(column: str, value: Any) -> Any:
    if value is not None and RISK_FRAME_SCHEMA[column] == pl.Decimal(38, 6):
        return D(str(value))
    return value


def intents(*overrides: dict[str, Any]) -> pl.DataFrame:
    """One row per override dict (one healthy row when none); intent ids i-1, i-2, … unless set."""
    rows = []
    for n, override in enumerate(overrides or ({},), start=1):
        unknown = set(override) - set(RISK_FRAME_SCHEMA)
        assert not unknown, f"not risk-frame columns: {unknown}"
        row = {**HEALTHY, "intent_id": f"i-{n}", **override}
        rows.append({c: _value(c, row[c]) for c in RISK_FRAME_SCHEMA})
    return pl.DataFrame(rows, schema=RISK_FRAME_SCHEMA, orient="row")


def venue_events(*rows: tuple[int, str, str | None, int | None, int | None]) -> pl.DataFrame:
    """VENUE_EVENT_SCHEMA frame from ``(ts_ms, channel, endpoint, status, latency_ms)`` rows."""
    return pl.DataFrame(list(rows), schema=VENUE_EVENT_SCHEMA, orient="row")


def fills(*rows: tuple[int, str, str, str]) -> pl.DataFrame:
    """FILL_PNL_SCHEMA frame from ``(ts_ms, condition_id, token_id, realised_pnl_usdc)`` rows."""
    return pl.DataFrame([(t, c, k, D(p)) for t, c, k, p in rows], schema=FILL_PNL_SCHEMA, orient="row")


def recon(*rows: tuple[int, str, str, str]) -> pl.DataFrame:
    """RECON_SCHEMA frame from ``(ts_ms, token_id, local_shares, venue_shares)`` rows."""
    return pl.DataFrame([(t, k, D(a), D(b)) for t, k, a, b in rows], schema=RECON_SCHEMA, orient="row")


def feed_health(*rows: tuple[int, bool, int, int]) -> pl.DataFrame:
    """FeedHealth frame of the ``market`` channel from ``(window_start_ms, live, data_frames,
    quarantined_frames)`` rows, 60 s windows, liveness budget 120 s."""
    return to_frame("FeedHealth", [FeedHealth(
        channel="market", window_start_ms=start, window_ms=60_000, data_frames=data, keepalive_frames=0,
        quarantined_frames=bad, last_data_receive_ts_ms=start + 59_000, longest_data_gap_ms=1_000 if live else 200_000,
        liveness_budget_ms=120_000, live=live) for start, live, data, bad in rows])


def healthy_context(**changes: pl.DataFrame) -> RiskContext:
    """A context with a user-channel message, an acknowledged heartbeat and a 50 ms API call at
    ``T0 − 1000``, and a live ``market`` FeedHealth window ending there (100 data frames, none
    quarantined); keyword arguments replace whole histories (``venue_events=…``, ``fills=…``)."""
    base = {
        "venue_events": venue_events(
            (T0 - 1_000, "user", None, None, None),
            (T0 - 1_000, "heartbeat", "POST /heartbeats", 200, 20),
            (T0 - 1_000, "api", "POST /order", 200, 50),
        ),
        "feed_health": feed_health((T0 - 61_000, True, 100, 0)),
    }
    return RiskContext(**{**base, **changes})


def vote(bot: ModuleType, frame: pl.DataFrame, ctx: RiskContext | None = None,
         **config: Any) -> list[tuple[str, Decimal, str | None]]:
    """Run ``bot.vote`` with ``bot.Config(**config)``; check the output frame's shape; return its
    rows as ``(decision, approved_size, reason_code)``."""
    out = bot.vote(frame, ctx if ctx is not None else healthy_context(), bot.Config(**config))
    assert out.schema == VOTE_SCHEMA and out.height == frame.height
    return [(d, s, r) for d, s, r in out.iter_rows()]


def approve(size: str = "20") -> tuple[str, Decimal, None]:
    """The APPROVE row at ``size``."""
    return ("APPROVE", D(size), None)


def reject(code: str) -> tuple[str, Decimal, str]:
    """The REJECT row with ``code``."""
    return ("REJECT", D(0), code)
