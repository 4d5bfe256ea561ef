"""intel.sibling_lag — an outcome repriced and a sibling had not moved T later: one reading per lagging sibling.

Method
    Siblings of a token are the other token(s) of its own market (the complement) and, when the
    token is the YES token of a market in a neg-risk group, the YES tokens of the group's other
    markets (latest instrument record per ``condition_id``; YES as in
    :func:`polytraders.bots.intel.negrisk_sum.yes_tokens`). They price the same event, so news
    moves them together: a complement mirrors the move (mid ≈ 1 − mid), the other YES prices of a
    neg-risk event must give back what the mover gained (their sum stays near 1).

    A **reprice** of a leader token at ``t0`` is a mid move of at least ``reprice_ticks`` (N)
    ticks between consecutive two-sided snapshots (``d_mid`` and ``tick`` as in
    :func:`polytraders.bots.intel.shock_detector.price_moves`: exact micro-units, the coarser tick
    at a tick-size change). At ``t1 = t0 + lag_ms`` (T):

    * the reprice must have held: the leader's latest mid at or before ``t1`` minus its mid
      before the move (``mid_prev``) has the move's sign and is still ≥ N ticks — else there is
      nothing to lag;
    * each sibling is **lagging** when its latest mid at or before ``t1`` differs from its last
      mid strictly before ``t0`` by less than ``response_ticks`` ticks (its own tick at its latest
      snapshot by ``t1``); a sibling with no two-sided mid before ``t0`` or by ``t1`` is not
      judged.

    The reading is stamped ``t1`` (the first moment the lag is known — no look-ahead) and its
    value is the leader's standing move ``(mid_leader(t1) − mid_prev) / tick`` in the leader's
    ticks, signed (+ = the leader rose; a complement or neg-risk sibling is then expected to
    fall). This is the lead–lag / stale-quote pattern of related instruments (Hasbrouck 1995,
    "One security, many markets", J. Finance 50(4); for prediction markets, the parity of
    complementary and exhaustive outcomes: Polymarket docs, "Negative Risk Markets"); the reading
    is informational (capital impact I). A reprice less than T before the end of the window
    (the last ``ts_ms`` of ``tops``) is not judged yet.

Inputs
    ``data.instruments`` (:class:`~polytraders.bots.inputs.MarketData`) — InstrumentRecord frame:
    reads ``condition_id`` String, ``as_of_ms`` Int64, ``neg_risk_market_id`` String nullable,
    ``tokens`` List(Struct{token_id, outcome: String}).
    ``data.tops`` — MarketSnapshot frame: reads ``condition_id`` / ``token_id`` String, ``ts_ms``
    Int64, ``tick_size`` / ``best_bid`` / ``best_ask`` / ``mid`` Decimal(38, 6) (one-sided
    snapshots have no mid and are skipped).

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id`` = the lagging sibling, ``ts_ms`` =
    ``t0 + lag_ms``, ``name`` = "sibling_lag", ``value`` Float64 = the leader's standing move,
    ``unit`` = "ticks"), sorted by ``token_id``, ``ts_ms``. When several leaders leave one sibling
    lagging at one ``ts_ms``, the largest |move| is kept (ties: the smallest leader token id).

Reason codes
    INTEL_SIBLING_LAG (every row; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (a parameter < 1).

Example
    >>> from polytraders_tests.bots.frames import instruments, market, tops
    >>> snaps = tops(("yes", 0, "0.49", "0.51"), ("no", 0, "0.49", "0.51"),
    ...              ("yes", 1_000, "0.54", "0.56"), ("no", 7_000, "0.49", "0.51"))  # yes +5 ticks, no still
    >>> out = run(MarketData.of(instruments=instruments(market("m1")), tops=snaps), Config(lag_ms=5_000))
    >>> out.select("ts_ms", "value").rows()  # T0 + 1 s + 5 s
    [(1790000006000, 5.0)]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, latest_instruments, signal_frame
from polytraders.bots.intel.negrisk_sum import yes_tokens
from polytraders.bots.intel.shock_detector import price_moves
from polytraders.contracts import reason_codes

SLUG = "intel.sibling_lag"
VERSION = "0.1.0"

LAG = reason_codes.require("INTEL_SIBLING_LAG")

SIGNAL_NAME, SIGNAL_UNIT = "sibling_lag", "ticks"

#: Columns of :func:`sibling_pairs`.
PAIR_SCHEMA: dict[str, pl.DataType] = {
    "leader": pl.String(), "condition_id": pl.String(), "token_id": pl.String(),
}

INPUTS = ("instruments", "tops")


class Config(BotConfig):
    """Parameters of intel.sibling_lag."""

    reprice_ticks: int = Field(
        default=3, ge=1, description="leader mid move between consecutive snapshots that is a reprice (N), ticks"
    )
    lag_ms: int = Field(
        default=5_000, ge=1, description="time after the reprice at which siblings are checked (T), ms"
    )
    response_ticks: int = Field(
        default=1, ge=1, description="sibling mid move since before the reprice that counts as a response, ticks"
    )


def sibling_pairs(instruments: pl.DataFrame) -> pl.DataFrame:
    """Every (``leader`` token, sibling ``condition_id``, sibling ``token_id``): :data:`PAIR_SCHEMA`;
    complements within a market, and YES tokens across a neg-risk group. Sorted, no duplicates."""
    tokens = latest_instruments(instruments).select(
        "condition_id", pl.col("tokens").list.eval(pl.element().struct.field("token_id")).alias("token_id")
    ).explode("token_id")
    complements = (
        tokens.rename({"token_id": "leader"})
        .join(tokens, on="condition_id")
        .filter(pl.col("leader") != pl.col("token_id"))
        .select("leader", "condition_id", "token_id")
    )
    yes = yes_tokens(instruments)
    group = (
        yes.select("group", pl.col("condition_id").alias("_leader_condition"), pl.col("token_id").alias("leader"))
        .join(yes, on="group")
        .filter(pl.col("_leader_condition") != pl.col("condition_id"))
        .select("leader", "condition_id", "token_id")
    )
    return pl.concat([complements, group]).cast(PAIR_SCHEMA).unique().sort("leader", "token_id")


def _mid_at(frame: pl.DataFrame, mids: pl.DataFrame, token: str, at: str, alias: str, *,
            strict: bool = False, tick: str | None = None) -> pl.DataFrame:
    """``frame`` plus ``alias`` = the latest two-sided mid of token column ``token`` at or before
    (``strict``: before) time column ``at`` (and that snapshot's tick as ``tick``)."""
    right = mids.select(pl.col("token_id").alias(token), pl.col("ts_ms").alias(at), pl.col("mid").alias(alias),
                        *([pl.col("tick").alias(tick)] if tick else []))
    return frame.sort(token, at).join_asof(right, on=at, by=token, strategy="backward",
                                           allow_exact_matches=not strict, check_sortedness=False)


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Lag readings of siblings that had not followed a reprice; see the module docstring."""
    moves = price_moves(data.tops)
    mids = moves.filter(pl.col("mid").is_not_null()).select("token_id", "ts_ms", "mid", "tick")
    window_end = data.tops["ts_ms"].max()
    n = config.reprice_ticks
    reprices = moves.filter(pl.col("d_mid").abs() >= n * pl.col("tick")).select(
        pl.col("token_id").alias("leader"), pl.col("ts_ms").alias("_t0"),
        (pl.col("ts_ms") + config.lag_ms).alias("_t1"), (pl.col("mid") - pl.col("d_mid")).alias("_base"),
        pl.col("d_mid").alias("_d"), pl.col("tick").alias("_ltick"),
    ).filter(pl.col("_t1") <= pl.lit(window_end, dtype=pl.Int64))
    standing = pl.col("_lmid") - pl.col("_base")
    held = _mid_at(reprices, mids, "leader", "_t1", "_lmid").filter(
        (standing * pl.col("_d") > 0) & (standing.abs() >= n * pl.col("_ltick"))
    ).with_columns((standing / pl.col("_ltick")).alias("_move"))
    judged = held.join(sibling_pairs(data.instruments), on="leader", how="inner")
    judged = _mid_at(judged, mids, "token_id", "_t0", "_sbase", strict=True)
    judged = _mid_at(judged, mids, "token_id", "_t1", "_seval", tick="_stick")
    lagging = (
        judged.filter((pl.col("_seval") - pl.col("_sbase")).abs() < config.response_ticks * pl.col("_stick"))
        .select("condition_id", "token_id", pl.col("_t1").alias("ts_ms"), "_move", "leader")
        .sort([pl.col("_move").abs(), pl.col("leader")], descending=[True, False])
        .unique(subset=["token_id", "ts_ms"], keep="first")
        .sort("token_id", "ts_ms")
    )
    return signal_frame(lagging, SLUG, SIGNAL_NAME, SIGNAL_UNIT, "_move").cast(SIGNAL_SCHEMA)
