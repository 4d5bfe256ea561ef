"""adapters.polymarket.rejections: venue rejection texts -> reason codes, and the rejection breaker."""

from __future__ import annotations

import json

import pytest

from polytraders.adapters.polymarket.rejections import (
    RULES,
    BreakerCause,
    RejectionBreaker,
    reason_code,
)
from polytraders.contracts import reason_codes

H = "0x" + "ab" * 32


@pytest.mark.parametrize(("message", "code"), [
    # docs.polymarket.com/resources/error-codes, Order Processing Errors
    ("not enough balance / allowance", "EXEC_VENUE_BALANCE_ALLOWANCE"),
    ("not enough balance / allowance: the balance is not enough -> balance: 0, order amount: 20000000",
     "EXEC_VENUE_BALANCE_ALLOWANCE"),
    ("not enough balance / allowance: the allowance is not enough -> spender: 0xd91E, allowance: 0",
     "EXEC_VENUE_BALANCE_ALLOWANCE"),
    ("invalid signature", "EXEC_VENUE_INVALID_SIGNATURE"),
    (f"order {H} is invalid. Price (0.9803921568627451) breaks minimum tick size rule: 0.001", "EXEC_VENUE_TICK"),
    (f"order {H} is invalid. Size (1.73) lower than the minimum: 5", "EXEC_VENUE_MIN_SIZE"),
    ("invalid amount for a marketable BUY order ($0.50), min size: 1", "EXEC_VENUE_MIN_SIZE"),
    ("invalid post-only order: order crosses book", "EXEC_VENUE_POST_ONLY_CROSS"),
    ("service not ready", "EXEC_VENUE_NOT_READY"),
    ("post-only mode: only post-only orders and cancels are allowed", "EXEC_VENUE_NOT_READY"),
    ("invalid amounts, the buy orders maker amount supports a max accuracy of 4 decimals, taker amount a max of "
     "2 decimals", "EXEC_VENUE_AMOUNT_PRECISION"),
    ("invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a "
     "max of 4 decimals", "EXEC_VENUE_AMOUNT_PRECISION"),
    ("order couldn't be fully filled. FOK orders are fully filled or killed.", "EXEC_VENUE_FOK_UNFILLED"),
    ("order couldn\u2019t be fully filled. FOK orders are fully filled or killed.", "EXEC_VENUE_FOK_UNFILLED"),
    ("FOK orders are filled or killed", "EXEC_VENUE_FOK_UNFILLED"),  # the 500 variant
    ("no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.",
     "EXEC_VENUE_FOK_UNFILLED"),
    # unmapped: a real refusal, but no specific code
    (f"order {H} is invalid. Duplicated.", "EXEC_VENUE_REJECTED"),
    (f"order {H} crosses the book", "EXEC_VENUE_REJECTED"),
    ("invalid expiration", "EXEC_VENUE_REJECTED"),
    ("the market is not yet ready to process new orders", "EXEC_VENUE_REJECTED"),
    ("Too many orders in payload: 16, max allowed: 15", "EXEC_VENUE_REJECTED"),
    ("Invalid order payload", "EXEC_VENUE_REJECTED"),
    ("", "EXEC_VENUE_REJECTED"),
    (None, "EXEC_VENUE_REJECTED"),
])
def test_each_venue_message_maps_to_its_code(message, code):
    assert reason_code(message) == code


def test_matching_ignores_case():
    assert reason_code("NOT ENOUGH BALANCE / ALLOWANCE") == "EXEC_VENUE_BALANCE_ALLOWANCE"
    assert reason_code("Service Not Ready") == "EXEC_VENUE_NOT_READY"


def test_http_425_is_not_ready_whatever_the_text():
    assert reason_code(None, 425) == "EXEC_VENUE_NOT_READY"
    assert reason_code("not enough balance / allowance", 425) == "EXEC_VENUE_NOT_READY"
    # any other status leaves the text to decide
    assert reason_code("not enough balance / allowance", 400) == "EXEC_VENUE_BALANCE_ALLOWANCE"
    assert reason_code(None, 500) == "EXEC_VENUE_REJECTED"


def test_recorded_http_failures(ref):
    failed = json.loads(ref("rs:http_order_response_failed.json"))
    assert failed["success"] is False
    assert reason_code(failed["errorMsg"], 400) == "EXEC_VENUE_BALANCE_ALLOWANCE"  # "Insufficient balance"
    error_500 = json.loads(ref("rs:http_order_response_error_500.json"))
    assert reason_code(error_500["error"], 500) == "EXEC_VENUE_REJECTED"  # "Internal server error"


def test_every_rule_names_a_registered_code_and_a_source():
    for rule in RULES:
        assert reason_codes.require(rule.code) == rule.code
        assert rule.source


# --- the breaker ----------------------------------------------------------------------------------

def test_breaker_trips_at_the_fifth_identical_rejection():
    breaker = RejectionBreaker()
    results = [breaker.record("EXEC_VENUE_TICK", 1_000 + i) for i in range(5)]
    assert results == [False, False, False, False, True]  # the 5th of 5 identical in a row trips it
    assert breaker.tripped
    assert breaker.cause == BreakerCause("EXEC_VENUE_TICK", 5, 1_000, 1_004)


def test_breaker_does_not_trip_when_codes_alternate():
    breaker = RejectionBreaker()
    for i in range(20):
        code = "EXEC_VENUE_TICK" if i % 2 else "EXEC_VENUE_MIN_SIZE"
        assert breaker.record(code, i) is False  # every run is 1 long
    assert not breaker.tripped and breaker.cause is None


def test_a_different_code_or_a_success_restarts_the_run():
    breaker = RejectionBreaker(threshold=3)
    assert [breaker.record("EXEC_VENUE_TICK", t) for t in (1, 2)] == [False, False]
    breaker.record_success()  # run of 2 ends
    assert [breaker.record("EXEC_VENUE_TICK", t) for t in (3, 4)] == [False, False]
    assert breaker.record("EXEC_VENUE_MIN_SIZE", 5) is False  # run of 2 ends
    assert [breaker.record("EXEC_VENUE_MIN_SIZE", t) for t in (6, 7)] == [False, True]  # 3 in a row: 5, 6, 7
    assert breaker.cause == BreakerCause("EXEC_VENUE_MIN_SIZE", 3, 5, 7)


def test_a_tripped_breaker_stays_tripped_until_reset():
    breaker = RejectionBreaker(threshold=2)
    breaker.record("EXEC_VENUE_NOT_READY", 10)
    assert breaker.record("EXEC_VENUE_NOT_READY", 20) is True
    # further rejections never trip it again, successes do not clear it, the cause stays the first
    assert breaker.record("EXEC_VENUE_NOT_READY", 30) is False
    breaker.record_success()
    assert breaker.record("EXEC_VENUE_TICK", 40) is False
    assert breaker.tripped
    assert breaker.cause == BreakerCause("EXEC_VENUE_NOT_READY", 2, 10, 20)
    breaker.reset()
    assert not breaker.tripped and breaker.cause is None
    assert breaker.record("EXEC_VENUE_TICK", 50) is False  # the run restarted with reset
    assert breaker.record("EXEC_VENUE_TICK", 60) is True


def test_breaker_threshold_one_trips_on_the_first():
    assert RejectionBreaker(threshold=1).record("EXEC_VENUE_REJECTED", 1) is True


def test_breaker_threshold_must_be_positive():
    with pytest.raises(ValueError, match="threshold must be >= 1"):
        RejectionBreaker(threshold=0)


def test_breaker_is_deterministic():
    codes = ["EXEC_VENUE_TICK", "EXEC_VENUE_TICK", "EXEC_VENUE_MIN_SIZE"] + ["EXEC_VENUE_TICK"] * 5

    def run() -> tuple[list[bool], BreakerCause | None]:
        breaker = RejectionBreaker()
        return [breaker.record(c, i) for i, c in enumerate(codes)], breaker.cause

    assert run() == run()
    assert run()[1] == BreakerCause("EXEC_VENUE_TICK", 5, 3, 7)  # the second run of TICK, rows 3..7
