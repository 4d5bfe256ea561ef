"""intel.negrisk_sum — Σ YES best asks − 1 and Σ YES best bids − 1 across the markets of a neg-risk event.

Method
    A neg-risk event is a group of binary markets of which exactly one resolves YES; its markets
    share ``neg_risk_market_id`` (the latest instrument record of each ``condition_id`` decides
    membership). Each market's YES token is the token whose outcome is "Yes" (case-insensitive),
    else its first token. Holding one YES share of every market pays exactly 1 USDC at
    resolution, so with ``a_m`` / ``b_m`` the best ask / bid of market m's YES token::

        ask_sum_gap = Σ_m a_m − 1        (< 0: buying every YES costs less than the sure 1 USDC —
                                          buy-all-YES arbitrage before fees; ≥ 0: none)
        bid_sum_gap = Σ_m b_m − 1        (> 0: selling every YES brings more than the 1 USDC owed)

    (Polymarket neg-risk design: docs.polymarket.com "Negative Risk Markets" and the NegRiskAdapter
    of the neg-risk CTF adapter, github.com/Polymarket/neg-risk-ctf-adapter — one NO of a market
    converts to one YES of every other market, which is why the YES prices of an event sum to 1.)

    The sums are taken as of every time any member's top changes: the tops of each member are
    reduced to the last one per millisecond; a member's top "changes" when its best bid or best
    ask differs from its previous top (its first top counts); at each such time every member's
    latest top at or before it is used (forward fill). Sums are exact in integer micro-units; the
    ``− 1`` and the conversion to Float64 come last. Informational (capital impact I).

Inputs
    ``data.instruments`` (:class:`~polytraders.bots.inputs.MarketData`) — InstrumentRecord frame:
    reads ``condition_id`` String, ``as_of_ms`` Int64, ``neg_risk_market_id`` String nullable,
    ``tokens`` List(Struct{token_id, outcome: String}).
    ``data.tops`` — MarketSnapshot frame: reads ``condition_id`` / ``token_id`` String, ``ts_ms``
    Int64, ``best_bid`` / ``best_ask`` Decimal(38, 6) nullable. Tops of NO tokens and of markets
    outside any group are ignored.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit`` = "probability"): two rows per (group, change time) — ``name`` =
    "ask_sum_gap" then "bid_sum_gap" — attributed to the YES token whose top changed (several at
    one millisecond: the smallest ``condition_id``, then ``token_id``). Sorted by ``ts_ms``, then
    ``condition_id``. No row while a member has had no top yet, nor for a group of fewer than
    ``min_members`` markets (INTEL_NEGRISK_INCOMPLETE), nor while a member's latest top lacks a
    side (INTEL_EMPTY_SIDE).

Reason codes
    INTEL_NEGRISK_INCOMPLETE, INTEL_EMPTY_SIDE (documented conditions for absent rows; the Signal
    frame has no code column).

Raises
    pydantic.ValidationError — invalid config (``min_members`` < 2).

Example
    >>> from polytraders_tests.bots.frames import instruments, market, tops
    >>> group = instruments(market("m1", neg_risk_group="g1"), market("m2", neg_risk_group="g1"))
    >>> snaps = tops(("yes", 0, "0.38", "0.40"), ("y2", 1_000, "0.57", "0.58"))
    >>> [round(v, 6) for v in run(MarketData.of(instruments=group, tops=snaps), Config())["value"]]
    [-0.02, -0.05]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData, latest_instruments, signal_frame
from polytraders.contracts import reason_codes

SLUG = "intel.negrisk_sum"
VERSION = "0.1.0"

INCOMPLETE = reason_codes.require("INTEL_NEGRISK_INCOMPLETE")
EMPTY_SIDE = reason_codes.require("INTEL_EMPTY_SIDE")

ASK_NAME, BID_NAME, UNIT = "ask_sum_gap", "bid_sum_gap", "probability"
MICRO = 1_000_000

#: Columns of :func:`yes_tokens`.
MEMBER_SCHEMA: dict[str, pl.DataType] = {
    "group": pl.String(), "condition_id": pl.String(), "token_id": pl.String(),
}

INPUTS = ("instruments", "tops")


class Config(BotConfig):
    """Parameters of intel.negrisk_sum."""

    min_members: int = Field(
        default=2, ge=2, description="fewest markets a neg-risk group needs before its sums are read, markets"
    )


def yes_tokens(instruments: pl.DataFrame) -> pl.DataFrame:
    """The YES token of every market in a neg-risk group (latest record per ``condition_id``):
    :data:`MEMBER_SCHEMA` (``group`` = ``neg_risk_market_id``); YES = the first token whose outcome
    is "yes" (any case), else the first token. Sorted by ``group``, ``condition_id``."""
    is_yes = pl.element().struct.field("outcome").str.to_lowercase() == "yes"
    yes_index = pl.col("tokens").list.eval(is_yes).list.arg_max()  # the first True, else 0
    return (
        latest_instruments(instruments)
        .filter(pl.col("neg_risk_market_id").is_not_null())
        .select(pl.col("neg_risk_market_id").alias("group"), "condition_id",
                pl.col("tokens").list.get(yes_index).struct.field("token_id").alias("token_id"))
        .cast(MEMBER_SCHEMA)
        .sort("group", "condition_id")
    )


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Ask- and bid-sum gaps of every neg-risk group as of each member top change; see the module docstring."""
    members = yes_tokens(data.instruments)
    members = members.filter(pl.len().over("group") >= config.min_members)
    member_tops = (
        data.tops.join(members, on=["condition_id", "token_id"], how="inner")
        .select("group", "condition_id", "token_id", "ts_ms",
                (pl.col("best_bid") * MICRO).cast(pl.Int64).alias("_bid"),
                (pl.col("best_ask") * MICRO).cast(pl.Int64).alias("_ask"))
        .sort("token_id", "ts_ms", maintain_order=True)
        .unique(subset=["token_id", "ts_ms"], keep="last", maintain_order=True)
    )
    first = pl.int_range(pl.len()).over("token_id") == 0
    changed = first | pl.any_horizontal(
        pl.col(c).ne_missing(pl.col(c).shift(1).over("token_id")) for c in ("_bid", "_ask")
    )
    triggers = (
        member_tops.filter(changed)
        .select("group", "ts_ms", "condition_id", "token_id")
        .sort("group", "ts_ms", "condition_id", "token_id")
        .unique(subset=["group", "ts_ms"], keep="first", maintain_order=True)
    )
    state = (
        triggers.select("group", "ts_ms")
        .join(members.select("group", pl.col("token_id").alias("_member")), on="group")
        .sort("_member", "ts_ms")
        .join_asof(
            member_tops.select(pl.col("token_id").alias("_member"), "ts_ms", "_bid", "_ask",
                               pl.lit(True).alias("_seen")),
            on="ts_ms", by="_member", strategy="backward", check_sortedness=False,
        )
        .group_by("group", "ts_ms")
        .agg(
            pl.col("_seen").count().alias("_n_seen"),
            pl.len().alias("_n"),
            (pl.col("_bid").is_not_null() & pl.col("_ask").is_not_null()).all().alias("_two_sided"),
            pl.col("_ask").sum().alias("_ask_sum"),
            pl.col("_bid").sum().alias("_bid_sum"),
        )
        .filter((pl.col("_n_seen") == pl.col("_n")) & pl.col("_two_sided"))
    )
    rows = triggers.join(state, on=["group", "ts_ms"], how="inner").sort("ts_ms", "condition_id", "group")
    gap = lambda total: (pl.col(total) - MICRO) / MICRO  # noqa: E731
    readings = [signal_frame(rows, SLUG, ASK_NAME, UNIT, gap("_ask_sum")),
                signal_frame(rows, SLUG, BID_NAME, UNIT, gap("_bid_sum"))]
    both = pl.concat([frame.with_row_index("_row") for frame in readings])
    return both.sort("_row", maintain_order=True).drop("_row").cast(SIGNAL_SCHEMA)
