"""Gamma API markets and events (``https://gamma-api.polymarket.com/markets``, ``/events``).

Payload formats: the Gamma API docs and the captures under ``fixtures/reference/`` (nautilus_trader
``gamma_*.json`` and ``http_responses/``; own ``gamma_events.json`` in the shape of a live
``/events`` capture). Gamma's list fields (``outcomes``, ``outcomePrices``, ``clobTokenIds``) arrive as
JSON-ENCODED STRINGS (plain arrays in some trimmed files); some numbers are bare JSON numbers.
Fees: 2026 markets carry ``feeSchedule`` {rate, exponent, takerOnly, rebateRate}, the parameters of the
venue's taker-fee formula (https://docs.polymarket.com/trading/fees), next to legacy base fees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from polytraders.adapters.polymarket import instruments as ins
from polytraders.adapters.polymarket import parsing as p
from polytraders.adapters.polymarket.quarantine import guarded
from polytraders.contracts import InstrumentRecord, WireModel

SOURCE = "polymarket.gamma.markets"


def _uma_status(value: Any, where: str) -> str | None:
    """Gamma's ``umaResolutionStatus`` (absent, null or "" while nothing is proposed): the string
    as sent, or None."""
    if value is None or value == "":
        return None
    return p.as_str(value, where)


def _market(obj: Mapping[str, Any], where: str, as_of_ms: int) -> InstrumentRecord:
    token_ids = p.json_list(p.field(obj, "clobTokenIds", where), f"{where}clobTokenIds")
    outcomes = p.json_list(p.field(obj, "outcomes", where), f"{where}outcomes")
    return InstrumentRecord(
        condition_id=p.condition_id(p.field(obj, "conditionId", where), f"{where}conditionId"),
        question=p.as_str(p.field(obj, "question", where), f"{where}question"),
        slug=p.as_str(p.field(obj, "slug", where), f"{where}slug"),
        category=obj.get("category") if isinstance(obj.get("category"), str) and obj["category"] else None,
        tokens=ins.tokens(token_ids, outcomes, where.rstrip(".") or "market"),
        tick_size=p.tick_size(p.field(obj, "orderPriceMinTickSize", where), f"{where}orderPriceMinTickSize"),
        min_order_size=p.size(p.field(obj, "orderMinSize", where), f"{where}orderMinSize"),
        neg_risk=None if obj.get("negRisk") is None else p.as_bool(obj["negRisk"], f"{where}negRisk"),
        neg_risk_market_id=ins.optional_id(obj.get("negRiskMarketID")),
        start_ts_ms=ins.optional_iso_ms(obj.get("startDate"), f"{where}startDate"),
        end_ts_ms=ins.optional_iso_ms(obj.get("endDate"), f"{where}endDate"),
        uma_resolution_status=_uma_status(obj.get("umaResolutionStatus"), f"{where}umaResolutionStatus"),
        active=p.as_bool(p.field(obj, "active", where), f"{where}active"),
        closed=p.as_bool(p.field(obj, "closed", where), f"{where}closed"),
        accepting_orders=p.as_bool(obj.get("acceptingOrders", False), f"{where}acceptingOrders"),
        rewards=ins.rewards(obj.get("rewardsMinSize"), obj.get("rewardsMaxSpread"), f"{where}rewards"),
        fees=ins.fees(
            obj.get("feesEnabled"),
            obj.get("makerBaseFee"),
            obj.get("takerBaseFee"),
            where,
            schedule=obj.get("feeSchedule"),
        ),
        as_of_ms=as_of_ms,
    )


def _items(payload: Any) -> list[tuple[str, Any]]:
    """(where, market) pairs of a market, an event (``markets[]``), or an array of either."""
    if isinstance(payload, Mapping):
        if "conditionId" not in payload and isinstance(payload.get("markets"), list):
            return [(f"markets[{i}].", market) for i, market in enumerate(payload["markets"])]
        return [("", payload)]
    pairs = []
    for i, item in enumerate(p.as_list(payload, "response")):
        pairs += [(f"[{i}].{where}", market) for where, market in _items(item)]
    return pairs


def normalise_gamma_markets(raw: str, as_of_ms: int) -> list[WireModel]:
    """Normalise a Gamma ``/markets`` or ``/events`` response into one InstrumentRecord per market.

    Accepts one market, one event (its ``markets[]``), or an array of markets or events. Fields:
    conditionId, question, slug, outcomes + clobTokenIds (JSON-encoded strings or arrays, paired by
    position), orderPriceMinTickSize, orderMinSize, negRisk (None when absent: unknown), negRiskMarketID,
    startDate / endDate (ISO-8601), active, closed, acceptingOrders (default False),
    rewardsMinSize / rewardsMaxSpread (cents), feesEnabled + ``feeSchedule`` {rate, exponent,
    takerOnly} when present (2026 fee-enabled markets, e.g. ``feeType`` ``crypto_fees_v2``), else
    makerBaseFee / takerBaseFee (bps; see :func:`~polytraders.adapters.polymarket.instruments.fees`),
    category, umaResolutionStatus (string, absent until an outcome is proposed: None).
    ``as_of_ms`` (epoch ms) stamps every record. Each market normalises or is quarantined
    on its own (trimmed or legacy AMM markets lack the CLOB fields: GOV_DQ_MISSING_FIELD).
    Never raises on bad input.
    """

    def run() -> list[WireModel]:
        out: list[WireModel] = []
        for where, market in _items(p.load_json(raw)):
            out += guarded(
                lambda market=market, where=where: [
                    _market(p.as_object(market, where or "market"), where, as_of_ms)
                ],
                source=SOURCE,
                receive_ts_ms=as_of_ms,
                raw=raw,
            )
        return out

    return guarded(run, source=SOURCE, receive_ts_ms=as_of_ms, raw=raw)
