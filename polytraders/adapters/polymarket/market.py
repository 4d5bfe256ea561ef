"""The market websocket channel (``wss://ws-subscriptions-clob.polymarket.com/ws/market``).

Payload formats: Polymarket CLOB websocket docs (market channel) and the public captures kept
under ``fixtures/reference/`` (nautilus_trader ``ws_messages/``, own Polytope-shaped capture).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets
from polytraders.adapters.polymarket import instruments as ins
from polytraders.adapters.polymarket import parsing as p
from polytraders.adapters.polymarket.book import book_snapshot, market_snapshot, resolve_tick
from polytraders.adapters.polymarket.book_hash import require_rule
from polytraders.adapters.polymarket.models import BookDelta
from polytraders.adapters.polymarket.quarantine import guarded
from polytraders.contracts import (
    InstrumentRecord,
    KeepAlive,
    MarketResolution,
    TickSizeChange,
    TradePrint,
    WireModel,
)

SOURCE = "polymarket.ws.market"

_Handler = Callable[["_Frame", Mapping[str, Any], str], list[WireModel]]


class _Frame:
    """What every handler of one raw frame needs."""

    def __init__(
        self, raw: str, receive_ts_ms: int, tick_sizes: Mapping[str, Decimal], budget_ms: int,
        hash_rule: str | None = None,
    ) -> None:
        self.raw = raw
        self.receive_ts_ms = receive_ts_ms
        self.tick_sizes = tick_sizes
        self.budget_ms = budget_ms
        self.hash_rule = hash_rule
        self.hash = p.provenance_hash(raw)

    def guard(self, build: Callable[[], list[WireModel]], where: str) -> list[WireModel]:
        return guarded(build, source=SOURCE, receive_ts_ms=self.receive_ts_ms, raw=self.raw, where=where)


def _book(frame: _Frame, obj: Mapping[str, Any], where: str) -> list[WireModel]:
    return [
        book_snapshot(
            obj,
            where=where,
            raw=frame.raw,
            receive_ts_ms=frame.receive_ts_ms,
            tick_sizes=frame.tick_sizes,
            budget_ms=frame.budget_ms,
            hash_rule=frame.hash_rule,
        )
    ]


def _optional_probability(value: Any, where: str) -> Decimal | None:
    return None if value in (None, "") else p.decimal(value, where)


def _delta(frame: _Frame, level: Mapping[str, Any], condition: str, ts: int, where: str) -> BookDelta:
    token = p.token_id(p.field(level, "asset_id", where), f"{where}asset_id")
    tick = resolve_tick(level, token, frame.tick_sizes, where)
    return BookDelta(
        condition_id=condition,
        token_id=token,
        ts_ms=ts,
        side=p.side(p.field(level, "side", where), f"{where}side"),
        price=p.on_grid(p.price(p.field(level, "price", where), f"{where}price"), tick, f"{where}price"),
        size=p.size(p.field(level, "size", where), f"{where}size"),
        best_bid=_optional_probability(level.get("best_bid"), f"{where}best_bid"),
        best_ask=_optional_probability(level.get("best_ask"), f"{where}best_ask"),
        venue_hash=ins.optional_id(level.get("hash")),
        provenance_hash=frame.hash,
    )


def _price_change(frame: _Frame, obj: Mapping[str, Any], where: str) -> list[WireModel]:
    condition = p.condition_id(p.field(obj, "market", where), f"{where}market")
    ts = p.ts_ms(p.field(obj, "timestamp", where), f"{where}timestamp")
    if "price_changes" not in obj:  # the 2024 single-level form
        return [_delta(frame, obj, condition, ts, where)]
    out: list[WireModel] = []
    for index, item in enumerate(p.as_list(obj["price_changes"], f"{where}price_changes")):
        at = f"{where}price_changes[{index}]."
        out += frame.guard(
            lambda item=item, at=at: [_delta(frame, p.as_object(item, at), condition, ts, at)], ""
        )
    return out


def _last_trade(frame: _Frame, obj: Mapping[str, Any], where: str) -> list[WireModel]:
    token = p.token_id(p.field(obj, "asset_id", where), f"{where}asset_id")
    tick = resolve_tick(obj, token, frame.tick_sizes, where)
    fee = obj.get("fee_rate_bps")
    return [
        TradePrint(
            condition_id=p.condition_id(p.field(obj, "market", where), f"{where}market"),
            token_id=token,
            ts_ms=p.ts_ms(p.field(obj, "timestamp", where), f"{where}timestamp"),
            price=p.on_grid(p.price(p.field(obj, "price", where), f"{where}price"), tick, f"{where}price"),
            size=p.size(p.field(obj, "size", where), f"{where}size"),
            side=p.side(p.field(obj, "side", where), f"{where}side"),
            fee_rate_bps=None if fee in (None, "") else p.integer(fee, f"{where}fee_rate_bps"),
            provenance_hash=frame.hash,
        )
    ]


def _tick_size_change(frame: _Frame, obj: Mapping[str, Any], where: str) -> list[WireModel]:
    return [
        TickSizeChange(
            condition_id=p.condition_id(p.field(obj, "market", where), f"{where}market"),
            token_id=p.token_id(p.field(obj, "asset_id", where), f"{where}asset_id"),
            ts_ms=p.ts_ms(p.field(obj, "timestamp", where), f"{where}timestamp"),
            old_tick_size=p.tick_size(p.field(obj, "old_tick_size", where), f"{where}old_tick_size"),
            new_tick_size=p.tick_size(p.field(obj, "new_tick_size", where), f"{where}new_tick_size"),
            provenance_hash=frame.hash,
        )
    ]


def _best_bid_ask(frame: _Frame, obj: Mapping[str, Any], where: str) -> list[WireModel]:
    return [
        market_snapshot(
            obj,
            raw=frame.raw,
            receive_ts_ms=frame.receive_ts_ms,
            tick_sizes=frame.tick_sizes,
            budget_ms=frame.budget_ms,
        )
    ]


def _new_market(frame: _Frame, obj: Mapping[str, Any], where: str) -> list[WireModel]:
    """``new_market``: tokens from ``assets_ids`` x ``outcomes``, tick from ``order_price_min_tick_size``.

    Defaults for fields the payload lacks: min_order_size DEFAULT_MIN_ORDER_SIZE_SHARES, neg_risk
    None (unknown: the frame does not say, so no order on it is signed until a record that says
    arrives), closed False, accepting_orders = active; category = first tag; as_of_ms = timestamp.
    """
    active = p.as_bool(p.field(obj, "active", where), f"{where}active")
    ids = p.as_list(p.field(obj, "assets_ids", where), f"{where}assets_ids")
    outcomes = p.as_list(p.field(obj, "outcomes", where), f"{where}outcomes")
    tick_field = f"{where}order_price_min_tick_size"
    return [
        InstrumentRecord(
            condition_id=p.condition_id(p.field(obj, "market", where), f"{where}market"),
            question=p.as_str(p.field(obj, "question", where), f"{where}question"),
            slug=p.as_str(p.field(obj, "slug", where), f"{where}slug"),
            category=ins.first_tag(obj.get("tags")),
            tokens=ins.tokens(ids, outcomes, where.rstrip(".") or "new_market"),
            tick_size=p.tick_size(p.field(obj, "order_price_min_tick_size", where), tick_field),
            min_order_size=ins.DEFAULT_MIN_ORDER_SIZE_SHARES,
            neg_risk=None,
            active=active,
            closed=False,
            accepting_orders=active,
            as_of_ms=p.ts_ms(p.field(obj, "timestamp", where), f"{where}timestamp"),
        )
    ]


def _market_resolved(frame: _Frame, obj: Mapping[str, Any], where: str) -> list[WireModel]:
    ids = tuple(
        p.token_id(token, f"{where}assets_ids[{index}]")
        for index, token in enumerate(p.as_list(p.field(obj, "assets_ids", where), f"{where}assets_ids"))
    )
    winner = p.token_id(p.field(obj, "winning_asset_id", where), f"{where}winning_asset_id")
    if winner not in ids:
        raise p.ParseError("GOV_DQ_SCHEMA", f"{where}winning_asset_id={winner} is not one of assets_ids")
    return [
        MarketResolution(
            condition_id=p.condition_id(p.field(obj, "market", where), f"{where}market"),
            ts_ms=p.ts_ms(p.field(obj, "timestamp", where), f"{where}timestamp"),
            token_ids=ids,
            winning_token_id=winner,
            winning_outcome=p.as_str(p.field(obj, "winning_outcome", where), f"{where}winning_outcome"),
            provenance_hash=frame.hash,
        )
    ]


_HANDLERS: dict[str, _Handler] = {
    "book": _book,
    "price_change": _price_change,
    "last_trade_price": _last_trade,
    "tick_size_change": _tick_size_change,
    "best_bid_ask": _best_bid_ask,
    "new_market": _new_market,
    "market_resolved": _market_resolved,
}


def _event(frame: _Frame, item: Any, where: str) -> list[WireModel]:
    obj = p.as_object(item, where.rstrip(".") or "frame")
    event_type = p.field(obj, "event_type", where)
    handler = _HANDLERS.get(event_type) if isinstance(event_type, str) else None
    if handler is None:
        raise p.ParseError("GOV_DQ_UNKNOWN_EVENT", f"{where}event_type={event_type!r} is not a market event")
    return handler(frame, obj, where)


def _frame(frame: _Frame) -> list[WireModel]:
    payload = p.load_json(frame.raw)
    if not isinstance(payload, list):
        return _event(frame, payload, "")
    out: list[WireModel] = []
    for index, item in enumerate(payload):
        where = f"[{index}]."
        out += frame.guard(lambda item=item, where=where: _event(frame, item, where), "")
    return out


def normalise_market_frame(
    raw: str,
    receive_ts_ms: int,
    tick_sizes: Mapping[str, Decimal],
    budgets: FreshnessBudgets = DEFAULT_BUDGETS,
    hash_rule: str | None = None,
) -> list[WireModel]:
    """Normalise one raw text frame of the market websocket channel.

    Args:
        raw: the frame text exactly as received: a JSON object, a JSON ARRAY of objects (the first
            frame after subscribing is an array of ``book`` objects; each element is normalised on
            its own, so one bad element is quarantined alone), or the text keep-alive ``PING``/``PONG``.
        receive_ts_ms: our receive time, epoch ms UTC.
        tick_sizes: tick size (USDC per share) per token id, used when the frame carries no
            ``tick_size`` of its own; a priced event for a token in neither is quarantined
            GOV_DQ_UNKNOWN_TOKEN.
        budgets: the run's freshness budgets; books and top-of-book are graded against
            ``budgets.ws_market_ms`` (past it quality is WARN).
        hash_rule: the book-hash rule the source's ``book`` hashes follow (a name of
            :data:`~polytraders.adapters.polymarket.book_hash.RULES`), or None (no check: the
            venue's live rule is not reproducible). With a rule, a book whose sent non-empty
            ``hash`` differs from the rule's digest is quarantined GOV_DQ_HASH_MISMATCH.

    Returns a list of: OrderBookSnapshot (``book``, levels re-ordered best-first), BookDelta
    (``price_change``, 2024 single-level form and current ``price_changes[]`` form, one per level;
    ``size`` is the new level total and ``"0"`` deletes it), TradePrint (``last_trade_price``),
    TickSizeChange (``tick_size_change``), MarketSnapshot (``best_bid_ask``), InstrumentRecord
    (``new_market``), MarketResolution (``market_resolved``), KeepAlive (``PING``/``PONG``), and
    QuarantineRecord for anything that does not normalise (GOV_DQ_MALFORMED_JSON, _MISSING_FIELD,
    _BAD_NUMBER, _NEGATIVE_SIZE, _PRICE_RANGE, _OFF_TICK, _CROSSED_BOOK, _TS_UNITS, _BAD_ID,
    _UNKNOWN_TOKEN, _UNKNOWN_EVENT, _SCHEMA, _HASH_MISMATCH). Timestamps of this channel are epoch ms.

    Never raises on bad input; raises ValueError for a ``hash_rule`` that is not a known rule.
    """
    require_rule(hash_rule)
    keep_alive = raw.strip()
    if keep_alive in ("PING", "PONG"):
        return guarded(
            lambda: [KeepAlive(channel="market", receive_ts_ms=receive_ts_ms, kind=keep_alive)],
            source=SOURCE,
            receive_ts_ms=receive_ts_ms,
            raw=raw,
        )
    frame = _Frame(raw, receive_ts_ms, tick_sizes, budgets.ws_market_ms, hash_rule)
    return frame.guard(lambda: _frame(frame), "")
