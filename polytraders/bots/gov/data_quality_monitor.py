"""gov.data_quality_monitor — data-quality findings on admitted books: stale, wide, dust, precision, sequence.

Method
    S1/S2 set aside what cannot be normalised (QuarantineRecords: malformed JSON, crossed books,
    off-tick prices, duplicates, out-of-order books, books after a resolution, ...; the adapter
    files them under this bot's name). This bot looks at the books that *were* admitted and
    reports those outside a data-quality budget as DataQualityFinding rows; the books stay
    admitted (what to do about a finding is a consumer's decision). Per book, in exact integer
    micro-units (value x 10^6, the frames' Decimal(38, 6) scale; never a float):

    - GOV_DQ_STALE_BOOK — ``freshness.age_ms > freshness.budget_ms``: the book reached us later
      after its venue time than its source's freshness budget (the budget the normaliser
      stamped on the book, :class:`~polytraders.adapters.budgets.FreshnessBudgets`).
      observed = age_ms, budget = budget_ms, unit ms.
    - GOV_DQ_WIDE_SPREAD — both sides present and ``ask_u - bid_u > max_spread_ticks x tick_u``
      (best ask - best bid more ticks than the budget). observed = ``(ask_u - bid_u) // tick_u``
      (whole ticks, floor), budget = ``max_spread_ticks``, unit ticks.
    - GOV_DQ_DUST — a thin touch: the best bid size or the best ask size (a side that is present)
      is below the market's ``min_order_size`` (the InstrumentRecord in force at the book's
      ``ts_ms``: the latest with ``as_of_ms <= ts_ms``): less than the smallest order the venue
      accepts rests at the touch. observed = the smaller touch size, budget = min_order_size,
      unit shares.
    - GOV_DQ_PRECISION_MISMATCH — a level's price is not a multiple of the book's tick size
      (``price_u % tick_u != 0``; observed = the first such price, bids then asks, budget =
      tick_size, unit USDC per share), or a level's size has more than ``size_decimals`` places
      (``size_u % 10^(6 - size_decimals) != 0``; observed = the first such size, budget = the size
      step ``10^-size_decimals``, unit shares). Up to two findings per book, price first. (The
      normaliser already sets aside an off-tick price, GOV_DQ_OFF_TICK; the check here holds
      for frames from any source. A value with more than 6 places cannot reach a frame: the
      parsing boundary refuses it.) Size precision: the venue's order sizes have 2 decimals
      (py-clob-client ``ROUNDING_CONFIG``: ``size=2`` for every tick size,
      https://github.com/Polymarket/py-clob-client/blob/main/py_clob_client/order_builder/builder.py).
    - GOV_DQ_SEQUENCE_GAP — per token, in receive order (``freshness.receive_ts_ms``, ties in
      input order), ``delta = ts_ms - newest`` where ``newest`` is the latest venue time of the
      token's earlier books (cumulative max): ``delta < 0`` (the venue time went backwards) or
      ``delta > max_book_gap_ms`` (no book of the token for longer than the budget). observed =
      delta (negative when backwards), budget = 0 (backwards) or max_book_gap_ms, unit ms. The
      venue's market channel has no sequence numbers, so venue time is the sequence. A long gap
      is a finding, not a verdict: a quiet market sends few books (feed liveness, which tells a
      dead feed from a quiet one, is S2's FeedHealth).

    Not checked here: crossed books and off-tick prices are quarantined by the normaliser
    (GOV_DQ_CROSSED_BOOK, GOV_DQ_OFF_TICK), and so are books whose sent hash differs from the
    book-hash rule their day declares (GOV_DQ_HASH_MISMATCH, polytraders.adapters.polymarket.book_hash;
    a day without a known rule, e.g. a live capture, gets no hash check: the venue's rule is not
    reproducible).

Inputs
    ``data.books`` — OrderBookSnapshot frame (``condition_id``, ``token_id`` String, ``ts_ms``
    Int64, ``tick_size`` Decimal(38, 6), ``bids`` / ``asks`` List(Struct{price, size:
    Decimal(38, 6)}) best-first, ``freshness`` Struct{receive_ts_ms, age_ms, budget_ms Int64,
    provenance_hash String, ...}). ``data.instruments`` — InstrumentRecord frame
    (``condition_id``, ``as_of_ms`` Int64, ``min_order_size`` Decimal(38, 6)); only the dust check
    reads it: a book with no record in force at its time gets no dust check.

Returns
    DataQualityFinding frame (``bot`` = "gov.data_quality_monitor", ``condition_id``, ``token_id``
    String, ``ts_ms`` Int64 = the book's venue time, ``reason_code``, ``severity`` (the registry's,
    WARN for all five), ``detail`` String, ``observed`` / ``budget`` Decimal(38, 6) in ``unit``
    ("ms" | "ticks" | "shares" | "USDC per share"), ``provenance_hash`` = the book's
    ``freshness.provenance_hash``), validated against its generated schema. Rows in input book
    order; a book's findings in the order stale, wide spread, dust, precision (price, size),
    sequence. No row for a book within every budget; typed and empty for no books.

Reason codes
    GOV_DQ_STALE_BOOK, GOV_DQ_WIDE_SPREAD, GOV_DQ_DUST, GOV_DQ_PRECISION_MISMATCH,
    GOV_DQ_SEQUENCE_GAP (all WARN).

Raises
    pydantic.ValidationError — invalid config (``max_spread_ticks`` < 1, ``size_decimals``
    outside [0, 6], ``max_book_gap_ms`` < 1).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData
from polytraders.contracts.frames import empty_frame, validate_frame
from polytraders.contracts.reason_codes import REGISTRY, require
from polytraders.contracts.types import DECIMAL_SCALE

SLUG = "gov.data_quality_monitor"
VERSION = "0.1.0"
OUTPUT = "DataQualityFinding"
INPUTS = ("books", "instruments")

STALE = require("GOV_DQ_STALE_BOOK")
WIDE = require("GOV_DQ_WIDE_SPREAD")
DUST = require("GOV_DQ_DUST")
PRECISION = require("GOV_DQ_PRECISION_MISMATCH")
SEQUENCE = require("GOV_DQ_SEQUENCE_GAP")
#: The checks in the order a book's findings are listed.
CODES = (STALE, WIDE, DUST, PRECISION, SEQUENCE)

MICRO = 10**DECIMAL_SCALE
DEC = pl.Decimal(38, DECIMAL_SCALE)


class Config(BotConfig):
    """Parameters of gov.data_quality_monitor (the freshness budget is each book's own)."""

    max_spread_ticks: int = Field(
        default=10, ge=1,
        description="widest best ask - best bid that is not a finding, ticks of the book's tick size. The bundled "
        "day's 35,065 two-sided books are all within 10 ticks (878 wider than 5); the wide-spread scenario's "
        "are >= 21",
    )
    size_decimals: int = Field(
        default=2, ge=0, le=DECIMAL_SCALE,
        description="decimal places a level size may have, places (the venue's order sizes: 2, py-clob-client "
        "ROUNDING_CONFIG size=2)",
    )
    max_book_gap_ms: int = Field(
        default=120_000, ge=1,
        description="longest venue-time gap between consecutive books of a token that is not a finding, ms. Two "
        "minutes, the adapter's feed-liveness budget: the bundled day's longest per-token gap is 78 s",
    )  # fmt: skip


def _micro(expr: pl.Expr) -> pl.Expr:
    """A Decimal(38, 6) value as an Int64 count of 10^-6 units (exact at that scale)."""
    return (expr * MICRO).cast(pl.Int64)


def _from_micro(expr: pl.Expr) -> pl.Expr:
    """An Int64 count of 10^-6 units as Decimal(38, 6)."""
    return (expr.cast(DEC) / MICRO).cast(DEC)


def _plain(expr: pl.Expr) -> pl.Expr:
    """A Decimal as its shortest plain string ("5.000000" -> "5", "0.010000" -> "0.01")."""
    text = expr.cast(pl.String)
    return pl.when(text.str.contains(".", literal=True)).then(text.str.replace(r"\.?0+$", "")).otherwise(text)


def _finding(frame: pl.DataFrame, code: str, observed: pl.Expr, budget: pl.Expr, unit: str,
             detail: pl.Expr) -> pl.DataFrame:
    """Finding rows (plus ``_row``, ``_check``) of the books of ``frame`` (already filtered)."""
    return frame.select(
        "_row",
        pl.lit(CODES.index(code), dtype=pl.Int64).alias("_check"),
        "condition_id", "token_id", "ts_ms",
        pl.lit(code).alias("reason_code"),
        detail.alias("detail"),
        observed.cast(DEC).alias("observed"),
        budget.cast(DEC).alias("budget"),
        pl.lit(unit).alias("unit"),
        pl.col("_hash").alias("provenance_hash"),
    )


def _stale(books: pl.DataFrame) -> pl.DataFrame:
    age, budget = pl.col("freshness").struct.field("age_ms"), pl.col("freshness").struct.field("budget_ms")
    late = books.filter(age > budget)
    return _finding(late, STALE, age, budget, "ms",
                    pl.format("received {} ms after its venue time; freshness budget {} ms", age, budget))


def _touch(books: pl.DataFrame) -> pl.DataFrame:
    """Best bid / ask price and size of each book in micro-units (null for an empty side)."""
    best = lambda side, field: _micro(pl.col(side).list.first().struct.field(field))  # noqa: E731
    return books.with_columns(
        _bid=best("bids", "price"), _ask=best("asks", "price"), _bid_size=best("bids", "size"),
        _ask_size=best("asks", "size"), _tick=_micro(pl.col("tick_size")),
    )


def _wide(books: pl.DataFrame, config: Config) -> pl.DataFrame:
    spread = pl.col("_ask") - pl.col("_bid")
    wide = books.filter(spread > pl.col("_tick") * config.max_spread_ticks)
    ticks = spread // pl.col("_tick")
    return _finding(wide, WIDE, ticks, pl.lit(config.max_spread_ticks), "ticks",
                    pl.format("spread {} ticks (best bid {}, best ask {}, tick {}); budget {} ticks", ticks,
                              _plain(_from_micro(pl.col("_bid"))), _plain(_from_micro(pl.col("_ask"))),
                              _plain(pl.col("tick_size")), pl.lit(config.max_spread_ticks)))


def _dust(books: pl.DataFrame, instruments: pl.DataFrame) -> pl.DataFrame:
    rules = (instruments.select("condition_id", "as_of_ms", _min=_micro(pl.col("min_order_size")))
             .sort("as_of_ms", maintain_order=True))
    ruled = (books.sort("ts_ms", maintain_order=True)
             .join_asof(rules, left_on="ts_ms", right_on="as_of_ms", by="condition_id", strategy="backward",
                        check_sortedness=False)
             .sort("_row"))
    thin_bid = pl.col("_bid_size") < pl.col("_min")
    thin_ask = pl.col("_ask_size") < pl.col("_min")
    thin = ruled.filter(thin_bid.fill_null(False) | thin_ask.fill_null(False))
    side = (pl.when(thin_bid.fill_null(False) & thin_ask.fill_null(False)).then(pl.lit("best bid and best ask"))
            .when(thin_bid.fill_null(False)).then(pl.lit("best bid")).otherwise(pl.lit("best ask")))
    smallest = pl.min_horizontal("_bid_size", "_ask_size")
    return _finding(thin, DUST, _from_micro(smallest), _from_micro(pl.col("_min")), "shares",
                    pl.format("{} size {} below the minimum order size {}", side, _plain(_from_micro(smallest)),
                              _plain(_from_micro(pl.col("_min")))))


def _precision(books: pl.DataFrame, config: Config) -> pl.DataFrame:
    step = 10 ** (DECIMAL_SCALE - config.size_decimals)
    levels = pl.concat([
        books.select("_row", "_tick", _level=side).explode("_level").drop_nulls("_level").select(
            "_row", "_tick", _price=_micro(pl.col("_level").struct.field("price")),
            _size=_micro(pl.col("_level").struct.field("size")),
        )
        for side in ("bids", "asks")
    ])  # each book's bids, then its asks, in level order (rows of one book stay in this order below)
    off_price, off_size = pl.col("_price") % pl.col("_tick") != 0, pl.col("_size") % step != 0
    bad = (
        levels.filter(off_price | off_size)
        .group_by("_row", maintain_order=True)
        .agg(_bad_price=pl.col("_price").filter(off_price).first(), _bad_size=pl.col("_size").filter(off_size).first())
    )
    flagged = books.join(bad, on="_row", how="inner", maintain_order="left")
    size_step = pl.lit(step).cast(pl.Int64)
    price = _finding(
        flagged.filter(pl.col("_bad_price").is_not_null()), PRECISION, _from_micro(pl.col("_bad_price")),
        pl.col("tick_size"), "USDC per share",
        pl.format("price {} is not on the {} tick grid", _plain(_from_micro(pl.col("_bad_price"))),
                  _plain(pl.col("tick_size"))),
    )
    size = _finding(
        flagged.filter(pl.col("_bad_size").is_not_null()), PRECISION, _from_micro(pl.col("_bad_size")),
        _from_micro(size_step), "shares",
        pl.format("size {} has more than {} decimal places", _plain(_from_micro(pl.col("_bad_size"))),
                  pl.lit(config.size_decimals)),
    )
    return pl.concat([price, size])  # a book's price finding before its size finding (stable sort in run)


def _sequence(books: pl.DataFrame, config: Config) -> pl.DataFrame:
    received = pl.col("freshness").struct.field("receive_ts_ms")
    ordered = books.sort([pl.col("token_id"), received, pl.col("_row")])
    newest = pl.col("ts_ms").cum_max().shift(1).over("token_id")
    deltas = ordered.with_columns(_newest=newest).with_columns(_delta=pl.col("ts_ms") - pl.col("_newest"))
    back = pl.col("_delta") < 0
    flagged = deltas.filter(back | (pl.col("_delta") > config.max_book_gap_ms))
    budget = pl.when(back).then(pl.lit(0)).otherwise(pl.lit(config.max_book_gap_ms))
    detail = (pl.when(back)
              .then(pl.format("venue time {} is {} ms before the token's newest book so far ({})", pl.col("ts_ms"),
                              -pl.col("_delta"), pl.col("_newest")))
              .otherwise(pl.format("no book of the token for {} ms of venue time (after {}); budget {} ms",
                                   pl.col("_delta"), pl.col("_newest"), pl.lit(config.max_book_gap_ms))))
    return _finding(flagged, SEQUENCE, pl.col("_delta"), budget, "ms", detail)


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """DataQualityFinding rows of ``data.books``; see the module docstring."""
    books = _touch(data.books.with_row_index("_row").with_columns(
        _hash=pl.col("freshness").struct.field("provenance_hash")))
    found = pl.concat([
        _stale(books), _wide(books, config), _dust(books, data.instruments), _precision(books, config),
        _sequence(books, config),
    ])
    severity = pl.col("reason_code").replace_strict({c: str(REGISTRY[c].severity) for c in CODES})
    out = (found.sort("_row", "_check", maintain_order=True)
           .with_columns(bot=pl.lit(SLUG), severity=severity)
           .select(empty_frame(OUTPUT).columns)
           .cast(dict(empty_frame(OUTPUT).schema)))
    validate_frame(OUTPUT, out)
    return out
