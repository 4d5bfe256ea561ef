"""intel.shock_detector — EVENT readings: a print that sweeps the book, or a price jump of N ticks.

Method
    Two independent rules, per token (rows sorted stably by ``token_id``, ``ts_ms``); prices and
    sizes are compared in exact integer micro-units (× 10^6):

    * **jump** — between a snapshot and the token's previous one, the mid moved by at least
      ``jump_ticks`` (N) ticks::

          |mid_i − mid_prev| ≥ N · tick_i

      where ``mid_prev`` is the token's last two-sided mid before row i (one-sided snapshots in
      between are skipped, so a book that empties a side and comes back elsewhere still counts)
      and ``tick_i`` is the larger of the tick sizes of snapshot i and the snapshot before it (a
      tick-size change is not itself a jump). With ``jump_on_touch`` the best bid and the best
      ask are tested the same way (each against its own last value), and any of the three
      suffices.
    * **sweep** — a trade print (TradePrint, ``side`` = aggressor) with size ``q`` such that
      either
        - ``q ≥ k · median(q_{i−W} … q_{i−1})``: at least ``sweep_size_multiple`` (k) times the
          median size of the token's previous ``typical_window_prints`` (W) prints, once there are
          at least ``typical_min_prints`` of them; or
        - ``100 · q ≥ x · D``: at least ``sweep_depth_pct`` (x) percent of the near-touch depth
          ``D`` > 0 of the side it hit (a BUY lifts the asks, a SELL hits the bids) in the token's
          last book strictly before the print, ``D`` = total size of the levels within
          ``near_touch_ticks`` ticks of that side's best price (needs ``books``; without a book
          before the print only the size rule applies).

    Both rules are the usual liquidity-shock definitions of the market-microstructure literature:
    a large marketable order walking the book, and a discontinuous price change between
    consecutive observations (Cont, Kukanov & Stoikov 2014, "The price impact of order book
    events", J. Financial Econometrics 12(1) — impact of orders relative to near-touch depth;
    Lee & Mykland 2008, "Jumps in financial markets", Rev. Financial Studies 21(6) — jumps as
    returns between consecutive observations too large for the local scale; here the scale is a
    fixed number of ticks). The median is the robust "typical size" (it ignores the sweeps
    themselves). The readings are informational (capital impact I).

Inputs
    ``data.tops`` (:class:`~polytraders.bots.inputs.MarketData`) — MarketSnapshot frame: reads
    ``condition_id`` / ``token_id`` String, ``ts_ms`` Int64, ``tick_size`` Decimal(38, 6),
    ``best_bid`` / ``best_ask`` / ``mid`` Decimal(38, 6) nullable.
    ``data.trades`` — TradePrint frame: reads ``condition_id`` / ``token_id`` String, ``ts_ms``
    Int64, ``size`` Decimal(38, 6), ``side`` String "BUY" | "SELL". May be empty (then no sweep).
    ``data.books`` — OrderBookSnapshot frame (optional; empty = depth rule off): reads
    ``token_id`` String, ``ts_ms`` Int64, ``tick_size`` Decimal(38, 6), ``bids`` / ``asks``
    List(Struct{price, size: Decimal(38, 6)}) best-first.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``): one row per (token, ``ts_ms``, kind) with an event — ``name`` = "jump"
    (INTEL_SHOCK_JUMP, at the snapshot's time) or "sweep" (INTEL_SHOCK_SWEEP, at the print's
    time; several sweeping prints of one millisecond give one row); ``value`` = 1.0 (an event
    marker), ``unit`` = "event". Sorted by ``token_id``, ``ts_ms``, ``name``. A token's first
    snapshot and the first snapshot after only one-sided ones have nothing to compare with.

Reason codes
    INTEL_SHOCK_JUMP ("jump" rows), INTEL_SHOCK_SWEEP ("sweep" rows). The Signal frame has no code
    column: the ``name`` says which rule fired.

Raises
    pydantic.ValidationError — invalid config (a count or tick parameter < 1 — ``near_touch_ticks``
    < 0 —, ``typical_min_prints`` > ``typical_window_prints``).

Example
    >>> from polytraders_tests.bots.frames import tops
    >>> snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 1_000, "0.53", "0.57"))  # mid 0.50 -> 0.55
    >>> run(MarketData.of(tops=snaps), Config(jump_ticks=5))["name"].to_list()  # 0.05 = 5 ticks of 0.01
    ['jump']
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, signal_frame
from polytraders.contracts import reason_codes

SLUG = "intel.shock_detector"
VERSION = "0.1.0"

SWEEP = reason_codes.require("INTEL_SHOCK_SWEEP")
JUMP = reason_codes.require("INTEL_SHOCK_JUMP")

JUMP_NAME, SWEEP_NAME, EVENT_UNIT = "jump", "sweep", "event"
MICRO = 1_000_000

#: Columns of :func:`shock_events`.
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "condition_id": pl.String(), "token_id": pl.String(), "ts_ms": pl.Int64(), "name": pl.String(),
}

INPUTS = ("tops", "trades", "books")


class Config(BotConfig):
    """Parameters of intel.shock_detector."""

    jump_ticks: int = Field(
        default=5, ge=1, description="smallest move between consecutive snapshots that is a jump (N), ticks"
    )
    jump_on_touch: bool = Field(
        default=False, description="also test the best bid and best ask (not only the mid) for a jump, flag"
    )
    sweep_size_multiple: int = Field(
        default=5, ge=1, description="a print of at least k × the typical print size is a sweep (k), multiple"
    )
    typical_window_prints: int = Field(
        default=50, ge=1, description="earlier prints of the token whose median size is the typical size (W), prints"
    )
    typical_min_prints: int = Field(
        default=10, ge=1, description="fewest earlier prints for a typical size (else the size rule is off), prints"
    )
    sweep_depth_pct: int = Field(
        default=50, ge=1, le=10_000,
        description="a print of at least x % of the near-touch depth of the side it hit is a sweep (x), percent",
    )
    near_touch_ticks: int = Field(
        default=2, ge=0, description="levels within this many ticks of the side's best price are near-touch, ticks"
    )

    @model_validator(mode="after")
    def _min_within_window(self) -> Config:
        if self.typical_min_prints > self.typical_window_prints:
            raise ValueError("typical_min_prints must not exceed typical_window_prints")
        return self


def micro(column: str) -> pl.Expr:
    """A Decimal(38, 6) column in exact integer micro-units (× 10^6), Int64 (null stays null)."""
    return (pl.col(column) * MICRO).cast(pl.Int64)


def price_moves(tops: pl.DataFrame) -> pl.DataFrame:
    """Per snapshot, sorted stably by ``token_id``, ``ts_ms``: ``condition_id``, ``token_id``,
    ``ts_ms``, and Int64 micro-units ``tick`` (the larger of this and the token's previous
    snapshot's tick size), ``mid`` (null when one-sided), ``d_mid`` / ``d_bid`` / ``d_ask`` (the
    value minus the token's last non-null value of it before this row; null when either is
    missing)."""
    rows = tops.sort("token_id", "ts_ms", maintain_order=True).select(
        "condition_id", "token_id", "ts_ms", micro("tick_size").alias("tick"),
        micro("mid").alias("mid"), micro("best_bid").alias("_bid"), micro("best_ask").alias("_ask"),
    )

    def change(column: str) -> pl.Expr:
        return pl.col(column) - pl.col(column).shift(1).forward_fill().over("token_id")

    return rows.with_columns(
        pl.max_horizontal("tick", pl.col("tick").shift(1).over("token_id")).alias("tick"),
        change("mid").alias("d_mid"), change("_bid").alias("d_bid"), change("_ask").alias("d_ask"),
    ).drop("_bid", "_ask")


def jumps(tops: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Snapshots whose mid (or, with ``jump_on_touch``, best bid / ask) moved ≥ ``jump_ticks`` ticks
    since the token's previous value: ``condition_id``, ``token_id``, ``ts_ms``; sorted stably by
    ``token_id``, ``ts_ms``."""
    moves = price_moves(tops)
    columns = ("d_mid", "d_bid", "d_ask") if config.jump_on_touch else ("d_mid",)
    size = pl.max_horizontal(*(pl.col(c).abs() for c in columns))
    return moves.filter(size >= config.jump_ticks * pl.col("tick")).select("condition_id", "token_id", "ts_ms")


def _near_touch_depth(prints: pl.DataFrame, books: pl.DataFrame, near_touch_ticks: int) -> pl.DataFrame:
    """``_p`` (print row id) -> ``depth`` Int128 µ-shares: total size of the levels within
    ``near_touch_ticks`` ticks of the best price of the side the print hit, in the token's last
    book strictly before the print; prints without such a book are absent."""
    book_rows = books.select(
        "token_id", pl.col("ts_ms").alias("_book_ts"), micro("tick_size").alias("_tick"), "bids", "asks"
    ).sort("token_id", "_book_ts", maintain_order=True)
    matched = (
        prints.select("_p", "token_id", "ts_ms", "side")
        .sort("token_id", "ts_ms", maintain_order=True)
        .join_asof(book_rows, left_on="ts_ms", right_on="_book_ts", by="token_id", strategy="backward",
                   allow_exact_matches=False, check_sortedness=False)
        .filter(pl.col("_book_ts").is_not_null())
    )
    levels = (
        matched.select("_p", "_tick", pl.when(pl.col("side") == "BUY").then("asks").otherwise("bids").alias("_lvl"))
        .explode("_lvl")
        .select("_p", "_tick", (pl.col("_lvl").struct.field("price") * MICRO).cast(pl.Int64).alias("_price"),
                (pl.col("_lvl").struct.field("size") * MICRO).cast(pl.Int128).alias("_size"))
    )
    near = (pl.col("_price") - pl.col("_price").first().over("_p")).abs() <= near_touch_ticks * pl.col("_tick")
    return levels.group_by("_p").agg(pl.col("_size").filter(near).sum().fill_null(0).alias("depth"))


def sweeps(trades: pl.DataFrame, books: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Prints that sweep by either rule (see the module docstring): ``condition_id``, ``token_id``,
    ``ts_ms``, one row per (token, ``ts_ms``), sorted by ``token_id``, ``ts_ms``."""
    prints = trades.sort("token_id", "ts_ms", maintain_order=True).select(
        "condition_id", "token_id", "ts_ms", "side", micro("size").alias("_q")
    ).with_row_index("_p")
    typical = (
        pl.col("_q").rolling_median(window_size=config.typical_window_prints, min_samples=config.typical_min_prints)
        .shift(1).over("token_id")
    )
    # Float64 holds these integers and half-integers (< 2^53) exactly: the comparison is exact.
    by_size = pl.col("_q") >= config.sweep_size_multiple * pl.col("_typical")
    flagged = prints.with_columns(typical.alias("_typical"))
    if books.height:
        depth = _near_touch_depth(prints, books, config.near_touch_ticks)
        flagged = flagged.join(depth, on="_p", how="left")
        by_depth = (pl.col("depth") > 0) & (
            pl.col("_q").cast(pl.Int128) * 100 >= config.sweep_depth_pct * pl.col("depth")
        )
        hit = by_size.fill_null(False) | by_depth.fill_null(False)
    else:
        hit = by_size.fill_null(False)
    return (
        flagged.filter(hit).select("condition_id", "token_id", "ts_ms")
        .unique(subset=["token_id", "ts_ms"], keep="first", maintain_order=True)
    )


def shock_events(tops: pl.DataFrame, trades: pl.DataFrame, books: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Every event: :data:`EVENT_SCHEMA` (``name`` = "jump" | "sweep"), sorted by ``token_id``,
    ``ts_ms``, ``name``."""
    events = pl.concat([
        jumps(tops, config).with_columns(pl.lit(JUMP_NAME).alias("name")),
        sweeps(trades, books, config).with_columns(pl.lit(SWEEP_NAME).alias("name")),
    ]).cast(EVENT_SCHEMA)
    return events.unique(subset=["token_id", "ts_ms", "name"], keep="first", maintain_order=True).sort(
        "token_id", "ts_ms", "name", maintain_order=True
    )


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Jump and sweep events of every token; see the module docstring."""
    events = shock_events(data.tops, data.trades, data.books, config)
    return signal_frame(events, SLUG, pl.col("name"), EVENT_UNIT, pl.lit(1.0)).cast(SIGNAL_SCHEMA)
