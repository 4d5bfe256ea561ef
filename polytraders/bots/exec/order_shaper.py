"""exec.order_shaper — snap an approved intent to the venue's grids and derive its order amounts.

Method (exact Decimal / Fraction arithmetic; no float decides a price or size)
    1. Only PLACE intents are shaped (a CANCEL has no order: EXEC_NOT_SHAPEABLE); the instrument
       must be the intent's market and list its token (else EXEC_UNKNOWN_INSTRUMENT).
    2. Price onto the instrument's tick grid, never more aggressive than asked: BUY floors,
       SELL ceils — ``k = price // tick`` (exact integer division), ``k + 1`` for a SELL with a
       remainder; ``price = k·tick``. A price outside [tick, 1 − tick] → EXEC_PRICE_OUT_OF_BAND.
    3. Size = min(approved_size, intent.size) rounded DOWN to ``size_decimals`` decimals.
    4. Amounts in micro-units (x 10^6), as the venue's order struct (CTF Exchange):
       BUY ``maker_amount = price·size·10^6`` (collateral) and ``taker_amount = size·10^6``
       (shares); SELL the reverse. ``size·10^6`` is integral because ``size_decimals <= 6``.
       If ``price·size·10^6`` is not an integer the size is rounded down further to the largest
       multiple of the size step for which it is: with ``price·10^(6 − d) = num/den`` in lowest
       terms (d = size_decimals), the count of size steps is rounded down to a multiple of
       ``den``. With the venue's grids (tick >= 0.0001, size 2 decimals; py-clob-client
       ``ROUNDING_CONFIG``: amount decimals = price decimals + size decimals) this never bites.
    5. A size below ``instrument.min_order_size`` (or zero) → EXEC_BELOW_MIN_SIZE.

    ``plan_id`` = first 24 hex digits of sha256("exec.order_shaper|<intent_id>");
    ``neg_risk`` and ``tick_size`` from the instrument; ``builder_code`` from config.

Inputs
    ``intent`` — OrderIntent; ``approved_size`` — Decimal shares the risk gate let through;
    ``instrument`` — InstrumentRecord of the intent's market.

Returns
    ExecutionPlan, or Rejection(code, details) with string details (price, tick, size, ...).

Reason codes
    EXEC_NOT_SHAPEABLE, EXEC_UNKNOWN_INSTRUMENT, EXEC_PRICE_OUT_OF_BAND, EXEC_BELOW_MIN_SIZE.

Raises
    pydantic.ValidationError — invalid config (``size_decimals`` outside [0, 6]).
    AssertionError — only if the integrality guard of step 4 failed (unreachable by construction).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction

from pydantic import Field

from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import ExecutionPlan, InstrumentRecord, OrderIntent, reason_codes
from polytraders.contracts.types import Side

SLUG = "exec.order_shaper"
VERSION = "0.1.0"

NOT_SHAPEABLE = reason_codes.require("EXEC_NOT_SHAPEABLE")
UNKNOWN_INSTRUMENT = reason_codes.require("EXEC_UNKNOWN_INSTRUMENT")
OUT_OF_BAND = reason_codes.require("EXEC_PRICE_OUT_OF_BAND")
BELOW_MIN_SIZE = reason_codes.require("EXEC_BELOW_MIN_SIZE")

_MICRO = 10**6


class Config(BotConfig):
    """Parameters of exec.order_shaper."""

    size_decimals: int = Field(default=2, ge=0, le=6, description="decimals of the order size (venue: 2)")
    builder_code: str | None = Field(default=None, description="builder attribution code put on every plan")


def snap_price(price: Decimal, tick: Decimal, side: Side) -> Decimal:
    """``price`` on the ``tick`` grid: floor for a BUY, ceil for a SELL (exact)."""
    steps = price // tick
    if side == Side.SELL and price % tick != 0:
        steps += 1
    return steps * tick


def shape(
    intent: OrderIntent, approved_size: Decimal, instrument: InstrumentRecord, config: Config
) -> ExecutionPlan | Rejection:
    """Shape one approved intent into an ExecutionPlan; see the module docstring."""
    if intent.kind != "PLACE":
        return Rejection(NOT_SHAPEABLE, {"intent_id": intent.intent_id, "kind": intent.kind})
    known = {token.token_id for token in instrument.tokens}
    if instrument.condition_id != intent.condition_id or intent.token_id not in known:
        return Rejection(
            UNKNOWN_INSTRUMENT, {"condition_id": intent.condition_id, "token_id": intent.token_id}
        )
    tick = instrument.tick_size
    price = snap_price(intent.price, tick, intent.side)
    if not tick <= price <= 1 - tick:
        return Rejection(
            OUT_OF_BAND, {"price": str(price), "tick_size": str(tick), "side": intent.side.value}
        )

    step = Decimal(1).scaleb(-config.size_decimals)
    steps = int(max(Decimal(0), min(approved_size, intent.size)) // step)
    collateral_per_step = Fraction(price) * Fraction(step) * _MICRO
    steps -= steps % collateral_per_step.denominator
    size = Decimal(steps) * step
    if steps == 0 or size < instrument.min_order_size:
        return Rejection(
            BELOW_MIN_SIZE, {"size": str(size), "min_order_size": str(instrument.min_order_size)}
        )
    collateral = collateral_per_step * steps
    shares = Fraction(step) * _MICRO * steps
    if collateral.denominator != 1 or shares.denominator != 1:  # unreachable by construction
        raise AssertionError(f"non-integral amounts {collateral} / {shares}")
    buy = intent.side == Side.BUY
    return ExecutionPlan(
        plan_id=hashlib.sha256(f"{SLUG}|{intent.intent_id}".encode()).hexdigest()[:24],
        intent_id=intent.intent_id,
        condition_id=intent.condition_id,
        token_id=intent.token_id,
        ts_ms=intent.ts_ms,
        side=intent.side,
        price=price,
        size=size,
        tick_size=tick,
        neg_risk=instrument.neg_risk,
        order_type=intent.order_type,
        post_only=intent.post_only,
        maker_amount=int(collateral if buy else shares),
        taker_amount=int(shares if buy else collateral),
        builder_code=config.builder_code,
    )
