"""The str -> number boundary: exact decimals, uint256 ids, timestamp units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from polytraders.adapters.polymarket import parsing as p


def _code(call, *args) -> str:
    with pytest.raises(p.ParseError) as info:
        call(*args)
    return info.value.code


def test_load_json_when_float_then_exact_decimal_from_text() -> None:
    assert p.load_json('{"tick": 0.1, "n": 5}') == {"tick": Decimal("0.1"), "n": 5}


def test_load_json_when_truncated_then_malformed_json() -> None:
    assert _code(p.load_json, '{"market": "0x') == "GOV_DQ_MALFORMED_JSON"


def test_decimal_when_words_or_float_or_nan_then_bad_number() -> None:
    for value in ("abc", "", 0.5, "NaN", "inf", True):
        assert _code(p.decimal, value, "x") == "GOV_DQ_BAD_NUMBER"


def test_size_when_negative_then_negative_size() -> None:
    assert _code(p.size, "-1.5", "size") == "GOV_DQ_NEGATIVE_SIZE"


def test_price_when_outside_open_interval_then_price_range() -> None:
    for value in ("0", "1", "1.2", "-0.1"):
        assert _code(p.price, value, "price") == "GOV_DQ_PRICE_RANGE"


def test_on_grid_when_exact_multiple_then_valid_else_off_tick() -> None:
    assert p.on_grid(Decimal("0.965"), Decimal("0.001"), "price") == Decimal("0.965")
    assert _code(p.on_grid, Decimal("0.965"), Decimal("0.01"), "price") == "GOV_DQ_OFF_TICK"


def test_token_id_when_78_digit_uint256_then_kept_as_string() -> None:
    biggest = str(2**256 - 1)
    assert len(biggest) == 78
    assert p.token_id(biggest) == biggest
    for bad in (str(2**256), "", "0x12", 12345, "1e77"):
        assert _code(p.token_id, bad) == "GOV_DQ_BAD_ID"


def test_condition_id_when_short_then_bad_id() -> None:
    assert _code(p.condition_id, "0x0014") == "GOV_DQ_BAD_ID"


def test_ts_ms_when_seconds_then_ts_units() -> None:
    assert p.ts_ms("1725842520990") == 1_725_842_520_990
    assert _code(p.ts_ms, "1762776436") == "GOV_DQ_TS_UNITS"
    assert _code(p.ts_ms, "2024-01-01T00:00:00Z") == "GOV_DQ_TS_UNITS"


def test_ts_seconds_as_ms_when_ms_then_ts_units() -> None:
    assert p.ts_seconds_as_ms("1726043102", "match_time") == 1_726_043_102_000
    assert _code(p.ts_seconds_as_ms, "1726043102000", "match_time") == "GOV_DQ_TS_UNITS"


def test_iso_ms_when_date_or_datetime_then_epoch_ms() -> None:
    assert p.iso_ms("2024-11-05T00:00:00Z", "end") == 1_730_764_800_000
    assert p.iso_ms("2024-11-05", "end") == 1_730_764_800_000
    assert _code(p.iso_ms, "soon", "end") == "GOV_DQ_TS_UNITS"


def test_json_list_when_json_encoded_string_or_array_then_list() -> None:
    assert p.json_list('["Yes", "No"]', "outcomes") == ["Yes", "No"]
    assert p.json_list(["Yes", "No"], "outcomes") == ["Yes", "No"]
    assert _code(p.json_list, '["Yes", ', "outcomes") == "GOV_DQ_MALFORMED_JSON"


def test_provenance_hash_when_text_then_sha256_of_utf8() -> None:
    assert p.provenance_hash("PONG") == "95784973cc639977bff93619700168505cb8f7855e44fa643d34622a43706c87"
