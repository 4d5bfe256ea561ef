"""risk.heartbeat_health — deny new orders once venue heartbeats are missed (the venue is about to cancel all).

Method
    Polymarket's order-safety heartbeat (``POST /heartbeats``) is a dead man's switch: "If
    heartbeats are not sent regularly, all open orders for the user will be automatically
    canceled" (https://docs.polymarket.com/api-reference/trade/send-heartbeat). That page gives
    no interval; client heartbeat managers built on the official SDKs state a 10 s deadline (with
    up to 5 s of buffer) and send every 5 s, as the shadow runtime does (one ``heartbeat`` row
    every 5 s, ``status`` 200 when acknowledged). A new order placed while heartbeats are being
    missed may be cancelled by the venue right after it rests, so new submits are denied; cancels
    never reach bots (the runtime lets them pass), so pulling quotes stays possible.

    ``ctx.venue_events`` rows with ``channel == "heartbeat"`` are read in time order (rows with a
    null ``ts_ms`` dropped); a row is acknowledged when ``status == 200`` and missed otherwise (a
    null status is a miss). For each PLACE intent at ``ts_ms`` (epoch ms UTC), looking only at
    rows at or before ``ts_ms`` (a row at exactly ``ts_ms`` counts), the intent is rejected when

    * there is no acknowledged heartbeat at all (fail closed); or
    * ``ts_ms − last_ack_ms > max_missed × heartbeat_interval_ms`` (integer ms; exactly the
      limit still passes): at least ``max_missed`` periods passed without an acknowledgement,
      whether the heartbeats failed or were never sent; or
    * the last ``max_missed`` heartbeat rows were all missed (the venue answered, but not with an
      acknowledgement, ``max_missed`` times in a row), however recent the last acknowledgement.

    Otherwise it is approved at its full size; an intent with a null ``ts_ms`` is rejected.

    Worked example (defaults: interval 5,000 ms, ``max_missed`` 2, limit 10,000 ms): acks at
    T−20,000 and T−10,000, then a 503 at T−5,000. At T the last ack is 10,000 ms old (= limit)
    and one row missed → APPROVE; at T+1 it is 10,001 ms old → REJECT. With a second 503 at T−1
    as well, at T the last two rows are misses → REJECT although the last ack is only 10,000 ms old.

    Defaults: 2 × 5,000 ms = 10,000 ms, the venue's stated cancel deadline. The rule is about the
    session, not the market, so it means the same for every market: 10 s is about 1 % of a
    15-minute crypto up/down market's life and nothing for a long-dated market.

Inputs
    Intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`): ``ts_ms``, ``size``.
    ``ctx.venue_events`` (:data:`~polytraders.bots.risk.context.VENUE_EVENT_SCHEMA`): the rows
    with ``channel == "heartbeat"`` (``ts_ms``, ``status``).

Returns
    A :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent in input
    order: APPROVE at ``size``, or REJECT (``approved_size`` 0, RISK_HEARTBEAT_DOWN). An empty
    intent frame gives an empty frame.

Reason codes
    RISK_HEARTBEAT_DOWN.

Raises
    pydantic.ValidationError — invalid config (``heartbeat_interval_ms`` not in [100, 600,000],
    ``max_missed`` not in [1, 100]).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.heartbeat_health"
VERSION = "0.1.0"
#: Reads only the intent, its market columns and static histories, never the portfolio: in the gate's head.
STATEFUL = False

CODE = reason_codes.require("RISK_HEARTBEAT_DOWN")
ACKNOWLEDGED = 200


class Config(BotConfig):
    """Parameters of risk.heartbeat_health."""

    heartbeat_interval_ms: int = Field(
        default=5_000, ge=100, le=600_000,
        description="period at which heartbeats are sent, ms (the shadow runtime sends one every 5 s)",
    )  # fmt: skip
    max_missed: int = Field(
        default=2, ge=1, le=100,
        description="heartbeat periods without an acknowledgement, or missed heartbeats in a row, "
                    "at which new orders are denied, count",
    )  # fmt: skip


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every PLACE intent of ``intents``; see the module docstring."""
    beats = (
        ctx.venue_events.filter((pl.col("channel") == "heartbeat") & pl.col("ts_ms").is_not_null())
        .select("ts_ms", acked=(pl.col("status") == ACKNOWLEDGED).fill_null(False))
        .sort("ts_ms", maintain_order=True)
    )
    beat_ms = beats["ts_ms"].to_numpy().astype(np.int64)
    acked = beats["acked"].to_numpy().astype(bool)
    position = np.arange(beat_ms.size)
    # missed heartbeats in a row ending at each row (0 on an acknowledged row)
    missed_run = position - np.maximum.accumulate(np.where(acked, position, -1))
    ack_ms = beat_ms[acked]

    ts = intents["ts_ms"]
    ts_ms = ts.fill_null(0).to_numpy().astype(np.int64)
    last_ack = np.searchsorted(ack_ms, ts_ms, side="right") - 1
    last_beat = np.searchsorted(beat_ms, ts_ms, side="right") - 1
    last_ack_ms = ack_ms[np.maximum(last_ack, 0)] if ack_ms.size else np.zeros_like(ts_ms)
    run = missed_run[np.maximum(last_beat, 0)] if beat_ms.size else np.zeros_like(ts_ms)
    down = (
        (last_ack < 0)
        | (ts_ms - last_ack_ms > config.max_missed * config.heartbeat_interval_ms)
        | ((last_beat >= 0) & (run >= config.max_missed))
        | ts.is_null().to_numpy()
    )
    return verdicts(intents.with_columns(_down=pl.Series(down, dtype=pl.Boolean)), pl.col("_down"), CODE)
