"""runtime.oms.run_oms: shaping refusals, unknown instruments, CANCEL, cancel-replace, fills by the end.

Tape (tick 0.01), offsets from T0 in ms: "11" 0.48/0.52 at 0, 0.48/0.50 at 100, 0.45/0.47 at 200;
"12" 0.40/0.44 at 0. A BUY "11" @ 0.50 placed at 0 fills at 100; @ 0.47 fills at 200; @ 0.45 never.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal as D

from polytraders.bots.base import Rejection
from polytraders.bots.exec import order_shaper
from polytraders.runtime.oms import OmsResult, run_oms

ROWS = [(0, "11", "0.48", "0.52"), (100, "11", "0.48", "0.50"), (200, "11", "0.45", "0.47"), (0, "12", "0.40", "0.44")]


def _plan_id(intent_id: str) -> str:
    return hashlib.sha256(f"exec.order_shaper|{intent_id}".encode()).hexdigest()[:24]


BUILDER = "0x" + "ab" * 32


def _oms(mk, intents: list, end_dt: int = 1_000, resolutions: tuple = (), builder: str | None = BUILDER) -> OmsResult:
    return run_oms(intents, {mk.COND_A: mk.instrument()}, mk.tape(ROWS), list(resolutions), order_shaper.shape,
                   order_shaper.Config(builder_code=builder), mk.T0 + end_dt)  # fmt: skip


def _events(result: OmsResult, t0: int) -> list[tuple[str, str, str, int]]:
    return [(e.order_id, e.intent_id, e.status, e.ts_ms - t0) for e in result.log.order_events]


def test_run_oms_when_intent_shaped_then_plan_rests_and_fills_by_the_end(mk) -> None:
    # BUY 10 @ 0.50: maker_amount = 0.50·10·10^6 = 5_000_000 (USDC), taker_amount = 10·10^6 = 10_000_000 (shares).
    result = _oms(mk, [mk.intent("i1", 0)])
    [plan] = result.plans
    assert (plan.plan_id, plan.intent_id, plan.price, plan.size, plan.maker_amount, plan.taker_amount) == (
        _plan_id("i1"), "i1", D("0.50"), D("10.00"), 5_000_000, 10_000_000,
    )  # fmt: skip
    assert _events(result, mk.T0) == [(_plan_id("i1"), "i1", "LIVE", 0), (_plan_id("i1"), "i1", "MATCHED", 100)]
    assert [(f.order_id, f.ts_ms - mk.T0, f.price, f.size) for f in result.log.fills] == [
        (_plan_id("i1"), 100, D("0.50"), D("10.00")),
    ]  # fmt: skip
    assert result.refused == []


def test_run_oms_when_fill_after_end_then_order_still_resting(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0)], end_dt=99)  # the fill is due at 100
    assert _events(result, mk.T0) == [(_plan_id("i1"), "i1", "LIVE", 0)]
    assert result.log.fills == []


def test_run_oms_when_below_min_size_then_refused_with_code_and_nothing_sent(mk) -> None:
    # size 3 → 300 steps of 0.01 → 3.00 < min_order_size 5.
    intent = mk.intent("i1", 0, size="3")
    result = _oms(mk, [intent])
    assert result.refused == [(intent, Rejection("EXEC_BELOW_MIN_SIZE", {"size": "3.00", "min_order_size": "5"}))]
    assert (result.plans, result.log.order_events, result.log.fills) == ([], [], [])


def test_run_oms_when_price_snaps_out_of_band_then_refused_with_code(mk) -> None:
    # BUY 0.005 floors to 0·0.01 = 0.00 < tick 0.01.
    intent = mk.intent("i1", 0, price="0.005")
    result = _oms(mk, [intent])
    assert result.refused == [
        (intent, Rejection("EXEC_PRICE_OUT_OF_BAND", {"price": "0.00", "tick_size": "0.01", "side": "BUY"})),
    ]  # fmt: skip
    assert result.log.order_events == []


def test_run_oms_when_unknown_instrument_then_exec_unknown_instrument(mk) -> None:
    intent = mk.intent("i1", 0, token="21", price="0.10")  # market B: not in the instruments
    result = _oms(mk, [intent])
    assert result.refused == [(intent, Rejection("EXEC_UNKNOWN_INSTRUMENT", {"condition_id": mk.COND_B}))]
    assert (result.plans, result.log.order_events) == ([], [])


def test_run_oms_when_refused_then_later_intents_still_sent(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0, size="3"), mk.intent("i2", 10, token="12", price="0.30")])
    assert [i.intent_id for i, _ in result.refused] == ["i1"]
    assert [p.intent_id for p in result.plans] == ["i2"]


def test_run_oms_when_cancel_before_fill_then_plan_withdrawn_and_no_fill(mk) -> None:
    intents = [mk.intent("i1", 0), mk.intent("c1", 50, cancels="i1")]
    result = _oms(mk, intents)
    assert _events(result, mk.T0) == [(_plan_id("i1"), "i1", "LIVE", 0), (_plan_id("i1"), "i1", "CANCELED", 50)]
    assert result.log.fills == []
    assert [p.intent_id for p in result.plans] == ["i1"]  # CANCELs are not shaped


def test_run_oms_when_cancel_after_fill_then_no_event(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0), mk.intent("c1", 150, cancels="i1")])
    assert [e.status for e in result.log.order_events] == ["LIVE", "MATCHED"]


def test_run_oms_when_cancel_names_unsent_intent_then_no_op(mk) -> None:
    # i1 was refused (size 3): it has no plan; c1 and c2 (unknown) change nothing, i2 keeps resting.
    intents = [mk.intent("i1", 0, size="3"), mk.intent("i2", 0, token="12", price="0.30"),
               mk.intent("c1", 10, cancels="i1"), mk.intent("c2", 20, cancels="nope")]  # fmt: skip
    result = _oms(mk, intents)
    assert _events(result, mk.T0) == [(_plan_id("i2"), "i2", "LIVE", 0)]


def test_run_oms_when_same_quote_key_then_cancel_replace(mk) -> None:
    # i1 "11" @ 0.45 at 0, i2 "11" @ 0.47 at 10 (same strategy / token / side) → i1 cancelled at 10;
    # i2 fills at 200 (ask 0.47).
    result = _oms(mk, [mk.intent("i2", 10, price="0.47"), mk.intent("i1", 0, price="0.45")])  # any input order
    assert _events(result, mk.T0) == [
        (_plan_id("i1"), "i1", "LIVE", 0), (_plan_id("i1"), "i1", "CANCELED", 10),
        (_plan_id("i2"), "i2", "LIVE", 10), (_plan_id("i2"), "i2", "MATCHED", 200),
    ]  # fmt: skip


def test_run_oms_when_price_off_grid_then_venue_gets_snapped_price(mk) -> None:
    # BUY 0.505 floors to 0.50 (never more aggressive): rests at 0.50, fills at 100 at 0.50.
    result = _oms(mk, [mk.intent("i1", 0, price="0.505", size="12.345")])
    assert (result.plans[0].price, result.plans[0].size) == (D("0.50"), D("12.34"))  # size rounds down
    assert [(f.price, f.size) for f in result.log.fills] == [(D("0.50"), D("12.34"))]


def test_run_oms_when_market_resolves_then_resting_plan_cancelled_at_resolution(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0, price="0.45")], resolutions=(mk.resolution(mk.COND_A, 250, winner="11"),))
    assert _events(result, mk.T0) == [(_plan_id("i1"), "i1", "LIVE", 0), (_plan_id("i1"), "i1", "CANCELED", 250)]


def test_run_oms_when_plan_has_no_builder_code_then_refused_and_nothing_sent(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0)], builder=None)
    assert result.plans == [] and result.log.order_events == [] and result.log.fills == []
    [(intent, rejection)] = result.refused
    assert (intent.intent_id, rejection.code) == ("i1", "EXEC_NO_BUILDER_CODE")
    assert rejection.details == {"plan_id": _plan_id("i1")}


def test_run_oms_when_builder_code_set_then_every_plan_carries_it(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0), mk.intent("i2", 10, token="12", price="0.30")])
    assert [p.builder_code for p in result.plans] == [BUILDER, BUILDER]
