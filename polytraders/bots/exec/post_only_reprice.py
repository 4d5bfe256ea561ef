"""exec.post_only_reprice — after a venue "post-only would cross" rejection, requote one tick further back.

Method (exact Decimal)
    The venue rejects a post-only order that would cross the spread (docs.polymarket.com/trading/orders/
    overview, "Post-Only Orders"; EXEC_VENUE_POST_ONLY_CROSS): the touch moved onto or through our
    price. The requote backs off one tick from both our price and the touch:
        BUY  ``min(price − tick, best_ask − tick)``   (best ask missing: ``price − tick``)
        SELL ``max(price + tick, best_bid + tick)``   (best bid missing: ``price + tick``)
    then onto the tick grid, never more aggressive (BUY floor, SELL ceil: exec.order_shaper.snap_price).
    A requote outside [tick, 1 − tick] is refused (EXEC_PRICE_OUT_OF_BAND: no valid price behind the
    touch). ``attempt`` counts requotes of one order from 1; past ``config.max_attempts`` the bot stops
    requoting (Rejection EXEC_POST_ONLY_BACKOFF) so a fast-moving touch cannot make it chase forever.

Inputs
    ``price`` — Decimal USDC per share of the rejected order; ``side`` — Side; ``tick`` — the market's
    tick size; ``best_bid`` / ``best_ask`` — Decimal touch now, or None (empty side); ``attempt`` — int
    >= 1, this requote's number.

Returns
    Backoff(price, attempt, code=EXEC_POST_ONLY_BACKOFF), or Rejection(EXEC_POST_ONLY_BACKOFF) after
    ``max_attempts``, or Rejection(EXEC_PRICE_OUT_OF_BAND); details are strings (price, tick, attempt).

Reason codes
    EXEC_POST_ONLY_BACKOFF, EXEC_PRICE_OUT_OF_BAND.

Raises
    ValueError — ``attempt`` < 1 (a caller's counting error, not market input).
    pydantic.ValidationError — invalid config (``max_attempts`` < 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field

from polytraders.bots.base import BotConfig, Rejection
from polytraders.bots.exec.order_shaper import snap_price
from polytraders.contracts import reason_codes
from polytraders.contracts.types import Side

SLUG = "exec.post_only_reprice"
VERSION = "0.1.0"

BACKOFF = reason_codes.require("EXEC_POST_ONLY_BACKOFF")
OUT_OF_BAND = reason_codes.require("EXEC_PRICE_OUT_OF_BAND")


class Config(BotConfig):
    """Parameters of exec.post_only_reprice."""

    max_attempts: int = Field(default=3, ge=1, description="requotes of one order before giving up; attempts")


@dataclass(frozen=True, slots=True)
class Backoff:
    """The requote: ``price`` (USDC per share, on the tick grid), ``attempt`` (1-based), ``code``."""

    price: Decimal
    attempt: int
    code: str = BACKOFF


def backoff(
    price: Decimal,
    side: Side,
    tick: Decimal,
    best_bid: Decimal | None,
    best_ask: Decimal | None,
    attempt: int,
    config: Config,
) -> Backoff | Rejection:
    """The one-tick-back requote of a post-only order the venue refused; see the module docstring."""
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, got {attempt}")
    details = {"price": str(price), "side": side.value, "tick_size": str(tick), "attempt": str(attempt)}
    if attempt > config.max_attempts:
        return Rejection(BACKOFF, {**details, "max_attempts": str(config.max_attempts)})
    if side == Side.BUY:
        new = price - tick if best_ask is None else min(price - tick, best_ask - tick)
    else:
        new = price + tick if best_bid is None else max(price + tick, best_bid + tick)
    new = snap_price(new, tick, side)
    if not tick <= new <= 1 - tick:
        return Rejection(OUT_OF_BAND, {**details, "requote": str(new)})
    return Backoff(new, attempt)
