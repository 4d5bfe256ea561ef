"""exec.lifecycle_manager — one state machine per order, from submit to its last fill or cancel.

Method
    Sources: docs.polymarket.com "Create order" (the ``POST /order`` answer and its statuses live /
    matched / delayed / unmatched), "User channel" (order messages PLACEMENT / UPDATE /
    CANCELLATION; trade statuses MATCHED -> MINED -> CONFIRMED, or RETRYING -> MINED / FAILED,
    RETRYING after a revert or reorg), "Order types" (a FAK / FOK matches once, on arrival, and
    the venue kills what is left); nautilus_trader's Polymarket adapter for tracking a submit
    whose outcome is unknown under its expected order id and holding a cancel until the id is known.

    1. Submit. :meth:`Lifecycle.submitted` registers the plan IN_FLIGHT under the order hash the
       venue will use as its order id (known before sending).
    2. Submit answer (:meth:`Lifecycle.on_response`, read by
       :func:`~polytraders.bots.exec.batch_submitter.read_answer`): ACCEPTED -> the status's state
       (live LIVE, matched MATCHED, delayed DELAYED, unmatched UNMATCHED) and the id is confirmed;
       REJECTED -> REJECTED with the venue's text kept in ``error`` (the caller maps it to a code);
       AMBIGUOUS (no answer, timeout, 5xx, an answer proving nothing) -> the order STAYS IN_FLIGHT
       with reason EXEC_SUBMIT_AMBIGUOUS until the user channel reports it. An answer that comes
       after the channel has spoken changes nothing (a REJECTED one then contradicts the channel:
       EXEC_ILLEGAL_TRANSITION). The answer's makingAmount / takingAmount are not counted: fills
       come from the user channel only.
    3. Order messages (:meth:`Lifecycle.on_order_event`), matched on the order id, move the state
       only along :data:`ORDER_TRANSITIONS` (row = current state, entries = statuses it may report
       next; a status may repeat, e.g. LIVE updates as ``size_matched`` grows). A MATCHED order
       that is still open (partly matched, rest working) follows its row; one no longer open (fully
       matched, or a FAK / FOK after its trade) accepts MATCHED again, and CANCELED while part of
       it is unfilled (the kill of a taker's remainder). CANCELED, INVALID stay so; REJECTED,
       QUARANTINED accept nothing. Any other status ->
       EXEC_ILLEGAL_TRANSITION, nothing changed. An update with ``size_matched > original_size``
       -> QUARANTINED (EXEC_OVERFILL): the order is frozen, its fills never counted, every later
       message for it refused with EXEC_OVERFILL; it needs reconciliation by hand.
    4. Trades (:meth:`Lifecycle.on_trade`), deduplicated on ``fill_id``: the first message of a
       fill may carry any status (earlier ones can be missed); later ones move only along
       :data:`TRADE_TRANSITIONS` (a repeat changes nothing); a FAILED fill no longer counts. A
       counted fill moves an order still in IN_FLIGHT / LIVE / DELAYED / UNMATCHED to MATCHED.
       Counted fills adding up to more than the order's size -> QUARANTINED (EXEC_OVERFILL).
    5. Filled size, counting each fill once although both an UPDATE (``size_matched``) and a trade
       report it: ``filled = max(M - F, T)`` with M the largest ``size_matched`` seen, F the sizes
       of FAILED fills (a match the venue reported but whose settlement failed), T the sizes of the
       distinct fills not FAILED (0 when QUARANTINED). E.g. UPDATE 25 then its trade of 25:
       max(25 - 0, 25) = 25, not 50; that trade FAILED: max(25 - 25, 0) = 0.
    6. Open: not CANCELED / INVALID / REJECTED / QUARANTINED, ``filled < size``, and not a FAK /
       FOK with a trade seen. So a FAK acknowledged ``live`` with nothing matched stays open until
       a trade or a CANCELED message settles it. IN_FLIGHT orders are open.
    7. Cancel (:meth:`Lifecycle.cancel`): an order not open -> no-op; an open order whose venue id
       is not confirmed yet (no accepting answer, no user-channel message) -> the cancel waits
       (EXEC_CANCEL_PENDING_ID) and the :class:`Update` that confirms the id carries it in ``send``
       (dropped if the order closed meanwhile); otherwise ``send`` = ``DELETE /order``. A cancel
       does not change the state: the venue's CANCELED message does.

Inputs
    ExecutionPlan + its order hash at submit; the ``POST /order`` answer (a dict, or None); the
    user channel's OrderEvent and Fill objects (:func:`polytraders.adapters.polymarket.normalise_user_frame`).

Returns
    Every input -> :class:`Update` (the order after it, the step's reason code, cancels to send now)
    or ``Rejection(code, details)`` with string details (plan_id, order_id, from, to, ...).
    Queries: :meth:`Lifecycle.order`, :meth:`Lifecycle.open_orders`, :meth:`Lifecycle.in_flight`
    (:class:`OrderView` snapshots; sizes Decimal shares, times epoch ms UTC).

Reason codes
    EXEC_SUBMIT_AMBIGUOUS, EXEC_CANCEL_PENDING_ID, EXEC_ILLEGAL_TRANSITION (also a message naming an
    order we do not track: ``from`` UNKNOWN), EXEC_OVERFILL, EXEC_CANCEL_UNKNOWN_ORDER (cancel of
    an unknown plan).

Raises
    ValueError — :meth:`Lifecycle.submitted` with a plan id or order id already tracked.
    KeyError — :meth:`Lifecycle.on_response` for a plan never submitted (a caller bug).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from polytraders.bots.base import BotConfig, Rejection
from polytraders.bots.exec.batch_submitter import read_answer
from polytraders.bots.exec.cancel_manager import CancelOrder
from polytraders.contracts import ExecutionPlan, Fill, OrderEvent, reason_codes
from polytraders.contracts.types import OrderType

SLUG = "exec.lifecycle_manager"
VERSION = "0.1.0"

AMBIGUOUS = reason_codes.require("EXEC_SUBMIT_AMBIGUOUS")
CANCEL_PENDING = reason_codes.require("EXEC_CANCEL_PENDING_ID")
ILLEGAL = reason_codes.require("EXEC_ILLEGAL_TRANSITION")
OVERFILL = reason_codes.require("EXEC_OVERFILL")
UNKNOWN_ORDER = reason_codes.require("EXEC_CANCEL_UNKNOWN_ORDER")


class Config(BotConfig):
    """Parameters of exec.lifecycle_manager: none (the venue's rules are not tunable)."""


class OrderState(StrEnum):
    """Where an order is: IN_FLIGHT (no definite answer yet), the venue's order statuses, REJECTED
    (the submit was refused), QUARANTINED (venue nonsense: frozen)."""

    IN_FLIGHT = "IN_FLIGHT"
    LIVE = "LIVE"
    DELAYED = "DELAYED"
    UNMATCHED = "UNMATCHED"
    MATCHED = "MATCHED"
    CANCELED = "CANCELED"
    INVALID = "INVALID"
    REJECTED = "REJECTED"
    QUARANTINED = "QUARANTINED"


_S = OrderState
#: Order statuses each state may report next (step 3; MATCHED's row while the order is open).
ORDER_TRANSITIONS: dict[OrderState, frozenset[OrderState]] = {
    _S.IN_FLIGHT: frozenset({_S.LIVE, _S.MATCHED, _S.DELAYED, _S.UNMATCHED, _S.CANCELED, _S.INVALID}),
    _S.LIVE: frozenset({_S.LIVE, _S.MATCHED, _S.CANCELED, _S.INVALID}),
    _S.DELAYED: frozenset({_S.DELAYED, _S.LIVE, _S.MATCHED, _S.UNMATCHED, _S.CANCELED, _S.INVALID}),
    _S.UNMATCHED: frozenset({_S.UNMATCHED, _S.LIVE, _S.MATCHED, _S.CANCELED, _S.INVALID}),
    _S.MATCHED: frozenset({_S.MATCHED, _S.LIVE, _S.CANCELED, _S.INVALID}),
    _S.CANCELED: frozenset({_S.CANCELED}),
    _S.INVALID: frozenset({_S.INVALID}),
    _S.REJECTED: frozenset(),
    _S.QUARANTINED: frozenset(),
}
#: Trade statuses each may move to (step 4): the documented paths, a missed message skipped.
TRADE_TRANSITIONS: dict[str, frozenset[str]] = {
    "MATCHED": frozenset({"MINED", "CONFIRMED", "RETRYING", "FAILED"}),
    "MINED": frozenset({"CONFIRMED", "RETRYING", "FAILED"}),
    "RETRYING": frozenset({"MINED", "CONFIRMED", "FAILED"}),
    "CONFIRMED": frozenset(),
    "FAILED": frozenset(),
}
_CLOSED = frozenset({_S.CANCELED, _S.INVALID, _S.REJECTED, _S.QUARANTINED})
_UNMATCHED_YET = frozenset({_S.IN_FLIGHT, _S.LIVE, _S.DELAYED, _S.UNMATCHED})
_TAKER = frozenset({OrderType.FAK, OrderType.FOK})
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OrderView:
    """One order as the lifecycle sees it (a snapshot).

    ``order_id`` is the venue id (the order hash), confirmed once ``id_confirmed``; ``size`` and
    ``filled`` in shares (``size`` the venue's ``original_size`` once reported); ``reason`` the
    standing reason code (EXEC_SUBMIT_AMBIGUOUS, EXEC_OVERFILL) or None; ``error`` the venue's text
    (a rejection's errorMsg, a status's detail such as a FOK kill); times epoch ms UTC.
    """

    plan_id: str
    order_id: str
    condition_id: str
    token_id: str
    order_type: OrderType
    size: Decimal
    state: OrderState
    filled: Decimal
    open: bool
    id_confirmed: bool
    cancel_pending: bool
    reason: str | None
    error: str | None
    submitted_ts_ms: int
    updated_ts_ms: int


@dataclass(frozen=True, slots=True)
class Update:
    """What one input did: the order after it, this step's reason code, the cancels to send now."""

    order: OrderView
    reason: str | None = None
    send: tuple[CancelOrder, ...] = ()


@dataclass(slots=True)
class _Order:
    plan_id: str
    order_id: str
    condition_id: str
    token_id: str
    order_type: OrderType
    size: Decimal
    submitted_ts_ms: int
    updated_ts_ms: int
    state: OrderState = OrderState.IN_FLIGHT
    id_confirmed: bool = False
    cancel_pending: bool = False
    reason: str | None = None
    error: str | None = None
    matched_seen: Decimal = _ZERO
    trades: dict[str, tuple[Decimal, str]] = field(default_factory=dict)

    def counted(self) -> Decimal:
        return sum((size for size, status in self.trades.values() if status != "FAILED"), _ZERO)

    def filled(self) -> Decimal:
        if self.state is OrderState.QUARANTINED:
            return _ZERO
        failed = sum((size for size, status in self.trades.values() if status == "FAILED"), _ZERO)
        return max(self.matched_seen - failed, self.counted())

    def is_open(self) -> bool:
        return (
            self.state not in _CLOSED
            and self.filled() < self.size
            and not (self.order_type in _TAKER and self.trades)
        )

    def allowed(self) -> frozenset[OrderState]:
        if self.state is not OrderState.MATCHED or self.is_open():
            return ORDER_TRANSITIONS[self.state]
        return frozenset({OrderState.MATCHED, *([OrderState.CANCELED] if self.filled() < self.size else [])})

    def view(self) -> OrderView:
        return OrderView(
            plan_id=self.plan_id, order_id=self.order_id, condition_id=self.condition_id,
            token_id=self.token_id, order_type=self.order_type, size=self.size, state=self.state,
            filled=self.filled(), open=self.is_open(), id_confirmed=self.id_confirmed,
            cancel_pending=self.cancel_pending, reason=self.reason, error=self.error,
            submitted_ts_ms=self.submitted_ts_ms, updated_ts_ms=self.updated_ts_ms,
        )  # fmt: skip


class Lifecycle:
    """Order state machines of one session, keyed by plan id and by venue order id.

    Sequential state, so a class; every method returns values (no raise on venue input, no logging).
    See the module docstring for the rules.
    """

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self._orders: dict[str, _Order] = {}
        self._plan_of: dict[str, str] = {}

    def submitted(self, plan: ExecutionPlan, order_id: str, ts_ms: int) -> Update:
        """Track ``plan`` IN_FLIGHT under ``order_id`` (its order hash, the venue's id), sent at ``ts_ms``.

        Raises ValueError if the plan id or the order id is already tracked.
        """
        if plan.plan_id in self._orders or order_id in self._plan_of:
            raise ValueError(f"plan {plan.plan_id} / order {order_id} is already tracked")
        order = _Order(
            plan_id=plan.plan_id, order_id=order_id, condition_id=plan.condition_id, token_id=plan.token_id,
            order_type=plan.order_type, size=plan.size, submitted_ts_ms=ts_ms, updated_ts_ms=ts_ms,
        )  # fmt: skip
        self._orders[plan.plan_id] = order
        self._plan_of[order_id] = plan.plan_id
        return Update(order.view())

    def on_response(self, plan_id: str, response: Mapping[str, Any] | None, ts_ms: int) -> Update | Rejection:
        """Apply the ``POST /order`` answer received at ``ts_ms`` (step 2).

        ``response`` is the decoded body (a 4xx error body included; a plain-text one as
        ``{"error": text}``), or None for no answer, a timeout or a 5xx. Raises KeyError for a plan
        never submitted.
        """
        order = self._orders[plan_id]
        answer = read_answer(response, order.order_id)
        if order.state is not OrderState.IN_FLIGHT or order.trades:
            if answer.kind == "REJECTED":
                return self._illegal(order, "REJECTED", error=answer.error or "")
            return Update(order.view())
        order.updated_ts_ms = ts_ms
        if answer.kind == "ACCEPTED":
            order.state = OrderState((answer.status or "").upper())
            order.reason = None
            return self._confirm(order)
        if answer.kind == "REJECTED":
            order.state, order.error, order.cancel_pending = OrderState.REJECTED, answer.error, False
            return Update(order.view())
        order.reason = AMBIGUOUS
        return self._confirm(order, AMBIGUOUS) if answer.order_id else Update(order.view(), AMBIGUOUS)

    def on_order_event(self, event: OrderEvent) -> Update | Rejection:
        """Apply one user-channel order message (step 3)."""
        order = self._tracked(event.order_id)
        if isinstance(order, Rejection):
            return order
        if event.size_matched > event.original_size:
            return self._quarantine(
                order, event.ts_ms, size_matched=str(event.size_matched), original_size=str(event.original_size)
            )
        status = OrderState(event.status)
        if status not in order.allowed():
            return self._illegal(order, status)
        order.state, order.size, order.updated_ts_ms, order.reason = status, event.original_size, event.ts_ms, None
        order.matched_seen = max(order.matched_seen, event.size_matched)
        order.error = event.status_detail or order.error
        if order.counted() > order.size:
            return self._quarantine(order, event.ts_ms, filled_by_trades=str(order.counted()), size=str(order.size))
        return self._confirm(order)

    def on_trade(self, fill: Fill) -> Update | Rejection:
        """Apply one user-channel trade message for one of our orders (step 4)."""
        order = self._tracked(fill.order_id)
        if isinstance(order, Rejection):
            return order
        seen = order.trades.get(fill.fill_id)
        if seen is not None:
            if fill.trade_status == seen[1]:
                return Update(order.view())
            if fill.trade_status not in TRADE_TRANSITIONS[seen[1]]:
                return self._illegal(order, fill.trade_status, fill_id=fill.fill_id, trade_from=seen[1])
        order.trades[fill.fill_id] = (fill.size if seen is None else seen[0], fill.trade_status)
        order.updated_ts_ms = fill.ts_ms
        if order.counted() > order.size:
            return self._quarantine(order, fill.ts_ms, filled_by_trades=str(order.counted()), size=str(order.size))
        if order.state in _UNMATCHED_YET and fill.trade_status != "FAILED":
            order.state, order.reason = OrderState.MATCHED, None
        return self._confirm(order)

    def cancel(self, plan_id: str, ts_ms: int) -> Update | Rejection:
        """Ask to cancel ``plan_id`` at ``ts_ms`` (step 7): ``send`` now, wait for the id, or no-op."""
        order = self._orders.get(plan_id)
        if order is None:
            return Rejection(UNKNOWN_ORDER, {"plan_id": plan_id})
        if not order.is_open():
            return Update(order.view())
        if not order.id_confirmed:
            order.cancel_pending, order.updated_ts_ms = True, ts_ms
            return Update(order.view(), CANCEL_PENDING)
        return Update(order.view(), send=(CancelOrder(order.order_id),))

    def order(self, plan_id: str) -> OrderView | None:
        """The order of ``plan_id``, or None if it was never submitted."""
        order = self._orders.get(plan_id)
        return order.view() if order else None

    def open_orders(self) -> list[OrderView]:
        """Open orders (step 6, IN_FLIGHT included), in submission order."""
        return [order.view() for order in self._orders.values() if order.is_open()]

    def in_flight(self) -> list[OrderView]:
        """Orders with no definite answer nor user-channel status yet, in submission order."""
        return [order.view() for order in self._orders.values() if order.state is OrderState.IN_FLIGHT]

    def _tracked(self, order_id: str) -> _Order | Rejection:
        plan_id = self._plan_of.get(order_id)
        if plan_id is None:
            return Rejection(ILLEGAL, {"order_id": order_id, "from": "UNKNOWN"})
        order = self._orders[plan_id]
        if order.state is OrderState.QUARANTINED:
            return Rejection(OVERFILL, {"plan_id": plan_id, "order_id": order_id, "from": "QUARANTINED"})
        return order

    def _confirm(self, order: _Order, reason: str | None = None) -> Update:
        """The venue id is confirmed: a waiting cancel goes out now if the order is still open."""
        order.id_confirmed = True
        send = (CancelOrder(order.order_id),) if order.cancel_pending and order.is_open() else ()
        order.cancel_pending = False
        return Update(order.view(), reason, send)

    def _illegal(self, order: _Order, to: str, **details: str) -> Rejection:
        return Rejection(
            ILLEGAL,
            {"plan_id": order.plan_id, "order_id": order.order_id, "from": order.state.value, "to": str(to)} | details,
        )

    def _quarantine(self, order: _Order, ts_ms: int, **details: str) -> Rejection:
        order.state, order.reason, order.cancel_pending, order.updated_ts_ms = (
            OrderState.QUARANTINED, OVERFILL, False, ts_ms
        )
        return Rejection(OVERFILL, {"plan_id": order.plan_id, "order_id": order.order_id} | details)
