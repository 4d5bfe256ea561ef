"""risk.stale_book — deny new orders priced off a missing or bad book, or while the feed is dead.

Method
    Feed liveness is separate from book age. For a PLACE intent, with ``book`` = ``ctx.book`` (the
    latest top of book of the intent's token at or before ``ctx.ts_ms``) and ``feed`` =
    ``ctx.feed`` (the token's channel at ``ctx.ts_ms``), the intent is rejected when

    * there is no book, or the book is of another token (fail closed);
    * the feed state is unknown (``ctx.feed`` is None), or the channel has delivered no data frame
      yet, or ``ctx.ts_ms − feed.last_data_receive_ts_ms > feed.liveness_budget_ms`` (ms; a silence
      of exactly the budget still passes): the feed is dead — data frames stopped arriving, and
      keep-alives (``PING`` / ``PONG``) never count as data;
    * ``book.freshness.quality`` is HARD or FAIL (set by the normaliser for structural problems).

    A book older than its freshness budget on a live feed is NOT rejected: its market is quiet
    (nothing changed, so nothing was sent), and its last book is still the book. A book that
    arrived later than its source's budget (``quality`` WARN) is not rejected on that alone either.
    Otherwise APPROVE with the full size. CANCEL intents are always approved: pulling a quote is
    never blocked by bad data. No rounding; integer ms arithmetic. The liveness budget is the run's
    ``FreshnessBudgets.feed_liveness_ms`` (default 120,000 ms, see
    :mod:`polytraders.adapters.budgets`), carried in ``ctx.feed``; this bot has no parameters.

Inputs
    ``intent`` — OrderIntent; ``ctx`` — RiskContext (reads ``ts_ms``, ``book`` and ``feed``).

Returns
    RiskVote (bot = SLUG, ts_ms = ctx.ts_ms): APPROVE with ``approved_size = intent.size``, or
    REJECT with ``approved_size = 0``.

Reason codes
    RISK_STALE_BOOK.

Raises
    pydantic.ValidationError — invalid config (any field: the config has none).
"""

from __future__ import annotations

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import approve, reject
from polytraders.contracts import OrderIntent, RiskVote, reason_codes
from polytraders.contracts.types import Quality

SLUG = "risk.stale_book"
VERSION = "0.2.0"

STALE_BOOK = reason_codes.require("RISK_STALE_BOOK")
_BAD_QUALITY = frozenset({Quality.HARD, Quality.FAIL})


class Config(BotConfig):
    """Parameters of risk.stale_book: none (the liveness budget is the run's freshness budgets')."""


def _stale(intent: OrderIntent, ctx: RiskContext) -> bool:
    book = ctx.book
    if book is None or book.token_id != intent.token_id:
        return True
    if ctx.feed is None or ctx.feed.is_dead(ctx.ts_ms):
        return True
    return book.freshness.quality in _BAD_QUALITY


def evaluate(intent: OrderIntent, ctx: RiskContext, config: Config) -> RiskVote:
    """Vote on one intent; see the module docstring."""
    if intent.kind == "PLACE" and _stale(intent, ctx):
        return reject(SLUG, intent, ctx, STALE_BOOK)
    return approve(SLUG, intent, ctx)
