"""risk.stale_book — deny new orders priced off a book that is missing, old or structurally bad.

Method
    For a PLACE intent, with ``book`` = ``ctx.book`` (the latest top of book of the intent's
    token at or before ``ctx.ts_ms``), the intent is rejected when

    * there is no book, or the book is of another token (fail closed);
    * ``ctx.ts_ms − book.ts_ms > max_book_age_ms`` (ms; a book exactly ``max_book_age_ms`` old
      still passes) — the feed went quiet for longer than the budget, so liveness is lost;
    * ``book.freshness.quality`` is HARD or FAIL (set by the normaliser for structural problems).

    Otherwise APPROVE with the full size. CANCEL intents are always approved: pulling a quote is
    never blocked by bad data. No rounding; integer ms arithmetic.

Inputs
    ``intent`` — OrderIntent; ``ctx`` — RiskContext (reads ``ts_ms`` and ``book``).

Returns
    RiskVote (bot = SLUG, ts_ms = ctx.ts_ms): APPROVE with ``approved_size = intent.size``, or
    REJECT with ``approved_size = 0``.

Reason codes
    RISK_STALE_BOOK.

Raises
    pydantic.ValidationError — invalid config (negative age).
"""

from __future__ import annotations

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import approve, reject
from polytraders.contracts import OrderIntent, RiskVote, reason_codes
from polytraders.contracts.types import Quality

SLUG = "risk.stale_book"
VERSION = "0.1.0"

STALE_BOOK = reason_codes.require("RISK_STALE_BOOK")
_BAD_QUALITY = frozenset({Quality.HARD, Quality.FAIL})


class Config(BotConfig):
    """Parameters of risk.stale_book."""

    max_book_age_ms: int = Field(
        default=5_000, ge=0, description="oldest book (decision time − book ts_ms) still trusted, ms"
    )


def _stale(intent: OrderIntent, ctx: RiskContext, config: Config) -> bool:
    book = ctx.book
    if book is None or book.token_id != intent.token_id:
        return True
    return ctx.ts_ms - book.ts_ms > config.max_book_age_ms or book.freshness.quality in _BAD_QUALITY


def evaluate(intent: OrderIntent, ctx: RiskContext, config: Config) -> RiskVote:
    """Vote on one intent; see the module docstring."""
    if intent.kind == "PLACE" and _stale(intent, ctx, config):
        return reject(SLUG, intent, ctx, STALE_BOOK)
    return approve(SLUG, intent, ctx)
