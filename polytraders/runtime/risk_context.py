"""The risk bots' view of the data (S7): the market columns of each intent, as-of its time.

:func:`market_columns` adds to a frame of PLACE intents everything the recorded data says at each
intent's ``ts_ms`` (the registry, the latest top of book and its touch sizes, the feed's
liveness, the fair value): the columns of :data:`~polytraders.bots.risk.context.
RISK_FRAME_SCHEMA` that do not depend on what the gate itself decided. Each is one backward
as-of join per source, vectorised over all intents. The portfolio columns (position, exposure,
equity, event-group PnL) come from the session fold in :mod:`polytraders.runtime.risk_gate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets
from polytraders.bots.risk.context import RISK_FRAME_SCHEMA, VENUE_EVENT_SCHEMA
from polytraders.contracts.frames import empty_frame
from polytraders.runtime.feed import MARKET_CHANNEL, RECEIPT_SCHEMA

_DEC = pl.Decimal(38, 6)

#: The RISK_FRAME_SCHEMA columns the session fold fills (they depend on the gate's own decisions).
PORTFOLIO_COLUMNS = (
    "position_shares", "market_exposure_usdc", "total_exposure_usdc", "net_exposure_usdc", "token_net_usdc",
    "equity_usdc", "peak_equity_usdc", "token_wins_pnl_usdc", "token_loses_pnl_usdc",
)
#: The RISK_FRAME_SCHEMA columns :func:`market_columns` fills.
MARKET_COLUMNS = tuple(c for c in RISK_FRAME_SCHEMA if c not in PORTFOLIO_COLUMNS)

#: Cadence of the mock venue's keep-alives in shadow runs: a user-channel PONG every 10 s and an
#: acknowledged heartbeat every 5 s (the venue's own cadences; the in-process mock never misses).
USER_KEEPALIVE_MS = 10_000
HEARTBEAT_MS = 5_000


@dataclass(frozen=True, slots=True)
class MarketInputs:
    """The recorded day the gate decides on (frames of their wire objects, S1–S5 outputs).

    Attributes:
        instruments: InstrumentRecord frame (the latest record per condition is used).
        market_snapshots: MarketSnapshot frame (tops of book).
        resolutions: MarketResolution frame.
        token_states: TokenState frame (S1 fold); empty = no token state known (fail closed).
        book_state: OrderBookSnapshot frame (S3), for the size at the touch; empty = unknown.
        feed_receipts: S2's data receipts (RECEIPT_SCHEMA); empty = the feed never delivered.
        feed_health: S2's FeedHealth frame.
        fair_values: FairValue frame (S5); empty = none known.
        budgets: the run's freshness budgets (feed liveness).
    """

    instruments: pl.DataFrame
    market_snapshots: pl.DataFrame
    resolutions: pl.DataFrame = field(default_factory=lambda: empty_frame("MarketResolution"))
    token_states: pl.DataFrame = field(default_factory=lambda: empty_frame("TokenState"))
    book_state: pl.DataFrame = field(default_factory=lambda: empty_frame("OrderBookSnapshot"))
    feed_receipts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RECEIPT_SCHEMA))
    feed_health: pl.DataFrame = field(default_factory=lambda: empty_frame("FeedHealth"))
    fair_values: pl.DataFrame = field(default_factory=lambda: empty_frame("FairValue"))
    budgets: FreshnessBudgets = DEFAULT_BUDGETS


def _asof(left: pl.DataFrame, right: pl.DataFrame, right_ts: str, by: str | None = "token_id") -> pl.DataFrame:
    """Backward as-of join of ``right`` (its columns already renamed) onto ``left`` by ``by``;
    on equal times the right's last row wins (stable sort keeps input order)."""
    right = right.sort(*([by] if by else []), right_ts, maintain_order=True)
    right = right.unique(subset=[*([by] if by else []), right_ts], keep="last", maintain_order=True)
    return left.sort("ts_ms", maintain_order=True).join_asof(
        right, left_on="ts_ms", right_on=right_ts, by=by, strategy="backward", check_sortedness=False,
    )


def _instrument_columns(instruments: pl.DataFrame) -> pl.DataFrame:
    """One row per (record, listed token) with the record's ``as_of_ms`` as ``_record_ms``."""
    return instruments.explode("tokens").select(
        pl.col("tokens").struct.field("token_id").alias("token_id"), pl.col("as_of_ms").alias("_record_ms"),
        pl.col("condition_id").alias("_record_condition"), "category", "min_order_size", "neg_risk",
        "neg_risk_market_id", "end_ts_ms", "uma_resolution_status", "closed",
    )


def market_columns(places: pl.DataFrame, inputs: MarketInputs) -> pl.DataFrame:
    """The intent rows of ``places`` (OrderIntent columns, PLACE rows) with the market columns
    of RISK_FRAME_SCHEMA, in the input row order.

    Nulls where the data does not know: an unlisted market or token (``instrument_known`` false),
    no token state or book or feed receipt or fair value yet at the intent's time.
    """
    rows = places.select(
        "intent_id", "strategy", "condition_id", "token_id", "ts_ms", "side", "price", "size",
        "order_type", "post_only",
    ).with_row_index("_row")
    # the market record in force at the intent's time (as of its as_of_ms), listing the token
    out = _asof(rows, _instrument_columns(inputs.instruments), "_record_ms").with_columns(
        instrument_known=(pl.col("_record_condition") == pl.col("condition_id")).fill_null(False))
    known = pl.col("instrument_known")
    out = out.with_columns(pl.when(known).then(pl.col(c)).alias(c) for c in (
        "category", "min_order_size", "neg_risk", "neg_risk_market_id", "end_ts_ms", "uma_resolution_status", "closed"))
    states = inputs.token_states.select(
        "token_id", pl.col("as_of_ms").alias("_state_ms"), pl.col("tick_size"),
        pl.col("status").alias("token_status"), "active", "accepting_orders",
    )
    out = _asof(out, states, "_state_ms")
    changes = inputs.token_states.filter(pl.col("source") == "tick_size_change").select(
        "token_id", pl.col("as_of_ms").alias("tick_changed_ms"))
    out = _asof(out, changes.with_columns(pl.col("tick_changed_ms").alias("_change_ms")), "_change_ms")
    tops = inputs.market_snapshots.select(
        "token_id", pl.col("ts_ms").alias("book_ts_ms"), "best_bid", "best_ask",
        pl.col("tick_size").alias("book_tick_size"), "spread_ticks",
        pl.col("freshness").struct.field("quality").alias("book_quality"),
    )
    out = _asof(out, tops.with_columns(pl.col("book_ts_ms").alias("_book_ms")), "_book_ms")
    touch = inputs.book_state.select(
        "token_id", pl.col("ts_ms").alias("_depth_ms"),
        pl.col("bids").list.first().struct.field("price").alias("_bid_px"),
        pl.col("bids").list.first().struct.field("size").alias("_bid_sz"),
        pl.col("asks").list.first().struct.field("price").alias("_ask_px"),
        pl.col("asks").list.first().struct.field("size").alias("_ask_sz"),
    )
    out = _asof(out, touch, "_depth_ms").with_columns(
        # the size at the touch is known only when the latest full book shows that touch price
        best_bid_size=pl.when(pl.col("_bid_px") == pl.col("best_bid")).then(pl.col("_bid_sz")),
        best_ask_size=pl.when(pl.col("_ask_px") == pl.col("best_ask")).then(pl.col("_ask_sz")),
    )
    receipts = inputs.feed_receipts.filter(pl.col("channel") == MARKET_CHANNEL).select(
        pl.col("receive_ts_ms").alias("feed_last_data_ms"))
    out = _asof(out, receipts.with_columns(pl.col("feed_last_data_ms").alias("_feed_ms")), "_feed_ms", by=None)
    fair = inputs.fair_values.select("token_id", pl.col("ts_ms").alias("_fv_ms"), "fair_value")
    out = _asof(out, fair, "_fv_ms")
    return out.sort("_row").with_columns(
        pl.lit(inputs.budgets.feed_liveness_ms, pl.Int64).alias("feed_liveness_budget_ms"),
    ).select(MARKET_COLUMNS).cast({c: RISK_FRAME_SCHEMA[c] for c in MARKET_COLUMNS})


def keepalives(start_ms: int, end_ms: int) -> pl.DataFrame:
    """The mock venue's keep-alive events over ``[start_ms, end_ms]`` (VENUE_EVENT_SCHEMA): a
    ``user`` row every :data:`USER_KEEPALIVE_MS` and an acknowledged ``heartbeat`` (status 200)
    every :data:`HEARTBEAT_MS`, from ``start_ms`` on, in time order."""
    user = pl.int_range(start_ms, end_ms + 1, USER_KEEPALIVE_MS, eager=True, dtype=pl.Int64)
    beat = pl.int_range(start_ms, end_ms + 1, HEARTBEAT_MS, eager=True, dtype=pl.Int64)
    return pl.concat([
        pl.DataFrame({"ts_ms": user, "channel": "user", "endpoint": None, "status": None, "latency_ms": None},
                     schema=VENUE_EVENT_SCHEMA),
        pl.DataFrame({"ts_ms": beat, "channel": "heartbeat", "endpoint": "POST /heartbeats", "status": 200,
                      "latency_ms": 0}, schema=VENUE_EVENT_SCHEMA),
    ]).sort("ts_ms", maintain_order=True)
