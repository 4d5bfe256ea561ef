"""exec.fee_slippage_estimator — expected venue fee and sweep slippage of each PLACE intent (S6).

Method (exact: Decimal / Fraction, no float)
    1. As of each intent's ``ts_ms``, look back only: the latest OrderBookSnapshot of its token at or
       before it (``join_asof`` backward; the last row among equal times) and the latest
       InstrumentRecord of its market with ``as_of_ms`` at or before it.
    2. Maker or taker. A post-only intent rests: maker. Otherwise it is marketable when a BUY's price
       >= the best ask or a SELL's price <= the best bid of that book (an empty side: not marketable);
       a marketable intent is a taker, any other rests as a maker. Makers pay no fee and a resting
       order has no slippage: ``fee_usdc = 0``, ``slippage_ticks = 0`` (the maker rebate is paid later
       out of a daily pool, not per fill, and is not credited here).
    3. Taker sweep: walk the opposite side (asks for a BUY, bids for a SELL) best-first through the
       levels within the limit price, taking ``min(level size, size still to fill)`` from each. A size
       the book cannot fill within the limit → unfillable (EXEC_INSUFFICIENT_DEPTH).
       ``vwap = Σ level_price × take / size``; ``slippage_ticks = ceil(|vwap − touch| / tick)`` with the
       touch the best level and the tick the book's.
    4. Taker fee (docs.polymarket.com/trading/fees; py_clob_client_v2/fees.py
       ``platform_fee_rate = fee_rate * (price * (1 - price)) ** fee_exponent``, charged per share):
       each level's take pays ``taker_fee_rate × (p × (1 − p))^exponent × take`` at that level's price
       p (each match trades at the resting order's price); the exact sum is rounded once, half-even,
       to ``config.fee_decimals`` (default 6: the USDC unit; NautilusTrader's Polymarket adapter floors
       the charge to 5 dp — the venue page states no rounding rule we could confirm). No fee
       parameters, or ``fees_enabled`` False → 0. The market's ``maker_fee_rate`` is not read: makers
       pay none.
    Every PLACE intent is in exactly one of ``estimates`` / ``unfillable``. A non-post-only intent
    with no book at or before its time cannot be classed (touch unknown): unfillable,
    EXEC_INSUFFICIENT_DEPTH; a taker with no instrument record (fees unknown): unfillable,
    EXEC_UNKNOWN_INSTRUMENT. CANCEL intents are ignored.

Inputs
    ``intents`` — OrderIntent frame (intent_id, kind, condition_id, token_id, ts_ms Int64, side, price /
    size Decimal, post_only Boolean); ``instruments`` — InstrumentRecord frame (condition_id,
    as_of_ms, fees Struct(fees_enabled, taker_fee_rate, maker_fee_rate, exponent), nullable);
    ``books`` — OrderBookSnapshot frame (condition_id, token_id, ts_ms, tick_size, bids / asks
    List(Struct(price, size)) best-first).

Returns
    EstimateResult: ``estimates`` — ExecutionEstimate frame (its contract columns and dtypes; ``price``
    and ``size`` are the intent's limit price and size, ``fee_usdc`` USDC, ``slippage_ticks`` ticks),
    one row per estimated intent in the intents' order; ``unfillable`` — intent_id String,
    reason_code String, in the intents' order. Empty input → typed empty frames.

Reason codes
    EXEC_INSUFFICIENT_DEPTH, EXEC_UNKNOWN_INSTRUMENT.

Raises
    pydantic.ValidationError — invalid config (``fee_decimals`` outside [0, 6]).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import polars as pl
from pydantic import Field

from polytraders.adapters.polymarket.trades import taker_fee_per_share
from polytraders.bots.base import BotConfig
from polytraders.contracts import reason_codes
from polytraders.contracts.frames import DECIMAL_DTYPE, polars_schema

SLUG = "exec.fee_slippage_estimator"
VERSION = "0.1.0"

INSUFFICIENT_DEPTH = reason_codes.require("EXEC_INSUFFICIENT_DEPTH")
UNKNOWN_INSTRUMENT = reason_codes.require("EXEC_UNKNOWN_INSTRUMENT")

#: Columns of ``EstimateResult.unfillable``.
UNFILLABLE_SCHEMA = pl.Schema({"intent_id": pl.String(), "reason_code": pl.String()})

_ESTIMATE_SCHEMA = polars_schema("ExecutionEstimate")
_ZERO = pl.lit(Decimal(0), dtype=DECIMAL_DTYPE)


class Config(BotConfig):
    """Parameters of exec.fee_slippage_estimator."""

    fee_decimals: int = Field(
        default=6, ge=0, le=6, description="decimals the fee is rounded to (half-even); USDC decimals"
    )


@dataclass(frozen=True, slots=True)
class EstimateResult:
    """``estimates`` (ExecutionEstimate frame) and ``unfillable`` (UNFILLABLE_SCHEMA frame)."""

    estimates: pl.DataFrame
    unfillable: pl.DataFrame


def estimate(intents: pl.DataFrame, instruments: pl.DataFrame, books: pl.DataFrame, config: Config) -> EstimateResult:
    """Fee and slippage of each PLACE intent; see the module docstring."""
    buy = pl.col("side") == "BUY"
    rows = _as_of(intents.filter(pl.col("kind") == "PLACE").with_row_index("_row"), instruments, books)
    levels = pl.when(buy).then(pl.col("_asks")).otherwise(pl.col("_bids"))
    touch = levels.list.first().struct.field("price")
    marketable = pl.when(buy).then(pl.col("price") >= touch).otherwise(pl.col("price") <= touch).fill_null(False)
    rows = rows.with_columns(
        _levels=levels,
        _class=pl.when(pl.col("post_only") | (pl.col("_tick").is_not_null() & ~marketable))
        .then(pl.lit("maker"))
        .when(pl.col("_tick").is_null())
        .then(pl.lit(INSUFFICIENT_DEPTH))
        .when(~pl.col("_instrument").fill_null(False))
        .then(pl.lit(UNKNOWN_INSTRUMENT))
        .otherwise(pl.lit("taker")),
    )
    takers = _taker_costs(rows.filter(pl.col("_class") == "taker"), config)
    costed = rows.join(takers, on="_row", how="left").with_columns(
        _class=pl.when((pl.col("_class") == "taker") & pl.col("fee_usdc").is_null())
        .then(pl.lit(INSUFFICIENT_DEPTH))
        .otherwise(pl.col("_class"))
    )
    estimated = costed.filter(pl.col("_class").is_in(["maker", "taker"])).sort("_row")
    unfillable = costed.filter(~pl.col("_class").is_in(["maker", "taker"])).sort("_row")
    return EstimateResult(
        estimates=estimated.select(
            pl.col(name).fill_null(0).cast(dtype) if name in ("fee_usdc", "slippage_ticks") else pl.col(name)
            for name, dtype in _ESTIMATE_SCHEMA.items()
        ),
        unfillable=unfillable.select("intent_id", reason_code=pl.col("_class")),
    )


def _as_of(places: pl.DataFrame, instruments: pl.DataFrame, books: pl.DataFrame) -> pl.DataFrame:
    """``places`` with the latest book (``_tick``, ``_bids``, ``_asks``; null: none) and instrument
    (``_fees``, ``_instrument``) at or before each row's ``ts_ms``."""
    book_rows = books.select("condition_id", "token_id", "ts_ms", _tick="tick_size", _bids="bids", _asks="asks").sort(
        "ts_ms", maintain_order=True
    )
    records = instruments.select("condition_id", _as_of_ms="as_of_ms", _fees="fees", _instrument=pl.lit(True)).sort(
        "_as_of_ms", maintain_order=True
    )
    return (
        places.sort("ts_ms", maintain_order=True)
        .join_asof(book_rows, on="ts_ms", by=["condition_id", "token_id"], strategy="backward",
                   check_sortedness=False)
        .join_asof(records, left_on="ts_ms", right_on="_as_of_ms", by="condition_id", strategy="backward",
                   check_sortedness=False)
    )  # fmt: skip


def _taker_costs(takers: pl.DataFrame, config: Config) -> pl.DataFrame:
    """``_row``, ``fee_usdc``, ``slippage_ticks`` of each taker the book fills within its limit."""
    within = (
        pl.when(pl.col("side") == "BUY")
        .then(pl.col("_lp") <= pl.col("price"))
        .otherwise(pl.col("_lp") >= pl.col("price"))
    )
    before = pl.col("_ls").cum_sum().over("_row") - pl.col("_ls")
    swept = (
        takers.select("_row", "price", "size", "side", "_tick", "_fees", "_levels")
        .explode("_levels")
        .with_columns(_lp=pl.col("_levels").struct.field("price"), _ls=pl.col("_levels").struct.field("size"))
        .filter(within)
        .with_columns(_take=pl.min_horizontal("_ls", pl.max_horizontal(pl.col("size") - before, _ZERO)))
        .filter(pl.col("_take") > 0)
        .group_by("_row", maintain_order=True)
        .agg(pl.col("size", "_tick", "_fees").first(), pl.col("_lp", "_take"), _filled=pl.col("_take").sum())
        .filter(pl.col("_filled") == pl.col("size"))
    )
    costs = [_cost(*row, config) for row in swept.select("_row", "_tick", "_fees", "_lp", "_take").iter_rows()]
    return pl.DataFrame(
        costs, schema={"_row": pl.UInt32(), "fee_usdc": DECIMAL_DTYPE, "slippage_ticks": pl.Int64()}, orient="row"
    )


def _cost(
    row: int, tick: Decimal, fees: dict | None, prices: list[Decimal], takes: list[Decimal], config: Config
) -> tuple[int, Decimal, int]:
    """(row, fee USDC rounded half-even to ``config.fee_decimals``, slippage ticks) of one filled sweep."""
    filled = Fraction(sum(takes))
    vwap = sum((Fraction(p) * Fraction(q) for p, q in zip(prices, takes, strict=True)), Fraction(0)) / filled
    slippage = math.ceil(abs(vwap - Fraction(prices[0])) / Fraction(tick))
    fee = Fraction(0)
    if fees is not None and fees["fees_enabled"]:
        fee = sum(
            (taker_fee_per_share(p, fees["taker_fee_rate"], fees["exponent"]) * Fraction(q)
             for p, q in zip(prices, takes, strict=True)),
            Fraction(0),
        )  # fmt: skip
    scale = 10**config.fee_decimals
    return row, Decimal(round(fee * scale)) / scale, slippage
