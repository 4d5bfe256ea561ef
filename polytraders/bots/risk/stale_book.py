"""risk.stale_book — deny new orders priced off a missing or bad book, or while the feed is dead.

Method
    Feed liveness is separate from book age. Per intent row, REJECT when

    * there is no book: ``book_ts_ms`` is null (no top of book of the token at or before
      ``ts_ms``; fail closed);
    * the feed is dead: ``feed_last_data_ms`` is null (the market channel has delivered no data
      frame yet), or ``ts_ms − feed_last_data_ms > feed_liveness_budget_ms`` (integer ms; a
      silence of exactly the budget still passes). Keep-alives (``PING`` / ``PONG``) never count
      as data, so a connected but silent feed is dead;
    * ``book_quality`` is HARD or FAIL (set by the normaliser for structural problems), or null
      (quality unknown).

    A book older than its freshness budget on a live feed is NOT rejected: its market is quiet
    (nothing changed, so nothing was sent), and its last book is still the book. A book that
    arrived later than its source's budget (``book_quality`` WARN) is not rejected on that alone
    either. Otherwise APPROVE at the full size. CANCELs never reach this bot (pulling a quote is
    never blocked by bad data). No rounding.

    The liveness budget is the run's ``FreshnessBudgets.feed_liveness_ms`` (default 120,000 ms =
    2 min, see :mod:`polytraders.adapters.budgets`), carried per row in
    ``feed_liveness_budget_ms``; this bot has no parameters. Two minutes without a data frame
    on the market channel is a dead feed for a 15-minute crypto market (whose book moves every
    few seconds) and for a long-dated market alike: the channel as a whole carries every
    subscribed market, so its silence is the feed's, not one quiet market's.

    Worked example: ``ts_ms = T``, budget 120,000: last data at ``T − 120,000`` → alive (APPROVE);
    at ``T − 120,001`` → dead (REJECT), even with a book of age 0.

Inputs
    Intent frame columns ``ts_ms``, ``book_ts_ms``, ``book_quality``, ``feed_last_data_ms``,
    ``feed_liveness_budget_ms``, ``size`` (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`);
    no RiskContext history.

Returns
    :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE with ``approved_size = size``, or REJECT with ``approved_size = 0``.

Reason codes
    RISK_STALE_BOOK.

Raises
    pydantic.ValidationError — invalid config (any field: the config has none).
"""

from __future__ import annotations

import polars as pl

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.stale_book"
VERSION = "0.3.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_STALE_BOOK")

_BAD_QUALITY = ("HARD", "FAIL")


class Config(BotConfig):
    """Parameters of risk.stale_book: none (the liveness budget is the run's freshness budgets')."""


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every intent row; see the module docstring."""
    no_book = pl.col("book_ts_ms").is_null()
    silence_ms = pl.col("ts_ms") - pl.col("feed_last_data_ms")
    dead_feed = (silence_ms > pl.col("feed_liveness_budget_ms")).fill_null(True)
    bad_quality = pl.col("book_quality").is_in(_BAD_QUALITY).fill_null(True)
    return verdicts(intents, no_book | dead_feed | bad_quality, CODE)
