"""intel.quote_stability — touch flicker of each token: best-price changes per minute and mean touch lifetime.

Method
    The touch of a token is its (best bid price, best ask price) pair; a side without levels is a
    null price, so a side appearing or vanishing is a change too (sizes are ignored: a queue that
    grows or shrinks is not a flicker). Over the token's top-of-book rows in time order, row i is
    a *touch change* when its touch differs from row i − 1's. The touch set by a change (or
    first seen on the token's first row) lives until the next change; its *lifetime* is the time
    between the two, in ms. At every row at time t, over the trailing window ``(t − W, t]``
    (``W`` = ``window_ms``)::

        touch_changes_per_min = (touch changes in the window) · 60 000 / W
        touch_lifetime_ms     = mean lifetime of the touches that ended (were changed) in the window

    each ended touch counted with its whole lifetime, also the part before the window. The first
    touch of a token was set before the data began (left-censored), so its lifetime is unknown
    and not counted. The lifetime is not 60 000 / rate: a touch that stood ten minutes and then
    changed once reads 1 change a minute but a 600 000 ms life. Changes between two observed
    rows are not seen (the rows are the book states S3 kept; the 2026-09-28 fixture was thinned
    by its publisher to ≤ 1 book a second per token). Informational (capital impact I); Float64, no rounding.

Inputs
    ``data.tops`` (:class:`~polytraders.bots.inputs.MarketData`) — MarketSnapshot frame:
    ``condition_id`` String, ``token_id`` String, ``ts_ms`` Int64, ``best_bid`` / ``best_ask``
    Decimal(38, 6) nullable. Only these columns are read. Rows are put in (``token_id``, ``ts_ms``)
    order first (stable: receive order within a millisecond).

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``), by token id then time, at the token's top-of-book rows at least
    ``window_ms`` after its first row: ``touch_changes_per_min`` (unit "per-minute", 0 when the
    touch held all window) then ``touch_lifetime_ms`` (unit "ms"). Absent rows:

    - both readings for rows less than ``window_ms`` after the token's first row: the window is
      not yet covered by data (INTEL_WARMUP);
    - ``touch_lifetime_ms`` when no touch of known lifetime ended in the window (INTEL_WARMUP);
    - a reading equal to the same reading of the token's previous row (a missing one counts as a
      value): a repeat adds nothing for a consumer taking the latest reading as of a time (on the
      2026-09-28 fixture 30 k rows are kept of 70 k, on the 2-minute polls of the 2026-08-12
      universe day about 1 in 9, most polls repeating a rate of 0).

    An empty ``tops`` frame gives an empty Signal frame.

Reason codes
    INTEL_WARMUP (documented condition for absent rows; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (``window_ms`` < 1000).

Example
    >>> from polytraders_tests.bots.frames import tops
    >>> frame = tops(("yes", 0, "0.48", "0.52"), ("yes", 10_000, "0.49", "0.52"),
    ...              ("yes", 40_000, "0.48", "0.52"), ("yes", 60_000, "0.48", "0.52"))
    >>> run(MarketData.of(tops=frame), Config(window_ms=60_000))["value"].to_list()  # 2 changes; 0.49 lived 30 s
    [2.0, 30000.0]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, drop_repeats, signal_readings
from polytraders.contracts import reason_codes

SLUG = "intel.quote_stability"
VERSION = "0.1.0"

INPUTS = ("tops",)

#: Signal name -> unit, in the order each row's readings are emitted.
READINGS: dict[str, str] = {"touch_changes_per_min": "per-minute", "touch_lifetime_ms": "ms"}

WARMUP = reason_codes.require("INTEL_WARMUP")

_MS_PER_MIN = 60_000


class Config(BotConfig):
    """Parameters of intel.quote_stability."""

    window_ms: int = Field(
        default=60_000, ge=1_000, description="trailing window the changes and ended touches are taken over, ms"
    )


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Touch change rate and mean touch lifetime of every token past warm-up; see the module docstring."""
    token = "token_id"
    prev = lambda e: e.shift(1).over(token)  # noqa: E731
    first = pl.col("ts_ms").cum_count().over(token) == 1
    moved = pl.col("best_bid").ne_missing(prev(pl.col("best_bid"))) | pl.col("best_ask").ne_missing(
        prev(pl.col("best_ask"))
    )
    touches = (
        data.tops.select("condition_id", token, "ts_ms", "best_bid", "best_ask")
        .sort(token, "ts_ms", maintain_order=True)
        .with_columns(_change=~first & moved)
    )
    # Start of the touch each row belongs to; a change ends the touch that started at the previous row's start.
    started = pl.when(first | pl.col("_change")).then(pl.col("ts_ms")).forward_fill().over(token)
    touches = touches.with_columns(_start=started).with_columns(
        _life=pl.when(pl.col("_change") & (pl.col("_change").cum_sum().over(token) >= 2))
        .then(pl.col("ts_ms") - prev(pl.col("_start")))
    )
    window = dict(by="ts_ms", window_size=f"{config.window_ms}i", closed="right")
    in_window = lambda e: e.rolling_sum_by(**window).over(token)  # noqa: E731
    readings = touches.with_columns(
        touch_changes_per_min=in_window(pl.col("_change").cast(pl.Int64)) * _MS_PER_MIN / config.window_ms,
        touch_lifetime_ms=in_window(pl.col("_life").fill_null(0))
        / in_window(pl.col("_life").is_not_null().cast(pl.Int64)),
    ).filter(pl.col("ts_ms") - pl.col("ts_ms").min().over(token) >= config.window_ms)
    return signal_readings(readings.with_columns(drop_repeats(list(READINGS))), SLUG, READINGS)
