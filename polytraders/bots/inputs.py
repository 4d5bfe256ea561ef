"""What intel and disc bots read: normalised frames only, and the frames they emit.

Every intel bot (S4) and disc bot (S1–S2) is a module with ``SLUG``, ``VERSION``, a ``Config``
(:class:`~polytraders.bots.base.BotConfig`), ``INPUTS`` (the :class:`MarketData` fields it reads)
and ``run(data: MarketData, config) -> frame``: an intel bot returns a Signal frame
(:data:`SIGNAL_SCHEMA`, built with :func:`signal_frame`), a disc bot a :class:`ScanResult`
(built with :func:`scan_result`). The runtime loads only the frames a bot names in ``INPUTS``; the
others are empty frames of the right schema. No bot ever sees a raw venue payload.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl

from polytraders.contracts.frames import empty_frame

#: MarketData field -> the wire object whose frame form it holds.
WIRE_OBJECTS: dict[str, str] = {
    "instruments": "InstrumentRecord",
    "books": "OrderBookSnapshot",
    "tops": "MarketSnapshot",
    "trades": "TradePrint",
    "resolutions": "MarketResolution",
}


@dataclass(frozen=True, slots=True, eq=False)
class MarketData:
    """The normalised market data of one window (a fixture day), each in its wire object's frame form.

    Attributes:
        instruments: InstrumentRecord frame (S1 registry; ``as_of_ms`` Int64 says when each
            record became true; several records per ``condition_id`` are versions).
        books: OrderBookSnapshot frame (S3 book state: ``condition_id``, ``token_id`` String,
            ``ts_ms`` Int64, ``tick_size`` Decimal(38, 6), ``bids`` / ``asks``
            List(Struct{price, size: Decimal(38, 6)}) best-first, ``freshness`` Struct).
        tops: MarketSnapshot frame (top of book: ``best_bid`` / ``best_ask`` / ``mid``
            Decimal(38, 6) nullable, ``spread_ticks`` Int64 nullable, ``tick_size``, ``freshness``).
        trades: TradePrint frame (``price`` / ``size`` Decimal(38, 6), ``side`` = aggressor side
            "BUY" | "SELL", ``ts_ms`` Int64).
        resolutions: MarketResolution frame (``winning_token_id``, ``token_ids``, ``ts_ms``).

    Rows are in receive order per token (the runtime sorts by ``token_id``, ``ts_ms`` stable).
    """

    instruments: pl.DataFrame
    books: pl.DataFrame
    tops: pl.DataFrame
    trades: pl.DataFrame
    resolutions: pl.DataFrame

    @classmethod
    def of(cls, **frames: pl.DataFrame) -> MarketData:
        """MarketData with the given frames and empty frames for the rest.

        Raises TypeError for a name that is not a field of MarketData.
        """
        unknown = set(frames) - set(WIRE_OBJECTS)
        if unknown:
            raise TypeError(f"MarketData has no field {sorted(unknown)}; fields: {sorted(WIRE_OBJECTS)}")
        return cls(**{f.name: frames.get(f.name, empty_frame(WIRE_OBJECTS[f.name])) for f in fields(cls)})


# --- Signal frames (intel) ----------------------------------------------------------------------

#: Columns of a Signal frame, as every intel bot returns it.
SIGNAL_SCHEMA: dict[str, pl.DataType] = {
    "bot": pl.String(),
    "condition_id": pl.String(),
    "token_id": pl.String(),
    "ts_ms": pl.Int64(),
    "name": pl.String(),
    "value": pl.Float64(),
    "unit": pl.String(),
}


def signal_frame(frame: pl.DataFrame, slug: str, name: str | pl.Expr, unit: str | pl.Expr,
                 value: str | pl.Expr = "value") -> pl.DataFrame:
    """A Signal frame from ``frame`` (which has ``condition_id``, ``token_id``, ``ts_ms``).

    ``name`` / ``unit`` are literals or expressions (for bots that emit several readings);
    ``value`` a column name or a Float64 expression. Rows whose value is null, NaN or infinite
    are not signals (the Signal contract requires a finite value) and are left out: a bot
    documents when that happens. Row order is kept.
    """
    as_expr = lambda v: pl.lit(v) if isinstance(v, str) else v  # noqa: E731
    out = frame.select(
        pl.lit(slug).alias("bot"),
        "condition_id",
        "token_id",
        "ts_ms",
        as_expr(name).alias("name"),
        (pl.col(value) if isinstance(value, str) else value).cast(pl.Float64).alias("value"),
        as_expr(unit).alias("unit"),
    )
    return out.filter(pl.col("value").is_finite()).cast(SIGNAL_SCHEMA)


def signal_readings(frame: pl.DataFrame, slug: str, readings: dict[str, str]) -> pl.DataFrame:
    """A Signal frame from a wide ``frame`` with one column per reading (for bots that emit several).

    ``frame`` has ``condition_id``, ``token_id``, ``ts_ms`` and, for each ``name -> unit`` of
    ``readings``, a numeric column ``name``. Each input row gives one Signal row per reading, named
    after its column, in input row order and then the order of ``readings``; null, NaN and
    infinite values are left out as in :func:`signal_frame`.
    """
    names = list(readings)
    values = (
        frame.select(pl.col(names).cast(pl.Float64))
        .with_row_index("_row")
        .unpivot(names, index="_row", variable_name="_name", value_name="_value")
        .filter(pl.col("_value").is_finite())  # before the sort: most readings of a long frame may be absent
        .sort("_row", maintain_order=True)
    )
    keys = frame.select(pl.col("condition_id", "token_id", "ts_ms").gather(values["_row"]))
    long = pl.concat([keys, values], how="horizontal")
    return signal_frame(long, slug, pl.col("_name"), pl.col("_name").replace_strict(readings), pl.col("_value"))


def drop_repeats(columns: list[str], key: str = "token_id") -> list[pl.Expr]:
    """For a frame sorted by ``key``, then time: each of ``columns``, null where it repeats the
    value (nulls compare equal) of the row before of the same ``key``.

    Keeps a stream of readings free of repeats (signal_frame leaves the nulls out): a consumer
    that takes the latest reading as of a time (``join_asof``) sees the same values.
    """
    new_key = pl.col(key).ne_missing(pl.col(key).shift())
    return [pl.when(new_key | pl.col(c).ne_missing(pl.col(c).shift())).then(pl.col(c)).alias(c) for c in columns]


# --- Candidate frames (disc) --------------------------------------------------------------------

CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    "bot": pl.String(),
    "condition_id": pl.String(),
    "ts_ms": pl.Int64(),
    "rank": pl.Int64(),
    "score": pl.Float64(),
    "reason_codes": pl.List(pl.String()),
}
EXCLUDED_SCHEMA: dict[str, pl.DataType] = {"condition_id": pl.String(), "reason_code": pl.String()}


@dataclass(frozen=True, slots=True, eq=False)
class ScanResult:
    """A disc bot's answer: ``candidates`` (Candidate frame, :data:`CANDIDATE_SCHEMA`, by rank)
    and ``excluded`` (:data:`EXCLUDED_SCHEMA`: ``condition_id``, ``reason_code``, by condition id).
    Every market the bot considered is in exactly one of the two."""

    candidates: pl.DataFrame
    excluded: pl.DataFrame


def scan_result(slug: str, admitted: pl.DataFrame, admitted_code: str | pl.Expr,
                excluded: pl.DataFrame) -> ScanResult:
    """Rank ``admitted`` (``condition_id``, ``ts_ms`` Int64, ``score`` Float64) by score
    descending, ties by ``condition_id`` ascending, into Candidates with ``admitted_code`` (a
    registered reason code, or a String expression per row); ``excluded`` has ``condition_id``,
    ``reason_code``."""
    code = pl.lit(admitted_code) if isinstance(admitted_code, str) else admitted_code
    candidates = (
        admitted.sort(["score", "condition_id"], descending=[True, False])
        .with_row_index("rank", offset=1)
        .select(pl.lit(slug).alias("bot"), "condition_id", "ts_ms", "rank", "score",
                pl.concat_list(code).alias("reason_codes"))
        .cast(CANDIDATE_SCHEMA)
    )
    excluded = excluded.select("condition_id", "reason_code").cast(EXCLUDED_SCHEMA).sort("condition_id")
    return ScanResult(candidates=candidates, excluded=excluded)


def latest_instruments(instruments: pl.DataFrame) -> pl.DataFrame:
    """The latest InstrumentRecord per ``condition_id`` (by ``as_of_ms``; ties: the later row)."""
    return instruments.sort("as_of_ms", maintain_order=True).unique(
        subset="condition_id", keep="last", maintain_order=True
    )
