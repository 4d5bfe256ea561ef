"""exec.quote_reconciler: keep within tolerance, reprice / resize as cancel + place, orphans, order invariance."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.exec import quote_reconciler as rec
from polytraders.contracts.types import Side

TICK = D("0.01")
BUY, SELL = Side.BUY, Side.SELL


def _live(order_id: str, price: str, size: str, side: Side = BUY, token: str = "1") -> rec.LiveQuote:
    return rec.LiveQuote(order_id, token, side, D(price), D(size))


def _want(price: str, size: str, side: Side = BUY, token: str = "1") -> rec.DesiredQuote:
    return rec.DesiredQuote(token, side, D(price), D(size))


def _plan(live, desired, **cfg) -> rec.ReconcilePlan:
    return rec.reconcile(live, desired, TICK, rec.Config(**cfg))


def test_reconcile_when_within_both_tolerances_then_keep() -> None:
    # |0.50 − 0.51| = 0.01 <= 1 tick × 0.01; |100 − 95| = 5 <= 0.1 × 95 = 9.5.
    plan = _plan([_live("o1", "0.50", "100")], [_want("0.51", "95")], reprice_tolerance_ticks=1)
    assert plan == rec.ReconcilePlan((), (), (("o1", "EXEC_WITHIN_TOLERANCE"),), ())


def test_reconcile_when_exactly_at_tolerance_then_keep() -> None:
    # |0.52 − 0.50| = 0.02 = 2 ticks; |110 − 100| = 10 = 0.1 × 100: both bounds inclusive.
    plan = _plan([_live("o1", "0.52", "110")], [_want("0.50", "100")], reprice_tolerance_ticks=2)
    assert plan.keeps == (("o1", "EXEC_WITHIN_TOLERANCE"),)


def test_reconcile_when_price_off_then_cancel_place_reprice() -> None:
    # |0.50 − 0.52| = 0.02 > 1 tick × 0.01 = 0.01.
    want = _want("0.52", "100")
    plan = _plan([_live("o1", "0.50", "100")], [want], reprice_tolerance_ticks=1)
    assert plan == rec.ReconcilePlan(("o1",), (want,), (), (("o1", "EXEC_REPRICE"),))


def test_reconcile_when_default_zero_tick_tolerance_then_any_price_change_reprices() -> None:
    plan = _plan([_live("o1", "0.50", "100")], [_want("0.51", "100")])  # 0.01 > 0 × 0.01
    assert plan.replaces == (("o1", "EXEC_REPRICE"),)


def test_reconcile_when_size_off_then_cancel_place_resize() -> None:
    # price equal; |100 − 80| = 20 > 0.1 × 80 = 8.
    want = _want("0.50", "80")
    plan = _plan([_live("o1", "0.50", "100")], [want])
    assert plan == rec.ReconcilePlan(("o1",), (want,), (), (("o1", "EXEC_RESIZE"),))


def test_reconcile_when_price_and_size_off_then_reprice_wins() -> None:
    plan = _plan([_live("o1", "0.50", "100")], [_want("0.55", "10")])
    assert plan.replaces == (("o1", "EXEC_REPRICE"),)


def test_reconcile_when_live_without_desired_then_cancel_without_code() -> None:
    plan = _plan([_live("o1", "0.50", "100", SELL)], [])
    assert plan == rec.ReconcilePlan(("o1",), (), (), ())


def test_reconcile_when_desired_without_live_then_place() -> None:
    want = _want("0.50", "100", SELL)
    assert _plan([], [want]) == rec.ReconcilePlan((), (want,), (), ())


def test_reconcile_when_empty_then_empty_plan() -> None:
    assert _plan([], []) == rec.ReconcilePlan((), (), (), ())


def test_reconcile_when_sides_and_tokens_differ_then_keys_do_not_mix() -> None:
    # A BUY live never satisfies a SELL desired, nor token 1 token 2: each key on its own.
    live = [_live("b1", "0.50", "100", BUY, "1"), _live("s2", "0.60", "100", SELL, "2")]
    desired = [_want("0.50", "100", SELL, "1"), _want("0.60", "100", SELL, "2")]
    plan = _plan(live, desired)
    # keys in order: ("1", BUY) cancel b1; ("1", SELL) place 0.50; ("2", SELL) keep s2.
    assert plan == rec.ReconcilePlan(("b1",), (desired[0],), (("s2", "EXEC_WITHIN_TOLERANCE"),), ())


def test_reconcile_when_layered_quotes_then_minimal_diff() -> None:
    # live 0.50 / 0.48 (100 each); desired 0.48 / 0.47 (100 each), tolerance 0 ticks:
    # desired 0.47 (first in price order) fits no live; desired 0.48 keeps b.
    # Left: live a (0.50) and desired 0.47 → cancel a, place 0.47, |0.50 − 0.47| > 0: EXEC_REPRICE.
    live = [_live("a", "0.50", "100"), _live("b", "0.48", "100")]
    desired = [_want("0.48", "100"), _want("0.47", "100")]
    plan = _plan(live, desired)
    assert plan == rec.ReconcilePlan(("a",), (desired[1],), (("b", "EXEC_WITHIN_TOLERANCE"),), (("a", "EXEC_REPRICE"),))


def test_reconcile_when_several_live_fit_then_closest_is_kept() -> None:
    # desired 0.50 × 100, tolerance 2 ticks: a 0.52 (diff 0.02) and b 0.49 (diff 0.01) fit; b is closer.
    # a is left over with no desired quote: cancelled, no code.
    plan = _plan([_live("a", "0.52", "100"), _live("b", "0.49", "100")], [_want("0.50", "100")],
                 reprice_tolerance_ticks=2)  # fmt: skip
    assert plan == rec.ReconcilePlan(("a",), (), (("b", "EXEC_WITHIN_TOLERANCE"),), ())


def test_reconcile_is_independent_of_input_order() -> None:
    live = [_live("a", "0.50", "100"), _live("b", "0.48", "100"), _live("c", "0.60", "5", SELL, "2")]
    desired = [_want("0.48", "100"), _want("0.47", "100"), _want("0.61", "50", SELL, "2")]
    first = _plan(live, desired)
    assert first == _plan(list(reversed(live)), list(reversed(desired)))
    assert first == _plan(live, desired)


@pytest.mark.parametrize("bad", [{"reprice_tolerance_ticks": -1}, {"resize_tolerance": "-0.1"}, {"x": 1}])
def test_config_when_invalid_then_raises(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        rec.Config(**bad)
