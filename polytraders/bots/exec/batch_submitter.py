"""exec.batch_submitter — at most 15 orders per batch; a failed batch is never resubmitted blindly.

Method
    1. Batches. ``POST /orders`` takes at most 15 orders a request (docs.polymarket.com, API
       reference > Trade > Post multiple orders: "Maximum 15 orders per request"; nautilus_trader's
       ``BATCH_ORDER_LIMIT = 15``). :func:`batches` cuts the signed orders, in their order, into
       consecutive batches of ``max_batch_size``; more than one batch is an EXEC_BATCH_SPLIT.
    2. One submit answer (``POST /order``, or one entry of ``POST /orders``' array; body
       ``{"success", "errorMsg", "orderID", "status", "makingAmount", "takingAmount"}``, see
       py_clob_client_v2 ``client.post_order`` and docs.polymarket.com "Create order"), read by
       :func:`read_answer` against the order hash we expect (the venue's order id is the hash):
         - ACCEPTED: ``success`` true, ``orderID`` = the expected hash and ``status`` one of
           live / matched / delayed / unmatched (any case);
         - REJECTED: otherwise, if the answer carries error text (``errorMsg``, or ``error``: the
           single field of every CLOB error body, docs.polymarket.com "Error codes");
         - AMBIGUOUS: everything else — no answer (None: timeout, transport error, 5xx), a body that
           is not an object, ``success`` without an id or a status and without error text, or an
           ``orderID`` that is not the expected hash. ``order_id`` is the expected hash when the
           venue named it (``success`` true) without a status, else None.
       This follows nautilus_trader's ``submit_response_outcome`` (an answer that proves neither
       acceptance nor rejection is unknown, and a batch is not retried on a transport timeout).
    3. After a batch call (:func:`after_failure`): the batch is never resubmitted as a whole
       (EXEC_BATCH_NOT_RETRIED). With no answer (``responses`` None) every order stays in flight
       for the lifecycle to settle from the user channel; so does an order the array leaves out
       (fewer entries than orders; entries pair with orders by position, as the venue returns them
       in request order) and one whose entry is AMBIGUOUS (EXEC_SUBMIT_AMBIGUOUS). A REJECTED order
       is resubmitted alone (``POST /order``) only when the caller's classification of its error
       text is in ``retryable_codes`` (default EXEC_VENUE_NOT_READY: HTTP 425 / the matching engine
       restarting, where nothing was placed); every other rejection is final. The resubmission
       sends the same signed order (same hash: the venue refuses a duplicate), and its answer
       goes to the lifecycle like any single submit: an order is retried at most once.

Inputs
    ``items`` — any sequence (signed orders); ``batch`` — the SignedOrderRequests of one call, in
    request order; ``responses`` — the decoded JSON array of the call (one object per order; for an
    error body that answers the whole call, repeat it per order) or None when no answer came;
    ``classify`` — maps venue error text to a registered reason code (default
    :func:`polytraders.adapters.polymarket.rejections.reason_code`). A plain-text error body (e.g.
    ``service not ready``) is handed over as ``{"error": text}``.

Returns
    :func:`batches`: ``list[list[T]]``. :func:`read_answer`: :class:`SubmitAnswer`.
    :func:`after_failure`: one :class:`BatchAction` per order of the batch, in order — what the
    integrator does next: ACCEPTED / REJECTED / IN_FLIGHT — hand the order's entry (None when it
    has none) to ``Lifecycle.on_response`` (an IN_FLIGHT order stays in flight there);
    RESUBMIT — leave the lifecycle alone, post the order by itself and hand that answer to
    ``Lifecycle.on_response``.

Reason codes
    EXEC_BATCH_SPLIT (more than one batch; :data:`SPLIT`, for the caller to record),
    EXEC_BATCH_NOT_RETRIED, EXEC_SUBMIT_AMBIGUOUS, and the classified venue codes.

Raises
    pydantic.ValidationError — invalid config (``max_batch_size`` outside [1, 15], an unregistered
    retryable code). ValueError — :func:`chunked` with a size below 1. UnknownReasonCodeError —
    ``classify`` returned an unregistered code (a bug of the caller's mapping).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import Field, field_validator

from polytraders.adapters.polymarket.rejections import reason_code
from polytraders.bots.base import BotConfig
from polytraders.contracts import SignedOrderRequest, reason_codes

SLUG = "exec.batch_submitter"
VERSION = "0.1.0"

SPLIT = reason_codes.require("EXEC_BATCH_SPLIT")
NOT_RETRIED = reason_codes.require("EXEC_BATCH_NOT_RETRIED")
AMBIGUOUS = reason_codes.require("EXEC_SUBMIT_AMBIGUOUS")

#: ``status`` values of an accepted submit (docs.polymarket.com "Create order").
ACCEPTED_STATUSES = ("live", "matched", "delayed", "unmatched")

T = TypeVar("T")


class Config(BotConfig):
    """Parameters of exec.batch_submitter."""

    max_batch_size: int = Field(
        default=15, ge=1, le=15, description="orders per POST /orders call (venue maximum 15), orders"
    )
    retryable_codes: tuple[str, ...] = Field(
        default=("EXEC_VENUE_NOT_READY",),
        description="classified rejections after which an order of a batch is resubmitted alone, reason codes",
    )

    @field_validator("retryable_codes")
    @classmethod
    def _registered(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(reason_codes.require(code) for code in codes)


@dataclass(frozen=True, slots=True)
class SubmitAnswer:
    """One submit answer, read (see the module docstring, step 2).

    ``status`` is the venue's lower-case status (ACCEPTED only); ``error`` the venue's error text
    (REJECTED) or why the answer is ambiguous (AMBIGUOUS).
    """

    kind: Literal["ACCEPTED", "REJECTED", "AMBIGUOUS"]
    order_id: str | None = None
    status: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class BatchAction:
    """What to do with one order of a batch after the call (see :func:`after_failure`)."""

    plan_id: str
    action: Literal["ACCEPTED", "REJECTED", "RESUBMIT", "IN_FLIGHT"]
    reason: str | None = None
    detail: str | None = None


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` in order, cut into consecutive lists of at most ``size`` (the last may be shorter)."""
    if size < 1:
        raise ValueError(f"chunk size must be >= 1, got {size}")
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def batches(items: Sequence[T], config: Config) -> list[list[T]]:
    """``items`` in order, in batches of at most ``config.max_batch_size`` (31 -> 15, 15, 1)."""
    return chunked(items, config.max_batch_size)


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def read_answer(response: Mapping[str, Any] | None, expected_order_id: str) -> SubmitAnswer:
    """Read one submit answer against the order hash we expect; see the module docstring, step 2."""
    if not isinstance(response, Mapping):
        return SubmitAnswer("AMBIGUOUS", error="no answer" if response is None else "answer is not an object")
    order_id = _text(response.get("orderID"))
    status = (_text(response.get("status")) or "").lower()
    success = response.get("success") is True
    if success and order_id not in (None, expected_order_id):
        return SubmitAnswer("AMBIGUOUS", error=f"orderID {order_id} is not the expected {expected_order_id}")
    if success and order_id and status in ACCEPTED_STATUSES:
        return SubmitAnswer("ACCEPTED", order_id=order_id, status=status)
    error = _text(response.get("errorMsg")) or _text(response.get("error"))
    if error:
        return SubmitAnswer("REJECTED", error=error)
    return SubmitAnswer(
        "AMBIGUOUS", order_id=order_id if success else None, error="neither an accepted status nor error text"
    )


def after_failure(
    batch: Sequence[SignedOrderRequest],
    responses: Sequence[Mapping[str, Any] | None] | None,
    config: Config,
    classify: Callable[[str], str] = reason_code,
) -> list[BatchAction]:
    """What becomes of each order of one ``POST /orders`` call; see the module docstring, step 3.

    Args:
        batch: the call's signed orders, in request order.
        responses: the call's answer array (entries pair with ``batch`` by position), or None when
            the call got no answer (timeout, transport error, 5xx).
        config: the bot's Config.
        classify: venue error text -> registered reason code; default the adapter's table
            (:func:`polytraders.adapters.polymarket.rejections.reason_code`; for a whole call answered
            425, pass ``lambda text: reason_code(text, 425)``).

    Returns:
        One BatchAction per order, in order (ACCEPTED, REJECTED with the classified code, RESUBMIT
        with the classified code, or IN_FLIGHT with EXEC_BATCH_NOT_RETRIED / EXEC_SUBMIT_AMBIGUOUS).
    """
    actions = []
    for index, order in enumerate(batch):
        if responses is None or index >= len(responses):
            detail = "no answer" if responses is None else "the answer array leaves this order out"
            actions.append(BatchAction(order.plan_id, "IN_FLIGHT", NOT_RETRIED, detail))
            continue
        answer = read_answer(responses[index], order.order_hash)
        if answer.kind == "ACCEPTED":
            actions.append(BatchAction(order.plan_id, "ACCEPTED"))
        elif answer.kind == "AMBIGUOUS":
            actions.append(BatchAction(order.plan_id, "IN_FLIGHT", AMBIGUOUS, answer.error))
        else:
            code = reason_codes.require(classify(answer.error or ""))
            action = "RESUBMIT" if code in config.retryable_codes else "REJECTED"
            actions.append(BatchAction(order.plan_id, action, code, answer.error))
    return actions
