"""Gamma markets and events: JSON-encoded string lists, bare JSON numbers."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from polytraders.adapters.polymarket import normalise_gamma_markets
from polytraders.contracts import InstrumentRecord, QuarantineRecord

AS_OF = 1_780_000_000_000


def test_normalise_when_gamma_market_then_lists_decoded_from_strings(ref) -> None:
    [record] = normalise_gamma_markets(ref("rs:gamma_market.json"), AS_OF)
    assert isinstance(record, InstrumentRecord)
    assert record.condition_id == "0x78443f961b9a65869dcb39359de9960165c7e5cbad0904eac7f29cd77872a63b"
    assert [(t.token_id[:8], t.outcome) for t in record.tokens] == [("10423989", "Up"), ("71183960", "Down")]
    assert (record.tick_size, record.min_order_size, record.neg_risk) == (
        Decimal("0.01"),
        Decimal("5"),
        False,
    )
    assert (record.start_ts_ms, record.end_ts_ms) == (1_773_221_341_328, 1_773_307_500_000)
    assert (record.fees.fees_enabled, record.fees.taker_fee_rate, record.fees.maker_fee_rate) == (
        True,
        Decimal("0.1"),
        Decimal("0.1"),
    )
    assert (record.rewards.min_size, record.rewards.max_spread_cents) == (Decimal("50"), Decimal("4.5"))


def test_normalise_when_gamma_events_then_one_record_per_market_and_legacy_quarantined(ref) -> None:
    out = normalise_gamma_markets(ref("own:gamma_events.json"), AS_OF)
    assert [type(item) for item in out] == [InstrumentRecord] * 3 + [QuarantineRecord]
    rain_low, rain_high, btc, legacy = out
    assert (rain_low.neg_risk, rain_low.neg_risk_market_id) == (True, "0x" + "ab" * 32)
    assert (rain_low.accepting_orders, rain_low.rewards.max_spread_cents, rain_low.fees) == (
        True,
        Decimal("3.5"),
        None,
    )
    assert (rain_high.accepting_orders, rain_high.rewards) == (False, None)
    assert [t.token_id for t in btc.tokens] == ["35" + "0" * 73 + "35", "36" + "0" * 73 + "36"]
    assert (btc.tick_size, btc.category, btc.fees.taker_fee_rate) == (
        Decimal("0.001"),
        "Crypto",
        Decimal("0.1"),
    )
    assert (legacy.reason_code, legacy.detail) == (
        "GOV_DQ_MISSING_FIELD",
        "[1].markets[1].orderPriceMinTickSize is missing or null",
    )


def test_normalise_when_trimmed_market_with_array_lists_then_missing_outcomes(ref) -> None:
    [record] = normalise_gamma_markets(ref("http:market_slug.json"), AS_OF)
    assert (record.reason_code, record.detail) == ("GOV_DQ_MISSING_FIELD", "outcomes is missing or null")


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("rs:gamma_market_closed_binary_accepting_false.json", "resolved"),  # umaResolutionStatuses '["proposed"]'
        ("rs:gamma_market_sports_market_money_line.json", "resolved"),
        ("rs:gamma_market.json", None),  # open market: no umaResolutionStatus key, umaResolutionStatuses "[]"
    ],
)
def test_normalise_when_gamma_market_then_uma_resolution_status_as_sent(ref, name: str, status: str | None) -> None:
    [record] = normalise_gamma_markets(ref(name), AS_OF)
    assert isinstance(record, InstrumentRecord)
    assert record.uma_resolution_status == status


@pytest.mark.parametrize(("value", "status"), [("disputed", "disputed"), ("", None), (None, None)])
def test_normalise_when_uma_resolution_status_set_then_string_or_none(
    ref, value: str | None, status: str | None
) -> None:
    market = json.loads(ref("rs:gamma_market.json"))
    market["umaResolutionStatus"] = value
    [record] = normalise_gamma_markets(json.dumps(market), AS_OF)
    assert record.uma_resolution_status == status


def test_normalise_when_uma_resolution_status_not_a_string_then_market_quarantined(ref) -> None:
    market = json.loads(ref("rs:gamma_market.json"))
    market["umaResolutionStatus"] = 3
    [record] = normalise_gamma_markets(json.dumps(market), AS_OF)
    assert (record.reason_code, record.detail) == ("GOV_DQ_SCHEMA", "umaResolutionStatus is a int, expected a string")
