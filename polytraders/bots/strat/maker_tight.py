"""strat.maker_tight — bid both outcomes one tick inside fair value, at the tick floor, sticky.

Method
    Both sides of a binary market are quoted by *bidding* on each outcome token: on Polymarket,
    buying the DOWN (NO) token at q is economically selling UP (YES) at 1 − q, so a bid on each
    token is a two-sided quote that needs no inventory. Every intent is a post-only GTC BUY.

    Per token, at each fair-value row (the book is the latest MarketSnapshot of the token at or
    before the row's ``ts_ms``, an as-of join that includes the same-ts snapshot), in integer
    micro-units (x 10^6; exact, the Decimal(38, 6) values are integers there — no float)::

        desired = floor((fair_value − edge_ticks·tick) / tick)·tick
        price   = min(desired, floor((best_ask − tick) / tick)·tick)      # post-only: never crosses
        size    = max(size_shares, instrument.min_order_size)

    ``tick`` is the book's ``tick_size`` (the grid in force at that time). There is no quote
    (null) when the fair value is null, there is no book or it is one-sided, the token has no
    instrument record (latest per condition by ``as_of_ms``), ``ts_ms >= end_ts_ms −
    stop_before_end_ms``, or ``price`` is outside [tick, 1 − tick].

    Sticky repricing: with ``live`` = the quote of the token's previous fair-value row, a PLACE is
    emitted only when the quote is non-null and differs from ``live`` in price or size, and a
    CANCEL (``cancels_intent_id`` = the live PLACE's ``intent_id``; price and size of the live
    quote) when it goes from a quote to null. A PLACE while a quote is live is a cancel-replace:
    the new PLACE for the same strategy / token / side supersedes the live one.
    ``intent_id`` = first 24 hex digits of sha256("<SLUG>|<token_id>|<ts_ms>|BUY|<kind>").

Inputs
    ``fair_values`` — FairValue frame: ``condition_id`` String, ``token_id`` String, ``ts_ms``
    Int64, ``fair_value`` Decimal(38, 6) (nullable here), ``source`` String. One row per token
    and ts is expected; duplicates keep the last in input order.
    ``books`` — MarketSnapshot frame: reads ``condition_id``, ``token_id``, ``ts_ms``,
    ``tick_size``, ``best_bid``, ``best_ask`` (Decimal(38, 6), nullable).
    ``instruments`` — InstrumentRecord frame: reads ``condition_id``, ``tokens``,
    ``min_order_size`` Decimal(38, 6), ``end_ts_ms`` Int64 nullable, ``as_of_ms`` Int64.

Returns
    OrderIntent frame (``intent_id``, ``strategy``, ``kind``, ``cancels_intent_id``,
    ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``side``, ``price`` / ``size``
    Decimal(38, 6), ``order_type`` = "GTC", ``post_only`` = True) sorted by ts_ms, condition_id,
    token_id.

Reason codes
    None on the frame (an OrderIntent carries none); in envelopes a PLACE is STRAT_QUOTE and a
    CANCEL is STRAT_QUOTE_PULL.

Raises
    pydantic.ValidationError — invalid config.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig

SLUG = "strat.maker_tight"
VERSION = "0.1.0"

_MICRO = 1_000_000
_DEC = pl.Decimal(38, 6)
_KEYS = ["condition_id", "token_id"]

INTENT_SCHEMA: dict[str, pl.DataType] = {
    "intent_id": pl.String(),
    "strategy": pl.String(),
    "kind": pl.String(),
    "cancels_intent_id": pl.String(),
    "condition_id": pl.String(),
    "token_id": pl.String(),
    "ts_ms": pl.Int64(),
    "side": pl.String(),
    "price": _DEC,
    "size": _DEC,
    "order_type": pl.String(),
    "post_only": pl.Boolean(),
}


class Config(BotConfig):
    """Parameters of strat.maker_tight."""

    edge_ticks: int = Field(default=1, ge=0, description="distance of the bid below fair value, ticks")
    size_shares: Decimal = Field(
        default=Decimal("10"),
        gt=0,
        decimal_places=6,
        description="quote size, shares (raised to the min size)",
    )
    stop_before_end_ms: int = Field(
        default=60_000, ge=0, description="pull quotes this long before the market's end_ts_ms, ms"
    )


def _micro(column: str) -> pl.Expr:
    """A Decimal(38, 6) column as exact integer micro-units."""
    return (pl.col(column).cast(_DEC) * _MICRO).cast(pl.Int64)


def _decimal(expr: pl.Expr) -> pl.Expr:
    """Integer micro-units back to an exact Decimal(38, 6)."""
    return expr.cast(_DEC) / _MICRO


def _intent_id(token_id: str, ts_ms: int, kind: str) -> str:
    return hashlib.sha256(f"{SLUG}|{token_id}|{ts_ms}|BUY|{kind}".encode()).hexdigest()[:24]


def _quotes(
    fair_values: pl.DataFrame, books: pl.DataFrame, instruments: pl.DataFrame, config: Config
) -> pl.DataFrame:
    """Per fair-value row: the desired quote (price_u, size_u in micro-units, null = no quote)."""
    tokens = (
        instruments.sort("as_of_ms", maintain_order=True)
        .unique(subset="condition_id", keep="last", maintain_order=True)
        .select(
            "condition_id",
            pl.col("tokens").list.eval(pl.element().struct.field("token_id")).alias("token_id"),
            "min_order_size",
            "end_ts_ms",
        )
        .explode("token_id")
    )
    fv = fair_values.select(*_KEYS, "ts_ms", "fair_value").unique(
        subset=[*_KEYS, "ts_ms"], keep="last", maintain_order=True
    )
    book = books.select(*_KEYS, "ts_ms", "tick_size", "best_bid", "best_ask").unique(
        subset=[*_KEYS, "ts_ms"], keep="last", maintain_order=True
    )
    rows = (
        fv.sort("ts_ms")
        .join_asof(book.sort("ts_ms"), on="ts_ms", by=_KEYS, strategy="backward", check_sortedness=False)
        .join(tokens, on=_KEYS, how="left")
    )
    tick = _micro("tick_size")
    desired = ((_micro("fair_value") - config.edge_ticks * tick) // tick) * tick
    below_ask = ((_micro("best_ask") - tick) // tick) * tick
    price = pl.min_horizontal(desired, below_ask)
    size = pl.max_horizontal(pl.lit(int(config.size_shares * _MICRO)), _micro("min_order_size"))
    quoting = (
        pl.col("fair_value").is_not_null()
        & pl.col("best_bid").is_not_null()
        & pl.col("best_ask").is_not_null()
        & pl.col("min_order_size").is_not_null()
        & (
            pl.col("end_ts_ms").is_null()
            | (pl.col("ts_ms") < pl.col("end_ts_ms") - config.stop_before_end_ms)
        )
        & (price >= tick)
        & (price <= _MICRO - tick)
    ).fill_null(False)
    return rows.select(
        *_KEYS,
        "ts_ms",
        pl.when(quoting).then(price).alias("price_u"),
        pl.when(quoting).then(size).alias("size_u"),
    ).sort([*_KEYS, "ts_ms"])


def run(
    fair_values: pl.DataFrame, books: pl.DataFrame, instruments: pl.DataFrame, config: Config
) -> pl.DataFrame:
    """Sticky post-only bids on every outcome token; see the module docstring."""
    quotes = _quotes(fair_values, books, instruments, config)
    live_price = pl.col("price_u").shift(1).over(_KEYS)
    live_size = pl.col("size_u").shift(1).over(_KEYS)
    changed = pl.col("price_u").ne_missing(live_price) | pl.col("size_u").ne_missing(live_size)
    kind = (
        pl.when(pl.col("price_u").is_not_null() & changed)
        .then(pl.lit("PLACE"))
        .when(pl.col("price_u").is_null() & live_price.is_not_null())
        .then(pl.lit("CANCEL"))
    )
    emitted = quotes.with_columns(
        kind.alias("kind"), live_price.alias("live_price_u"), live_size.alias("live_size_u")
    ).filter(pl.col("kind").is_not_null())
    ids = [_intent_id(t, ts, k) for t, ts, k in emitted.select("token_id", "ts_ms", "kind").iter_rows()]
    is_place = pl.col("kind") == "PLACE"
    return (
        emitted.with_columns(pl.Series("intent_id", ids, dtype=pl.String))
        .select(
            "intent_id",
            pl.lit(SLUG).alias("strategy"),
            "kind",
            pl.when(~is_place).then(pl.col("intent_id").shift(1).over(_KEYS)).alias("cancels_intent_id"),
            *_KEYS,
            "ts_ms",
            pl.lit("BUY").alias("side"),
            _decimal(pl.when(is_place).then("price_u").otherwise("live_price_u")).alias("price"),
            _decimal(pl.when(is_place).then("size_u").otherwise("live_size_u")).alias("size"),
            pl.lit("GTC").alias("order_type"),
            pl.lit(True).alias("post_only"),
        )
        .sort(["ts_ms", *_KEYS])
        .cast(INTENT_SCHEMA)
    )
