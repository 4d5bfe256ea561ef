"""risk.drawdown — stop adding exposure once the peak-to-trough equity drawdown limit is hit.

Method
    ``drawdown_usdc = ctx.peak_equity_usdc − ctx.equity_usdc`` (USDC, exact Decimal). When
    ``drawdown_usdc >= max_drawdown_usdc`` a BUY PLACE is rejected (a drawdown of exactly the
    limit already breaches it). SELLs reduce exposure and are approved, as are CANCELs. Equity is
    realised PnL plus positions marked to mid, as the runtime computes it (RiskContext).

Inputs
    ``intent`` — OrderIntent; ``ctx`` — RiskContext (reads ``ts_ms``, ``equity_usdc``,
    ``peak_equity_usdc``).

Returns
    RiskVote (bot = SLUG, ts_ms = ctx.ts_ms): APPROVE with ``approved_size = intent.size``, or
    REJECT with ``approved_size = 0``.

Reason codes
    RISK_DRAWDOWN.

Raises
    pydantic.ValidationError — invalid config (limit not > 0).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import approve, reject
from polytraders.contracts import OrderIntent, RiskVote, reason_codes
from polytraders.contracts.types import Side

SLUG = "risk.drawdown"
VERSION = "0.1.0"

DRAWDOWN = reason_codes.require("RISK_DRAWDOWN")


class Config(BotConfig):
    """Parameters of risk.drawdown."""

    max_drawdown_usdc: Decimal = Field(
        default=Decimal("50"), gt=0, description="peak-to-trough equity loss at which BUYs stop, USDC"
    )


def evaluate(intent: OrderIntent, ctx: RiskContext, config: Config) -> RiskVote:
    """Vote on one intent; see the module docstring."""
    breached = ctx.peak_equity_usdc - ctx.equity_usdc >= config.max_drawdown_usdc
    if intent.kind == "PLACE" and intent.side == Side.BUY and breached:
        return reject(SLUG, intent, ctx, DRAWDOWN)
    return approve(SLUG, intent, ctx)
