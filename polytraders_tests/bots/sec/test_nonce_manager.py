"""sec.nonce_manager: a salt belongs to the first plan that claims it; the emergency cancel calls."""

from __future__ import annotations

from polytraders.bots.base import Rejection
from polytraders.bots.sec import nonce_manager
from polytraders.bots.sec.nonce_manager import NonceBook, invalidation_plan

M1, M2 = "0x" + "1" * 64, "0x" + "2" * 64


def test_claim_new_salt_then_same_plan_again_then_other_plan() -> None:
    book = NonceBook()
    assert book.claim("42", "p-1") is None  # new salt
    assert book.claim("42", "p-1") is None  # the same plan re-claiming: idempotent
    assert book.claim("43", "p-2") is None  # another salt
    reused = Rejection("SEC_NONCE_REUSED", {"salt": "42", "plan_id": "p-2", "claimed_by": "p-1"})
    assert book.claim("42", "p-2") == reused
    # the first claimant keeps the salt: p-1 still passes, p-3 is refused naming p-1
    assert book.claim("42", "p-1") is None
    assert book.claim("42", "p-3").details["claimed_by"] == "p-1"


def test_books_are_independent() -> None:
    first, second = NonceBook(), NonceBook()
    assert first.claim("7", "p-1") is None and second.claim("7", "p-2") is None


def test_invalidation_plan_cancel_all_then_markets_then_known_orders() -> None:
    calls = invalidation_plan(["0xo1", "0xo2", "0xo1"], [M2, M1, M2])
    assert calls == [
        ("DELETE", "/cancel-all", ""),
        ("DELETE", "/cancel-market-orders", '{"market":"' + M2 + '"}'),  # first occurrence order, duplicate dropped
        ("DELETE", "/cancel-market-orders", '{"market":"' + M1 + '"}'),
        ("DELETE", "/orders", '["0xo1","0xo2"]'),  # compact JSON, as the SDK's cancel_orders serialises
    ]


def test_invalidation_plan_with_nothing_known_is_cancel_all_alone() -> None:
    assert invalidation_plan([], []) == [("DELETE", "/cancel-all", "")]


def test_invalidation_plan_batches_order_ids() -> None:
    ids = [f"0x{i:x}" for i in range(nonce_manager.MAX_CANCEL_BATCH + 1)]  # 3001 ids -> 3000 + 1
    calls = invalidation_plan(ids, [])
    assert [c[1] for c in calls] == ["/cancel-all", "/orders", "/orders"]
    assert calls[2] == ("DELETE", "/orders", '["0xbb8"]')  # id 3000 = 0xbb8, alone in the second batch
    assert calls[1][2].count(",") == 2999  # 3000 ids
