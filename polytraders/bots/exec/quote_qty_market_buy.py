"""exec.quote_qty_market_buy — shape a market BUY sized in collateral notional (USDC to spend).

Method (exact Decimal / Fraction / int arithmetic; no float decides a price or amount)
    The venue's market BUY (FAK / FOK) takes the USDC to spend, not a share count
    (docs.polymarket.com "Create order": "BUY: specify the dollar amount you want to spend"),
    and caps a market buy's maker amount (collateral) at 2 decimals and its taker amount
    (shares) at 4, whatever the tick ("invalid amounts, the market buy orders maker amount
    supports a max accuracy of 2 decimals, taker amount a max of 4 decimals";
    exec.order_shaper ``MARKET_DECIMALS``).

    1. The intent is checked and its price snapped as by exec.order_shaper
       (:func:`~polytraders.bots.exec.order_shaper.checked_price`: a PLACE on the instrument's
       token, neg-risk known, price in [tick, 1 − tick]); it must be a BUY (a SELL is sized in
       shares: exec.order_shaper.shape with FAK / FOK) — else EXEC_NOT_SHAPEABLE. The intent's
       price is the WORST price, a cap: it is floored onto the tick grid, never more
       aggressive than asked.
    2. ``notional = floor(notional_usdc, 2 decimals)`` (the maker-amount cap). Below
       ``config.min_notional_usdc`` → EXEC_BELOW_MIN_NOTIONAL. Default 1 USDC: the venue's
       minimum market buy as its clients enforce it (nautilus_trader issue #3874 "market order:
       minimum amount is $1"; kuestcom/prediction-market PR #388) — a configurable default, not
       a documented venue constant. The market's ``min_order_size`` (shares) is the LIMIT-order
       minimum and is not applied here.
    3. ``shares = floor(notional / price, 4 decimals)`` (the taker-amount cap). This is the
       venue SDK's rule: py-clob-client-v2 ``OrderBuilder.get_market_order_amounts`` computes
       ``maker / price`` and rounds it down to ``ROUNDING_CONFIG[tick].amount`` decimals — 4 on a
       0.01 tick, where the two agree exactly (tested). On finer ticks that table says 5 or 6,
       which the venue refuses (GitHub Polymarket/py-clob-client-v2 issue #99); the flat 4 here
       is the venue's cap (as rs-clob-client PR #164 truncates: maker 2, taker 4). Flooring the
       shares makes the order's implied price ``maker / taker`` at least the worst price (by
       less than ``price·10^−4 / shares``), so the level AT the worst price stays reachable —
       the venue computes the same (clob-client PR #61: implied 0.600000240000096 for 0.6).
    4. Plan: ``price`` = the snapped worst price, ``size`` = shares, ``order_type`` =
       ``config.order_type`` (FAK default), ``post_only`` False (the venue refuses post-only
       market orders), ``maker_amount = notional·10^6``, ``taker_amount = shares·10^6``,
       ``plan_id`` = first 24 hex digits of sha256("exec.quote_qty_market_buy|<intent_id>"),
       ``expiration_s`` 0. Unlike a limit plan, ``maker_amount`` is NOT ``price·size·10^6``
       but at least it (the notional spent).

Inputs
    ``shape_market_buy(intent, notional_usdc, instrument, config)`` — the same call shape as
    exec.order_shaper.shape (runtime.oms ``Shaper``). Read from ``intent``: intent_id,
    condition_id, token_id, ts_ms, kind, side (BUY), price (worst price, USDC per share);
    ``intent.size``, ``order_type`` and ``post_only`` are NOT read (the notional sizes the
    order, the config types it). ``notional_usdc`` — Decimal USDC to spend;
    ``instrument`` — InstrumentRecord of the intent's market (tick_size, neg_risk).

Returns
    ExecutionPlan (price USDC per share, size shares with <= 4 decimals, maker_amount
    collateral micro-units with <= 2 decimals of USDC, taker_amount share micro-units), or
    Rejection(code, details) with string details.

Reason codes
    EXEC_NO_BUILDER_CODE (no builder code configured), EXEC_NOT_SHAPEABLE, EXEC_UNKNOWN_INSTRUMENT,
    EXEC_NO_ROUTE, EXEC_PRICE_OUT_OF_BAND (step 1, as exec.order_shaper), EXEC_BELOW_MIN_NOTIONAL.

Raises
    pydantic.ValidationError — invalid config (``min_notional_usdc`` <= 0, ``order_type`` not
    FAK / FOK).
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Literal

from pydantic import Field

from polytraders.adapters.mock_venue import to_micro
from polytraders.bots.base import BotConfig, Rejection
from polytraders.bots.exec.order_shaper import MARKET_DECIMALS, MICRO_DECIMALS, build_plan, checked_price
from polytraders.contracts import ExecutionPlan, InstrumentRecord, OrderIntent, reason_codes
from polytraders.contracts.types import OrderType, Side

SLUG = "exec.quote_qty_market_buy"
VERSION = "0.1.0"

NOT_SHAPEABLE = reason_codes.require("EXEC_NOT_SHAPEABLE")
BELOW_MIN_NOTIONAL = reason_codes.require("EXEC_BELOW_MIN_NOTIONAL")

_NOTIONAL_DECIMALS, _SHARE_DECIMALS = MARKET_DECIMALS[Side.BUY]


class Config(BotConfig):
    """Parameters of exec.quote_qty_market_buy."""

    min_notional_usdc: Decimal = Field(
        default=Decimal(1), gt=0, description="smallest market buy, USDC (the venue's $1 minimum as clients enforce it)"
    )
    order_type: Literal[OrderType.FAK, OrderType.FOK] = Field(
        default=OrderType.FAK, description="marketable order type: FAK (fill what is there) or FOK (all or nothing)"
    )
    builder_code: str | None = Field(
        default=None, description="builder attribution code put on every plan (bytes32 hex); None: every intent is "
        "refused EXEC_NO_BUILDER_CODE, as with exec.order_shaper")


def shape_market_buy(
    intent: OrderIntent, notional_usdc: Decimal, instrument: InstrumentRecord, config: Config
) -> ExecutionPlan | Rejection:
    """Shape a market BUY spending ``notional_usdc`` USDC at worst ``intent.price``; see the module docstring."""
    price = checked_price(intent, instrument, config.builder_code)
    if isinstance(price, Rejection):
        return price
    if intent.side != Side.BUY:
        return Rejection(NOT_SHAPEABLE, {"intent_id": intent.intent_id, "side": intent.side.value})
    notional = max(Decimal(0), notional_usdc).quantize(Decimal(1).scaleb(-_NOTIONAL_DECIMALS), rounding=ROUND_FLOOR)
    if notional < config.min_notional_usdc:
        return Rejection(
            BELOW_MIN_NOTIONAL, {"notional_usdc": str(notional), "min_notional_usdc": str(config.min_notional_usdc)}
        )
    share_units = math.floor(Fraction(notional) / Fraction(price) * 10**_SHARE_DECIMALS)
    return build_plan(
        SLUG, intent, instrument,
        price=price, size=Decimal(share_units).scaleb(-_SHARE_DECIMALS), order_type=config.order_type, post_only=False,
        maker_amount=to_micro(notional),
        taker_amount=share_units * 10 ** (MICRO_DECIMALS - _SHARE_DECIMALS),
        builder_code=config.builder_code,
    )  # fmt: skip
