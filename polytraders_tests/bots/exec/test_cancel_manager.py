"""exec.cancel_manager: the venue's cancel calls by id, by market, or all."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.base import Rejection
from polytraders.bots.exec import cancel_manager as cm
from polytraders.bots.exec.lifecycle_manager import Lifecycle
from polytraders.contracts import ExecutionPlan, OrderEvent
from polytraders.contracts.types import OrderType, Side

TS = 1_700_000_000_000
M1 = "0x" + "a" * 64
M2 = "0x" + "b" * 64
ID1, ID2, ID3 = ("0x" + c * 64 for c in "123")


@dataclass(frozen=True)
class Open:
    order_id: str
    condition_id: str
    token_id: str


#: ID1, ID2 in market M1 (tokens 1 and 2); ID3 in market M2 (token 3).
OPEN = [Open(ID1, M1, "1"), Open(ID2, M1, "2"), Open(ID3, M2, "3")]


def test_by_id_when_one_open_id_then_delete_order() -> None:
    out = cm.cancel_requests(cm.ById((ID1,)), OPEN, cm.Config())
    assert out == [cm.CancelOrder(ID1)]
    # py_clob_client_v2 endpoints.CANCEL = "/order"; body as client.cancel_order sends it
    assert (out[0].method, out[0].path, out[0].body()) == ("DELETE", "/order", {"orderID": ID1})


def test_by_id_when_several_then_one_delete_orders_duplicates_once() -> None:
    out = cm.cancel_requests(cm.ById((ID3, ID1, ID3)), OPEN, cm.Config())
    # ID3 named twice counts once; order of first naming kept
    assert out == [cm.CancelOrders((ID3, ID1))]
    assert (out[0].method, out[0].path, out[0].body()) == ("DELETE", "/orders", [ID3, ID1])


def test_by_id_when_more_than_max_ids_then_chunked() -> None:
    out = cm.cancel_requests(cm.ById((ID1, ID2, ID3)), OPEN, cm.Config(max_ids_per_request=2))
    # 3 ids, at most 2 a call: [ID1, ID2], [ID3]
    assert out == [cm.CancelOrders((ID1, ID2)), cm.CancelOrders((ID3,))]


def test_by_id_when_unknown_id_then_rejection_names_it() -> None:
    out = cm.cancel_requests(cm.ById((ID1, "0xdead", "0xbeef")), OPEN, cm.Config())
    assert out == Rejection("EXEC_CANCEL_UNKNOWN_ORDER", {"order_ids": "0xdead,0xbeef"})


def test_by_id_when_no_ids_then_no_call() -> None:
    assert cm.cancel_requests(cm.ById(()), OPEN, cm.Config()) == []


def test_by_market_when_open_orders_there_then_cancel_market_orders() -> None:
    out = cm.cancel_requests(cm.ByMarket(M1), OPEN, cm.Config())
    assert out == [cm.CancelMarketOrders(M1)]
    assert (out[0].method, out[0].path, out[0].body()) == ("DELETE", "/cancel-market-orders", {"market": M1})


def test_by_market_when_one_token_then_asset_id_in_body() -> None:
    out = cm.cancel_requests(cm.ByMarket(M1, "2"), OPEN, cm.Config())
    assert out == [cm.CancelMarketOrders(M1, "2")]
    assert out[0].body() == {"market": M1, "asset_id": "2"}


@pytest.mark.parametrize(
    "scope",
    [
        cm.ByMarket("0x" + "c" * 64),  # a market with nothing of ours
        cm.ByMarket(M2, "1"),  # token 1 is in M1, not M2
    ],
)
def test_by_market_when_nothing_open_in_scope_then_no_call(scope: cm.ByMarket) -> None:
    assert cm.cancel_requests(scope, OPEN, cm.Config()) == []


def test_all_when_open_orders_then_cancel_all_else_nothing() -> None:
    out = cm.cancel_requests(cm.AllOrders(), OPEN, cm.Config())
    assert out == [cm.CancelAll()]
    assert (out[0].method, out[0].path, out[0].body()) == ("DELETE", "/cancel-all", None)
    assert cm.cancel_requests(cm.AllOrders(), [], cm.Config()) == []


def test_scopes_when_lifecycle_views_then_only_open_orders_count() -> None:
    life = Lifecycle()
    for n, order_id in ((1, ID1), (2, ID2)):
        plan = ExecutionPlan(
            plan_id=f"p{n}", intent_id=f"i{n}", condition_id=M1, token_id=str(n), ts_ms=TS, side=Side.BUY,
            price=D("0.5"), size=D("10"), tick_size=D("0.01"), neg_risk=False, order_type=OrderType.GTC,
            post_only=True, maker_amount=5_000_000, taker_amount=10_000_000,
        )  # fmt: skip
        life.submitted(plan, order_id, TS)
        life.on_response(f"p{n}", {"success": True, "orderID": order_id, "status": "live"}, TS + 1)
    assert cm.cancel_requests(cm.ById((ID1, ID2)), life.open_orders(), cm.Config()) == [cm.CancelOrders((ID1, ID2))]
    # the venue cancels p2 (token 2): it is no longer open
    life.on_order_event(OrderEvent(
        order_id=ID2, condition_id=M1, token_id="2", ts_ms=TS + 2, event_type="CANCELLATION", status="CANCELED",
        side=Side.BUY, price=D("0.5"), original_size=D("10"), size_matched=D("0"),
    ))  # fmt: skip
    open_now = life.open_orders()
    assert cm.cancel_requests(cm.ById((ID2,)), open_now, cm.Config()) == Rejection(
        "EXEC_CANCEL_UNKNOWN_ORDER", {"order_ids": ID2}
    )
    assert cm.cancel_requests(cm.ByMarket(M1, "2"), open_now, cm.Config()) == []  # nothing open in token 2
    assert cm.cancel_requests(cm.ByMarket(M1), open_now, cm.Config()) == [cm.CancelMarketOrders(M1)]  # p1


@pytest.mark.parametrize("bad", [0, 3001])
def test_config_when_out_of_range_then_validation_error(bad: int) -> None:
    with pytest.raises(pydantic.ValidationError):
        cm.Config(max_ids_per_request=bad)
