"""risk.tick_epoch — after a tick-size change, deny until a fresh book on the new grid is seen.

Method
    Polymarket changes a token's tick size while it trades (the market channel's
    ``tick_size_change`` event, https://docs.polymarket.com/market-data/websocket/market-channel;
    e.g. 0.01 → 0.001 as the price nears 0 or 1). Orders priced on the old grid are refused,
    and a book quoted before the change shows prices and depth that no longer hold. For each
    PLACE intent at decision time ``ts_ms`` (epoch ms) whose token has a tick change at
    ``c = tick_changed_ms`` (epoch ms), REJECT when any of these holds:

    * ``ts_ms < c + settle_ms`` — inside the settle period after the change (``settle_ms`` = 0
      by default: no wait beyond a fresh book). Since ``settle_ms ≥ 0`` this includes a change
      stamped after the decision (``c > ts_ms``): the frame is then inconsistent and the grid in
      force at ``ts_ms`` unknown, so it fails closed;
    * ``book_ts_ms`` null, or ``book_ts_ms < c`` — the latest book predates the change (a book
      stamped exactly at ``c`` counts as after it);
    * ``book_tick_size`` null or ``≠ tick_size`` — that book is not on the new grid;
    * ``tick_size`` null or ≤ 0, or ``price mod tick_size ≠ 0`` — the price is not on the new
      grid (exact Decimal).

    A token with no tick change (``tick_changed_ms`` null) passes: its metadata tick has been
    the grid since the start, and grid checks on it are risk.order_validity's. Integer ms and
    exact Decimal arithmetic; no rounding. Null handling (fail closed): a null among the inputs
    above, once ``c`` is known, makes the verdict null → REJECT.
    Time defaults: ``settle_ms`` = 0 fits both the fixture's 15-minute up/down markets (where a
    wait of even a few seconds is a visible share of the ~30 minutes they are traded) and
    long-dated markets; a positive settle period (e.g. 5,000 ms) gives makers time to requote
    the new grid before we trade into it.
    Worked example (change 0.01 → 0.001 at c, settle 0): intent at c + 500 with the latest book
    at c − 1,000 → REJECT (stale grid); book at c + 200 on 0.001 and price 0.970 → APPROVE;
    price 0.9705 → REJECT (off the 0.001 grid); book at c + 200 still quoted on 0.01 → REJECT.
    With settle_ms = 2,000: intent at c + 1,999 → REJECT, at c + 2,000 → APPROVE.

Inputs
    Intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`) columns ``ts_ms``,
    ``price``, ``tick_size``, ``tick_changed_ms``, ``book_ts_ms``, ``book_tick_size``. No
    RiskContext history is read.

Returns
    A :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE at ``size`` or REJECT (size 0).

Reason codes
    RISK_TICK_EPOCH.

Raises
    pydantic.ValidationError — invalid config (``settle_ms`` outside [0, 3,600,000]).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.tick_epoch"
VERSION = "0.1.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_TICK_EPOCH")


class Config(BotConfig):
    """Parameters of risk.tick_epoch."""

    settle_ms: int = Field(
        default=0, ge=0, le=3_600_000,
        description="time after a tick-size change during which new orders are denied, ms (0 = none)",
    )


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each PLACE intent; see the module docstring."""
    ts, changed, book_ts = pl.col("ts_ms"), pl.col("tick_changed_ms"), pl.col("book_ts_ms")
    tick = pl.when(pl.col("tick_size") > 0).then(pl.col("tick_size"))  # null when unknown or ≤ 0

    # a null anywhere here leaves the verdict null, which votes.verdicts turns into REJECT
    in_epoch = (
        (ts < changed + config.settle_ms)  # also a change stamped after the decision (settle ≥ 0)
        | (book_ts < changed)
        | (pl.col("book_tick_size") != tick)
        | ((pl.col("price") % tick) != 0)
    )
    reject = pl.when(changed.is_null()).then(pl.lit(False)).otherwise(in_epoch)
    return verdicts(intents, reject, CODE)
