"""The authenticated user websocket channel (``wss://ws-subscriptions-clob.polymarket.com/ws/user``).

Payload formats: Polymarket CLOB websocket docs (user channel) and the real captures in
``fixtures/reference/nautilus_trader/.../ws_messages/`` (order_placement, order_cancel,
user_trade1-4) plus the CLOB V2 shapes of ``crates/adapters/polymarket/test_data/ws_user_*``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from polytraders.adapters.polymarket import parsing as p
from polytraders.adapters.polymarket.quarantine import guarded
from polytraders.adapters.polymarket.trades import trade_fills
from polytraders.contracts import OrderEvent, WireModel
from polytraders.contracts.trading import OrderStatus
from polytraders.contracts.types import OrderType

SOURCE = "polymarket.ws.user"
_STATUSES = frozenset(get_args(OrderStatus))


def _status(value: Any, where: str) -> tuple[str, str | None]:
    """``LIVE`` -> (LIVE, None); ``CANCELED_order couldn't be fully filled...`` -> (CANCELED, the text)."""
    text = p.as_str(value, f"{where}status")
    status, _, detail = text.partition("_")
    if status not in _STATUSES:
        raise p.ParseError("GOV_DQ_SCHEMA", f"{where}status={text!r} is not one of {sorted(_STATUSES)}")
    return status, detail or None


def _order(obj: Mapping[str, Any]) -> list[WireModel]:
    status, status_detail = _status(p.field(obj, "status"), "")
    original = p.size(p.field(obj, "original_size"), "original_size")
    matched_raw = p.field(obj, "size_matched")
    matched = p.size(matched_raw or "0", "size_matched")  # "" = nothing matched (FOK kill)
    if matched > original:
        raise p.ParseError("GOV_DQ_OVERFILL", f"size_matched={matched} > original_size={original}")
    order_type = obj.get("order_type")
    if order_type not in (None, "") and order_type not in OrderType.__members__:
        raise p.ParseError("GOV_DQ_SCHEMA", f"order_type={order_type!r} is not one of {list(OrderType)}")
    return [
        OrderEvent(
            order_id=p.as_str(p.field(obj, "id"), "id"),
            condition_id=p.condition_id(p.field(obj, "market")),
            token_id=p.token_id(p.field(obj, "asset_id")),
            ts_ms=p.ts_ms(p.field(obj, "timestamp")),
            event_type=p.field(obj, "type"),
            status=status,
            status_detail=status_detail,
            side=p.side(p.field(obj, "side")),
            price=p.price(p.field(obj, "price"), "price"),
            original_size=original,
            size_matched=matched,
            order_type=OrderType(order_type) if order_type else None,
        )
    ]


def _frame(raw: str, our_owner_id: str) -> list[WireModel]:
    obj = p.as_object(p.load_json(raw), "frame")
    event_type = p.field(obj, "event_type")
    if event_type == "order":
        return _order(obj)
    if event_type == "trade":
        return list(trade_fills(obj, p.ts_ms(p.field(obj, "timestamp")), our_owner_id))
    raise p.ParseError("GOV_DQ_UNKNOWN_EVENT", f"event_type={event_type!r} is not a user-channel event")


def normalise_user_frame(raw: str, receive_ts_ms: int, our_owner_id: str) -> list[WireModel]:
    """Normalise one raw text frame of the user websocket channel.

    Args:
        raw: the frame text exactly as received (one JSON object).
        receive_ts_ms: our receive time, epoch ms UTC.
        our_owner_id: our API key's owner UUID, which names our entries in a trade's ``maker_orders``.

    Returns:
        ``order`` -> one OrderEvent: ``type`` PLACEMENT/UPDATE/CANCELLATION, ``status`` LIVE/MATCHED/
        CANCELED/INVALID/DELAYED/UNMATCHED with any free text after ``_`` in ``status_detail``
        (``CANCELED_order couldn't be fully filled...``); ``size_matched`` ``""`` is 0 shares.
        ``trade`` -> our Fill(s) (see :func:`~polytraders.adapters.polymarket.trades.trade_fills`):
        TAKER one fill from the top-level fields, MAKER one per ``maker_orders`` entry we own.
        ``fee_usdc``: TAKER ``size x fee_rate_bps/10^4 x p x (1 - p)`` rounded to 5 decimals, MAKER 0
        (https://docs.polymarket.com/trading/fees; see
        :func:`~polytraders.adapters.polymarket.trades.fee_usdc`).
        ``ts_ms`` is the ``timestamp`` field, epoch MILLISECONDS; a ``timestamp`` in seconds (as in
        the real captures user_trade3/4) is quarantined GOV_DQ_TS_UNITS. Anything that does not
        normalise -> one QuarantineRecord (GOV_DQ_MALFORMED_JSON, _MISSING_FIELD, _BAD_ID,
        _TS_UNITS, _OVERFILL, _NO_OWN_FILL, _UNKNOWN_EVENT, _SCHEMA, ...).

    Never raises on bad input.
    """
    return guarded(lambda: _frame(raw, our_owner_id), source=SOURCE, receive_ts_ms=receive_ts_ms, raw=raw)
