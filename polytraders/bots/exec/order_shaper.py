"""exec.order_shaper — snap an approved intent to the venue's grids and derive its order amounts.

Method (exact Decimal / Fraction / int arithmetic; no float decides a price, size or amount)
    0. No builder code in the config → EXEC_NO_BUILDER_CODE for every intent: an order without its
       builder attribution is never built, let alone sent (fail closed).
    1. Only PLACE intents are shaped (a CANCEL has no order: EXEC_NOT_SHAPEABLE); the instrument
       must be the intent's market and list its token (else EXEC_UNKNOWN_INSTRUMENT), and say
       whether it is neg-risk (None: EXEC_NO_ROUTE — the plan names its exchange, unknown here).
    2. Price onto the instrument's tick grid, never more aggressive than asked: BUY floors,
       SELL ceils — ``k = price // tick`` (exact integer division), ``k + 1`` for a SELL with a
       remainder; ``price = k·tick``. A price outside [tick, 1 − tick] → EXEC_PRICE_OUT_OF_BAND.
    3. Size = min(approved_size, intent.size) rounded DOWN to ``size_decimals`` decimals; zero or
       below ``instrument.min_order_size`` → EXEC_BELOW_MIN_SIZE.
    4. Amount precision, as the venue enforces it per ORDER TYPE (collateral = price·size USDC,
       shares = size):

       - limit orders (GTC, GTD): shares at most 2 decimals, collateral at most
         ``ROUNDING_CONFIG[tick].amount`` decimals (py-clob-client-v2
         ``order_builder/builder.py``: tick 0.1 → 3, 0.01 → 4, 0.005 → 5, 0.0025 → 6,
         0.001 → 5, 0.0001 → 6; :data:`LIMIT_AMOUNT_DECIMALS`). Venue error, tick 0.01:
         "invalid amounts, the buy orders maker amount supports a max accuracy of 4 decimals,
         taker amount a max of 2 decimals". The table is the tick's decimals + 2, so a limit order
         on the grid always fits; a limit order on a tick outside the table is refused
         (EXEC_AMOUNT_PRECISION, fail closed).
       - marketable orders (FAK, FOK), whatever the tick: a BUY's maker amount (collateral) at
         most 2 decimals and taker amount (shares) at most 4; a SELL's maker amount (shares) at
         most 2 and taker amount (collateral) at most 4 (:data:`MARKET_DECIMALS`). Venue error:
         "invalid amounts, the market buy orders maker amount supports a max accuracy of 2
         decimals, taker amount a max of 4 decimals" (GitHub Polymarket/py-clob-client-v2
         issue #99; py-clob-client issue #305: one share at 0.962 costs 0.962, 3 decimals —
         5 shares cost 4.81). The SDK's own ``get_market_order_amounts`` rounds to the limit
         table and breaks this cap on fine ticks (issue #99); this bot does not mirror it.

       Shares fit by construction (``size_decimals <= 2``). The collateral fits when
       ``price·size`` has at most ``c`` decimals: with ``price·step·10^c = num/den`` in lowest
       terms (``step = 10^−size_decimals``), the count of size steps must be a multiple of
       ``den``, so it is rounded DOWN to one — the largest fitting size <= the shaped size,
       never above. E.g. FAK BUY 7 shares at 0.962: 0.962·0.01·10^2 = 481/500, 700 steps → 500
       (5.00 shares, 4.81 USDC). A resized size of zero or below ``min_order_size`` →
       EXEC_AMOUNT_PRECISION.
    5. Amounts in micro-units (x 10^6), as the venue's order struct (CTF Exchange):
       BUY ``maker_amount = price·size·10^6`` (collateral), ``taker_amount = size·10^6``
       (shares); SELL the reverse. Both are integers by step 4 (every cap is <= 6 decimals).

    ``plan_id`` = first 24 hex digits of sha256("exec.order_shaper|<intent_id>");
    ``neg_risk`` and ``tick_size`` from the instrument; ``builder_code`` from config;
    ``expiration_s`` 0 (exec.gtd_expiry_manager sets a GTD plan's).

Inputs
    ``intent`` — OrderIntent (price USDC per share, size shares, order_type, post_only);
    ``approved_size`` — Decimal shares the risk gate let through; ``instrument`` —
    InstrumentRecord of the intent's market (tick_size, min_order_size shares, neg_risk).

Returns
    ExecutionPlan (price USDC per share, size shares, amounts in micro-units), or
    Rejection(code, details) with string details (price, tick, size, ...).

Reason codes
    EXEC_NO_BUILDER_CODE, EXEC_NOT_SHAPEABLE, EXEC_UNKNOWN_INSTRUMENT, EXEC_NO_ROUTE,
    EXEC_PRICE_OUT_OF_BAND, EXEC_BELOW_MIN_SIZE, EXEC_AMOUNT_PRECISION.

Raises
    pydantic.ValidationError — invalid config (``size_decimals`` outside [0, 2]).
    ValueError — only if a collateral amount had more than 6 decimals (``to_micro``; unreachable:
    step 4 keeps it within the order type's decimals).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction

from py_clob_client_v2.order_builder.builder import ROUNDING_CONFIG
from pydantic import Field

from polytraders.adapters.mock_venue import to_micro
from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import ExecutionPlan, InstrumentRecord, OrderIntent, reason_codes
from polytraders.contracts.types import OrderType, Side

SLUG = "exec.order_shaper"
VERSION = "0.2.0"

NOT_SHAPEABLE = reason_codes.require("EXEC_NOT_SHAPEABLE")
UNKNOWN_INSTRUMENT = reason_codes.require("EXEC_UNKNOWN_INSTRUMENT")
NO_ROUTE = reason_codes.require("EXEC_NO_ROUTE")
NO_BUILDER_CODE = reason_codes.require("EXEC_NO_BUILDER_CODE")
OUT_OF_BAND = reason_codes.require("EXEC_PRICE_OUT_OF_BAND")
BELOW_MIN_SIZE = reason_codes.require("EXEC_BELOW_MIN_SIZE")
AMOUNT_PRECISION = reason_codes.require("EXEC_AMOUNT_PRECISION")

MICRO_DECIMALS = 6

#: Decimals a limit (GTC / GTD) order's collateral amount may carry, per tick size (USDC per
#: share): py-clob-client-v2 ``order_builder/builder.py`` ``ROUNDING_CONFIG[tick].amount``, read
#: from the SDK (0.1: 3, 0.01: 4, 0.005: 5, 0.0025: 6, 0.001: 5, 0.0001: 6).
LIMIT_AMOUNT_DECIMALS: dict[Decimal, int] = {Decimal(tick): rc.amount for tick, rc in ROUNDING_CONFIG.items()}
#: Decimals a marketable (FAK / FOK) order's amounts may carry, whatever the tick, by side:
#: (collateral, shares) — BUY maker collateral 2 / taker shares 4, SELL taker collateral 4 /
#: maker shares 2 (the venue's "market buy orders maker amount supports a max accuracy of 2
#: decimals, taker amount a max of 4 decimals").
MARKET_DECIMALS: dict[Side, tuple[int, int]] = {Side.BUY: (2, 4), Side.SELL: (4, 2)}
MARKETABLE = frozenset({OrderType.FAK, OrderType.FOK})


class Config(BotConfig):
    """Parameters of exec.order_shaper."""

    size_decimals: int = Field(
        default=2, ge=0, le=2,
        description="decimals of the order size, shares (venue: 2, the share-amount cap of limit orders and "
        "market sells)",
    )  # fmt: skip
    builder_code: str | None = Field(
        default=None,
        description="builder attribution code put on every plan (bytes32 hex); None: every intent is refused "
        "EXEC_NO_BUILDER_CODE, as an order without builder attribution is never sent",
    )


def snap_price(price: Decimal, tick: Decimal, side: Side) -> Decimal:
    """``price`` on the ``tick`` grid: floor for a BUY, ceil for a SELL (exact; USDC per share)."""
    steps = price // tick
    if side == Side.SELL and price % tick != 0:
        steps += 1
    return steps * tick


def checked_price(intent: OrderIntent, instrument: InstrumentRecord, builder_code: str | None) -> Decimal | Rejection:
    """The intent's price snapped to the instrument's tick grid (:func:`snap_price`), or why not.

    Steps 0-2 of the module docstring: EXEC_NO_BUILDER_CODE (no ``builder_code``: no order is
    built without its attribution), EXEC_NOT_SHAPEABLE (a CANCEL), EXEC_UNKNOWN_INSTRUMENT
    (another market or an unlisted token), EXEC_NO_ROUTE (``instrument.neg_risk`` None: exchange
    unknown), EXEC_PRICE_OUT_OF_BAND (snapped price outside [tick, 1 − tick]).
    """
    if not builder_code:
        return Rejection(NO_BUILDER_CODE, {"intent_id": intent.intent_id})
    if intent.kind != "PLACE":
        return Rejection(NOT_SHAPEABLE, {"intent_id": intent.intent_id, "kind": intent.kind})
    known = {token.token_id for token in instrument.tokens}
    if instrument.condition_id != intent.condition_id or intent.token_id not in known:
        return Rejection(UNKNOWN_INSTRUMENT, {"condition_id": intent.condition_id, "token_id": intent.token_id})
    if instrument.neg_risk is None:
        return Rejection(NO_ROUTE, {"condition_id": intent.condition_id, "neg_risk": "unknown"})
    tick = instrument.tick_size
    price = snap_price(intent.price, tick, intent.side)
    if not tick <= price <= 1 - tick:
        return Rejection(OUT_OF_BAND, {"price": str(price), "tick_size": str(tick), "side": intent.side.value})
    return price


def build_plan(
    slug: str,
    intent: OrderIntent,
    instrument: InstrumentRecord,
    *,
    price: Decimal,
    size: Decimal,
    order_type: OrderType,
    post_only: bool,
    maker_amount: int,
    taker_amount: int,
    builder_code: str | None,
) -> ExecutionPlan:
    """The ExecutionPlan of a shaped ``intent``: ids, token, time and side from the intent,
    ``tick_size`` / ``neg_risk`` from the instrument (``neg_risk`` known: see :func:`checked_price`),
    ``plan_id`` = first 24 hex digits of sha256("<slug>|<intent_id>"), ``expiration_s`` 0.

    Raises pydantic.ValidationError if a field breaks the contract (e.g. ``neg_risk`` None).
    """
    return ExecutionPlan(
        plan_id=hashlib.sha256(f"{slug}|{intent.intent_id}".encode()).hexdigest()[:24],
        intent_id=intent.intent_id,
        condition_id=intent.condition_id,
        token_id=intent.token_id,
        ts_ms=intent.ts_ms,
        side=intent.side,
        price=price,
        size=size,
        tick_size=instrument.tick_size,
        neg_risk=instrument.neg_risk,
        order_type=order_type,
        post_only=post_only,
        maker_amount=maker_amount,
        taker_amount=taker_amount,
        builder_code=builder_code,
    )


def collateral_decimals(order_type: OrderType, side: Side, tick: Decimal) -> int | None:
    """Decimals the venue lets an order's collateral amount (USDC) carry; None: a limit order on a
    tick outside :data:`LIMIT_AMOUNT_DECIMALS`. See step 4 of the module docstring."""
    if order_type in MARKETABLE:
        return MARKET_DECIMALS[side][0]
    return LIMIT_AMOUNT_DECIMALS.get(tick)


def shape(
    intent: OrderIntent, approved_size: Decimal, instrument: InstrumentRecord, config: Config
) -> ExecutionPlan | Rejection:
    """Shape one approved intent into an ExecutionPlan; see the module docstring."""
    price = checked_price(intent, instrument, config.builder_code)
    if isinstance(price, Rejection):
        return price

    step = Decimal(1).scaleb(-config.size_decimals)
    steps = int(max(Decimal(0), min(approved_size, intent.size)) // step)
    size = Decimal(steps) * step
    if steps == 0 or size < instrument.min_order_size:
        return Rejection(BELOW_MIN_SIZE, {"size": str(size), "min_order_size": str(instrument.min_order_size)})
    decimals = collateral_decimals(intent.order_type, intent.side, instrument.tick_size)
    # collateral of one size step in units of 10^-decimals USDC, num/den: steps -> multiple of den
    fitting = 0 if decimals is None else steps - steps % (Fraction(price * step) * 10**decimals).denominator
    if fitting == 0 or fitting * step < instrument.min_order_size:
        return Rejection(
            AMOUNT_PRECISION,
            {
                "price": str(price), "size": str(size), "resized": str(fitting * step),
                "collateral_decimals": str(decimals), "tick_size": str(instrument.tick_size),
                "order_type": intent.order_type.value, "side": intent.side.value,
                "min_order_size": str(instrument.min_order_size),
            },
        )  # fmt: skip
    collateral = to_micro(price * step * fitting)  # fits <= 6 decimals by construction (raises if not)
    shares = fitting * 10 ** (MICRO_DECIMALS - config.size_decimals)
    buy = intent.side == Side.BUY
    return build_plan(
        SLUG, intent, instrument,
        price=price, size=fitting * step, order_type=intent.order_type, post_only=intent.post_only,
        maker_amount=collateral if buy else shares, taker_amount=shares if buy else collateral,
        builder_code=config.builder_code,
    )  # fmt: skip
