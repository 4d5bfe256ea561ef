"""intel.time_to_resolution — hours to the market's end date, and a taper factor in [0, 1], when the taper moves.

Method
    For each top-of-book snapshot take the market's instrument record as of the snapshot (the
    latest record of its ``condition_id`` with ``as_of_ms`` ≤ ``ts_ms``; no look-ahead) and its
    scheduled end date ``end_ts_ms``::

        hours_to_end = (end_ts_ms − ts_ms) / 3 600 000          (negative once the end has passed)
        x            = clip(hours_to_end / taper_start_hours, 0, 1)
        taper        = x                  (taper_shape = "linear")
                     = x² · (3 − 2x)      (taper_shape = "smoothstep")

    The taper is 1 while the end is at least ``taper_start_hours`` away and falls to 0 at the end
    date (and stays 0 after it): a size / quoting multiplier that winds exposure down into
    resolution. The linear ramp is the plain interpolation; the smoothstep is the cubic Hermite
    ramp with zero slope at both ends (``smoothstep(0, 1, x)`` of the OpenGL Shading Language 4.60
    specification, §8.3 "Common Functions"), so the taper starts and finishes without a kink.
    Units: hours (Float64: integer ms / 3 600 000, to within an ulp) and fraction. Informational
    (capital impact I); no rounding is applied.

    Both readings are deterministic functions of time and the end date, so a snapshot has rows
    only when they carry information, per token in time order: its first snapshot with an end
    date; then a snapshot whose taper moved by at least ``taper_step`` (either way, e.g. after an
    end date changed) from the taper of the token's last emitted snapshot; and the first snapshot
    at which the taper reaches 0 (from a last emitted taper above 0). So the latest taper row as
    of any time (an as-of join on ``token_id``, ``ts_ms``) is within ``taper_step`` of the taper of
    the token's latest snapshot, and exactly 0 once the taper is 0. ``hours_to_end`` is emitted on
    the same rows, as of those snapshots: a consumer that needs the hours continuously computes
    ``(end_ts_ms − t) / 3 600 000`` from the end date of the market's InstrumentRecord as of ``t``
    (the registry) rather than carrying the last row forward. The rule is applied exactly as the
    sequential definition (:func:`emitted`), vectorised over tokens.

Inputs
    ``data.tops`` (:class:`~polytraders.bots.inputs.MarketData`) — MarketSnapshot frame: reads
    ``condition_id`` String, ``token_id`` String, ``ts_ms`` Int64 (every snapshot counts,
    one-sided ones too). ``data.instruments`` — InstrumentRecord frame: reads ``condition_id``
    String, ``as_of_ms`` Int64, ``end_ts_ms`` Int64 nullable.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``), two rows per emitted snapshot (see Method: a token's first snapshot with
    an end date, a taper move of at least ``taper_step`` since the token's last emitted snapshot,
    the first taper of 0): ``name`` = "hours_to_end" (``unit`` = "hours") then ``name`` = "taper"
    (``unit`` = "fraction", in [0, 1]), the same values as at that snapshot; sorted by
    ``token_id``, ``ts_ms`` (stable: snapshots of one millisecond keep their input order, the
    second one has the same taper and no row). Other snapshots have no row. A snapshot whose
    market has no instrument record as of its time, or whose record has no ``end_ts_ms``, yields
    no row and is not a step of the rule (INTEL_NO_END_DATE).

Reason codes
    INTEL_NO_END_DATE (documented condition for an absent row; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (``taper_start_hours`` ≤ 0, unknown ``taper_shape``,
    ``taper_step`` ≤ 0 or > 1).

Example
    >>> from polytraders_tests.bots.frames import instruments, market, tops
    >>> data = MarketData.of(tops=tops(("yes", 0, "0.48", "0.52")),
    ...                      instruments=instruments(market("m1", end_dt=6 * 3_600_000)))
    >>> run(data, Config(taper_start_hours=24.0))["value"].to_list()  # 6 h; 6 / 24
    [6.0, 0.25]
    >>> snaps = tops(*(("yes", m * 60_000, "0.48", "0.52") for m in (0, 6, 12, 18)))  # every 6 min
    >>> out = run(MarketData.of(tops=snaps, instruments=instruments(market("m1", end_dt=3_600_000))),
    ...           Config(taper_start_hours=1.0, taper_step=0.15))  # tapers 1, 0.9, 0.8, 0.7: rows at 0 and 12 min
    >>> [(r["ts_ms"] - snaps["ts_ms"][0], r["name"], round(r["value"], 9)) for r in out.iter_rows(named=True)]
    [(0, 'hours_to_end', 1.0), (0, 'taper', 1.0), (720000, 'hours_to_end', 0.8), (720000, 'taper', 0.8)]
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, signal_readings
from polytraders.bots.token_rows import keyed_rows
from polytraders.contracts import reason_codes

SLUG = "intel.time_to_resolution"
VERSION = "0.1.0"

NO_END_DATE = reason_codes.require("INTEL_NO_END_DATE")

HOURS_NAME, HOURS_UNIT = "hours_to_end", "hours"
TAPER_NAME, TAPER_UNIT = "taper", "fraction"
MS_PER_HOUR = 3_600_000

INPUTS = ("instruments", "tops")


class Config(BotConfig):
    """Parameters of intel.time_to_resolution."""

    taper_start_hours: float = Field(
        default=24.0, gt=0, description="time before the end date at which the taper starts to fall below 1, hours"
    )
    taper_shape: Literal["linear", "smoothstep"] = Field(
        default="linear", description="ramp from 1 to 0: 'linear' or 'smoothstep' (x²(3 − 2x)), no unit"
    )
    taper_step: float = Field(
        default=0.01, gt=0, le=1,
        description="a snapshot has rows when its taper moved at least this far since the token's last row, fraction",
    )


def instrument_records(tokens: pl.DataFrame, instruments: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The instrument records of each token's market: ``_tok``, ``as_of_ms`` and ``columns``, one
    row per (token, ``as_of_ms``) (records of one ``as_of_ms``: the later row), sorted by
    ``_tok``, ``as_of_ms``; ``tokens`` as from :func:`keyed_rows`."""
    return (
        instruments.select("condition_id", "as_of_ms", *columns)
        .unique(subset=["condition_id", "as_of_ms"], keep="last", maintain_order=True)
        .join(tokens.select("_tok", "condition_id"), on="condition_id")
        .drop("condition_id")
        .sort("_tok", "as_of_ms")
        .select("_tok", "as_of_ms", *columns)
    )


def instrument_as_of(rows: pl.DataFrame, tokens: pl.DataFrame, instruments: pl.DataFrame,
                     columns: list[str]) -> pl.DataFrame:
    """``rows`` (``_tok``, ``ts_ms``, sorted by both; see :func:`keyed_rows`) plus ``columns`` of
    the market's instrument record as of each row: the latest record of the token's
    ``condition_id`` with ``as_of_ms`` ≤ ``ts_ms`` (records of one ``as_of_ms``: the later row).
    Rows without such a record get nulls. Row order is kept."""
    return rows.join_asof(instrument_records(tokens, instruments, columns), left_on="ts_ms", right_on="as_of_ms",
                          by="_tok", strategy="backward", check_sortedness=False).drop("as_of_ms")


def with_hours_to_end(rows: pl.DataFrame, tokens: pl.DataFrame, instruments: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (see :func:`keyed_rows`) plus ``hours_to_end`` Float64 (null when the market has no
    end date as of the snapshot, see :func:`instrument_as_of`); row order is kept."""
    joined = instrument_as_of(rows, tokens, instruments, ["end_ts_ms"])
    hours = ((pl.col("end_ts_ms") - pl.col("ts_ms")) / MS_PER_HOUR).alias("hours_to_end")
    return joined.with_columns(hours).drop("end_ts_ms")


def taper(hours_to_end: pl.Expr, config: Config) -> pl.Expr:
    """The taper factor in [0, 1] of an hours-to-end expression (Float64; null stays null)."""
    x = (hours_to_end / config.taper_start_hours).clip(0.0, 1.0)
    return x if config.taper_shape == "linear" else x * x * (3.0 - 2.0 * x)


#: With at most this many groups or rows still open, :func:`emitted` finishes them row by row: a
#: round of array operations (~0.1 ms) costs more than a short Python loop (~0.2 µs a row), and a
#: long single token would take a round per emitted row.
FEW_GROUPS = 16
FEW_ROWS = 100_000


def emitted(values: np.ndarray, first: np.ndarray, step: float) -> np.ndarray:
    """Which rows of ``values`` (Float64, finite, ≥ 0 like a taper; groups in order, ``first`` True
    on each group's first row) carry information, sequentially per group: the group's first row,
    then each row with ``|value − e| ≥ step``, or ``value == 0 ≠ e``, where ``e`` is the value of
    the group's last emitted row before it. Returns a Boolean array.

    Exact to that sequential rule, without a loop over rows: the rows split into runs that never
    rise (a new run at each group start and at each rise). Within a run, after its first row
    is decided, the rule's test is monotone (``e − value`` only grows, and a zero stays zero), so
    the next emitted row is found by a binary search; every group advances at once, one emitted
    row or one run per round (a taper: at most 1 / step rows plus one per record change). The
    last :data:`FEW_GROUPS` open groups (or :data:`FEW_ROWS` rows) finish row by row."""
    n = values.size
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    starts = np.flatnonzero(first)
    run_start = first.copy()
    run_start[1:] |= values[1:] > values[:-1]
    run_starts = np.flatnonzero(run_start)
    run_end = np.repeat(np.append(run_starts[1:], n), np.diff(np.append(run_starts, n)))

    def hit(j: np.ndarray, e: np.ndarray) -> np.ndarray:
        v = values[j]
        return (np.abs(v - e) >= step) | ((v == 0) & (e != 0))

    out[starts] = True
    last, pos, group_end = values[starts].copy(), starts + 1, np.append(starts[1:], n)
    while True:
        live = pos < group_end
        last, pos, group_end = last[live], pos[live], group_end[live]
        if pos.size <= FEW_GROUPS or int((group_end - pos).sum()) <= FEW_ROWS:
            break
        # a run's first row (a rise) may be emitted by itself, in either direction
        rise = run_start[pos] & hit(pos, last)
        # otherwise: the first row of the run from pos on that passes, by binary search
        lo, hi = pos.copy(), run_end[pos]
        end = hi.copy()
        while (open_ := lo < hi).any():
            mid = (lo + hi) // 2
            ok = np.zeros_like(open_)
            ok[open_] = hit(mid[open_], last[open_])
            hi = np.where(open_ & ok, mid, hi)
            lo = np.where(open_ & ~ok, mid + 1, lo)
        found = np.where(rise, pos, lo)
        emit = rise | (lo < end)
        out[found[emit]] = True
        last = np.where(emit, values[np.minimum(found, n - 1)], last)
        pos = np.where(emit, found + 1, end)
    rows = []
    for e, start, stop in zip(last.tolist(), pos.tolist(), group_end.tolist(), strict=True):
        for j, v in enumerate(values[start:stop].tolist(), start):
            if abs(v - e) >= step or (v == 0 and e != 0):
                rows.append(j)
                e = v
    out[rows] = True
    return out


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Hours to end and taper of each token's first snapshot with an end date and of each snapshot where the taper
    moved by ``taper_step`` or reached 0; see the module docstring."""
    rows, tokens = keyed_rows(data.tops, [])
    rows = (
        with_hours_to_end(rows, tokens, data.instruments)
        .filter(pl.col("hours_to_end").is_not_null())
        .with_columns(taper(pl.col("hours_to_end"), config).alias("taper"))
    )
    first = rows.select(pl.col("_tok").ne_missing(pl.col("_tok").shift(1)))
    rows = rows.filter(pl.Series(emitted(rows["taper"].to_numpy(), first.to_series().to_numpy(), config.taper_step)))
    ids = tokens.select("condition_id", "token_id")
    rows = pl.concat([ids[rows["_tok"]], rows.drop("_tok")], how="horizontal")
    return signal_readings(rows, SLUG, {HOURS_NAME: HOURS_UNIT, TAPER_NAME: TAPER_UNIT}).cast(SIGNAL_SCHEMA)
