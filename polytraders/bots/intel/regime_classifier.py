"""intel.regime_classifier — QUIET / TRENDING / EVENT / REDUCE_ONLY / HALTED per token snapshot.

Method
    At every top-of-book snapshot of a token, five conditions are evaluated from data at or
    before the snapshot's ``ts_ms`` (no look-ahead), and the regime is the **highest** code whose
    condition holds (precedence HALTED > REDUCE_ONLY > EVENT > TRENDING > QUIET)::

        code  label        condition
        4     HALTED       the market's instrument record as of the snapshot is closed, not
                           accepting orders or not active, or a MarketResolution of the market
                           is stamped at or before the snapshot
        3     REDUCE_ONLY  end_ts_ms − ts_ms ≤ reduce_only_ms (the last window before the end
                           date, and after it until the market halts)
        2     EVENT        a shock of the market (any of its tokens) at t_e with
                           0 ≤ ts_ms − t_e < event_cooldown_ms
        1     TRENDING     the token's latest volatility ratio > trend_vol_ratio, or its mid moved
                           by ≥ drift_ticks ticks over the last drift_window_ms
        0     QUIET        none of the above

    The inputs reuse the other intel bots' functions: the record as of the snapshot is
    :func:`polytraders.bots.intel.time_to_resolution.instrument_as_of` (the time to end is
    compared in exact integer ms); shocks are
    :func:`polytraders.bots.intel.shock_detector.shock_events` with ``config.shock`` (jumps on the
    tops and size sweeps on the trades; no books are read, so the depth rule is off); the
    volatility ratio is :func:`polytraders.bots.intel.vol_ratio.volatility` with ``config.vol``,
    its latest reading at or before the snapshot once past the warm-up (``min_returns`` changes,
    a non-zero long volatility); no reading yet = not trending by volatility. The drift is
    ``|mid(t) − mid(t − W)|`` with the token's latest two-sided mids at or before ``t`` and at or
    before ``t − W``, in exact micro-units against ``drift_ticks`` × the snapshot's tick size (no
    mid W ago = no drift). A snapshot without an instrument record as of its time is neither
    HALTED by the record nor REDUCE_ONLY. The ordering of regimes by severity (halt > wind-down >
    event > trend > quiet) follows the regime-switching market-making practice of quoting less,
    then only reducing, as adverse selection and resolution risk rise (Avellaneda & Stoikov
    2008, "High-frequency trading in a limit order book", Quantitative Finance 8(3) — spread
    and inventory risk grow with volatility and shrink with time to the horizon). Informational
    (capital impact I).

Inputs
    ``data.tops`` (:class:`~polytraders.bots.inputs.MarketData`) — MarketSnapshot frame:
    ``condition_id`` / ``token_id`` String, ``ts_ms`` Int64, ``tick_size`` / ``best_bid`` /
    ``best_ask`` / ``mid`` Decimal(38, 6) (bid / ask / mid nullable).
    ``data.trades`` — TradePrint frame (``condition_id`` / ``token_id`` String, ``ts_ms`` Int64,
    ``size`` Decimal(38, 6), ``side`` String); may be empty.
    ``data.instruments`` — InstrumentRecord frame: ``condition_id`` String, ``as_of_ms`` Int64,
    ``active`` / ``closed`` / ``accepting_orders`` Boolean, ``end_ts_ms`` Int64 nullable.
    ``data.resolutions`` — MarketResolution frame: ``condition_id`` String, ``ts_ms`` Int64.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name`` = the label
    ("QUIET" | "TRENDING" | "EVENT" | "REDUCE_ONLY" | "HALTED"), ``value`` Float64 = its code
    0..4 (:data:`LABELS` index), ``unit`` = "regime"): exactly one row per input snapshot, sorted
    stably by ``token_id``, ``ts_ms``.

Reason codes
    INTEL_REGIME_QUIET, INTEL_REGIME_TRENDING, INTEL_REGIME_EVENT, INTEL_REGIME_REDUCE_ONLY,
    INTEL_REGIME_HALTED — one per label (:data:`REGIME_CODES`); the Signal frame has no code
    column, the label is in ``name``.

Raises
    pydantic.ValidationError — invalid config (a window or count < 1, ``reduce_only_ms`` < 0,
    ``trend_vol_ratio`` ≤ 0, or an invalid nested ``vol`` / ``shock`` config).

Example
    >>> from polytraders_tests.bots.frames import instruments, market, tops
    >>> snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 1_000, "0.58", "0.62"))  # +10 ticks: a jump
    >>> data = MarketData.of(tops=snaps, instruments=instruments(market("m1", end_dt=86_400_000)))
    >>> run(data, Config()).select("name", "value").rows()
    [('QUIET', 0.0), ('EVENT', 2.0)]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, signal_frame
from polytraders.bots.intel import shock_detector, vol_ratio
from polytraders.bots.intel.shock_detector import micro
from polytraders.bots.intel.time_to_resolution import instrument_as_of
from polytraders.contracts import reason_codes

SLUG = "intel.regime_classifier"
VERSION = "0.1.0"

#: Regime labels; the index is the ordinal code (the ``value``), higher = takes precedence.
LABELS: tuple[str, ...] = ("QUIET", "TRENDING", "EVENT", "REDUCE_ONLY", "HALTED")
QUIET, TRENDING, EVENT, REDUCE_ONLY, HALTED = range(len(LABELS))
#: Label -> its reason code.
REGIME_CODES: dict[str, str] = {label: reason_codes.require(f"INTEL_REGIME_{label}") for label in LABELS}
UNIT = "regime"

INPUTS = ("tops", "trades", "instruments", "resolutions")


class Config(BotConfig):
    """Parameters of intel.regime_classifier."""

    reduce_only_ms: int = Field(
        default=600_000, ge=0, description="REDUCE_ONLY from this long before the end date on, ms"
    )
    event_cooldown_ms: int = Field(
        default=60_000, ge=1, description="EVENT lasts this long after a shock of the market, ms"
    )
    trend_vol_ratio: float = Field(
        default=1.5, gt=0, description="TRENDING when the short / long volatility ratio is above this, ratio"
    )
    drift_window_ms: int = Field(
        default=60_000, ge=1, description="window over which the mid drift is measured (W), ms"
    )
    drift_ticks: int = Field(
        default=5, ge=1, description="TRENDING when the mid drifted at least this far over the window, ticks"
    )
    vol: vol_ratio.Config = Field(
        default_factory=vol_ratio.Config, description="volatility estimate: intel.vol_ratio's parameters"
    )
    shock: shock_detector.Config = Field(
        default_factory=shock_detector.Config, description="shock rules: intel.shock_detector's parameters"
    )


def _asof(frame: pl.DataFrame, right: pl.DataFrame, by: str, left_on: str, right_on: str) -> pl.DataFrame:
    """Backward as-of join (inclusive) of ``right`` onto ``frame`` within ``by`` groups."""
    return frame.sort(by, left_on).join_asof(
        right.sort(by, right_on), left_on=left_on, right_on=right_on, by=by, strategy="backward",
        check_sortedness=False,
    )


def classify(data: MarketData, config: Config) -> pl.DataFrame:
    """One row per snapshot (sorted stably by ``token_id``, ``ts_ms``): ``condition_id``,
    ``token_id``, ``ts_ms``, the five conditions as Boolean columns ``halted``, ``reduce_only``,
    ``event``, ``trending`` (``quiet`` = none) and ``code`` Int64 (the regime, :data:`LABELS`)."""
    rows = (
        data.tops.sort("token_id", "ts_ms", maintain_order=True)
        .select("condition_id", "token_id", "ts_ms", micro("tick_size").alias("_tick"))
        .with_row_index("_snapshot")
    )
    rows = instrument_as_of(rows, data.instruments, ["active", "closed", "accepting_orders", "end_ts_ms"])
    resolved = data.resolutions.select("condition_id", pl.col("ts_ms").alias("_resolved_ts"))
    rows = _asof(rows, resolved, "condition_id", "ts_ms", "_resolved_ts")
    events = shock_detector.shock_events(data.tops, data.trades, data.books.clear(), config.shock)
    rows = _asof(rows, events.select("condition_id", pl.col("ts_ms").alias("_event_ts")).unique(),
                 "condition_id", "ts_ms", "_event_ts")
    vols = vol_ratio.volatility(data.tops, config.vol).filter(
        (pl.col("n_returns") >= config.vol.min_returns) & (pl.col("vol_long") > 0)
    )
    rows = _asof(rows, vols.select("token_id", pl.col("ts_ms").alias("_vol_ts"), "vol_ratio"),
                 "token_id", "ts_ms", "_vol_ts")
    mids = data.tops.filter(pl.col("mid").is_not_null()).select("token_id", "ts_ms", micro("mid").alias("_mid"))
    rows = _asof(rows, mids.rename({"ts_ms": "_mid_ts"}), "token_id", "ts_ms", "_mid_ts")
    rows = _asof(rows.with_columns((pl.col("ts_ms") - config.drift_window_ms).alias("_past_ts")),
                 mids.rename({"ts_ms": "_past_mid_ts", "_mid": "_past_mid"}), "token_id", "_past_ts", "_past_mid_ts")

    halted = (
        pl.col("_resolved_ts").is_not_null() | pl.col("closed").fill_null(False)
        | ~pl.col("accepting_orders").fill_null(True) | ~pl.col("active").fill_null(True)
    )
    reduce_only = (pl.col("end_ts_ms") - pl.col("ts_ms") <= config.reduce_only_ms).fill_null(False)
    event = (pl.col("ts_ms") - pl.col("_event_ts") < config.event_cooldown_ms).fill_null(False)
    drift = (pl.col("_mid") - pl.col("_past_mid")).abs() >= config.drift_ticks * pl.col("_tick")
    trending = (pl.col("vol_ratio") > config.trend_vol_ratio).fill_null(False) | drift.fill_null(False)
    flags = rows.sort("_snapshot").select(
        "condition_id", "token_id", "ts_ms", halted.alias("halted"), reduce_only.alias("reduce_only"),
        event.alias("event"), trending.alias("trending"),
    )
    code = pl.max_horizontal(
        pl.when(pl.col(name)).then(level).otherwise(QUIET)
        for name, level in (("halted", HALTED), ("reduce_only", REDUCE_ONLY), ("event", EVENT),
                            ("trending", TRENDING))
    )
    return flags.with_columns(code.cast(pl.Int64).alias("code"))


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """The regime of every snapshot; see the module docstring."""
    regimes = classify(data, config)
    label = pl.col("code").replace_strict(dict(enumerate(LABELS)), return_dtype=pl.String)
    return signal_frame(regimes, SLUG, label, UNIT, pl.col("code")).cast(SIGNAL_SCHEMA)
