"""disc.quality_filter — admit markets whose book is deep, tight, priced in a band, aged, traded and gap-free.

Method
    W1 = the latest time in the inputs (``as_of_ms`` of instruments, ``ts_ms`` of tops, books
    and trades). For each market (latest instrument record per ``condition_id``), over the
    snapshots of its own tokens, the first criterion it fails decides its code, in this order
    (top-of-book criteria first, so that a day without full books or trade prints still says
    what the tops show):

    1. it has a two-sided top of book (``tops``, any of its tokens) — else DISC_NO_LIVE_BOOK;
    2. age = W1 − first seen ≥ ``min_age_ms``, first seen = the earliest of its first
       ``as_of_ms`` and its first top or book — else DISC_TOO_YOUNG;
    3. median ``spread_ticks`` of its two-sided tops ≤ ``max_spread_ticks`` — else DISC_WIDE_SPREAD;
    4. ``price_lo`` ≤ median YES mid ≤ ``price_hi``, over its two-sided tops, YES mid =
       (bid + ask) / 2 of a top of the YES token (the first of ``tokens``), 1 − that of a top of
       the other token (the tokens share one book) — else DISC_PRICE_OUT_OF_BAND. The median,
       not the last mid: a market near its end is priced near 0 or 1 whatever its quality;
    5. no gap: per token, the largest time between consecutive snapshots (tops and books
       together, i.e. inside the token's active span [first, last snapshot]) ≤ ``max_gap_ms`` —
       else DISC_BOOK_GAP;
    6. depth: per book snapshot, shares resting within ``depth_ticks`` ticks of the touch on each
       side (|price − best| ≤ k · tick; an empty side has 0), the thinner side's; median over its
       snapshots ≥ ``min_depth_shares`` — else DISC_THIN_DEPTH. A market with no book snapshot (top of
       book only: no level sizes) has unknown depth: DISC_DEPTH_UNKNOWN when
       ``require_book_depth``, else the criterion is skipped;
    7. volume = Σ size of its trade prints ≥ ``min_volume_shares`` — else DISC_LOW_VOLUME. The
       captured days carry no trade prints: with the default minimum 0 the criterion passes,
       and any positive minimum excludes every market of such a day.

    Passing markets are candidates with code DISC_QUALITY_PASSED, ``ts_ms`` = W1 (the verdict
    covers the whole window), ``score`` = 1 / median spread in ticks (in (0, 1]; 1 = one-tick
    market), ``rank`` by score descending, ties by ``condition_id``. Prices and sizes are
    compared in exact integer micro-units (10⁻⁶). Tradability (active / closed / accepting) is
    disc.universe_scanner's question, not asked here. Every market of ``instruments`` is in
    exactly one of candidates / excluded.

Inputs
    ``data.instruments`` — InstrumentRecord frame: ``condition_id`` String, ``tokens``
    List(Struct{token_id String, outcome String}), ``as_of_ms`` Int64 (every version is read for
    the first ``as_of_ms``). ``data.tops`` — MarketSnapshot frame: ``condition_id`` /
    ``token_id`` String, ``ts_ms`` Int64, ``best_bid`` / ``best_ask`` Decimal(38, 6) nullable,
    ``spread_ticks`` Int64 nullable. ``data.books`` — OrderBookSnapshot frame: ``condition_id`` /
    ``token_id`` String, ``ts_ms`` Int64, ``tick_size`` Decimal(38, 6), ``bids`` / ``asks``
    List(Struct{price, size: Decimal(38, 6)}) best-first. ``data.trades`` — TradePrint frame:
    ``condition_id`` / ``token_id`` String, ``ts_ms`` Int64, ``size`` Decimal(38, 6) (shares).

Returns
    :class:`~polytraders.bots.inputs.ScanResult` — ``candidates`` (CANDIDATE_SCHEMA; ``score``
    Float64 = 1 / ticks) by rank; ``excluded`` (``condition_id``, ``reason_code``) by
    condition_id. Empty inputs give empty typed frames.

Reason codes
    DISC_QUALITY_PASSED, DISC_NO_LIVE_BOOK, DISC_TOO_YOUNG, DISC_WIDE_SPREAD,
    DISC_PRICE_OUT_OF_BAND, DISC_BOOK_GAP, DISC_THIN_DEPTH, DISC_DEPTH_UNKNOWN, DISC_LOW_VOLUME.

Raises
    pydantic.ValidationError — invalid config (negative bounds, ``price_lo`` ≥ ``price_hi``,
    prices outside [0, 1] or finer than 10⁻⁶).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, ScanResult, latest_instruments, scan_result
from polytraders.bots.token_rows import token_rows
from polytraders.contracts import reason_codes

SLUG = "disc.quality_filter"
VERSION = "0.1.0"

PASSED = reason_codes.require("DISC_QUALITY_PASSED")
NO_LIVE_BOOK = reason_codes.require("DISC_NO_LIVE_BOOK")
TOO_YOUNG = reason_codes.require("DISC_TOO_YOUNG")
WIDE_SPREAD = reason_codes.require("DISC_WIDE_SPREAD")
OUT_OF_BAND = reason_codes.require("DISC_PRICE_OUT_OF_BAND")
BOOK_GAP = reason_codes.require("DISC_BOOK_GAP")
THIN_DEPTH = reason_codes.require("DISC_THIN_DEPTH")
DEPTH_UNKNOWN = reason_codes.require("DISC_DEPTH_UNKNOWN")
LOW_VOLUME = reason_codes.require("DISC_LOW_VOLUME")

INPUTS = ("instruments", "books", "tops", "trades")

MICRO = 1_000_000
_PRICE = {"ge": 0, "le": 1, "decimal_places": 6}


class Config(BotConfig):
    """Parameters of disc.quality_filter."""

    min_age_ms: int = Field(default=900_000, ge=0, description="least time since the market was first seen, ms")
    max_spread_ticks: int = Field(default=5, ge=1, description="largest median spread of the two-sided tops, ticks")
    price_lo: Decimal = Field(default=Decimal("0.05"), **_PRICE, description="lowest YES mid admitted, probability")
    price_hi: Decimal = Field(default=Decimal("0.95"), **_PRICE, description="highest YES mid admitted, probability")
    max_gap_ms: int = Field(
        default=60_000, ge=1, description="largest time between a token's consecutive snapshots, ms"
    )
    depth_ticks: int = Field(
        default=2, ge=0, description="levels within k ticks of each touch count as depth (k), ticks"
    )
    min_depth_shares: Decimal = Field(
        default=Decimal("100"), ge=0, decimal_places=6,
        description="least median depth of the thinner side within depth_ticks of the touch, shares",
    )  # fmt: skip
    require_book_depth: bool = Field(
        default=True,
        description="without book snapshots (top of book only) depth is unknown: True = exclude the market "
        "(DISC_DEPTH_UNKNOWN), False = skip the depth criterion, flag",
    )
    min_volume_shares: Decimal = Field(
        default=Decimal("0"), ge=0, decimal_places=6,
        description="least traded size in the window, shares (0 = off; days without trade prints fail any "
        "positive minimum)",
    )  # fmt: skip

    @model_validator(mode="after")
    def _band_ordered(self) -> Config:
        if self.price_lo >= self.price_hi:
            raise ValueError(f"price_lo {self.price_lo} must be below price_hi {self.price_hi}")
        return self


def _micro(value: Decimal) -> int:
    return int(value * MICRO)


def _depth(books: pl.DataFrame, k: int) -> pl.DataFrame:
    """Per market: median over its book snapshots of the thinner side's size within k ticks of the
    touch (micro); ``books`` has ``market``. An empty side has depth 0."""
    rows = books.select("market", (k * (pl.col("tick_size") * MICRO).cast(pl.Int64)).alias("reach_u"), "bids", "asks")
    rows = rows.with_row_index("row")
    per_snapshot = rows.select("row", "market")
    for side in ("bids", "asks"):
        levels = rows.select(
            "row", "reach_u",
            (pl.col(side).list.first().struct.field("price") * MICRO).cast(pl.Int64).alias("best_u"),
            pl.col(side).alias("level"),
        ).explode("level")  # fmt: skip
        price_u = (pl.col("level").struct.field("price") * MICRO).cast(pl.Int64)
        size_u = (pl.col("level").struct.field("size") * MICRO).cast(pl.Int64)
        near = levels.filter((price_u - pl.col("best_u")).abs() <= pl.col("reach_u"))
        depth = near.group_by("row").agg(size_u.sum().alias(side))
        per_snapshot = per_snapshot.join(depth, on="row", how="left").with_columns(pl.col(side).fill_null(0))
    return per_snapshot.group_by("market").agg(pl.min_horizontal("bids", "asks").median().alias("depth_u"))


def _gaps(stamps: pl.DataFrame) -> pl.DataFrame:
    """Per market: first snapshot time and the largest time between consecutive snapshots of one of
    its tokens; ``stamps`` (``tok``, ``market``, ``ts_ms``) by token, then time."""
    gap = pl.when(pl.col("tok") == pl.col("tok").shift()).then(pl.col("ts_ms").diff()).alias("gap_ms")
    return (
        stamps.with_columns(gap)
        .group_by("market")
        .agg(pl.col("ts_ms").min().alias("first_snapshot_ms"), pl.col("gap_ms").max().alias("max_gap_ms"))
    )


def run(data: MarketData, config: Config) -> ScanResult:
    """Filter markets on quality; see the module docstring."""
    markets = latest_instruments(data.instruments).with_row_index("market")
    keys = ["condition_id", "token_id"]
    tokens = (
        markets.select(
            "market", "condition_id",
            pl.col("tokens").list.eval(pl.element().struct.field("token_id")).alias("token_id"),
            pl.col("tokens").list.eval(pl.int_range(pl.len()) == 0).alias("is_yes"),
        )
        .explode("token_id", "is_yes")
        .with_row_index("tok")
    )  # fmt: skip
    w1 = max([v for v in (data.instruments["as_of_ms"].max(), data.tops["ts_ms"].max(), data.books["ts_ms"].max(),
                          data.trades["ts_ms"].max()) if v is not None], default=0)  # fmt: skip

    # Each listed token's tops, by token then time (no join or sort of the long frame: token_rows).
    two_sided = (pl.col("best_bid").is_not_null() & pl.col("best_ask").is_not_null()).alias("two_sided")
    two_mid_u = ((pl.col("best_bid") + pl.col("best_ask")) * MICRO).cast(pl.Int64).alias("two_mid_u")
    tops = token_rows(data.tops, tokens, [two_sided, "spread_ticks", two_mid_u])
    yes_2mid_u = pl.when(pl.col("is_yes")).then(pl.col("two_mid_u")).otherwise(2 * MICRO - pl.col("two_mid_u"))
    top_stats = (
        tops.filter("two_sided")
        .group_by("market")
        .agg(pl.col("spread_ticks").median(), yes_2mid_u.median().alias("yes_2mid_u"))
        .with_columns(pl.lit(True).alias("live"))
    )
    stamps = tops.select("tok", "market", "ts_ms")
    if data.books.height:
        book_stamps = token_rows(data.books, tokens.select(*keys, "tok", "market"))
        stamps = pl.concat([stamps, book_stamps]).sort("tok", "ts_ms")
    first_as_of = data.instruments.group_by("condition_id").agg(pl.col("as_of_ms").min().alias("first_as_of_ms"))
    listed = tokens.select(*keys, "market")
    books = data.books.select(*keys, "tick_size", "bids", "asks").join(listed, on=keys, how="inner")
    volume = (
        data.trades.select(*keys, "size")
        .join(listed, on=keys, how="inner")
        .group_by("market")
        .agg((pl.col("size") * MICRO).cast(pl.Int64).sum().alias("volume_u"))
    )

    stats = (
        markets.select("market", "condition_id")
        .join(first_as_of, on="condition_id", how="left")
        .join(top_stats, on="market", how="left")
        .join(_gaps(stamps), on="market", how="left")
        .join(_depth(books, config.depth_ticks), on="market", how="left")
        .join(volume, on="market", how="left")
    )
    first_seen = pl.min_horizontal("first_as_of_ms", "first_snapshot_ms")
    no_depth = pl.col("depth_u").is_null()
    judged = stats.select(
        "condition_id",
        pl.when(~pl.col("live").fill_null(False)).then(pl.lit(NO_LIVE_BOOK))
        .when(w1 - first_seen < config.min_age_ms).then(pl.lit(TOO_YOUNG))
        .when(pl.col("spread_ticks") > config.max_spread_ticks).then(pl.lit(WIDE_SPREAD))
        .when(~pl.col("yes_2mid_u").is_between(2 * _micro(config.price_lo), 2 * _micro(config.price_hi)))
        .then(pl.lit(OUT_OF_BAND))
        .when(pl.col("max_gap_ms").fill_null(0) > config.max_gap_ms).then(pl.lit(BOOK_GAP))
        .when(no_depth & config.require_book_depth).then(pl.lit(DEPTH_UNKNOWN))
        .when(~no_depth & (pl.col("depth_u") < _micro(config.min_depth_shares))).then(pl.lit(THIN_DEPTH))
        .when(pl.col("volume_u").fill_null(0) < _micro(config.min_volume_shares)).then(pl.lit(LOW_VOLUME))
        .alias("reason_code"),
        pl.lit(w1, pl.Int64).alias("ts_ms"),
        (1.0 / pl.col("spread_ticks")).alias("score"),
    )  # fmt: skip
    admitted = judged.filter(pl.col("reason_code").is_null()).select("condition_id", "ts_ms", "score")
    return scan_result(SLUG, admitted, PASSED, judged.filter(pl.col("reason_code").is_not_null()))
