"""intel.vwap_deviation — last trade price vs the rolling VWAP of a token's prints, in ticks.

Method
    Prints of one token at the same ``ts_ms`` form one update: the *last trade* is the last of
    them in input order, and all of them enter the window. Over the trailing time window
    ``(t − W, t]`` (``W`` = ``window_ms``, the prints at ``t`` included) the volume-weighted
    average price is::

        VWAP(t) = Σ p_j · q_j / Σ q_j

    (the standard VWAP benchmark, e.g. Berkowitz, Logue & Noser 1988, "The total cost of
    transactions on the NYSE", Journal of Finance 43(1)) and the deviation::

        deviation(t) = (p_last(t) − VWAP(t)) / tick(t)

    positive = the latest print is above the recent volume-weighted price (buyers paying up),
    negative = below. ``tick(t)`` is the token's tick size then: from the last top
    (MarketSnapshot) of the token at or before ``t``; without one, from the latest InstrumentRecord
    of its market with ``as_of_ms`` ≤ ``t``. Window sums use ``rolling_sum_by`` on ``ts_ms``.
    Everything is exact integer arithmetic in micro-units (Int128) up to one final division::

        deviation = (p_last · Σq − Σ p·q) / (Σq · tick)

    Units: ticks, Float64; informational (capital impact I), no rounding.

Inputs
    ``data.trades`` (:class:`~polytraders.bots.inputs.MarketData`) — TradePrint frame:
    ``condition_id``, ``token_id`` String, ``ts_ms`` Int64, ``price``, ``size`` Decimal(38, 6).
    ``data.tops`` — MarketSnapshot frame: ``token_id`` String, ``ts_ms`` Int64, ``tick_size``
    Decimal(38, 6). ``data.instruments`` — InstrumentRecord frame: ``condition_id`` String,
    ``as_of_ms`` Int64, ``tick_size`` Decimal(38, 6) (fallback only). Only these columns are read;
    rows are sorted (stable) by ``token_id``, ``ts_ms`` before use.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name`` =
    "vwap_deviation", ``value`` Float64, ``unit`` = "ticks"), one row per (token, ``ts_ms``) with at
    least one print, sorted by ``token_id``, ``ts_ms``; except:

    - while the window holds fewer than ``min_prints`` prints, or before any tick size of the
      token is known (no top at or before ``t`` and no instrument record as of ``t``): no row
      (INTEL_WARMUP);
    - a window whose prints all have size 0 (VWAP = 0 / 0): no row (INTEL_NO_TRADES).

    A token without prints has no rows (INTEL_NO_TRADES); an empty ``trades`` frame gives an
    empty Signal frame.

Reason codes
    INTEL_NO_TRADES (no print, or no volume, in the window), INTEL_WARMUP (window short of
    ``min_prints`` prints, or no tick size known yet). The Signal frame has no code column.

Raises
    pydantic.ValidationError — invalid config (``window_ms`` < 1, ``min_prints`` < 1).

Example
    >>> from polytraders_tests.bots.frames import tops, trades
    >>> prints = trades(("yes", 0, "0.50", "30", "BUY"), ("yes", 1_000, "0.54", "10", "BUY"))
    >>> data = MarketData.of(trades=prints, tops=tops(("yes", 0, "0.49", "0.51")))
    >>> run(data, Config(min_prints=2))["value"].to_list()  # VWAP = (15 + 5.4) / 40 = 0.51; (0.54 − 0.51) / 0.01
    [3.0]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, signal_frame
from polytraders.contracts import reason_codes

SLUG = "intel.vwap_deviation"
VERSION = "0.1.0"

SIGNAL_NAME = "vwap_deviation"
SIGNAL_UNIT = "ticks"

INPUTS = ("trades", "tops", "instruments")

NO_TRADES = reason_codes.require("INTEL_NO_TRADES")
WARMUP = reason_codes.require("INTEL_WARMUP")

#: Micro-units per unit (prices, sizes and tick sizes are Decimal(38, 6)).
MICRO = 1_000_000


class Config(BotConfig):
    """Parameters of intel.vwap_deviation."""

    window_ms: int = Field(
        default=600_000, ge=1, description="trailing time window (t − W, t] of prints in the VWAP, ms"
    )
    min_prints: int = Field(
        default=3, ge=1, description="prints the window must hold (those at t included) before a row is emitted, prints"
    )


def _micro(column: str) -> pl.Expr:
    """A Decimal(38, 6) column in exact integer micro-units (Int128: window sums cannot overflow)."""
    return (pl.col(column) * MICRO).cast(pl.Int128)


def _tick_sizes(updates: pl.DataFrame, tops: pl.DataFrame, instruments: pl.DataFrame) -> pl.DataFrame:
    """``updates`` with ``_tick`` (Int128 micro-units): the last top's tick size at or before
    ``ts_ms``, else the latest instrument record's as of ``ts_ms``, else null."""
    by_time = updates.sort("ts_ms", maintain_order=True)
    from_tops = by_time.join_asof(
        tops.select("token_id", "ts_ms", _micro("tick_size").alias("_tick_top")).sort("ts_ms", maintain_order=True),
        on="ts_ms", by="token_id", strategy="backward", check_sortedness=False,
    )
    records = instruments.select(
        "condition_id", pl.col("as_of_ms").alias("ts_ms"), _micro("tick_size").alias("_tick_ins")
    ).sort("ts_ms", maintain_order=True)
    both = from_tops.join_asof(records, on="ts_ms", by="condition_id", strategy="backward", check_sortedness=False)
    return both.with_columns(pl.coalesce("_tick_top", "_tick_ins").alias("_tick"))


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Deviation of the last print from the rolling VWAP, in ticks; see the module docstring."""
    if data.trades.is_empty():
        return pl.DataFrame(schema=SIGNAL_SCHEMA)
    price, size = _micro("price"), _micro("size")
    updates = (
        data.trades.sort(["token_id", "ts_ms"], maintain_order=True)
        .group_by(["token_id", "ts_ms"], maintain_order=True)
        .agg(
            pl.col("condition_id").first(),
            price.last().alias("_last"),
            (price * size).sum().alias("_pq"),
            size.sum().alias("_q"),
            pl.len().cast(pl.Int64).alias("_n"),
        )
    )
    window = f"{config.window_ms}i"
    rolled = updates.with_columns(
        pl.col(c).rolling_sum_by("ts_ms", window).over("token_id") for c in ("_pq", "_q", "_n")
    ).filter(pl.col("_n") >= config.min_prints)
    ticked = _tick_sizes(rolled, data.tops, data.instruments).sort(["token_id", "ts_ms"], maintain_order=True)
    # (p_last − Σpq / Σq) / tick = (p_last · Σq − Σpq) / (Σq · tick): exact integers, one division
    numerator = pl.col("_last") * pl.col("_q") - pl.col("_pq")
    denominator = pl.col("_q") * pl.col("_tick")
    deviation = numerator.cast(pl.Float64) / denominator.cast(pl.Float64)
    return signal_frame(ticked, SLUG, SIGNAL_NAME, SIGNAL_UNIT, deviation)
