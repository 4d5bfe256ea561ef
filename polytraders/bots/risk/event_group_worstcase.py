"""risk.event_group_worstcase — cap the worst-case loss over the outcomes of the order's event.

Method
    ``W`` = ``token_wins_pnl_usdc`` (the event group's portfolio PnL if the intent's token pays
    1) and ``L`` = ``token_loses_pnl_usdc`` (the worst such PnL over the outcomes where it pays
    0), USDC, as the runtime computes them over the token's neg-risk group (else its market):
    held positions at cost, resting BUYs counted where they lose. An order of ``s`` shares at
    price ``p`` (USDC/share) moves them to

    * BUY:  ``W' = W + s·(1 − p)``, ``L' = L − s·p``;
    * SELL: ``W' = W − s·(1 − p)``, ``L' = L + s·p``;

    and the worst case from ``min(W, L)`` to ``min(W', L')``. With ``floor = min(−max_event_loss_usdc,
    min(W, L))`` the order passes in full when ``min(W', L') >= floor``: the worst case stays within
    the limit, or the order does not make it worse (an order that improves the worst case always
    passes, even beyond the limit). Otherwise only the leg that falls can break the floor (``L'``
    for a BUY, ``W'`` for a SELL) and the order is REDUCED to the largest size keeping it there:
    ``x = (L − floor) / p`` (BUY) or ``(W − floor) / (1 − p)`` (SELL), rounded DOWN to
    ``size_decimals`` decimals by exact Decimal floor division (no float) — REJECT when that is 0
    or below the market's ``min_order_size`` (:func:`~polytraders.bots.risk.votes.sized`).
    When the group is within the limit before the order, ``floor = −limit`` and ``x`` is the
    largest size whose worst case is ``>= −limit``; when it is already beyond (e.g. after fills),
    ``x`` is the largest size that does not deepen it, so a smaller order never passes where a
    larger one is cut below it.

    Worked example (limit 200 USDC, W = L = 0): BUY 500 @ 0.50 → W' = 250, L' = −250 < −200 →
    x = (0 + 200) / 0.50 = 400 → REDUCE 400 (worst case −200). BUY 1000 @ 0.30 → x = 200 / 0.30
    = 666.666… → REDUCE 666.66 (worst −199.998; 666.67 would give −200.001).

    Outcome payouts (1 or 0 USDC per winning / losing share, one winner per neg-risk event):
    https://docs.polymarket.com/concepts/resolution and
    https://docs.polymarket.com/developers/neg-risk/overview.

Inputs
    Intent frame: ``side``, ``price``, ``size``, ``min_order_size``, ``token_wins_pnl_usdc``,
    ``token_loses_pnl_usdc``. No RiskContext history.

Returns
    VOTE_SCHEMA frame, one row per intent in input order: APPROVE (``size``), REDUCE (``x``) or
    REJECT (0). A null ``W`` or ``L`` (the runtime could not value the group), a price outside
    (0, 1) or an unknown side → REJECT (fail closed).

Reason codes
    RISK_EVENT_GROUP.

Raises
    pydantic.ValidationError — invalid config (limit not > 0, size_decimals outside 0..6).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, SELL, sized
from polytraders.contracts import reason_codes

SLUG = "risk.event_group_worstcase"
VERSION = "0.1.0"

CODE = reason_codes.require("RISK_EVENT_GROUP")

_MICRO = 10**6


class Config(BotConfig):
    """Parameters of risk.event_group_worstcase."""

    max_event_loss_usdc: Decimal = Field(
        default=Decimal("200"), gt=0, description="worst-case loss allowed over one event group's outcomes, USDC"
    )
    size_decimals: int = Field(default=2, ge=0, le=6, description="decimals a reduced size is rounded down to")


def _largest(headroom: pl.Expr, per_share: pl.Expr, decimals: int) -> pl.Expr:
    """``headroom / per_share`` (USDC over USDC/share; both > 0 or headroom 0) rounded down to
    ``decimals`` decimals, exactly: Decimal floor division of the scaled headroom."""
    unit = 10**decimals
    return (headroom * unit) // per_share / unit


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each intent; see the module docstring."""
    wins, loses, price, size = (pl.col(c) for c in ("token_wins_pnl_usdc", "token_loses_pnl_usdc", "price", "size"))
    floor = pl.min_horizontal(pl.lit(-config.max_event_loss_usdc), wins, loses)
    headroom = pl.when(BUY).then(loses - floor).when(SELL).then(wins - floor)
    valid_price = (price > 0) & (price < 1)
    per_share = pl.when(valid_price & BUY).then(price).when(valid_price & SELL).then(1 - price)
    exact_cap = _largest(headroom, per_share, 6)  # size <= this ⇔ the falling leg stays >= floor
    allowed = (
        pl.when(wins.is_null() | loses.is_null())
        .then(None)
        .when(size <= exact_cap)
        .then(size)
        .otherwise(_largest(headroom, per_share, config.size_decimals))
    )
    return sized(intents, allowed, CODE)
