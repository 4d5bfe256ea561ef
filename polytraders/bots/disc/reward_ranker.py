"""disc.reward_ranker — rank rewarded markets by how well the current touch scores for liquidity rewards.

Method
    Polymarket pays daily liquidity rewards to resting orders within ``v`` = max spread (cents)
    of the midpoint and at least the market's min size; an order ``s`` cents from the mid scores
    S(v, s) = ((v − s) / v)² per share, and a market whose mid is below 0.10 or above 0.90 pays
    only two-sided quotes (min of the two sides), where inside [0.10, 0.90] a single side still
    scores 1/c, c = 3 (https://docs.polymarket.com/market-makers/liquidity-rewards, "Order
    Scoring Function", "Market Side Scores"). This bot scores each market by what an order
    joining the current touch would earn per share, discounted by how extreme the price is:

        fit        = ((v − d) / v)²           d = (best ask − best bid) / 2, cents: the touch's
                                              distance from the mid (the venue's S(v, d))
        centrality = 1 − 2·|mid − 0.5|        in (0, 1]; 1 at mid 0.5
        score      = fit · centrality · (extreme_band_factor if mid < 0.10 or mid > 0.90 else 1)

    ``mid`` = (best bid + best ask) / 2 of the market's latest two-sided top of book (any of its
    tokens: the outcome tokens share one book, so spread and |mid − 0.5| are the same for YES
    and NO; a tie in time goes to the smaller ``token_id``). Prices are turned into integer
    micro-units (10⁻⁶) and the score is an exact ratio of integers evaluated once as Float64:
    fit = (2v − Δ)² / (2v)², centrality = (10⁶ − |bid + ask − 10⁶|) / 10⁶, with Δ = ask − bid
    and v in micro-units (1 cent = 10 000). The venue's "size-cutoff-adjusted" mid needs level
    sizes, which top of book lacks: the plain mid stands in. The min size is not scored (it
    caps no capital here); the daily reward pool is not in the registry, so the score ranks the
    quality of the band, not the pool's size.

    For each market (latest instrument record per ``condition_id``), in this order:

    1. not ``active``, not ``accepting_orders`` or ``closed`` → DISC_NOT_ACTIVE;
    2. no ``rewards``, or a max spread of 0 cents → DISC_NO_REWARDS;
    3. no two-sided snapshot of any of its tokens in ``tops`` → DISC_NO_LIVE_BOOK;
    4. d ≥ v (the touch is outside the reward band, S = 0) → DISC_REWARD_SPREAD_WIDE;
    5. else a candidate: ``ts_ms`` = time of that latest two-sided top, ``score`` as above,
       ``rank`` 1..n by score descending (ties by ``condition_id``), code DISC_REWARD_RANKED.

Inputs
    ``data.instruments`` — InstrumentRecord frame: ``condition_id`` String, ``tokens``
    List(Struct{token_id String, outcome String}), ``active`` / ``closed`` / ``accepting_orders``
    Boolean, ``rewards`` Struct{min_size, max_spread_cents: Decimal(38, 6)} nullable, ``as_of_ms`` Int64.
    ``data.tops`` — MarketSnapshot frame: ``condition_id`` / ``token_id`` String, ``ts_ms`` Int64,
    ``best_bid`` / ``best_ask`` Decimal(38, 6) nullable (probability).

Returns
    :class:`~polytraders.bots.inputs.ScanResult` — ``candidates`` (CANDIDATE_SCHEMA; ``score``
    Float64 in (0, 1], per share relative to an order at the mid of a mid-0.5 market) by rank;
    ``excluded`` (``condition_id``, ``reason_code``) by condition_id. Every market of
    ``instruments`` is in exactly one of them; empty inputs give empty typed frames.

Reason codes
    DISC_REWARD_RANKED, DISC_NOT_ACTIVE, DISC_NO_REWARDS, DISC_NO_LIVE_BOOK, DISC_REWARD_SPREAD_WIDE.

Raises
    pydantic.ValidationError — invalid config (``extreme_band_factor`` outside [0, 1]).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, ScanResult, latest_instruments, scan_result
from polytraders.contracts import reason_codes

SLUG = "disc.reward_ranker"
VERSION = "0.1.0"

RANKED = reason_codes.require("DISC_REWARD_RANKED")
NOT_ACTIVE = reason_codes.require("DISC_NOT_ACTIVE")
NO_REWARDS = reason_codes.require("DISC_NO_REWARDS")
NO_LIVE_BOOK = reason_codes.require("DISC_NO_LIVE_BOOK")
SPREAD_WIDE = reason_codes.require("DISC_REWARD_SPREAD_WIDE")

INPUTS = ("instruments", "tops")

MICRO = 1_000_000
#: micro-units per cent.
CENT_U = 10_000
#: The venue's two-sided-only band: mid < 0.10 or mid > 0.90, as bid + ask in micro-units (= 2 · mid).
EXTREME_LO_2MID_U = 200_000
EXTREME_HI_2MID_U = 1_800_000


class Config(BotConfig):
    """Parameters of disc.reward_ranker."""

    extreme_band_factor: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="score multiplier when the mid is below 0.10 or above 0.90, where only two-sided quotes "
        "earn rewards (both legs' capital for one score), fraction",
    )


def run(data: MarketData, config: Config) -> ScanResult:
    """Rank rewarded markets; see the module docstring."""
    markets = latest_instruments(data.instruments)
    tradable = pl.col("active") & pl.col("accepting_orders") & ~pl.col("closed")
    v_u = (pl.col("rewards").struct.field("max_spread_cents") * CENT_U).cast(pl.Int64)
    code = (
        pl.when(~tradable).then(pl.lit(NOT_ACTIVE))
        .when(pl.col("rewards").is_null() | (v_u.fill_null(0) <= 0)).then(pl.lit(NO_REWARDS))
    )  # fmt: skip
    screened = markets.select("condition_id", "tokens", code.alias("reason_code"), v_u.alias("v_u"))
    early = screened.filter(pl.col("reason_code").is_not_null())

    tokens = (
        screened.filter(pl.col("reason_code").is_null())
        .select("condition_id", "v_u", pl.col("tokens").list.eval(pl.element().struct.field("token_id")))
        .rename({"tokens": "token_id"})
        .explode("token_id")
    )
    latest = (
        data.tops.filter(pl.col("best_bid").is_not_null() & pl.col("best_ask").is_not_null())
        .select(
            "condition_id", "token_id", "ts_ms",
            (pl.col("best_bid") * MICRO).cast(pl.Int64).alias("bid_u"),
            (pl.col("best_ask") * MICRO).cast(pl.Int64).alias("ask_u"),
        )
        .join(tokens, on=["condition_id", "token_id"], how="inner")
        .sort(["condition_id", "ts_ms", "token_id"], descending=[False, True, False])
        .unique(subset="condition_id", keep="first", maintain_order=True)
    )  # fmt: skip
    priced = tokens.select("condition_id").unique().join(latest, on="condition_id", how="left")
    spread_u = pl.col("ask_u") - pl.col("bid_u")
    two_mid_u = pl.col("ask_u") + pl.col("bid_u")
    band_u = 2 * pl.col("v_u")
    fit = (band_u - spread_u).cast(pl.Float64).pow(2) / band_u.cast(pl.Float64).pow(2)
    centrality = (MICRO - (two_mid_u - MICRO).abs()).cast(pl.Float64) / MICRO
    extreme = (two_mid_u < EXTREME_LO_2MID_U) | (two_mid_u > EXTREME_HI_2MID_U)
    scored = priced.with_columns(
        pl.when(pl.col("ts_ms").is_null()).then(pl.lit(NO_LIVE_BOOK))
        .when(spread_u >= band_u).then(pl.lit(SPREAD_WIDE))
        .alias("reason_code"),
        (fit * centrality * pl.when(extreme).then(config.extreme_band_factor).otherwise(1.0)).alias("score"),
    )  # fmt: skip
    admitted = scored.filter(pl.col("reason_code").is_null()).select("condition_id", "ts_ms", "score")
    excluded = pl.concat([early.select("condition_id", "reason_code"),
                          scored.filter(pl.col("reason_code").is_not_null()).select("condition_id", "reason_code")])
    return scan_result(SLUG, admitted, RANKED, excluded)
