"""Book-hash rules: how a recording's book ``hash`` is derived from the book, by rule name.

A ``book`` frame of the market channel carries a ``hash``. Checking it needs the rule that made
it, and **the venue's live rule is not public / reproducible**: py-clob-client's
``generate_orderbook_summary_hash`` (sha1 of the compact JSON ``{market, asset_id, timestamp,
hash: "", bids, asks, min_order_size, tick_size, neg_risk, last_trade_price}``) needs
``min_order_size`` and ``neg_risk``, which a websocket book frame lacks, and is reported not to
reproduce live websocket hashes (Polymarket/py-clob-client-v2#117, Polymarket/rs-clob-client#225).
So a live capture has no known rule and its hashes are kept (``freshness.venue_hash``), not checked.

A fixture day whose hashes follow a known rule says so in its ``MANIFEST.json``
(``"book_hash_rule": "<name>"``, :data:`MANIFEST_KEY`); S2 then checks every book that sends a
non-empty string ``hash`` against that rule (:func:`declared_rule`, used by
:func:`polytraders.runtime.stages.ingest`). A day without the key, or naming a rule that is not in
:data:`RULES`, gets no hash check.

Known rules (:data:`RULES`, name -> ``fn(book object) -> hex digest``):

- ``polytraders-sha1-v1`` (:func:`polytraders_sha1_v1`): the stand-in rule of our own conversions,
  written by ``scripts/build_fixture_resolvedkit.py`` into day 2026-09-28 (documented in
  ``fixtures/README.md``, "Derived fields", book ``hash``) and used by ``scripts/build_fixture_pack.py``.
  Not the venue's rule: never compare it with live hashes.

:data:`FRAME_RULES` holds the same rules over a polars frame of decoded books (the vectorised S2
path); for a book whose strings need no JSON escaping both give the same digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

MANIFEST_FILE = "MANIFEST.json"
#: The key of a day's MANIFEST.json naming the rule its books' ``hash`` follows.
MANIFEST_KEY = "book_hash_rule"
POLYTRADERS_SHA1_V1 = "polytraders-sha1-v1"
#: The members of a book the ``polytraders-sha1-v1`` body holds, in this order.
SHA1_V1_KEYS = ("market", "asset_id", "timestamp", "bids", "asks")
_LEVELS = pl.List(pl.Struct({"price": pl.String, "size": pl.String}))


class BookHashError(ValueError):
    """A book cannot be hashed under a rule: a member the rule needs is missing or not a string,
    a side is not a list, or a level is not an object with string ``price`` and ``size``."""


def sha1_v1_body(book: Mapping[str, Any]) -> str:
    """The text ``polytraders-sha1-v1`` hashes: the compact JSON object

    ``{"market":m,"asset_id":a,"timestamp":t,"bids":[{"price":p,"size":s},...],"asks":[...]}``

    with every value the book's own **string** exactly as sent (``"0.5"`` stays ``"0.5"``, no
    number parsing), the levels of each side in the book's order (the venue's: bids ascending, asks
    descending, best last), each level as ``{"price":…,"size":…}`` in that key order, no whitespace,
    non-ASCII characters written as themselves: ``json.dumps(body, separators=(",", ":"),
    ensure_ascii=False)``. Other members (``hash``, ``tick_size``, ``event_type``,
    ``last_trade_price``, extra level keys) are not part of it.

    Source: ``scripts/build_fixture_resolvedkit.py`` (the conversion that wrote these hashes into
    ``fixtures/2026-09-28``) and ``fixtures/README.md`` ("Derived fields", book ``hash``).

    Raises BookHashError when a member is missing or of the wrong type (see the class).
    """
    body: dict[str, Any] = {}
    for key in SHA1_V1_KEYS[:3]:
        value = book.get(key)
        if not isinstance(value, str):
            raise BookHashError(f"{key}={value!r} is not a string")
        body[key] = value
    for side in SHA1_V1_KEYS[3:]:
        levels = book.get(side)
        if not isinstance(levels, list):
            raise BookHashError(f"{side}={levels!r} is not a list")
        rendered = []
        for index, level in enumerate(levels):
            price = level.get("price") if isinstance(level, Mapping) else None
            size = level.get("size") if isinstance(level, Mapping) else None
            if not (isinstance(price, str) and isinstance(size, str)):
                raise BookHashError(f"{side}[{index}]={level!r} is not a level with string price and size")
            rendered.append({"price": price, "size": size})
        body[side] = rendered
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def polytraders_sha1_v1(book: Mapping[str, Any]) -> str:
    """``polytraders-sha1-v1``: sha1 hex digest (40 lower-case hex digits) of the UTF-8 bytes of
    :func:`sha1_v1_body`. Raises BookHashError as that function does."""
    return hashlib.sha1(sha1_v1_body(book).encode("utf-8")).hexdigest()


def polytraders_sha1_v1_frame(books: pl.DataFrame) -> pl.Series:
    """:func:`polytraders_sha1_v1` of every row of ``books``: columns ``market``, ``asset_id``,
    ``timestamp`` String and ``bids``, ``asks`` List(Struct{price: String, size: String}) in the
    book's level order. The body is polars' compact JSON of the struct of the five columns; it is
    the text :func:`sha1_v1_body` gives for strings that need no JSON escaping (no ``"``, ``\\``,
    control character), the only ones the vectorised S2 path hands it. Returns a String Series
    named ``derived_hash``, one digest per row (null where a member is null)."""
    body = books.select(
        pl.struct(
            pl.col("market"), pl.col("asset_id"), pl.col("timestamp"),
            pl.col("bids").cast(_LEVELS), pl.col("asks").cast(_LEVELS),
        ).struct.json_encode()
    ).to_series()
    nulls = books.select(pl.any_horizontal(pl.col(*SHA1_V1_KEYS).is_null())).to_series()
    digests = [
        None if null else hashlib.sha1(text.encode("utf-8")).hexdigest()
        for text, null in zip(body, nulls, strict=True)
    ]
    return pl.Series("derived_hash", digests, dtype=pl.String)


#: Known rules: name -> digest of one book object (as parsed from the frame).
RULES: dict[str, Callable[[Mapping[str, Any]], str]] = {POLYTRADERS_SHA1_V1: polytraders_sha1_v1}
#: The same rules over a frame of decoded books (see :func:`polytraders_sha1_v1_frame`).
FRAME_RULES: dict[str, Callable[[pl.DataFrame], pl.Series]] = {POLYTRADERS_SHA1_V1: polytraders_sha1_v1_frame}


def known_rule(name: str | None) -> str | None:
    """``name`` when it is a rule of :data:`RULES`, else None (no check)."""
    return name if isinstance(name, str) and name in RULES else None


def require_rule(name: str | None) -> str | None:
    """``name`` (None passes through); raises ValueError when it is not a rule of :data:`RULES`."""
    if name is not None and name not in RULES:
        raise ValueError(f"unknown book hash rule {name!r}; known: {sorted(RULES)}")
    return name


def declared_rule(day_dir: Path) -> str | None:
    """The book-hash rule ``day_dir/MANIFEST.json`` declares (:data:`MANIFEST_KEY`) when it is a
    known rule; None when the file is absent, lacks the key, or names a rule we do not know.

    Raises ValueError when the file exists but is not a JSON object (a day whose manifest cannot be
    read must not silently lose its check).
    """
    path = day_dir / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise ValueError(f"{path} is not a JSON object")
    return known_rule(manifest.get(MANIFEST_KEY))
