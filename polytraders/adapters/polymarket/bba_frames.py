"""Vectorised fast path of S2 ingestion for ``best_bid_ask`` frames: a whole capture -> MarketSnapshot frame.

:func:`fast_best_bid_ask` gives, for the rows it accepts, exactly what
:func:`~polytraders.adapters.polymarket.market.normalise_market_frame` gives for them (one
MarketSnapshot each, in ``to_frame("MarketSnapshot", ...)`` form), without a pydantic object or a
JSON parse per frame. A row it does not accept is left to the per-frame path (the caller sends it
there), so quarantine semantics live in one place.

Accepted, and only so: channel ``market``; the frame text is EXACTLY, byte for byte::

    {"event_type":"best_bid_ask","market":"<C>","asset_id":"<T>","best_bid":"<B>","best_ask":"<A>","spread":"<S>","timestamp":"<TS>"}

(the venue's key order, compact, nothing before or after) where

- ``C`` is ``0x`` + 64 hex digits and ``T`` 1..78 digits below 2**256 (checked once per distinct
  ``market`` + ``asset_id`` prefix, in Python, with the exact path's own parsers);
- ``T`` has a tick size in ``tick_sizes`` that is a valid tick with at most 6 decimals (the frame
  carries no ``tick_size`` of its own);
- ``B`` and ``A`` are each ``""`` (an empty side) or ``0.`` + 1..6 digits, > 0, an exact multiple of
  the tick in integer micro-units; not crossed (B < A when both are sent), and B + A even in
  micro-units (so the mid has at most 6 decimals, as the frame form needs);
- ``S`` is 0..12 characters of ``[0-9.]`` (the exact path ignores the spread; the grammar keeps it
  valid JSON text);
- ``TS`` is ``[1-9]`` + 12 or 13 digits (epoch ms in [1e12, 1e14)); ``recv_ms`` in the same range.

Anything else — another key order, whitespace, a ``hash`` or ``tick_size`` key, escapes, numbers
instead of strings, an unknown token, an off-grid or crossed quote — is not accepted and takes the
per-frame path, which normalises or quarantines it.

Speed: one split of each frame at ``","best_bid":"``; the long head (ids) is turned into a
categorical and parsed once per distinct value; the short tail is matched by one anchored regex.
The provenance hash (sha256 of the frame's UTF-8 bytes, as :func:`parsing.provenance_hash`) is
computed with ``hashlib`` over the accepted frames in a worker thread while polars decodes the next
batches (polars has no sha256 of its own; ``pl.Expr.hash`` is not a cryptographic hash).
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import numpy as np
import polars as pl
import pyarrow as pa

from polytraders.adapters.polymarket import parsing as p
from polytraders.contracts.frames import DECIMAL_DTYPE, polars_schema
from polytraders.contracts.types import DECIMAL_SCALE, Quality

_OBJECT = "MarketSnapshot"
_MICRO = 10**DECIMAL_SCALE
#: Frames decoded per batch: bounds the temporary memory of a long capture.
_BATCH_ROWS = 1_000_000
_MIN_MS, _MAX_MS = p.MIN_EPOCH_MS, 100_000_000_000_000

_HEAD = '{"event_type":"best_bid_ask","market":"'
_ASSET = '","asset_id":"'
_SPLIT = '","best_bid":"'
#: The tail after ``_SPLIT``: best_bid, best_ask, spread, timestamp, end of object.
_PRICE = r"(|0\.[0-9]{1,6})"
_TAIL = re.compile(
    rf'^{_PRICE}","best_ask":"{_PRICE}","spread":"[0-9.]{{0,12}}","timestamp":"([1-9][0-9]{{12,13}})"\}}$'
).pattern
_CONDITION = re.compile(r"0x[0-9a-fA-F]{64}")
_TOKEN = re.compile(r"[0-9]{1,78}")
_MAX_TOKEN = 2**256


def _ids(head: str, tick_sizes: Mapping[str, Decimal]) -> tuple[str, str, Decimal, int] | None:
    """``(condition_id, token_id, tick, tick micro-units)`` of a frame head ``{"event_type":…,"asset_id":"<T>``,
    or None when the head is not exactly that shape or the token has no usable tick."""
    if not head.startswith(_HEAD):
        return None
    condition, sep, token = head[len(_HEAD):].partition(_ASSET)
    if not (sep and _CONDITION.fullmatch(condition) and _TOKEN.fullmatch(token)) or int(token) >= _MAX_TOKEN:
        return None
    if token not in tick_sizes:
        return None
    try:
        tick = p.tick_size(tick_sizes[token], f"tick_sizes[{token}]")
    except p.ParseError:
        return None
    units = tick * _MICRO
    if units != units.to_integral_value():
        return None
    return condition, token, tick, int(units)


def _micro(price: pl.Expr) -> pl.Expr:
    """Micro-units of ``""`` (-> null) or a string known to match ``0.`` + 1..6 digits."""
    return pl.when(price != "").then(price.str.slice(2).str.pad_end(DECIMAL_SCALE, "0").cast(pl.Int64))


class _Heads:
    """Distinct frame heads seen so far -> a small integer code, and the ids of the valid ones."""

    def __init__(self, tick_sizes: Mapping[str, Decimal]) -> None:
        self.tick_sizes = tick_sizes
        self.code: dict[str, int] = {}
        self.valid: list[tuple[int, str, str, Decimal, int]] = []

    def codes(self, heads: pl.Series) -> pl.Series:
        """The code of each head (new heads are parsed once, with :func:`_ids`)."""
        for head in heads.unique().to_list():
            if head is None or head in self.code:
                continue
            code = self.code[head] = len(self.code)
            found = _ids(head, self.tick_sizes)
            if found is not None:
                self.valid.append((code, *found))
        known = pl.Series(list(self.code), dtype=pl.String)
        numbers = pl.Series(list(self.code.values()), dtype=pl.UInt32)
        return heads.replace_strict(known, numbers, default=None, return_dtype=pl.UInt32)

    def table(self) -> pl.DataFrame:
        return pl.DataFrame(
            self.valid,
            schema={"code": pl.UInt32, "condition_id": pl.String, "token_id": pl.String,
                    "tick_size": DECIMAL_DTYPE, "tick_u": pl.Int64},
            orient="row",
        )


def _decode(batch: pl.DataFrame, heads: _Heads) -> pl.DataFrame:
    """Split and match one batch of candidate rows: ``row, recv_ms, code`` (of the head), ``bid, ask``
    (price text or ""), ``ts`` (Int64); rows whose tail does not match are dropped."""
    parts = batch.select("row", "recv_ms", split=pl.col("frame").str.split_exact(_SPLIT, 1)).unnest("split")
    parts = parts.filter(pl.col("field_1").is_not_null())
    tail = pl.col("field_1").str.extract_groups(_TAIL)
    return (
        parts.select("row", "recv_ms", heads.codes(parts.get_column("field_0")).alias("code"), tail=tail)
        .unnest("tail")
        .rename({"1": "bid", "2": "ask", "3": "ts"})
        .filter(pl.col("ts").is_not_null() & pl.col("code").is_not_null())
        .with_columns(pl.col("ts").cast(pl.Int64))
    )


def _sha256_hex(frames: pl.Series) -> pl.Series:
    """sha256 hex digest of each string's UTF-8 bytes (``parsing.provenance_hash`` of each), as a
    String series; the digests are hexlified in one C call and wrapped without a Python str each."""
    sha = hashlib.sha256
    digests = bytearray()
    for chunk in _slices(frames.cast(pl.Binary)):  # bounded: one list of digests per slice
        digests += b"".join([sha(raw).digest() for raw in chunk])
    n = len(frames)
    if n == 0:
        return pl.Series("provenance_hash", [], dtype=pl.String)
    offsets = pa.py_buffer(np.arange(0, 64 * n + 1, 64, dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), n, [None, offsets, pa.py_buffer(binascii.hexlify(digests))])
    return pl.Series("provenance_hash", text, dtype=pl.String)


def _slices(series: pl.Series, size: int = 262_144) -> list[pl.Series]:
    return [series.slice(start, size) for start in range(0, len(series), size)]


def fast_best_bid_ask(
    rows: pl.DataFrame, tick_sizes: Mapping[str, Decimal], budget_ms: int
) -> pl.DataFrame:
    """The MarketSnapshots of the rows of ``rows`` this path accepts (see the module docstring).

    Args:
        rows: ``row`` (UInt32, the caller's row id), ``recv_ms`` Int64, ``channel`` String,
            ``frame`` String.
        tick_sizes: tick size per token id (the frames carry none).
        budget_ms: freshness budget (ms): quality OK when ``recv_ms - timestamp <= budget_ms``, else WARN.

    Returns ``row`` plus the columns of ``polars_schema("MarketSnapshot")``, one row per accepted
    frame, ordered by ``row``; the same values, to the byte, as ``to_frame("MarketSnapshot", ...)``
    of what ``normalise_market_frame`` returns for each of those frames.
    """
    schema = polars_schema(_OBJECT)
    empty = pl.DataFrame(schema={"row": pl.UInt32, **schema})
    candidates = rows.filter(
        (pl.col("channel") == "market")
        & pl.col("frame").str.starts_with(_HEAD)
        & pl.col("recv_ms").is_between(_MIN_MS, _MAX_MS, closed="left")
    ).select("row", "recv_ms", "frame")
    if candidates.is_empty():
        return empty
    with ThreadPoolExecutor(max_workers=1) as pool:
        # hashlib in a worker thread (it holds the GIL) while polars decodes (it releases it)
        hashed = pool.submit(_sha256_hex, candidates.get_column("frame"))
        heads = _Heads(tick_sizes)
        decoded = pl.concat([_decode(batch, heads) for batch in candidates.iter_slices(_BATCH_ROWS)])
        provenance = hashed.result()
    ids = heads.table()
    bid_u, ask_u = _micro(pl.col("bid")), _micro(pl.col("ask"))
    both = bid_u.is_not_null() & ask_u.is_not_null()
    checked = (
        decoded.join(ids, on="code", how="inner")
        .with_columns(bid_u=bid_u, ask_u=ask_u)
        .filter(
            (pl.col("bid_u").is_null() | ((pl.col("bid_u") > 0) & (pl.col("bid_u") % pl.col("tick_u") == 0)))
            & (pl.col("ask_u").is_null() | ((pl.col("ask_u") > 0) & (pl.col("ask_u") % pl.col("tick_u") == 0)))
            & (~both | ((pl.col("bid_u") < pl.col("ask_u")) & ((pl.col("bid_u") + pl.col("ask_u")) % 2 == 0)))
        )
        .sort("row")
    )
    if checked.is_empty():
        return empty
    mid_u = (pl.col("bid_u") + pl.col("ask_u")) // 2
    age = pl.col("recv_ms") - pl.col("ts")
    out = checked.join(
        candidates.select("row").with_columns(provenance), on="row", how="left", maintain_order="left"
    ).select(
        "row",
        "provenance_hash",
        best_ask=pl.when(pl.col("ask") != "").then(pl.col("ask")).cast(DECIMAL_DTYPE),
        best_bid=pl.when(pl.col("bid") != "").then(pl.col("bid")).cast(DECIMAL_DTYPE),
        condition_id="condition_id",
        mid=pl.when(both).then(pl.format("0.{}", mid_u.cast(pl.String).str.zfill(DECIMAL_SCALE)))
        .cast(DECIMAL_DTYPE),
        spread_ticks=pl.when(both).then((pl.col("ask_u") - pl.col("bid_u")) // pl.col("tick_u")),
        tick_size="tick_size",
        token_id="token_id",
        ts_ms="ts",
        _age=age,
        _recv="recv_ms",
    )
    freshness = pl.struct(
        age_ms="_age",
        budget_ms=pl.lit(budget_ms, dtype=pl.Int64),
        provenance_hash="provenance_hash",
        quality=pl.when(pl.col("_age") <= budget_ms).then(pl.lit(Quality.OK.value))
        .otherwise(pl.lit(Quality.WARN.value)),
        receive_ts_ms="_recv",
        source_ts_ms="ts_ms",
        venue_hash=pl.lit(None, dtype=pl.String),
    ).alias("freshness")
    columns = ["best_ask", "best_bid", "condition_id", freshness, "mid", "spread_ticks", "tick_size", "token_id",
               "ts_ms"]
    return out.select("row", *columns).cast({"row": pl.UInt32, **dict(schema)})
