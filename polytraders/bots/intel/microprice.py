"""intel.microprice — size-weighted microprice over the top N levels of each book.

Method
    For one book take the best ``top_levels`` (N) levels of each side. With
    ``Qb = Σ q_i`` and ``Pb = Σ p_i·q_i / Qb`` the total size and size-weighted average price of
    the top-N bids, and ``Qa``, ``Pa`` the same for the top-N asks::

        micro = (Pb·Qa + Pa·Qb) / (Qa + Qb)

    Each side's price is weighted by the *opposite* side's size: a heavy bid queue pulls the
    microprice toward the ask (Stoikov 2018, "The micro-price: a high-frequency estimator of
    future prices", Quantitative Finance 18(12); with N = 1 this is the classic weighted mid).
    Units: probability (USDC per share of the token), in [best bid, best ask] for N = 1.
    The signal is informational (capital impact I): it is computed in Float64 from the exact
    Decimal levels and decides no order price or size; no rounding is applied.

Inputs
    ``data.books`` (:class:`~polytraders.bots.inputs.MarketData`) — OrderBookSnapshot frame:
    ``condition_id`` String, ``token_id`` String, ``ts_ms`` Int64, ``tick_size`` Decimal(38, 6), ``bids`` / ``asks``
    List(Struct{price: Decimal(38, 6), size: Decimal(38, 6)}) best-first, ``freshness`` Struct.
    Only ``condition_id``, ``token_id``, ``ts_ms``, ``bids`` and ``asks`` are read.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name`` =
    "microprice", ``value`` Float64, ``unit`` = "probability"), one row per input book in input
    order, except books with an empty side (no levels, or zero total size over the top N levels):
    the microprice is undefined there (INTEL_EMPTY_SIDE) and the book yields no row.

Reason codes
    INTEL_EMPTY_SIDE (documented condition for an absent row; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (``top_levels`` < 1).

Example
    >>> from decimal import Decimal as D
    >>> lvl = pl.List(pl.Struct({"price": pl.Decimal(38, 6), "size": pl.Decimal(38, 6)}))
    >>> books = pl.DataFrame(
    ...     {"condition_id": ["0x" + "a" * 64], "token_id": ["1"], "ts_ms": [1_700_000_000_000],
    ...      "bids": [[{"price": D("0.40"), "size": D("300")}]],
    ...      "asks": [[{"price": D("0.60"), "size": D("100")}]]},
    ...     schema={"condition_id": pl.String, "token_id": pl.String, "ts_ms": pl.Int64,
    ...             "bids": lvl, "asks": lvl})
    >>> run(MarketData.of(books=books), Config(top_levels=1))["value"].to_list()  # (0.40·100 + 0.60·300) / 400
    [0.55]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, signal_frame

SLUG = "intel.microprice"
VERSION = "0.1.0"

SIGNAL_NAME = "microprice"
SIGNAL_UNIT = "probability"

INPUTS = ("books",)


class Config(BotConfig):
    """Parameters of intel.microprice."""

    top_levels: int = Field(
        default=3, ge=1, description="number of best levels per side in the weighted averages (N), levels"
    )


def _side_sums(column: str, top_levels: int) -> tuple[pl.Expr, pl.Expr]:
    """(Σ p·q, Σ q) over the first ``top_levels`` levels of a book side, Float64."""
    levels = pl.col(column).list.head(top_levels)
    price = pl.element().struct.field("price").cast(pl.Float64)
    size = pl.element().struct.field("size").cast(pl.Float64)
    notional = levels.list.eval(price * size).list.sum()
    total = levels.list.eval(size).list.sum()
    return notional, total


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Microprice of every book with two non-empty sides; see the module docstring."""
    bid_notional, bid_size = _side_sums("bids", config.top_levels)
    ask_notional, ask_size = _side_sums("asks", config.top_levels)
    sums = data.books.select(
        "condition_id",
        "token_id",
        "ts_ms",
        bid_notional.alias("_sb"),
        bid_size.alias("_qb"),
        ask_notional.alias("_sa"),
        ask_size.alias("_qa"),
    ).filter((pl.col("_qb") > 0) & (pl.col("_qa") > 0))
    pb = pl.col("_sb") / pl.col("_qb")
    pa = pl.col("_sa") / pl.col("_qa")
    micro = (pb * pl.col("_qa") + pa * pl.col("_qb")) / (pl.col("_qa") + pl.col("_qb"))
    return signal_frame(sums, SLUG, SIGNAL_NAME, SIGNAL_UNIT, micro)
