"""disc.negrisk_group_mapper — neg-risk events → outcome groups; admits the markets of exhaustive groups.

Method
    A neg-risk event on Polymarket is a set of binary markets of which exactly one resolves YES;
    its markets share ``neg_risk_market_id`` (Gamma ``negRiskMarketID``), and a NO share of one
    outcome converts into YES shares of all the others
    (https://docs.polymarket.com/advanced/neg-risk). If the group is exhaustive and priced
    consistently, the YES prices sum to 1. In "augmented" neg-risk events an "Other" outcome
    and unnamed placeholder outcomes change meaning as outcomes get named, and the venue says
    to trade only the named outcomes (same page, "Augmented Negative Risk").

    For each market (latest instrument record per ``condition_id``):

    1. ``neg_risk`` false → DISC_NOT_NEG_RISK;
    2. ``neg_risk`` true but no ``neg_risk_market_id`` → DISC_NEGRISK_NO_GROUP.

    The other markets are grouped by ``neg_risk_market_id``; every member of a group gets its
    group's verdict, the first that applies in this order:

    3. the group has one market (the rest of the event is not in the registry) → DISC_NEGRISK_SINGLETON;
    4. a member is not ``active``, not ``accepting_orders`` or ``closed`` → DISC_NEGRISK_MEMBER_INACTIVE;
    5. a member's ``question`` matches ``placeholder_pattern`` (an "Other" / placeholder outcome,
       whose meaning is open until it is named) → DISC_NEGRISK_PLACEHOLDER;
    6. a member has no two-sided top of book in ``tops`` → DISC_NEGRISK_NO_PRICE;
    7. |Σ YES mid − 1| > ``sum_tolerance`` (outcomes missing when below 1, prices inconsistent
       when above) → DISC_NEGRISK_NOT_EXHAUSTIVE;
    8. else every member is a candidate with code DISC_NEGRISK_GROUP.

    YES mid of a member = (best bid + best ask) / 2 of its latest two-sided top among its tokens
    (a tie in time goes to the YES token); the YES token is the first of ``tokens`` (venue
    order), and a top of its other token gives YES mid = 1 − mid (the tokens share one book).
    Computed exactly in integer micro-units on 2·mid = bid + ask.

    Candidates: ``score`` = 1 − |Σ YES mid − 1| (in [1 − tolerance, 1], the same for every
    member of a group; 1 = the YES mids sum to exactly 1); ``ts_ms`` = the latest of the
    members' mid times (when the sum was measured); ``rank`` by score descending, ties by
    ``condition_id``. Every market of ``instruments`` is in exactly one of candidates / excluded.

Inputs
    ``data.instruments`` — InstrumentRecord frame: ``condition_id`` / ``question`` String,
    ``tokens`` List(Struct{token_id String, outcome String}), ``neg_risk`` Boolean,
    ``neg_risk_market_id`` String nullable, ``active`` / ``closed`` / ``accepting_orders`` Boolean,
    ``as_of_ms`` Int64. ``data.tops`` — MarketSnapshot frame: ``condition_id`` / ``token_id``
    String, ``ts_ms`` Int64, ``best_bid`` / ``best_ask`` Decimal(38, 6) nullable (probability).

Returns
    :class:`~polytraders.bots.inputs.ScanResult` — ``candidates`` (CANDIDATE_SCHEMA; ``score``
    Float64 fraction) by rank; ``excluded`` (``condition_id``, ``reason_code``) by condition_id.
    Empty inputs give empty typed frames.

Reason codes
    DISC_NEGRISK_GROUP, DISC_NOT_NEG_RISK, DISC_NEGRISK_NO_GROUP, DISC_NEGRISK_SINGLETON,
    DISC_NEGRISK_MEMBER_INACTIVE, DISC_NEGRISK_PLACEHOLDER, DISC_NEGRISK_NO_PRICE,
    DISC_NEGRISK_NOT_EXHAUSTIVE.

Raises
    pydantic.ValidationError — invalid config (``sum_tolerance`` outside [0, 1] or finer than
    10⁻⁶; ``placeholder_pattern`` not a valid regular expression).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from pydantic import Field, field_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, ScanResult, latest_instruments, scan_result
from polytraders.contracts import reason_codes

SLUG = "disc.negrisk_group_mapper"
VERSION = "0.1.0"

GROUP = reason_codes.require("DISC_NEGRISK_GROUP")
NOT_NEG_RISK = reason_codes.require("DISC_NOT_NEG_RISK")
NO_GROUP = reason_codes.require("DISC_NEGRISK_NO_GROUP")
SINGLETON = reason_codes.require("DISC_NEGRISK_SINGLETON")
MEMBER_INACTIVE = reason_codes.require("DISC_NEGRISK_MEMBER_INACTIVE")
PLACEHOLDER = reason_codes.require("DISC_NEGRISK_PLACEHOLDER")
NO_PRICE = reason_codes.require("DISC_NEGRISK_NO_PRICE")
NOT_EXHAUSTIVE = reason_codes.require("DISC_NEGRISK_NOT_EXHAUSTIVE")

INPUTS = ("instruments", "tops")

MICRO = 1_000_000


class Config(BotConfig):
    """Parameters of disc.negrisk_group_mapper."""

    sum_tolerance: Decimal = Field(
        default=Decimal("0.05"), ge=0, le=1, decimal_places=6,
        description="largest |sum of the group's YES mids - 1| of an exhaustive group, probability",
    )  # fmt: skip
    placeholder_pattern: str = Field(
        default=r"(?i)\b(other|placeholder)\b",
        description="regular expression (Rust regex syntax) on a member's question that marks a placeholder "
        "or 'Other' outcome, text",
    )

    @field_validator("placeholder_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            pl.Series([""]).str.contains(pattern)
        except pl.exceptions.ComputeError as err:
            raise ValueError(f"placeholder_pattern {pattern!r} is not a valid regular expression: {err}") from err
        return pattern


def run(data: MarketData, config: Config) -> ScanResult:
    """Map neg-risk groups; see the module docstring."""
    markets = latest_instruments(data.instruments)
    early = markets.select(
        "condition_id",
        pl.when(~pl.col("neg_risk")).then(pl.lit(NOT_NEG_RISK))
        .when(pl.col("neg_risk_market_id").is_null()).then(pl.lit(NO_GROUP))
        .alias("reason_code"),
    )  # fmt: skip
    members = markets.filter(pl.col("neg_risk") & pl.col("neg_risk_market_id").is_not_null())

    tokens = members.select(
        "condition_id",
        pl.col("tokens").list.eval(pl.element().struct.field("token_id")).alias("token_id"),
        pl.col("tokens").list.eval(pl.int_range(pl.len()) == 0).alias("is_yes"),
    ).explode("token_id", "is_yes")
    two_mid_u = ((pl.col("best_bid") + pl.col("best_ask")) * MICRO).cast(pl.Int64)
    mids = (
        data.tops.filter(pl.col("best_bid").is_not_null() & pl.col("best_ask").is_not_null())
        .select("condition_id", "token_id", "ts_ms", two_mid_u.alias("two_mid_u"))
        .join(tokens, on=["condition_id", "token_id"], how="inner")
        .sort(["condition_id", "ts_ms", "is_yes"], descending=[False, True, True])
        .unique(subset="condition_id", keep="first", maintain_order=True)
        .select(
            "condition_id", "ts_ms",
            pl.when(pl.col("is_yes")).then(pl.col("two_mid_u")).otherwise(2 * MICRO - pl.col("two_mid_u"))
            .alias("yes_two_mid_u"),
        )
    )  # fmt: skip
    tradable = pl.col("active") & pl.col("accepting_orders") & ~pl.col("closed")
    tol2_u = int(config.sum_tolerance * 2 * MICRO)
    gap2_u = (pl.col("yes_two_mid_u").sum().over("neg_risk_market_id") - 2 * MICRO).abs()
    judged = members.join(mids, on="condition_id", how="left").select(
        "condition_id",
        pl.when(pl.len().over("neg_risk_market_id") == 1).then(pl.lit(SINGLETON))
        .when((~tradable).any().over("neg_risk_market_id")).then(pl.lit(MEMBER_INACTIVE))
        .when(pl.col("question").str.contains(config.placeholder_pattern).any().over("neg_risk_market_id"))
        .then(pl.lit(PLACEHOLDER))
        .when(pl.col("ts_ms").is_null().any().over("neg_risk_market_id")).then(pl.lit(NO_PRICE))
        .when(gap2_u > tol2_u).then(pl.lit(NOT_EXHAUSTIVE))
        .alias("reason_code"),
        pl.col("ts_ms").max().over("neg_risk_market_id").alias("ts_ms"),
        ((2 * MICRO - gap2_u) / (2 * MICRO)).alias("score"),
    )  # fmt: skip
    admitted = judged.filter(pl.col("reason_code").is_null()).select("condition_id", "ts_ms", "score")
    excluded = pl.concat([early.filter(pl.col("reason_code").is_not_null()),
                          judged.filter(pl.col("reason_code").is_not_null()).select("condition_id", "reason_code")])
    return scan_result(SLUG, admitted, GROUP, excluded)
