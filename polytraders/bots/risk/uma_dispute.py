"""risk.uma_dispute — no new exposure once the market's UMA resolution is under way or disputed.

Method
    A BUY PLACE intent is rejected when the market's ``uma_resolution_status`` (compared in lower
    case) is one of ``blocking_statuses``; SELLs only reduce a position and pass. A null status
    means no resolution activity yet — the recorded open markets carry no ``umaResolutionStatus``
    (and an empty ``umaResolutionStatuses``) — so it approves: the one null in the risk frame
    that means "nothing happening" rather than "unknown". A status outside the list (e.g. a new
    one the venue adds) approves too; list it to block it.

    Statuses: Gamma's market field ``umaResolutionStatus`` (``/markets``; the history is in
    ``umaResolutionStatuses``, a JSON-encoded list). Recorded payloads show ``"resolved"`` with a
    history of ``["proposed"]`` (nautilus_trader's
    ``gamma_market_closed_binary_accepting_false.json``).
    The UMA CTF adapter's lifecycle (https://github.com/Polymarket/uma-ctf-adapter,
    https://docs.polymarket.com/concepts/resolution): an outcome is *proposed* and can be
    *challenged* / *disputed* within the ~2 h liveness window; the first dispute resets the
    request (*reproposed*), a second goes to UMA's DVM vote (48–72 h); then *resolved*. Once an
    outcome is proposed the market trades on the oracle's answer, which a dispute can still
    flip, so the default blocks all five; ``resolved`` blocks too (the outcome is settled: a new
    position there can only be a mistake).

    Worked example: status ``"disputed"`` → BUY REJECT, SELL APPROVE; status null → both APPROVE.

Inputs
    Intent frame: ``side``, ``size``, ``uma_resolution_status``. No RiskContext history.

Returns
    VOTE_SCHEMA frame, one row per intent in input order: APPROVE at ``size`` or REJECT (0).

Reason codes
    RISK_UMA_DISPUTE.

Raises
    pydantic.ValidationError — invalid config (empty list, a status not in lower-case
    ``[a-z_]+``).
"""

from __future__ import annotations

from typing import Annotated

import polars as pl
from pydantic import Field, StringConstraints

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.uma_dispute"
VERSION = "0.1.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_UMA_DISPUTE")

Status = Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]


class Config(BotConfig):
    """Parameters of risk.uma_dispute."""

    blocking_statuses: tuple[Status, ...] = Field(
        default=("proposed", "reproposed", "challenged", "disputed", "resolved"),
        min_length=1,
        description="Gamma umaResolutionStatus values (lower case) under which BUYs are denied",
    )


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each intent; see the module docstring."""
    status = pl.col("uma_resolution_status").str.to_lowercase()
    blocked = status.is_in(list(config.blocking_statuses)).fill_null(False)
    return verdicts(intents, BUY & blocked, CODE)
