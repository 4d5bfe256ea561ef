"""exec.tick_change_requoter: off-grid orders cancelled and requoted passively on the new grid."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.exec import tick_change_requoter as tcr
from polytraders.contracts import TickSizeChange
from polytraders.contracts.types import Side
from polytraders_tests.bots.frames import HASH, T0, TOKEN_ID, condition

BUY, SELL = Side.BUY, Side.SELL


def _order(oid: str, side: Side, price: str, size: str = "10", token: str = "yes") -> tcr.RestingOrder:
    return tcr.RestingOrder(oid, condition(token), TOKEN_ID[token], side, D(price), D(size))


def _change(old: str, new: str, token: str = "yes") -> TickSizeChange:
    return TickSizeChange(condition_id=condition(token), token_id=TOKEN_ID[token], ts_ms=T0,
                          old_tick_size=D(old), new_tick_size=D(new), provenance_hash=HASH)  # fmt: skip


def _prices(out: list[tcr.Requote]) -> list[tuple[str, D | None]]:
    return [(r.order.order_id, r.new_price) for r in out]


def test_when_tick_grows_then_off_grid_orders_cancelled_and_snapped_passively() -> None:
    orders = [_order("b", BUY, "0.537"), _order("s", SELL, "0.537"), _order("on", BUY, "0.540", "7")]
    out = tcr.requote(orders, _change("0.001", "0.01"), tcr.Config())
    # 0.537 // 0.01 = 53 → BUY floors to 0.53; SELL ceils to 54·0.01 = 0.54; 0.540 is on the grid
    assert _prices(out) == [("b", D("0.53")), ("s", D("0.54"))]
    assert all(r.code == "EXEC_OFF_GRID_CANCEL" for r in out)
    assert out[0].order == orders[0]  # the size to requote is the order's remaining size


def test_when_tick_shrinks_then_every_order_stays() -> None:
    orders = [_order("a", BUY, "0.53"), _order("b", SELL, "0.99"), _order("c", BUY, "0.01")]
    assert tcr.requote(orders, _change("0.01", "0.001"), tcr.Config()) == []  # k·0.01 = 10k·0.001


@pytest.mark.parametrize(
    ("side", "price", "new_tick", "expected"),
    [
        (BUY, "0.005", "0.01", None),  # floors to 0.00 < tick: cancel only
        (SELL, "0.995", "0.01", None),  # ceils to 1.00 > 1 − tick: cancel only
        (BUY, "0.015", "0.01", D("0.01")),  # floors to exactly tick: kept in band
        (SELL, "0.985", "0.01", D("0.99")),  # ceils to exactly 1 − tick
        (BUY, "0.9995", "0.001", D("0.999")),  # 0.0001 → 0.001: floors to 0.999 = 1 − tick
        (SELL, "0.0004", "0.001", D("0.001")),  # ceils to tick
        (SELL, "0.53", "0.1", D("0.6")),  # 0.01 → 0.1: ceil 5.3 → 6 ticks
        (BUY, "0.5013", "0.0025", D("0.5")),  # 0.5013 // 0.0025 = 200 → 0.5000
    ],
)
def test_band_and_grids(side: Side, price: str, new_tick: str, expected: D | None) -> None:
    out = tcr.requote([_order("x", side, price)], _change("0.0001", new_tick), tcr.Config())
    assert _prices(out) == [("x", expected)]


def test_when_other_token_then_untouched() -> None:
    orders = [_order("no-order", BUY, "0.537", token="no"), _order("yes-order", BUY, "0.537")]
    assert _prices(tcr.requote(orders, _change("0.001", "0.01"), tcr.Config())) == [("yes-order", D("0.53"))]


def test_when_requote_disabled_then_cancel_only() -> None:
    out = tcr.requote([_order("b", BUY, "0.537")], _change("0.001", "0.01"), tcr.Config(requote=False))
    assert _prices(out) == [("b", None)] and out[0].code == "EXEC_OFF_GRID_CANCEL"


def test_when_no_orders_then_empty_and_deterministic() -> None:
    assert tcr.requote([], _change("0.001", "0.01"), tcr.Config()) == []
    orders = [_order("b", BUY, "0.537"), _order("s", SELL, "0.123")]
    assert tcr.requote(orders, _change("0.001", "0.01"), tcr.Config()) == tcr.requote(
        orders, _change("0.001", "0.01"), tcr.Config()
    )


def test_config_defaults_and_validation() -> None:
    assert tcr.Config().requote is True
    with pytest.raises(pydantic.ValidationError):
        tcr.Config(requote_all=True)


def test_grid_sweep_when_shrink_then_nothing_when_growth_then_passive_within_one_tick() -> None:
    old = [D(k) / 1000 for k in range(1, 1000)]  # every price on the 0.001 grid
    orders = [_order(f"{side}{p}", side, str(p)) for p in old for side in (BUY, SELL)]
    coarse = [o for o in orders if o.price % D("0.01") == 0]
    assert tcr.requote(coarse, _change("0.01", "0.001"), tcr.Config()) == []  # shrink: all stay
    out = tcr.requote(orders, _change("0.001", "0.01"), tcr.Config())
    assert len(out) == len(orders) - len(coarse)  # growth: exactly the off-grid ones move
    # cancel only: BUY 0.001..0.009 (floor to 0) and SELL 0.991..0.999 (ceil to 1): 9 + 9
    assert sum(r.new_price is None for r in out) == 18
    for r in out:
        old_price, new = r.order.price, r.new_price
        if new is None:  # only outside [0.01, 0.99]: BUY below 0.01, SELL above 0.99
            assert (r.order.side, old_price < D("0.01")) in {(BUY, True), (SELL, False)}
            continue
        assert new % D("0.01") == 0 and abs(new - old_price) < D("0.01")
        assert new < old_price if r.order.side == BUY else new > old_price  # never more aggressive
