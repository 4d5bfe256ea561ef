"""risk.stale_book: missing, old and structurally bad books are rejected; cancels always pass."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.risk import stale_book
from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import Freshness, MarketSnapshot, OrderIntent
from polytraders.contracts.types import Decision, Quality

TS = 1_700_000_000_000
COND = "0x" + "a" * 64


def _intent(kind: str = "PLACE", token: str = "1") -> OrderIntent:
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=COND, token_id=token,
        ts_ms=TS, side="BUY", price=D("0.54"), size=D("10"),
    )  # fmt: skip


def _book(ts_ms: int, quality: Quality = Quality.OK, token: str = "1") -> MarketSnapshot:
    freshness = Freshness(
        source_ts_ms=ts_ms, receive_ts_ms=ts_ms, age_ms=0, budget_ms=5_000, quality=quality,
        provenance_hash="0" * 64,
    )  # fmt: skip
    return MarketSnapshot(
        condition_id=COND, token_id=token, ts_ms=ts_ms, tick_size=D("0.01"), best_bid=D("0.50"),
        best_ask=D("0.60"), mid=D("0.55"), spread_ticks=10, freshness=freshness,
    )  # fmt: skip


def _ctx(book: MarketSnapshot | None, ts_ms: int = TS) -> RiskContext:
    zero = D(0)
    return RiskContext(ts_ms, None, book, zero, zero, zero, zero)


@pytest.mark.parametrize(
    ("book", "decision", "size", "codes"),
    [
        (_book(TS), Decision.APPROVE, D("10"), ()),  # age 0
        (_book(TS - 5_000), Decision.APPROVE, D("10"), ()),  # age = budget exactly: still fresh
        (_book(TS - 5_001), Decision.REJECT, D("0"), ("RISK_STALE_BOOK",)),  # 1 ms over
        (None, Decision.REJECT, D("0"), ("RISK_STALE_BOOK",)),  # no book: fail closed
        (_book(TS, token="2"), Decision.REJECT, D("0"), ("RISK_STALE_BOOK",)),  # another token's book
        (_book(TS, Quality.WARN), Decision.APPROVE, D("10"), ()),  # WARN is not structural
        (_book(TS, Quality.HARD), Decision.REJECT, D("0"), ("RISK_STALE_BOOK",)),
        (_book(TS, Quality.FAIL), Decision.REJECT, D("0"), ("RISK_STALE_BOOK",)),
    ],
)
def test_evaluate_when_book_state_then_vote(
    book: MarketSnapshot | None, decision: Decision, size: D, codes: tuple[str, ...]
) -> None:
    vote = stale_book.evaluate(_intent(), _ctx(book), stale_book.Config())
    assert (vote.decision, vote.approved_size, vote.reason_codes) == (decision, size, codes)
    assert (vote.bot, vote.intent_id, vote.ts_ms) == ("risk.stale_book", "i-1", TS)


def test_evaluate_when_cancel_and_no_book_then_approve() -> None:
    vote = stale_book.evaluate(_intent("CANCEL"), _ctx(None), stale_book.Config())
    assert (vote.decision, vote.approved_size, vote.reason_codes) == (Decision.APPROVE, D("10"), ())


def test_evaluate_when_custom_budget_then_boundary_moves() -> None:
    config = stale_book.Config(max_book_age_ms=500)
    assert stale_book.evaluate(_intent(), _ctx(_book(TS - 500)), config).decision is Decision.APPROVE
    assert stale_book.evaluate(_intent(), _ctx(_book(TS - 501)), config).decision is Decision.REJECT


def test_evaluate_when_same_input_twice_then_same_vote() -> None:
    ctx = _ctx(_book(TS - 6_000))
    assert stale_book.evaluate(_intent(), ctx, stale_book.Config()) == stale_book.evaluate(
        _intent(), ctx, stale_book.Config()
    )


def test_config_when_negative_age_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="max_book_age_ms"):
        stale_book.Config(max_book_age_ms=-1)
