"""Tick-grid and price checks at the adapter boundary are exact decimal arithmetic, never float.

In binary floating point 0.965 % 0.001 is 0.000999…, so a float check would reject a valid price on
the 0.001 grid; and a float sum of outcome prices that are exactly 1 is not 1 (0.06 + 0.57 + 0.37 is
0.9999999999999999). The adapter parses every number as a Decimal (JSON numbers too), checks the
grid with Decimal ``%`` (per-frame path) or integer micro-units (vectorised path), and the frame
form keeps Decimal(38, 6). (A grep of polytraders/adapters finds no float modulo or float sum.)
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import polars as pl
import pytest

from polytraders.adapters.capture import CAPTURE_SCHEMA
from polytraders.adapters.polymarket import normalise_capture, normalise_market_frame, normalise_markets_page
from polytraders.adapters.polymarket import parsing as p
from polytraders.contracts import OrderBookSnapshot, QuarantineRecord
from polytraders.contracts.frames import to_frame
from polytraders.contracts.market import on_tick_grid

CID = "0x" + "cd" * 32
RECV = 1_790_000_000_000


def _book(token: str, bids: list[str], asks: list[str], tick: str | None) -> str:
    """A compact ``book`` frame, levels in the venue's order (best LAST), sizes 10."""
    obj = {"market": CID, "asset_id": token, "timestamp": str(RECV), "hash": "h",
           "bids": [{"price": b, "size": "10"} for b in sorted(bids, key=D)],
           "asks": [{"price": a, "size": "10"} for a in sorted(asks, key=D, reverse=True)],
           "event_type": "book", **({"tick_size": tick} if tick is not None else {})}
    return json.dumps(obj, separators=(",", ":"))


def _both_paths(frames: list[str], ticks: dict[str, D] | None = None) -> tuple[pl.DataFrame, list, pl.DataFrame]:
    """(per-frame books in frame form, per-frame quarantine codes, vectorised books)."""
    ticks = ticks or {}
    objects = [o for f in frames for o in normalise_market_frame(f, RECV, ticks)]
    books = [o for o in objects if isinstance(o, OrderBookSnapshot)]
    codes = [o.reason_code for o in objects if isinstance(o, QuarantineRecord)]
    capture = pl.DataFrame({"recv_ms": [RECV] * len(frames), "channel": ["market"] * len(frames), "frame": frames},
                           schema=CAPTURE_SCHEMA)
    return (to_frame("OrderBookSnapshot", books) if books else pl.DataFrame()), codes, normalise_capture(
        capture, ticks).book_snapshots


def test_on_grid_when_0_965_on_0_001_then_valid_where_float_would_say_off_grid() -> None:
    assert 0.965 % 0.001 != 0  # the float trap
    assert on_tick_grid(D("0.965"), D("0.001")) and p.on_grid(D("0.965"), D("0.001"), "price") == D("0.965")
    assert not on_tick_grid(D("0.965"), D("0.01"))
    with pytest.raises(p.ParseError) as err:
        p.on_grid(D("0.965"), D("0.01"), "price")
    assert err.value.code == "GOV_DQ_OFF_TICK"


@pytest.mark.parametrize(("tick", "admitted"), [("0.001", True), ("0.01", False)])
def test_normalise_when_book_at_0_965_then_grid_checked_exactly_on_both_paths(tick: str, admitted: bool) -> None:
    frame = _book("1", ["0.964", "0.96"], ["0.965", "0.97"], tick)
    per_frame, codes, fast = _both_paths([frame])
    if admitted:
        assert codes == [] and fast.height == per_frame.height == 1
        assert fast.equals(per_frame)
        assert fast["asks"].list.first().struct.field("price").to_list() == [D("0.965")]
    else:
        assert codes == ["GOV_DQ_OFF_TICK"] and fast.height == 0


def test_normalise_when_tick_from_the_registry_map_then_same_exact_check() -> None:
    frame = _book("1", ["0.034"], ["0.965"], None)  # no tick_size of its own: the map's 0.001
    per_frame, codes, fast = _both_paths([frame], {"1": D("0.001")})
    assert codes == [] and fast.equals(per_frame) and fast["tick_size"].to_list() == [D("0.001")]


def test_normalise_when_outcome_asks_sum_to_exactly_one_then_normalised_prices_sum_to_one() -> None:
    # Three outcomes of one event, best asks 0.06 / 0.57 / 0.37: exactly 1 as decimals, not as floats.
    assert 0.06 + 0.57 + 0.37 == 0.9999999999999999
    frames = [_book(tok, [], [ask], "0.01") for tok, ask in (("1", "0.06"), ("2", "0.57"), ("3", "0.37"))]
    per_frame, codes, fast = _both_paths(frames)
    assert codes == [] and fast.equals(per_frame)
    asks = fast["asks"].list.first().struct.field("price")
    assert asks.dtype == pl.Decimal(38, 6) and asks.sum() == D(1)
    assert sum(o.asks[0].price for f in frames for o in normalise_market_frame(f, RECV, {})) == D(1)


def test_normalise_when_complement_bid_and_ask_then_mid_and_sum_exact() -> None:
    # YES best ask 0.965 and NO best bid 0.035 sum to exactly 1; the YES mid (0.964 + 0.965) / 2 = 0.9645.
    assert (0.964 + 0.965) / 2 != 0.9645  # the float mid is off
    [yes] = normalise_market_frame(_book("1", ["0.964"], ["0.965"], "0.001"), RECV, {})
    [no] = normalise_market_frame(_book("2", ["0.035"], ["0.036"], "0.001"), RECV, {})
    assert yes.asks[0].price + no.bids[0].price == D(1)
    assert (yes.bids[0].price + yes.asks[0].price) / 2 == D("0.9645")


def test_normalise_markets_page_when_tick_is_a_json_number_then_exact_decimal() -> None:
    # /markets sends minimum_tick_size as a bare JSON number: parsed as Decimal("0.001"), never as the
    # float 0.001000000000000000020816681711721685…
    market = {"condition_id": CID, "question": "q", "market_slug": "s", "tokens": [
        {"token_id": "1", "outcome": "Yes"}, {"token_id": "2", "outcome": "No"}], "minimum_tick_size": 0.001,
        "minimum_order_size": 5, "neg_risk": False, "active": True, "closed": False, "accepting_orders": True}
    [record] = normalise_markets_page(json.dumps({"data": [market]}), RECV)
    assert record.tick_size == D("0.001") and str(record.tick_size) == "0.001"
    assert on_tick_grid(D("0.965"), record.tick_size)
