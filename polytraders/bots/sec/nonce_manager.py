"""sec.nonce_manager — order salt uniqueness, and the emergency invalidation plan.

Method
    CLOB V2 orders carry no nonce (the V1 ``nonce`` field and the exchange's on-chain
    ``incrementNonce`` are gone from the signed struct ``Order(salt, maker, signer, tokenId,
    makerAmount, takerAmount, side, signatureType, timestamp, metadata, builder)``, py-clob-client-v2
    ``order_utils/exchange_order_builder_v2.py``): what makes two orders distinct is the salt.
    :class:`NonceBook` keeps, in arrival order, which plan claimed each salt; a salt claimed again by
    a different plan is refused (SEC_NONCE_REUSED) — with salts derived from the intent id
    (:func:`~polytraders.adapters.polymarket.signing.order_salt`) that means two plans of one intent,
    or a hash collision. The same plan claiming its salt again (a replay, a retried send) passes.

    Emergency invalidation without a nonce means cancelling at the venue. :func:`invalidation_plan`
    lists the calls, in order, with the venue's cancel endpoints (py-clob-client-v2 ``endpoints.py``
    and ``client.py`` ``cancel_all`` / ``cancel_market_orders`` / ``cancel_orders``;
    docs.polymarket.com api-reference/trade "Cancel all orders", "Cancel orders for a market",
    "Cancel multiple orders" — all work in cancel-only mode): first ``DELETE /cancel-all`` (every
    open order of the API key, one call), then ``DELETE /cancel-market-orders`` per market (body
    ``{"market": <condition id>}``) for orders that raced the first call, then ``DELETE /orders``
    with the ids of the orders still known open (body: the JSON list of order ids, at most 3000 per
    request as the venue allows). Bodies are serialised as the SDK does (compact JSON,
    ``separators=(",", ":")``).

Inputs
    ``claim``: ``salt`` — decimal string of the order's salt; ``plan_id``.
    ``invalidation_plan``: ``open_order_ids`` — venue order ids (order hashes) known open;
    ``markets`` — condition ids with open orders.

Returns
    ``claim``: None, or Rejection(SEC_NONCE_REUSED, {salt, plan_id, claimed_by}).
    ``invalidation_plan``: list of (HTTP method, path, JSON body — "" for none) tuples.

Reason codes
    SEC_NONCE_REUSED.

Raises
    Nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from py_clob_client_v2.endpoints import CANCEL_ALL, CANCEL_MARKET_ORDERS, CANCEL_ORDERS

from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import reason_codes

SLUG = "sec.nonce_manager"
VERSION = "0.1.0"

NONCE_REUSED = reason_codes.require("SEC_NONCE_REUSED")

#: A venue call: (HTTP method, path, JSON body or "" for none).
VenueCall = tuple[str, str, str]
#: Most order ids one ``DELETE /orders`` takes (docs.polymarket.com "Cancel multiple orders").
MAX_CANCEL_BATCH = 3000


class Config(BotConfig):
    """Parameters of sec.nonce_manager (none: uniqueness has no tunable)."""


class NonceBook:
    """The salts claimed so far and the plan that claimed each (sequential state, one per wallet)."""

    def __init__(self) -> None:
        self._claimed: dict[str, str] = {}

    def claim(self, salt: str, plan_id: str) -> Rejection | None:
        """Record that ``plan_id`` signs with ``salt``. None when the salt is new or already this
        plan's (idempotent); Rejection SEC_NONCE_REUSED when another plan claimed it (the book
        keeps the first claimant)."""
        owner = self._claimed.setdefault(salt, plan_id)
        if owner != plan_id:
            return Rejection(NONCE_REUSED, {"salt": salt, "plan_id": plan_id, "claimed_by": owner})
        return None


def invalidation_plan(open_order_ids: Iterable[str], markets: Iterable[str]) -> list[VenueCall]:
    """The emergency cancel calls in order: cancel-all, then each market (first occurrence order,
    duplicates dropped), then the known open orders (same order, duplicates dropped) in calls of at
    most :data:`MAX_CANCEL_BATCH` ids (none when there are none)."""
    calls: list[VenueCall] = [("DELETE", CANCEL_ALL, "")]
    calls += [("DELETE", CANCEL_MARKET_ORDERS, _json({"market": market})) for market in dict.fromkeys(markets)]
    order_ids = list(dict.fromkeys(open_order_ids))
    calls += [("DELETE", CANCEL_ORDERS, _json(order_ids[start : start + MAX_CANCEL_BATCH]))
              for start in range(0, len(order_ids), MAX_CANCEL_BATCH)]
    return calls


def _json(body: object) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
