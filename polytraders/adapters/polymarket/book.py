"""Order books and top-of-book snapshots, shared by the websocket and REST normalisers."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from polytraders.adapters.polymarket import parsing as p
from polytraders.adapters.polymarket.book_hash import RULES, BookHashError
from polytraders.contracts import BookLevel, Freshness, MarketSnapshot, OrderBookSnapshot
from polytraders.contracts.types import Quality


def resolve_tick(
    obj: Mapping[str, Any], token: str, tick_sizes: Mapping[str, Decimal], where: str
) -> Decimal:
    """The payload's own ``tick_size`` when sent, else ``tick_sizes[token]``, else GOV_DQ_UNKNOWN_TOKEN."""
    own = obj.get("tick_size")
    if own not in (None, ""):
        return p.tick_size(own, f"{where}tick_size")
    if token not in tick_sizes:
        raise p.ParseError("GOV_DQ_UNKNOWN_TOKEN", f"{where}asset_id={token} has no known tick size")
    return p.tick_size(tick_sizes[token], f"tick_sizes[{token}]")


def freshness(source_ts_ms: int, receive_ts_ms: int, budget_ms: int, raw: str, venue_hash: Any) -> Freshness:
    """Freshness of one observation: OK when ``receive - source <= budget_ms``, else WARN."""
    age_ms = receive_ts_ms - source_ts_ms
    return Freshness(
        source_ts_ms=source_ts_ms,
        receive_ts_ms=receive_ts_ms,
        age_ms=age_ms,
        budget_ms=budget_ms,
        quality=Quality.OK if age_ms <= budget_ms else Quality.WARN,
        provenance_hash=p.provenance_hash(raw),
        venue_hash=venue_hash if isinstance(venue_hash, str) and venue_hash else None,
    )


def _levels(value: Any, where: str, tick: Decimal, descending: bool) -> tuple[BookLevel, ...]:
    levels = []
    for index, item in enumerate(p.as_list(value, where)):
        at = f"{where}[{index}]."
        level = p.as_object(item, at[:-1])
        price = p.on_grid(p.price(p.field(level, "price", at), f"{at}price"), tick, f"{at}price")
        levels.append(BookLevel(price=price, size=p.size(p.field(level, "size", at), f"{at}size")))
    prices = [level.price for level in levels]
    if len(set(prices)) != len(prices):
        raise p.ParseError("GOV_DQ_SCHEMA", f"{where} repeats a price level")
    return tuple(sorted(levels, key=lambda level: level.price, reverse=descending))


def book_snapshot(
    obj: Mapping[str, Any],
    *,
    where: str,
    raw: str,
    receive_ts_ms: int,
    tick_sizes: Mapping[str, Decimal],
    budget_ms: int,
    hash_rule: str | None = None,
) -> OrderBookSnapshot:
    """An OrderBookSnapshot from a venue book object (WS ``book`` or REST ``/book``).

    The venue sends bids ASCENDING and asks DESCENDING (best level LAST); levels are re-ordered
    best-first (bids descending, asks ascending). Raises ParseError on a bad field, an off-grid
    price (GOV_DQ_OFF_TICK) or a crossed book (GOV_DQ_CROSSED_BOOK); then, with ``hash_rule`` (a
    name of :data:`~polytraders.adapters.polymarket.book_hash.RULES`, the rule the source's hashes
    follow) and a non-empty string ``hash`` in ``obj``, GOV_DQ_HASH_MISMATCH when the rule's digest
    of ``obj`` differs from it or cannot be derived (a member the rule needs is not a string). A
    book without a ``hash`` is not checked. Raises KeyError for a ``hash_rule`` not in RULES.
    """
    condition = p.condition_id(p.field(obj, "market", where), f"{where}market")
    token = p.token_id(p.field(obj, "asset_id", where), f"{where}asset_id")
    source_ts = p.ts_ms(p.field(obj, "timestamp", where), f"{where}timestamp")
    tick = resolve_tick(obj, token, tick_sizes, where)
    bids = _levels(p.field(obj, "bids", where), f"{where}bids", tick, descending=True)
    asks = _levels(p.field(obj, "asks", where), f"{where}asks", tick, descending=False)
    if bids and asks and bids[0].price >= asks[0].price:
        raise p.ParseError(
            "GOV_DQ_CROSSED_BOOK", f"{where}best bid {bids[0].price} >= best ask {asks[0].price}"
        )
    if hash_rule is not None:
        check_hash(obj, hash_rule, where)
    return OrderBookSnapshot(
        condition_id=condition,
        token_id=token,
        ts_ms=source_ts,
        tick_size=tick,
        bids=bids,
        asks=asks,
        freshness=freshness(source_ts, receive_ts_ms, budget_ms, raw, obj.get("hash")),
    )


def check_hash(obj: Mapping[str, Any], hash_rule: str, where: str) -> None:
    """Check a book object's sent ``hash`` against rule ``hash_rule`` (see :func:`book_snapshot`).

    Raises ParseError(GOV_DQ_HASH_MISMATCH) on a mismatch or an underivable digest; KeyError for an
    unknown rule. A missing, empty or non-string ``hash`` is not checked.
    """
    sent = obj.get("hash")
    if not isinstance(sent, str) or not sent:
        return
    try:
        derived = RULES[hash_rule](obj)
    except BookHashError as exc:
        raise p.ParseError(
            "GOV_DQ_HASH_MISMATCH", f"{where}hash={sent!r} cannot be checked under rule {hash_rule}: {exc}"
        ) from exc
    if derived != sent:
        raise p.ParseError(
            "GOV_DQ_HASH_MISMATCH", f"{where}hash={sent!r} but rule {hash_rule} gives {derived!r} for this book"
        )


def market_snapshot(
    obj: Mapping[str, Any],
    *,
    raw: str,
    receive_ts_ms: int,
    tick_sizes: Mapping[str, Decimal],
    budget_ms: int,
) -> MarketSnapshot:
    """A MarketSnapshot from a ``best_bid_ask`` object; ``""`` for a side means that side is empty.

    mid = (bid + ask) / 2 and spread_ticks = (ask - bid) / tick when both sides exist. Raises
    ParseError (GOV_DQ_OFF_TICK, GOV_DQ_CROSSED_BOOK, ...) on bad input.
    """
    condition = p.condition_id(p.field(obj, "market"))
    token = p.token_id(p.field(obj, "asset_id"))
    source_ts = p.ts_ms(p.field(obj, "timestamp"))
    tick = resolve_tick(obj, token, tick_sizes, "")
    bid, ask = (
        None if obj.get(key) in (None, "") else p.on_grid(p.price(obj[key], key), tick, key)
        for key in ("best_bid", "best_ask")
    )
    both = bid is not None and ask is not None
    if both and bid >= ask:
        raise p.ParseError("GOV_DQ_CROSSED_BOOK", f"best_bid {bid} >= best_ask {ask}")
    return MarketSnapshot(
        condition_id=condition,
        token_id=token,
        ts_ms=source_ts,
        tick_size=tick,
        best_bid=bid,
        best_ask=ask,
        mid=(bid + ask) / 2 if both else None,
        spread_ticks=int((ask - bid) / tick) if both else None,
        freshness=freshness(source_ts, receive_ts_ms, budget_ms, raw, obj.get("hash")),
    )
