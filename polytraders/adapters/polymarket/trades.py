"""Our fills out of one venue trade object (user-channel ``trade`` and REST ``/data/trades`` items)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from polytraders.adapters.polymarket import parsing as p
from polytraders.contracts import Fill
from polytraders.contracts.types import Side

_BPS = Decimal(10_000)
_OTHER_SIDE = {Side.BUY: Side.SELL, Side.SELL: Side.BUY}


def fee_usdc(size: Decimal, price: Decimal, fee_rate_bps: int) -> Decimal:
    """The venue's base-fee formula: ``fee_rate_bps / 10^4 x min(price, 1 - price) x size`` in USDC."""
    return Decimal(fee_rate_bps) / _BPS * min(price, 1 - price) * size


def _maker_side(entry: Mapping[str, Any], token: str, taker_token: str, taker_side: Side, where: str) -> Side:
    """A maker entry's own ``side`` (CLOB V2); older payloads lack it, so derive it from the taker:
    the opposite side on the same token, the same side on the complementary token (a mint/merge)."""
    if entry.get("side") not in (None, ""):
        return p.side(entry["side"], f"{where}side")
    return _OTHER_SIDE[taker_side] if token == taker_token else taker_side


def trade_fills(obj: Mapping[str, Any], ts_ms: int, our_owner_id: str, where: str = "") -> list[Fill]:
    """Our Fill(s) of one trade object, all stamped ``ts_ms``.

    ``trader_side`` TAKER: one fill from the top-level ``taker_order_id``/``asset_id``/``side``/
    ``price``/``size``. MAKER: one fill per ``maker_orders`` entry whose ``owner`` is
    ``our_owner_id``, with that entry's ``order_id``/``asset_id``/``price``/``matched_amount`` and side
    (NOT the top-level price and side, which are the taker's). A MAKER trade naming none of our
    orders raises ParseError(GOV_DQ_NO_OWN_FILL).
    """
    trade_id = p.as_str(p.field(obj, "id", where), f"{where}id")
    condition = p.condition_id(p.field(obj, "market", where), f"{where}market")
    status = p.field(obj, "status", where)
    taker_token = p.token_id(p.field(obj, "asset_id", where), f"{where}asset_id")
    taker_side = p.side(p.field(obj, "side", where), f"{where}side")
    role = p.field(obj, "trader_side", where)
    if role == "TAKER":
        size = p.size(p.field(obj, "size", where), f"{where}size")
        price = p.price(p.field(obj, "price", where), f"{where}price")
        fee = p.integer(obj.get("fee_rate_bps") or 0, f"{where}fee_rate_bps")
        order_id = p.as_str(p.field(obj, "taker_order_id", where), f"{where}taker_order_id")
        return [
            Fill(
                fill_id=trade_id,
                order_id=order_id,
                condition_id=condition,
                token_id=taker_token,
                ts_ms=ts_ms,
                side=taker_side,
                price=price,
                size=size,
                liquidity="TAKER",
                fee_usdc=fee_usdc(size, price, fee),
                trade_status=status,
            )
        ]
    if role != "MAKER":
        raise p.ParseError("GOV_DQ_SCHEMA", f"{where}trader_side={role!r} is not MAKER or TAKER")
    fills = []
    for index, item in enumerate(p.as_list(p.field(obj, "maker_orders", where), f"{where}maker_orders")):
        at = f"{where}maker_orders[{index}]."
        entry = p.as_object(item, at[:-1])
        if entry.get("owner") != our_owner_id:
            continue
        token = p.token_id(p.field(entry, "asset_id", at), f"{at}asset_id")
        size = p.size(p.field(entry, "matched_amount", at), f"{at}matched_amount")
        price = p.price(p.field(entry, "price", at), f"{at}price")
        order_id = p.as_str(p.field(entry, "order_id", at), f"{at}order_id")
        fills.append(
            Fill(
                fill_id=f"{trade_id}:{order_id}",
                order_id=order_id,
                condition_id=condition,
                token_id=token,
                ts_ms=ts_ms,
                side=_maker_side(entry, token, taker_token, taker_side, at),
                price=price,
                size=size,
                liquidity="MAKER",
                fee_usdc=fee_usdc(
                    size, price, p.integer(entry.get("fee_rate_bps") or 0, f"{at}fee_rate_bps")
                ),
                trade_status=status,
            )
        )
    if not fills:
        raise p.ParseError("GOV_DQ_NO_OWN_FILL", f"{where}MAKER trade {trade_id} has no maker order of ours")
    return fills
