"""risk.compliance_gate — only allowed, known markets; closed-only markets accept reducing SELLs.

Method
    A PLACE intent is rejected when any of these holds (checked in this order, one code):

    1. the instrument is unknown: ``ctx.instrument`` is None, is of another condition, or does not
       list the intent's token (fail closed);
    2. ``allowed_categories`` is set and the instrument's category is not in it (a market with
       no category is then not allowed);
    3. the condition id is in ``blocked_condition_ids``;
    4. the condition id is in ``closed_only_condition_ids`` and the intent is a BUY
       (closed-only: only SELLs, which reduce a position, may go through).

    CANCEL intents are always approved. Lists are tuples (ordered, hashable: the config hash is
    stable); comparisons are exact string matches.

Inputs
    ``intent`` — OrderIntent; ``ctx`` — RiskContext (reads ``ts_ms`` and ``instrument``).

Returns
    RiskVote (bot = SLUG, ts_ms = ctx.ts_ms): APPROVE with ``approved_size = intent.size``, or
    REJECT with ``approved_size = 0``.

Reason codes
    RISK_COMPLIANCE.

Raises
    pydantic.ValidationError — invalid config.
"""

from __future__ import annotations

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import approve, reject
from polytraders.contracts import OrderIntent, RiskVote, reason_codes
from polytraders.contracts.types import Side

SLUG = "risk.compliance_gate"
VERSION = "0.1.0"

COMPLIANCE = reason_codes.require("RISK_COMPLIANCE")


class Config(BotConfig):
    """Parameters of risk.compliance_gate."""

    allowed_categories: tuple[str, ...] | None = Field(
        default=None, description="instrument categories that may be traded (None = every category)"
    )
    blocked_condition_ids: tuple[str, ...] = Field(
        default=(), description="condition ids where no new order is allowed"
    )
    closed_only_condition_ids: tuple[str, ...] = Field(
        default=(), description="condition ids in closed-only mode: SELLs only, BUYs denied"
    )


def _denied(intent: OrderIntent, ctx: RiskContext, config: Config) -> bool:
    instrument = ctx.instrument
    if instrument is None or instrument.condition_id != intent.condition_id:
        return True
    if intent.token_id not in {token.token_id for token in instrument.tokens}:
        return True
    if config.allowed_categories is not None and instrument.category not in config.allowed_categories:
        return True
    if intent.condition_id in config.blocked_condition_ids:
        return True
    return intent.condition_id in config.closed_only_condition_ids and intent.side == Side.BUY


def evaluate(intent: OrderIntent, ctx: RiskContext, config: Config) -> RiskVote:
    """Vote on one intent; see the module docstring."""
    if intent.kind == "PLACE" and _denied(intent, ctx, config):
        return reject(SLUG, intent, ctx, COMPLIANCE)
    return approve(SLUG, intent, ctx)
