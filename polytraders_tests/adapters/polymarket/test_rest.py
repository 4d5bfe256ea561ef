"""CLOB REST: /book, /markets, /data/trades."""

from __future__ import annotations

from decimal import Decimal

from polytraders.adapters.polymarket import (
    normalise_book_response,
    normalise_markets_page,
    normalise_trades_response,
)
from polytraders.contracts import InstrumentRecord, OrderBookSnapshot, QuarantineRecord
from polytraders.contracts.types import Quality, Side

AS_OF = 1_780_000_000_000


def test_normalise_book_when_2024_response_then_best_first_levels(ref) -> None:
    token = "23360939988679364027624185518382759743328544433592111535569478055890815567848"
    [book] = normalise_book_response(ref("http:book.json"), 1_728_799_419_260, {token: Decimal("0.01")})
    assert isinstance(book, OrderBookSnapshot)
    assert (book.bids[0].price, book.bids[0].size, book.asks[0].price, book.asks[0].size) == (
        Decimal("0.1"),
        Decimal("125"),
        Decimal("0.14"),
        Decimal("705"),
    )
    assert (len(book.bids), len(book.asks), book.asks[-1].price) == (5, 7, Decimal("0.98"))
    assert (book.freshness.age_ms, book.freshness.budget_ms, book.freshness.quality) == (
        1_000,
        5_000,
        Quality.OK,
    )


def test_normalise_book_when_2026_response_then_own_tick_size_used(ref) -> None:
    [book] = normalise_book_response(ref("own:rest_book_2026.json"), 1_780_000_100_050, {})
    assert (book.tick_size, book.ts_ms) == (Decimal("0.01"), 1_780_000_100_000)
    assert [(b.price, b.size) for b in book.bids] == [
        (Decimal("0.38"), Decimal("210")),
        (Decimal("0.35"), Decimal("75.5")),
        (Decimal("0.30"), Decimal("500")),
    ]
    assert (book.asks[0].price, book.asks[0].size) == (Decimal("0.41"), Decimal("33.3"))
    assert book.freshness.venue_hash == "9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a"


def test_normalise_book_when_token_unknown_and_no_tick_then_unknown_token(ref) -> None:
    [record] = normalise_book_response(ref("http:book.json"), 1_728_799_419_260, {})
    assert isinstance(record, QuarantineRecord)
    assert record.reason_code == "GOV_DQ_UNKNOWN_TOKEN"


def test_normalise_markets_when_single_market_then_instrument_record(ref) -> None:
    [record] = normalise_markets_page(ref("http:market.json"), AS_OF)
    assert isinstance(record, InstrumentRecord)
    assert record.condition_id == "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917"
    assert [(t.token_id[:8], t.outcome) for t in record.tokens] == [("21742633", "Yes"), ("48331043", "No")]
    assert (record.tick_size, record.min_order_size, record.neg_risk) == (
        Decimal("0.001"),
        Decimal("5"),
        True,
    )
    assert record.neg_risk_market_id == "0xe3b1bc389210504ebcb9cffe4b0ed06ccac50561e0f24abb6379984cec030f00"
    assert (record.end_ts_ms, record.category, record.as_of_ms) == (1_730_764_800_000, "Politics", AS_OF)
    assert (record.rewards.min_size, record.rewards.max_spread_cents) == (Decimal("200"), Decimal("1.5"))
    assert (record.fees.fees_enabled, record.fees.taker_fee_rate) == (False, Decimal("0"))


def test_normalise_markets_when_page_has_one_bad_market_then_it_alone_is_quarantined(ref) -> None:
    out = normalise_markets_page(ref("http:markets.json"), AS_OF)
    records = [item for item in out if isinstance(item, InstrumentRecord)]
    [bad] = [item for item in out if isinstance(item, QuarantineRecord)]
    assert len(records) == 99
    assert (bad.reason_code, bad.detail) == (
        "GOV_DQ_BAD_ID",
        "data[15].tokens.token_ids[0]='' is not a uint256 decimal string",
    )
    assert records[0].condition_id == "0x12a0cb60174abc437bf1178367c72d11f069e1a3add20b148fb0ab4279b772b2"


def test_normalise_markets_when_closed_2026_market_then_flags_kept(ref) -> None:
    [record] = normalise_markets_page(ref("rs:clob_market_closed_binary_accepting_true.json"), AS_OF)
    assert (record.active, record.closed, record.accepting_orders, record.neg_risk_market_id) == (
        True,
        True,
        True,
        None,
    )
    assert record.end_ts_ms == 1_830_211_200_000


def test_normalise_trades_when_rest_taker_trade_then_fill_at_match_time(ref) -> None:
    [fill] = normalise_trades_response(ref("ws:trades.json"), AS_OF, "3e2c94ca-8124-c4c1-c7ea-be1ea21b71fe")
    assert (fill.fill_id, fill.side, fill.price, fill.size) == (
        "0c357886-b9d3-44bb-9aa9-72d8abc90e6e",
        Side.BUY,
        Decimal("0.489"),
        Decimal("5"),
    )
    assert (fill.ts_ms, fill.trade_status) == (1_726_043_102_000, "CONFIRMED")


def test_normalise_trades_when_match_time_is_iso_then_ts_units(ref) -> None:
    [record] = normalise_trades_response(ref("rs:http_trades_page.json"), AS_OF, "x")
    assert (record.reason_code, record.detail) == (
        "GOV_DQ_TS_UNITS",
        "data[0].match_time='2024-01-01T00:00:00Z' is not an integer epoch timestamp",
    )
