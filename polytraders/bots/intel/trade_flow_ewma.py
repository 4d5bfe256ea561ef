"""intel.trade_flow_ewma — time-decayed signed aggressor volume of each token, and its z-score.

Method
    Each trade print carries its aggressor side: a BUY print adds ``+size`` (someone lifted the
    ask), a SELL print ``−size``. Prints of one token at the same ``ts_ms`` are netted into one
    signed volume ``v_i`` (no time passes between them, so the order within the millisecond does
    not matter). With ``H`` = ``half_life_ms`` the flow is the exponentially time-decayed sum::

        F_i = v_i + F_{i−1} · 2^(−(t_i − t_{i−1}) / H),        F_0 = v_0

    i.e. ``F(t_i) = Σ_{j≤i} v_j · 2^(−(t_i − t_j) / H)``: a print loses half its weight every
    ``H`` ms, whatever the number of prints in between (decay by time over irregular arrivals;
    Hawkes-style order-flow kernels, e.g. Cartea, Jaimungal & Penalva 2015, "Algorithmic and
    High-Frequency Trading", ch. 4 / 10 on order-flow and its exponential decay).
    This is the **exact recursive form**, not ``polars.Expr.ewm_mean_by``: ``ewm_mean_by`` gives a
    decayed *mean* whose weight on the newest print depends on the gap before it, whereas a
    decayed *sum* keeps the intensity of the flow (ten prints of 10 shares in a second weigh ten
    times one print of 10). The recursion runs once per (token, timestamp) in a NumPy loop (the
    state is truly sequential; a closed-form cumulative sum would overflow ``2^(t/H)`` over a
    day). Units: shares (signed), Float64 from the exact Decimal sizes.

    The z-score compares the latest reading with the token's own recent readings: over the
    trailing time window ``(t_i − W, t_i]`` (``W`` = ``z_window_ms``, longer than ``H``) of flow
    readings ``F_j`` (one per timestamp with prints, the current one included)::

        z_i = (F_i − mean_W(F)) / std_W(F)        (sample standard deviation, ddof = 1)

    computed with ``rolling_mean_by`` / ``rolling_std_by`` on ``ts_ms``. Units: z-score.
    Both readings are informational (capital impact I); no rounding is applied.

Inputs
    ``data.trades`` (:class:`~polytraders.bots.inputs.MarketData`) — TradePrint frame:
    ``condition_id`` String, ``token_id`` String, ``ts_ms`` Int64, ``size`` Decimal(38, 6) (≥ 0),
    ``side`` String = aggressor side "BUY" | "SELL". Only these columns are read. Rows are sorted
    (stable) by ``token_id``, ``ts_ms`` before use.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``), sorted by ``token_id``, ``ts_ms``, then "trade_flow" before
    "trade_flow_z" (:func:`~polytraders.bots.inputs.signal_readings`). For every (token,
    ``ts_ms``) with at least one print:

    - ``name`` = "trade_flow", ``unit`` = "shares": ``F`` after the prints at that time (always
      present);
    - ``name`` = "trade_flow_z", ``unit`` = "z-score": present only when the window holds at least
      ``min_z_samples`` readings and they are not all equal (std > 0); else absent
      (INTEL_WARMUP).

    A token without prints has no rows (INTEL_NO_TRADES); an empty ``trades`` frame gives an
    empty Signal frame.

Reason codes
    INTEL_NO_TRADES (a token without trade prints has no row), INTEL_WARMUP (no z-score row while
    the window is short of ``min_z_samples`` readings or flat). The Signal frame has no code column.

Raises
    pydantic.ValidationError — invalid config (``half_life_ms`` < 1, ``z_window_ms`` ≤
    ``half_life_ms``, ``min_z_samples`` < 2).

Example
    >>> from polytraders_tests.bots.frames import trades
    >>> prints = trades(("yes", 0, "0.50", "10", "BUY"), ("yes", 1_000, "0.49", "4", "SELL"))
    >>> out = run(MarketData.of(trades=prints), Config(half_life_ms=1_000))
    >>> out.filter(pl.col("name") == "trade_flow")["value"].to_list()  # 10, then −4 + 10 · 2^(−1)
    [10.0, 1.0]
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, signal_readings
from polytraders.contracts import reason_codes

SLUG = "intel.trade_flow_ewma"
VERSION = "0.1.0"

FLOW_NAME, FLOW_UNIT = "trade_flow", "shares"
Z_NAME, Z_UNIT = "trade_flow_z", "z-score"

INPUTS = ("trades",)

NO_TRADES = reason_codes.require("INTEL_NO_TRADES")
WARMUP = reason_codes.require("INTEL_WARMUP")


class Config(BotConfig):
    """Parameters of intel.trade_flow_ewma."""

    half_life_ms: int = Field(
        default=60_000, ge=1, description="half-life of the time decay of signed aggressor volume, ms"
    )
    z_window_ms: int = Field(
        default=3_600_000, ge=2,
        description="trailing time window (t − W, t] of flow readings the z-score is taken against, ms",
    )
    min_z_samples: int = Field(
        default=20, ge=2, description="flow readings the z window must hold before a z-score is emitted, readings"
    )

    @model_validator(mode="after")
    def _window_longer_than_half_life(self) -> Config:
        if self.z_window_ms <= self.half_life_ms:
            raise ValueError(f"z_window_ms ({self.z_window_ms}) must exceed half_life_ms ({self.half_life_ms})")
        return self


def _decayed_sum(ts_ms: np.ndarray, volume: np.ndarray, first: np.ndarray, half_life_ms: int) -> np.ndarray:
    """``F_i = v_i + F_{i−1} · 2^(−(t_i − t_{i−1}) / H)``, restarted (``F = v``) where ``first``."""
    gap = np.diff(ts_ms, prepend=ts_ms[:1]).astype(np.float64)
    decay = np.where(first, 0.0, np.exp2(-gap / half_life_ms))
    flow = np.empty_like(volume)
    carry = 0.0
    for i in range(volume.shape[0]):
        carry = volume[i] + decay[i] * carry
        flow[i] = carry
    return flow


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Decayed signed aggressor volume and its z-score per token and print time; see the module docstring."""
    if data.trades.is_empty():
        return pl.DataFrame(schema=SIGNAL_SCHEMA)
    signed = pl.when(pl.col("side") == "BUY").then(pl.col("size")).otherwise(-pl.col("size"))
    net = (
        data.trades.sort(["token_id", "ts_ms"], maintain_order=True)
        .group_by(["token_id", "ts_ms"], maintain_order=True)
        .agg(pl.col("condition_id").first(), signed.sum().cast(pl.Float64).alias("_v"))
    )
    first = (pl.col("token_id") != pl.col("token_id").shift(1)).fill_null(True)
    flow = _decayed_sum(
        net["ts_ms"].to_numpy(), net["_v"].to_numpy(), net.select(first).to_series().to_numpy(), config.half_life_ms
    )
    window = f"{config.z_window_ms}i"
    rolled = net.with_columns(pl.Series("_f", flow, dtype=pl.Float64)).with_columns(
        pl.col("_f").rolling_mean_by("ts_ms", window, min_samples=config.min_z_samples).over("token_id").alias("_m"),
        pl.col("_f").rolling_std_by("ts_ms", window, min_samples=config.min_z_samples).over("token_id").alias("_s"),
    )
    readings = rolled.select(
        "condition_id", "token_id", "ts_ms", pl.col("_f").alias(FLOW_NAME),
        pl.when(pl.col("_s") > 0).then((pl.col("_f") - pl.col("_m")) / pl.col("_s")).alias(Z_NAME),
    )
    return signal_readings(readings, SLUG, {FLOW_NAME: FLOW_UNIT, Z_NAME: Z_UNIT})
