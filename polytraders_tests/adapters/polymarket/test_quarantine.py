"""Malformed input is quarantined with a precise reason code, never raised."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from polytraders.adapters.polymarket import (
    normalise_book_response,
    normalise_market_frame,
    normalise_user_frame,
)
from polytraders.adapters.polymarket.quarantine import validation_code
from polytraders.contracts import BookLevel, QuarantineRecord, TradePrint

CID = "0x" + "ab" * 32
TOKEN = "12345678901234567890123456789012345678901234567890123456789012345678901234567"
TICKS = {TOKEN: Decimal("0.01")}
RECEIVED = 1_780_000_000_500


def _book(**changes) -> dict:
    book = {
        "event_type": "book",
        "market": CID,
        "asset_id": TOKEN,
        "timestamp": "1780000000000",
        "hash": "00ff",
        "bids": [{"price": "0.40", "size": "10"}, {"price": "0.45", "size": "20"}],
        "asks": [{"price": "0.55", "size": "30"}, {"price": "0.50", "size": "40"}],
    }
    return book | changes


def _one(raw: str) -> QuarantineRecord:
    [record] = normalise_market_frame(raw, RECEIVED, TICKS)
    assert isinstance(record, QuarantineRecord)
    assert record.raw == raw and record.receive_ts_ms == RECEIVED
    return record


def test_normalise_when_json_truncated_then_malformed_json() -> None:
    assert _one(json.dumps(_book())[:57]).reason_code == "GOV_DQ_MALFORMED_JSON"


@pytest.mark.parametrize(
    ("changes", "code", "detail"),
    [
        ({"asset_id": None}, "GOV_DQ_MISSING_FIELD", "asset_id is missing or null"),
        ({"bids": [{"price": "0.40"}]}, "GOV_DQ_MISSING_FIELD", "bids[0].size is missing or null"),
        (
            {"bids": [{"price": "0.40", "size": "-5"}]},
            "GOV_DQ_NEGATIVE_SIZE",
            "bids[0].size='-5' is negative",
        ),
        (
            {"asks": [{"price": "0.50", "size": "ten"}]},
            "GOV_DQ_BAD_NUMBER",
            "asks[0].size='ten' is not a decimal",
        ),
        (
            {"asks": [{"price": "0.505", "size": "1"}]},
            "GOV_DQ_OFF_TICK",
            "asks[0].price=0.505 is off the 0.01 tick grid",
        ),
        (
            {"bids": [{"price": "1.20", "size": "1"}]},
            "GOV_DQ_PRICE_RANGE",
            "bids[0].price='1.20' is outside (0, 1)",
        ),
        ({"bids": [{"price": "0.60", "size": "1"}]}, "GOV_DQ_CROSSED_BOOK", "best bid 0.60 >= best ask 0.50"),
        (
            {"timestamp": "1780000000"},
            "GOV_DQ_TS_UNITS",
            "timestamp='1780000000' looks like seconds, expected epoch ms",
        ),
        ({"asset_id": "0x1234"}, "GOV_DQ_BAD_ID", "asset_id='0x1234' is not a uint256 decimal string"),
        ({"market": "0xabc"}, "GOV_DQ_BAD_ID", "market='0xabc' is not a 0x-prefixed 32-byte hex id"),
        ({"event_type": "mystery"}, "GOV_DQ_UNKNOWN_EVENT", "event_type='mystery' is not a market event"),
        ({"asset_id": "99"}, "GOV_DQ_UNKNOWN_TOKEN", "asset_id=99 has no known tick size"),
        ({"bids": "none"}, "GOV_DQ_SCHEMA", "bids is a str, expected an array"),
    ],
)
def test_normalise_when_book_field_bad_then_quarantined_with_code(changes, code, detail) -> None:
    record = _one(json.dumps(_book(**changes)))
    assert (record.reason_code, record.detail) == (code, detail)


def test_normalise_when_price_numeric_json_float_then_exact_and_valid() -> None:
    raw = json.dumps(_book()).replace('"0.45"', "0.45")
    [book] = normalise_market_frame(raw, RECEIVED, TICKS)
    assert book.bids[0].price == Decimal("0.45")


@pytest.mark.parametrize("raw", ["", "null", "123", '"PING"', "[1, 2]", "{}", "[[]]", "\x00\xff"])
def test_normalise_when_garbage_then_never_raises(raw: str) -> None:
    for out in (
        normalise_market_frame(raw, RECEIVED, TICKS),
        normalise_user_frame(raw, RECEIVED, "me"),
        normalise_book_response(raw, RECEIVED, TICKS),
    ):
        assert out and all(isinstance(item, QuarantineRecord) for item in out)


def test_normalise_when_user_order_size_not_numeric_then_bad_number() -> None:
    order = {
        "event_type": "order",
        "type": "PLACEMENT",
        "id": "0x01",
        "market": CID,
        "asset_id": TOKEN,
        "side": "BUY",
        "price": "0.5",
        "original_size": "lots",
        "size_matched": "0",
        "status": "LIVE",
        "timestamp": "1780000000000",
    }
    [record] = normalise_user_frame(json.dumps(order), RECEIVED, "me")
    assert (record.reason_code, record.detail) == (
        "GOV_DQ_BAD_NUMBER",
        "original_size='lots' is not a decimal",
    )


def _validation_error(model, **fields) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        model(**fields)
    return info.value


def test_validation_code_when_pydantic_rejects_then_mapped_per_field() -> None:
    base = {
        "condition_id": CID,
        "token_id": TOKEN,
        "ts_ms": 1_780_000_000_000,
        "price": Decimal("0.5"),
        "size": Decimal("1"),
        "side": "BUY",
        "provenance_hash": "0" * 64,
    }
    assert validation_code(_validation_error(TradePrint, **(base | {"token_id": "x"})))[0] == "GOV_DQ_BAD_ID"
    assert (
        validation_code(_validation_error(TradePrint, **(base | {"ts_ms": 1_780_000_000})))[0]
        == "GOV_DQ_TS_UNITS"
    )
    assert (
        validation_code(_validation_error(TradePrint, **(base | {"price": Decimal(2)})))[0]
        == "GOV_DQ_PRICE_RANGE"
    )
    assert validation_code(_validation_error(BookLevel, price=Decimal("0.5"), size=Decimal(-1)))[0] == (
        "GOV_DQ_NEGATIVE_SIZE"
    )
    assert validation_code(_validation_error(TradePrint, **(base | {"side": "HOLD"})))[0] == "GOV_DQ_SCHEMA"
    missing = {key: value for key, value in base.items() if key != "price"}
    assert validation_code(_validation_error(TradePrint, **missing))[0] == "GOV_DQ_MISSING_FIELD"
