"""risk.api_degradation — deny new orders while the venue's API or market-data feed is degraded.

Method
    A venue error is an ``api`` row of ``ctx.venue_events`` with ``status == 425`` (the CLOB
    answers 425 "Too Early" on every order endpoint while its matching engine restarts, ~90 s,
    https://docs.polymarket.com/trading/matching-engine), ``status >= 500`` (server error), or a
    null status (no answer at all). Client errors (400, 401, 404, …) are our requests' fault, not
    degradation; 429 is our own request budget running out, which risk.rate_limit guards (Cloudflare
    throttling queues requests rather than failing them, so it shows up as latency instead). A
    null ``latency_ms`` counts as slower than any budget. Rows with a null ``ts_ms`` are dropped.

    For each PLACE intent at ``ts_ms`` (epoch ms UTC), over the ``api`` rows of the trailing
    window ``(ts_ms − window_ms, ts_ms]`` (a row at exactly ``ts_ms`` counts; later rows never
    do): ``n`` calls, ``errors`` venue errors, ``slow`` calls with ``latency_ms >
    max_p95_latency_ms``. The intent is rejected when any of these holds:

    1. error rate: ``n >= min_calls`` and ``errors / n > max_error_rate`` (exact integers);
    2. burst: the last ``api`` row at or before ``ts_ms`` ends a run of at least ``burst_count``
       venue errors in a row, and it is recent: ``ts_ms − its ts_ms < burst_window_ms``. Once the
       burst is older the gate reopens for one probe: a further error closes it again at once
       (the run is still long), a success ends the run;
    3. latency: ``n >= min_calls`` and the window's p95 latency exceeds ``max_p95_latency_ms``.
       With the nearest-rank p95 (the ⌈0.95·n⌉-th smallest latency), p95 > L exactly when fewer
       than ⌈0.95·n⌉ calls took ≤ L ms, i.e. when ``20 · slow > n`` (more than 5 % of the calls
       were slower than L): counts only, no sort;
    4. feed: the latest closed FeedHealth window of channel ``market`` (``window_start_ms +
       window_ms <= ts_ms``) has ``live`` false or null, or ``quarantined_frames / max(data_frames,
       1) > max_feed_error_rate`` (a null count rejects). If there is no such window, or the
       latest one ended a whole window or more before ``ts_ms`` (windows are missing since), the
       feed state is unknown: rejected when ``require_feed_health`` (default: the shadow runtime
       always provides FeedHealth, so missing rows mean something is wrong), else no evidence.

    A window with fewer than ``min_calls`` calls (none at all included) is no evidence of
    degradation for rules 1 and 3: approving then is deliberate — a quiet API is not a broken one,
    and since this bot denies submits, requiring calls would keep it shut for good. An intent
    with a null ``ts_ms`` is rejected.

    Worked example (defaults): 20 calls in (T − 60,000, T], 4 of them 503 → 4/20 = 0.2, not
    > 0.2; a fifth error makes 5/21 ≈ 0.238 > 0.2 → REJECT. Of 20 calls, one slower than
    2,000 ms gives 20·1 = 20, not > 20 (p95 = the 19th smallest, fast); two give 40 > 20 → REJECT.
    Three 425s in a row, the last at T − 9,999 → REJECT at T; the last at T − 10,000 → not a burst.

    Defaults: a 60 s window spans most of a matching-engine restart and is 1/15 of a 15-minute
    crypto up/down market's life (for a long-dated market a minute out is immaterial); 10 calls
    before a rate means anything; 20 % errors; 3 errors in a row then a 10 s pause before the
    next probe (the venue advises backing off 1-2 s, doubling); p95 2 s — an acknowledgement that
    slow leaves a short-horizon quote blind for a visible part of its life; FeedHealth windows are
    S2's (60 s), 20 % quarantined frames.

Inputs
    Intent frame (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`): ``ts_ms``, ``size``.
    ``ctx.venue_events`` (:data:`~polytraders.bots.risk.context.VENUE_EVENT_SCHEMA`): the rows
    with ``channel == "api"`` (``ts_ms``, ``status``, ``latency_ms``). ``ctx.feed_health`` (S2's
    FeedHealth frame, :class:`polytraders.contracts.market.FeedHealth`): the rows with ``channel
    == "market"`` (``window_start_ms``, ``window_ms``, ``live``, ``data_frames``,
    ``quarantined_frames``).

Returns
    A :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent in input
    order: APPROVE at ``size``, or REJECT (``approved_size`` 0, RISK_API_DEGRADED). An empty
    intent frame gives an empty frame.

Reason codes
    RISK_API_DEGRADED.

Raises
    pydantic.ValidationError — invalid config (any field outside its bounds, a rate with more
    than 6 decimals).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.api_degradation"
VERSION = "0.1.0"

CODE = reason_codes.require("RISK_API_DEGRADED")
TOO_EARLY = 425  # the CLOB's "matching engine restarting" answer
FEED_CHANNEL = "market"
_MICRO = 1_000_000


class Config(BotConfig):
    """Parameters of risk.api_degradation."""

    window_ms: int = Field(
        default=60_000, ge=1_000, le=3_600_000, description="trailing window of api calls, (ts − window, ts], ms"
    )
    min_calls: int = Field(
        default=10, ge=1, le=1_000_000, description="calls in the window below which rate and p95 are not judged, count"
    )
    max_error_rate: Decimal = Field(
        default=Decimal("0.2"), ge=0, le=1, decimal_places=6,
        description="share of the window's calls answered 425 / 5xx / nothing above which submits stop, fraction",
    )  # fmt: skip
    burst_count: int = Field(
        default=3, ge=1, le=1_000, description="425 / 5xx / no-answer calls in a row that make a burst, count"
    )
    burst_window_ms: int = Field(
        default=10_000, ge=1, le=3_600_000,
        description="how long after a burst's last error submits stay denied, ms",
    )  # fmt: skip
    max_p95_latency_ms: int = Field(
        default=2_000, ge=1, le=600_000, description="p95 (nearest-rank) call latency above which submits stop, ms"
    )
    max_feed_error_rate: Decimal = Field(
        default=Decimal("0.2"), ge=0, le=1, decimal_places=6,
        description="quarantined / data frames of the market feed's last closed window above which submits stop, "
                    "fraction",
    )  # fmt: skip
    require_feed_health: bool = Field(
        default=True, description="no closed FeedHealth window of the market channel covering ts_ms rejects"
    )


def _api_rejects(ts_ms: np.ndarray, ctx: RiskContext, config: Config) -> np.ndarray:
    """Rules 1-3 per intent time, from prefix counts over the time-sorted api rows."""
    calls = (
        ctx.venue_events.filter((pl.col("channel") == "api") & pl.col("ts_ms").is_not_null())
        .select(
            "ts_ms",
            error=((pl.col("status") == TOO_EARLY) | (pl.col("status") >= 500)).fill_null(True),
            slow=(pl.col("latency_ms") > config.max_p95_latency_ms).fill_null(True),
        )
        .sort("ts_ms", maintain_order=True)
    )
    call_ms = calls["ts_ms"].to_numpy().astype(np.int64)
    error = calls["error"].to_numpy().astype(bool)
    zero = np.zeros(1, dtype=np.int64)
    errors_before = np.concatenate([zero, np.cumsum(error, dtype=np.int64)])  # errors among the first k rows
    slow_before = np.concatenate([zero, np.cumsum(calls["slow"].to_numpy().astype(bool), dtype=np.int64)])
    position = np.arange(call_ms.size)
    error_run = position - np.maximum.accumulate(np.where(error, -1, position))  # errors in a row ending at a row

    hi = np.searchsorted(call_ms, ts_ms, side="right")  # rows at or before ts_ms
    lo = np.searchsorted(call_ms, ts_ms - config.window_ms, side="right")  # rows at or before the window's start
    n = hi - lo
    errors = errors_before[hi] - errors_before[lo]
    slow = slow_before[hi] - slow_before[lo]
    judged = n >= config.min_calls
    error_rate = judged & (errors * _MICRO > int(config.max_error_rate * _MICRO) * n)
    latency = judged & (20 * slow > n)
    if call_ms.size:
        last = np.maximum(hi - 1, 0)
        burst = (hi > 0) & (error_run[last] >= config.burst_count) & (ts_ms - call_ms[last] < config.burst_window_ms)
    else:
        burst = np.zeros(ts_ms.size, dtype=bool)
    return error_rate | latency | burst


def _feed_rejects(ts_ms: np.ndarray, ctx: RiskContext, config: Config) -> np.ndarray:
    """Rule 4 per intent time: the latest closed market-channel FeedHealth window."""
    windows = (
        ctx.feed_health.filter(
            (pl.col("channel") == FEED_CHANNEL) & pl.col("window_start_ms").is_not_null()
            & pl.col("window_ms").is_not_null()
        )
        .select(
            end_ms=pl.col("window_start_ms") + pl.col("window_ms"),
            window_ms="window_ms",
            bad=(~pl.col("live")).fill_null(True)
            | (pl.col("quarantined_frames") * _MICRO
               > int(config.max_feed_error_rate * _MICRO) * pl.col("data_frames").clip(lower_bound=1)).fill_null(True),
        )
        .sort("end_ms", maintain_order=True)
    )  # fmt: skip
    end_ms = windows["end_ms"].to_numpy().astype(np.int64)
    if not end_ms.size:
        return np.full(ts_ms.size, config.require_feed_health)
    latest = np.searchsorted(end_ms, ts_ms, side="right") - 1  # window ended at or before ts_ms
    at = np.maximum(latest, 0)
    known = (latest >= 0) & (end_ms[at] > ts_ms - windows["window_ms"].to_numpy().astype(np.int64)[at])
    return np.where(known, windows["bad"].to_numpy().astype(bool)[at], config.require_feed_health)


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every PLACE intent of ``intents``; see the module docstring."""
    ts = intents["ts_ms"]
    ts_ms = ts.fill_null(0).to_numpy().astype(np.int64)
    degraded = _api_rejects(ts_ms, ctx, config) | _feed_rejects(ts_ms, ctx, config) | ts.is_null().to_numpy()
    return verdicts(
        intents.with_columns(_degraded=pl.Series(degraded, dtype=pl.Boolean)), pl.col("_degraded"), CODE
    )
