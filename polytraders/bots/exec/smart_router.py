"""exec.smart_router — choose how an approved order goes to the venue: order type, post-only, exchange, batch.

Method (exact Decimal comparisons; rules of docs.polymarket.com/trading/orders/overview — GTC / GTD rest on the
book, FOK / FAK execute immediately against it, ``postOnly`` only with GTC / GTD and rejected when it
would cross; neg-risk markets settle on the neg-risk CTF exchange, see
``polytraders/adapters/polymarket/wallets.py``)
    1. Only a PLACE intent is routed, and only with the instrument of its market; the exchange must be
       known: ``instrument.neg_risk is None`` → EXEC_NO_ROUTE (which exchange signs it is unknown).
    2. Marketable: a BUY at ``price >= best_ask``, a SELL at ``price <= best_bid`` (a missing touch on
       that side makes nothing marketable).
    3. A post-only intent rests: GTC, or GTD when ``config.gtd_lifetime_s > 0`` (the GTD expiry itself
       is exec.gtd_expiry_manager's); a marketable post-only intent would cross → EXEC_NO_ROUTE (a venue
       "would cross" rejection after submit is exec.post_only_reprice's).
    4. An intent that is not post-only needs the touch it would take from (best ask for a BUY, best bid
       for a SELL): missing → EXEC_NO_ROUTE. Marketable → FAK (fill what the book has up to the limit,
       kill the rest), or FOK when ``config.all_or_none``; not marketable → rests as in 3 with
       ``post_only`` False (the strategy accepts taking at its limit if the book moves).
    The intent's own ``order_type`` is not read: the route decides it.
    ``use_batch``: orders sharing one submit time go in one batch request (``POST /orders``) when
    there are at least ``config.min_batch_orders`` of them, else one by one (``POST /order``).

Inputs
    ``intent`` — OrderIntent; ``instrument`` — InstrumentRecord of its market; ``best_bid`` /
    ``best_ask`` — Decimal USDC per share of the touch as of the intent's time, or None (empty side).

Returns
    Route (order type, post-only flag, neg-risk exchange flag, GTD lifetime in seconds, reason code
    EXEC_ROUTE_POST_ONLY or EXEC_ROUTE_TAKER; ``codes`` adds EXEC_ROUTE_NEG_RISK on a neg-risk market),
    or Rejection(EXEC_NO_ROUTE, details) with string details naming the rule.

Reason codes
    EXEC_ROUTE_POST_ONLY, EXEC_ROUTE_TAKER, EXEC_ROUTE_NEG_RISK, EXEC_NO_ROUTE.

Raises
    pydantic.ValidationError — invalid config (negative lifetime, ``min_batch_orders`` < 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field

from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import InstrumentRecord, OrderIntent, reason_codes
from polytraders.contracts.types import OrderType, Side

SLUG = "exec.smart_router"
VERSION = "0.1.0"

ROUTE_POST_ONLY = reason_codes.require("EXEC_ROUTE_POST_ONLY")
ROUTE_TAKER = reason_codes.require("EXEC_ROUTE_TAKER")
ROUTE_NEG_RISK = reason_codes.require("EXEC_ROUTE_NEG_RISK")
NO_ROUTE = reason_codes.require("EXEC_NO_ROUTE")


class Config(BotConfig):
    """Parameters of exec.smart_router."""

    gtd_lifetime_s: int = Field(
        default=0, ge=0, description="resting orders go GTD with this lifetime when > 0, else GTC; seconds"
    )
    all_or_none: bool = Field(default=False, description="marketable orders go FOK (all or nothing) instead of FAK")
    min_batch_orders: int = Field(
        default=2, ge=2, description="orders sharing a submit time that go as one batch request; orders"
    )


@dataclass(frozen=True, slots=True)
class Route:
    """How one order goes to the venue.

    ``order_type`` GTC / GTD (resting) or FAK / FOK (taking); ``post_only`` the order body's flag;
    ``neg_risk`` True = the neg-risk CTF exchange; ``lifetime_s`` the GTD lifetime in seconds (0 unless
    GTD); ``code`` EXEC_ROUTE_POST_ONLY (resting) or EXEC_ROUTE_TAKER (taking).
    """

    order_type: OrderType
    post_only: bool
    neg_risk: bool
    lifetime_s: int
    code: str

    @property
    def codes(self) -> tuple[str, ...]:
        """``code``, then EXEC_ROUTE_NEG_RISK when the order goes to the neg-risk exchange."""
        return (self.code, ROUTE_NEG_RISK) if self.neg_risk else (self.code,)


def route(
    intent: OrderIntent,
    instrument: InstrumentRecord,
    best_bid: Decimal | None,
    best_ask: Decimal | None,
    config: Config,
) -> Route | Rejection:
    """Route one intent; see the module docstring for the rules."""
    details = {"intent_id": intent.intent_id, "side": intent.side.value, "price": str(intent.price)}
    if intent.kind != "PLACE" or instrument.condition_id != intent.condition_id:
        return Rejection(NO_ROUTE, {**details, "rule": "only a PLACE intent with its market's instrument"})
    if instrument.neg_risk is None:
        return Rejection(NO_ROUTE, {**details, "rule": "neg_risk unknown: exchange not chosen"})
    buy = intent.side == Side.BUY
    touch = best_ask if buy else best_bid
    marketable = touch is not None and (intent.price >= touch if buy else intent.price <= touch)
    if intent.post_only and marketable:
        return Rejection(NO_ROUTE, {**details, "rule": "post-only would cross", "touch": str(touch)})
    if not intent.post_only and touch is None:
        return Rejection(NO_ROUTE, {**details, "rule": "no touch on the side a taker takes from"})
    if marketable:
        order_type = OrderType.FOK if config.all_or_none else OrderType.FAK
        return Route(order_type, False, instrument.neg_risk, 0, ROUTE_TAKER)
    gtd = config.gtd_lifetime_s > 0
    return Route(
        OrderType.GTD if gtd else OrderType.GTC, intent.post_only, instrument.neg_risk,
        config.gtd_lifetime_s, ROUTE_POST_ONLY,
    )  # fmt: skip


def use_batch(n_orders_same_ts: int, config: Config) -> bool:
    """True when ``n_orders_same_ts`` orders sharing one submit time go as one batch request
    (``n >= config.min_batch_orders``), False for single submits."""
    return n_orders_same_ts >= config.min_batch_orders
