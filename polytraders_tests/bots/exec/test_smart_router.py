"""exec.smart_router: resting vs taking, GTC / GTD / FAK / FOK, neg-risk exchange, refusals, batching."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.base import Rejection
from polytraders.bots.exec import smart_router as router
from polytraders.contracts import InstrumentRecord, InstrumentToken, OrderIntent
from polytraders.contracts.types import OrderType

TS = 1_700_000_000_000
A = "0x" + "a" * 64
B = "0x" + "b" * 64


def _intent(price: str = "0.50", side: str = "BUY", post_only: bool = True, kind: str = "PLACE") -> OrderIntent:
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=A, token_id="1", ts_ms=TS,
        side=side, price=D(price), size=D("10"), order_type=OrderType.GTC, post_only=post_only,
    )  # fmt: skip


def _instrument(neg_risk: bool | None = False, cond: str = A) -> InstrumentRecord:
    return InstrumentRecord(
        condition_id=cond, question="Q?", slug="m",
        tokens=(InstrumentToken(token_id="1", outcome="Yes"), InstrumentToken(token_id="2", outcome="No")),
        tick_size=D("0.01"), min_order_size=D("5"), neg_risk=neg_risk, active=True, closed=False,
        accepting_orders=True, as_of_ms=TS,
    )  # fmt: skip


def _route(
    intent: OrderIntent, bid: str | None = "0.48", ask: str | None = "0.52", neg_risk: bool | None = False, **cfg
) -> router.Route | Rejection:
    return router.route(
        intent,
        _instrument(neg_risk),
        None if bid is None else D(bid),
        None if ask is None else D(ask),
        router.Config(**cfg),
    )


@pytest.mark.parametrize(
    ("price", "side", "bid", "ask"),
    [
        ("0.50", "BUY", "0.48", "0.52"),  # 0.50 < ask 0.52: rests
        ("0.51", "BUY", "0.48", "0.52"),  # one tick below the ask: rests
        ("0.50", "SELL", "0.48", "0.52"),  # 0.50 > bid 0.48: rests
        ("0.49", "SELL", "0.48", "0.52"),  # one tick above the bid
        ("0.50", "BUY", "0.48", None),  # no ask: nothing to cross
        ("0.50", "SELL", None, "0.52"),  # no bid: nothing to cross
    ],
)
def test_route_when_post_only_not_crossing_then_gtc_post_only(price: str, side: str, bid, ask) -> None:
    out = _route(_intent(price, side, post_only=True), bid, ask)
    assert out == router.Route(OrderType.GTC, True, False, 0, router.ROUTE_POST_ONLY)
    assert out.codes == ("EXEC_ROUTE_POST_ONLY",)


def test_route_when_gtd_lifetime_set_then_resting_order_is_gtd_with_lifetime() -> None:
    out = _route(_intent("0.50"), gtd_lifetime_s=300)
    assert out == router.Route(OrderType.GTD, True, False, 300, router.ROUTE_POST_ONLY)


@pytest.mark.parametrize(
    ("price", "side"),
    [("0.52", "BUY"), ("0.60", "BUY"), ("0.48", "SELL"), ("0.40", "SELL")],  # at or through the touch
)
def test_route_when_post_only_would_cross_then_no_route(price: str, side: str) -> None:
    out = _route(_intent(price, side, post_only=True))
    assert isinstance(out, Rejection)
    assert out.code == "EXEC_NO_ROUTE"
    assert out.details["rule"] == "post-only would cross"


@pytest.mark.parametrize(
    ("price", "side"),
    [("0.52", "BUY"), ("0.55", "BUY"), ("0.48", "SELL"), ("0.45", "SELL")],  # BUY >= ask 0.52, SELL <= bid 0.48
)
def test_route_when_marketable_taker_then_fak_not_post_only(price: str, side: str) -> None:
    out = _route(_intent(price, side, post_only=False))
    assert out == router.Route(OrderType.FAK, False, False, 0, router.ROUTE_TAKER)


def test_route_when_all_or_none_then_fok() -> None:
    # GTD lifetime applies to resting orders only: the taker route carries lifetime 0.
    out = _route(_intent("0.52", post_only=False), all_or_none=True, gtd_lifetime_s=60)
    assert out == router.Route(OrderType.FOK, False, False, 0, router.ROUTE_TAKER)


def test_route_when_not_post_only_and_not_marketable_then_rests_without_post_only() -> None:
    # BUY 0.50 < ask 0.52: not marketable, so it rests; post_only stays the intent's False.
    assert _route(_intent("0.50", post_only=False)) == router.Route(
        OrderType.GTC, False, False, 0, router.ROUTE_POST_ONLY
    )


@pytest.mark.parametrize(("side", "bid", "ask"), [("BUY", "0.48", None), ("SELL", None, "0.52")])
def test_route_when_taker_touch_missing_then_no_route(side: str, bid, ask) -> None:
    out = _route(_intent("0.50", side, post_only=False), bid, ask)
    assert isinstance(out, Rejection)
    assert out.code == "EXEC_NO_ROUTE"
    assert out.details["rule"] == "no touch on the side a taker takes from"


def test_route_when_neg_risk_then_flag_and_extra_code() -> None:
    resting = _route(_intent("0.50"), neg_risk=True)
    taking = _route(_intent("0.52", post_only=False), neg_risk=True)
    assert resting.neg_risk and taking.neg_risk
    assert resting.codes == ("EXEC_ROUTE_POST_ONLY", "EXEC_ROUTE_NEG_RISK")
    assert taking.codes == ("EXEC_ROUTE_TAKER", "EXEC_ROUTE_NEG_RISK")


def test_route_when_neg_risk_unknown_then_no_route() -> None:
    out = _route(_intent("0.50"), neg_risk=None)
    assert isinstance(out, Rejection)
    assert out.code == "EXEC_NO_ROUTE"
    assert out.details["rule"] == "neg_risk unknown: exchange not chosen"


def test_route_when_cancel_or_other_market_then_no_route() -> None:
    cancel = router.route(_intent(kind="CANCEL"), _instrument(), D("0.48"), D("0.52"), router.Config())
    other = router.route(_intent(), _instrument(cond=B), D("0.48"), D("0.52"), router.Config())
    for out in (cancel, other):
        assert isinstance(out, Rejection)
        assert out.code == "EXEC_NO_ROUTE"


@pytest.mark.parametrize(
    ("n", "minimum", "expected"),
    [(0, 2, False), (1, 2, False), (2, 2, True), (15, 2, True), (2, 3, False), (3, 3, True)],
)
def test_use_batch_when_orders_share_a_submit_time(n: int, minimum: int, expected: bool) -> None:
    assert router.use_batch(n, router.Config(min_batch_orders=minimum)) is expected


@pytest.mark.parametrize("bad", [{"gtd_lifetime_s": -1}, {"min_batch_orders": 1}, {"unknown": 1}])
def test_config_when_invalid_then_raises(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        router.Config(**bad)


def test_route_is_deterministic() -> None:
    intent = _intent("0.52", post_only=False)
    assert _route(intent, neg_risk=True) == _route(intent, neg_risk=True)
