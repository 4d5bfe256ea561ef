"""risk.market_halt — deny new orders in a market that is closed, halted, resolved, or off its grid.

Method
    For a PLACE intent, with ``state`` = ``ctx.token_state`` (the registry's state of the intent's
    token in force at ``ctx.ts_ms``: the S1 fold of the market metadata and the stream's
    ``tick_size_change`` / ``market_resolved`` events, see :mod:`polytraders.runtime.registry`),
    the intent is rejected when

    * the state is unknown: ``ctx.token_state`` is None, or names another token or market (fail
      closed: an order is never sent into a market whose status we cannot tell);
    * ``state.status`` is CLOSED or RESOLVED (a resolution is terminal);
    * ``state.active`` is false (the market is paused) or ``state.accepting_orders`` is false
      (the venue halted order entry);
    * ``config.check_tick_grid`` and ``intent.price`` is not an exact multiple of
      ``state.tick_size``, the grid in force at the intent's time: ``price % tick == 0`` in exact
      Decimal arithmetic, never float (0.965 is on the 0.001 grid; 0.965 is off the 0.01 grid). The
      venue refuses an order off the current grid, so after a tick-size change an order priced on
      the old grid cannot trade: the market is closed to it.

    Otherwise APPROVE with the full size. CANCEL intents are always approved: pulling a quote from a
    halted market is exactly what should happen.

Inputs
    ``intent`` — OrderIntent; ``ctx`` — RiskContext (reads ``ts_ms`` and ``token_state``).

Returns
    RiskVote (bot = SLUG, ts_ms = ctx.ts_ms): APPROVE with ``approved_size = intent.size``, or
    REJECT with ``approved_size = 0``.

Reason codes
    RISK_MARKET_HALTED (the catalogue's one code of this bot, for every case above).

Raises
    pydantic.ValidationError — invalid config.
"""

from __future__ import annotations

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import approve, reject
from polytraders.contracts import OrderIntent, RiskVote, reason_codes
from polytraders.contracts.market import on_tick_grid

SLUG = "risk.market_halt"
VERSION = "0.1.0"

MARKET_HALTED = reason_codes.require("RISK_MARKET_HALTED")


class Config(BotConfig):
    """Parameters of risk.market_halt."""

    check_tick_grid: bool = Field(
        default=True,
        description="also deny a PLACE priced off the token's tick grid in force at its time (exact Decimal check)",
    )


def _halted(intent: OrderIntent, ctx: RiskContext, config: Config) -> bool:
    state = ctx.token_state
    if state is None or state.token_id != intent.token_id or state.condition_id != intent.condition_id:
        return True
    if state.status != "ACTIVE" or not state.active or not state.accepting_orders:
        return True
    return config.check_tick_grid and not on_tick_grid(intent.price, state.tick_size)


def evaluate(intent: OrderIntent, ctx: RiskContext, config: Config) -> RiskVote:
    """Vote on one intent; see the module docstring."""
    if intent.kind == "PLACE" and _halted(intent, ctx, config):
        return reject(SLUG, intent, ctx, MARKET_HALTED)
    return approve(SLUG, intent, ctx)
