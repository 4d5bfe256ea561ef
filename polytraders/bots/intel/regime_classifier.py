"""intel.regime_classifier — QUIET / TRENDING / EVENT / REDUCE_ONLY / HALTED per token, emitted when it changes.

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
    compared in exact integer ms); shocks are intel.shock_detector's with ``config.shock``: its
    jump rule on the tops (evaluated here over the sorted snapshots; the same rows as
    :func:`polytraders.bots.intel.shock_detector.jumps`) and its size sweeps on the trades
    (:func:`~polytraders.bots.intel.shock_detector.sweeps`; no books are read, so the depth rule
    is off); the volatility ratio is intel.vol_ratio's
    (:func:`polytraders.bots.intel.vol_ratio.token_volatility` with ``config.vol``), its latest
    reading at or before the snapshot once past the warm-up (``min_returns`` changes, a non-zero
    long volatility); no reading yet = not trending by volatility. The drift is
    ``|mid(t) − mid(t − W)|`` with the token's latest two-sided mids at or before ``t`` and at or
    before ``t − W``, in exact micro-units against ``drift_ticks`` × the snapshot's tick size (no
    mid W ago = no drift). A snapshot without an instrument record as of its time is neither
    HALTED by the record nor REDUCE_ONLY. The ordering of regimes by severity (halt > wind-down >
    event > trend > quiet) follows the regime-switching market-making practice of quoting less,
    then only reducing, as adverse selection and resolution risk rise (Avellaneda & Stoikov
    2008, "High-frequency trading in a limit order book", Quantitative Finance 8(3) — spread
    and inventory risk grow with volatility and shrink with time to the horizon). Informational
    (capital impact I).

    A regime is a state, so the bot emits the regime of a token's first snapshot and then only
    the snapshots where it differs from the token's previous snapshot's (the transitions). The
    latest row at or before any time (an as-of join on ``token_id``, ``ts_ms``) is the regime of
    the token's latest snapshot at or before that time, exactly as if every snapshot had a row;
    :func:`classify` keeps the conditions of every snapshot. The work is one pass over the tops
    sorted by token and time on an integer token key (no sort when the tops come sorted, as the
    runtime hands them), each input joined as of the snapshot once.

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
    0..4 (:data:`LABELS` index), ``unit`` = "regime"): one row for each token's first snapshot,
    then one for each snapshot whose regime differs from the token's previous snapshot's
    (snapshots of one millisecond in input order); sorted stably by ``token_id``, ``ts_ms``. The
    other snapshots have no row: their regime is the latest row's before them.

Reason codes
    INTEL_REGIME_QUIET, INTEL_REGIME_TRENDING, INTEL_REGIME_EVENT, INTEL_REGIME_REDUCE_ONLY,
    INTEL_REGIME_HALTED — one per label (:data:`REGIME_CODES`); the Signal frame has no code
    column, the label is in ``name``.

Raises
    pydantic.ValidationError — invalid config (a window or count < 1, ``reduce_only_ms`` < 0,
    ``trend_vol_ratio`` ≤ 0, or an invalid nested ``vol`` / ``shock`` config).

Example
    >>> from polytraders_tests.bots.frames import instruments, market, tops
    >>> snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 500, "0.48", "0.52"),
    ...              ("yes", 1_000, "0.58", "0.62"), ("yes", 2_000, "0.58", "0.62"))  # +10 ticks at 1 s: a jump
    >>> data = MarketData.of(tops=snaps, instruments=instruments(market("m1", end_dt=86_400_000)))
    >>> run(data, Config()).select("ts_ms", "name", "value").rows()  # QUIET, QUIET, EVENT, EVENT
    [(1790000000000, 'QUIET', 0.0), (1790000001000, 'EVENT', 2.0)]
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, drop_repeats, signal_frame
from polytraders.bots.intel import shock_detector, vol_ratio
from polytraders.bots.intel.shock_detector import micro
from polytraders.bots.intel.time_to_resolution import instrument_records
from polytraders.bots.token_rows import keyed_rows
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


def _asof(keys: pl.DataFrame, right: pl.DataFrame, left_on: str, right_on: str,
          keep_time: bool = False) -> pl.LazyFrame:
    """The columns of ``right`` (sorted by ``_tok``, ``right_on``) but ``_tok`` (and ``right_on``
    unless ``keep_time``) as of each row of ``keys`` (sorted by ``_tok``, ``left_on``): a
    backward, inclusive as-of join within tokens, one row per row of ``keys`` in its order. Lazy,
    so that the joins run side by side."""
    return (
        keys.lazy().select("_tok", left_on)
        .join_asof(right.lazy(), left_on=left_on, right_on=right_on, by="_tok", strategy="backward",
                   check_sortedness=False)
        .drop("_tok", left_on, *([] if keep_time else [right_on]))
    )


def _per_token(tokens: pl.DataFrame, per_condition: pl.DataFrame, time: str) -> pl.DataFrame:
    """``per_condition`` (``condition_id``, ``time``) spread over the tokens of each market:
    ``_tok``, ``time``, sorted by both."""
    return per_condition.join(tokens.select("_tok", "condition_id"), on="condition_id").select("_tok", time).sort(
        "_tok", time
    )


def _jumps(config: shock_detector.Config) -> pl.Expr:
    """True on a snapshot that jumps by :func:`polytraders.bots.intel.shock_detector.jumps`' rule,
    for a frame sorted by ``_tok``, ``ts_ms`` with micro-unit Int64 ``_tick``, ``_mid``, ``_bid``,
    ``_ask``: the value minus the token's last non-null value before the row (as
    :func:`~polytraders.bots.intel.shock_detector.price_moves`) against ``jump_ticks`` × the larger
    tick of the row and the one before. The same rows as ``jumps`` (a test holds them equal), on
    shifts over the whole sorted frame instead of windows per token."""
    same_token = pl.col("_tok") == pl.col("_tok").shift(1)

    def change(column: str) -> pl.Expr:
        present = pl.col(column).is_not_null()
        last = pl.col(column).shift(1).forward_fill()
        last_token = pl.when(present).then(pl.col("_tok")).shift(1).forward_fill()
        return pl.when(last_token == pl.col("_tok")).then(pl.col(column) - last)

    tick = pl.when(same_token).then(pl.max_horizontal("_tick", pl.col("_tick").shift(1))).otherwise("_tick")
    columns = ("_mid", "_bid", "_ask") if config.jump_on_touch else ("_mid",)
    size = pl.max_horizontal(*(change(c).abs() for c in columns))
    return (size >= config.jump_ticks * tick).fill_null(False)


def _mids_with_ratio(rows: pl.DataFrame, config: vol_ratio.Config) -> pl.DataFrame:
    """The two-sided mids of ``rows`` (the last of each ms): ``_tok``, ``_mid_ts``, ``_mid`` and
    ``vol_ratio``, the token's latest ratio past the warm-up at or before the row (the ratio is
    computed on these rows; its latest valid value is carried forward within the token)."""
    mids = rows.select("_tok", "ts_ms", "_mid").filter(pl.col("_mid").is_not_null())
    mids = mids.filter(vol_ratio.last_of_ms()).with_row_index("_i")
    vols = vol_ratio.token_volatility(mids, config).filter(
        (pl.col("n_returns") >= config.min_returns) & (pl.col("vol_long") > 0)
    )
    ratio = pl.repeat(None, mids.height, dtype=pl.Float64, eager=True).alias("vol_ratio")
    mids = mids.with_columns(ratio.scatter(vols["_i"], vols["vol_ratio"]))
    carried = pl.when(pl.col("vol_ratio").is_not_null()).then(pl.col("_tok")).forward_fill() == pl.col("_tok")
    return mids.select("_tok", pl.col("ts_ms").alias("_mid_ts"), "_mid",
                       pl.when(carried).then(pl.col("vol_ratio").forward_fill()).alias("vol_ratio"))


def classify(data: MarketData, config: Config) -> pl.DataFrame:
    """One row per snapshot (sorted stably by ``token_id``, ``ts_ms``): ``condition_id``,
    ``token_id``, ``ts_ms``, the five conditions as Boolean columns ``halted``, ``reduce_only``,
    ``event``, ``trending`` (``quiet`` = none) and ``code`` Int64 (the regime, :data:`LABELS`)."""
    flags = _flags(data, config)
    ids = flags.tokens.select("condition_id", "token_id")[flags.rows["_tok"]]
    return pl.concat([ids, flags.rows.drop("_tok")], how="horizontal")


@dataclass(frozen=True, slots=True)
class _Flags:
    rows: pl.DataFrame  # _tok, ts_ms, halted, reduce_only, event, trending, code; by token, time
    tokens: pl.DataFrame  # _tok, condition_id, token_id


def _flags(data: MarketData, config: Config) -> _Flags:
    """The conditions and the regime of every snapshot on the integer token key (see
    :func:`~polytraders.bots.token_rows.keyed_rows`): one sort (or none when the
    tops are in order), each input joined once, as of the snapshot, on ``_tok`` (the joins side
    by side: polars runs them on both cores)."""
    touch = ["best_bid", "best_ask"] if config.shock.jump_on_touch else []
    rows, tokens = keyed_rows(data.tops, ["tick_size", "mid", *touch])
    rows = rows.with_columns(micro("tick_size").alias("_tick"), micro("mid").alias("_mid"),
                             *(micro(c).alias(f"_{c[5:]}") for c in touch)).drop("tick_size", "mid", *touch)
    records = instrument_records(tokens, data.instruments, ["active", "closed", "accepting_orders", "end_ts_ms"])

    # resolved: the market's first resolution at or before the snapshot
    first_resolution = data.resolutions.group_by("condition_id").agg(pl.col("ts_ms").min().alias("_resolved_ts"))
    resolved_ts = tokens.join(first_resolution, on="condition_id", how="left", maintain_order="left")["_resolved_ts"]
    rows = rows.with_columns(resolved_ts.gather(rows["_tok"]).alias("_resolved_ts"))

    # shocks of the market (any of its tokens): shock_detector's jump rule on the tops (_jumps)
    # and its sweeps on the trades
    jumped = rows.filter(_jumps(config.shock)).select("_tok", "ts_ms").join(tokens, on="_tok")
    swept = shock_detector.sweeps(data.trades, data.books.clear(), config.shock)
    events = pl.concat([jumped.select("condition_id", "ts_ms"), swept.select("condition_id", "ts_ms")]).unique()

    mids = _mids_with_ratio(rows, config.vol)

    # each input as of the snapshot (and the mid as of W before it), the joins side by side
    keys = rows.select("_tok", "ts_ms", (pl.col("ts_ms") - config.drift_window_ms).alias("_past_ts"))
    past = mids.select("_tok", pl.col("_mid_ts").alias("_past_mid_ts"), pl.col("_mid").alias("_past_mid"))
    joined = pl.collect_all([
        _asof(keys, records, "ts_ms", "as_of_ms"),
        _asof(keys, _per_token(tokens, events.rename({"ts_ms": "_event_ts"}), "_event_ts"), "ts_ms", "_event_ts",
              keep_time=True),
        _asof(keys, mids, "ts_ms", "_mid_ts"),
        _asof(keys, past, "_past_ts", "_past_mid_ts"),
    ])
    rows = pl.concat([rows.drop("_mid"), *joined], how="horizontal")

    halted = (
        (pl.col("ts_ms") >= pl.col("_resolved_ts")).fill_null(False) | pl.col("closed").fill_null(False)
        | ~pl.col("accepting_orders").fill_null(True) | ~pl.col("active").fill_null(True)
    )
    reduce_only = (pl.col("end_ts_ms") - pl.col("ts_ms") <= config.reduce_only_ms).fill_null(False)
    event = (pl.col("ts_ms") - pl.col("_event_ts") < config.event_cooldown_ms).fill_null(False)
    drift = (pl.col("_mid") - pl.col("_past_mid")).abs() >= config.drift_ticks * pl.col("_tick")
    trending = (pl.col("vol_ratio") > config.trend_vol_ratio).fill_null(False) | drift.fill_null(False)
    flags = rows.select(
        "_tok", "ts_ms", halted.alias("halted"), reduce_only.alias("reduce_only"), event.alias("event"),
        trending.alias("trending"),
    )
    # the highest code whose condition holds
    code = (
        pl.when("halted").then(HALTED).when("reduce_only").then(REDUCE_ONLY).when("event").then(EVENT)
        .when("trending").then(TRENDING).otherwise(QUIET)
    )
    return _Flags(flags.with_columns(code.cast(pl.Int64).alias("code")), tokens)


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """The regime of each token's first snapshot and of every snapshot where it changes; see the module docstring."""
    flags = _flags(data, config)
    emitted = flags.rows.with_columns(drop_repeats(["code"], key="_tok")).filter(pl.col("code").is_not_null())
    ids = flags.tokens.select("condition_id", "token_id")[emitted["_tok"]]
    regimes = pl.concat([ids, emitted.select("ts_ms", "code")], how="horizontal")
    label = pl.col("code").replace_strict(dict(enumerate(LABELS)), return_dtype=pl.String)
    return signal_frame(regimes, SLUG, label, UNIT, pl.col("code")).cast(SIGNAL_SCHEMA)
