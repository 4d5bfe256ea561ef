"""exec.queue_position_estimator — shares queued ahead of a resting order, and whether to keep or reprice it.

Method (exact Decimal; the risk-averse FIFO queue model of hftbacktest, ``RiskAdverseQueueModel`` in
hftbacktest/src/backtest/models/queue.rs, hftbacktest.readthedocs.io "Queue Models": with aggregated
(market-by-price) books the queue ahead advances only by trades at our price)
    1. The order joins the back of the queue at its price: ``q0`` = the size at our price on our side
       (bids for a BUY, asks for a SELL; 0 when the level is absent) in the latest book of the token at
       or before placement (the last row among books of equal time).
    2. Each later trade print at our price whose aggressor is the other side (a SELL hitting our bid,
       a BUY lifting our ask) takes its size off the queue ahead: ``q −= size``. Prints at the
       placement millisecond are taken as earlier than our order (not counted).
    3. Each later book caps the queue ahead at the level's size then: ``q = min(q, L)`` — size that
       vanished without a trade is assumed ahead of us only down to what is left (cancellations
       behind us, the conservative reading). At equal times trades apply before the book (the
       book already shows them). In live trading the level also holds our own order, so the cap is
       loose by our own size: conservative again (more ahead).
    4. ``q`` never goes below 0. The recursion has the closed form, over the placement book and
       every later book k up to ``as_of_ms``, with S(t) the cumulative size of the counted prints up to t:
       ``queue_ahead = max(0, min_k(L_k + S(t_k)) − S(as_of_ms))``, evaluated in one pass over the frames.
       With no book at or before placement the first later book starts the queue.
    ``decide``: reprice when ``queue_ahead > config.max_queue_ahead_shares`` (EXEC_QUEUE_REPRICE), else
    keep (EXEC_QUEUE_KEEP) — one rule, in shares.

Inputs
    ``order`` — RestingOrder (token id, side, price USDC per share, placement time ms UTC);
    ``books`` — OrderBookSnapshot frame (token_id, ts_ms Int64, bids / asks List(Struct(price, size
    Decimal)) best-first); ``trades`` — TradePrint frame (token_id, ts_ms, price, size, side = the
    aggressor); ``as_of_ms`` — the time of the estimate (only rows at or before it are read).

Returns
    ``queue_ahead`` — Decimal shares ahead of the order, or None when no book of the token is seen at or
    before ``as_of_ms`` (queue unknown). ``decide`` — the reason code EXEC_QUEUE_KEEP or EXEC_QUEUE_REPRICE.

Reason codes
    EXEC_QUEUE_KEEP, EXEC_QUEUE_REPRICE.

Raises
    pydantic.ValidationError — invalid config (negative threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.contracts import reason_codes
from polytraders.contracts.frames import DECIMAL_DTYPE
from polytraders.contracts.types import Side

SLUG = "exec.queue_position_estimator"
VERSION = "0.1.0"

QUEUE_KEEP = reason_codes.require("EXEC_QUEUE_KEEP")
QUEUE_REPRICE = reason_codes.require("EXEC_QUEUE_REPRICE")


class Config(BotConfig):
    """Parameters of exec.queue_position_estimator."""

    max_queue_ahead_shares: Decimal = Field(
        default=Decimal(1000), ge=0, description="reprice when more than this is queued ahead of the order; shares"
    )


@dataclass(frozen=True, slots=True)
class RestingOrder:
    """One resting order: token, side, limit price (USDC per share), placement time (epoch ms UTC)."""

    token_id: str
    side: Side
    price: Decimal
    placed_ts_ms: int


def queue_ahead(order: RestingOrder, books: pl.DataFrame, trades: pl.DataFrame, as_of_ms: int) -> Decimal | None:
    """Shares ahead of ``order`` at ``as_of_ms`` (None: no book seen); see the module docstring."""
    level = "bids" if order.side == Side.BUY else "asks"
    price = pl.lit(order.price, dtype=DECIMAL_DTYPE)
    token_books = books.filter(pl.col("token_id") == order.token_id, pl.col("ts_ms") <= as_of_ms).sort(
        "ts_ms", maintain_order=True
    )
    placement = token_books.filter(pl.col("ts_ms") <= order.placed_ts_ms).tail(1)
    caps = pl.concat([
        placement.with_columns(ts_ms=pl.lit(order.placed_ts_ms, dtype=pl.Int64)),
        token_books.filter(pl.col("ts_ms") > order.placed_ts_ms),
    ]).select(
        "ts_ms",
        level_size=pl.col(level).list.eval(
            pl.element().filter(pl.element().struct.field("price") == price).struct.field("size")
        ).list.sum(),
    )  # fmt: skip
    if caps.is_empty():
        return None
    printed = (
        trades.filter(
            pl.col("token_id") == order.token_id,
            pl.col("side") != order.side.value,
            pl.col("price") == price,
            pl.col("ts_ms") > order.placed_ts_ms,
            pl.col("ts_ms") <= as_of_ms,
        )
        .sort("ts_ms", maintain_order=True)
        .select("ts_ms", traded=pl.col("size").cum_sum())
    )
    capped = caps.join_asof(printed, on="ts_ms", strategy="backward", check_sortedness=False)
    bound = capped.select((pl.col("level_size") + pl.col("traded").fill_null(0)).min()).item()
    traded_total = printed["traded"].max() or Decimal(0)
    return max(Decimal(0), bound - traded_total)


def decide(queue_ahead: Decimal, config: Config) -> str:
    """EXEC_QUEUE_REPRICE when ``queue_ahead`` (shares) > ``config.max_queue_ahead_shares``, else EXEC_QUEUE_KEEP."""
    return QUEUE_REPRICE if queue_ahead > config.max_queue_ahead_shares else QUEUE_KEEP
