"""exec.lifecycle_manager: hand-worked order lifecycles (submit answers, user-channel messages, trades, cancels)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pydantic
import pytest

from polytraders.adapters.polymarket import normalise_user_frame
from polytraders.bots.base import Rejection
from polytraders.bots.exec import lifecycle_manager as lm
from polytraders.bots.exec.cancel_manager import CancelOrder
from polytraders.contracts import ExecutionPlan, Fill, OrderEvent
from polytraders.contracts.types import Side

S = lm.OrderState
TS = 1_700_000_000_000
COND = "0x" + "a" * 64
TOKEN = "7"
H1 = "0x" + "1" * 64
H2 = "0x" + "2" * 64
RS = Path(__file__).resolve().parents[3] / "fixtures/reference/nautilus_trader/crates/adapters/polymarket/test_data"
OWNER = "00000000-0000-0000-0000-000000000001"


def _plan(plan_id: str = "p1", size: str = "100", order_type: str = "GTC", cond: str = COND,
          token: str = TOKEN) -> ExecutionPlan:  # fmt: skip
    return ExecutionPlan(
        plan_id=plan_id, intent_id=f"i-{plan_id}", condition_id=cond, token_id=token, ts_ms=TS, side=Side.BUY,
        price=D("0.5"), size=D(size), tick_size=D("0.01"), neg_risk=False, order_type=order_type,
        post_only=order_type in ("GTC", "GTD"), maker_amount=int(D("0.5") * D(size) * 10**6),
        taker_amount=int(D(size) * 10**6),
    )  # fmt: skip


def _event(status: str, matched: str = "0", size: str = "100", order_id: str = H1, kind: str = "UPDATE",
           detail: str | None = None, ts: int = TS + 10) -> OrderEvent:  # fmt: skip
    return OrderEvent(
        order_id=order_id, condition_id=COND, token_id=TOKEN, ts_ms=ts, event_type=kind, status=status,
        status_detail=detail, side=Side.BUY, price=D("0.5"), original_size=D(size), size_matched=D(matched),
    )  # fmt: skip


def _fill(fill_id: str, size: str, status: str = "MATCHED", order_id: str = H1, ts: int = TS + 20) -> Fill:
    return Fill(
        fill_id=fill_id, order_id=order_id, condition_id=COND, token_id=TOKEN, ts_ms=ts, side=Side.BUY,
        price=D("0.5"), size=D(size), liquidity="MAKER", fee_usdc=D(0), trade_status=status,
    )  # fmt: skip


def _accepted(status: str, order_id: str = H1) -> dict:
    return {"success": True, "orderID": order_id, "status": status, "errorMsg": "", "makingAmount": "50",
            "takingAmount": "100"}  # fmt: skip


def _life(size: str = "100", order_type: str = "GTC") -> lm.Lifecycle:
    life = lm.Lifecycle(lm.Config())
    life.submitted(_plan(size=size, order_type=order_type), H1, TS)
    return life


def _live(size: str = "100", order_type: str = "GTC") -> lm.Lifecycle:
    life = _life(size, order_type)
    life.on_response("p1", _accepted("live"), TS + 1)
    return life


def _view(life: lm.Lifecycle) -> lm.OrderView:
    view = life.order("p1")
    assert view is not None
    return view


def _frame(name: str, **extra: str) -> str:
    """A recorded user-channel frame; the older captures lack ``event_type``, given in ``extra``."""
    return json.dumps(json.loads((RS / name).read_text(encoding="utf-8")) | extra)


# --- submit and its answer -------------------------------------------------------------------------


def test_submitted_when_registered_then_in_flight_open_unconfirmed() -> None:
    life = _life()
    view = _view(life)
    assert (view.state, view.open, view.id_confirmed, view.filled, view.size) == (S.IN_FLIGHT, True, False, 0, 100)
    assert [v.plan_id for v in life.in_flight()] == ["p1"] == [v.plan_id for v in life.open_orders()]


@pytest.mark.parametrize(
    "response",
    [
        None,  # timeout / transport error / 5xx
        {},  # an answer proving nothing
        {"success": True},  # success without an id or a status
        {"success": True, "orderID": H2, "status": "live"},  # names another order
        {"success": False, "errorMsg": ""},  # a failure without a reason
    ],
)
def test_on_response_when_ambiguous_then_stays_in_flight_until_live_event(response: dict | None) -> None:
    life = _life()
    out = life.on_response("p1", response, TS + 1)
    assert isinstance(out, lm.Update)
    assert (out.reason, out.order.state, out.order.reason) == ("EXEC_SUBMIT_AMBIGUOUS", S.IN_FLIGHT,
                                                                "EXEC_SUBMIT_AMBIGUOUS")  # fmt: skip
    assert [v.plan_id for v in life.in_flight()] == ["p1"]  # still in flight, still open
    assert [v.plan_id for v in life.open_orders()] == ["p1"]
    settled = life.on_order_event(_event("LIVE", kind="PLACEMENT"))
    assert isinstance(settled, lm.Update)
    assert (settled.order.state, settled.order.reason, settled.order.id_confirmed) == (S.LIVE, None, True)
    assert life.in_flight() == []
    assert [v.plan_id for v in life.open_orders()] == ["p1"]


@pytest.mark.parametrize(
    ("status", "state"), [("live", S.LIVE), ("matched", S.MATCHED), ("delayed", S.DELAYED), ("unmatched", S.UNMATCHED)]
)
def test_on_response_when_accepted_then_state_from_status_and_nothing_counted(status: str, state: S) -> None:
    out = _life().on_response("p1", _accepted(status), TS + 1)
    assert isinstance(out, lm.Update)
    # makingAmount 50 / takingAmount 100 are not counted: fills come from the user channel only
    assert (out.order.state, out.order.id_confirmed, out.order.filled, out.order.open) == (state, True, 0, True)
    assert (out.reason, out.order.updated_ts_ms) == (None, TS + 1)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        ({"success": False, "errorMsg": "not enough balance / allowance"}, "not enough balance / allowance"),
        ({"error": "Invalid order payload"}, "Invalid order payload"),  # a 4xx error body
    ],
)
def test_on_response_when_rejected_then_rejected_with_text_kept(response: dict, error: str) -> None:
    life = _life()
    out = life.on_response("p1", response, TS + 1)
    assert isinstance(out, lm.Update)
    assert (out.order.state, out.order.error, out.order.open) == (S.REJECTED, error, False)
    assert life.open_orders() == [] and life.in_flight() == []


def test_on_response_when_channel_spoke_first_then_answer_changes_nothing() -> None:
    life = _life()
    life.on_order_event(_event("MATCHED", matched="100"))  # fully matched before the answer came
    late = life.on_response("p1", _accepted("live"), TS + 30)
    assert isinstance(late, lm.Update)
    assert (late.order.state, late.order.filled, late.order.open) == (S.MATCHED, 100, False)
    contradicting = life.on_response("p1", {"success": False, "errorMsg": "order rejected"}, TS + 31)
    assert contradicting == Rejection(
        "EXEC_ILLEGAL_TRANSITION",
        {"plan_id": "p1", "order_id": H1, "from": "MATCHED", "to": "REJECTED", "error": "order rejected"},
    )
    assert _view(life).state is S.MATCHED


def test_submitted_when_plan_or_order_id_reused_then_value_error() -> None:
    life = _life()
    with pytest.raises(ValueError):
        life.submitted(_plan("p1"), H2, TS)
    with pytest.raises(ValueError):
        life.submitted(_plan("p2"), H1, TS)


def test_on_response_when_plan_unknown_then_key_error() -> None:
    with pytest.raises(KeyError):
        lm.Lifecycle().on_response("nope", None, TS)


# --- order messages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (["LIVE", "CANCELED"], "LIVE"),  # terminal stays terminal
        (["CANCELED"], "MATCHED"),
        (["LIVE"], "DELAYED"),  # LIVE cannot go back to DELAYED
        (["LIVE"], "UNMATCHED"),
        (["UNMATCHED"], "DELAYED"),
        (["INVALID"], "CANCELED"),
        (["LIVE", "MATCHED:100"], "LIVE"),  # fully matched: done
        (["MATCHED:100"], "CANCELED"),  # nothing left to cancel
    ],
)
def test_on_order_event_when_illegal_then_rejected_and_state_unchanged(path: list[str], bad: str) -> None:
    life = _life()  # IN_FLIGHT: the path's first status sets the starting state
    for step in path:
        status, _, matched = step.partition(":")
        assert isinstance(life.on_order_event(_event(status, matched or "0")), lm.Update)
    before = _view(life)
    out = life.on_order_event(_event(bad))
    assert out == Rejection("EXEC_ILLEGAL_TRANSITION", {"plan_id": "p1", "order_id": H1, "from": before.state,
                                                         "to": bad})  # fmt: skip
    assert _view(life) == before


def test_on_order_event_when_rejected_submit_then_any_status_illegal() -> None:
    life = _life()
    life.on_response("p1", {"success": False, "errorMsg": "invalid signature"}, TS + 1)
    out = life.on_order_event(_event("LIVE", kind="PLACEMENT"))
    assert isinstance(out, Rejection) and out.code == "EXEC_ILLEGAL_TRANSITION"
    assert (out.details["from"], out.details["to"]) == ("REJECTED", "LIVE")


@pytest.mark.parametrize("nxt", ["LIVE", "MATCHED", "UNMATCHED", "CANCELED", "DELAYED"])
def test_on_order_event_when_delayed_then_may_settle_any_way(nxt: str) -> None:
    life = _life()
    life.on_response("p1", _accepted("delayed"), TS + 1)
    out = life.on_order_event(_event(nxt))
    assert isinstance(out, lm.Update) and out.order.state == nxt


def test_on_order_event_when_partial_match_then_matched_but_still_working() -> None:
    life = _live()
    out = life.on_order_event(_event("MATCHED", matched="40"))
    assert isinstance(out, lm.Update)
    # 40 of 100 matched: MATCHED, 60 still working -> open
    assert (out.order.state, out.order.filled, out.order.open) == (S.MATCHED, 40, True)
    more = life.on_order_event(_event("LIVE", matched="70"))  # the venue reports the rest working
    assert isinstance(more, lm.Update) and (more.order.state, more.order.filled) == (S.LIVE, 70)
    done = life.on_order_event(_event("MATCHED", matched="100"))
    assert isinstance(done, lm.Update) and (done.order.state, done.order.filled, done.order.open) == (
        S.MATCHED, 100, False
    )  # fmt: skip


def test_on_order_event_when_unknown_order_then_rejected() -> None:
    out = _live().on_order_event(_event("LIVE", order_id=H2))
    assert out == Rejection("EXEC_ILLEGAL_TRANSITION", {"order_id": H2, "from": "UNKNOWN"})


def test_on_order_event_when_overfill_then_quarantined_and_never_counted() -> None:
    life = _live()
    life.on_order_event(_event("LIVE", matched="25"))  # filled 25 so far
    out = life.on_order_event(_event("MATCHED", matched="120"))  # 120 > 100: nonsense
    assert out == Rejection("EXEC_OVERFILL", {"plan_id": "p1", "order_id": H1, "size_matched": "120",
                                               "original_size": "100"})  # fmt: skip
    view = _view(life)
    # frozen: filled 0 (the 25 no longer counted), not open, not in flight
    assert (view.state, view.filled, view.open, view.reason) == (S.QUARANTINED, 0, False, "EXEC_OVERFILL")
    assert life.open_orders() == [] and life.in_flight() == []
    frozen = {"plan_id": "p1", "order_id": H1, "from": "QUARANTINED"}
    assert life.on_order_event(_event("CANCELED", matched="25")) == Rejection("EXEC_OVERFILL", frozen)
    assert life.on_trade(_fill("t1", "5")) == Rejection("EXEC_OVERFILL", frozen)
    assert _view(life).filled == 0
    assert life.cancel("p1", TS + 40) == lm.Update(_view(life))  # not open: no cancel sent


def test_on_trade_when_trades_exceed_size_then_quarantined() -> None:
    life = _live(size="10")
    assert isinstance(life.on_trade(_fill("t1", "6")), lm.Update)
    out = life.on_trade(_fill("t2", "5"))  # 6 + 5 = 11 > 10
    assert out == Rejection("EXEC_OVERFILL", {"plan_id": "p1", "order_id": H1, "filled_by_trades": "11",
                                               "size": "10"})  # fmt: skip
    assert (_view(life).state, _view(life).filled) == (S.QUARANTINED, 0)


# --- FAK: open until a trade or a cancel -----------------------------------------------------------


def test_fak_when_live_with_nothing_matched_then_open_until_canceled() -> None:
    life = _live(size="10", order_type="FAK")
    placed = life.on_order_event(_event("LIVE", size="10", kind="PLACEMENT"))
    assert isinstance(placed, lm.Update)
    assert (placed.order.state, placed.order.filled, placed.order.open) == (S.LIVE, 0, True)  # not assumed dead
    assert [v.plan_id for v in life.open_orders()] == ["p1"]
    killed = life.on_order_event(_event("CANCELED", size="10", kind="CANCELLATION"))
    assert isinstance(killed, lm.Update)
    assert (killed.order.state, killed.order.filled, killed.order.open) == (S.CANCELED, 0, False)
    assert life.open_orders() == []


def test_fak_when_live_then_trade_settles_it_and_remainder_cancel_accepted() -> None:
    life = _live(size="10", order_type="FAK")
    out = life.on_trade(_fill("t1", "4"))
    assert isinstance(out, lm.Update)
    # a FAK matches once: 4 of 10 filled, the rest is killed by the venue -> MATCHED, not open
    assert (out.order.state, out.order.filled, out.order.open) == (S.MATCHED, 4, False)
    rest = life.on_order_event(_event("CANCELED", matched="4", size="10", kind="CANCELLATION"))
    assert isinstance(rest, lm.Update) and (rest.order.state, rest.order.filled) == (S.CANCELED, 4)


def test_fok_when_killed_then_canceled_with_venue_detail() -> None:
    life = _live(size="12", order_type="FOK")
    detail = "order couldn't be fully filled. FOK orders are fully filled or killed."
    out = life.on_order_event(_event("CANCELED", size="12", kind="CANCELLATION", detail=detail))
    assert isinstance(out, lm.Update)
    assert (out.order.state, out.order.filled, out.order.error) == (S.CANCELED, 0, detail)


# --- fills counted once ----------------------------------------------------------------------------


def test_fill_when_update_and_trade_report_it_then_counted_once() -> None:
    life = _live()
    steps = [
        (_event("LIVE", matched="25"), 25),  # M = 25, T = 0 -> max(25 - 0, 0) = 25
        (_fill("A", "25"), 25),  # the same 25 by trade: max(25, 25) = 25, not 50
        (_fill("B", "10"), 35),  # a second fill not yet in an update: max(25, 25 + 10) = 35
        (_event("LIVE", matched="35"), 35),  # the update catches up: max(35, 35) = 35
        (_fill("A", "25", "MINED"), 35),  # A again (status moves on): deduped by fill_id
        (_fill("A", "25", "FAILED"), 10),  # A un-counted: max(35 - 25, 10) = 10
        (_fill("B", "10", "CONFIRMED"), 10),  # max(35 - 25, 10) = 10
    ]
    for message, filled in steps:
        out = life.on_trade(message) if isinstance(message, Fill) else life.on_order_event(message)
        assert isinstance(out, lm.Update), out
        assert out.order.filled == filled


def test_fill_when_trade_failed_before_any_update_then_not_counted() -> None:
    life = _live()
    life.on_trade(_fill("A", "10", "RETRYING"))  # first sighting RETRYING: counted, 10
    assert _view(life).filled == 10
    life.on_trade(_fill("A", "10", "FAILED"))  # max(0 - 10, 0) = 0
    assert _view(life).filled == 0
    life.on_order_event(_event("LIVE", matched="10"))  # the venue's size_matched still holds the failed match
    assert _view(life).filled == 0  # max(10 - 10, 0) = 0


@pytest.mark.parametrize(
    ("path", "filled"),
    [
        (["MATCHED", "MINED", "CONFIRMED"], [10, 10, 10]),  # counted from the match on
        (["MATCHED", "RETRYING", "MINED", "CONFIRMED"], [10, 10, 10, 10]),
        (["MATCHED", "RETRYING", "FAILED"], [10, 10, 0]),  # FAILED un-counts
        (["MATCHED", "MINED", "RETRYING", "FAILED"], [10, 10, 10, 0]),  # a reorg after mining
        (["CONFIRMED"], [10]),  # earlier messages missed: the first may carry any status
    ],
)
def test_on_trade_when_legal_status_path_then_filled_follows(path: list[str], filled: list[int]) -> None:
    life = _live()
    for status, expected in zip(path, filled, strict=True):
        out = life.on_trade(_fill("A", "10", status))
        assert isinstance(out, lm.Update) and out.order.filled == expected


@pytest.mark.parametrize(
    ("path", "bad"),
    [(["MATCHED", "MINED", "CONFIRMED"], "MATCHED"), (["MATCHED", "RETRYING", "FAILED"], "MINED"),
     (["MATCHED", "MINED"], "MATCHED"), (["CONFIRMED"], "FAILED")],
)  # fmt: skip
def test_on_trade_when_illegal_status_then_rejected_and_filled_unchanged(path: list[str], bad: str) -> None:
    life = _live()
    for status in path:
        life.on_trade(_fill("A", "10", status))
    before = _view(life)
    out = life.on_trade(_fill("A", "10", bad))
    details = {"plan_id": "p1", "order_id": H1, "from": before.state, "to": bad, "fill_id": "A",
               "trade_from": path[-1]}  # fmt: skip
    assert out == Rejection("EXEC_ILLEGAL_TRANSITION", details)
    assert _view(life) == before


def test_on_trade_when_repeat_then_nothing_changes() -> None:
    life = _live()
    first = life.on_trade(_fill("A", "10"))
    again = life.on_trade(_fill("A", "10", ts=TS + 99))
    assert isinstance(first, lm.Update) and again == lm.Update(first.order)  # same view: not even the time moves


def test_on_trade_when_unknown_order_then_rejected() -> None:
    assert _live().on_trade(_fill("A", "1", order_id=H2)) == Rejection(
        "EXEC_ILLEGAL_TRANSITION", {"order_id": H2, "from": "UNKNOWN"}
    )


def test_recorded_frames_when_update_and_trade_of_one_fill_then_counted_once() -> None:
    # recorded user-channel shapes (nautilus_trader test_data): order 0x1234...12 of 100 shares
    order_id = "0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef12"
    condition = "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
    token = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
    life = lm.Lifecycle()
    life.submitted(_plan(cond=condition, token=token), order_id, 1_703_875_199_000)
    life.on_response("p1", None, 1_703_875_199_500)  # the POST timed out: in flight
    frames = [
        (_frame("ws_user_order_msg.json"), S.LIVE, 0),  # PLACEMENT LIVE, size_matched 0
        (_frame("ws_user_order_update.json", event_type="order"), S.LIVE, 25),  # UPDATE LIVE, size_matched 25
        (_frame("ws_user_trade_msg.json"), S.MATCHED, 25),  # our trade of 25, CONFIRMED: max(25, 25) = 25
        (_frame("ws_user_order_matched.json", event_type="order"), S.MATCHED, 100),  # MATCHED 100 of 100
        (_frame("ws_user_trade_msg.json"), S.MATCHED, 100),  # the trade again: deduped, max(100, 25) = 100
    ]
    for raw, state, filled in frames:
        [message] = normalise_user_frame(raw, 1_703_875_300_000, OWNER)
        out = life.on_trade(message) if isinstance(message, Fill) else life.on_order_event(message)
        assert isinstance(out, lm.Update), out
        assert (out.order.state, out.order.filled) == (state, filled)
    view = _view(life)
    assert (view.open, view.id_confirmed, view.updated_ts_ms) == (False, True, 1_703_875_201_000)


# --- cancel ----------------------------------------------------------------------------------------


def test_cancel_when_id_unknown_yet_then_waits_and_goes_out_when_channel_names_it() -> None:
    life = _life()
    waiting = life.cancel("p1", TS + 1)
    assert isinstance(waiting, lm.Update)
    assert (waiting.reason, waiting.send, waiting.order.cancel_pending) == ("EXEC_CANCEL_PENDING_ID", (), True)
    ambiguous = life.on_response("p1", None, TS + 2)  # still no id: keeps waiting
    assert isinstance(ambiguous, lm.Update) and (ambiguous.send, ambiguous.order.cancel_pending) == ((), True)
    named = life.on_order_event(_event("LIVE", kind="PLACEMENT"))
    assert isinstance(named, lm.Update)
    assert named.send == (CancelOrder(H1),) and named.send[0].body() == {"orderID": H1}
    assert (named.order.cancel_pending, named.order.state) == (False, S.LIVE)  # state waits for CANCELED
    done = life.on_order_event(_event("CANCELED", kind="CANCELLATION"))
    assert isinstance(done, lm.Update) and (done.send, done.order.state) == ((), S.CANCELED)


def test_cancel_when_waiting_and_accepted_answer_then_sent_with_answer() -> None:
    life = _life()
    life.cancel("p1", TS + 1)
    out = life.on_response("p1", _accepted("live"), TS + 2)
    assert isinstance(out, lm.Update) and out.send == (CancelOrder(H1),)


@pytest.mark.parametrize(
    "settle",
    [
        lambda life: life.on_response("p1", {"success": False, "errorMsg": "invalid signature"}, TS + 2),
        lambda life: life.on_order_event(_event("MATCHED", matched="100")),  # filled before the cancel could go
    ],
)
def test_cancel_when_waiting_and_order_closes_then_nothing_sent(settle) -> None:
    life = _life()
    life.cancel("p1", TS + 1)
    out = settle(life)
    assert isinstance(out, lm.Update) and (out.send, out.order.cancel_pending) == ((), False)


def test_cancel_when_id_confirmed_then_sent_now() -> None:
    life = _live()
    out = life.cancel("p1", TS + 5)
    assert isinstance(out, lm.Update)
    assert (out.send, out.reason, out.order.state) == ((CancelOrder(H1),), None, S.LIVE)


def test_cancel_when_terminal_then_no_op() -> None:
    life = _live()
    life.on_order_event(_event("CANCELED", kind="CANCELLATION"))
    before = _view(life)
    assert life.cancel("p1", TS + 50) == lm.Update(before)


def test_cancel_when_plan_unknown_then_rejection() -> None:
    assert lm.Lifecycle().cancel("nope", TS) == Rejection("EXEC_CANCEL_UNKNOWN_ORDER", {"plan_id": "nope"})


# --- queries, config, determinism ------------------------------------------------------------------


def test_queries_when_several_orders_then_in_submission_order() -> None:
    life = lm.Lifecycle()
    for n in (3, 1, 2):
        life.submitted(_plan(f"p{n}"), "0x" + str(n) * 64, TS)
    life.on_response("p1", _accepted("live", "0x" + "1" * 64), TS + 1)
    life.on_response("p2", {"success": False, "errorMsg": "no"}, TS + 1)
    assert [v.plan_id for v in life.open_orders()] == ["p3", "p1"]  # p2 rejected
    assert [v.plan_id for v in life.in_flight()] == ["p3"]
    assert life.order("p9") is None


def test_config_when_extra_field_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError):
        lm.Config(anything=1)


def test_lifecycle_when_same_messages_then_same_views() -> None:
    def run() -> list[lm.OrderView]:
        life = _life()
        life.on_response("p1", None, TS + 1)
        life.on_trade(_fill("A", "30"))
        life.on_order_event(_event("MATCHED", matched="30"))
        life.cancel("p1", TS + 30)
        return [_view(life)]

    assert run() == run()
    [view] = run()
    # a trade of 30 settled the in-flight order: MATCHED, 30 of 100, still working
    assert (view.state, view.filled, view.open) == (S.MATCHED, 30, True)
