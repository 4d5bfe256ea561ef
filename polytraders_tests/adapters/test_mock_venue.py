"""adapters.mock_venue: the trade-through fill rule, post-only refusal, cancels, as-of look-ups.

Tape of token "1" (tick 0.01), times as offsets from T0 (ms):

====  =====  =====
 dt    bid    ask
====  =====  =====
   0   0.48   0.52
 100   0.49   0.51
 200   0.47   0.50
 300   0.51   0.53
====  =====  =====

Token "2" is on a 0.001 grid; token "3" is one-sided (bids only, then asks only).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR
from decimal import Decimal as D

import pytest

from polytraders.adapters.mock_venue import BookTape, MockVenue, VenueOrder, to_micro
from polytraders.contracts import Freshness, MarketSnapshot
from polytraders.contracts.frames import to_frame
from polytraders.contracts.types import OrderType, Side

T0 = 1_700_000_000_000
COND = "0x" + "c" * 64

ROWS = [
    (0, "1", "0.48", "0.52", "0.01"),
    (100, "1", "0.49", "0.51", "0.01"),
    (200, "1", "0.47", "0.50", "0.01"),
    (300, "1", "0.51", "0.53", "0.01"),
    (0, "2", "0.960", "0.966", "0.001"),
    (100, "2", "0.961", "0.965", "0.001"),
    (200, "2", "0.964", "0.970", "0.001"),
    (0, "3", "0.40", None, "0.01"),
    (100, "3", None, "0.45", "0.01"),
    (200, "3", None, "0.30", "0.01"),
    (300, "3", "0.90", None, "0.01"),
    (0, "4", "0.480001", "0.480004", "0.000001"),
]


def _snapshot(dt: int, token: str, bid: str | None, ask: str | None, tick: str) -> MarketSnapshot:
    b, a = (D(bid) if bid else None), (D(ask) if ask else None)
    both = b is not None and a is not None
    return MarketSnapshot(
        condition_id=COND, token_id=token, ts_ms=T0 + dt, tick_size=D(tick), best_bid=b, best_ask=a,
        mid=((b + a) / 2).quantize(D("0.000001"), ROUND_FLOOR) if both else None,
        spread_ticks=int((a - b) / D(tick)) if both else None,
        freshness=Freshness(source_ts_ms=T0 + dt, receive_ts_ms=T0 + dt, age_ms=0, budget_ms=5_000,
                            quality="OK", provenance_hash="ab" * 32),
    )  # fmt: skip


@pytest.fixture
def tape() -> BookTape:
    # Rows deliberately out of time order: BookTape sorts by (token, ts).
    return BookTape(to_frame("MarketSnapshot", [_snapshot(*row) for row in reversed(ROWS)]))


def _order(order_id: str, side: str, price: str, dt: int = 0, token: str = "1", size: str = "10") -> VenueOrder:
    return VenueOrder(order_id=order_id, intent_id=f"i-{order_id}", condition_id=COND, token_id=token,
                      side=Side(side), price=D(price), size=D(size), placed_ts_ms=T0 + dt)  # fmt: skip


def _fill_times(venue: MockVenue, dt: int) -> list[tuple[str, int]]:
    return [(fill.order_id, fill.ts_ms - T0) for _, fill in venue.advance(T0 + dt)]


# --- to_micro ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "micro"),
    [("0.965", 965_000), ("0.5", 500_000), ("0.123456", 123_456), ("1", 1_000_000), ("0.000001", 1)],
)
def test_to_micro_when_at_most_six_decimals_then_exact_integer(value: str, micro: int) -> None:
    assert to_micro(D(value)) == micro


def test_to_micro_when_seven_decimals_then_value_error() -> None:
    with pytest.raises(ValueError, match=r"^0\.1234567 has more than 6 decimals$"):
        to_micro(D("0.1234567"))


# --- BookTape as-of look-ups ------------------------------------------------------------------


def test_snapshot_at_when_before_first_snapshot_then_none(tape: BookTape) -> None:
    assert tape.snapshot_at("1", T0 - 1) is None


def test_snapshot_at_when_unknown_token_then_none(tape: BookTape) -> None:
    assert tape.snapshot_at("999", T0 + 1_000) is None


@pytest.mark.parametrize(("dt", "snap_dt", "bid", "ask"), [
    (0, 0, "0.48", "0.52"),      # exactly at a snapshot: that snapshot
    (99, 0, "0.48", "0.52"),     # between: the earlier one (as-of)
    (100, 100, "0.49", "0.51"),
    (10_000, 300, "0.51", "0.53"),  # after the last: the last
])  # fmt: skip
def test_snapshot_at_when_time_given_then_latest_at_or_before(
    tape: BookTape, dt: int, snap_dt: int, bid: str, ask: str
) -> None:
    snap = tape.snapshot_at("1", T0 + dt)
    assert snap is not None
    assert (snap.ts_ms, snap.best_bid, snap.best_ask, snap.token_id) == (T0 + snap_dt, D(bid), D(ask), "1")


@pytest.mark.parametrize(("token", "dt", "mid"), [
    ("1", 0, 500_000),    # (480000 + 520000) // 2
    ("1", 150, 500_000),  # as of dt 100: (490000 + 510000) // 2
    ("1", 200, 485_000),  # (470000 + 500000) // 2
    ("2", 100, 963_000),  # (961000 + 965000) // 2
    ("4", 0, 480_002),    # (480001 + 480004) // 2 = 960005 // 2 = 480002 (floor of 480002.5)
    ("3", 0, None),       # bids only
    ("3", 100, None),     # asks only
    ("1", -1, None),      # before the first snapshot
])  # fmt: skip
def test_mid_micro_at_when_looked_up_then_floor_half_sum_or_none(
    tape: BookTape, token: str, dt: int, mid: int | None
) -> None:
    assert tape.mid_micro_at(token, T0 + dt) == mid


def test_first_cross_after_when_placement_snapshot_crosses_then_not_that_snapshot(tape: BookTape) -> None:
    # At dt 200 the ask is 0.50 <= 0.50, but only snapshots with ts > after_ts count: later asks
    # (0.53) never reach 0.50 → None. From dt 199 the dt-200 snapshot is the first one after.
    assert tape.first_cross_after("1", Side.BUY, 500_000, T0 + 200) is None
    assert tape.first_cross_after("1", Side.BUY, 500_000, T0 + 199) == T0 + 200


# --- MockVenue: BUY ---------------------------------------------------------------------------


def test_place_when_buy_below_ask_then_live_and_rests(tape: BookTape) -> None:
    venue = MockVenue(tape)
    event = venue.place(_order("b1", "BUY", "0.50"))
    assert (event.event_type, event.status, event.ts_ms, event.size_matched) == ("PLACEMENT", "LIVE", T0, D(0))
    assert (event.order_id, event.intent_id, event.original_size, event.order_type) == (
        "b1",
        "i-b1",
        D(10),
        OrderType.GTC,
    )
    assert list(venue.resting) == ["b1"]


def test_advance_when_buy_touched_later_then_fills_at_first_touch(tape: BookTape) -> None:
    # BUY 0.50 placed at dt 0: asks after dt 0 are 0.51 (dt 100, > 0.50), 0.50 (dt 200, touch) → dt 200.
    venue = MockVenue(tape)
    venue.place(_order("b1", "BUY", "0.50"))
    assert venue.advance(T0 + 199) == []
    [(event, fill)] = venue.advance(T0 + 200)
    assert (event.event_type, event.status, event.ts_ms, event.size_matched) == ("UPDATE", "MATCHED", T0 + 200, D(10))
    assert (fill.fill_id, fill.order_id, fill.ts_ms, fill.side, fill.price, fill.size) == (
        "b1-1",
        "b1",
        T0 + 200,
        Side.BUY,
        D("0.50"),
        D(10),
    )
    assert (fill.liquidity, fill.fee_usdc, fill.trade_status) == ("MAKER", D(0), "MATCHED")
    assert venue.resting == {}


def test_advance_when_buy_placed_between_snapshots_then_fills_at_next_crossing(tape: BookTape) -> None:
    # BUY 0.51 at dt 50: as-of book dt 0 (ask 0.52) does not cross; dt 100 ask 0.51 touches → dt 100.
    venue = MockVenue(tape)
    venue.place(_order("b1", "BUY", "0.51", dt=50))
    assert _fill_times(venue, 1_000) == [("b1", 100)]


def test_advance_when_buy_never_touched_then_no_fill(tape: BookTape) -> None:
    # BUY 0.49: asks after dt 0 are 0.51, 0.50, 0.53 — all > 0.49.
    venue = MockVenue(tape)
    venue.place(_order("b1", "BUY", "0.49"))
    assert venue.advance(T0 + 10_000) == []
    assert list(venue.resting) == ["b1"]


def test_place_when_buy_at_snapshot_time_then_that_snapshot_never_fills(tape: BookTape) -> None:
    # BUY 0.50 at dt 100 (ask 0.51 there): the next snapshot dt 200 (ask 0.50) fills it, at dt 200, not dt 100.
    venue = MockVenue(tape)
    venue.place(_order("b1", "BUY", "0.50", dt=100))
    assert venue.advance(T0 + 199) == []
    assert _fill_times(venue, 200) == [("b1", 200)]


# --- MockVenue: SELL --------------------------------------------------------------------------


@pytest.mark.parametrize(("price", "fill_dt"), [
    ("0.50", 300),  # bids after dt 0: 0.49, 0.47, 0.51 → first >= 0.50 is dt 300
    ("0.51", 300),  # touch: bid 0.51 == 0.51 at dt 300
    ("0.49", 100),  # touch: bid 0.49 == 0.49 at dt 100
    ("0.52", None),  # no bid ever reaches 0.52
])  # fmt: skip
def test_advance_when_sell_then_fills_at_first_bid_at_or_above(tape: BookTape, price: str, fill_dt: int | None) -> None:
    venue = MockVenue(tape)
    assert venue.place(_order("s1", "SELL", price)).status == "LIVE"
    assert _fill_times(venue, 10_000) == ([] if fill_dt is None else [("s1", fill_dt)])


# --- post-only refusal ------------------------------------------------------------------------


@pytest.mark.parametrize(("side", "price"), [
    ("BUY", "0.52"),   # touches the ask 0.52 at placement
    ("BUY", "0.60"),   # through the ask
    ("SELL", "0.48"),  # touches the bid 0.48
    ("SELL", "0.40"),  # through the bid
])  # fmt: skip
def test_place_when_post_only_would_cross_then_invalid_and_nothing_rests(tape: BookTape, side: str, price: str) -> None:
    venue = MockVenue(tape)
    event = venue.place(_order("x", side, price))
    assert (event.event_type, event.status, event.ts_ms, event.size_matched) == ("CANCELLATION", "INVALID", T0, D(0))
    assert event.status_detail == "post-only order would cross the book"
    assert venue.resting == {}
    assert venue.advance(T0 + 10_000) == []


def test_place_when_no_book_yet_then_live(tape: BookTape) -> None:
    # Before the first snapshot nothing can cross; BUY 0.51 then touches at dt 100.
    venue = MockVenue(tape)
    assert venue.place(_order("b1", "BUY", "0.51", dt=-10)).status == "LIVE"
    assert _fill_times(venue, 10_000) == [("b1", 100)]


def test_place_when_unknown_token_then_live_and_never_fills(tape: BookTape) -> None:
    venue = MockVenue(tape)
    assert venue.place(_order("u", "BUY", "0.99", token="999")).status == "LIVE"
    assert venue.advance(T0 + 10_000) == []


# --- one-sided books --------------------------------------------------------------------------


def test_advance_when_side_missing_then_missing_side_never_fills(tape: BookTape) -> None:
    # Token 3: dt 0 bids only (0.40), dt 100 ask 0.45, dt 200 ask 0.30, dt 300 bids only (0.90).
    # BUY 0.35 at dt 0: no ask at dt 0 (no cross); asks 0.45 (> 0.35), 0.30 (<= 0.35) → dt 200.
    # SELL 0.85 at dt 0: bid 0.40 no cross; no bids at dt 100 / 200; bid 0.90 at dt 300 → dt 300.
    venue = MockVenue(tape)
    venue.place(_order("b", "BUY", "0.35", token="3"))
    venue.place(_order("s", "SELL", "0.85", token="3"))
    assert _fill_times(venue, 10_000) == [("b", 200), ("s", 300)]


# --- micro-unit comparison on a 0.001 grid ----------------------------------------------------


@pytest.mark.parametrize(("price", "fills"), [
    ("0.965", [("b", 100)]),  # ask 965000 <= 965000: touch on the 0.001 grid (no float: 0.965 is not exact in binary)
    ("0.964", []),            # asks 966000, 965000, 970000 all > 964000
])  # fmt: skip
def test_advance_when_fine_grid_touch_then_decided_in_micro_units(
    tape: BookTape, price: str, fills: list[tuple[str, int]]
) -> None:
    venue = MockVenue(tape)
    venue.place(_order("b", "BUY", price, token="2"))
    assert _fill_times(venue, 10_000) == fills


def test_place_when_fine_grid_touches_at_placement_then_invalid(tape: BookTape) -> None:
    # dt 100: ask 0.965; a BUY at 0.965 touches → refused.
    assert MockVenue(tape).place(_order("b", "BUY", "0.965", dt=100, token="2")).status == "INVALID"


# --- cancel -----------------------------------------------------------------------------------


def test_cancel_when_before_fill_time_then_canceled_and_no_fill(tape: BookTape) -> None:
    venue = MockVenue(tape)
    venue.place(_order("b1", "BUY", "0.50"))  # would fill at dt 200
    event = venue.cancel("b1", T0 + 150)
    assert event is not None
    assert (event.event_type, event.status, event.ts_ms) == ("CANCELLATION", "CANCELED", T0 + 150)
    assert event.size_matched == D(0)
    assert venue.advance(T0 + 10_000) == []
    assert venue.resting == {}


@pytest.mark.parametrize("order_id", ["b1", "nope"])
def test_cancel_when_filled_or_unknown_then_none(tape: BookTape, order_id: str) -> None:
    venue = MockVenue(tape)
    venue.place(_order("b1", "BUY", "0.50"))
    venue.advance(T0 + 200)  # b1 filled
    assert venue.cancel(order_id, T0 + 250) is None


# --- advance ordering -------------------------------------------------------------------------


def test_advance_when_several_due_then_in_fill_time_order(tape: BookTape) -> None:
    # a: SELL 0.51 → dt 300; b: BUY 0.50 → dt 200; c: BUY 0.51 → dt 100. Placed a, b, c.
    venue = MockVenue(tape)
    for order in (_order("a", "SELL", "0.51"), _order("b", "BUY", "0.50"), _order("c", "BUY", "0.51")):
        venue.place(order)
    assert _fill_times(venue, 300) == [("c", 100), ("b", 200), ("a", 300)]


def test_advance_when_same_fill_time_then_by_order_id(tape: BookTape) -> None:
    venue = MockVenue(tape)
    for order_id in ("z", "m", "a"):
        venue.place(_order(order_id, "BUY", "0.50"))  # all fill at dt 200
    assert _fill_times(venue, 200) == [("a", 200), ("m", 200), ("z", 200)]


def test_advance_when_called_in_steps_then_each_fill_once(tape: BookTape) -> None:
    venue = MockVenue(tape)
    venue.place(_order("c", "BUY", "0.51"))  # dt 100
    venue.place(_order("b", "BUY", "0.50"))  # dt 200
    assert _fill_times(venue, 150) == [("c", 100)]
    assert _fill_times(venue, 250) == [("b", 200)]
    assert _fill_times(venue, 10_000) == []


def test_venue_when_same_calls_twice_then_same_events(tape: BookTape) -> None:
    def run() -> list:
        venue = MockVenue(tape)
        events = [
            venue.place(_order(i, s, p))
            for i, s, p in (("a", "SELL", "0.51"), ("b", "BUY", "0.50"), ("c", "BUY", "0.52"), ("d", "BUY", "0.49"))
        ]
        events.append(venue.cancel("d", T0 + 50))
        return events + venue.advance(T0 + 10_000)

    assert run() == run()


def test_mid_micro_at_when_book_goes_one_sided_then_last_two_sided_mid_is_kept() -> None:
    # "9": two-sided 0.97/0.99 at 0 (mid 0.98), bids only 0.999 at 100, asks only at 200,
    # two-sided 0.50/0.60 at 300 (mid 0.55).
    rows = [(0, "9", "0.97", "0.99", "0.01"), (100, "9", "0.999", None, "0.001"),
            (200, "9", None, "0.02", "0.01"), (300, "9", "0.50", "0.60", "0.01")]
    tape = BookTape(to_frame("MarketSnapshot", [_snapshot(*row) for row in rows]))
    assert [tape.mid_micro_at("9", T0 + dt) for dt in (0, 100, 200, 300)] == [980_000, 980_000, 980_000, 550_000]
