"""risk.drawdown — stop adding exposure once the peak-to-trough equity drawdown limit is hit.

Method
    Per intent row, ``drawdown_usdc = peak_equity_usdc − equity_usdc`` (USDC, exact: both are
    Decimal(38, 6), compared in integer micro-units against the limit). A BUY is REJECTED when
    ``drawdown_usdc >= max_drawdown_usdc`` (a drawdown of exactly the limit already breaches it)
    or when either equity figure is null (fail closed). SELLs reduce exposure and are APPROVED
    whatever the drawdown. Equity is realised PnL plus positions marked to mid, and the peak the
    highest equity seen so far in the run, both as the runtime computes them (intent frame).
    CANCELs never reach this bot. No time parameter: the limit is over the whole run, the same
    for 15-minute and long-dated markets.

    Worked example (limit 50): peak 100, equity 50.01 → drawdown 49.99 < 50 → APPROVE; equity 50
    → drawdown 50 → REJECT; peak 0, equity −50 → 50 → REJECT; peak 100, equity 120 (a stale
    peak) → −20 → APPROVE.

Inputs
    Intent frame columns ``side``, ``equity_usdc``, ``peak_equity_usdc``, ``size``
    (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`); no RiskContext history.

Returns
    :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE with ``approved_size = size``, or REJECT with ``approved_size = 0``.

Reason codes
    RISK_DRAWDOWN.

Raises
    pydantic.ValidationError — invalid config (limit not > 0, unknown field).
"""

from __future__ import annotations

import math
from decimal import Decimal

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.drawdown"
VERSION = "0.2.0"

CODE = reason_codes.require("RISK_DRAWDOWN")

_MICRO = 1_000_000


class Config(BotConfig):
    """Parameters of risk.drawdown."""

    max_drawdown_usdc: Decimal = Field(
        default=Decimal("50"), gt=0, description="peak-to-trough equity loss at which BUYs stop, USDC (default 50)"
    )


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every intent row; see the module docstring."""
    # drawdown_micro >= limit·10⁶  ⇔  drawdown_micro >= ceil(limit·10⁶) (drawdown_micro is an integer).
    limit_micro = math.ceil(config.max_drawdown_usdc * _MICRO)
    drawdown_micro = ((pl.col("peak_equity_usdc") - pl.col("equity_usdc")) * _MICRO).cast(pl.Int128)
    breached = drawdown_micro >= pl.lit(limit_micro, pl.Int128)
    return verdicts(intents, BUY & breached, CODE)
