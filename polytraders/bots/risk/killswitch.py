"""risk.killswitch — global kill: deny every new order while the switch is engaged.

Method
    A PLACE intent is rejected when ``engaged`` is true and either ``engaged_from_ms`` is None
    (engaged for the whole run) or ``ctx.ts_ms >= engaged_from_ms`` (epoch ms UTC; the switch
    takes effect exactly at that time). CANCEL intents are always approved, so quotes can be
    pulled while the switch is engaged. The switch state comes from config (manual kill, or
    written by gov.incident_commander), never from a clock.

Inputs
    ``intent`` — OrderIntent; ``ctx`` — RiskContext (reads ``ts_ms``).

Returns
    RiskVote (bot = SLUG, ts_ms = ctx.ts_ms): APPROVE with ``approved_size = intent.size``, or
    REJECT with ``approved_size = 0``.

Reason codes
    RISK_KILL_SWITCH.

Raises
    pydantic.ValidationError — invalid config.
"""

from __future__ import annotations

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import approve, reject
from polytraders.contracts import OrderIntent, RiskVote, reason_codes

SLUG = "risk.killswitch"
VERSION = "0.1.0"

KILL_SWITCH = reason_codes.require("RISK_KILL_SWITCH")


class Config(BotConfig):
    """Parameters of risk.killswitch."""

    engaged: bool = Field(default=False, description="kill switch engaged: deny every new PLACE")
    engaged_from_ms: int | None = Field(
        default=None, ge=0, description="epoch ms UTC from which the engaged switch applies (None = always)"
    )


def evaluate(intent: OrderIntent, ctx: RiskContext, config: Config) -> RiskVote:
    """Vote on one intent; see the module docstring."""
    in_force = config.engaged and (config.engaged_from_ms is None or ctx.ts_ms >= config.engaged_from_ms)
    if intent.kind == "PLACE" and in_force:
        return reject(SLUG, intent, ctx, KILL_SWITCH)
    return approve(SLUG, intent, ctx)
