"""disc.recurring_series_rotator — roll each recurring series (daily / short up-down markets) to its next instance.

Method
    Recurring markets are listed one instance per period, with the period in the slug's tail:
    ``btc-updown-15m-1790586000`` (epoch seconds of the period's start),
    ``eth-up-or-down-2026-08-12`` (ISO date), ``bitcoin-up-or-down-september-28-5am-et``
    (month name, day, optional year and hour). Series key = the slug, lower-cased, with the
    suffix matched by ``suffix_pattern`` removed; the default pattern matches a final
    ``-<10 or 13 digits>`` (epoch s / ms), ``-YYYY-MM-DD``, or
    ``-<month>-<day>[-<year>][-<hour>am|pm[-et]]``. A slug without such a suffix is not a
    recurring instance.

    W = ``as_of_ms``, by default the latest time in the inputs (``as_of_ms`` of instruments,
    ``ts_ms`` of tops). An instance is tradable at W when it is ``active``, ``accepting_orders``,
    not ``closed`` and ``end_ts_ms`` > W. Per series, the candidate is the tradable instance
    with the earliest ``end_ts_ms`` (ties by ``condition_id``). For each market (latest
    instrument record per ``condition_id``):

    1. no recurring suffix → DISC_NOT_RECURRING;
    2. no ``end_ts_ms`` → DISC_SERIES_NO_END_DATE (cannot be placed in the series);
    3. its series has no tradable instance → DISC_SERIES_NO_NEXT;
    4. the candidate → code DISC_SERIES_ROLLED, ``ts_ms`` = W, ``score`` = 1 / (1 + hours from
       W to its end) (in (0, 1); the series that rolls soonest ranks first), ``rank`` by score
       descending, ties by ``condition_id``;
    5. ``closed`` or ended (``end_ts_ms`` ≤ W): an earlier instance → DISC_SERIES_EXPIRED;
    6. ending after the candidate (by end, then ``condition_id``) → DISC_SERIES_LATER;
    7. else (ends before the candidate, but not active or not accepting orders) → DISC_NOT_ACTIVE.

    Every market of ``instruments`` is in exactly one of candidates / excluded.

Inputs
    ``data.instruments`` — InstrumentRecord frame: ``condition_id`` / ``slug`` String,
    ``end_ts_ms`` Int64 nullable, ``active`` / ``closed`` / ``accepting_orders`` Boolean,
    ``as_of_ms`` Int64. ``data.tops`` — MarketSnapshot frame: ``ts_ms`` Int64 (only for W).

Returns
    :class:`~polytraders.bots.inputs.ScanResult` — ``candidates`` (CANDIDATE_SCHEMA; one per
    series; ``ts_ms`` = W, ms; ``score`` Float64) by rank; ``excluded`` (``condition_id``,
    ``reason_code``) by condition_id. Empty inputs give empty typed frames.

Reason codes
    DISC_SERIES_ROLLED, DISC_NOT_RECURRING, DISC_SERIES_NO_END_DATE, DISC_SERIES_NO_NEXT,
    DISC_SERIES_EXPIRED, DISC_SERIES_LATER, DISC_NOT_ACTIVE.

Raises
    pydantic.ValidationError — invalid config (negative ``as_of_ms``, ``suffix_pattern`` not a
    valid regular expression).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, field_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, ScanResult, latest_instruments, scan_result
from polytraders.contracts import reason_codes

SLUG = "disc.recurring_series_rotator"
VERSION = "0.1.0"

ROLLED = reason_codes.require("DISC_SERIES_ROLLED")
NOT_RECURRING = reason_codes.require("DISC_NOT_RECURRING")
NO_END_DATE = reason_codes.require("DISC_SERIES_NO_END_DATE")
NO_NEXT = reason_codes.require("DISC_SERIES_NO_NEXT")
EXPIRED = reason_codes.require("DISC_SERIES_EXPIRED")
LATER = reason_codes.require("DISC_SERIES_LATER")
NOT_ACTIVE = reason_codes.require("DISC_NOT_ACTIVE")

INPUTS = ("instruments", "tops")

HOUR_MS = 3_600_000
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
#: Default recurring suffix: epoch seconds / ms, ISO date, or month-name date with optional year and hour.
SUFFIX_PATTERN = (
    r"-(?:\d{10}|\d{13}|\d{4}-\d{2}-\d{2}|"
    rf"(?:{_MONTHS})-\d{{1,2}}(?:-\d{{4}})?(?:-\d{{1,2}}(?:am|pm)(?:-et)?)?)$"
)


class Config(BotConfig):
    """Parameters of disc.recurring_series_rotator."""

    as_of_ms: int | None = Field(
        default=None, ge=0,
        description="the rotation instant W, epoch ms; None = the latest instrument as_of_ms or top ts_ms",
    )  # fmt: skip
    suffix_pattern: str = Field(
        default=SUFFIX_PATTERN,
        description="regular expression (Rust regex syntax) of the period suffix of a lower-cased slug; the "
        "series key is the slug without it, text",
    )

    @field_validator("suffix_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            pl.Series([""]).str.contains(pattern)
        except pl.exceptions.ComputeError as err:
            raise ValueError(f"suffix_pattern {pattern!r} is not a valid regular expression: {err}") from err
        return pattern


def series_key(slug: pl.Expr, pattern: str = SUFFIX_PATTERN) -> pl.Expr:
    """The series key of each slug (String; null when the slug has no recurring suffix)."""
    lower = slug.str.to_lowercase()
    return pl.when(lower.str.contains(pattern)).then(lower.str.replace(pattern, ""))


def run(data: MarketData, config: Config) -> ScanResult:
    """Roll recurring series; see the module docstring."""
    w = config.as_of_ms
    if w is None:
        w = max([v for v in (data.instruments["as_of_ms"].max(), data.tops["ts_ms"].max()) if v is not None],
                default=0)  # fmt: skip
    markets = latest_instruments(data.instruments).with_columns(
        series_key(pl.col("slug"), config.suffix_pattern).alias("series")
    )
    tradable = pl.col("active") & pl.col("accepting_orders") & ~pl.col("closed") & (pl.col("end_ts_ms") > w)
    placed = markets.filter(pl.col("series").is_not_null() & pl.col("end_ts_ms").is_not_null())
    nexts = (
        placed.filter(tradable)
        .sort("series", "end_ts_ms", "condition_id")
        .unique(subset="series", keep="first", maintain_order=True)
        .select("series", pl.col("end_ts_ms").alias("next_end_ms"), pl.col("condition_id").alias("next_id"))
    )
    after_next = (pl.col("end_ts_ms") > pl.col("next_end_ms")) | (
        (pl.col("end_ts_ms") == pl.col("next_end_ms")) & (pl.col("condition_id") > pl.col("next_id"))
    )
    judged = markets.join(nexts, on="series", how="left").select(
        "condition_id",
        pl.when(pl.col("series").is_null()).then(pl.lit(NOT_RECURRING))
        .when(pl.col("end_ts_ms").is_null()).then(pl.lit(NO_END_DATE))
        .when(pl.col("next_id").is_null()).then(pl.lit(NO_NEXT))
        .when(pl.col("condition_id") == pl.col("next_id")).then(pl.lit(None, pl.String))
        .when(pl.col("closed") | (pl.col("end_ts_ms") <= w)).then(pl.lit(EXPIRED))
        .when(after_next).then(pl.lit(LATER))
        .otherwise(pl.lit(NOT_ACTIVE))
        .alias("reason_code"),
        pl.lit(w, pl.Int64).alias("ts_ms"),
        (1.0 / (1.0 + (pl.col("end_ts_ms") - w) / HOUR_MS)).alias("score"),
    )  # fmt: skip
    admitted = judged.filter(pl.col("reason_code").is_null()).select("condition_id", "ts_ms", "score")
    return scan_result(SLUG, admitted, ROLLED, judged.filter(pl.col("reason_code").is_not_null()))
