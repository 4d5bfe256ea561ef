"""risk.market_quality — no orders into a gapped or one-sided book; size capped by the touch depth.

Method
    At the decision time's top of book (``best_bid`` / ``best_ask``, prices; ``best_bid_size`` /
    ``best_ask_size``, shares; ``spread_ticks`` = (ask − bid) / book tick):

    1. **REJECT** when one side is empty (``best_bid`` or ``best_ask`` null: no two-sided
       market), the spread is unknown, wider than ``max_spread_ticks`` (a gap at the touch: the
       displayed prices say little about where the next trade happens), or below 1 tick (a locked
       or crossed touch cannot stand on the venue, so the data is inconsistent), or either touch
       size is unknown. Exactly ``max_spread_ticks`` passes.
    2. Otherwise **cap the size** by the depth at the touch the order meets — the side of the
       book it interacts with:

       * an order that crosses (BUY with ``price >= best_ask``, SELL with ``price <= best_bid``)
         takes liquidity: its reference depth is the opposite touch (``best_ask_size`` for a BUY,
         ``best_bid_size`` for a SELL). Beyond it the order walks into deeper levels of unknown
         price, and the displayed size may already be partly gone when the order lands;
       * a resting order (any other price) joins its own side: its reference depth is that
         side's touch (``best_bid_size`` for a BUY, ``best_ask_size`` for a SELL). A quote far
         larger than the queue it joins is outsized for the market: it becomes the market, and
         it is the first size picked off when the price moves.

       ``cap = floor(max_touch_fraction × reference depth)`` to ``size_decimals`` decimals
       (exact: the product of two ≤ 6-decimal numbers is computed at 12 decimals, then rounded
       DOWN). Size ≤ cap → APPROVE; else REDUCE to the cap, or REJECT when the cap is below the
       market's ``min_order_size`` (or that is unknown) — see
       :func:`~polytraders.bots.risk.votes.sized`. A touch size of 0 caps to 0 → REJECT.

    Only the touch is in the intent frame, so gaps deeper in the book are not seen here.
    Worked example (book 0.49 × 100 / 0.51 × 100, spread 2 ticks, fraction 0.5, 2 decimals,
    minimum 5): BUY 20 @ 0.50 rests, reference = bid size 100, cap 50 → APPROVE 20; with bid size
    30: cap 15 → REDUCE 15; bid size 33.33: 0.5 × 33.33 = 16.665 → REDUCE 16.66; bid size 9:
    cap 4.5 < 5 → REJECT; BUY 20 @ 0.51 crosses, ask size 25: cap 12.5 → REDUCE 12.50; spread
    11 ticks > 10 → REJECT.

Inputs
    Intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`) columns ``side``,
    ``price``, ``size``, ``min_order_size``, ``best_bid``, ``best_ask``, ``best_bid_size``,
    ``best_ask_size``, ``spread_ticks``. No RiskContext history is read.

Returns
    A :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE at ``size``, REDUCE to the cap, or REJECT (size 0).

Reason codes
    RISK_MARKET_QUALITY.

Raises
    pydantic.ValidationError — invalid config (``max_spread_ticks`` outside [1, 1000],
    ``max_touch_fraction`` outside (0, 1] or with more than 6 decimals, ``size_decimals``
    outside [0, 6]).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, SELL, sized
from polytraders.contracts import reason_codes

SLUG = "risk.market_quality"
VERSION = "0.1.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_MARKET_QUALITY")

_DEC = pl.Decimal(38, 6)
_WIDE = pl.Decimal(38, 12)  # fraction × shares of two 6-decimal numbers is exact at 12 decimals


class Config(BotConfig):
    """Parameters of risk.market_quality."""

    max_spread_ticks: int = Field(
        default=10, ge=1, le=1000,
        description="widest spread at the touch that still trades, ticks (10 = 0.10 on a 0.01 grid)",
    )
    max_touch_fraction: Decimal = Field(
        default=Decimal("0.5"), gt=0, le=1, decimal_places=6,
        description="largest order as a fraction of the touch size it meets, 0.5 = half",
    )
    size_decimals: int = Field(default=2, ge=0, le=6, description="decimals the capped size is rounded down to")


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each PLACE intent; see the module docstring."""
    price, spread = pl.col("price"), pl.col("spread_ticks")
    bid, ask, bid_size, ask_size = (pl.col(c) for c in ("best_bid", "best_ask", "best_bid_size", "best_ask_size"))

    bad_book = (
        bid.is_null() | ask.is_null() | bid_size.is_null() | ask_size.is_null()
        | spread.is_null() | (spread > config.max_spread_ticks) | (spread < 1)
    )
    depth = (
        pl.when(BUY & (price >= ask)).then(ask_size)
        .when(BUY & (price < ask)).then(bid_size)
        .when(SELL & (price <= bid)).then(bid_size)
        .when(SELL & (price > bid)).then(ask_size)
        .otherwise(pl.lit(None, _DEC))  # unknown side or price: no depth → REJECT
    )
    raw_cap = depth.cast(_WIDE) * pl.lit(config.max_touch_fraction).cast(_WIDE)
    unit = pl.lit(Decimal(1).scaleb(-config.size_decimals)).cast(_WIDE)
    cap = (raw_cap - raw_cap % unit).cast(_DEC)  # ≥ 0, so this rounds DOWN, exactly
    allowed = pl.when(bad_book).then(pl.lit(0).cast(_DEC)).otherwise(cap)
    return sized(intents, allowed, CODE)
