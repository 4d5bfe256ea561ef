"""intel.vol_ratio — short / long half-life realised volatility of the mid; > 1 = volatility rising.

Method
    Per token, over its two-sided snapshots (one per millisecond: the last of a millisecond), the
    mid changes between consecutive snapshots ``r_i = mid_i − mid_{i−1}`` (probability; with
    ``log_returns``: ``ln(mid_i / mid_{i−1})``) over gaps ``Δt_i = t_i − t_{i−1}`` ms. For a
    half-life ``H`` the realised variance per ms is the ratio of two exponentially time-weighted
    means with the same weights::

        σ²_H(t_n) = EWM_H(r²)(t_n) / EWM_H(Δt)(t_n) = Σ_i c_i r_i² / Σ_i c_i Δt_i

        EWM_H(x): y_1 = x_1;  y_i = α_i x_i + (1 − α_i) y_{i−1},  α_i = 1 − 2^(−Δt_i / H)

    (``polars.Expr.ewm_mean_by``; the ``c_i`` are the resulting weights, which sum to 1): squared
    changes summed over the recent past, per unit of time elapsed, so irregular sampling does not
    bias the estimate (an EMA operator on an inhomogeneous time series: Zumbach & Müller 2001,
    "Operators on inhomogeneous time series", Int. J. Theoretical and Applied Finance 4(1); the
    realised variance as a sum of squared returns: Andersen, Bollerslev, Diebold & Labys 2003,
    "Modeling and forecasting realized volatility", Econometrica 71(2); exponential weighting as
    in RiskMetrics, J.P. Morgan 1996). With ``S`` = ``short_half_life_ms`` and ``L`` =
    ``long_half_life_ms``::

        vol_ratio = sqrt(σ²_S / σ²_L)            (ratio; > 1: the recent past moves more)
        vol_short = sqrt(60 000 · σ²_S),  vol_long = sqrt(60 000 · σ²_L)   (per √minute)

    The mid changes are exact (integer micro-units) before the conversion to Float64; the
    readings are informational (capital impact I), no rounding is applied.

Inputs
    ``data.tops`` (:class:`~polytraders.bots.inputs.MarketData`) — MarketSnapshot frame: reads
    ``condition_id`` / ``token_id`` String, ``ts_ms`` Int64, ``mid`` Decimal(38, 6) nullable (a
    null mid = one-sided snapshot, skipped).

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``), per two-sided snapshot (last of its millisecond) after the token's first:
    ``name`` = "vol_ratio" (``unit`` = "ratio"); with ``include_vols`` also "vol_short" and
    "vol_long" (``unit`` = "probability/sqrt-min", or "log-return/sqrt-min" with ``log_returns``),
    in that order. Sorted by ``token_id``, ``ts_ms``. No row while the token has fewer than
    ``min_returns`` mid changes or none of them was non-zero (σ²_L = 0: the ratio is undefined) —
    INTEL_WARMUP.

Reason codes
    INTEL_WARMUP (documented condition for an absent row; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (a half-life < 1 ms, ``short_half_life_ms`` ≥
    ``long_half_life_ms``, ``min_returns`` < 1).

Example
    >>> from polytraders_tests.bots.frames import tops
    >>> snaps = tops(("yes", 0, "0.49", "0.51"), ("yes", 60_000, "0.50", "0.52"), ("yes", 120_000, "0.50", "0.52"))
    >>> config = Config(short_half_life_ms=60_000, long_half_life_ms=120_000, min_returns=1)
    >>> [round(v, 6) for v in run(MarketData.of(tops=snaps), config)["value"]]  # 1; sqrt((½·1) / (2^-½·1))
    [1.0, 0.840896]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, signal_frame
from polytraders.contracts import reason_codes

SLUG = "intel.vol_ratio"
VERSION = "0.1.0"

WARMUP = reason_codes.require("INTEL_WARMUP")

RATIO_NAME, RATIO_UNIT = "vol_ratio", "ratio"
SHORT_NAME, LONG_NAME = "vol_short", "vol_long"
MICRO = 1_000_000
MS_PER_MIN = 60_000

#: Columns of :func:`volatility`.
VOL_SCHEMA: dict[str, pl.DataType] = {
    "condition_id": pl.String(), "token_id": pl.String(), "ts_ms": pl.Int64(), "n_returns": pl.Int64(),
    "vol_short": pl.Float64(), "vol_long": pl.Float64(), "vol_ratio": pl.Float64(),
}

INPUTS = ("tops",)


class Config(BotConfig):
    """Parameters of intel.vol_ratio."""

    short_half_life_ms: int = Field(
        default=60_000, ge=1, description="half-life of the short volatility's time weights (S), ms"
    )
    long_half_life_ms: int = Field(
        default=600_000, ge=1, description="half-life of the long volatility's time weights (L), ms"
    )
    min_returns: int = Field(
        default=10, ge=1, description="mid changes a token needs before its first reading (warm-up), count"
    )
    log_returns: bool = Field(
        default=False, description="use ln(mid_i / mid_{i−1}) instead of mid_i − mid_{i−1}, flag"
    )
    include_vols: bool = Field(
        default=False, description="also emit vol_short and vol_long (per √minute) beside the ratio, flag"
    )

    @model_validator(mode="after")
    def _short_below_long(self) -> Config:
        if self.short_half_life_ms >= self.long_half_life_ms:
            raise ValueError("short_half_life_ms must be below long_half_life_ms")
        return self


def volatility(tops: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Short and long volatility and their ratio after every mid change: :data:`VOL_SCHEMA`, one
    row per two-sided snapshot (last of its millisecond) after the token's first, sorted by
    ``token_id``, ``ts_ms``; ``n_returns`` = mid changes so far (warm-up rows included, so a caller
    can apply its own; ``vol_ratio`` is NaN while every change was 0)."""
    mids = (
        tops.filter(pl.col("mid").is_not_null())
        .select("condition_id", "token_id", "ts_ms", (pl.col("mid") * MICRO).cast(pl.Int64).alias("_mid"))
        .sort("token_id", "ts_ms", maintain_order=True)
        .unique(subset=["token_id", "ts_ms"], keep="last", maintain_order=True)
    )
    prev = pl.col("_mid").shift(1).over("token_id")
    change = (pl.col("_mid").log() - prev.log()) if config.log_returns else (pl.col("_mid") - prev) / MICRO
    steps = mids.with_columns(
        change.alias("_r"), (pl.col("ts_ms") - pl.col("ts_ms").shift(1).over("token_id")).alias("_dt")
    ).filter(pl.col("_dt").is_not_null())

    def variance(half_life_ms: int) -> pl.Expr:
        def ewm(x: pl.Expr) -> pl.Expr:
            return x.ewm_mean_by("ts_ms", half_life=f"{half_life_ms}i").over("token_id")

        return ewm(pl.col("_r") ** 2) / ewm(pl.col("_dt").cast(pl.Float64))

    return (
        steps.with_columns(variance(config.short_half_life_ms).alias("_vs"), variance(config.long_half_life_ms)
                           .alias("_vl"), (pl.int_range(pl.len()) + 1).over("token_id").alias("n_returns"))
        .select(
            "condition_id", "token_id", "ts_ms", "n_returns",
            (pl.col("_vs") * MS_PER_MIN).sqrt().alias("vol_short"),
            (pl.col("_vl") * MS_PER_MIN).sqrt().alias("vol_long"),
            (pl.col("_vs") / pl.col("_vl")).sqrt().alias("vol_ratio"),
        )
        .cast(VOL_SCHEMA)
    )


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Volatility ratio (and optionally both vols) per mid change; see the module docstring."""
    vols = volatility(data.tops, config).filter(
        (pl.col("n_returns") >= config.min_returns) & (pl.col("vol_long") > 0)
    )
    unit = "log-return/sqrt-min" if config.log_returns else "probability/sqrt-min"
    readings = [signal_frame(vols, SLUG, RATIO_NAME, RATIO_UNIT, "vol_ratio")]
    if config.include_vols:
        readings += [signal_frame(vols, SLUG, SHORT_NAME, unit, "vol_short"),
                     signal_frame(vols, SLUG, LONG_NAME, unit, "vol_long")]
    # per snapshot: ratio, then short, then long (a stable sort on the row position keeps that order)
    both = pl.concat([frame.with_row_index("_row") for frame in readings])
    return both.sort("_row", maintain_order=True).drop("_row").cast(SIGNAL_SCHEMA)
