"""exec.cancel_manager — cancel by order id, by market, or everything: the venue calls to make.

Method
    The venue's four cancel endpoints (paths from py_clob_client_v2 ``endpoints.py``; bodies as
    its ``client.cancel_order`` / ``cancel_orders`` / ``cancel_market_orders`` / ``cancel_all``
    serialise them; docs.polymarket.com "Cancel orders"), all ``DELETE``:
        - one id: ``/order`` with ``{"orderID": id}`` (:class:`CancelOrder`);
        - several ids: ``/orders`` with ``[id, ...]``, at most 3000 ids a request (docs: "Maximum
          3000 orders per request"), so the ids go out in chunks of ``max_ids_per_request``
          (:class:`CancelOrders`);
        - a market: ``/cancel-market-orders`` with ``{"market": condition_id}`` plus
          ``"asset_id": token_id`` when one token only (:class:`CancelMarketOrders`);
        - everything: ``/cancel-all`` without a body (:class:`CancelAll`).
    A scope is judged against our open orders (``Lifecycle.open_orders()``): ids not among them ->
    EXEC_CANCEL_UNKNOWN_ORDER (the caller's picture disagrees with the lifecycle's: surfaced, not
    silently dropped; duplicate ids count once); a market or everything with no open order of
    ours in it -> no call. A market or everything is cancelled with the venue's wide call, which
    also takes any order of the API key that the lifecycle does not know.

Inputs
    ``scope`` — :class:`ById`, :class:`ByMarket` or :class:`AllOrders`; ``open_orders`` — objects
    with ``order_id``, ``condition_id``, ``token_id`` (:class:`OpenOrder`, e.g. the lifecycle's
    OrderView).

Returns
    ``list`` of requests (frozen dataclasses with ``method``, ``path`` and ``body()``: the JSON
    body), in sending order — empty when nothing open is in the scope — or
    ``Rejection(EXEC_CANCEL_UNKNOWN_ORDER, {"order_ids": "<comma-separated unknown ids>"})``.

Reason codes
    EXEC_CANCEL_UNKNOWN_ORDER.

Raises
    pydantic.ValidationError — invalid config (``max_ids_per_request`` outside [1, 3000]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from py_clob_client_v2 import endpoints
from pydantic import Field

from polytraders.bots.base import BotConfig, Rejection
from polytraders.bots.exec.batch_submitter import chunked
from polytraders.contracts import reason_codes

SLUG = "exec.cancel_manager"
VERSION = "0.1.0"

UNKNOWN_ORDER = reason_codes.require("EXEC_CANCEL_UNKNOWN_ORDER")

_DELETE = "DELETE"


class Config(BotConfig):
    """Parameters of exec.cancel_manager."""

    max_ids_per_request: int = Field(
        default=3000, ge=1, le=3000, description="order ids per DELETE /orders call (venue maximum 3000), ids"
    )


class OpenOrder(Protocol):
    """What the cancel manager reads of an open order (the lifecycle's OrderView has it)."""

    @property
    def order_id(self) -> str: ...

    @property
    def condition_id(self) -> str: ...

    @property
    def token_id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ById:
    """Cancel these venue order ids (order hashes, 0x-hex)."""

    order_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ByMarket:
    """Cancel our orders in a market (CTF condition id), or in one of its tokens only."""

    condition_id: str
    token_id: str | None = None


@dataclass(frozen=True, slots=True)
class AllOrders:
    """Cancel every order of the API key."""


@dataclass(frozen=True, slots=True)
class CancelOrder:
    """``DELETE /order`` — one order."""

    method: ClassVar[str] = _DELETE
    path: ClassVar[str] = endpoints.CANCEL
    order_id: str

    def body(self) -> dict[str, str]:
        """The JSON body ``{"orderID": id}``."""
        return {"orderID": self.order_id}


@dataclass(frozen=True, slots=True)
class CancelOrders:
    """``DELETE /orders`` — several orders (at most 3000)."""

    method: ClassVar[str] = _DELETE
    path: ClassVar[str] = endpoints.CANCEL_ORDERS
    order_ids: tuple[str, ...]

    def body(self) -> list[str]:
        """The JSON body: the ids, an array."""
        return list(self.order_ids)


@dataclass(frozen=True, slots=True)
class CancelMarketOrders:
    """``DELETE /cancel-market-orders`` — a market's orders, or one token's."""

    method: ClassVar[str] = _DELETE
    path: ClassVar[str] = endpoints.CANCEL_MARKET_ORDERS
    market: str
    asset_id: str | None = None

    def body(self) -> dict[str, str]:
        """The JSON body ``{"market": condition_id[, "asset_id": token_id]}``."""
        return {"market": self.market} | ({"asset_id": self.asset_id} if self.asset_id else {})


@dataclass(frozen=True, slots=True)
class CancelAll:
    """``DELETE /cancel-all`` — every order of the API key."""

    method: ClassVar[str] = _DELETE
    path: ClassVar[str] = endpoints.CANCEL_ALL

    def body(self) -> None:
        """No body."""
        return None


CancelRequest = CancelOrder | CancelOrders | CancelMarketOrders | CancelAll
Scope = ById | ByMarket | AllOrders


def cancel_requests(
    scope: Scope, open_orders: Sequence[OpenOrder], config: Config
) -> list[CancelRequest] | Rejection:
    """The venue calls that cancel ``scope`` given our open orders; see the module docstring."""
    if isinstance(scope, ById):
        ids = list(dict.fromkeys(scope.order_ids))
        open_ids = {o.order_id for o in open_orders}
        unknown = [order_id for order_id in ids if order_id not in open_ids]
        if unknown:
            return Rejection(UNKNOWN_ORDER, {"order_ids": ",".join(unknown)})
        if len(ids) == 1:
            return [CancelOrder(ids[0])]
        return [CancelOrders(tuple(chunk)) for chunk in chunked(ids, config.max_ids_per_request)]
    if isinstance(scope, ByMarket):
        in_scope = any(
            o.condition_id == scope.condition_id and scope.token_id in (None, o.token_id) for o in open_orders
        )
        return [CancelMarketOrders(scope.condition_id, scope.token_id)] if in_scope else []
    return [CancelAll()] if open_orders else []
