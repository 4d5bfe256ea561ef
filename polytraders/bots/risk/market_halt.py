"""risk.market_halt — deny new orders in a market that is closed, halted, resolved, or off its grid.

Method
    Per intent row, from the token's state in force at ``ts_ms`` (the S1 TokenState fold of the
    market metadata and the stream's ``tick_size_change`` / ``market_resolved`` events, see
    :mod:`polytraders.runtime.registry`), REJECT when

    * ``token_status`` is not ACTIVE: CLOSED or RESOLVED (a resolution is terminal), or null
      (status unknown: an order is never sent into a market whose status we cannot tell);
    * ``active`` is false or null (the market is paused);
    * ``accepting_orders`` is false or null (the venue halted order entry);
    * ``check_tick_grid`` and ``price`` is not an exact multiple of ``tick_size``, the grid in
      force at the intent's time: ``price mod tick_size = 0`` in exact integer micro-units
      (``price·10⁶ mod tick_size·10⁶``, both exact for Decimal(38, 6)), never float. A null or
      non-positive ``tick_size`` is off-grid (fail closed). The venue refuses an order off the
      current grid, so after a tick-size change an order priced on the old grid cannot trade:
      the market is closed to it. Sources: tick sizes, https://docs.polymarket.com/trading/orders/overview;
      the market channel's ``tick_size_change`` event, https://docs.polymarket.com/market-data/realtime-data.

    Otherwise APPROVE at the full size. CANCELs never reach this bot (pulling a quote from a
    halted market is always allowed by the runtime). No time parameter: the rules mean the same
    for 15-minute and long-dated markets.

    Worked example: price 0.965 on a 0.001 grid → 965000 mod 1000 = 0 → on grid; on a 0.01 grid
    → 965000 mod 10000 = 5000 → REJECT (float would misjudge 0.965 % 0.001 = 0.000999…).

Inputs
    Intent frame columns ``token_status``, ``active``, ``accepting_orders``, ``price``,
    ``tick_size``, ``size`` (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`); no
    RiskContext history.

Returns
    :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE with ``approved_size = size``, or REJECT with ``approved_size = 0``.

Reason codes
    RISK_MARKET_HALTED (the catalogue's one code of this bot, for every case above).

Raises
    pydantic.ValidationError — invalid config (non-boolean ``check_tick_grid``, unknown field).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.market_halt"
VERSION = "0.3.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_MARKET_HALTED")

_MICRO = 1_000_000


class Config(BotConfig):
    """Parameters of risk.market_halt."""

    check_tick_grid: bool = Field(
        default=True,
        description="also deny a PLACE priced off the token's tick grid in force at its time (exact check; default on)",
    )


def _micro(column: str) -> pl.Expr:
    """A Decimal(38, 6) column as exact integer micro-units (Int128)."""
    return (pl.col(column) * _MICRO).cast(pl.Int128)


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every intent row; see the module docstring."""
    halted = (
        (pl.col("token_status") != "ACTIVE").fill_null(True)
        | ~pl.col("active").fill_null(False)
        | ~pl.col("accepting_orders").fill_null(False)
    )
    if config.check_tick_grid:
        tick = _micro("tick_size")
        on_grid = (tick > 0) & (_micro("price") % tick == 0)
        halted = halted | ~on_grid.fill_null(False)
    return verdicts(intents, halted, CODE)
