"""Vectorised fast path of S2 ingestion: plain ``book`` frames of a whole capture -> one polars frame.

:func:`normalise_capture` gives the same results as running
:func:`~polytraders.adapters.polymarket.market.normalise_market_frame` on every row of a capture
(``read_capture`` form: ``recv_ms`` Int64, ``channel`` String, ``frame`` String), without building a
pydantic object per book level:

- ``book_snapshots`` equals ``to_frame("OrderBookSnapshot", [every OrderBookSnapshot the per-frame
  path yields])``, rows in capture order and, within an array frame, in element order;
- ``others`` is everything else the per-frame path yields (QuarantineRecord, TradePrint,
  TickSizeChange, MarketResolution, KeepAlive, BookDelta, ...), in capture order.

Only a row that is certainly a valid plain book is handled here: channel ``market``; the frame text
is ONE compact JSON object whose every member is a plain string (no escapes, no control characters)
or an array of ``{"price":"..","size":".."}`` objects, with ``market``, ``asset_id``, ``timestamp``,
``event_type`` = ``"book"``, ``bids`` and ``asks`` each present exactly once (``hash`` and
``tick_size`` at most once), so polars and Python's ``json`` read it identically. Its values must
then pass checks at least as strict as the exact path's:

- condition id ``0x`` + 64 hex digits; token id 1..78 digits and < 2**256;
- ``timestamp`` 13 or 14 digits without a leading zero (epoch ms in [1e12, 1e14)); ``recv_ms``
  non-null in the same range; ``budgets.ws_market_ms`` an int >= 0;
- tick = the frame's ``tick_size`` (``0.`` + 1..6 digits, > 0) unless absent or ``""``, then
  ``tick_sizes[token]`` (in (0, 1), at most 6 decimals);
- every price ``0.`` + 1..6 digits, > 0, an exact multiple of the tick (integer micro-units);
  every size ``[0-9]{1,32}`` with an optional ``.`` + 1..6 digits (so >= 0 and exact at scale 6);
  the decimal strings are checked BEFORE the cast to ``Decimal(38, 6)``, which would round a 7th
  decimal silently;
- bids strictly ascending and asks strictly descending as sent (the venue's order, best LAST: no
  repeated price, and reversing gives the exact path's sort); not crossed (best bid < best ask);
- with a ``hash_rule``: the frame sends no ``hash`` or ``""``, or the rule's digest of the decoded
  strings (:data:`~polytraders.adapters.polymarket.book_hash.FRAME_RULES`, equal to the per-object
  rule here: the grammar admits no string that needs escaping) equals the sent ``hash``.

Anything else (arrays, other event types, keep-alives, whitespace, numbers instead of strings,
malformed text, an unsorted side, any failed check) goes through ``normalise_market_frame``
unchanged, so quarantine semantics live in one place. A snapshot that the slow path builds is
converted with ``to_frame`` (which raises FrameConversionError for a size with more than 6
decimals, as the reference does).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets
from polytraders.adapters.capture import CAPTURE_SCHEMA
from polytraders.adapters.polymarket import parsing as p
from polytraders.adapters.polymarket.bba_frames import fast_best_bid_ask
from polytraders.adapters.polymarket.book_hash import FRAME_RULES, require_rule
from polytraders.adapters.polymarket.market import normalise_market_frame
from polytraders.contracts import MarketSnapshot, OrderBookSnapshot, WireModel
from polytraders.contracts.frames import DECIMAL_DTYPE, empty_frame, polars_schema, to_frame
from polytraders.contracts.types import DECIMAL_SCALE, Quality

_OBJECT = "OrderBookSnapshot"
#: Candidate frames decoded per batch: bounds the temporary memory of a long capture.
_BATCH_ROWS = 8_192
_MICRO = 10**DECIMAL_SCALE
_MAX_TOKEN = str(2**256)  # 78 digits: a 78-digit id is valid iff it sorts below this
_MIN_MS, _MAX_MS = p.MIN_EPOCH_MS, 100_000_000_000_000

# The raw-text grammar of a frame the fast path accepts (Rust regex, linear time).
_STR = r'"[^"\\\x00-\x1f]*"'
_LEVEL = rf'\{{(?:"price":{_STR},"size":{_STR}|"size":{_STR},"price":{_STR})\}}'
_LEVELS = rf"\[(?:{_LEVEL}(?:,{_LEVEL})*)?\]"
_MEMBER = rf"{_STR}:(?:{_STR}|{_LEVELS})"
_PLAIN_BOOK = rf"^\{{{_MEMBER}(?:,{_MEMBER})*\}}$"
#: Top-level keys a fast-path frame holds exactly once with a string value, exactly once with an
#: array value, and at most once (then with a string value). In the grammar above ``"key":`` can only
#: occur at a member's key, so counting these literals counts top-level keys (levels hold only
#: price / size); ``"key":"`` counts the ones whose value is a string.
_ONCE_STRING = ("market", "asset_id", "timestamp", "event_type")
_ONCE_ARRAY = ("bids", "asks")
_OPTIONAL_STRING = ("hash", "tick_size")
_PRICE = r"^0\.[0-9]{1,6}$"
_SIZE = r"^[0-9]{1,32}(?:\.[0-9]{1,6})?$"
_CONDITION = r"^0x[0-9a-fA-F]{64}$"
_TOKEN = r"^[0-9]{1,78}$"
_TS = r"^[1-9][0-9]{12,13}$"

_RAW_LEVEL = pl.Struct({"price": pl.String, "size": pl.String})
_RAW_BOOK_SCHEMA = pl.Schema(
    {
        "market": pl.String,
        "asset_id": pl.String,
        "timestamp": pl.String,
        "hash": pl.String,
        "tick_size": pl.String,
        "bids": pl.List(_RAW_LEVEL),
        "asks": pl.List(_RAW_LEVEL),
    }
)
_LEVEL_DTYPE = pl.List(pl.Struct({"price": DECIMAL_DTYPE, "size": DECIMAL_DTYPE}))


def _no_snapshots() -> pl.DataFrame:
    return empty_frame("MarketSnapshot")


@dataclass(frozen=True, slots=True)
class NormalisedCapture:
    """The normalised market channel of one capture.

    ``book_snapshots``: OrderBookSnapshot frame form (``polars_schema("OrderBookSnapshot")``), one row
    per snapshot in capture order (element order within an array frame). ``others``: every other
    wire object the per-frame path yields, in capture order, except MarketSnapshots:
    ``market_snapshots`` (MarketSnapshot frame form, one row per ``best_bid_ask`` event in capture
    order; vectorised by :mod:`~polytraders.adapters.polymarket.bba_frames`).
    """

    book_snapshots: pl.DataFrame
    others: list[WireModel]
    market_snapshots: pl.DataFrame = field(default_factory=_no_snapshots)


def _micro(text: pl.Expr) -> pl.Expr:
    """Integer micro-units of a string already known to match ``0.`` + 1..6 digits."""
    return text.str.slice(2).str.pad_end(DECIMAL_SCALE, "0").cast(pl.Int64)


def _mapping_ticks(tokens: list[str], tick_sizes: Mapping[str, Decimal]) -> pl.DataFrame:
    """token -> (tick Decimal, micro-units) for the tokens whose mapped tick the fast path can use.

    A token missing from ``tick_sizes`` or with a tick that is invalid or finer than 1e-6 is left
    out, so its frames take the slow path (GOV_DQ_UNKNOWN_TOKEN or whatever the exact path says).
    """
    rows: dict[str, list[Any]] = {"token": [], "map_tick": [], "map_tick_u": []}
    for token in tokens:
        if token not in tick_sizes:
            continue
        try:
            tick = p.tick_size(tick_sizes[token], f"tick_sizes[{token}]")
        except p.ParseError:
            continue
        units = tick * _MICRO
        if units != units.to_integral_value():
            continue
        rows["token"].append(token)
        rows["map_tick"].append(tick)
        rows["map_tick_u"].append(int(units))
    return pl.DataFrame(rows, schema={"token": pl.String, "map_tick": DECIMAL_DTYPE, "map_tick_u": pl.Int64})


def _side_ok(levels: pl.DataFrame, side: str, ascending: bool) -> pl.DataFrame:
    """Per candidate ``row``: every level of ``side`` well-formed and on the grid, prices strictly
    monotone in venue order (``ascending`` for bids). Rows with an empty side are absent."""
    long = (
        levels.select("row", "tick_u", level=pl.col(side))
        .filter(pl.col("level").list.len() > 0)
        .explode("level")
        .select(
            "row",
            "tick_u",
            price=pl.col("level").struct.field("price"),
            size=pl.col("level").struct.field("size"),
        )
    )
    price_ok = pl.col("price").str.contains(_PRICE)
    units = pl.when(price_ok).then(_micro(pl.col("price")))
    same_row = pl.col("row") == pl.col("row").shift(1)
    previous = pl.col("units").shift(1)
    monotone = pl.when(same_row).then(pl.col("units") > previous if ascending else pl.col("units") < previous)
    return (
        long.with_columns(units=units)
        .select(
            "row",
            ok=(
                price_ok
                & pl.col("size").str.contains(_SIZE)
                & (pl.col("units") > 0)
                & (pl.col("units") % pl.col("tick_u") == 0)
                & monotone.otherwise(True)
            ).fill_null(False),
        )
        .group_by("row")
        .agg(pl.col("ok").all().alias(f"{side}_ok"))
    )


def _fast_books(
    candidates: pl.DataFrame, tick_sizes: Mapping[str, Decimal], budget_ms: int, hash_rule: str | None = None
) -> pl.DataFrame:
    """Decode and check the candidate rows; return the passing ones in frame form plus ``row``.
    With ``hash_rule``, a row whose non-empty ``hash`` differs from the rule's digest does not pass
    (the exact path quarantines it GOV_DQ_HASH_MISMATCH)."""
    # The grammar admits no newline (nor any whitespace) in a candidate: one NDJSON line per frame.
    text = candidates.select(pl.col("frame").str.join("\n")).item()
    books = pl.read_ndjson(io.BytesIO(text.encode("utf-8")), schema=_RAW_BOOK_SCHEMA)
    if books.height != candidates.height:
        raise pl.exceptions.ComputeError("NDJSON decode changed the row count")
    decoded = pl.concat([candidates.select("row", "recv_ms", "frame"), books], how="horizontal")
    own_tick = pl.col("tick_size").is_not_null() & (pl.col("tick_size") != "")
    tokens = (
        decoded.filter(~own_tick & pl.col("asset_id").str.contains(_TOKEN))
        .get_column("asset_id")
        .unique(maintain_order=True)
        .to_list()
    )
    decoded = decoded.join(_mapping_ticks(tokens, tick_sizes), left_on="asset_id", right_on="token", how="left")
    own_ok = pl.col("tick_size").str.contains(_PRICE)
    decoded = decoded.with_columns(
        tick=pl.when(own_tick)
        .then(pl.when(own_ok).then(pl.col("tick_size").cast(DECIMAL_DTYPE)))
        .otherwise(pl.col("map_tick")),
        tick_u=pl.when(own_tick)
        .then(pl.when(own_ok).then(_micro(pl.col("tick_size"))))
        .otherwise(pl.col("map_tick_u")),
    )
    token = pl.col("asset_id")
    header_ok = (
        pl.col("market").str.contains(_CONDITION)
        & token.str.contains(_TOKEN)
        & ((token.str.len_bytes() < len(_MAX_TOKEN)) | (token < _MAX_TOKEN))
        & pl.col("timestamp").str.contains(_TS)
        & pl.col("recv_ms").is_between(_MIN_MS, _MAX_MS, closed="left")
        & (pl.col("tick_u") > 0)
    ).fill_null(False)
    decoded = decoded.filter(header_ok)
    best = {
        side: pl.when(pl.col(side).list.len() > 0).then(_micro(pl.col(side).list.last().struct.field("price")))
        for side in ("bids", "asks")
    }
    checked = (
        decoded.join(_side_ok(decoded, "bids", ascending=True), on="row", how="left")
        .join(_side_ok(decoded, "asks", ascending=False), on="row", how="left")
        .filter(pl.col("bids_ok").fill_null(True) & pl.col("asks_ok").fill_null(True))
        .sort("row")
        .with_columns(best_bid=best["bids"], best_ask=best["asks"])
        .filter((pl.col("best_bid") < pl.col("best_ask")).fill_null(True))
    )
    if hash_rule is not None and checked.height:
        sent = pl.col("hash")
        checked = checked.with_columns(FRAME_RULES[hash_rule](checked)).filter(
            sent.is_null() | (sent == "") | (sent == pl.col("derived_hash"))
        )
    source_ts = pl.col("timestamp").cast(pl.Int64)
    age = pl.col("recv_ms") - source_ts
    provenance = pl.Series(
        "provenance_hash",
        [hashlib.sha256(raw.encode("utf-8")).hexdigest() for raw in checked.get_column("frame")],
        dtype=pl.String,
    )
    return checked.with_columns(provenance).select(
        "row",
        asks=pl.col("asks").list.reverse().cast(_LEVEL_DTYPE),
        bids=pl.col("bids").list.reverse().cast(_LEVEL_DTYPE),
        condition_id=pl.col("market"),
        freshness=pl.struct(
            age_ms=age,
            budget_ms=pl.lit(budget_ms, dtype=pl.Int64),
            provenance_hash=pl.col("provenance_hash"),
            quality=pl.when(age <= budget_ms).then(pl.lit(Quality.OK.value)).otherwise(pl.lit(Quality.WARN.value)),
            receive_ts_ms=pl.col("recv_ms"),
            source_ts_ms=source_ts,
            venue_hash=pl.when(pl.col("hash") != "").then(pl.col("hash")),
        ),
        tick_size=pl.col("tick"),
        token_id=token,
        ts_ms=source_ts,
    )


def _candidates() -> pl.Expr:
    """Rows the fast path may decode: market channel, a plain book object by the raw-text grammar."""
    frame = pl.col("frame")

    def count(literal: str) -> pl.Expr:
        return frame.str.count_matches(literal, literal=True)

    test = (pl.col("channel") == "market") & frame.str.contains(_PLAIN_BOOK)
    test = test & (count('"event_type":"book"') == 1)
    for key in _ONCE_STRING:
        test = test & (count(f'"{key}":') == 1) & (count(f'"{key}":"') == 1)
    for key in _ONCE_ARRAY:
        test = test & (count(f'"{key}":') == 1) & (count(f'"{key}":[') == 1)
    for key in _OPTIONAL_STRING:
        test = test & (count(f'"{key}":') <= 1) & (count(f'"{key}":') == count(f'"{key}":"'))
    return test.fill_null(False)


def normalise_capture(
    capture: pl.DataFrame,
    tick_sizes: Mapping[str, Decimal],
    budgets: FreshnessBudgets = DEFAULT_BUDGETS,
    hash_rule: str | None = None,
) -> NormalisedCapture:
    """Normalise every row of ``capture`` as ``normalise_market_frame(frame, recv_ms, tick_sizes,
    budgets, hash_rule)`` would, plain ``book`` frames in one vectorised pass (see the module docstring)
    and canonical ``best_bid_ask`` frames in another (:func:`~polytraders.adapters.polymarket.bba_frames.
    fast_best_bid_ask`, tried first); their MarketSnapshots, and those of the per-frame path, are
    ``market_snapshots``.

    Args:
        capture: ``read_capture`` form (``recv_ms`` Int64, ``channel`` String, ``frame`` String).
            Every row is normalised as a market-channel frame, whatever its channel (only the fast
            path looks at ``channel``); filter other channels out first to treat them differently.
        tick_sizes: tick size per token id for books that carry no ``tick_size`` of their own.
        budgets: the run's freshness budgets; books are graded against ``budgets.ws_market_ms``
            (past it quality is WARN).
        hash_rule: the rule the capture's book hashes follow (a name of
            :data:`~polytraders.adapters.polymarket.book_hash.RULES`; None: no hash check). A book
            whose sent non-empty ``hash`` differs from the rule's digest is quarantined
            GOV_DQ_HASH_MISMATCH (by the exact path).

    Raises ValueError when ``hash_rule`` is not a known rule, or ``capture`` lacks one of the three
    columns or has other dtypes; FrameConversionError when a slow-path snapshot does not fit the
    frame form (a size with more than 6 decimal places is a valid OrderBookSnapshot but no
    Decimal(38, 6)), as ``to_frame`` does.
    """
    require_rule(hash_rule)
    missing = [column for column in CAPTURE_SCHEMA if column not in capture.columns]
    if missing:
        raise ValueError(f"capture lacks columns {missing}")
    wrong = {c: capture.schema[c] for c, dtype in CAPTURE_SCHEMA.items() if capture.schema[c] != dtype}
    if wrong:
        raise ValueError(f"capture columns {wrong} are not of the read_capture dtypes {CAPTURE_SCHEMA}")
    rows = capture.select("recv_ms", "channel", "frame").with_row_index("row")
    budget_ms = budgets.ws_market_ms
    budget_ok = isinstance(budget_ms, int) and not isinstance(budget_ms, bool) and 0 <= budget_ms < 2**62
    fast = empty = pl.DataFrame(schema={"row": pl.UInt32, **polars_schema(_OBJECT)})
    fast_tops = pl.DataFrame(schema={"row": pl.UInt32, **polars_schema("MarketSnapshot")})
    if budget_ok and rows.height:
        # best_bid_ask frames first (a cheap prefix test finds them), so the book grammar never
        # scans a row they took
        fast_tops = fast_best_bid_ask(rows, tick_sizes, budget_ms)
        rest = rows.join(fast_tops.select("row"), on="row", how="anti", maintain_order="left")
        candidates = rest.filter(_candidates())
        parts = [empty]
        for batch in candidates.iter_slices(_BATCH_ROWS):
            try:
                parts.append(_fast_books(batch, tick_sizes, budget_ms, hash_rule))
            except pl.exceptions.PolarsError:  # the grammar should rule this out: be safe, go slow
                pass
        fast = pl.concat(parts)
    taken = pl.concat([fast.select("row"), fast_tops.select("row")])
    slow_rows = rows.join(taken, on="row", how="anti", maintain_order="left")
    others: list[WireModel] = []
    slow_books: list[OrderBookSnapshot] = []
    slow_keys: list[tuple[int, int]] = []
    slow_tops: list[MarketSnapshot] = []
    slow_top_rows: list[int] = []
    for row, recv_ms, _channel, raw in slow_rows.iter_rows():
        for obj in normalise_market_frame(raw, recv_ms, tick_sizes, budgets, hash_rule):
            if isinstance(obj, OrderBookSnapshot):
                slow_keys.append((row, len(slow_books)))
                slow_books.append(obj)
            elif isinstance(obj, MarketSnapshot):
                slow_top_rows.append(row)
                slow_tops.append(obj)
            else:
                others.append(obj)
    books = fast.with_columns(seq=pl.lit(0, dtype=pl.Int64))
    if slow_books:
        keys = pl.DataFrame(
            {"row": [row for row, _ in slow_keys], "seq": [seq for _, seq in slow_keys]},
            schema={"row": pl.UInt32, "seq": pl.Int64},
        )
        slow = pl.concat([keys, to_frame(_OBJECT, slow_books)], how="horizontal")
        books = pl.concat([books, slow.select(books.columns)]).sort("row", "seq")
    schema = polars_schema(_OBJECT)
    return NormalisedCapture(
        book_snapshots=books.select(schema.names()).cast(dict(schema)),
        others=others,
        market_snapshots=_tops(fast_tops, slow_top_rows, slow_tops),
    )


def _tops(fast: pl.DataFrame, rows: list[int], slow: list[MarketSnapshot]) -> pl.DataFrame:
    """The fast path's MarketSnapshots and the per-frame path's, in capture order (a frame yields at
    most one: an array frame's best_bid_ask elements keep their element order, stable sort)."""
    schema = polars_schema("MarketSnapshot")
    if slow:
        keyed = pl.concat([pl.DataFrame({"row": rows}, schema={"row": pl.UInt32}),
                           to_frame("MarketSnapshot", slow)], how="horizontal")
        fast = pl.concat([fast, keyed.select(fast.columns)]).sort("row", maintain_order=True)
    return fast.select(schema.names()).cast(dict(schema))
