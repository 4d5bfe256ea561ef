"""risk.price_band — price inside the venue's range, near fair value, and post-only never crossing.

Method
    For each PLACE intent with limit price ``p`` (USDC/share), tick ``t`` (``tick_size``, USDC),
    fair value ``f`` (``fair_value``, USDC/share) and ``k = max_ticks_from_fair`` (ticks), REJECT
    when any of these holds, all in exact Decimal arithmetic (no float, no rounding):

    (a) **venue range**: ``p < t`` or ``p > 1 − t``. The venue accepts prices in ``[t, 1 − t]``
        only (py-clob-client ``py_clob_client/utilities.py``: ``price_valid(price, tick_size)`` is
        ``tick_size <= price <= 1 − tick_size``; https://docs.polymarket.com/trading/orders/overview
        "Tick sizes"). A null or non-positive ``t`` → REJECT: without the grid nothing is valid.
    (b) **fair-value band**: ``f`` known and ``|p − f| > k·t``; exactly ``k`` ticks away passes.
        A null ``f`` skips this rule while ``require_fair_value`` is False (the default): fair
        values come from S5, and a strategy may act where no fair value is published (takers on
        a book-only signal, unwinds); rules (a) and (c) still bound such an order, and a missing
        fair value is not a defect of the order. Set ``require_fair_value`` True where every
        strategy is expected to price off a fair value: a null ``f`` then means S5 is broken or
        lagging, and the intent is rejected (fail closed).
    (c) **post-only crossing**: a post-only order that would trade on arrival is refused by the
        venue (https://docs.polymarket.com/trading/orders/overview, "Post-Only Orders"), so it is
        rejected here at the decision time's book: BUY with ``best_ask`` not null and
        ``p >= best_ask``; SELL with ``best_bid`` not null and ``p <= best_bid``. An empty opposite
        side cannot be crossed; a missing book altogether is risk.stale_book's to reject.

    Null handling (fail closed): a null ``p``, or a null ``post_only`` / ``side`` where the
    crossing test could be true, makes the verdict null → REJECT; an input that cannot change
    the outcome (e.g. ``post_only`` null on an order that crosses nothing) does not.
    Worked example (t = 0.01, k = 10, f = 0.50): valid range [0.01, 0.99]; fair band
    [0.40, 0.60]; BUY at 0.60 → APPROVE, at 0.61 → REJECT (11 ticks); post-only BUY at 0.51 with
    best ask 0.51 → REJECT (crosses), at 0.50 → APPROVE; price 0.995 on a 0.001 grid → APPROVE
    by (a) (0.995 ≤ 0.999), 1.000 → REJECT.

Inputs
    Intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`) columns ``side``,
    ``price``, ``post_only``, ``tick_size``, ``fair_value``, ``best_bid``, ``best_ask``. No
    RiskContext history is read.

Returns
    A :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE at ``size`` or REJECT (size 0).

Reason codes
    RISK_PRICE_BAND.

Raises
    pydantic.ValidationError — invalid config (``max_ticks_from_fair`` outside [1, 1000]).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, SELL, verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.price_band"
VERSION = "0.1.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_PRICE_BAND")

_DEC = pl.Decimal(38, 6)


class Config(BotConfig):
    """Parameters of risk.price_band."""

    max_ticks_from_fair: int = Field(
        default=10, ge=1, le=1000,
        description="largest allowed |price − fair_value|, in ticks of the token's grid (10 = 0.10 on 0.01)",
    )
    require_fair_value: bool = Field(
        default=False,
        description="True: a null fair_value rejects; False: a null fair_value skips the fair-value band",
    )


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each PLACE intent; see the module docstring."""
    price = pl.col("price")
    tick = pl.when(pl.col("tick_size") > 0).then(pl.col("tick_size"))  # null when unknown or ≤ 0
    fair = pl.col("fair_value")
    best_bid, best_ask = pl.col("best_bid"), pl.col("best_ask")

    out_of_range = (price < tick) | (price > pl.lit(1).cast(_DEC) - tick)
    off_fair = (
        pl.when(fair.is_null())
        .then(pl.lit(config.require_fair_value))
        .otherwise((price - fair).abs() > tick * config.max_ticks_from_fair)
    )
    crosses = (
        pl.when(BUY).then(best_ask.is_not_null() & (price >= best_ask))
        .when(SELL).then(best_bid.is_not_null() & (price <= best_bid))
        .otherwise(pl.lit(None, pl.Boolean))
    )
    reject = out_of_range | off_fair | (pl.col("post_only") & crosses)
    return verdicts(intents, reject, CODE)
