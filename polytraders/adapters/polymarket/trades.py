"""Our fills out of one venue trade object (user-channel ``trade`` and REST ``/data/trades`` items)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from polytraders.adapters.polymarket import parsing as p
from polytraders.contracts import Fill
from polytraders.contracts.types import Side

_BPS = Decimal(10_000)
#: The venue rounds a fee to 5 decimals: 0.00001 USDC is the smallest fee charged.
FEE_QUANTUM_USDC = Decimal("0.00001")
_OTHER_SIDE = {Side.BUY: Side.SELL, Side.SELL: Side.BUY}


def fee_usdc(size: Decimal, price: Decimal, fee_rate_bps: int, exponent: int = 1) -> Decimal:
    """The TAKER fee in USDC of a fill of ``size`` shares at ``price``: the venue's documented formula.

    Source: Polymarket docs, Trading > Fees (https://docs.polymarket.com/trading/fees), for CLOB V2
    fee-enabled markets (2026): ``fee = C x feeRate x p x (1 - p)`` with C the shares, p the price and
    feeRate the market's rate (``feeSchedule.rate``; here ``fee_rate_bps / 10^4``, the rate the trade
    reports as applied), rounded to 5 decimal places (ROUND_HALF_UP; 0.00001 USDC minimum). Worked
    example of the docs: 100 shares at 0.50 with feeRate 0.07 pay 1.75 USDC. ``exponent`` is the
    ``feeSchedule.exponent`` applied to ``p x (1 - p)`` (1 on every current market, i.e. the formula
    above). Makers pay no fee (see :func:`trade_fills`). This replaces an earlier from-memory
    ``bps / 10^4 x min(p, 1 - p) x size`` (the pre-2026 base-fee form), which the docs do not give.
    """
    raw = taker_fee_per_share(price, Decimal(fee_rate_bps) / _BPS, exponent) * Fraction(size)
    return (Decimal(raw.numerator) / Decimal(raw.denominator)).quantize(FEE_QUANTUM_USDC, rounding=ROUND_HALF_UP)


def taker_fee_per_share(price: Decimal, taker_fee_rate: Decimal, exponent: int = 1) -> Fraction:
    """The exact (unrounded) taker fee of one share at ``price``: ``rate x (p x (1 - p))^exponent``
    USDC (docs.polymarket.com/trading/fees; py_clob_client_v2/fees.py ``platform_fee_rate``).
    :func:`fee_usdc` rounds it as the venue charges a fill; estimators sum it exactly first."""
    p = Fraction(price)
    return Fraction(taker_fee_rate) * (p * (1 - p)) ** exponent


def _maker_side(entry: Mapping[str, Any], token: str, taker_token: str, taker_side: Side, where: str) -> Side:
    """A maker entry's own ``side`` (CLOB V2); older payloads lack it, so derive it from the taker:
    the opposite side on the same token, the same side on the complementary token (a mint/merge)."""
    if entry.get("side") not in (None, ""):
        return p.side(entry["side"], f"{where}side")
    return _OTHER_SIDE[taker_side] if token == taker_token else taker_side


def _maker_fee(entry: Mapping[str, Any], at: str) -> Decimal:
    """A maker fill's fee: 0 USDC (makers pay nothing); the entry's ``fee_rate_bps`` is only validated."""
    p.integer(entry.get("fee_rate_bps") or 0, f"{at}fee_rate_bps")
    return Decimal(0)


def trade_fills(obj: Mapping[str, Any], ts_ms: int, our_owner_id: str, where: str = "") -> list[Fill]:
    """Our Fill(s) of one trade object, all stamped ``ts_ms``.

    ``trader_side`` TAKER: one fill from the top-level ``taker_order_id``/``asset_id``/``side``/
    ``price``/``size``. MAKER: one fill per ``maker_orders`` entry whose ``owner`` is
    ``our_owner_id``, with that entry's ``order_id``/``asset_id``/``price``/``matched_amount`` and side
    (NOT the top-level price and side, which are the taker's). A MAKER trade naming none of our
    orders raises ParseError(GOV_DQ_NO_OWN_FILL).

    Fees (https://docs.polymarket.com/trading/fees): a TAKER fill pays :func:`fee_usdc` at the trade's
    ``fee_rate_bps``; a MAKER fill pays 0 (makers are never charged; their rebate is paid separately,
    daily), though its entry's ``fee_rate_bps`` must still be a non-negative integer.
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
                fee_usdc=_maker_fee(entry, at),
                trade_status=status,
            )
        )
    if not fills:
        raise p.ParseError("GOV_DQ_NO_OWN_FILL", f"{where}MAKER trade {trade_id} has no maker order of ours")
    return fills
