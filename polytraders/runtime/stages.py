"""The stage computations S1-S11 as plain functions over frames (no Dagster).

Each function takes and returns frames in the frame form of a wire object (see
:mod:`polytraders.contracts.frames`); the Dagster layer adds the partition column and stores them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets
from polytraders.adapters.capture import CorruptLine, capture_path, read_capture
from polytraders.adapters.polymarket import NormalisedCapture, normalise_capture, normalise_markets_page
from polytraders.adapters.polymarket.book_hash import declared_rule
from polytraders.adapters.polymarket.models import BookDelta
from polytraders.adapters.polymarket.parsing import provenance_hash
from polytraders.contracts import (
    InstrumentRecord,
    KeepAlive,
    MarketResolution,
    QuarantineRecord,
    TickSizeChange,
    TradePrint,
    WireModel,
)
from polytraders.contracts.frames import empty_frame, from_frame, to_frame
from polytraders.contracts.types import DECIMAL_SCALE
from polytraders.runtime import book_state as bs
from polytraders.runtime import feed

CAPTURE_FILE = "capture.jsonl.gz"
MARKETS_FILE = "markets.json"
#: A day's known data-quality issues of its source (optional): S1 quarantines each, see source_issues.
DATA_QUALITY_FILE = "data_quality.json"
DEC = pl.Decimal(38, DECIMAL_SCALE)


class EmptyInputError(ValueError):
    """A fixture day whose registry or capture yields nothing to run on: a run over it would
    "succeed" with every table empty, so it fails instead, saying which file is empty."""


def frame_of(name: str, objects: Sequence[WireModel]) -> pl.DataFrame:
    """Frame form of ``objects`` (all of wire object ``name``), typed even when empty."""
    return to_frame(name, objects) if objects else empty_frame(name)


# --- S1 -------------------------------------------------------------------------------------


def registry(day_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """S1: the day's ``markets.json`` (CLOB GET /markets page) -> (InstrumentRecord frame,
    QuarantineRecord frame). The records are as of the day's start (00:00 UTC). The quarantine
    also holds one GOV_DQ_SOURCE_ISSUE record per known issue of the day's source data
    (:func:`source_issues`), after the markets' own records."""
    raw = (day_dir / MARKETS_FILE).read_text()
    items = normalise_markets_page(raw, as_of_ms=day_start_ms(day_dir.name))
    records = [o for o in items if isinstance(o, InstrumentRecord)]
    quarantined = [o for o in items if isinstance(o, QuarantineRecord)]
    if not records:
        why = f": {quarantined[0].reason_code} {quarantined[0].detail}" if quarantined else ""
        raise EmptyInputError(f"{day_dir / MARKETS_FILE} gives no instrument{why}")
    return frame_of("InstrumentRecord", records), frame_of("QuarantineRecord", quarantined + source_issues(day_dir))


def source_issues(day_dir: Path) -> list[QuarantineRecord]:
    """The day's ``data_quality.json`` (a list of ``{"issue", "table_name", "detail"}``: the source's
    own known issues and what its conversion found) -> one QuarantineRecord per entry, reason code
    GOV_DQ_SOURCE_ISSUE, source ``data_quality.json:<n>`` (1-based), no receive time (emitted at
    the day's start), ``raw`` the entry as compact JSON. No file: no records. A file that is not
    such a list, or an entry that is not such an object, is one GOV_DQ_MALFORMED_JSON /
    GOV_DQ_SCHEMA record (raw: the file text / the entry) — never an exception."""
    path = day_dir / DATA_QUALITY_FILE
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")

    def record(where: str, code: str, detail: str, raw: str) -> QuarantineRecord:
        return QuarantineRecord(source=f"{DATA_QUALITY_FILE}{where}", receive_ts_ms=None, reason_code=code,
                                detail=detail, raw=raw, provenance_hash=provenance_hash(raw))

    try:
        entries = json.loads(text)
    except ValueError as exc:
        return [record("", "GOV_DQ_MALFORMED_JSON", f"not JSON: {exc}", text)]
    if not isinstance(entries, list):
        return [record("", "GOV_DQ_SCHEMA", f"expected a list of issues, got {type(entries).__name__}", text)]
    out = []
    for n, entry in enumerate(entries, start=1):
        raw = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        fields = ("issue", "table_name", "detail")
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) and entry[k] for k in fields)):
            out.append(record(f":{n}", "GOV_DQ_SCHEMA", f"an issue needs non-empty strings {list(fields)}", raw))
            continue
        detail = f"{entry['issue']} ({entry['table_name']}): {entry['detail']}"
        out.append(record(f":{n}", "GOV_DQ_SOURCE_ISSUE", detail, raw))
    return out


def day_start_ms(day: str) -> int:
    """00:00 UTC of fixture day ``day`` (YYYY-MM-DD), epoch ms."""
    return int(datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)


# --- S2 -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ingested:
    """S2's normalised output for one day. Frames in the frame form of their wire object;
    ``book_deltas`` (``price_change`` levels, for S3) in :data:`polytraders.runtime.book_state.DELTA_SCHEMA`;
    ``feed_health`` (FeedHealth, per channel and minute) and ``feed_receipts`` (the data frames'
    receive times, :data:`polytraders.runtime.feed.RECEIPT_SCHEMA`): feed liveness, apart from book age;
    ``tick_changes``: the stream's TickSizeChange events (for the registry fold, S1);
    ``book_hash_rule``: the book-hash rule the day's MANIFEST.json declares and S2 checked every
    book's sent ``hash`` against (None: no hash check)."""

    frames_in: int
    book_snapshots: pl.DataFrame
    trades: pl.DataFrame
    resolutions: pl.DataFrame
    quarantine: pl.DataFrame
    keepalives: int
    book_deltas: pl.DataFrame
    feed_health: pl.DataFrame
    feed_receipts: pl.DataFrame
    tick_changes: pl.DataFrame
    book_hash_rule: str | None = None
    #: MarketSnapshots of the capture's ``best_bid_ask`` frames (top of book as the venue sends it),
    #: in capture order; books' own top of book is :func:`top_of_book` of ``book_snapshots``.
    market_snapshots: pl.DataFrame = field(default_factory=lambda: empty_frame("MarketSnapshot"))


def tick_sizes_of(instruments: pl.DataFrame) -> dict[str, Decimal]:
    """token id -> tick size, from an InstrumentRecord frame."""
    rows = instruments.select("tokens", "tick_size").explode("tokens")
    return {tok["token_id"]: tick for tok, tick in rows.iter_rows()}


def normalise_following_ticks(capture: pl.DataFrame, tick_sizes: dict[str, Decimal],
                              budgets: FreshnessBudgets = DEFAULT_BUDGETS,
                              hash_rule: str | None = None) -> NormalisedCapture:
    """``normalise_capture`` with the tick map following the stream: after each frame holding a
    ``tick_size_change``, a book of that token without its own ``tick_size`` is checked on the new
    grid (the change's ``new_tick_size``), each token on its own.

    The capture is cut after each such frame and the pieces normalised in order, so results are
    those of normalising every row with the map in force when it was received (a change applies to
    the frames after its own). Without a change this is one ``normalise_capture`` call.
    ``hash_rule`` is passed to every call (the book-hash check, see ``normalise_capture``).
    """
    flagged = capture.with_row_index("_row").filter(pl.col("frame").str.contains("tick_size_change", literal=True))
    ends = [row + 1 for row in flagged["_row"].to_list()]
    if not ends:
        return normalise_capture(capture, tick_sizes, budgets, hash_rule)
    ticks = dict(tick_sizes)
    books: list[pl.DataFrame] = []
    tops: list[pl.DataFrame] = []
    others: list[WireModel] = []
    for start, end in zip([0, *ends], [*ends, capture.height], strict=True):
        if end <= start:
            continue
        part = normalise_capture(capture.slice(start, end - start), ticks, budgets, hash_rule)
        books.append(part.book_snapshots)
        tops.append(part.market_snapshots)
        others.extend(part.others)
        ticks.update({o.token_id: o.new_tick_size for o in part.others if isinstance(o, TickSizeChange)})
    return NormalisedCapture(book_snapshots=pl.concat(books), others=others, market_snapshots=pl.concat(tops))


def _corrupt_record(line: CorruptLine, source: str) -> QuarantineRecord:
    return QuarantineRecord(
        source=f"{source}:{line.line_no}", receive_ts_ms=None, reason_code=line.reason_code,
        detail=line.reason, raw=line.raw, provenance_hash=provenance_hash(line.raw),
    )


def ingest(day_dir: Path, instruments: pl.DataFrame, budgets: FreshnessBudgets = DEFAULT_BUDGETS) -> Ingested:
    """S2: read the day's capture and normalise every market-channel frame, grading freshness
    against the run's ``budgets``.

    Book frames -> OrderBookSnapshot (vectorised fast path, identical to the per-frame path),
    ``best_bid_ask`` frames -> MarketSnapshot (``market_snapshots``; vectorised likewise),
    ``last_trade_price`` -> TradePrint, ``market_resolved`` -> MarketResolution, keep-alives
    counted; anything malformed, and any frame of another channel, -> QuarantineRecord;
    ``price_change`` levels -> BookDelta rows of ``book_deltas``, in receive order, each with the
    receive time of its frame (:func:`_delta_receipts`); every channel's liveness per minute
    (:func:`polytraders.runtime.feed.feed_health`, keep-alives apart, quarantined frames counted);
    ``tick_size_change`` -> TickSizeChange, applied to the tick map of later books of its token
    (:func:`normalise_following_ticks`).

    Book hashes: when ``day_dir/MANIFEST.json`` declares a known book-hash rule
    (``"book_hash_rule"``, :func:`polytraders.adapters.polymarket.book_hash.declared_rule`), a book
    whose sent non-empty ``hash`` differs from the rule's digest is quarantined GOV_DQ_HASH_MISMATCH
    and not admitted (checked after the book's other normaliser checks, before admission). A day
    without the key, or with a rule we do not know, gets no hash check: the venue's live hash rule
    is not public / reproducible (see that module). Raises ValueError when MANIFEST.json exists but
    is not a JSON object.
    """
    hash_rule = declared_rule(day_dir)
    corrupt: list[CorruptLine] = []
    path = capture_path(day_dir)  # capture.jsonl.gz or capture.parquet
    capture = read_capture(path, corrupt=corrupt)
    if capture.is_empty():
        raise EmptyInputError(f"{path} has no valid frame ({len(corrupt)} corrupt lines)")
    market = pl.col("channel") == "market"
    normalised = normalise_following_ticks(capture.filter(market), tick_sizes_of(instruments), budgets, hash_rule)
    books, set_aside = _admit_books(normalised.book_snapshots, instruments, capture, normalised.others)
    buckets: dict[type, list[WireModel]] = defaultdict(list)
    buckets[QuarantineRecord].extend(set_aside)
    for obj in normalised.others:
        buckets[type(obj)].append(obj)
    buckets[QuarantineRecord].extend(
        QuarantineRecord(
            source=f"capture:{channel}", receive_ts_ms=recv_ms, reason_code="GOV_DQ_UNKNOWN_EVENT",
            detail=f"channel {channel!r} is not replayed by S2", raw=raw, provenance_hash=provenance_hash(raw),
        )
        for recv_ms, channel, raw in capture.filter(~market).iter_rows()
    )
    buckets[QuarantineRecord].extend(_corrupt_record(c, path.name) for c in corrupt)
    deltas = [d for d in buckets[BookDelta] if isinstance(d, BookDelta)]
    receipts = _delta_receipts(deltas, capture.filter(market))
    quarantine = frame_of("QuarantineRecord", buckets[QuarantineRecord])
    return Ingested(
        frames_in=capture.height + len(corrupt),
        book_snapshots=books,
        trades=frame_of("TradePrint", buckets[TradePrint]),
        resolutions=frame_of("MarketResolution", buckets[MarketResolution]),
        quarantine=quarantine,
        keepalives=len(buckets[KeepAlive]),
        book_deltas=bs.delta_frame(deltas, receipts, budgets.ws_market_ms),
        feed_health=feed.feed_health(capture, quarantine, budgets),
        feed_receipts=feed.feed_receipts(capture),
        tick_changes=frame_of("TickSizeChange", buckets[TickSizeChange]),
        book_hash_rule=hash_rule,
        market_snapshots=normalised.market_snapshots,
    )


def _delta_receipts(deltas: list[BookDelta], capture: pl.DataFrame) -> list[int]:
    """The receive time (``recv_ms``) of each delta's frame, ``deltas`` in capture order.

    A delta names its frame only by the frame's hash. A frame received k times (byte-identical)
    normalises to the same m deltas each time, so its hash's k*m deltas are, in order, m from each
    receipt in turn. Hashes only the capture rows when there is a delta.
    """
    if not deltas:
        return []
    receipts: dict[str, list[int]] = defaultdict(list)
    wanted = {d.provenance_hash for d in deltas}
    for recv_ms, raw in capture.select("recv_ms", "frame").iter_rows():
        digest = provenance_hash(raw)
        if digest in wanted:
            receipts[digest].append(recv_ms)
    count: dict[str, int] = defaultdict(int)
    for d in deltas:
        count[d.provenance_hash] += 1
    seen: dict[str, int] = defaultdict(int)
    out: list[int] = []
    for d in deltas:
        times = receipts[d.provenance_hash]
        per_receipt = max(count[d.provenance_hash] // len(times), 1)
        out.append(times[min(seen[d.provenance_hash] // per_receipt, len(times) - 1)])
        seen[d.provenance_hash] += 1
    return out


#: What each S2 admission code says about the book it sets aside.
_ADMISSION_DETAIL = {
    "GOV_DQ_UNKNOWN_TOKEN": "not in the instrument registry",
    "GOV_DQ_DUPLICATE_FRAME": "received again",
    "GOV_DQ_MARKET_RESOLVED": "received after its market's market_resolved frame",
    "GOV_DQ_OUT_OF_ORDER": "older than the token's newest admitted book",
}


def _resolution_receipts(others: Sequence[WireModel], capture: pl.DataFrame) -> pl.DataFrame:
    """When each market's resolution was received: ``condition_id``, ``_resolved_ms`` (the
    earliest receive time of a ``market_resolved`` frame of the market), sorted by time.

    A MarketResolution names its frame only by the frame's hash: only capture lines that contain
    ``market_resolved`` are hashed.
    """
    resolutions = [(o.condition_id, o.provenance_hash) for o in others if isinstance(o, MarketResolution)]
    schema = {"condition_id": pl.String, "_resolved_ms": pl.Int64}
    if not resolutions:
        return pl.DataFrame(schema=schema)
    lines = capture.filter(pl.col("frame").str.contains("market_resolved", literal=True))
    received = pl.DataFrame(
        {"_hash": [provenance_hash(raw) for raw in lines["frame"]], "_resolved_ms": lines["recv_ms"]},
        schema={"_hash": pl.String, "_resolved_ms": pl.Int64},
    )
    named = pl.DataFrame(resolutions, schema={"condition_id": pl.String, "_hash": pl.String}, orient="row")
    return (named.join(received, on="_hash").group_by("condition_id").agg(pl.col("_resolved_ms").min())
            .select(list(schema)).sort("_resolved_ms", "condition_id"))


def _admit_books(books: pl.DataFrame, instruments: pl.DataFrame, capture: pl.DataFrame,
                 others: Sequence[WireModel] = ()) -> tuple[pl.DataFrame, list[QuarantineRecord]]:
    """Keep books of registry tokens, once each, in order; quarantine the rest with the raw frame.

    ``books`` rows are in receive order (capture order). In order of precedence:

    - a book of a token the S1 registry does not list -> GOV_DQ_UNKNOWN_TOKEN;
    - the same frame received again (same token, source time and provenance hash) ->
      GOV_DQ_DUPLICATE_FRAME (the first copy is kept);
    - a book of a market received at or after the receive time of that market's
      ``market_resolved`` frame (a MarketResolution among ``others``, the normaliser's other
      objects) -> GOV_DQ_MARKET_RESOLVED: the market is over, its book is no longer tradable
      (a book received in the same millisecond as the resolution counts as after it);
    - a book whose source time ``ts_ms`` is older than the newest source time among the token's
      earlier books (``cum_max`` per token, receive order) -> GOV_DQ_OUT_OF_ORDER: a late copy of
      a state the token has already moved past. An equal source time is not older (admitted).
    """
    known = instruments.select(pl.col("tokens").explode().struct.field("token_id"))["token_id"]
    provenance = pl.col("freshness").struct.field("provenance_hash")
    received = pl.col("freshness").struct.field("receive_ts_ms")
    resolved = _resolution_receipts(others, capture)
    newest_before = pl.col("ts_ms").cum_max().shift(1).over("token_id")
    flagged = (
        books.with_row_index("_row")
        .with_columns(_received=received)
        .join(resolved, on="condition_id", how="left", maintain_order="left")
        .with_columns(
            _code=pl.when(~pl.col("token_id").is_in(known.implode()))
            .then(pl.lit("GOV_DQ_UNKNOWN_TOKEN"))
            .when(~pl.struct("token_id", "ts_ms", provenance).is_first_distinct())
            .then(pl.lit("GOV_DQ_DUPLICATE_FRAME"))
            .when(pl.col("_received") >= pl.col("_resolved_ms"))
            .then(pl.lit("GOV_DQ_MARKET_RESOLVED"))
            .when(pl.col("ts_ms") < newest_before)
            .then(pl.lit("GOV_DQ_OUT_OF_ORDER"))
        )
        .sort("_row")
    )
    rejected = flagged.filter(pl.col("_code").is_not_null())
    if rejected.is_empty():
        return books, []
    wanted = set(rejected["freshness"].struct.field("provenance_hash"))
    raw_by_hash = {digest: raw for raw in capture["frame"] if (digest := provenance_hash(raw)) in wanted}
    records = [
        QuarantineRecord(
            source="polymarket.ws.market", receive_ts_ms=fresh["receive_ts_ms"], reason_code=code,
            detail=f"book of token {token_id} at {ts_ms}: {_ADMISSION_DETAIL[code]}",
            raw=raw_by_hash[fresh["provenance_hash"]], provenance_hash=fresh["provenance_hash"],
        )
        for token_id, ts_ms, fresh, code in rejected.select("token_id", "ts_ms", "freshness", "_code").iter_rows()
    ]
    return flagged.filter(pl.col("_code").is_null()).select(books.columns), records


# --- S2 top of book, S3 state -------------------------------------------------------------


def market_snapshots(ingested: Ingested) -> pl.DataFrame:
    """S2's MarketSnapshot table: :func:`top_of_book` of every book plus the ``best_bid_ask``
    MarketSnapshots, ordered by token, then source time (ties: books first, then receive order)."""
    both = pl.concat([top_of_book(ingested.book_snapshots), ingested.market_snapshots])
    return by_token_then_time(both)


def by_token_then_time(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (``token_id`` String, ``ts_ms`` Int64) ordered by token, then ``ts_ms``, ties in
    frame order: ``frame.sort("token_id", "ts_ms", maintain_order=True)``, computed cheaply.

    A frame already in that order is returned as it is (checked in one pass). A day's tops arrive
    in receive order (millions of rows, every token in each poll), so they are permuted once: two
    stable integer arg sorts instead of comparing long token strings — by ``ts_ms`` (nearly sorted
    in receive order: a few runs), then by the token's rank among the sorted distinct tokens (a
    radix sort up to 65,536 tokens) — and one gather from a rechunked frame. A frame with a null
    ``token_id`` or ``ts_ms`` is sorted as it is.
    """
    if frame.height < 2:
        return frame
    tokens, ts = frame["token_id"], frame["ts_ms"]
    if tokens.null_count() or ts.null_count():
        return frame.sort("token_id", "ts_ms", maintain_order=True)
    if tokens.is_sorted():  # stops at the first pair out of order
        same_token = pl.col("token_id") == pl.col("token_id").shift()
        if not frame.select((same_token & (pl.col("ts_ms") < pl.col("ts_ms").shift())).any()).item():
            return frame
    rank, names = _token_rank(tokens)
    rank_np = rank.cast(pl.UInt16 if names <= 2**16 else pl.UInt32).to_numpy()
    by_time = np.argsort(ts.to_numpy(), kind="stable")
    order = by_time[np.argsort(rank_np[by_time], kind="stable")]  # stable: ties keep time, then frame order
    return frame.rechunk().select(pl.all().gather(pl.Series(order)))  # one chunk: a gather across chunks is slower


def _token_rank(tokens: pl.Series, lookup_limit: int = 1_000_000) -> tuple[pl.Series, int]:
    """Each row's rank of its token among the distinct tokens in sorted order (UInt32), and their
    count: one hashing pass (a categorical cast), the sort is of the distinct names only. The
    categorical ids (of the process's global categories, usually dense) map to ranks by a lookup
    array when the largest is below 16 per name + ``lookup_limit``, else by ``replace_strict``."""
    ids = tokens.cast(pl.Categorical)
    distinct = ids.unique()
    table = pl.DataFrame({"id": distinct.to_physical(), "name": distinct.cast(pl.String)}).sort("name")
    ranks = pl.int_range(table.height, dtype=pl.UInt32, eager=True)
    top_id = table["id"].max()
    if top_id < 16 * table.height + lookup_limit:
        lookup = pl.zeros(top_id + 1, dtype=pl.UInt32, eager=True).scatter(table["id"], ranks)
        return lookup.gather(ids.to_physical()), table.height
    return ids.to_physical().replace_strict(table["id"], ranks), table.height


def top_of_book(books: pl.DataFrame) -> pl.DataFrame:
    """S3: MarketSnapshot frame (best bid/ask, mid, spread in ticks) of each book snapshot.

    mid = (best_bid + best_ask) / 2 (exact at scale 6: tick sizes have <= 4 decimals);
    spread_ticks = (best_ask - best_bid) / tick_size, computed in integer micro-units.
    """
    best = books.select(
        "condition_id", "token_id", "ts_ms", "tick_size", "freshness",
        best_bid=pl.col("bids").list.first().struct.field("price"),
        best_ask=pl.col("asks").list.first().struct.field("price"),
    )
    micro = 10**DECIMAL_SCALE
    bid_u = (pl.col("best_bid") * micro).cast(pl.Int64)
    ask_u = (pl.col("best_ask") * micro).cast(pl.Int64)
    tick_u = (pl.col("tick_size") * micro).cast(pl.Int64)
    out = best.with_columns(
        mid=(((bid_u + ask_u) // 2).cast(DEC) / micro).cast(DEC),
        spread_ticks=(ask_u - bid_u) // tick_u,
    )
    return out.select(empty_frame("MarketSnapshot").columns)


def book_state(books: pl.DataFrame, deltas: pl.DataFrame | None = None) -> pl.DataFrame:
    """S3: the book state per token over time: a row each time a token's book changed.

    Per token in receive order, a snapshot (re)sets the book and each ``price_change`` delta
    (``deltas``: :data:`~polytraders.runtime.book_state.DELTA_SCHEMA`, S2's ``book_deltas``) sets
    or removes one level; consecutive identical states are one, kept at its first time. Columns as
    OrderBookSnapshot, rows by token, then receive order. This is
    :func:`polytraders.runtime.book_state.reconstruct` without its quarantine records (mismatches
    against the next snapshot, deltas before any snapshot, deltas that would cross the book).
    """
    return bs.reconstruct(books, deltas).books


# --- S5 / S6 ----------------------------------------------------------------------------------


def fair_values(signals: pl.DataFrame, source: str) -> pl.DataFrame:
    """S5: FairValue frame from a probability-valued Signal frame (quantised to 1e-6)."""
    return signals.filter(pl.col("value").is_between(0.0, 1.0)).select(
        "condition_id", "token_id", "ts_ms",
        fair_value=pl.col("value").round(DECIMAL_SCALE).cast(pl.String).cast(DEC),
        source=pl.lit(source),
    )


def instruments_by_condition(instruments: pl.DataFrame) -> dict[str, InstrumentRecord]:
    """condition id -> InstrumentRecord, from an InstrumentRecord frame."""
    return {r.condition_id: r for r in from_frame("InstrumentRecord", instruments)}


def resolutions_of(frame: pl.DataFrame) -> list[MarketResolution]:
    """MarketResolution objects from their frame."""
    return list(from_frame("MarketResolution", frame))

