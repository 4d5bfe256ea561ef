"""risk.stale_book: a missing or structurally bad book, or a dead feed, is rejected; a quiet market on a
live feed is not; cancels always pass."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.risk import stale_book
from polytraders.bots.risk.context import FeedState, RiskContext
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


LIVENESS = 120_000


def _feed(last_ms: int | None = TS - 1_000, budget_ms: int = LIVENESS) -> FeedState:
    return FeedState(channel="market", last_data_receive_ts_ms=last_ms, liveness_budget_ms=budget_ms)


_ALIVE = _feed()


def _ctx(book: MarketSnapshot | None, feed: FeedState | None = _ALIVE, ts_ms: int = TS) -> RiskContext:
    zero = D(0)
    return RiskContext(ts_ms, None, book, zero, zero, zero, zero, feed=feed)


@pytest.mark.parametrize(
    ("book", "decision", "size", "codes"),
    [
        (_book(TS), Decision.APPROVE, D("10"), ()),  # age 0, feed alive
        # a quiet market: the book is 10 minutes old (far past any freshness budget), the feed alive
        (_book(TS - 600_000), Decision.APPROVE, D("10"), ()),
        (None, Decision.REJECT, D("0"), ("RISK_STALE_BOOK",)),  # no book: fail closed
        (_book(TS, token="2"), Decision.REJECT, D("0"), ("RISK_STALE_BOOK",)),  # another token's book
        (_book(TS, Quality.WARN), Decision.APPROVE, D("10"), ()),  # arrived late, not structural
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


@pytest.mark.parametrize(
    ("feed", "decision"),
    [
        (_feed(TS), Decision.APPROVE),  # data received at the decision time
        (_feed(TS - 120_000), Decision.APPROVE),  # silent exactly the budget: still alive
        (_feed(TS - 120_001), Decision.REJECT),  # 1 ms over: dead feed
        (_feed(TS - 500, budget_ms=499), Decision.REJECT),  # the budget is the run's, carried in ctx.feed
        (_feed(TS - 499, budget_ms=499), Decision.APPROVE),
        (_feed(None), Decision.REJECT),  # no data frame yet on the channel
        (None, Decision.REJECT),  # feed state unknown: fail closed
    ],
)
def test_evaluate_when_feed_state_then_dead_feed_rejected_even_with_a_fresh_book(
    feed: FeedState | None, decision: Decision
) -> None:
    vote = stale_book.evaluate(_intent(), _ctx(_book(TS), feed), stale_book.Config())
    assert vote.decision is decision
    assert vote.reason_codes == (("RISK_STALE_BOOK",) if decision is Decision.REJECT else ())


def test_evaluate_when_cancel_and_no_book_nor_feed_then_approve() -> None:
    vote = stale_book.evaluate(_intent("CANCEL"), _ctx(None, None), stale_book.Config())
    assert (vote.decision, vote.approved_size, vote.reason_codes) == (Decision.APPROVE, D("10"), ())


def test_evaluate_when_same_input_twice_then_same_vote() -> None:
    ctx = _ctx(_book(TS - 6_000), _feed(TS - 200_000))
    assert stale_book.evaluate(_intent(), ctx, stale_book.Config()) == stale_book.evaluate(
        _intent(), ctx, stale_book.Config()
    )


def test_config_when_a_parameter_given_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="max_book_age_ms"):
        stale_book.Config(max_book_age_ms=5_000)
