"""S3 book reconstruction: a fold of ``book`` snapshots and ``price_change`` deltas per token.

Method (per token, in receive order: ``freshness.receive_ts_ms``, then a snapshot before a delta
received in the same millisecond, then S2's order):

- a ``book`` snapshot (re)sets the token's book. When the token received at least one delta since
  its previous snapshot, the snapshot is first compared with the rebuilt book: both sides, every
  level, exact Decimal price and size. A difference is a QuarantineRecord
  ``GOV_DQ_BOOK_MISMATCH`` naming the first differing level, and the book resyncs from the
  snapshot. The venue ``hash`` is not compared: it cannot be recomputed from the levels here (its
  input bytes are not published), so only the levels are checked;
- a delta (:class:`~polytraders.adapters.polymarket.models.BookDelta`, one ``price_change``
  level) sets its level's total size; size ``0`` removes the level. A delta of a token that has
  had no snapshot yet -> ``GOV_DQ_DELTA_BEFORE_SNAPSHOT``; a delta that would make best bid >=
  best ask -> ``GOV_DQ_DELTA_CROSSES_BOOK`` (both quarantined and not applied). A delta that
  leaves the book as it was (the same total again, or removing an absent level) changes nothing
  and, like a repeated snapshot, emits no row;
- the output has one row each time a token's book changed: the snapshot's own row, or after each
  applied delta a rebuilt OrderBookSnapshot row (levels best-first, the delta's ``ts_ms`` and
  freshness, the last snapshot's tick size).

Snapshots of tokens that have no delta take a vectorised path (:func:`dedup_snapshots`: consecutive
identical snapshots are one state), which is exactly what the loop (:func:`fold`) gives without
deltas; the loop runs only for tokens with deltas, keeps each book as two ``price -> size`` dicts
(no pydantic inside it; a snapshot's levels become Python values only next to a delta) and builds
its output frame once.

Limits: a ``tick_size_change`` does not reach the fold (the next snapshot brings the new tick); a
``price_change`` frame names the frame it came from only by its hash, so S2 finds its receive time by
that hash (see :func:`polytraders.runtime.stages._delta_receipts`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
import pyarrow

from polytraders.adapters.polymarket.models import BookDelta
from polytraders.contracts import QuarantineRecord
from polytraders.contracts.frames import DECIMAL_DTYPE, FrameConversionError, empty_frame, to_frame
from polytraders.contracts.types import DECIMAL_SCALE, Quality

#: Source named by S3's quarantine records (the channel the books and deltas came from).
SOURCE = "polymarket.ws.market"
_BOOK = "OrderBookSnapshot"
_FRESHNESS = empty_frame(_BOOK).schema["freshness"]
_QUANTUM = Decimal(1).scaleb(-DECIMAL_SCALE)

#: Frame form of S2's book deltas: one row per BookDelta, ``seq`` = its position in S2's receive
#: order (0, 1, ...), ``freshness`` = the delta's Freshness (source = its ``ts_ms``, receive = its
#: frame's receive time, provenance = its frame's hash, venue hash = its leg's ``hash``).
DELTA_SCHEMA = pl.Schema(
    {
        "seq": pl.Int64,
        "condition_id": pl.String,
        "token_id": pl.String,
        "ts_ms": pl.Int64,
        "side": pl.String,
        "price": DECIMAL_DTYPE,
        "size": DECIMAL_DTYPE,
        "best_bid": DECIMAL_DTYPE,
        "best_ask": DECIMAL_DTYPE,
        "freshness": _FRESHNESS,
    }
)


@dataclass(frozen=True, slots=True)
class Reconstruction:
    """S3's result for one day.

    ``books``: OrderBookSnapshot frame form, one row per change of a token's book, ordered by
    token id, then receive order. ``quarantine``: QuarantineRecord frame form (codes
    GOV_DQ_BOOK_MISMATCH, GOV_DQ_DELTA_BEFORE_SNAPSHOT, GOV_DQ_DELTA_CROSSES_BOOK).
    ``deltas_applied``: deltas that changed a book (one row each); ``deltas_unchanged``: deltas
    that left it as it was.
    """

    books: pl.DataFrame
    quarantine: pl.DataFrame
    deltas_applied: int
    deltas_unchanged: int


def delta_frame(deltas: Sequence[BookDelta], receive_ts_ms: Sequence[int], budget_ms: int) -> pl.DataFrame:
    """The :data:`DELTA_SCHEMA` frame of ``deltas`` (in receive order), received at ``receive_ts_ms``.

    Freshness quality: OK when ``receive - ts_ms <= budget_ms`` (ms), else WARN (as for books).
    Raises ValueError when the two sequences differ in length; FrameConversionError for a price
    or size with more than 6 decimal places (the frame's Decimal(38, 6) would round it silently).
    """
    if len(deltas) != len(receive_ts_ms):
        raise ValueError(f"{len(deltas)} deltas but {len(receive_ts_ms)} receive times")
    for d in deltas:
        for name, value in (("price", d.price), ("size", d.size), ("best_bid", d.best_bid), ("best_ask", d.best_ask)):
            if value is not None and value != value.quantize(_QUANTUM):
                raise FrameConversionError(
                    f"BookDelta.{name}: decimal {value} has more than {DECIMAL_SCALE} decimal places"
                )
    columns: dict[str, list[Any]] = {
        "seq": list(range(len(deltas))),
        "condition_id": [d.condition_id for d in deltas],
        "token_id": [d.token_id for d in deltas],
        "ts_ms": [d.ts_ms for d in deltas],
        "side": [str(d.side) for d in deltas],
        "price": [d.price for d in deltas],
        "size": [d.size for d in deltas],
        "best_bid": [d.best_bid for d in deltas],
        "best_ask": [d.best_ask for d in deltas],
        "freshness": [
            {
                "age_ms": recv - d.ts_ms,
                "budget_ms": budget_ms,
                "provenance_hash": d.provenance_hash,
                "quality": (Quality.OK if recv - d.ts_ms <= budget_ms else Quality.WARN).value,
                "receive_ts_ms": recv,
                "source_ts_ms": d.ts_ms,
                "venue_hash": d.venue_hash or None,
            }
            for d, recv in zip(deltas, receive_ts_ms, strict=True)
        ],
    }
    return pl.DataFrame(columns, schema=DELTA_SCHEMA)


def empty_deltas() -> pl.DataFrame:
    """A :data:`DELTA_SCHEMA` frame without rows."""
    return pl.DataFrame(schema=DELTA_SCHEMA)


def _receive_ts() -> pl.Expr:
    return pl.col("freshness").struct.field("receive_ts_ms")


def dedup_snapshots(books: pl.DataFrame) -> pl.DataFrame:
    """Snapshots only: per token in receive order, drop a snapshot whose levels (both sides) equal
    the previous one's. Rows ordered by token id, then receive order (ties keep frame order)."""
    ordered = books.sort("token_id", _receive_ts(), maintain_order=True)
    changed = (
        (pl.col("bids") != pl.col("bids").shift(1).over("token_id"))
        | (pl.col("asks") != pl.col("asks").shift(1).over("token_id"))
    ).fill_null(True)
    return ordered.filter(changed)


def reconstruct(books: pl.DataFrame, deltas: pl.DataFrame | None = None) -> Reconstruction:
    """S3: each token's book over time from snapshots and deltas (see the module docstring).

    Args:
        books: OrderBookSnapshot frame form (S2's admitted snapshots, any row order).
        deltas: :data:`DELTA_SCHEMA` frame (S2's book deltas), or None / empty for none.

    Returns a :class:`Reconstruction`. With no deltas, ``books`` of the result is
    :func:`dedup_snapshots` of the input and the quarantine is empty.
    """
    if deltas is None or deltas.is_empty():
        return Reconstruction(dedup_snapshots(books), empty_frame("QuarantineRecord"), 0, 0)
    delta_tokens = deltas.get_column("token_id").unique().implode()
    in_loop = pl.col("token_id").is_in(delta_tokens)
    plain = dedup_snapshots(books.filter(~in_loop))
    folded = fold(books.filter(in_loop), deltas)
    out = plain.merge_sorted(folded.books, key="token_id")  # disjoint tokens, each part sorted by token
    return Reconstruction(out, folded.quarantine, folded.deltas_applied, folded.deltas_unchanged)


#: A book side as (price, size) pairs in integer micro-units (1e-6), best first.
_Levels = list[tuple[int, int]]
_MICRO = 10**DECIMAL_SCALE


def _fmt(level: tuple[int, int] | None) -> str:
    """``0.45 x 250.5`` for a level in micro-units."""
    if level is None:
        return "none"
    return " x ".join(f"{Decimal(v).scaleb(-DECIMAL_SCALE).normalize():f}" for v in level)


def _first_difference(rebuilt: tuple[_Levels, _Levels], snapshot: tuple[_Levels, _Levels]) -> str:
    """``bid level 2: rebuilt 0.45 x 250.5, snapshot 0.45 x 200`` for the first differing level."""
    for side, mine, theirs in (("bid", rebuilt[0], snapshot[0]), ("ask", rebuilt[1], snapshot[1])):
        for index in range(max(len(mine), len(theirs))):
            a = mine[index] if index < len(mine) else None
            b = theirs[index] if index < len(theirs) else None
            if a != b:
                return f"{side} level {index + 1}: rebuilt {_fmt(a)}, snapshot {_fmt(b)}"
    return "no level differs"  # unreachable when called on differing books


def _crossed(side: str, price: int, other: dict[int, int]) -> int | None:
    """The opposite side's best price when a level at ``price`` on ``side`` would reach it, else None."""
    if not other:
        return None
    if side == "BUY":
        best_ask = min(other)
        return best_ask if price >= best_ask else None
    best_bid = max(other)
    return best_bid if price <= best_bid else None


def _micro(column: pl.Expr) -> pl.Expr:
    """A Decimal(38, 6) column as exact integer micro-units."""
    return (column * _MICRO).cast(pl.Int64)


def _levels_micro(side: str) -> pl.Expr:
    """A book side as a list of [price, size] micro-unit pairs."""
    level = pl.element().struct
    return pl.col(side).list.eval(pl.concat_list(_micro(level.field("price")), _micro(level.field("size"))))


def _events(books: pl.DataFrame, deltas: pl.DataFrame) -> pl.DataFrame:
    """The fold's events in order: token_id, kind (0 snapshot, 1 delta), ref (row of ``books`` /
    ``deltas``), ``same`` (a snapshot with the same levels as the token's previous snapshot) and
    ``need`` (a snapshot next to a delta of its token: its levels are needed as Python values)."""
    key = {"recv": _receive_ts(), "ref": pl.int_range(pl.len())}
    snapshots = books.select("token_id", "bids", "asks", **key, kind=pl.lit(0, pl.Int8)).sort("token_id", "recv", "ref")
    snapshots = snapshots.select(
        "token_id", "recv", "kind", "ref",
        same=((pl.col("bids") == pl.col("bids").shift(1).over("token_id"))
              & (pl.col("asks") == pl.col("asks").shift(1).over("token_id"))).fill_null(False),
    )  # fmt: skip
    updates = deltas.select("token_id", **key, kind=pl.lit(1, pl.Int8), same=pl.lit(False))
    kind = pl.col("kind")
    next_to_delta = (kind.shift(1).over("token_id") == 1) | (kind.shift(-1).over("token_id") == 1)
    return (
        pl.concat([snapshots, updates.select(snapshots.columns)])
        .sort("token_id", "recv", "kind", "ref")
        .select("token_id", "kind", "ref", "same", need=(kind == 0) & next_to_delta.fill_null(False))
    )


def _quarantine(fresh: dict[str, Any], code: str, detail: str) -> QuarantineRecord:
    """Quarantine the snapshot or delta whose freshness is ``fresh``; raw = its frame's hash (the
    raw text is S2's, findable in the capture by that hash)."""
    return QuarantineRecord(
        source=SOURCE, receive_ts_ms=fresh["receive_ts_ms"], reason_code=code, detail=detail,
        raw=fresh["provenance_hash"], provenance_hash=fresh["provenance_hash"],
    )  # fmt: skip


def _level_lists(prices: list[int], sizes: list[int], lengths: list[int]) -> pl.Series:
    """The frame form of book sides (List of Struct{price, size} Decimal(38, 6)) from flat
    micro-unit columns and each side's number of levels."""
    dec = (pl.col("price", "size").cast(DECIMAL_DTYPE) / _MICRO).cast(DECIMAL_DTYPE)
    flat = pl.DataFrame({"price": prices, "size": sizes}, schema={"price": pl.Int64, "size": pl.Int64})
    values = flat.select(level=pl.struct(dec)).to_series().to_arrow()
    offsets = pyarrow.array([0, *itertools.accumulate(lengths)], type=pyarrow.int64())
    return pl.Series(pyarrow.LargeListArray.from_arrays(offsets, values))


def _state(levels: tuple[_Levels, _Levels]) -> tuple[dict[int, int], dict[int, int], _Levels, _Levels]:
    """A snapshot's book as the fold keeps it: bid and ask dicts, and both sides best-first."""
    return dict(levels[0]), dict(levels[1]), levels[0], levels[1]


def fold(books: pl.DataFrame, deltas: pl.DataFrame) -> Reconstruction:
    """The sequential fold of :func:`reconstruct` over every token of ``books`` and ``deltas``
    (no vectorised shortcut): one loop over the events in fold order, each book a pair of
    ``price -> size`` dicts in integer micro-units (exact for Decimal(38, 6)); the output frame is
    built once at the end from flat columns.

    Args, returns: as :func:`reconstruct` (``deltas`` required, possibly empty).
    """
    deltas = deltas.sort("seq")
    events = _events(books, deltas)
    needed = events.filter("need").get_column("ref")
    near_deltas = books.select(_levels_micro("bids").gather(needed), _levels_micro("asks").gather(needed))
    book_levels = {
        ref: ([(p, q) for p, q in bids], [(p, q) for p, q in asks])
        for ref, (bids, asks) in zip(needed.to_list(), near_deltas.iter_rows(), strict=True)
    }
    fresh_of_book = books.get_column("freshness").to_list()
    delta_rows = deltas.select("side", _micro(pl.col("price")), _micro(pl.col("size")), "ts_ms").rows()
    fresh_of_delta = deltas.get_column("freshness")
    quarantined: list[QuarantineRecord] = []
    unchanged = 0
    from_books: list[tuple[int, int]] = []  # (output position, row of books)
    from_deltas: list[tuple[int, int, int]] = []  # (output position, row of deltas, row of books for the tick)
    flat: dict[str, list[int]] = {k: [] for k in ("bid_p", "bid_s", "bid_n", "ask_p", "ask_s", "ask_n")}
    token: str | None = None
    bids: dict[int, int] = {}
    asks: dict[int, int] = {}
    ranked_bids: _Levels | None = None  # the sides best-first, as of the last output row
    ranked_asks: _Levels | None = None
    base: int | None = None  # the row of the token's last snapshot; None: none yet
    seen_delta = False  # a delta of this token since its last snapshot
    for tok, kind, ref, same, need in events.iter_rows():
        if tok != token:
            token, base, seen_delta = tok, None, False
        if kind == 0:
            if seen_delta:  # compare with the rebuilt book (`need` holds: the previous event is a delta)
                rebuilt = (sorted(bids.items(), reverse=True), sorted(asks.items()))
                seen_delta = False
                if rebuilt == book_levels[ref]:
                    base = ref
                    continue
                fresh = fresh_of_book[ref]
                quarantined.append(_quarantine(
                    fresh, "GOV_DQ_BOOK_MISMATCH",
                    f"book of token {tok} at {fresh['source_ts_ms']} differs from the book rebuilt from deltas since "
                    f"the last snapshot, {_first_difference(rebuilt, book_levels[ref])} (levels compared exactly; "
                    "the venue hash is not reproducible here and is not compared): resync from this snapshot",
                ))  # fmt: skip
            elif base is not None and same:  # the same levels as the previous snapshot: no row
                if need:  # (that snapshot's levels may not have been built)
                    bids, asks, ranked_bids, ranked_asks = _state(book_levels[ref])
                base = ref
                continue
            if need:  # the dicts are built only for a snapshot next to a delta
                bids, asks, ranked_bids, ranked_asks = _state(book_levels[ref])
            base = ref
            from_books.append((len(from_books) + len(from_deltas), ref))
            continue
        side, price, size, ts_ms = delta_rows[ref]
        if base is None:
            quarantined.append(_quarantine(
                fresh_of_delta[ref], "GOV_DQ_DELTA_BEFORE_SNAPSHOT",
                f"delta {side} {_fmt((price, size))} of token {tok} at {ts_ms} arrived before any book snapshot of "
                "the token: not applied",
            ))  # fmt: skip
            continue
        seen_delta = True
        book, other = (bids, asks) if side == "BUY" else (asks, bids)
        if book.get(price, 0) == size:
            unchanged += 1
            continue
        crossed = _crossed(side, price, other) if size else None
        if crossed is not None:
            quarantined.append(_quarantine(
                fresh_of_delta[ref], "GOV_DQ_DELTA_CROSSES_BOOK",
                f"delta {side} {_fmt((price, size))} of token {tok} at {ts_ms} would cross the best "
                f"{'ask' if side == 'BUY' else 'bid'} {_fmt((crossed, other[crossed]))}: not applied",
            ))  # fmt: skip
            continue
        if size:
            book[price] = size
        else:
            del book[price]
        from_deltas.append((len(from_books) + len(from_deltas), ref, base))
        if side == "BUY" or ranked_bids is None:
            ranked_bids = sorted(bids.items(), reverse=True)
        if side == "SELL" or ranked_asks is None:
            ranked_asks = sorted(asks.items())
        for key, levels in (("bid", ranked_bids), ("ask", ranked_asks)):
            flat[f"{key}_n"].append(len(levels))
            if levels:
                prices, sizes = zip(*levels, strict=True)
                flat[f"{key}_p"].extend(prices)
                flat[f"{key}_s"].extend(sizes)
    snapshots = books.select(pl.all().gather([ref for _, ref in from_books])).with_columns(
        pos=pl.Series([pos for pos, _ in from_books], dtype=pl.Int64)
    )
    delta_refs = pl.Series([ref for _, ref, _ in from_deltas], dtype=pl.Int64)
    delta_columns = pl.col("condition_id", "freshness", "token_id", "ts_ms").gather(delta_refs)
    rebuilt_rows = deltas.select(delta_columns).with_columns(
        pos=pl.Series([pos for pos, _, _ in from_deltas], dtype=pl.Int64),
        tick_size=books.get_column("tick_size").gather([b for _, _, b in from_deltas]),
        bids=_level_lists(flat["bid_p"], flat["bid_s"], flat["bid_n"]),
        asks=_level_lists(flat["ask_p"], flat["ask_s"], flat["ask_n"]),
    )
    out = pl.concat([snapshots, rebuilt_rows.select(snapshots.columns).cast(dict(snapshots.schema))]).sort("pos")
    quarantine = to_frame("QuarantineRecord", quarantined) if quarantined else empty_frame("QuarantineRecord")
    return Reconstruction(out.drop("pos"), quarantine, len(from_deltas), unchanged)
