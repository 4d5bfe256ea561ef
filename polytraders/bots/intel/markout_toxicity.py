"""intel.markout_toxicity — EWMA of the adverse mid move 30 s / 60 s after each simulated passive fill.

Method
    Simulated fills: we have no fills in shadow, so each trade print is taken as a fill of *our*
    resting order on its passive side, at the print price and time: a BUY-aggressor print fills a
    resting SELL of ours, a SELL-aggressor print a resting BUY. (An upper bound on what a quote at
    that price would have met: it ignores queue position.)

    Markout of a fill at price ``p``, time ``t`` and horizon ``h``, in ticks, positive = adverse
    (the price moved against the passive side after the fill)::

        passive SELL (BUY print):   m_h = (mid(t + h) − p) / tick
        passive BUY  (SELL print):  m_h = (p − mid(t + h)) / tick

    ``mid(t + h)`` is the mid of the token's last two-sided top (MarketSnapshot) at or before
    ``t + h`` (``join_asof`` backward, exact time included; a one-sided top in between keeps the
    last two-sided mid, as the project's marks do); ``tick`` is that top's tick size. Exact
    integer micro-units up to one final division. The markout / adverse-selection measure of
    e.g. Cartea, Jaimungal & Penalva 2015, "Algorithmic and High-Frequency Trading", ch. 4.

    Per token and horizon, the measurable fills in fill-time order (input order within a
    millisecond) go through an EWMA over fills (not over time)::

        y_0 = m_0,    y_i = (1 − α)·y_{i−1} + α·m_i,    α = 1 − 2^(−1 / half_life_fills)

    (``polars.Expr.ewm_mean(half_life=…, adjust=False)``): a fill's weight halves every
    ``half_life_fills`` later fills. Each fill's EWMA is emitted at ``ts_ms = t + h`` — the first
    moment its markout is known, so a consumer joining signals as of its own time never sees the
    future — and fills of one millisecond give one row, the EWMA after the last of them.
    Units: ticks. Float64; informational (capital impact I), no rounding.

Inputs
    ``data.trades`` (:class:`~polytraders.bots.inputs.MarketData`) — TradePrint frame:
    ``condition_id``, ``token_id`` String, ``ts_ms`` Int64, ``price`` Decimal(38, 6), ``side``
    String = aggressor side "BUY" | "SELL". ``data.tops`` — MarketSnapshot frame: ``token_id``
    String, ``ts_ms`` Int64, ``mid``, ``tick_size`` Decimal(38, 6) (``mid`` null when one-sided).
    Only these columns are read; rows are sorted (stable) by ``token_id``, ``ts_ms`` before use.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64 = fill time + horizon,
    ``name`` = "markout_30s" / "markout_60s" (``markout_<h>s``, or ``markout_<h>ms`` for a horizon
    that is not whole seconds), ``value`` Float64, ``unit`` = "ticks"), one row per (token, fill
    time, horizon) with a measurable fill, sorted by ``token_id``, ``ts_ms``, then horizon. Absent:

    - a fill whose ``t + h`` is after the token's last top (or whose token has no top): the window
      does not show the book ``h`` after it yet (INTEL_MARKOUT_PENDING); it does not enter the
      EWMA of that horizon;
    - a fill with no two-sided top at or before ``t + h``: nothing to mark against
      (INTEL_NO_FILLS); it does not enter the EWMA either.

    A token without prints has no rows (INTEL_NO_FILLS); an empty ``trades`` frame gives an empty
    Signal frame.

Reason codes
    INTEL_NO_FILLS (no simulated fill, or none with a mid to mark against), INTEL_MARKOUT_PENDING
    (fill + horizon past the token's last top). The Signal frame has no code column.

Raises
    pydantic.ValidationError — invalid config (no horizon, a horizon < 1 ms or repeated,
    ``half_life_fills`` ≤ 0).

Example
    >>> from polytraders_tests.bots.frames import tops, trades
    >>> book = tops(("yes", 0, "0.49", "0.51"), ("yes", 20_000, "0.51", "0.53"), ("yes", 70_000, "0.51", "0.53"))
    >>> fill = trades(("yes", 5_000, "0.51", "10", "BUY"))  # our resting SELL at 0.51; mid 0.52 afterwards
    >>> run(MarketData.of(trades=fill, tops=book), Config())["value"].to_list()  # (0.52 − 0.51) / 0.01, both horizons
    [1.0, 1.0]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, field_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, signal_frame
from polytraders.contracts import reason_codes

SLUG = "intel.markout_toxicity"
VERSION = "0.1.0"

SIGNAL_UNIT = "ticks"

INPUTS = ("trades", "tops")

NO_FILLS = reason_codes.require("INTEL_NO_FILLS")
MARKOUT_PENDING = reason_codes.require("INTEL_MARKOUT_PENDING")

#: Micro-units per unit (prices, mids and tick sizes are Decimal(38, 6)).
MICRO = 1_000_000


class Config(BotConfig):
    """Parameters of intel.markout_toxicity."""

    horizons_ms: tuple[int, ...] = Field(
        default=(30_000, 60_000), min_length=1,
        description="markout horizons h after each fill (one reading each, named markout_<h>s), ms",
    )
    half_life_fills: float = Field(
        default=20.0, gt=0, description="half-life of the EWMA over a token's successive fills, fills"
    )

    @field_validator("horizons_ms")
    @classmethod
    def _positive_distinct(cls, horizons: tuple[int, ...]) -> tuple[int, ...]:
        if any(h < 1 for h in horizons):
            raise ValueError(f"every horizon must be >= 1 ms, got {horizons}")
        if len(set(horizons)) != len(horizons):
            raise ValueError(f"horizons must be distinct, got {horizons}")
        return horizons


def reading_name(horizon_ms: int) -> str:
    """``markout_<h>s`` for whole seconds, else ``markout_<h>ms``."""
    return f"markout_{horizon_ms // 1000}s" if horizon_ms % 1000 == 0 else f"markout_{horizon_ms}ms"


def _micro(column: str) -> pl.Expr:
    return (pl.col(column) * MICRO).cast(pl.Int64)


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """EWMA of each horizon's markout over a token's simulated fills; see the module docstring."""
    if data.trades.is_empty():
        return pl.DataFrame(schema=SIGNAL_SCHEMA)
    horizons = pl.DataFrame(
        {"_hi": range(len(config.horizons_ms)), "_h": config.horizons_ms,
         "_name": [reading_name(h) for h in config.horizons_ms]},
        schema={"_hi": pl.Int64, "_h": pl.Int64, "_name": pl.String},
    )
    fills = (
        data.trades.sort(["token_id", "ts_ms"], maintain_order=True)
        .select("condition_id", "token_id", "ts_ms", _micro("price").alias("_p"), "side")
        .with_row_index("_seq")
        .join(horizons, how="cross")
        .with_columns((pl.col("ts_ms") + pl.col("_h")).alias("_at"))
    )
    mids = (
        data.tops.filter(pl.col("mid").is_not_null())
        .select("token_id", pl.col("ts_ms").alias("_at"), _micro("mid").alias("_mid"),
                _micro("tick_size").alias("_tick"))
        .sort("_at", maintain_order=True)
    )
    last_top = data.tops.group_by("token_id").agg(pl.col("ts_ms").max().alias("_last_top"))
    marked = (
        fills.sort("_at", maintain_order=True)
        .join_asof(mids, on="_at", by="token_id", strategy="backward", check_sortedness=False)
        .join(last_top, on="token_id", how="left")
        .filter((pl.col("_at") <= pl.col("_last_top")) & pl.col("_mid").is_not_null())
        .sort(["token_id", "_hi", "_seq"])
    )
    # a BUY print fills our resting SELL: adverse when the mid rises above the price; a SELL print, our BUY
    passive_sell = pl.col("side") == "BUY"
    adverse = pl.when(passive_sell).then(pl.col("_mid") - pl.col("_p")).otherwise(pl.col("_p") - pl.col("_mid"))
    markout = adverse.cast(pl.Float64) / pl.col("_tick").cast(pl.Float64)
    ewma = (
        marked.with_columns(markout.ewm_mean(half_life=config.half_life_fills, adjust=False)
                            .over(["token_id", "_hi"]).alias("_ewma"))
        .unique(subset=["token_id", "_hi", "ts_ms"], keep="last", maintain_order=True)
        .sort(["token_id", "_at", "_hi"])
    )
    return signal_frame(ewma.with_columns(pl.col("_at").alias("ts_ms")), SLUG, pl.col("_name"), SIGNAL_UNIT, "_ewma")
