"""intel.activity_rate — book updates and trades per minute of each token, and their ratio to its own baseline.

Method
    Events of a token are counted per clock minute (bucket ``m = ts_ms // 60 000``, epoch-aligned):
    ``u_m`` book updates (top-of-book rows: each is a book state S3 kept, so an update is any
    change of the book, not only of the touch) and ``x_m`` trade prints. The token is observed
    from its first to its last event (updates or prints); the minutes strictly between those two
    are *complete* (the first and last are partial: the data begins and ends inside them), and
    only complete minutes are used, empty ones counting 0. At the end of each complete minute m
    with an event of the token, with ``S`` = ``rate_window_min`` and ``B`` =
    ``baseline_window_min``::

        rate(m)     = Σ_{i = m−S+1..m} u_i / S                       (updates per minute)
        baseline(m) = Σ_{i = m−S−B+1..m−S} u_i / B                   (the B minutes before those)
        ratio(m)    = rate(m) / baseline(m)

    and the same for trades with ``x``. The baseline is the token's own **mean** per-minute
    count over the trailing B minutes (the maximum-likelihood rate of a Poisson count), not the
    median: prints are sparse (most minutes of most tokens have none), so a median baseline would
    be 0 and the ratio undefined almost everywhere. The baseline window ends where the rate window
    begins, so a burst is compared with the time before it, not diluted by itself. ratio > 1: busier
    than usual; < 1: quieter. Readings are taken only at minutes with an event (sums over the
    token's event minutes with ``rolling_sum_by`` on the minute number, so an empty minute is 0
    in every later window without a row of its own): a day-long per-minute grid of every token
    would be the universe day's ~13 k tokens × 1 440 minutes. A token that falls silent is
    reported quieter when its next event comes. Informational (capital impact I); Float64, no
    rounding.

Inputs
    ``data.tops`` — MarketSnapshot frame and ``data.trades`` — TradePrint frame
    (:class:`~polytraders.bots.inputs.MarketData`); of each only ``condition_id`` String,
    ``token_id`` String and ``ts_ms`` Int64 are read.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``), by token id then time, at ``ts_ms`` = the end (``(m + 1) · 60 000``) of
    each complete minute m with an event of the token and S + B complete minutes up to it:
    ``book_updates_per_min`` (unit "per-minute"), ``book_update_ratio`` (unit "ratio"),
    ``trades_per_min`` ("per-minute"), ``trade_ratio`` ("ratio"), in that order. Absent rows:

    - every reading of a minute with fewer than S + B complete minutes up to it (INTEL_WARMUP);
    - a ratio whose baseline is 0 (no update / no print in the B baseline minutes: the ratio is
      undefined) (INTEL_WARMUP);
    - a reading equal to the same reading at the token's previous such minute (a missing one
      counts as a value): a repeat adds nothing for a consumer taking the latest reading as of a
      time (on a day without prints, ``trades_per_min`` = 0 appears once per token).

    Empty ``tops`` and ``trades`` give an empty Signal frame.

Reason codes
    INTEL_WARMUP (documented condition for absent rows; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (``rate_window_min`` or ``baseline_window_min`` < 1).

Example
    >>> from polytraders_tests.bots.frames import tops
    >>> # T0 + 40 000 is a minute boundary: one update in the partial first minute, 1 and 2 in the
    >>> # two complete ones, one in the partial last minute
    >>> frame = tops(*(("yes", dt, "0.48", "0.52") for dt in (39_000, 40_000, 105_000, 110_000, 170_000)))
    >>> out = run(MarketData.of(tops=frame), Config(rate_window_min=1, baseline_window_min=1))
    >>> out.select("name", "value").rows()  # 2 updates a minute after 1: ratio 2; no prints: no trade ratio
    [('book_updates_per_min', 2.0), ('book_update_ratio', 2.0), ('trades_per_min', 0.0)]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, drop_repeats, signal_readings
from polytraders.contracts import reason_codes

SLUG = "intel.activity_rate"
VERSION = "0.1.0"

INPUTS = ("tops", "trades")

#: Signal name -> unit, in the order each minute's readings are emitted.
READINGS: dict[str, str] = {
    "book_updates_per_min": "per-minute",
    "book_update_ratio": "ratio",
    "trades_per_min": "per-minute",
    "trade_ratio": "ratio",
}

WARMUP = reason_codes.require("INTEL_WARMUP")

_MS_PER_MIN = 60_000


class Config(BotConfig):
    """Parameters of intel.activity_rate."""

    rate_window_min: int = Field(
        default=1, ge=1, description="complete minutes the current rate is averaged over (S), minutes"
    )
    baseline_window_min: int = Field(
        default=10, ge=1,
        description="complete minutes before the rate window whose mean rate is the baseline (B), minutes",
    )


def _minute_counts(data: MarketData) -> pl.DataFrame:
    """Per token and minute ``m`` with at least one event, sorted: ``updates``, ``trades`` and the
    token's ``first_m`` / ``last_m`` (its first and last event minute)."""
    keys = ("condition_id", "token_id", "ts_ms")
    events = pl.concat([
        data.tops.select(*keys, _u=pl.lit(1), _x=pl.lit(0)),
        data.trades.select(*keys, _u=pl.lit(0), _x=pl.lit(1)),
    ]).sort("token_id", "ts_ms").with_columns(m=pl.col("ts_ms") // _MS_PER_MIN)
    # runs of one (token, minute) in the sorted events: an integer key, cheaper than grouping by the id strings
    run = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift()) for c in ("token_id", "m")).cum_sum()
    return (
        events.group_by(run.alias("_run"), maintain_order=True)
        .agg(pl.col("condition_id", "token_id", "m").first(), updates=pl.col("_u").sum(), trades=pl.col("_x").sum())
        .with_columns(first_m=pl.col("m").min().over("token_id"), last_m=pl.col("m").max().over("token_id"))
    )


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Per-minute rates and ratios to the trailing baseline of every token; see the module docstring."""
    s, b = config.rate_window_min, config.baseline_window_min
    # sums over the minutes (m − n, m] of the token; minutes without events are absent rows, i.e. 0
    last = lambda c, n: pl.col(c).rolling_sum_by("m", f"{n}i").over("token_id")  # noqa: E731
    rate = lambda c: last(c, s) / s  # noqa: E731
    base = lambda c: (last(c, s + b) - last(c, s)) / b  # noqa: E731
    readings = _minute_counts(data).with_columns(
        ts_ms=(pl.col("m") + 1) * _MS_PER_MIN,
        book_updates_per_min=rate("updates"),
        book_update_ratio=rate("updates") / base("updates"),
        trades_per_min=rate("trades"),
        trade_ratio=rate("trades") / base("trades"),
    ).filter((pl.col("m") < pl.col("last_m")) & (pl.col("m") - s - b >= pl.col("first_m")))
    return signal_readings(readings.with_columns(drop_repeats(list(READINGS))), SLUG, READINGS)
