"""risk.killswitch — global kill: deny every new order while the switch is engaged.

Method
    Per intent row: REJECT when ``engaged`` is true and either ``engaged_from_ms`` is None
    (engaged for the whole run) or ``ts_ms >= engaged_from_ms`` (epoch ms UTC; the switch takes
    effect exactly at that time); otherwise APPROVE at the full size. BUYs and SELLs alike: every
    new order is denied. The switch state comes from config (a manual kill, or written by
    gov.incident_commander), never from a clock, so the same day replays to the same votes.
    CANCELs never reach this bot (the runtime always lets them through), so quotes can still be
    pulled while the switch is engaged.

    ``engaged_from_ms`` is an absolute time, so it means the same for a 15-minute crypto market
    and a long-dated one: every intent at or after that instant is denied.

    Worked example: ``engaged=True, engaged_from_ms=T`` → an intent at ``T − 1`` is APPROVED, at
    ``T`` and later REJECTED. A null ``ts_ms`` while a start time is set is REJECTED (fail closed).

Inputs
    Intent frame columns ``ts_ms`` and ``size``
    (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`); no RiskContext history.

Returns
    :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE with ``approved_size = size``, or REJECT with ``approved_size = 0``.

Reason codes
    RISK_KILL_SWITCH.

Raises
    pydantic.ValidationError — invalid config (``engaged_from_ms`` < 0, unknown field).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.killswitch"
VERSION = "0.2.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_KILL_SWITCH")


class Config(BotConfig):
    """Parameters of risk.killswitch."""

    engaged: bool = Field(default=False, description="kill switch engaged: deny every new PLACE (default off)")
    engaged_from_ms: int | None = Field(
        default=None, ge=0, description="epoch ms UTC from which the engaged switch applies (None = always), ms"
    )


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every intent row; see the module docstring."""
    if not config.engaged:
        in_force = pl.lit(False)
    elif config.engaged_from_ms is None:
        in_force = pl.lit(True)
    else:
        in_force = pl.col("ts_ms") >= config.engaged_from_ms
    return verdicts(intents, in_force, CODE)
