"""risk.order_validity — reject orders the venue would refuse: grid, size, precision, notional.

Method
    For each PLACE intent with price ``p`` (USDC/share), size ``s`` (shares), tick ``t``
    (``tick_size``), minimum size ``m`` (``min_order_size``, shares) and notional ``n = p·s``
    (USDC, computed exactly at 12 decimals), REJECT when any of these holds (exact Decimal, no
    float, no rounding):

    1. **off the tick grid**: ``p mod t ≠ 0``. Prices must be multiples of the market's tick
       (https://docs.polymarket.com/trading/orders/overview, "Tick sizes"). A null or
       non-positive ``t`` → REJECT.
    2. **size**: ``s ≤ 0`` or ``s < m`` (the market's ``orderMinSize``; the venue answers "Size
       (x) lower than the minimum: 5", py-clob-client issue #301). A null ``m`` → REJECT.
    3. **size precision**: ``s`` has more than ``size_decimals`` decimals (``s mod 10^−d ≠ 0``);
       the venue's size precision is 2 decimals on every grid (py-clob-client
       ``order_builder/builder.py`` ``ROUNDING_CONFIG``: ``size=2`` for ticks 0.1 … 0.0001).
    4. **order type**: ``order_type`` not one of GTC / GTD / FOK / FAK, a ``side`` other than
       BUY / SELL, or a post-only FOK / FAK (the venue rejects post-only on market order types:
       https://docs.polymarket.com/trading/orders/overview, "Post-Only Orders").
    5. **minimum marketable notional**: the order is *marketable* and ``n <
       min_marketable_notional_usdc`` (default 1 USDC). Marketable = ``order_type`` FOK or FAK,
       or a non-post-only order that crosses the touch at the decision time: BUY with
       ``best_ask`` not null and ``p >= best_ask``, SELL with ``best_bid`` not null and
       ``p <= best_bid`` (an empty opposite side cannot be crossed; a missing book is
       risk.stale_book's). The 1 USDC minimum for marketable orders is not stated in the
       reference material under ``shared/reference/polymarket`` nor on the docs pages found; it is
       the venue behaviour reported in nautilus_trader issue #3874 ("market order: minimum amount
       is $1") and py-clob-client issue #301, hence a config value with default 1.
    6. **maximum notional**: ``n > max_notional_usdc`` (our own fat-finger cap, default 1000).

    Boundaries pass: ``s = m``, ``n = 1`` on a marketable order, ``n = max``. Null handling
    (fail closed): a null needed by a rule makes the verdict null → REJECT; a null that cannot
    change the outcome (e.g. ``post_only`` null on an order with ``n ≥ 1`` that is not FOK/FAK)
    does not.
    Worked example (t = 0.01, m = 5, book 0.49 / 0.51): GTC post-only BUY 20 @ 0.50 → n = 10 →
    APPROVE; BUY 20 @ 0.505 → off grid → REJECT; BUY 4.99 → below 5 → REJECT; BUY 20.125 →
    3 decimals → REJECT; FOK BUY 5 @ 0.19 → n = 0.95 < 1 → REJECT, @ 0.20 → n = 1.00 → APPROVE;
    the same 5 @ 0.19 as a post-only GTC rests → APPROVE; BUY 2000 @ 0.50 → n = 1000 → APPROVE,
    2000.01 → n = 1000.005 → REJECT.

Inputs
    Intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`) columns ``side``,
    ``price``, ``size``, ``order_type``, ``post_only``, ``tick_size``, ``min_order_size``,
    ``best_bid``, ``best_ask``. No RiskContext history is read.

Returns
    A :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE at ``size`` or REJECT (size 0).

Reason codes
    RISK_ORDER_INVALID.

Raises
    pydantic.ValidationError — invalid config (``size_decimals`` outside [0, 6], a negative
    minimum notional, a maximum notional not > 0 or below the minimum, more than 6 decimals).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Self

import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, SELL, verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.order_validity"
VERSION = "0.1.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_ORDER_INVALID")

_WIDE = pl.Decimal(38, 12)  # price × size of two 6-decimal numbers is exact at 12 decimals
_ORDER_TYPES = ("GTC", "GTD", "FOK", "FAK")
_MARKET_TYPES = ("FOK", "FAK")


class Config(BotConfig):
    """Parameters of risk.order_validity."""

    size_decimals: int = Field(
        default=2, ge=0, le=6, description="most decimals a size may have (the venue's size precision), decimals"
    )
    min_marketable_notional_usdc: Decimal = Field(
        default=Decimal("1"), ge=0, decimal_places=6,
        description="smallest price × size of a marketable order (FOK/FAK or crossing), USDC",
    )
    max_notional_usdc: Decimal = Field(
        default=Decimal("1000"), gt=0, decimal_places=6, description="largest price × size of any order, USDC"
    )

    @model_validator(mode="after")
    def _min_below_max(self) -> Self:
        if self.min_marketable_notional_usdc > self.max_notional_usdc:
            raise ValueError("min_marketable_notional_usdc must not exceed max_notional_usdc")
        return self


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each PLACE intent; see the module docstring."""
    price, size, order_type, post_only = pl.col("price"), pl.col("size"), pl.col("order_type"), pl.col("post_only")
    tick = pl.when(pl.col("tick_size") > 0).then(pl.col("tick_size"))  # null when unknown or ≤ 0
    size_unit = pl.lit(Decimal(1).scaleb(-config.size_decimals)).cast(pl.Decimal(38, 6))
    notional = price.cast(_WIDE) * size.cast(_WIDE)

    off_grid = (price % tick) != 0
    bad_size = (size <= 0) | (size < pl.col("min_order_size")) | ((size % size_unit) != 0)
    is_market_type = order_type.is_in(_MARKET_TYPES)
    bad_type = ~order_type.is_in(_ORDER_TYPES) | ~(BUY | SELL) | (post_only & is_market_type)
    crosses = (
        pl.when(BUY).then(pl.col("best_ask").is_not_null() & (price >= pl.col("best_ask")))
        .when(SELL).then(pl.col("best_bid").is_not_null() & (price <= pl.col("best_bid")))
        .otherwise(pl.lit(None, pl.Boolean))
    )
    marketable = is_market_type | (~post_only & crosses)
    below_min = marketable & (notional < pl.lit(config.min_marketable_notional_usdc).cast(_WIDE))
    above_max = notional > pl.lit(config.max_notional_usdc).cast(_WIDE)
    return verdicts(intents, off_grid | bad_size | bad_type | below_min | above_max, CODE)
