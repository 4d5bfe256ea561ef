"""User websocket channel: order events and our fills (MAKER and TAKER)."""

from __future__ import annotations

from decimal import Decimal

from polytraders.adapters.polymarket import normalise_user_frame
from polytraders.contracts import Fill, OrderEvent, QuarantineRecord
from polytraders.contracts.types import OrderType, Side

NAUTILUS_OWNER = "3e2c94ca-8124-c4c1-c7ea-be1ea21b71fe"
OWN_OWNER = "0000aaaa-1111-2222-3333-444455556666"
TRUMP_YES = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
TRUMP_NO = "48331043336612883890938759509493159234755048973500640148014422747788308965732"
RECEIVED = 1_780_000_000_000


def test_normalise_when_order_placement_then_live_order_event(ref) -> None:
    [event] = normalise_user_frame(ref("ws:order_placement.json"), RECEIVED, NAUTILUS_OWNER)
    assert isinstance(event, OrderEvent)
    assert event.order_id == "0x0f76f4dc6eaf3332f4100f2e8a0b4a927351dd64646b7bb12f37df775c657a78"
    assert (event.event_type, event.status, event.side, event.price) == (
        "PLACEMENT",
        "LIVE",
        Side.BUY,
        Decimal("0.513"),
    )
    assert (event.original_size, event.size_matched, event.ts_ms) == (
        Decimal("5"),
        Decimal("0"),
        1_725_842_520_990,
    )
    assert (event.token_id, event.order_type) == (TRUMP_YES, OrderType.GTC)


def test_normalise_when_order_cancel_then_canceled_event(ref) -> None:
    [event] = normalise_user_frame(ref("ws:order_cancel.json"), RECEIVED, NAUTILUS_OWNER)
    assert (event.event_type, event.status, event.side) == ("CANCELLATION", "CANCELED", Side.SELL)
    assert (event.size_matched, event.ts_ms) == (Decimal("5"), 1_725_841_743_272)


def test_normalise_when_status_has_free_text_then_status_detail_kept(ref) -> None:
    [event] = normalise_user_frame(ref("own:ws_user_order_fok_killed.json"), RECEIVED, OWN_OWNER)
    assert (event.status, event.order_type, event.size_matched) == ("CANCELED", OrderType.FOK, Decimal("0"))
    assert event.status_detail == "order couldn't be fully filled. FOK orders are fully filled or killed."


def test_normalise_when_venue_cancel_ids_truncated_then_bad_id(ref) -> None:
    [record] = normalise_user_frame(ref("rs:ws_user_order_fok_killed.json"), RECEIVED, OWN_OWNER)
    assert isinstance(record, QuarantineRecord)
    assert (record.reason_code, record.detail) == (
        "GOV_DQ_BAD_ID",
        "market='0x0014' is not a 0x-prefixed 32-byte hex id",
    )


def test_normalise_when_we_are_maker_then_fill_from_our_maker_entry(ref) -> None:
    [fill] = normalise_user_frame(ref("ws:user_trade1.json"), RECEIVED, NAUTILUS_OWNER)
    assert isinstance(fill, Fill)
    assert fill.order_id == "0xab679e56242324e15e59cfd488cd0f12e4fd71b153b9bfb57518898b9983145e"
    assert (fill.liquidity, fill.side, fill.price, fill.size) == (
        "MAKER",
        Side.SELL,
        Decimal("0.518"),
        Decimal("5"),
    )
    assert (fill.token_id, fill.ts_ms, fill.trade_status) == (TRUMP_YES, 1_725_868_885_871, "MINED")
    assert fill.fill_id == f"83b5c849-620e-4c23-b63b-2e779c04a6e7:{fill.order_id}"
    assert fill.fee_usdc == 0


def test_normalise_when_our_maker_entry_is_other_token_then_same_side_as_taker(ref) -> None:
    [fill] = normalise_user_frame(
        ref("ws:user_trade1.json"), RECEIVED, "78132bc3-22af-6aa2-79ae-11929f821cae"
    )
    assert (fill.token_id, fill.side, fill.price, fill.size) == (
        TRUMP_NO,
        Side.BUY,
        Decimal("0.482"),
        Decimal("10"),
    )


def test_normalise_when_two_maker_entries_are_ours_then_two_fills_with_own_prices(ref) -> None:
    fills = normalise_user_frame(ref("own:ws_user_trade_maker.json"), RECEIVED, OWN_OWNER)
    assert [(f.order_id[:6], f.side, f.price, f.size) for f in fills] == [
        ("0xa1a1", Side.BUY, Decimal("0.63"), Decimal("12.5")),
        ("0xc3c3", Side.BUY, Decimal("0.62"), Decimal("7.5")),
    ]
    assert {(f.ts_ms, f.trade_status, f.liquidity) for f in fills} == {
        (1_780_000_300_500, "MATCHED", "MAKER")
    }


def test_normalise_when_maker_trade_names_none_of_ours_then_quarantined(ref) -> None:
    [record] = normalise_user_frame(ref("own:ws_user_trade_maker.json"), RECEIVED, "someone-else")
    assert record.reason_code == "GOV_DQ_NO_OWN_FILL"


def test_normalise_when_we_are_taker_then_fill_from_top_level(ref) -> None:
    [fill] = normalise_user_frame(ref("ws:user_trade2.json"), RECEIVED, NAUTILUS_OWNER)
    assert fill.order_id == "0x5b605a0e8e40f3402d3cb3bc19edad6733ed23fbc079d2a09ee399c3487ace81"
    assert (fill.liquidity, fill.side, fill.price, fill.size) == (
        "TAKER",
        Side.BUY,
        Decimal("0.52"),
        Decimal("5"),
    )
    assert (fill.fill_id, fill.ts_ms, fill.trade_status) == (
        "f50e8ab2-652d-4dc8-9c82-8e46197fe98d",
        1_725_958_682_125,
        "MATCHED",
    )


def test_normalise_when_trade_timestamp_in_seconds_then_ts_units(ref) -> None:
    for name in ("ws:user_trade3.json", "ws:user_trade4.json"):
        [record] = normalise_user_frame(ref(name), RECEIVED, "a93a3d32-74fa-dd2b-4b67-98bfa6fc5cb5")
        assert (record.reason_code, record.detail) == (
            "GOV_DQ_TS_UNITS",
            "timestamp='1762776436' looks like seconds, expected epoch ms",
        )


def test_normalise_when_matched_exceeds_size_then_overfill(ref) -> None:
    raw = ref("ws:order_placement.json").replace('"size_matched": "0"', '"size_matched": "6"')
    [record] = normalise_user_frame(raw, RECEIVED, NAUTILUS_OWNER)
    assert record.reason_code == "GOV_DQ_OVERFILL"


def test_normalise_when_market_event_on_user_channel_then_unknown_event(ref) -> None:
    [record] = normalise_user_frame(ref("ws:last_trade_price.json"), RECEIVED, NAUTILUS_OWNER)
    assert record.reason_code == "GOV_DQ_UNKNOWN_EVENT"
