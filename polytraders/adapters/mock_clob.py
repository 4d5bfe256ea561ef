"""The mock CLOB venue adapter: answers ``POST /order``, ``POST /orders`` and ``DELETE /order`` as
Polymarket's CLOB V2 does, and emits the user-channel messages the venue would send.

Nothing here reaches a real venue. Resting orders live in a :class:`~polytraders.adapters.mock_venue.MockVenue`
(its conservative trade-through fill rule over the recorded top of book); this module adds the
venue's admission checks, the taker side (FOK / FAK / marketable limit orders), balances, and the
venue's wire shapes. Deterministic: no wall clock, no randomness; every time is passed in (epoch ms UTC).

Method — admission checks, in this order, each refusal worded as the venue words it
    1. ``not_ready_until_ms`` (a matching-engine restart): ``service not ready`` (the venue's HTTP 425
       body, Polymarket/py-clob-client#273; docs.polymarket.com "Matching Engine Restarts").
    2. Payload: a token of no configured market, a zero amount, or post-only on FOK / FAK ->
       ``Invalid order payload`` (docs.polymarket.com/resources/error-codes, POST order; the docs say a
       post-only market order "will be rejected" without its wording, so the generic one is used).
    3. Signature: ``verify(request)`` False, a chain other than ours, or an ``exchange`` other than
       the market's CTF Exchange V2 (:func:`~polytraders.adapters.polymarket.wallets.exchange_address`
       of the neg-risk flag: a signature over another domain recovers another signer) ->
       ``invalid signature`` (Polymarket/py-clob-client#93).
    4. ``order {hash} is invalid. Duplicated.`` for an order hash already accepted (error-codes).
    5. Amount precision (``invalid amounts, ...``; py-clob-client-v2 ``ROUNDING_CONFIG`` per tick;
       py-clob-client#305, clob-client#124, rs-clob-client#114 and #121 for the wording):
       GTC/GTD BUY maker <= the tick's amount decimals (4 at 0.01), taker <= 2; GTC/GTD SELL maker <= 2,
       taker <= amount decimals; FOK/FAK BUY maker <= 2, taker <= 4 ("market buy orders"); FOK/FAK
       SELL maker <= 2, taker <= 4 ("sell orders").
    6. Tick: price = maker/taker (BUY) or taker/maker (SELL), exact. GTC/GTD must be a multiple of
       the tick in [tick, 1 - tick]: ``order {hash} is invalid. Price ({p}) breaks minimum tick size
       rule: {tick}``, p shown to 16 significant digits as the venue prints it (okx/plugin-store#129:
       ``Price (0.9803921568627451) breaks minimum tick size rule: 0.001``). A FOK/FAK price is a
       worst price, not checked against the grid (Polymarket/py-sdk#291: an off-grid market BUY is
       accepted and killed); it is snapped to the grid never more aggressively (BUY floor, SELL ceil),
       and refused with the tick text only outside [tick, 1 - tick].
    7. Minimum size: FOK/FAK BUY spend >= 1 USDC: ``invalid amount for a marketable BUY order
       ($0.50), min size: 1`` (nautilus_trader#3874: a market order's minimum is $1, not
       ``orderMinSize`` shares); every other order size >= ``min_order_size`` shares:
       ``order {hash} is invalid. Size ({s}) lower than the minimum: {min}`` (error-codes).
    8. GTD: the venue drops an order one minute before its ``expiration`` (docs "Orders": a
       one-minute security threshold); a GTD whose ``expiration_s x 1000 - 60 000 <= ts`` ->
       ``invalid expiration`` (error-codes).
    9. Balance / allowance (one number here): BUY maker_amount <= collateral - the maker_amount of
       our open BUYs; SELL maker_amount <= shares of the token - those of our open SELLs of it ->
       ``not enough balance / allowance: the balance is not enough -> balance: {available},
       order amount: {maker_amount}`` (micro-units, the wording of py-clob-client#287).
    10. Post-only and marketable at ``ts`` (the book's touch at or beyond the price, as
        :meth:`BookTape.crosses_at`) -> ``invalid post-only order: order crosses book`` (error-codes).

Method — matching
    * Not marketable: GTC/GTD rest in the MockVenue (response ``live``, a PLACEMENT message); FOK
      is killed (refusal ``order couldn't be fully filled. FOK orders are fully filled or killed.``
      plus the recorded CANCELLATION message ``CANCELED_<that text>`` with ``size_matched`` "",
      nautilus_trader ws_user_order_fok_killed.json); FAK is killed (refusal ``no orders found to
      match with FAK order. ...``, error-codes, plus a CANCELLATION ``CANCELED``).
    * Marketable: we take at the recorded touch (best ask for a BUY, best bid for a SELL), at most
      the size ``touch_size(token, side, ts)`` reports there. The BookTape has no sizes: when
      ``touch_size`` is None or answers None the whole order fills at the touch (optimistic; pass
      sizes to be conservative). FOK fills only if the touch covers it all, else is killed as above;
      FAK fills what the touch offers and kills the rest; a non-post-only GTC/GTD takes what the
      touch offers and its remainder is CANCELED too — the tape has no deeper levels to say where it
      would rest, and ``MockVenue.place`` refuses a crossing order (so a touch of size 0 leaves it
      ``order {hash} crosses the book``, error-codes, with an INVALID CANCELLATION message as in
      ws_user_order_venue_cancel.json). ``touch_size`` answers shares (<= 6 decimals) or None. The
      share count is the order's
      (a BUY's ``taker_amount``, a SELL's ``maker_amount``); price improvement lowers a BUY's cost
      (rounded up to the micro-unit) or raises a SELL's proceeds (rounded down). Response ``matched``
      with ``makingAmount`` / ``takingAmount`` (what we gave / got, decimal strings) and ``tradeIDs``;
      ``transactionsHashes`` stays [] (the venue resolves them after the fact). The taker fee
      (:func:`~polytraders.adapters.polymarket.trades.fee_usdc` at the market's
      ``taker_fee_rate_bps``) is debited from collateral; a maker pays none.
    * ``delayed`` (the venue's delayed markets, e.g. sports): with ``MarketRules.match_delay_ms`` > 0
      a marketable order answers ``{"status": "delayed", "errorMsg": "", ...}`` (the recorded shape)
      and is matched ``match_delay_ms`` later against the book then (or rests / is killed then),
      its collateral or shares held meanwhile.
    * A resting order fills per the MockVenue rule; GTD orders are dropped (CANCELLATION) at their
      effective expiry, before any fill due at the same ms.

Method — user-channel messages (JSON text, one message per string, from :meth:`MockClob.advance`)
    Shaped as the recorded captures (nautilus_trader ws_messages/order_placement.json,
    order_cancel.json, user_trade3.json; CLOB V2 test_data/ws_user_order_*.json; fixtures/reference/own)
    so that :func:`~polytraders.adapters.polymarket.user.normalise_user_frame` yields OrderEvent /
    Fill: ``order`` messages (PLACEMENT / UPDATE / CANCELLATION; prices and sizes decimal strings,
    ``timestamp`` ms, ``created_at`` seconds) and per fill a ``trade`` message with status MATCHED
    at the fill, MINED ``mined_delay_ms`` and CONFIRMED ``confirmed_delay_ms`` later. Our resting
    fills are MAKER trades (our entry in ``maker_orders`` with ``owner_id``), our takes TAKER trades;
    the counterparty is a fixed stranger. Trade ids are UUIDs and hashes sha256-derived from our
    order hash (deterministic).

Responses
    ``post_order`` -> ``{"success", "errorMsg", "orderID", "status", "makingAmount",
    "takingAmount", "transactionsHashes", "tradeIDs"}`` (docs "Place single order"). A refusal is
    ``success`` False, ``errorMsg`` the text above, ``orderID`` / ``status`` / amounts "". The real
    venue answers most refusals of a single order as HTTP 400 ``{"error": text}`` (the SDK raises)
    and has answered per-order refusals in a batch with ``success`` true and a non-empty
    ``errorMsg`` (docs error-codes, post-only mode example): key on ``errorMsg``, not ``success``.
    ``post_orders`` takes at most :data:`MAX_BATCH` orders (docs "Place multiple orders"); the venue
    refuses a larger batch whole with HTTP 400 ``Too many orders in payload: {N}, max allowed: 15``
    — the mock answers that text for every order of it. ``cancel`` -> ``{"canceled": [...],
    "not_canceled": {id: reason}}`` with the recorded reason ``already canceled or matched`` for
    an order that is not open (nautilus_trader http_cancel_response_failed.json), ``service not
    ready`` while not ready.

Raises
    ValueError at construction: a tick size the venue SDK has no rounding for, negative or
    unordered message delays, an unsupported chain (SigningConfigError, a ValueError).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from py_clob_client_v2.order_builder.builder import ROUNDING_CONFIG

from polytraders.adapters.mock_venue import MICRO, BookTape, MockVenue, VenueOrder, to_micro
from polytraders.adapters.polymarket.trades import fee_usdc
from polytraders.adapters.polymarket.wallets import POLYGON, exchange_address
from polytraders.contracts import Fill, OrderEvent
from polytraders.contracts.trading import SignedOrderRequest
from polytraders.contracts.types import OrderType, Side

#: Most orders one ``POST /orders`` takes (docs.polymarket.com "Place multiple orders").
MAX_BATCH = 15
#: The venue drops a GTD order this long before its ``expiration`` (docs "Orders", GTD).
GTD_BUFFER_MS = 60_000
#: A market (FOK / FAK) BUY spends at least 1 USDC (micro-units).
MIN_MARKET_BUY_MICRO = MICRO
#: Our API key's owner id when none is given (the recorded CLOB V2 fixtures' owner).
OWNER_ID = "00000000-0000-0000-0000-000000000001"
#: The other side of every mock trade.
COUNTERPARTY_OWNER = "ffffffff-0000-0000-0000-000000000000"
COUNTERPARTY_ADDRESS = "0x" + "c0" * 20

NOT_READY = "service not ready"
INVALID_PAYLOAD = "Invalid order payload"
INVALID_SIGNATURE = "invalid signature"
INVALID_EXPIRATION = "invalid expiration"
POST_ONLY_CROSS = "invalid post-only order: order crosses book"
FOK_KILLED = "order couldn't be fully filled. FOK orders are fully filled or killed."
FAK_UNMATCHED = ("no orders found to match with FAK order. "
                 "FAK orders are partially filled or killed if no match is found.")
NOT_CANCELED = "already canceled or matched"

_MARKET_TYPES = (OrderType.FOK, OrderType.FAK)
_OTHER = {Side.BUY: Side.SELL, Side.SELL: Side.BUY}


def _accept(_request: SignedOrderRequest) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class MarketRules:
    """What the venue enforces for one token's market.

    ``tick_size`` USDC per share (one of the venue's grids); ``min_order_size`` shares;
    ``neg_risk`` picks the exchange orders must be signed for; ``taker_fee_rate_bps`` the fee rate
    a taker pays (bps; 0 = none); ``match_delay_ms`` > 0 makes the market a delayed one (marketable
    orders answer ``delayed`` and match that many ms later).
    """

    condition_id: str
    tick_size: Decimal
    min_order_size: Decimal
    neg_risk: bool
    taker_fee_rate_bps: int = 0
    match_delay_ms: int = 0


@dataclass(slots=True)
class _Order:
    """An admitted order: its limit on the tick grid (USDC per share) and size (shares)."""

    request: SignedOrderRequest
    rules: MarketRules
    price: Decimal
    size: Decimal
    placed_ts_ms: int
    expires_ts_ms: int | None
    due_ts_ms: int | None = None  # a delayed order's match time; None once resting


def _num(value: Decimal) -> str:
    """A decimal string as the venue writes one: no exponent, no trailing zeros ("0.5", "10")."""
    return format(value.normalize(), "f")


def _micro_str(micro: int) -> str:
    return _num(Decimal(micro).scaleb(-6))


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("|".join(parts).encode()).digest()


def _trade_id(order_hash: str) -> str:
    """The id of the one trade an order of ours takes part in (a UUID, as the venue's)."""
    return str(uuid.UUID(bytes=_digest("trade", order_hash)[:16]))


def _response(error: str = "", *, order_id: str = "", status: str = "", making: str = "", taking: str = "",
              trade_ids: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "success": not error, "errorMsg": error, "orderID": order_id, "status": status,
        "makingAmount": making, "takingAmount": taking, "transactionsHashes": [], "tradeIDs": list(trade_ids),
    }


def _amounts_problem(request: SignedOrderRequest, tick: Decimal) -> str | None:
    """The venue's ``invalid amounts`` text if an amount has more decimals than allowed, else None."""
    buy = request.side is Side.BUY
    if request.order_type in _MARKET_TYPES:
        kind, maker_dp, taker_dp = ("market buy" if buy else "sell"), 2, 4
    else:
        amount_dp = ROUNDING_CONFIG[_num(tick)].amount
        kind, (maker_dp, taker_dp) = ("buy", (amount_dp, 2)) if buy else ("sell", (2, amount_dp))
    if request.maker_amount % 10 ** (6 - maker_dp) == 0 and request.taker_amount % 10 ** (6 - taker_dp) == 0:
        return None
    return (f"invalid amounts, the {kind} orders maker amount supports a max accuracy of {maker_dp} decimals, "
            f"taker amount a max of {taker_dp} decimals")


def _limit(price: Fraction, tick: Decimal, side: Side, market: bool) -> Decimal | None:
    """The order's limit on the tick grid, or None if the venue refuses it on the tick rule."""
    steps = price / Fraction(tick)
    if not market and steps.denominator != 1:
        return None
    limit = (math.floor(steps) if side is Side.BUY else math.ceil(steps)) * tick
    return limit if tick <= limit <= 1 - tick else None


def _shown_price(collateral: int, shares: int) -> str:
    """The price as the venue prints it in the tick error: 16 significant digits."""
    with localcontext() as ctx:
        ctx.prec = 16
        return _num(Decimal(collateral) / Decimal(shares))


class MockClob:
    """A simulated Polymarket CLOB V2 venue over a recorded top of book; see the module docstring.

    Args:
        tape: the recorded top of book.
        markets: the rules per token id (a token absent here is refused as an invalid payload).
        collateral_micro: our collateral balance / allowance, micro-units USDC (x 10^6).
        shares_micro: our shares per token id, micro-units (x 10^6); none by default.
        verify: the signature check (e.g. recovered signer == request.signer); accepts all by default.
        owner_id: our API key's owner id, as the user channel names our orders.
        chain_id: the chain orders must be signed for (137 Polygon, 80002 Amoy).
        touch_size: shares offered at the touch a taker of ``side`` hits (best ask for a BUY, best
            bid for a SELL) of ``token_id`` at ``ts_ms``; None (or a None answer) = unknown, the
            whole order fills there.
        mined_delay_ms, confirmed_delay_ms: how long after a match its trade is MINED / CONFIRMED.
        not_ready_until_ms: the venue answers ``service not ready`` to every call before this time
            (also settable later as the attribute of that name).
    """

    def __init__(
        self,
        tape: BookTape,
        markets: Mapping[str, MarketRules],
        collateral_micro: int,
        shares_micro: Mapping[str, int] | None = None,
        *,
        verify: Callable[[SignedOrderRequest], bool] = _accept,
        owner_id: str = OWNER_ID,
        chain_id: int = POLYGON,
        touch_size: Callable[[str, Side, int], Decimal | None] | None = None,
        mined_delay_ms: int = 2_000,
        confirmed_delay_ms: int = 10_000,
        not_ready_until_ms: int | None = None,
    ) -> None:
        for token_id, rules in markets.items():
            if _num(rules.tick_size) not in ROUNDING_CONFIG:
                raise ValueError(f"token {token_id}: tick size {rules.tick_size} is not a venue grid "
                                 f"({sorted(ROUNDING_CONFIG)})")
        if not 0 <= mined_delay_ms <= confirmed_delay_ms:
            raise ValueError(
                f"need 0 <= mined_delay_ms ({mined_delay_ms}) <= confirmed_delay_ms ({confirmed_delay_ms})")
        self._tape = tape
        self._venue = MockVenue(tape)
        self._markets = dict(markets)
        self._exchanges = {neg: exchange_address(chain_id, neg).lower() for neg in (False, True)}
        self._chain_id = chain_id
        self._collateral = collateral_micro
        self._shares = dict(shares_micro or {})
        self._verify = verify
        self._owner = owner_id
        self._touch_size = touch_size
        self._mined_delay_ms = mined_delay_ms
        self._confirmed_delay_ms = confirmed_delay_ms
        self.not_ready_until_ms = not_ready_until_ms
        self._open: dict[str, _Order] = {}
        self._seen: set[str] = set()
        self._outbox: list[tuple[int, int, str]] = []
        self._seq = 0

    # --- balances -------------------------------------------------------------------------------

    @property
    def collateral_micro(self) -> int:
        """Our collateral now, micro-units USDC (open orders' holds not deducted)."""
        return self._collateral

    def shares_micro(self, token_id: str) -> int:
        """Our shares of ``token_id`` now, micro-units (open SELLs' holds not deducted)."""
        return self._shares.get(token_id, 0)

    def _available(self, request: SignedOrderRequest) -> int:
        buy = request.side is Side.BUY
        held = sum(
            o.request.maker_amount for o in self._open.values()
            if o.request.side is request.side and (buy or o.request.token_id == request.token_id)
        )
        return (self._collateral if buy else self.shares_micro(request.token_id)) - held

    # --- the REST endpoints ---------------------------------------------------------------------

    def post_order(self, request: SignedOrderRequest, ts_ms: int) -> dict[str, Any]:
        """``POST /order`` at ``ts_ms`` (epoch ms UTC): the venue's order response (module docstring)."""
        self._settle(ts_ms)
        if self._not_ready(ts_ms):
            return _response(NOT_READY)
        admitted = self._admit(request, ts_ms)
        if isinstance(admitted, str):
            return _response(admitted)
        marketable = self._touch(admitted, ts_ms) is not None
        if marketable and request.post_only:
            return _response(POST_ONLY_CROSS)
        self._seen.add(request.order_hash)
        if marketable and admitted.rules.match_delay_ms:
            admitted.due_ts_ms = ts_ms + admitted.rules.match_delay_ms
            self._open[request.order_hash] = admitted
            return _response(order_id=request.order_hash, status="delayed")
        return self._execute(admitted, ts_ms)

    def post_orders(self, requests: Sequence[SignedOrderRequest], ts_ms: int) -> list[dict[str, Any]]:
        """``POST /orders``: one response per order, in order; more than :data:`MAX_BATCH` orders are
        all refused with the venue's ``Too many orders in payload`` text."""
        if len(requests) > MAX_BATCH:
            error = f"Too many orders in payload: {len(requests)}, max allowed: {MAX_BATCH}"
            return [_response(error) for _ in requests]
        return [self.post_order(request, ts_ms) for request in requests]

    def cancel(self, order_id: str, ts_ms: int) -> dict[str, Any]:
        """``DELETE /order`` at ``ts_ms``: ``{"canceled": [id], "not_canceled": {}}`` for an open
        order (resting or delayed), else ``not_canceled`` names it with the venue's reason."""
        self._settle(ts_ms)
        if self._not_ready(ts_ms):
            return {"canceled": [], "not_canceled": {order_id: NOT_READY}}
        order = self._open.pop(order_id, None)
        if order is None:
            return {"canceled": [], "not_canceled": {order_id: NOT_CANCELED}}
        self._venue.cancel(order_id, ts_ms)
        self._order_message(order, ts_ms, "CANCELLATION", "CANCELED", "0")
        return {"canceled": [order_id], "not_canceled": {}}

    def advance(self, ts_ms: int) -> list[str]:
        """Run the venue to ``ts_ms`` and return the user-channel messages due by then (JSON text,
        one message per string), in time order (ties in the order they arose)."""
        self._settle(ts_ms)
        out = []
        while self._outbox and self._outbox[0][0] <= ts_ms:
            out.append(heapq.heappop(self._outbox)[2])
        return out

    # --- admission ------------------------------------------------------------------------------

    def _not_ready(self, ts_ms: int) -> bool:
        return self.not_ready_until_ms is not None and ts_ms < self.not_ready_until_ms

    def _admit(self, request: SignedOrderRequest, ts_ms: int) -> _Order | str:
        """The admitted order, or the venue's refusal text (checks 2-9 of the module docstring)."""
        rules = self._markets.get(request.token_id)
        market = request.order_type in _MARKET_TYPES
        if rules is None or 0 in (request.maker_amount, request.taker_amount) or (market and request.post_only):
            return INVALID_PAYLOAD
        if (request.chain_id != self._chain_id or request.exchange.lower() != self._exchanges[rules.neg_risk]
                or not self._verify(request)):
            return INVALID_SIGNATURE
        order_hash = request.order_hash
        if order_hash in self._seen:
            return f"order {order_hash} is invalid. Duplicated."
        problem = _amounts_problem(request, rules.tick_size)
        if problem is not None:
            return problem
        buy = request.side is Side.BUY
        shares, collateral = (request.taker_amount, request.maker_amount) if buy else (
            request.maker_amount, request.taker_amount)
        price = _limit(Fraction(collateral, shares), rules.tick_size, request.side, market)
        if price is None:
            return (f"order {order_hash} is invalid. Price ({_shown_price(collateral, shares)}) breaks minimum "
                    f"tick size rule: {_num(rules.tick_size)}")
        size = Decimal(shares).scaleb(-6)
        if market and buy:
            if collateral < MIN_MARKET_BUY_MICRO:
                spend = Decimal(collateral).scaleb(-6).quantize(Decimal("0.01"))
                return f"invalid amount for a marketable BUY order (${spend}), min size: 1"
        elif size < rules.min_order_size:
            return (f"order {order_hash} is invalid. Size ({_num(size)}) lower than the minimum: "
                    f"{_num(rules.min_order_size)}")
        expires = request.expiration_s * 1000 - GTD_BUFFER_MS if request.order_type is OrderType.GTD else None
        if expires is not None and expires <= ts_ms:
            return INVALID_EXPIRATION
        available = self._available(request)
        if request.maker_amount > available:
            return (f"not enough balance / allowance: the balance is not enough -> balance: {available}, "
                    f"order amount: {request.maker_amount}")
        return _Order(request, rules, price, size, ts_ms, expires)

    # --- matching -------------------------------------------------------------------------------

    def _execute(self, order: _Order, ts_ms: int) -> dict[str, Any]:
        """Take, rest or kill an admitted order at ``ts_ms``; the response to its post."""
        request = order.request
        order_hash = request.order_hash
        touch = self._touch(order, ts_ms)
        taken = Decimal(0)
        if touch is not None:
            offered = self._touch_size(request.token_id, request.side, ts_ms) if self._touch_size else None
            taken = order.size if offered is None else min(order.size, offered)
        if request.order_type is OrderType.FOK and taken < order.size:
            self._order_message(order, ts_ms, "CANCELLATION", f"CANCELED_{FOK_KILLED}", "")
            return _response(FOK_KILLED)
        if request.order_type is OrderType.FAK and taken == 0:
            self._order_message(order, ts_ms, "CANCELLATION", "CANCELED", "0")
            return _response(FAK_UNMATCHED)
        if taken == 0:
            event = self._venue.place(VenueOrder(
                order_id=order_hash, intent_id=request.plan_id, condition_id=order.rules.condition_id,
                token_id=request.token_id, side=request.side, price=order.price, size=order.size,
                placed_ts_ms=ts_ms, order_type=request.order_type,
            ))
            if event.status == "INVALID":  # a crossing touch of no size: MockVenue rests no crossing order
                self._order_message(order, ts_ms, event.event_type, event.status, "0")
                return _response(f"order {order_hash} crosses the book")
            self._open[order_hash] = order
            self._order_message(order, event.ts_ms, event.event_type, event.status, "0")
            return _response(order_id=order_hash, status="live")
        making, taking, trade_id = self._take(order, touch, taken, ts_ms)
        if taken < order.size:
            self._order_message(order, ts_ms, "CANCELLATION", "CANCELED", _num(taken))
        return _response(order_id=order_hash, status="matched", making=_micro_str(making),
                         taking=_micro_str(taking), trade_ids=[trade_id])

    def _touch(self, order: _Order, ts_ms: int) -> Decimal | None:
        """The touch ``order`` would take at ``ts_ms`` (the recorded best ask <= a BUY's limit, best
        bid >= a SELL's: touching counts, as in :meth:`BookTape.crosses_at`); None if not marketable."""
        snapshot = self._tape.snapshot_at(order.request.token_id, ts_ms)
        buy = order.request.side is Side.BUY
        touch = None if snapshot is None else snapshot.best_ask if buy else snapshot.best_bid
        if touch is None or (touch > order.price if buy else touch < order.price):
            return None
        return touch

    def _take(self, order: _Order, price: Decimal, size: Decimal, ts_ms: int) -> tuple[int, int, str]:
        """Our taker fill of ``size`` shares at the touch ``price``: balances, messages; (making,
        taking) in micro-units (what we gave, what we got) and the trade id."""
        request = order.request
        buy = request.side is Side.BUY
        shares = to_micro(size)
        value = shares * to_micro(price)
        collateral = -(-value // MICRO) if buy else value // MICRO  # a BUY pays up, a SELL gets down
        fee = to_micro(fee_usdc(size, price, order.rules.taker_fee_rate_bps))
        token = request.token_id
        if buy:
            self._collateral -= collateral + fee
            self._shares[token] = self.shares_micro(token) + shares
        else:
            self._shares[token] = self.shares_micro(token) - shares
            self._collateral += collateral - fee
        trade_id = _trade_id(request.order_hash)
        self._order_message(order, ts_ms, "UPDATE", "MATCHED" if size == order.size else "LIVE", _num(size), [trade_id])
        self._trade_messages(order, "TAKER", price, size, ts_ms)
        making, taking = (collateral, shares) if buy else (shares, collateral)
        return making, taking, trade_id

    def _maker_fill(self, event: OrderEvent, fill: Fill) -> None:
        """A resting order of ours filled in full at its price (MockVenue's rule)."""
        order = self._open.pop(fill.order_id)
        request = order.request
        token = request.token_id
        if request.side is Side.BUY:
            self._collateral -= request.maker_amount
            self._shares[token] = self.shares_micro(token) + request.taker_amount
        else:
            self._shares[token] = self.shares_micro(token) - request.maker_amount
            self._collateral += request.taker_amount
        trade_ids = [_trade_id(request.order_hash)]
        self._order_message(order, event.ts_ms, event.event_type, event.status, _num(event.size_matched), trade_ids)
        self._trade_messages(order, "MAKER", fill.price, fill.size, fill.ts_ms)

    def _settle(self, ts_ms: int) -> None:
        """Everything due by ``ts_ms``, in time order: GTD expiries, then resting fills, then delayed
        matches at each instant."""
        while True:
            expiries = {h: o.expires_ts_ms for h, o in self._open.items() if o.due_ts_ms is None}
            delayed = {h: o.due_ts_ms for h, o in self._open.items()}
            fills = [v.fill_ts_ms for v in self._venue.resting.values()]
            now = min((t for t in (*expiries.values(), *delayed.values(), *fills) if t is not None and t <= ts_ms),
                      default=None)
            if now is None:
                return
            for order_hash in sorted(h for h, t in expiries.items() if t == now):
                order = self._open.pop(order_hash)
                self._venue.cancel(order_hash, now)
                self._order_message(order, now, "CANCELLATION", "CANCELED", "0")
            for event, fill in self._venue.advance(now):
                self._maker_fill(event, fill)
            for order_hash in sorted(h for h, t in delayed.items() if t == now):
                order = self._open.pop(order_hash)
                order.due_ts_ms = None
                self._execute(order, now)

    # --- user-channel messages ------------------------------------------------------------------

    def _emit(self, ts_ms: int, message: dict[str, Any]) -> None:
        heapq.heappush(self._outbox, (ts_ms, self._seq, json.dumps(message, separators=(",", ":"))))
        self._seq += 1

    def _order_message(self, order: _Order, ts_ms: int, kind: str, status: str, matched: str,
                       trade_ids: list[str] | None = None) -> None:
        request = order.request
        self._emit(ts_ms, {
            "asset_id": request.token_id, "associate_trades": trade_ids,
            "created_at": str(order.placed_ts_ms // 1000), "event_type": "order",
            "expiration": str(request.expiration_s), "id": request.order_hash, "maker_address": request.maker,
            "market": order.rules.condition_id, "order_owner": self._owner, "order_type": request.order_type.value,
            "original_size": _num(order.size), "outcome": "", "owner": self._owner, "price": _num(order.price),
            "side": request.side.value, "size_matched": matched, "status": status, "timestamp": str(ts_ms),
            "type": kind,
        })

    def _trade_messages(self, order: _Order, role: str, price: Decimal, size: Decimal, ts_ms: int) -> None:
        """The MATCHED / MINED / CONFIRMED ``trade`` messages of the fill of ``order``."""
        request = order.request
        trade_id = _trade_id(request.order_hash)
        ours = (request.order_hash, self._owner, request.maker, request.side)
        theirs = ("0x" + _digest("counterparty", request.order_hash).hex(), COUNTERPARTY_OWNER,
                  COUNTERPARTY_ADDRESS, _OTHER[request.side])
        (taker_id, taker_owner, taker_address, taker_side), (maker_id, maker_owner, maker_address, maker_side) = (
            (ours, theirs) if role == "TAKER" else (theirs, ours))
        maker_entry = {
            "order_id": maker_id, "owner": maker_owner, "maker_address": maker_address,
            "matched_amount": _num(size), "price": _num(price), "fee_rate_bps": "0",
            "asset_id": request.token_id, "outcome": "", "side": maker_side.value,
        }
        tx_hash = "0x" + _digest("tx", trade_id).hex()
        for status, at_ms in (("MATCHED", ts_ms), ("MINED", ts_ms + self._mined_delay_ms),
                              ("CONFIRMED", ts_ms + self._confirmed_delay_ms)):
            self._emit(at_ms, {
                "asset_id": request.token_id, "bucket_index": 0, "event_type": "trade",
                "fee_rate_bps": str(order.rules.taker_fee_rate_bps), "id": trade_id,
                "last_update": str(at_ms // 1000), "maker_address": taker_address, "maker_orders": [maker_entry],
                "market": order.rules.condition_id, "match_time": str(ts_ms // 1000), "outcome": "",
                "owner": taker_owner, "price": _num(price), "side": taker_side.value, "size": _num(size),
                "status": status, "taker_order_id": taker_id, "timestamp": str(at_ms),
                "trade_owner": taker_owner, "trader_side": role, "transaction_hash": tx_hash, "type": "TRADE",
            })
