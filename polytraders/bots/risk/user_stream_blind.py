"""risk.user_stream_blind — deny new orders while the user channel is silent: our fills could not be seen.

Method
    The venue reports our order and trade updates (placements, fills, cancellations) only on the
    authenticated ``user`` websocket channel. While it is silent we are blind to our own fills,
    so positions and exposure (which every other risk bot reads) may be wrong: new orders are
    denied until it speaks again. Cancels are never shown to bots (the runtime lets them pass),
    so pulling quotes stays possible.

    For each PLACE intent at ``ts_ms`` (epoch ms UTC), ``last_user_ms`` is the time of the latest
    ``user``-channel row of ``ctx.venue_events`` at or before ``ts_ms`` (an as-of backward
    lookup: a row at exactly ``ts_ms`` counts, later rows never do). Any message counts,
    keep-alives included: a ``PONG`` proves the connection is up. The intent is rejected when

    * there is no such row (the channel has not spoken yet: fail closed), or
    * ``ts_ms − last_user_ms > max_silence_ms`` (integer ms; a silence of exactly the limit
      still passes).

    Otherwise it is approved at its full size. ``user`` rows with a null ``ts_ms`` are dropped
    (they cannot be placed in time); an intent with a null ``ts_ms`` is rejected.

    Worked example (default ``max_silence_ms`` = 30,000): user rows at T−45,000 and T−30,000;
    an intent at T is silent 30,000 ms → APPROVE; one at T+1 is silent 30,001 ms → REJECT; one
    at T−50,000 has no row at or before it → REJECT.

    The default: the ``user`` channel carries our ``order`` and ``trade`` updates
    (https://docs.polymarket.com/market-data/websocket/overview); clients keep a socket alive by
    sending the text ``PING`` every 10 s, answered ``PONG`` (https://docs.polymarket.com/nex/websocket-feeds,
    "Send the text PING every 10 seconds; expect PONG"; the recorded market-channel capture in
    shared/reference/polymarket/Polytope shows the ``PONG`` frames), and the shadow runtime logs a
    ``user`` row every 10 s. 30 s is
    three keep-alive periods: two consecutive lost ``PONG`` s still pass, a third does not. The
    limit is about the connection, not the market, so it means the same for every market: about
    3 % of a 15-minute crypto up/down market's life, and a blink for a long-dated market (where a
    30 s pause in quoting costs nothing).

Inputs
    Intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`): ``ts_ms``, ``size``.
    ``ctx.venue_events`` (:data:`~polytraders.bots.risk.context.VENUE_EVENT_SCHEMA`): the rows
    with ``channel == "user"`` (``ts_ms`` only).

Returns
    A :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent in input
    order: APPROVE at ``size``, or REJECT (``approved_size`` 0, RISK_USER_STREAM_BLIND). An empty
    intent frame gives an empty frame.

Reason codes
    RISK_USER_STREAM_BLIND.

Raises
    pydantic.ValidationError — invalid config (``max_silence_ms`` not in [1,000, 3,600,000]).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.user_stream_blind"
VERSION = "0.1.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_USER_STREAM_BLIND")


class Config(BotConfig):
    """Parameters of risk.user_stream_blind."""

    max_silence_ms: int = Field(
        default=30_000, ge=1_000, le=3_600_000,
        description="longest user-channel silence (time since its last message, keep-alives included) "
                    "at which new orders still pass, ms; default three 10 s keep-alive periods",
    )  # fmt: skip


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every PLACE intent of ``intents``; see the module docstring."""
    user_ms = np.sort(
        ctx.venue_events.filter((pl.col("channel") == "user") & pl.col("ts_ms").is_not_null())["ts_ms"]
        .to_numpy().astype(np.int64)
    )  # fmt: skip
    ts = intents["ts_ms"]
    ts_ms = ts.fill_null(0).to_numpy().astype(np.int64)
    # index of the latest user row at or before ts_ms (-1: none)
    last = np.searchsorted(user_ms, ts_ms, side="right") - 1
    has_row = last >= 0
    last_ms = user_ms[np.maximum(last, 0)] if user_ms.size else np.zeros_like(ts_ms)
    blind = ~has_row | (ts_ms - last_ms > config.max_silence_ms) | ts.is_null().to_numpy()
    return verdicts(intents.with_columns(_blind=pl.Series(blind, dtype=pl.Boolean)), pl.col("_blind"), CODE)
