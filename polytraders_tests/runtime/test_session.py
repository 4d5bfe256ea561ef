"""runtime.session.VenueSession: cancel-replace per quote key, resolutions, time order.

Tape (tick 0.01), offsets from T0 in ms:

=====  ==========  ==========  ==========
 dt     "11" b/a    "12" b/a    "21" b/a
=====  ==========  ==========  ==========
   0   0.48/0.52   0.40/0.44   0.20/0.30
 100   0.48/0.50   0.40/0.44   0.20/0.30
 200   0.45/0.47   0.40/0.44   0.20/0.30
 300   0.45/0.47   0.30/0.35   0.20/0.25
=====  ==========  ==========  ==========

A BUY "11" @ 0.50 placed at 0 fills at 100 (ask 0.50); a BUY "11" @ 0.47 fills at 200;
a BUY "12" @ 0.35 fills at 300 (ask 0.35); a BUY "21" @ 0.25 fills at 300.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from polytraders.adapters.mock_venue import VenueOrder
from polytraders.contracts.types import Side
from polytraders.runtime.session import VenueSession

ROWS = [
    (dt, token, bid, ask)
    for dt, books in (
        (0, (("11", "0.48", "0.52"), ("12", "0.40", "0.44"), ("21", "0.20", "0.30"))),
        (100, (("11", "0.48", "0.50"), ("12", "0.40", "0.44"), ("21", "0.20", "0.30"))),
        (200, (("11", "0.45", "0.47"), ("12", "0.40", "0.44"), ("21", "0.20", "0.30"))),
        (300, (("11", "0.45", "0.47"), ("12", "0.30", "0.35"), ("21", "0.20", "0.25"))),
    )
    for token, bid, ask in books
]


@pytest.fixture
def session(mk) -> VenueSession:
    return VenueSession(mk.tape(ROWS), [])


def _order(mk, order_id: str, dt: int, token: str = "11", price: str = "0.45", size: str = "10",
           side: str = "BUY") -> VenueOrder:  # fmt: skip
    cond = mk.COND_A if token in ("11", "12") else mk.COND_B
    return VenueOrder(order_id=order_id, intent_id=order_id, condition_id=cond, token_id=token, side=Side(side),
                      price=D(price), size=D(size), placed_ts_ms=mk.T0 + dt)  # fmt: skip


def _log(session: VenueSession, t0: int) -> list[tuple[str, str, int]]:
    return [(e.order_id, e.status, e.ts_ms - t0) for e in session.log.order_events]


def test_place_when_same_key_twice_then_previous_cancelled_first(mk, session: VenueSession) -> None:
    session.place("strat.a", _order(mk, "o1", 0, price="0.45"))
    session.advance(mk.T0 + 50)
    session.place("strat.a", _order(mk, "o2", 50, price="0.46"))
    assert _log(session, mk.T0) == [("o1", "LIVE", 0), ("o1", "CANCELED", 50), ("o2", "LIVE", 50)]
    assert session.live_order_id("strat.a", "11", Side.BUY) == "o2"
    assert list(session.venue.resting) == ["o2"]


@pytest.mark.parametrize(("strategy", "token", "side", "price"), [
    ("strat.b", "11", "BUY", "0.45"),   # other strategy
    ("strat.a", "12", "BUY", "0.30"),   # other token
])  # fmt: skip
def test_place_when_other_key_then_both_rest(mk, session: VenueSession, strategy: str, token: str, side: str,
                                             price: str) -> None:  # fmt: skip
    session.place("strat.a", _order(mk, "o1", 0))
    session.place(strategy, _order(mk, "o2", 10, token=token, price=price, side=side))
    assert sorted(session.venue.resting) == ["o1", "o2"]
    assert session.live_order_id("strat.a", "11", Side.BUY) == "o1"
    assert session.live_order_id(strategy, token, Side(side)) == "o2"


def test_place_when_sell_beyond_held_shares_then_refused_for_balance(mk, session: VenueSession) -> None:
    # nothing held in "11": a SELL of 10 is refused at placement (the venue checks the token balance),
    # it never rests, and no quote is live for its key.
    session.place("strat.a", _order(mk, "o1", 0, price="0.60", side="SELL"))
    assert _log(session, mk.T0) == [("o1", "INVALID", 0)]
    assert session.log.order_events[0].status_detail == "not enough balance / allowance"
    assert session.venue.resting == {} and session.live_order_id("strat.a", "11", Side.SELL) is None


def test_place_when_replacement_crosses_then_old_cancelled_and_no_live_quote(mk, session: VenueSession) -> None:
    # o2 BUY 0.52 at 0 touches the ask 0.52 → INVALID; o1 was already cancelled by the replace.
    session.place("strat.a", _order(mk, "o1", 0))
    session.place("strat.a", _order(mk, "o2", 0, price="0.52"))
    assert _log(session, mk.T0) == [("o1", "LIVE", 0), ("o1", "CANCELED", 0), ("o2", "INVALID", 0)]
    assert session.live_order_id("strat.a", "11", Side.BUY) is None
    assert session.venue.resting == {}


def test_advance_when_quote_fills_then_ledger_updated_and_key_freed(mk, session: VenueSession) -> None:
    session.place("strat.a", _order(mk, "o1", 0, price="0.50"))  # fills at 100
    session.advance(mk.T0 + 100)
    assert _log(session, mk.T0) == [("o1", "LIVE", 0), ("o1", "MATCHED", 100)]
    assert [(f.order_id, f.ts_ms - mk.T0, f.price, f.size) for f in session.log.fills] == [
        ("o1", 100, D("0.50"), D(10))
    ]
    assert session.ledger.exposure_usdc() == D("5.00")  # 10 · 0.50
    assert session.live_order_id("strat.a", "11", Side.BUY) is None
    session.cancel("o1", mk.T0 + 150)  # filled: no-op, no event
    assert len(session.log.order_events) == 2


def test_advance_when_resolution_then_market_orders_cancelled_at_resolution_time(mk) -> None:
    # Market A resolves at 250 ("11" wins). o1 ("11" @ 0.40, never fills) and o2 ("12" @ 0.35, would fill at
    # 300) are cancelled at 250; o3 in market B ("21" @ 0.25) fills at 300.
    session = VenueSession(mk.tape(ROWS), [mk.resolution(mk.COND_A, 250, winner="11")])
    session.place("strat.a", _order(mk, "o1", 0, price="0.40"))
    session.place("strat.a", _order(mk, "o2", 0, token="12", price="0.35"))
    session.place("strat.a", _order(mk, "o3", 0, token="21", price="0.25"))
    assert not session.is_resolved(mk.COND_A)
    session.advance(mk.T0 + 1_000)
    assert session.is_resolved(mk.COND_A) and not session.is_resolved(mk.COND_B)
    assert _log(session, mk.T0)[3:] == [("o1", "CANCELED", 250), ("o2", "CANCELED", 250), ("o3", "MATCHED", 300)]
    assert [f.order_id for f in session.log.fills] == ["o3"]
    assert session.live_order_id("strat.a", "12", Side.BUY) is None


def test_advance_when_fill_before_resolution_then_fill_then_settlement(mk) -> None:
    # o1 BUY "11" 10 @ 0.50 fills at 100; A resolves at 250 with "11" winning: realised 1·10 − 5.00 = 5.00.
    # o2 BUY "12" @ 0.35 would fill at 300 but is cancelled at 250 instead.
    session = VenueSession(mk.tape(ROWS), [mk.resolution(mk.COND_A, 250, winner="11")])
    session.place("strat.a", _order(mk, "o1", 0, price="0.50"))
    session.place("strat.a", _order(mk, "o2", 0, token="12", price="0.35"))
    session.advance(mk.T0 + 1_000)  # one call past both events
    assert _log(session, mk.T0) == [("o1", "LIVE", 0), ("o2", "LIVE", 0), ("o1", "MATCHED", 100),
                                    ("o2", "CANCELED", 250)]  # fmt: skip
    pos = session.ledger.position("11", mk.T0 + 250, D(1))
    assert (pos.size, pos.realised_pnl_usdc, pos.settled) == (D(0), D("5.00"), True)


def test_advance_when_fill_at_resolution_time_then_fill_applied_before_settlement(mk) -> None:
    # o1 BUY "11" 10 @ 0.47 placed at 150 fills at 200 (ask 0.47); resolution at 200 too, "12" wins:
    # the fill counts first, then settles at 0: realised 0·10 − 4.70 = −4.70.
    session = VenueSession(mk.tape(ROWS), [mk.resolution(mk.COND_A, 200, winner="12")])
    session.place("strat.a", _order(mk, "o1", 150, price="0.47"))
    session.advance(mk.T0 + 200)
    assert [f.order_id for f in session.log.fills] == ["o1"]
    assert session.ledger.position("11", mk.T0 + 200, D(0)).realised_pnl_usdc == D("-4.70")


def test_advance_when_resolutions_out_of_order_then_applied_in_time_order(mk) -> None:
    # B at 150 then A at 250, given reversed. Advancing to 200 resolves only B.
    session = VenueSession(
        mk.tape(ROWS),
        [mk.resolution(mk.COND_A, 250, winner="11"), mk.resolution(mk.COND_B, 150, winner="22")],
    )
    session.advance(mk.T0 + 200)
    assert (session.is_resolved(mk.COND_A), session.is_resolved(mk.COND_B)) == (False, True)
    session.advance(mk.T0 + 250)
    assert session.is_resolved(mk.COND_A)


def test_resting_buy_notional_usdc_when_orders_rest_then_buys_summed_per_market(mk, session: VenueSession) -> None:
    # A: o1 BUY 10 @ 0.45 = 4.50, o2 BUY 4 @ 0.30 ("12") = 1.20, o3 SELL (ignored); B: o4 BUY 20 @ 0.10 = 2.00.
    session.place("strat.a", _order(mk, "o1", 0))
    session.place("strat.a", _order(mk, "o2", 0, token="12", price="0.30", size="4"))
    session.place("strat.a", _order(mk, "o3", 0, price="0.60", side="SELL"))
    session.place("strat.a", _order(mk, "o4", 0, token="21", price="0.10", size="20"))
    assert session.resting_buy_notional_usdc(mk.COND_A) == D("5.70")  # 4.50 + 1.20
    assert session.resting_buy_notional_usdc(mk.COND_B) == D("2.00")
    assert session.resting_buy_notional_usdc() == D("7.70")
    assert session.resting_buy_notional_usdc(mk.COND_A, excluding="o1") == D("1.20")
    assert session.resting_buy_notional_usdc(excluding="o4") == D("5.70")


def test_mids_when_positions_open_then_mid_of_each_open_token(mk, session: VenueSession) -> None:
    # o1 "11" fills at 100; o2 "21" @ 0.25 fills at 300. At 300: "11" mid (0.45 + 0.47)/2 = 0.46,
    # "21" mid (0.20 + 0.25)/2 = 0.225. "12" has no position → absent.
    session.place("strat.a", _order(mk, "o1", 0, price="0.50"))
    session.place("strat.a", _order(mk, "o2", 0, token="21", price="0.25"))
    session.advance(mk.T0 + 300)
    assert session.mids(mk.T0 + 300) == {"11": D("0.46"), "21": D("0.225")}
