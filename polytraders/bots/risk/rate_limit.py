"""risk.rate_limit — deny a submit the venue's order token bucket could not take, keeping a reserve.

Method
    Polymarket charges order submits to a per-signer token bucket: ``POST /order`` costs 1
    token, ``POST /orders`` one per order in the batch; tokens "refill continuously" at the
    tier's rate and the bucket holds at most its burst capacity; a request the bucket cannot pay
    for is answered 429 (https://docs.polymarket.com/api-reference/trading-rate-limits). The
    lowest tier (Standard, every account below $30,000 30-day volume) has an order rate of
    40 tokens/s and a burst of 60 (the tier table of that page, as transcribed on 2026-08-05);
    these are the defaults. Cancels draw from a separate cancel bucket, so they are not counted
    here. (The older Cloudflare limits on the same endpoint, 3,500 requests / 10 s burst and
    36,000 / 10 min sustained, https://docs.polymarket.com/api-reference/rate-limits, are looser
    and not modelled.)

    Bucket fold, in integer micro-tokens (1 token = 10⁶): the ``api`` rows of
    ``ctx.venue_events`` whose ``endpoint`` is in ``endpoints`` (rows with a null ``ts_ms``
    dropped), in time order t₀ ≤ t₁ ≤ …, each cost one token, whatever their status (we cannot
    tell whether the venue charged a failed call; counting it only delays the next submit). The
    bucket starts full (``C = burst_tokens``) and refills at ``r = refill_tokens_per_s`` /
    1,000 tokens per ms, capped at ``C``; the level just after row i is

        L_i = min(C, L_{i−1} + r·(t_i − t_{i−1})) − 1,        L_{−1} = C,

    which is computed without a loop as L_i = C − 1 + g_i − max_{k≤i} g_k with
    g_k = r·(t_k − t₀) − k (exact: the same recursion, unrolled). A level may go below 0 when
    calls were logged faster than the bucket allowed (the venue would have answered 429).

    For each PLACE intent at ``ts_ms`` (epoch ms UTC), with j the last counted row at or before
    ``ts_ms`` (a row at exactly ``ts_ms`` counts), the level is
    ``level = min(C, L_j + r·(ts_ms − t_j))`` (``C`` when there is none). The intent is rejected
    when ``level − 1 < headroom_tokens``: paying for it would leave less than the reserve. The
    reserve (default 6 = 10 % of the burst) covers what the log does not show yet: submits in
    flight, and the intents of this same frame — they have not been submitted, so they do not
    consume tokens from each other (every intent of one call at the same ``ts_ms`` sees the same
    level); the runtime re-evaluates after every submit. An intent with a null ``ts_ms`` is
    rejected.

    Worked example (defaults: C = 60, r = 0.04 token/ms, reserve 6): 55 submits logged at T
    leave L = 60 − 55 = 5. At T the level is 5 (5 − 1 < 6 → REJECT); at T + 50 it is
    5 + 0.04·50 = 7 (7 − 1 = 6 ≥ 6 → APPROVE); at T + 49 it is 6.96 (→ REJECT); at T + 2,000 it
    is min(60, 85) = 60.

    The limits are per account, not per market: they mean the same for a 15-minute crypto
    up/down market as for a long-dated one. At the default a full bucket funds 54 submits at
    once, then 40 per second.

Inputs
    Intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`): ``ts_ms``, ``size``.
    ``ctx.venue_events`` (:data:`~polytraders.bots.risk.context.VENUE_EVENT_SCHEMA`): the rows
    with ``channel == "api"`` and ``endpoint`` in ``endpoints`` (``ts_ms`` only).

Returns
    A :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent in input
    order: APPROVE at ``size``, or REJECT (``approved_size`` 0, RISK_RATE_LIMIT). An empty
    intent frame gives an empty frame.

Reason codes
    RISK_RATE_LIMIT.

Raises
    pydantic.ValidationError — invalid config (``burst_tokens`` not in [1, 100,000];
    ``refill_tokens_per_s`` not in (0, 100,000] or with more than 3 decimals;
    ``headroom_tokens`` < 0 or ≥ ``burst_tokens``; ``endpoints`` empty).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.rate_limit"
VERSION = "0.1.0"

CODE = reason_codes.require("RISK_RATE_LIMIT")
MICRO = 1_000_000  # micro-tokens per token


class Config(BotConfig):
    """Parameters of risk.rate_limit (defaults: Polymarket's Standard-tier order bucket)."""

    endpoints: tuple[str, ...] = Field(
        default=("POST /order", "POST /orders"), min_length=1,
        description="api endpoints charged to the order bucket; each logged row costs one token",
    )  # fmt: skip
    burst_tokens: int = Field(
        default=60, ge=1, le=100_000, description="bucket capacity (the tier's order burst), tokens"
    )
    refill_tokens_per_s: Decimal = Field(
        default=Decimal("40"), gt=0, le=100_000, decimal_places=3,
        description="continuous refill rate (the tier's order rate), tokens per second",
    )  # fmt: skip
    headroom_tokens: int = Field(
        default=6, ge=0,
        description="tokens that must remain after paying for the intent (reserve for unlogged submits), tokens",
    )  # fmt: skip

    @model_validator(mode="after")
    def _headroom_below_burst(self) -> Config:
        if self.headroom_tokens >= self.burst_tokens:
            raise ValueError(f"headroom_tokens ({self.headroom_tokens}) must be < burst_tokens ({self.burst_tokens})")
        return self


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every PLACE intent of ``intents``; see the module docstring."""
    capacity = config.burst_tokens * MICRO
    refill_per_ms = int(config.refill_tokens_per_s * 1_000)  # micro-tokens per ms, exact (<= 3 decimals)
    calls_ms = np.sort(
        ctx.venue_events.filter(
            (pl.col("channel") == "api") & pl.col("endpoint").is_in(list(config.endpoints))
            & pl.col("ts_ms").is_not_null()
        )["ts_ms"].to_numpy().astype(np.int64)
    )  # fmt: skip
    # level just after each call: C - 1 + g_i - max_{k<=i} g_k, g_k = r (t_k - t_0) - k
    g = refill_per_ms * (calls_ms - (calls_ms[0] if calls_ms.size else 0)) - np.arange(calls_ms.size) * MICRO
    after = capacity - MICRO + g - np.maximum.accumulate(g)

    ts = intents["ts_ms"]
    ts_ms = ts.fill_null(0).to_numpy().astype(np.int64)
    last = np.searchsorted(calls_ms, ts_ms, side="right") - 1
    has_call = last >= 0
    if calls_ms.size:
        last_level = after[np.maximum(last, 0)]
        elapsed_ms = ts_ms - calls_ms[np.maximum(last, 0)]
        # no more refill than it takes to fill the bucket (keeps the product in int64)
        to_full_ms = (capacity - last_level + refill_per_ms - 1) // refill_per_ms
        refilled = np.minimum(capacity, last_level + refill_per_ms * np.minimum(elapsed_ms, to_full_ms))
        level = np.where(has_call, refilled, capacity)
    else:
        level = np.full(ts_ms.size, capacity, dtype=np.int64)
    spent = (level - MICRO < config.headroom_tokens * MICRO) | ts.is_null().to_numpy()
    return verdicts(intents.with_columns(_spent=pl.Series(spent, dtype=pl.Boolean)), pl.col("_spent"), CODE)
