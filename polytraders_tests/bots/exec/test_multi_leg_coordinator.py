"""exec.multi_leg_coordinator: DONE when every leg fills; reject / TTL → cancel the rest, unwind the filled."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.base import Rejection
from polytraders.bots.exec import multi_leg_coordinator as mlc
from polytraders.contracts import OrderIntent
from polytraders.contracts.types import OrderType, Side
from polytraders_tests.bots.frames import T0, TOKEN_ID, book, condition

BUY, SELL = Side.BUY, Side.SELL
YES = mlc.Leg("yes", condition("yes"), TOKEN_ID["yes"], BUY, D("100"), D("0.47"))
NO = mlc.Leg("no", condition("no"), TOKEN_ID["no"], BUY, D("100"), D("0.51"))


def _group(*legs: mlc.Leg, ttl_ms: int = 1_000) -> mlc.LegGroup:
    return mlc.LegGroup("g1", legs or (YES, NO), T0, mlc.Config(ttl_ms=ttl_ms))


def _summary(actions) -> list[tuple]:
    return [(a.kind, a.leg.leg_id if a.leg else None, a.side, a.size, a.code) for a in actions]


def test_when_every_leg_fills_then_done_once() -> None:
    group = _group()
    assert group.on_fill("yes", D("60"), D("0.47"), T0 + 100) == ()  # yes 60/100, no 0/100: still open
    assert group.on_fill("yes", D("40"), D("0.46"), T0 + 200) == ()  # yes complete, no still 0
    actions = group.on_fill("no", D("100"), D("0.51"), T0 + 300)
    assert _summary(actions) == [("DONE", None, None, D(0), None)]
    assert actions[0].action_id == "g1:1" and group.status == "DONE"
    # avg yes = (60·0.47 + 40·0.46) / 100 = (28.2 + 18.4) / 100 = 0.466
    assert group.avg_price("yes") == D("0.466") and group.avg_price("no") == D("0.51")
    assert group.tick(T0 + 5_000) == ()  # past the TTL but DONE: nothing to do


def test_when_ttl_passes_with_partial_fill_then_cancel_rest_and_unwind_exactly_filled() -> None:
    group = _group()
    group.on_fill("yes", D("40"), D("0.47"), T0 + 100)
    assert group.tick(T0 + 999) == ()  # deadline T0 + 1000 not reached
    actions = group.tick(T0 + 1_000)  # at the deadline: expired
    # CANCEL yes' rest 100 − 40 = 60 and all of no (100); UNWIND = SELL the 40 yes bought
    assert _summary(actions) == [
        ("CANCEL", "yes", BUY, D("60"), "EXEC_OPPORTUNITY_EXPIRED"),
        ("CANCEL", "no", BUY, D("100"), "EXEC_OPPORTUNITY_EXPIRED"),
        ("UNWIND", "yes", SELL, D("40"), "EXEC_OPPORTUNITY_EXPIRED"),
    ]
    assert [a.action_id for a in actions] == ["g1:1", "g1:2", "g1:3"]
    assert (group.status, group.unwind_code) == ("UNWINDING", "EXEC_OPPORTUNITY_EXPIRED")
    assert group.tick(T0 + 2_000) == ()  # terminal: no repeat


def test_when_fill_stamped_after_deadline_then_expired_and_unwound_with_it() -> None:
    # No tick came in between: the fill's own time (T0 + 1500 >= T0 + 1000) expires the group,
    # even though it would complete it. yes 100 and no 30 filled → SELL 100 yes, SELL 30 no.
    group = _group()
    group.on_fill("yes", D("100"), D("0.47"), T0 + 100)
    actions = group.on_fill("no", D("30"), D("0.51"), T0 + 1_500)
    assert _summary(actions) == [
        ("CANCEL", "no", BUY, D("70"), "EXEC_OPPORTUNITY_EXPIRED"),  # 100 − 30
        ("UNWIND", "yes", SELL, D("100"), "EXEC_OPPORTUNITY_EXPIRED"),
        ("UNWIND", "no", SELL, D("30"), "EXEC_OPPORTUNITY_EXPIRED"),
    ]


def test_when_leg_rejected_then_unwind_filled_and_cancel_only_working_legs() -> None:
    short = mlc.Leg("short", condition("y2"), TOKEN_ID["y2"], SELL, D("50"), D("0.60"))
    group = _group(YES, NO, short)
    group.on_fill("yes", D("100"), D("0.47"), T0 + 10)  # fully filled: no cancel
    group.on_fill("short", D("20"), D("0.60"), T0 + 20)  # sold 20 of 50
    actions = group.on_reject("no", "EXEC_VENUE_FOK_UNFILLED", T0 + 30)
    # no rejected (dead, nothing filled): no cancel, no unwind; short: CANCEL 30 rest, BUY back 20
    assert _summary(actions) == [
        ("CANCEL", "short", SELL, D("30"), "EXEC_LEG_UNWIND"),
        ("UNWIND", "yes", SELL, D("100"), "EXEC_LEG_UNWIND"),
        ("UNWIND", "short", BUY, D("20"), "EXEC_LEG_UNWIND"),
    ]
    assert group.rejections == {"no": "EXEC_VENUE_FOK_UNFILLED"}
    assert group.on_reject("short", "EXEC_VENUE_REJECTED", T0 + 40) == ()  # already unwinding


def test_when_killed_leg_had_partial_fill_then_that_fill_unwound() -> None:
    group = _group()
    group.on_fill("no", D("25"), D("0.51"), T0 + 10)  # FAK filled 25 then killed
    actions = group.on_reject("no", "EXEC_VENUE_REJECTED", T0 + 11)
    assert _summary(actions) == [
        ("CANCEL", "yes", BUY, D("100"), "EXEC_LEG_UNWIND"),
        ("UNWIND", "no", SELL, D("25"), "EXEC_LEG_UNWIND"),
    ]


def test_when_reject_after_deadline_then_expiry_code_wins() -> None:
    actions = _group().on_reject("yes", "EXEC_VENUE_REJECTED", T0 + 1_000)
    # expired first (nothing filled): CANCEL no only (yes is rejected), code EXPIRED
    assert _summary(actions) == [("CANCEL", "no", BUY, D("100"), "EXEC_OPPORTUNITY_EXPIRED")]


def test_when_fill_arrives_after_unwind_then_exactly_that_fill_unwound() -> None:
    group = _group()
    group.on_reject("yes", "EXEC_VENUE_REJECTED", T0 + 10)  # CANCEL no sent
    actions = group.on_fill("no", D("12.5"), D("0.51"), T0 + 12)  # matched before the cancel landed
    assert _summary(actions) == [("UNWIND", "no", SELL, D("12.5"), "EXEC_LEG_UNWIND")]
    assert actions[0].action_id == "g1:2"  # g1:1 was the CANCEL
    assert group.filled("no") == D("12.5")


def test_when_overfill_then_excess_unwound_and_group_done() -> None:
    group = _group()
    group.on_fill("yes", D("90"), D("0.47"), T0 + 10)
    actions = group.on_fill("yes", D("15"), D("0.47"), T0 + 20)  # 105 > 100: excess 105 − 100 = 5
    assert _summary(actions) == [("UNWIND", "yes", SELL, D("5"), "EXEC_OVERFILL")]
    actions = group.on_fill("no", D("100"), D("0.51"), T0 + 30)
    assert _summary(actions) == [("DONE", None, None, D(0), None)]
    actions = group.on_fill("no", D("2"), D("0.51"), T0 + 40)  # after DONE: all 2 are excess
    assert _summary(actions) == [("UNWIND", "no", SELL, D("2"), "EXEC_OVERFILL")]


def test_when_zero_size_fill_then_only_deadline_checked() -> None:
    group = _group()
    assert group.on_fill("yes", D("0"), D("0.47"), T0 + 10) == ()  # nothing filled, before the deadline
    assert group.filled("yes") == D("0") and group.avg_price("yes") is None
    group.on_reject("no", "EXEC_VENUE_REJECTED", T0 + 20)
    assert group.on_fill("yes", D("0"), D("0.47"), T0 + 30) == ()  # unwinding: no UNWIND of 0 shares
    expired = _group().on_fill("yes", D("0"), D("0.47"), T0 + 1_000)  # at the deadline: expires
    assert [a.kind for a in expired] == ["CANCEL", "CANCEL"]


def test_when_same_events_then_same_actions() -> None:
    def run() -> list[mlc.LegAction]:
        group = _group()
        return [*group.on_fill("yes", D("7"), D("0.47"), T0 + 1), *group.tick(T0 + 1_001)]

    assert run() == run()


def test_unwind_intent_prices_at_the_touch_as_fak() -> None:
    group = _group()
    group.on_fill("yes", D("40"), D("0.47"), T0 + 100)
    unwind = group.tick(T0 + 1_000)[-1]
    yes_book = book("yes", 1_000, bids=[("0.45", "30"), ("0.44", "90")], asks=[("0.48", "10")])
    intent = mlc.unwind_intent(unwind, yes_book, "strat.arb_complement")
    assert isinstance(intent, OrderIntent)
    # SELL at the best bid 0.45 for the 40 filled; FAK, not post-only
    assert (intent.intent_id, intent.side, intent.price, intent.size) == ("g1:3", SELL, D("0.45"), D("40"))
    assert (intent.order_type, intent.post_only, intent.ts_ms) == (OrderType.FAK, False, T0 + 1_000)
    assert intent.token_id == TOKEN_ID["yes"] and intent.condition_id == condition("yes")


def test_unwind_intent_when_buy_back_then_best_ask_and_empty_side_rejected() -> None:
    short = mlc.Leg("short", condition("y2"), TOKEN_ID["y2"], SELL, D("50"), D("0.60"))
    group = _group(short, NO)
    group.on_fill("short", D("20"), D("0.60"), T0)
    unwind = group.on_reject("no", "EXEC_VENUE_REJECTED", T0 + 1)[-1]
    intent = mlc.unwind_intent(unwind, book("y2", 1, [("0.58", "5")], [("0.61", "80"), ("0.62", "9")]), "strat.x")
    assert (intent.side, intent.price, intent.size) == (BUY, D("0.61"), D("20"))  # best ask
    out = mlc.unwind_intent(unwind, book("y2", 1, [("0.58", "5")], []), "strat.x")
    assert out == Rejection("EXEC_INSUFFICIENT_DEPTH", {"action_id": "g1:2", "token_id": TOKEN_ID["y2"],
                                                         "side": "BUY"})  # fmt: skip


def test_unwind_intent_when_not_an_unwind_or_wrong_book_then_value_error() -> None:
    group = _group()
    cancel = group.tick(T0 + 1_000)[0]
    with pytest.raises(ValueError, match="not an UNWIND"):
        mlc.unwind_intent(cancel, book("yes", 0, [("0.45", "1")], []), "strat.x")
    group = _group()
    group.on_fill("yes", D("1"), D("0.47"), T0)
    unwind = group.tick(T0 + 1_000)[-1]
    with pytest.raises(ValueError, match="not an UNWIND"):
        mlc.unwind_intent(unwind, book("no", 0, [("0.45", "1")], []), "strat.x")


@pytest.mark.parametrize(
    "legs",
    [(), (YES, YES), (mlc.Leg("z", condition("yes"), TOKEN_ID["yes"], BUY, D("0"), D("0.5")),)],
)
def test_group_when_bad_legs_then_value_error(legs) -> None:
    with pytest.raises(ValueError):
        mlc.LegGroup("g", legs, T0, mlc.Config())


def test_event_when_unknown_leg_then_value_error() -> None:
    with pytest.raises(ValueError, match="not in group"):
        _group().on_fill("maybe", D("1"), D("0.5"), T0)


def test_config_defaults_and_validation() -> None:
    assert mlc.Config().ttl_ms == 5_000
    with pytest.raises(pydantic.ValidationError, match="ttl_ms"):
        mlc.Config(ttl_ms=0)
