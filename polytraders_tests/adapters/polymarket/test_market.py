"""Market websocket channel: books, deltas, trades, tick changes, top of book, lifecycle, keep-alives."""

from __future__ import annotations

import json
from decimal import Decimal

from polytraders.adapters.budgets import FreshnessBudgets
from polytraders.adapters.polymarket import BookDelta, normalise_market_frame
from polytraders.contracts import (
    InstrumentRecord,
    KeepAlive,
    MarketResolution,
    MarketSnapshot,
    OrderBookSnapshot,
    QuarantineRecord,
    TickSizeChange,
    TradePrint,
)
from polytraders.contracts.types import Quality, Side

TRUMP_CID = "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
TRUMP_YES = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
TRUMP_NO = "48331043336612883890938759509493159234755048973500640148014422747788308965732"
OWN_CID = "0x7e57" + "0" * 57 + "a01"
OWN_A = "73" + "0" * 72 + "101"
OWN_B = "29" + "0" * 72 + "202"
MILLI = {TRUMP_YES: Decimal("0.001"), TRUMP_NO: Decimal("0.001")}


def _levels(levels) -> list[tuple[str, str]]:
    return [(format(level.price, "f"), format(level.size, "f")) for level in levels]


def test_normalise_when_real_ws_book_then_best_level_is_last_element(ref) -> None:
    [book] = normalise_market_frame(ref("ws:book.json"), 1_728_799_418_760, MILLI)
    assert isinstance(book, OrderBookSnapshot)
    assert (book.condition_id, book.token_id, book.ts_ms) == (TRUMP_CID, TRUMP_NO, 1_728_799_418_260)
    assert (len(book.bids), len(book.asks)) == (76, 86)
    assert _levels(book.bids[:2]) == [("0.511", "1304.72"), ("0.51", "12848.17")]
    assert _levels(book.asks[:2]) == [("0.514", "20230.87"), ("0.515", "43551.96")]
    assert ("0.965", "4000") in _levels(book.asks)
    assert book.freshness.venue_hash == "655a38d4977427b086c25b985993691b753ed166"
    assert (book.freshness.age_ms, book.freshness.budget_ms, book.freshness.quality) == (
        500,
        2_000,
        Quality.OK,
    )


def test_normalise_when_book_older_than_budget_then_quality_warn(ref) -> None:
    [book] = normalise_market_frame(ref("ws:book.json"), 1_728_799_423_260, MILLI, FreshnessBudgets(ws_market_ms=1_000))
    assert (book.freshness.age_ms, book.freshness.quality) == (5_000, Quality.WARN)


def _capture(ref) -> list[str]:
    return ref("own:market_capture.jsonl").splitlines()


def test_normalise_when_initial_array_frame_then_one_book_per_element(ref) -> None:
    books = normalise_market_frame(_capture(ref)[0], 1_780_000_000_600, {})
    assert [type(book) for book in books] == [OrderBookSnapshot, OrderBookSnapshot]
    first, second = books
    assert (first.token_id, first.tick_size, first.ts_ms) == (OWN_A, Decimal("0.01"), 1_780_000_000_100)
    assert _levels(first.bids) == [("0.47", "80"), ("0.45", "250.5"), ("0.40", "100")]
    assert _levels(first.asks) == [("0.52", "60"), ("0.55", "120.25"), ("0.60", "300")]
    assert (second.token_id, second.bids[0].price, second.asks[0].price) == (
        OWN_B,
        Decimal("0.48"),
        Decimal("0.53"),
    )


def test_normalise_when_one_array_element_is_bad_then_only_it_is_quarantined(ref) -> None:
    frame = json.loads(_capture(ref)[0])
    frame[0]["bids"][0]["size"] = "-3"
    out = normalise_market_frame(json.dumps(frame), 1_780_000_000_600, {})
    assert [type(item) for item in out] == [QuarantineRecord, OrderBookSnapshot]
    assert out[0].reason_code == "GOV_DQ_NEGATIVE_SIZE"
    assert out[0].detail == "[0].bids[0].size='-3' is negative"
    assert out[1].token_id == OWN_B


def test_normalise_when_pong_then_keep_alive(ref) -> None:
    assert _capture(ref)[2] == "PONG"
    [keep_alive] = normalise_market_frame("PONG", 1_780_000_000_700, {})
    assert keep_alive == KeepAlive(channel="market", receive_ts_ms=1_780_000_000_700, kind="PONG")


def test_normalise_when_two_leg_price_change_then_one_delta_per_leg(ref) -> None:
    ticks = {OWN_A: Decimal("0.01"), OWN_B: Decimal("0.01")}
    deltas = normalise_market_frame(_capture(ref)[3], 1_780_000_001_300, ticks)
    assert [type(delta) for delta in deltas] == [BookDelta, BookDelta]
    leg_a, leg_b = deltas
    assert (leg_a.token_id, leg_a.side, leg_a.price, leg_a.size) == (
        OWN_A,
        Side.BUY,
        Decimal("0.47"),
        Decimal("95"),
    )
    assert (leg_a.best_bid, leg_a.best_ask, leg_a.ts_ms) == (
        Decimal("0.47"),
        Decimal("0.52"),
        1_780_000_001_200,
    )
    assert leg_a.venue_hash == "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"
    assert (leg_b.token_id, leg_b.side, leg_b.price, leg_b.size) == (
        OWN_B,
        Side.SELL,
        Decimal("0.53"),
        Decimal("95"),
    )


def test_normalise_when_price_change_size_zero_then_delta_deletes_level(ref) -> None:
    ticks = {OWN_A: Decimal("0.01"), OWN_B: Decimal("0.01")}
    deltas = normalise_market_frame(_capture(ref)[5], 1_780_000_002_400, ticks)
    assert [(d.token_id, d.price, d.size) for d in deltas] == [
        (OWN_A, Decimal("0.47"), Decimal("0")),
        (OWN_B, Decimal("0.53"), Decimal("0")),
    ]


def test_normalise_when_price_change_token_unknown_then_that_leg_quarantined(ref) -> None:
    out = normalise_market_frame(_capture(ref)[3], 1_780_000_001_300, {OWN_A: Decimal("0.01")})
    assert [type(item) for item in out] == [BookDelta, QuarantineRecord]
    assert out[1].reason_code == "GOV_DQ_UNKNOWN_TOKEN"
    assert out[1].detail.startswith(f"price_changes[1].asset_id={OWN_B}")


def test_normalise_when_2024_single_level_price_change_then_one_delta(ref) -> None:
    [delta] = normalise_market_frame(ref("ws:price_change.json"), 1_723_967_931_500, MILLI)
    assert (delta.token_id, delta.side, delta.price, delta.size) == (
        TRUMP_NO,
        Side.SELL,
        Decimal("0.514"),
        Decimal("21574.08"),
    )
    assert (delta.ts_ms, delta.venue_hash) == (1_723_967_931_411, "bf32b3746fff40c76c98021b7f3f07261169dd26")
    assert delta.best_bid is None


def test_normalise_when_last_trade_price_then_trade_print(ref) -> None:
    [trade] = normalise_market_frame(ref("ws:last_trade_price.json"), 1_724_564_136_100, MILLI)
    assert isinstance(trade, TradePrint)
    assert (trade.token_id, trade.price, trade.size, trade.side) == (
        TRUMP_YES,
        Decimal("0.491"),
        Decimal("85.36"),
        Side.SELL,
    )
    assert (trade.ts_ms, trade.fee_rate_bps) == (1_724_564_136_087, 0)


def test_normalise_when_tick_size_change_then_old_and_new_tick(ref) -> None:
    [change] = normalise_market_frame(ref("ws:tick_size_change.json"), 1_739_068_041_900, {})
    assert isinstance(change, TickSizeChange)
    assert (change.old_tick_size, change.new_tick_size, change.ts_ms) == (
        Decimal("0.01"),
        Decimal("0.001"),
        1_739_068_041_853,
    )
    assert change.token_id == "115474063863764126958837769719736461272619491980773624567012766320777398670353"


def test_normalise_when_best_bid_ask_then_market_snapshot_with_mid_and_spread(ref) -> None:
    token = "85354956062430465315924116860125388538595433819574542752031640332592237464430"
    [snap] = normalise_market_frame(
        ref("rs:ws_market_best_bid_ask_msg.json"), 1_766_789_470_000, {token: Decimal("0.01")}
    )
    assert isinstance(snap, MarketSnapshot)
    assert (snap.best_bid, snap.best_ask, snap.mid, snap.spread_ticks) == (
        Decimal("0.73"),
        Decimal("0.77"),
        Decimal("0.75"),
        4,
    )
    assert (snap.freshness.source_ts_ms, snap.freshness.age_ms) == (1_766_789_469_958, 42)


def test_normalise_when_new_market_then_instrument_record_with_defaults(ref) -> None:
    [record] = normalise_market_frame(ref("rs:ws_market_new_market_msg.json"), 1_766_790_415_600, {})
    assert isinstance(record, InstrumentRecord)
    assert record.condition_id == "0x311d0c4b6671ab54af4970c06fcf58662516f5168997bdda209ec3db5aa6b0c1"
    assert [(t.token_id[:6], t.outcome) for t in record.tokens] == [("760430", "Yes"), ("316909", "No")]
    # new_market carries no neg-risk flag: unknown (None), so no order on it is signed yet
    assert (record.tick_size, record.min_order_size, record.neg_risk) == (
        Decimal("0.01"),
        Decimal("5"),
        None,
    )
    assert (record.slug, record.category, record.as_of_ms) == (
        "nvda-above-240-on-january-30-2026",
        "stocks",
        1_766_790_415_550,
    )
    assert (record.active, record.closed, record.accepting_orders) == (True, False, True)


def test_normalise_when_market_resolved_then_resolution_names_winner(ref) -> None:
    [resolution] = normalise_market_frame(ref("rs:ws_market_resolved_msg.json"), 1_766_790_415_600, {})
    assert isinstance(resolution, MarketResolution)
    assert resolution.winning_token_id.startswith("7604307375665")
    assert (resolution.winning_outcome, resolution.ts_ms, len(resolution.token_ids)) == (
        "Yes",
        1_766_790_415_550,
        2,
    )


def test_normalise_when_0001_grid_book_then_0965_is_on_grid(ref) -> None:
    token = "8" + "0" * 71 + "77777"
    [book] = normalise_market_frame(
        ref("own:ws_book_0001_grid.json"), 1_780_000_200_100, {token: Decimal("0.001")}
    )
    assert _levels(book.bids)[0] == ("0.965", "4000")
    assert _levels(book.asks)[0] == ("0.966", "310.75")


def test_normalise_when_unknown_extra_field_then_tolerated(ref) -> None:
    frame = json.loads(ref("ws:tick_size_change.json")) | {"brand_new_field": {"x": 1}}
    [change] = normalise_market_frame(json.dumps(frame), 1_739_068_041_900, {})
    assert isinstance(change, TickSizeChange)
