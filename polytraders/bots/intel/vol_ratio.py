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

    The ratio is emitted when it moved: per token, its first reading past the warm-up, then a
    reading that moved by at least ``ratio_step`` (absolute, either way) from the token's last
    emitted ratio, or reached exactly 0 (:func:`~polytraders.bots.intel.time_to_resolution.emitted`,
    the sequential rule applied exactly). The latest ratio row as of any time is thus within
    ``ratio_step`` of the ratio at the token's latest snapshot — a tolerance of 1 % of a trend
    threshold of about 1 by default, far below the estimate's own noise. The step is absolute
    because between mid changes the ratio decays geometrically (each equal gap without a change
    multiplies σ²_S / σ²_L by 2^(−Δt/S) / 2^(−Δt/L): × 0.54 on the ratio for 2-minute polls with
    the default half-lives), so a relative step would emit nearly every snapshot (2026-08-12: a 1 %
    relative step keeps 4.40 M of 4.46 M readings; 0.01 absolute keeps 1.5 M). ``ratio_step`` = 0
    emits every reading. ``vol_short`` / ``vol_long`` (``include_vols``) have a unit of their own
    and are emitted at every snapshot. All tokens' EWMs run on one time axis, token ``k`` shifted
    by ``k`` × a gap so long that every weight of the token before is exactly 0 (2^(−gap/H)
    underflows): the same values as one EWM per token, without a window per token.

Inputs
    ``data.tops`` (:class:`~polytraders.bots.inputs.MarketData`) — MarketSnapshot frame: reads
    ``condition_id`` / ``token_id`` String, ``ts_ms`` Int64, ``mid`` Decimal(38, 6) nullable (a
    null mid = one-sided snapshot, skipped).

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``), per two-sided snapshot (last of its millisecond) after the token's first:
    ``name`` = "vol_ratio" (``unit`` = "ratio") at the token's first reading and where the ratio
    moved by ``ratio_step`` since its last row or reached 0 (see Method; other snapshots have no
    ratio row); with ``include_vols`` also "vol_short" and "vol_long" at every reading, whether
    the ratio has a row there or not (``unit`` = "probability/sqrt-min", or "log-return/sqrt-min"
    with ``log_returns``), per snapshot in the order ratio, short, long. Sorted by ``token_id``,
    ``ts_ms``. No row while the token has fewer than ``min_returns`` mid changes or none of them
    was non-zero (σ²_L = 0: the ratio is undefined) — INTEL_WARMUP.

Reason codes
    INTEL_WARMUP (documented condition for an absent row; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (a half-life < 1 ms, ``short_half_life_ms`` ≥
    ``long_half_life_ms``, ``min_returns`` < 1, ``ratio_step`` < 0).

Example
    >>> from polytraders_tests.bots.frames import tops
    >>> snaps = tops(("yes", 0, "0.49", "0.51"), ("yes", 60_000, "0.50", "0.52"), ("yes", 120_000, "0.50", "0.52"))
    >>> config = Config(short_half_life_ms=60_000, long_half_life_ms=120_000, min_returns=1)
    >>> [round(v, 6) for v in run(MarketData.of(tops=snaps), config)["value"]]  # 1; sqrt((½·1) / (2^-½·1))
    [1.0, 0.840896]
    >>> [round(v, 6) for v in run(MarketData.of(tops=snaps), config.model_copy(update={"ratio_step": 0.2}))["value"]]
    [1.0]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, signal_frame, signal_readings
from polytraders.bots.intel.time_to_resolution import emitted
from polytraders.bots.token_rows import keyed_rows
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
    ratio_step: float = Field(
        default=0.01, ge=0,
        description="a vol_ratio row when the ratio moved at least this far since the token's last one (0: all), ratio",
    )

    @model_validator(mode="after")
    def _short_below_long(self) -> Config:
        if self.short_half_life_ms >= self.long_half_life_ms:
            raise ValueError("short_half_life_ms must be below long_half_life_ms")
        return self


def last_of_ms() -> pl.Expr:
    """For ``rows`` sorted by ``_tok``, ``ts_ms``: True on the last row of each (token, millisecond)."""
    return pl.col("_tok").ne_missing(pl.col("_tok").shift(-1)) | pl.col("ts_ms").ne_missing(pl.col("ts_ms").shift(-1))


def _ewm(x: pl.Expr, time: pl.Expr, half_life_ms: int, per_token: bool) -> pl.Expr:
    ewm = x.ewm_mean_by(time, half_life=f"{half_life_ms}i")
    return ewm.over("_tok") if per_token else ewm


def token_volatility(mids: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Short and long volatility after every mid change of ``mids``: ``_tok`` (UInt32 token key),
    ``ts_ms`` Int64 and ``_mid`` Int64 micro-units (not null), sorted by ``_tok``, ``ts_ms`` with
    one row per (token, millisecond); any other columns are carried along. Returns those rows
    without each token's first, plus ``n_returns`` Int64 (mid changes so far), ``vol_short``,
    ``vol_long`` and ``vol_ratio`` Float64 (NaN while every change was 0)."""
    new_token = pl.col("_tok").ne_missing(pl.col("_tok").shift(1))
    prev_mid = pl.col("_mid").shift(1)
    change = (pl.col("_mid").log() - prev_mid.log()) if config.log_returns else (pl.col("_mid") - prev_mid) / MICRO
    steps = mids.with_columns(
        change.alias("_r"), (pl.col("ts_ms") - pl.col("ts_ms").shift(1)).alias("_dt"), new_token.alias("_new")
    ).filter(~pl.col("_new"))
    if steps.is_empty():
        per_token, time = True, pl.col("ts_ms")
    else:
        # One time axis for all tokens: token k's times are shifted by k · gap, with the gap so
        # long that every EWM weight of the previous token is 2^(−gap / H) = 0 exactly (below the
        # smallest double after > 1 075 half-lives): each token's first change starts its EWM
        # afresh (y_1 = x_1, bit for bit as .over("_tok")), without a window per token.
        lo, hi, last_tok = steps.select(pl.col("ts_ms").min().alias("lo"), pl.col("ts_ms").max().alias("hi"),
                                           pl.col("_tok").max().cast(pl.Int64).alias("n")).row(0)
        gap = hi - lo + 1 + 1_100 * config.long_half_life_ms
        finite = steps.select(pl.col("_r").is_finite().all()).item()
        per_token = not finite or (last_tok + 1) * gap + abs(lo) + abs(hi) >= 2**62
        time = pl.col("ts_ms") if per_token else pl.col("ts_ms") - lo + pl.col("_tok").cast(pl.Int64) * gap

    def variance(half_life_ms: int) -> pl.Expr:
        return (_ewm(pl.col("_r") ** 2, time, half_life_ms, per_token)
                / _ewm(pl.col("_dt").cast(pl.Float64), time, half_life_ms, per_token))

    position = pl.int_range(pl.len(), dtype=pl.Int64)
    first = pl.when(new_token).then(position).forward_fill()
    return (
        steps.with_columns(variance(config.short_half_life_ms).alias("_vs"),
                           variance(config.long_half_life_ms).alias("_vl"),
                           (position - first + 1).alias("n_returns"))
        .with_columns(
            (pl.col("_vs") * MS_PER_MIN).sqrt().alias("vol_short"),
            (pl.col("_vl") * MS_PER_MIN).sqrt().alias("vol_long"),
            (pl.col("_vs") / pl.col("_vl")).sqrt().alias("vol_ratio"),
        )
        .drop("_r", "_dt", "_new", "_vs", "_vl")
    )


def two_sided_mids(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (``_tok``, ``ts_ms``, ``mid`` Decimal, sorted by ``_tok``, ``ts_ms``; see
    :func:`~polytraders.bots.token_rows.keyed_rows`) with a mid, the last of each
    millisecond, plus ``_mid`` Int64 micro-units."""
    two_sided = rows.filter(pl.col("mid").is_not_null())
    return two_sided.filter(last_of_ms()).with_columns((pl.col("mid") * MICRO).cast(pl.Int64).alias("_mid"))


def volatility(tops: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Short and long volatility and their ratio after every mid change: :data:`VOL_SCHEMA`, one
    row per two-sided snapshot (last of its millisecond) after the token's first, sorted by
    ``token_id``, ``ts_ms``; ``n_returns`` = mid changes so far (warm-up rows included, so a caller
    can apply its own; ``vol_ratio`` is NaN while every change was 0)."""
    rows, tokens = keyed_rows(tops, ["mid"])
    vols = token_volatility(two_sided_mids(rows).select("_tok", "ts_ms", "_mid"), config)
    ids = tokens.select("condition_id", "token_id")[vols["_tok"]]
    return pl.concat([ids, vols.drop("_tok", "_mid")], how="horizontal").select(*VOL_SCHEMA).cast(VOL_SCHEMA)


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Volatility ratio (and optionally both vols) per mid change where the ratio moved; see the module docstring."""
    rows, tokens = keyed_rows(data.tops, ["mid"])
    vols = token_volatility(two_sided_mids(rows).select("_tok", "ts_ms", "_mid"), config).filter(
        (pl.col("n_returns") >= config.min_returns) & (pl.col("vol_long") > 0)
    )
    first = vols.select(pl.col("_tok").ne_missing(pl.col("_tok").shift(1))).to_series().to_numpy()
    moved = pl.Series(emitted(vols["vol_ratio"].to_numpy(), first, config.ratio_step))
    vols = vols.with_columns(pl.when(moved).then(pl.col("vol_ratio")).alias("vol_ratio"))
    if not config.include_vols:
        vols = vols.filter(moved)
    ids = tokens.select("condition_id", "token_id")[vols["_tok"]]
    vols = pl.concat([ids, vols.select("ts_ms", RATIO_NAME, SHORT_NAME, LONG_NAME)], how="horizontal")
    if not config.include_vols:
        return signal_frame(vols, SLUG, RATIO_NAME, RATIO_UNIT, RATIO_NAME).cast(SIGNAL_SCHEMA)
    unit = "log-return/sqrt-min" if config.log_returns else "probability/sqrt-min"
    readings = {RATIO_NAME: RATIO_UNIT, SHORT_NAME: unit, LONG_NAME: unit}  # per snapshot in this order
    return signal_readings(vols, SLUG, readings).cast(SIGNAL_SCHEMA)
