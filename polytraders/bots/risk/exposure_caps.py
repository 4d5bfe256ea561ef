"""risk.exposure_caps — per-market and total notional caps, size tapered from 70 % of a cap.

Method
    For a BUY PLACE with price p (USDC/share), size s (shares) and notional ``n = p·s`` (USDC),
    each cap ``c`` (``max_market_exposure_usdc`` against ``ctx.market_exposure_usdc``,
    ``max_total_exposure_usdc`` against ``ctx.total_exposure_usdc``) with current exposure
    ``e`` and taper start ``t = c·taper_from_fraction`` allows a size:

    * ``e >= c`` → 0 (the cap is reached);
    * ``e <= t`` → full size while ``e + n <= c``; past that the headroom ``(c − e) / p``;
    * ``t < e < c`` (taper zone) → the size fraction falls linearly from 1 at ``t`` to 0 at
      ``c``: ``f = (c − e) / (c − t)``, allowed size ``min(s·f, (c − e) / p)``.

    Equivalently: approved notional = ``min(n·f, c − e)`` with ``f = (c − e)/(c − t)`` clipped to
    [0, 1]. The tighter of the two caps wins. A reduced size is rounded DOWN to ``size_decimals``
    decimals by exact Decimal integer division (``//``) — no float, no rounding up. Result: the
    full size → APPROVE; smaller but > 0 → REDUCE; 0 → REJECT. A reduced size below the
    market's minimum order size (``ctx.instrument.min_order_size``, when known) is no order
    the venue would accept → REJECT as well.
    Worked example (c = 100, taper 0.7, p = 0.50, s = 20): e = 70 → APPROVE 20; e = 80 →
    f = 20/30, 20·2/3 = 13.33… → REDUCE 13.33; e = 100 → REJECT.

    SELLs reduce exposure and are approved, as are CANCELs.

Inputs
    ``intent`` — OrderIntent; ``ctx`` — RiskContext (reads ``ts_ms``, ``market_exposure_usdc``,
    ``total_exposure_usdc``, ``instrument.min_order_size``).

Returns
    RiskVote (bot = SLUG, ts_ms = ctx.ts_ms): APPROVE (``intent.size``), REDUCE (reduced size)
    or REJECT (0).

Reason codes
    RISK_EXPOSURE.

Raises
    pydantic.ValidationError — invalid config (caps not > 0, taper fraction outside (0, 1)).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import OrderIntent, RiskVote, reason_codes
from polytraders.contracts.types import Decision, Side

SLUG = "risk.exposure_caps"
VERSION = "0.1.0"

EXPOSURE = reason_codes.require("RISK_EXPOSURE")


class Config(BotConfig):
    """Parameters of risk.exposure_caps."""

    max_market_exposure_usdc: Decimal = Field(
        default=Decimal("100"), gt=0, description="cap on notional at risk in one market, USDC"
    )
    max_total_exposure_usdc: Decimal = Field(
        default=Decimal("1000"), gt=0, description="cap on notional at risk over all markets, USDC"
    )
    taper_from_fraction: Decimal = Field(
        default=Decimal("0.7"),
        gt=0,
        lt=1,
        description="fraction of a cap where size tapering starts, 0.7 = 70 %",
    )
    size_decimals: int = Field(
        default=2, ge=0, le=6, description="decimals a reduced size is rounded down to"
    )


def _allowed_size(intent: OrderIntent, exposure: Decimal, cap: Decimal, config: Config) -> Decimal | None:
    """Size one cap allows (rounded down), or None when it allows the full intent."""
    if exposure >= cap:
        return Decimal(0)
    unit = Decimal(1).scaleb(-config.size_decimals)
    taper_start = cap * config.taper_from_fraction
    headroom = cap - exposure
    if exposure <= taper_start and intent.price * intent.size <= headroom:
        return None
    headroom_units = headroom // (intent.price * unit)
    if exposure <= taper_start:
        taper_units = intent.size // unit
    else:
        taper_units = (intent.size * headroom) // ((cap - taper_start) * unit)
    return min(headroom_units, taper_units) * unit


def evaluate(intent: OrderIntent, ctx: RiskContext, config: Config) -> RiskVote:
    """Vote on one intent; see the module docstring."""
    size = intent.size
    if intent.kind == "PLACE" and intent.side == Side.BUY:
        for exposure, cap in (
            (ctx.market_exposure_usdc, config.max_market_exposure_usdc),
            (ctx.total_exposure_usdc, config.max_total_exposure_usdc),
        ):
            allowed = _allowed_size(intent, exposure, cap, config)
            if allowed is not None:
                size = min(size, allowed)
    min_size = ctx.instrument.min_order_size if ctx.instrument is not None else Decimal(0)
    if size >= intent.size:
        decision = Decision.APPROVE
    else:
        decision = Decision.REDUCE if size > 0 and size >= min_size else Decision.REJECT
    return RiskVote(
        intent_id=intent.intent_id,
        bot=SLUG,
        ts_ms=ctx.ts_ms,
        decision=decision,
        reason_codes=() if decision is Decision.APPROVE else (EXPOSURE,),
        approved_size={Decision.APPROVE: intent.size, Decision.REDUCE: size}.get(decision, Decimal(0)),
    )
