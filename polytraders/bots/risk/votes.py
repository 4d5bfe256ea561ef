"""The two plain verdicts every risk bot returns: APPROVE at full size, REJECT with a reason."""

from __future__ import annotations

from decimal import Decimal

from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import OrderIntent, RiskVote
from polytraders.contracts.types import Decision


def approve(slug: str, intent: OrderIntent, ctx: RiskContext) -> RiskVote:
    """APPROVE ``intent`` at its full size, by bot ``slug``, at ``ctx.ts_ms``."""
    return RiskVote(intent_id=intent.intent_id, bot=slug, ts_ms=ctx.ts_ms, decision=Decision.APPROVE,
                    approved_size=intent.size)


def reject(slug: str, intent: OrderIntent, ctx: RiskContext, code: str) -> RiskVote:
    """REJECT ``intent`` with the registered reason ``code``, by bot ``slug``, at ``ctx.ts_ms``."""
    return RiskVote(intent_id=intent.intent_id, bot=slug, ts_ms=ctx.ts_ms, decision=Decision.REJECT,
                    reason_codes=(code,), approved_size=Decimal(0))
