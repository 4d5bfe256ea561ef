"""exec.batch_submitter: 15-order batches, reading a submit answer, no blind retry of a failed batch."""

from __future__ import annotations

import pydantic
import pytest

from polytraders.bots.exec import batch_submitter as bs
from polytraders.contracts import SignedOrderRequest
from polytraders.contracts.types import OrderType, Side

TS = 1_700_000_000_000
H = "0x" + "1" * 64
ADDR = "0x" + "2" * 40

NOTHING = "neither an accepted status nor error text"


def _signed(n: int) -> SignedOrderRequest:
    return SignedOrderRequest(
        plan_id=f"p{n}", order_hash="0x" + f"{n:064x}", salt=str(n), maker=ADDR, signer=ADDR, token_id="1",
        maker_amount=5_000_000, taker_amount=10_000_000, side=Side.BUY, signature_type=0, timestamp_ms=TS,
        metadata="0x" + "0" * 64, builder="0x" + "0" * 64, signature="0x" + "ab" * 65, exchange=ADDR,
        chain_id=137, order_type=OrderType.GTC,
    )  # fmt: skip


def test_batches_when_31_items_then_15_15_1_in_order() -> None:
    out = bs.batches(list(range(31)), bs.Config())
    # 31 = 15 + 15 + 1, cut in order: [0..14], [15..29], [30]
    assert [len(b) for b in out] == [15, 15, 1]
    assert out[0] == list(range(15)) and out[1] == list(range(15, 30)) and out[2] == [30]


@pytest.mark.parametrize(
    ("n", "size", "lengths"),
    [
        (15, 15, [15]),  # exactly one full batch
        (16, 15, [15, 1]),  # one over: a second batch of 1
        (0, 15, []),  # nothing to send: no batch
        (10, 4, [4, 4, 2]),  # 10 = 4 + 4 + 2
        (3, 1, [1, 1, 1]),  # batches of one
    ],
)
def test_batches_when_sizes_then_consecutive_cuts(n: int, size: int, lengths: list[int]) -> None:
    out = bs.batches(list(range(n)), bs.Config(max_batch_size=size))
    assert [len(b) for b in out] == lengths
    assert [x for b in out for x in b] == list(range(n))  # order kept, nothing lost or repeated


@pytest.mark.parametrize("bad", [{"max_batch_size": 0}, {"max_batch_size": 16}, {"retryable_codes": ("EXEC_NOPE",)}])
def test_config_when_out_of_range_then_validation_error(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        bs.Config(**bad)


def test_chunked_when_size_below_one_then_value_error() -> None:
    with pytest.raises(ValueError):
        bs.chunked([1, 2], 0)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({"success": True, "orderID": H, "status": "live", "errorMsg": ""}, bs.SubmitAnswer("ACCEPTED", H, "live")),
        ({"success": True, "orderID": H, "status": "MATCHED"}, bs.SubmitAnswer("ACCEPTED", H, "matched")),
        ({"success": True, "orderID": H, "status": "delayed", "errorMsg": "order delayed"},
         bs.SubmitAnswer("ACCEPTED", H, "delayed")),  # a delay's text with an accepted status: accepted
        ({"success": True, "orderID": H, "status": "unmatched"}, bs.SubmitAnswer("ACCEPTED", H, "unmatched")),
        ({"success": False, "errorMsg": "not enough balance / allowance"},
         bs.SubmitAnswer("REJECTED", error="not enough balance / allowance")),
        ({"error": "Invalid order payload"}, bs.SubmitAnswer("REJECTED", error="Invalid order payload")),  # 4xx body
        ({"success": True, "orderID": H, "errorMsg": "order couldn't be fully filled. FOK orders are fully filled"},
         bs.SubmitAnswer("REJECTED", error="order couldn't be fully filled. FOK orders are fully filled")),
        (None, bs.SubmitAnswer("AMBIGUOUS", error="no answer")),
        ("<html>502</html>", bs.SubmitAnswer("AMBIGUOUS", error="answer is not an object")),
        ({}, bs.SubmitAnswer("AMBIGUOUS", error=NOTHING)),
        ({"success": False, "errorMsg": "  "}, bs.SubmitAnswer("AMBIGUOUS", error=NOTHING)),
        ({"success": True, "orderID": H}, bs.SubmitAnswer("AMBIGUOUS", H, error=NOTHING)),
        ({"success": True, "orderID": H, "status": "weird"},
         bs.SubmitAnswer("AMBIGUOUS", H, error=NOTHING)),
        ({"success": True, "orderID": "0xother", "status": "live"},
         bs.SubmitAnswer("AMBIGUOUS", error=f"orderID 0xother is not the expected {H}")),
    ],
)  # fmt: skip
def test_read_answer_when_shapes_then_kind(response: object, expected: bs.SubmitAnswer) -> None:
    assert bs.read_answer(response, H) == expected  # type: ignore[arg-type]


def test_after_failure_when_no_answer_then_every_order_stays_in_flight_not_retried() -> None:
    batch = [_signed(n) for n in range(3)]
    out = bs.after_failure(batch, None, bs.Config())
    assert out == [bs.BatchAction(f"p{n}", "IN_FLIGHT", "EXEC_BATCH_NOT_RETRIED", "no answer") for n in range(3)]


def test_after_failure_when_mixed_answers_then_only_retryable_rejection_resubmitted() -> None:
    batch = [_signed(n) for n in range(5)]
    responses = [
        {"success": True, "orderID": batch[0].order_hash, "status": "live"},  # accepted
        {"success": False, "errorMsg": "service not ready"},  # EXEC_VENUE_NOT_READY: retryable
        {"success": False, "errorMsg": "not enough balance / allowance"},  # final
        {},  # proves nothing: ambiguous
    ]  # the 5th order has no entry
    out = bs.after_failure(batch, responses, bs.Config())
    assert out == [
        bs.BatchAction("p0", "ACCEPTED"),
        bs.BatchAction("p1", "RESUBMIT", "EXEC_VENUE_NOT_READY", "service not ready"),
        bs.BatchAction("p2", "REJECTED", "EXEC_VENUE_BALANCE_ALLOWANCE", "not enough balance / allowance"),
        bs.BatchAction("p3", "IN_FLIGHT", "EXEC_SUBMIT_AMBIGUOUS", NOTHING),
        bs.BatchAction("p4", "IN_FLIGHT", "EXEC_BATCH_NOT_RETRIED", "the answer array leaves this order out"),
    ]


def test_after_failure_when_no_retryable_codes_then_not_ready_is_final() -> None:
    batch = [_signed(0)]
    out = bs.after_failure(batch, [{"error": "service not ready"}], bs.Config(retryable_codes=()))
    assert out == [bs.BatchAction("p0", "REJECTED", "EXEC_VENUE_NOT_READY", "service not ready")]


def test_after_failure_when_caller_classifies_then_its_code_decides() -> None:
    # the whole call answered 425 with an unmapped text: the caller's mapping says not ready -> retryable
    batch = [_signed(0)]
    out = bs.after_failure(batch, [{"error": "Too Early"}], bs.Config(), lambda text: "EXEC_VENUE_NOT_READY")
    assert out == [bs.BatchAction("p0", "RESUBMIT", "EXEC_VENUE_NOT_READY", "Too Early")]
    # the default table has no rule for "Too Early": EXEC_VENUE_REJECTED, final
    assert bs.after_failure(batch, [{"error": "Too Early"}], bs.Config())[0].action == "REJECTED"


def test_after_failure_when_answer_names_another_order_then_in_flight() -> None:
    # entry 0 names order 1's hash: positions disagree with the venue, so nothing is proven
    batch = [_signed(0), _signed(1)]
    responses = [{"success": True, "orderID": batch[1].order_hash, "status": "live"}] * 2
    out = bs.after_failure(batch, responses, bs.Config())
    assert [a.action for a in out] == ["IN_FLIGHT", "ACCEPTED"]
    assert out[0].reason == "EXEC_SUBMIT_AMBIGUOUS"


def test_after_failure_when_same_inputs_then_same_output() -> None:
    batch = [_signed(n) for n in range(3)]
    responses = [{"success": False, "errorMsg": "service not ready"}, None, {"success": True}]
    first = bs.after_failure(batch, responses, bs.Config())
    assert first == bs.after_failure(batch, responses, bs.Config())
    assert [a.action for a in first] == ["RESUBMIT", "IN_FLIGHT", "IN_FLIGHT"]
