"""risk.compliance_gate — only allowed, known markets; closed-only markets accept reducing SELLs.

Method
    Per intent row: REJECT when any of these holds (one code for all):

    1. the instrument is unknown: ``instrument_known`` is false or null (the registry does not
       have the market or does not list the token; fail closed);
    2. ``allowed_categories`` is set and the row's ``category`` is not in it (a market with no
       category, null, is then not allowed; an empty tuple allows nothing);
    3. ``condition_id`` is in ``blocked_condition_ids`` (BUYs and SELLs);
    4. ``condition_id`` is in ``closed_only_condition_ids`` and ``side`` is BUY (closed-only: only
       SELLs, which reduce a long position, may go through).

    Otherwise APPROVE at the full size. Lists are tuples (ordered, hashable: the config hash is
    stable); comparisons are exact, case-sensitive string matches. CANCELs never reach this bot.
    The rules have no time parameter: they mean the same for 15-minute and long-dated markets.

    Worked example: ``closed_only_condition_ids=(A,)`` → a BUY in A is REJECTED, a SELL in A
    APPROVED, a BUY in another known market APPROVED.

Inputs
    Intent frame columns ``instrument_known``, ``category``, ``condition_id``, ``side``, ``size``
    (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`); no RiskContext history.

Returns
    :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE with ``approved_size = size``, or REJECT with ``approved_size = 0``.

Reason codes
    RISK_COMPLIANCE.

Raises
    pydantic.ValidationError — invalid config (wrong types, unknown field).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.compliance_gate"
VERSION = "0.2.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_COMPLIANCE")


class Config(BotConfig):
    """Parameters of risk.compliance_gate."""

    allowed_categories: tuple[str, ...] | None = Field(
        default=None, description="market categories that may be traded (None = every category)"
    )
    blocked_condition_ids: tuple[str, ...] = Field(
        default=(), description="condition ids where no new order is allowed (default none)"
    )
    closed_only_condition_ids: tuple[str, ...] = Field(
        default=(), description="condition ids in closed-only mode: SELLs only, BUYs denied (default none)"
    )


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every intent row; see the module docstring."""
    condition = pl.col("condition_id")
    denied = ~pl.col("instrument_known").fill_null(False)
    if config.allowed_categories is not None:
        denied = denied | ~pl.col("category").is_in(list(config.allowed_categories)).fill_null(False)
    denied = denied | condition.is_in(list(config.blocked_condition_ids))
    denied = denied | (condition.is_in(list(config.closed_only_condition_ids)) & BUY)
    return verdicts(intents, denied, CODE)
