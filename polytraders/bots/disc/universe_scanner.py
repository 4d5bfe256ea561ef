"""disc.universe_scanner — admit markets that are open for trading and have a live two-sided book.

Method
    For each market (the latest instrument record per ``condition_id`` by ``as_of_ms``):

    1. it must be ``active``, ``accepting_orders`` and not ``closed`` — else DISC_NOT_ACTIVE;
    2. at least one of its outcome tokens must have at least ``min_two_sided_snapshots`` (k)
       snapshots in ``tops`` with both ``best_bid`` and ``best_ask`` present — else
       DISC_NO_LIVE_BOOK (a token with no snapshot at all has zero two-sided snapshots).

    One token is enough because the outcome tokens of a binary Polymarket market share one
    order book: a bid on YES at p is an ask on NO at 1 − p
    (https://docs.polymarket.com/market-makers/liquidity-rewards, "market complement";
    https://mirror.xyz/polymarket.eth/TOHA3ir5R76bO1vjTrKQclS9k8Dygma53OIzHztJSjk, "unified book"),
    so a feed that polls the YES token only (no NO-side quotes) still shows a live market.

    Admitted markets become candidates:

    * ``ts_ms`` = the first time at which some token had had k two-sided snapshots, i.e. the
      minimum over the tokens with at least k of the token's k-th two-sided snapshot time (ms);
    * ``score`` = two-sided snapshots / all snapshots, over the market's tokens that have
      snapshots and the whole ``tops`` window (fraction in (0, 1]; 1.0 = the book was never
      one-sided). The scan is as of the end of the window, so the score also counts snapshots
      after ``ts_ms``;
    * ``rank`` = 1..n by score descending, ties by ``condition_id`` ascending;
    * ``reason_codes`` = ("DISC_UNIVERSE_ADMITTED",).

    Every market of ``instruments`` lands in exactly one of ``candidates`` / ``excluded``; no
    market is dropped silently. Snapshots of tokens that no instrument lists are ignored.

Inputs
    ``data`` (:class:`~polytraders.bots.inputs.MarketData`): ``data.instruments`` — InstrumentRecord
    frame; reads ``condition_id`` String, ``tokens`` List(Struct{token_id String, outcome String}),
    ``active`` / ``closed`` / ``accepting_orders`` Boolean, ``as_of_ms`` Int64.
    ``data.tops`` — MarketSnapshot frame; reads ``condition_id`` String, ``token_id`` String,
    ``ts_ms`` Int64, ``best_bid`` / ``best_ask`` Decimal(38, 6) nullable.

Returns
    :class:`~polytraders.bots.inputs.ScanResult` — ``candidates``: Candidate frame (``bot``,
    ``condition_id``, ``ts_ms`` Int64, ``rank`` Int64, ``score`` Float64, ``reason_codes`` List(String)) sorted by rank;
    ``excluded``: frame (``condition_id`` String, ``reason_code`` String) sorted by condition_id.

Reason codes
    DISC_UNIVERSE_ADMITTED, DISC_NOT_ACTIVE, DISC_NO_LIVE_BOOK.

Raises
    pydantic.ValidationError — invalid config (``min_two_sided_snapshots`` < 1).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, ScanResult, latest_instruments, scan_result
from polytraders.bots.token_rows import token_rows
from polytraders.contracts import reason_codes

SLUG = "disc.universe_scanner"
VERSION = "0.1.0"

ADMITTED = reason_codes.require("DISC_UNIVERSE_ADMITTED")
NOT_ACTIVE = reason_codes.require("DISC_NOT_ACTIVE")
NO_LIVE_BOOK = reason_codes.require("DISC_NO_LIVE_BOOK")

INPUTS = ("instruments", "tops")


class Config(BotConfig):
    """Parameters of disc.universe_scanner."""

    min_two_sided_snapshots: int = Field(
        default=1,
        ge=1,
        description="snapshots with both best bid and best ask one token needs for its market to count as live (k), "
        "count",
    )


def run(data: MarketData, config: Config) -> ScanResult:
    """Scan the universe; see the module docstring."""
    k = config.min_two_sided_snapshots
    markets = latest_instruments(data.instruments)
    tradable = pl.col("active") & pl.col("accepting_orders") & ~pl.col("closed")
    not_active = markets.filter(~tradable).select("condition_id", pl.lit(NOT_ACTIVE).alias("reason_code"))

    # One row per listed (condition_id, token_id); ``listed`` = how many times the market lists it
    # (a token listed twice counts its snapshots twice, as a join on the listing would).
    tokens = (
        markets.filter(tradable)
        .select(
            "condition_id",
            pl.col("tokens").list.eval(pl.element().struct.field("token_id")).alias("token_id"),
        )
        .explode("token_id")
        .group_by("condition_id", "token_id", maintain_order=True)
        .agg(pl.len().cast(pl.Int64).alias("listed"))
        .with_row_index("tok")
        .with_columns(((k + pl.col("listed") - 1) // pl.col("listed")).alias("need"))  # k-th of the repeated list
    )
    # The listed tokens' tops by token then time (token_rows: no join or sort of the long frame);
    # nth = how many two-sided tops the token has had up to and including this one.
    two_sided = (pl.col("best_bid").is_not_null() & pl.col("best_ask").is_not_null()).cast(pl.Int64).alias("two")
    snaps = token_rows(data.tops, tokens.select("condition_id", "token_id", "tok", "need"), [two_sided])
    seen = pl.col("two").cum_sum()
    nth = seen - pl.when(pl.col("tok").ne_missing(pl.col("tok").shift())).then(seen - pl.col("two")).forward_fill()
    counts = snaps.group_by("tok").agg(pl.col("two").sum().alias("two_sided"), pl.len().alias("snapshots"))
    kth = snaps.filter((pl.col("two") == 1) & (nth == pl.col("need"))).select("tok", kth_ts_ms="ts_ms")
    per_token = (
        tokens.join(counts, on="tok", how="left")
        .join(kth, on="tok", how="left")
        .select(
            "condition_id", "kth_ts_ms",
            (pl.col("listed") * pl.col("two_sided").fill_null(0)).alias("n_two_sided"),
            (pl.col("listed") * pl.col("snapshots").fill_null(0)).alias("n_snapshots"),
        )
    )  # fmt: skip
    per_market = per_token.group_by("condition_id").agg(
        (pl.col("n_two_sided") >= k).any().alias("live"),
        pl.col("kth_ts_ms").filter(pl.col("n_two_sided") >= k).min().alias("ts_ms"),
        (pl.col("n_two_sided").sum() / pl.col("n_snapshots").sum()).alias("score"),
    )
    no_book = per_market.filter(~pl.col("live")).select(
        "condition_id", pl.lit(NO_LIVE_BOOK).alias("reason_code")
    )
    admitted = per_market.filter(pl.col("live")).select("condition_id", "ts_ms", "score")
    return scan_result(SLUG, admitted, ADMITTED, pl.concat([not_active, no_book]))
