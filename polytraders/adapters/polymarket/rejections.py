"""Venue rejection messages -> registered reason codes, and the breaker on a run of identical rejections.

Method
    :func:`reason_code` tries the patterns of :data:`RULES` in order (case-insensitive regex search
    in the venue's ``errorMsg`` / ``{"error": ...}`` text); the first that matches names the code.
    HTTP 425 ("Too Early": the matching engine is restarting) is EXEC_VENUE_NOT_READY whatever the
    text. No match -> EXEC_VENUE_REJECTED. Each rule carries the public source of its wording.

    :class:`RejectionBreaker` counts identical consecutive rejection codes (sequential state): the
    ``threshold``-th identical code in a row trips it, a success or a different code restarts the
    run; once tripped it stays tripped (and keeps its cause) until :meth:`RejectionBreaker.reset`.

Reason codes
    EXEC_VENUE_BALANCE_ALLOWANCE, EXEC_VENUE_INVALID_SIGNATURE, EXEC_VENUE_TICK, EXEC_VENUE_MIN_SIZE,
    EXEC_VENUE_POST_ONLY_CROSS, EXEC_VENUE_NOT_READY, EXEC_VENUE_AMOUNT_PRECISION,
    EXEC_VENUE_FOK_UNFILLED (also a FAK that found no match: no FAK code is registered),
    EXEC_VENUE_REJECTED.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from polytraders.contracts import reason_codes

BALANCE_ALLOWANCE = reason_codes.require("EXEC_VENUE_BALANCE_ALLOWANCE")
INVALID_SIGNATURE = reason_codes.require("EXEC_VENUE_INVALID_SIGNATURE")
TICK = reason_codes.require("EXEC_VENUE_TICK")
MIN_SIZE = reason_codes.require("EXEC_VENUE_MIN_SIZE")
POST_ONLY_CROSS = reason_codes.require("EXEC_VENUE_POST_ONLY_CROSS")
NOT_READY = reason_codes.require("EXEC_VENUE_NOT_READY")
AMOUNT_PRECISION = reason_codes.require("EXEC_VENUE_AMOUNT_PRECISION")
FOK_UNFILLED = reason_codes.require("EXEC_VENUE_FOK_UNFILLED")
REJECTED = reason_codes.require("EXEC_VENUE_REJECTED")

#: The HTTP status the venue answers on every order endpoint while its matching engine restarts
#: (docs.polymarket.com "Matching Engine Restarts": "API returns 425").
TOO_EARLY = 425

_DOCS = "docs.polymarket.com/resources/error-codes"


class Rule(NamedTuple):
    """One venue wording (a regex, matched case-insensitively) and the code it maps to."""

    pattern: re.Pattern[str]
    code: str
    source: str


def _rule(pattern: str, code: str, source: str) -> Rule:
    return Rule(re.compile(pattern, re.IGNORECASE), code, source)


#: The mapping, first match wins.
RULES: tuple[Rule, ...] = (
    _rule(r"not enough balance / allowance", BALANCE_ALLOWANCE,
          f"{_DOCS} (Order Processing Errors); with its detail '... the balance is not enough -> balance: 0, "
          "order amount: 20000000' in Polymarket/py-clob-client#287"),
    _rule(r"insufficient balance", BALANCE_ALLOWANCE,
          "nautilus_trader crates/adapters/polymarket/test_data/http_order_response_failed.json"),
    _rule(r"invalid signature", INVALID_SIGNATURE,
          "Polymarket/py-clob-client#93 (post_order answers 'invalid signature')"),
    _rule(r"breaks minimum tick size rule", TICK,
          f"{_DOCS}: 'order {{id}} is invalid. Price ({{price}}) breaks minimum tick size rule: {{tick}}'"),
    _rule(r"lower than the minimum", MIN_SIZE,
          f"{_DOCS}: 'order {{id}} is invalid. Size ({{size}}) lower than the minimum: {{min}}'"),
    _rule(r"invalid amount for a marketable buy order", MIN_SIZE,
          "'invalid amount for a marketable BUY order ($0.50), min size: 1' (the $1 minimum of a market BUY, "
          "nautilus_trader#3874)"),
    _rule(r"invalid post-only order: order crosses book", POST_ONLY_CROSS, f"{_DOCS} (Order Processing Errors)"),
    _rule(r"service not ready", NOT_READY,
          "Polymarket/py-clob-client#273: PolyApiException[status_code=425, error_message=service not ready]"),
    _rule(r"post-only mode", NOT_READY,
          f"{_DOCS}: 503 'post-only mode: only post-only orders and cancels are allowed' (after a restart)"),
    _rule(r"invalid amounts", AMOUNT_PRECISION,
          "'invalid amounts, the buy orders maker amount supports a max accuracy of 4 decimals, taker amount a max "
          "of 2 decimals' (Polymarket/py-clob-client#305; 'market buy' variant Polymarket/rs-clob-client#114)"),
    _rule(r"FOK orders are (fully )?filled or killed", FOK_UNFILLED,
          f"{_DOCS}: 400 'order couldn't be fully filled. FOK orders are fully filled or killed.', "
          "500 'FOK orders are filled or killed'"),
    _rule(r"no orders found to match with FAK order", FOK_UNFILLED,
          f"{_DOCS}: 'no orders found to match with FAK order. FAK orders are partially filled or killed if no "
          "match is found.' (closest registered code; there is no FAK code)"),
)


def reason_code(error_msg: str | None, http_status: int | None = None) -> str:
    """The registered code of one venue rejection.

    Args:
        error_msg: the venue's text (an order response's ``errorMsg``, an error body's ``error``, or
            a plain-text body such as ``service not ready``); None or "" when there is none.
        http_status: the HTTP status of the answer, if known; 425 is always EXEC_VENUE_NOT_READY.

    Returns:
        The code of the first :data:`RULES` pattern found in ``error_msg``, else EXEC_VENUE_REJECTED.
    """
    if http_status == TOO_EARLY:
        return NOT_READY
    text = error_msg or ""
    return next((rule.code for rule in RULES if rule.pattern.search(text)), REJECTED)


@dataclass(frozen=True, slots=True)
class BreakerCause:
    """Why a breaker tripped: ``count`` identical rejections ``code`` in a row, from ``first_ts_ms``
    to ``last_ts_ms`` (epoch ms UTC)."""

    code: str
    count: int
    first_ts_ms: int
    last_ts_ms: int


class RejectionBreaker:
    """Trips on ``threshold`` identical consecutive venue rejection codes (submits should then stop).

    Raises ValueError for a ``threshold`` below 1.
    """

    def __init__(self, threshold: int = 5) -> None:
        if threshold < 1:
            raise ValueError(f"threshold must be >= 1, got {threshold}")
        self.threshold = threshold
        self._run: BreakerCause | None = None
        self._cause: BreakerCause | None = None

    @property
    def tripped(self) -> bool:
        """True from the rejection that tripped it until :meth:`reset`."""
        return self._cause is not None

    @property
    def cause(self) -> BreakerCause | None:
        """The run that tripped it (code, count, first and last ts), None while not tripped."""
        return self._cause

    def record(self, code: str, ts_ms: int) -> bool:
        """Count one rejection with ``code`` at ``ts_ms``; True only for the rejection that trips it."""
        run = self._run
        if run is not None and run.code == code:
            self._run = BreakerCause(code, run.count + 1, run.first_ts_ms, ts_ms)
        else:
            self._run = BreakerCause(code, 1, ts_ms, ts_ms)
        if self._cause is None and self._run.count >= self.threshold:
            self._cause = self._run
            return True
        return False

    def record_success(self) -> None:
        """An accepted order: the run of identical rejections ends (a trip stays until reset)."""
        self._run = None

    def reset(self) -> None:
        """Clear the trip and the run."""
        self._run = None
        self._cause = None
