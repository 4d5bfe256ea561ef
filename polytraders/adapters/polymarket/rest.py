"""CLOB REST responses: ``GET /book``, ``GET /markets`` (page or single market), ``GET /data/trades``.

Payload formats: Polymarket CLOB REST docs and the captures under ``fixtures/reference/``
(nautilus_trader ``http_responses/book.json``, ``markets.json``, ``market.json``, ``clob_market_*``,
``http_trade*``; own ``rest_book_2026.json`` in the shape of a 2026 ``/book`` response).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets
from polytraders.adapters.polymarket import instruments as ins
from polytraders.adapters.polymarket import parsing as p
from polytraders.adapters.polymarket.book import book_snapshot
from polytraders.adapters.polymarket.quarantine import guarded
from polytraders.adapters.polymarket.trades import trade_fills
from polytraders.contracts import InstrumentRecord, WireModel

BOOK_SOURCE = "polymarket.rest.book"
MARKETS_SOURCE = "polymarket.rest.markets"
TRADES_SOURCE = "polymarket.rest.trades"


def _each(
    raw: str,
    source: str,
    receive_ts_ms: int | None,
    build: Callable[[Mapping[str, Any], str], list[WireModel]],
) -> list[WireModel]:
    """Apply ``build`` to one object, to each element of an array, or to each of a page's ``data[]``,
    so one bad element is quarantined alone."""

    def run() -> list[WireModel]:
        payload = p.load_json(raw)
        if isinstance(payload, Mapping) and isinstance(payload.get("data"), list):
            items, prefix = payload["data"], "data"
        elif isinstance(payload, list):
            items, prefix = payload, ""
        else:
            return build(p.as_object(payload, "response"), "")
        out: list[WireModel] = []
        for index, item in enumerate(items):
            where = f"{prefix}[{index}]."
            out += guarded(
                lambda item=item, where=where: build(p.as_object(item, where[:-1]), where),
                source=source,
                receive_ts_ms=receive_ts_ms,
                raw=raw,
            )
        return out

    return guarded(run, source=source, receive_ts_ms=receive_ts_ms, raw=raw)


def normalise_book_response(
    raw: str, receive_ts_ms: int, tick_sizes: Mapping[str, Decimal], budgets: FreshnessBudgets = DEFAULT_BUDGETS
) -> list[WireModel]:
    """Normalise a CLOB ``GET /book`` response (one object; an array as from ``POST /books``).

    Shape: ``{market, asset_id, timestamp (epoch ms string), hash, bids[], asks[]}`` with
    ``{price, size}`` decimal strings, bids ASCENDING and asks DESCENDING (best level last). 2026
    responses add ``min_order_size``, ``tick_size`` (strings) and ``neg_risk``; 2024 ones lack them.
    The response's ``tick_size`` is used for the grid check when sent, else ``tick_sizes[asset_id]``
    (else GOV_DQ_UNKNOWN_TOKEN). Returns OrderBookSnapshot(s), levels best-first, freshness against
    ``budgets.rest_book_ms``; QuarantineRecord(s) for what does not normalise. Never raises on bad input.
    """

    def build(obj: Mapping[str, Any], where: str) -> list[WireModel]:
        return [
            book_snapshot(
                obj,
                where=where,
                raw=raw,
                receive_ts_ms=receive_ts_ms,
                tick_sizes=tick_sizes,
                budget_ms=budgets.rest_book_ms,
            )
        ]

    return _each(raw, BOOK_SOURCE, receive_ts_ms, build)


def _clob_market(obj: Mapping[str, Any], where: str, as_of_ms: int) -> list[WireModel]:
    tokens = p.as_list(p.field(obj, "tokens", where), f"{where}tokens")
    entries = [p.as_object(token, f"{where}tokens[{i}]") for i, token in enumerate(tokens)]
    rewards = obj.get("rewards") if isinstance(obj.get("rewards"), Mapping) else {}
    return [
        InstrumentRecord(
            condition_id=p.condition_id(p.field(obj, "condition_id", where), f"{where}condition_id"),
            question=p.as_str(p.field(obj, "question", where), f"{where}question"),
            slug=p.as_str(p.field(obj, "market_slug", where), f"{where}market_slug"),
            category=ins.first_tag(obj.get("tags")),
            tokens=ins.tokens(
                [p.field(entry, "token_id", where) for entry in entries],
                [p.field(entry, "outcome", where) for entry in entries],
                f"{where}tokens",
            ),
            tick_size=p.tick_size(p.field(obj, "minimum_tick_size", where), f"{where}minimum_tick_size"),
            min_order_size=p.size(p.field(obj, "minimum_order_size", where), f"{where}minimum_order_size"),
            neg_risk=p.as_bool(p.field(obj, "neg_risk", where), f"{where}neg_risk"),
            neg_risk_market_id=ins.optional_id(obj.get("neg_risk_market_id")),
            end_ts_ms=ins.optional_iso_ms(obj.get("end_date_iso"), f"{where}end_date_iso"),
            active=p.as_bool(p.field(obj, "active", where), f"{where}active"),
            closed=p.as_bool(p.field(obj, "closed", where), f"{where}closed"),
            accepting_orders=p.as_bool(p.field(obj, "accepting_orders", where), f"{where}accepting_orders"),
            rewards=ins.rewards(rewards.get("min_size"), rewards.get("max_spread"), f"{where}rewards."),
            fees=ins.fees(None, obj.get("maker_base_fee"), obj.get("taker_base_fee"), where),
            as_of_ms=as_of_ms,
        )
    ]


def normalise_markets_page(raw: str, as_of_ms: int) -> list[WireModel]:
    """Normalise CLOB ``GET /markets`` (``{data: [...], next_cursor, limit, count}``) or
    ``GET /markets/{condition_id}`` (one market object) into one InstrumentRecord per market.

    Fields: condition_id, question, market_slug, tokens[{token_id, outcome}], minimum_tick_size and
    minimum_order_size (JSON numbers, read exactly from the JSON text), neg_risk, neg_risk_market_id
    (``""`` = none), end_date_iso (ISO-8601), active, closed, accepting_orders, rewards{min_size,
    max_spread (cents)}, maker_base_fee / taker_base_fee (bps); category = first tag. ``as_of_ms``
    (epoch ms) stamps every record. A bad market is quarantined alone (e.g. an empty token_id ->
    GOV_DQ_BAD_ID). Never raises on bad input.
    """
    return _each(raw, MARKETS_SOURCE, as_of_ms, lambda obj, where: _clob_market(obj, where, as_of_ms))


def normalise_trades_response(raw: str, receive_ts_ms: int, our_owner_id: str) -> list[WireModel]:
    """Normalise CLOB ``GET /data/trades`` (one trade, an array, or a page ``{data: [...], next_cursor}``).

    Each trade gives our Fill(s) as on the user channel (TAKER: top-level fields; MAKER: our
    ``maker_orders`` entries), stamped with ``match_time``, epoch SECONDS on this endpoint (a value
    in ms or ISO-8601 is quarantined GOV_DQ_TS_UNITS). Never raises on bad input.
    """

    def build(obj: Mapping[str, Any], where: str) -> list[WireModel]:
        ts = p.ts_seconds_as_ms(p.field(obj, "match_time", where), f"{where}match_time")
        return list(trade_fills(obj, ts, our_owner_id, where))

    return _each(raw, TRADES_SOURCE, receive_ts_ms, build)
