"""Our own BTC 5-minute market lines, in the shape of a public data sample (wrapper + live Gamma ``raw``).

``fixtures/reference/own/btc_5m_markets_sample.jsonl.gz`` is written by us (see the README there): one
gzip'd JSON line per market with wrapper fields (slug, condition_id, token_ids, start_sec / end_sec in
SECONDS, resolved, outcome_prices, strike_value scaled by 1e18 as a string) and ``raw``, the Gamma
market object. Every expected value below is written by hand from the values we put in the file.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from polytraders.adapters.polymarket import normalise_gamma_markets
from polytraders.adapters.polymarket import parsing as p
from polytraders.contracts import FeeParams, InstrumentRecord

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "reference" / "own" / "btc_5m_markets_sample.jsonl.gz"
AS_OF = 1_785_100_000_000
RAW_KEY = '"raw": '


def _lines() -> list[str]:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        return [line for line in handle.read().splitlines() if line.strip()]


def _raw_text(line: str) -> str:
    """The exact JSON text of the line's ``raw`` object (no re-serialisation, so bare numbers stay as written)."""
    start = line.index(RAW_KEY) + len(RAW_KEY)
    _, end = json.JSONDecoder().raw_decode(line, start)
    return line[start:end]


def _wrapper(line: str) -> dict[str, Any]:
    return p.load_json(line)


def test_read_when_sample_file_then_three_lines_and_deterministic_gzip_header() -> None:
    data = SAMPLE.read_bytes()
    assert data[:3] == b"\x1f\x8b\x08"
    assert data[4:8] == b"\x00\x00\x00\x00"  # gzip MTIME = 0
    assert len(_lines()) == 3


def test_slice_when_raw_text_taken_from_line_then_it_decodes_to_the_wrapper_raw_object() -> None:
    for line in _lines():
        assert p.load_json(_raw_text(line)) == _wrapper(line)["raw"]


EXPECTED = [
    InstrumentRecord(
        condition_id="0x" + "b1" * 32,
        question="Bitcoin Up or Down - July 25, 1:20PM-1:25PM ET",
        slug="btc-updown-5m-1785000000",
        tokens=(
            {"token_id": "51" + "0" * 73 + "11", "outcome": "Up"},
            {"token_id": "61" + "0" * 73 + "21", "outcome": "Down"},
        ),
        tick_size=Decimal("0.001"),
        min_order_size=Decimal("5"),
        neg_risk=False,
        start_ts_ms=1_784_913_611_125,
        end_ts_ms=1_785_000_300_000,
        uma_resolution_status="resolved",  # raw umaResolutionStatus
        active=True,
        closed=True,
        accepting_orders=False,
        rewards={"min_size": Decimal("50"), "max_spread_cents": Decimal("4.5")},
        fees=FeeParams(
            fees_enabled=True, taker_fee_rate=Decimal("0.07"), maker_fee_rate=Decimal("0"), exponent=1
        ),
        as_of_ms=AS_OF,
    ),
    InstrumentRecord(
        condition_id="0x" + "b2" * 32,
        question="Bitcoin Up or Down - July 25, 1:25PM-1:30PM ET",
        slug="btc-updown-5m-1785000300",
        tokens=(
            {"token_id": "52" + "0" * 73 + "12", "outcome": "Up"},
            {"token_id": "62" + "0" * 73 + "22", "outcome": "Down"},
        ),
        tick_size=Decimal("0.001"),
        min_order_size=Decimal("5"),
        neg_risk=False,
        start_ts_ms=1_784_913_911_125,
        end_ts_ms=1_785_000_600_000,
        uma_resolution_status="resolved",  # raw umaResolutionStatus
        active=True,
        closed=True,
        accepting_orders=False,
        rewards={"min_size": Decimal("50"), "max_spread_cents": Decimal("4.5")},
        fees=FeeParams(
            fees_enabled=True, taker_fee_rate=Decimal("0.07"), maker_fee_rate=Decimal("0"), exponent=1
        ),
        as_of_ms=AS_OF,
    ),
    InstrumentRecord(
        condition_id="0x" + "b3" * 32,
        question="Bitcoin Up or Down - July 25, 1:35PM-1:40PM ET",
        slug="btc-updown-5m-1785000900",
        tokens=(
            {"token_id": "53" + "0" * 73 + "13", "outcome": "Up"},
            {"token_id": "63" + "0" * 73 + "23", "outcome": "Down"},
        ),
        tick_size=Decimal("0.001"),
        min_order_size=Decimal("5"),
        neg_risk=False,
        start_ts_ms=1_784_914_511_125,
        end_ts_ms=1_785_001_200_000,
        active=True,
        closed=False,
        accepting_orders=True,
        rewards={"min_size": Decimal("50"), "max_spread_cents": Decimal("4.5")},
        fees=FeeParams(
            fees_enabled=True, taker_fee_rate=Decimal("0.072"), maker_fee_rate=Decimal("0"), exponent=1
        ),
        as_of_ms=AS_OF,
    ),
]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_normalise_when_sample_line_raw_market_then_record_equals_written_values(index: int) -> None:
    [record] = normalise_gamma_markets(_raw_text(_lines()[index]), AS_OF)
    assert record == EXPECTED[index]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_normalise_when_sample_line_then_wrapper_ids_match_record_in_up_down_order(index: int) -> None:
    line = _lines()[index]
    wrapper = _wrapper(line)
    [record] = normalise_gamma_markets(_raw_text(line), AS_OF)
    assert wrapper["condition_id"] == record.condition_id
    assert wrapper["slug"] == record.slug
    assert wrapper["token_ids"] == [token.token_id for token in record.tokens]
    assert [token.outcome for token in record.tokens] == ["Up", "Down"]


def test_normalise_when_fee_schedule_and_legacy_base_fees_then_schedule_wins() -> None:
    raw = _wrapper(_lines()[0])["raw"]
    assert (raw["makerBaseFee"], raw["takerBaseFee"], raw["feeType"]) == (1000, 1000, "crypto_fees_v2")
    [record] = normalise_gamma_markets(_raw_text(_lines()[0]), AS_OF)
    assert (record.fees.taker_fee_rate, record.fees.maker_fee_rate) == (Decimal("0.07"), Decimal("0"))


@pytest.mark.parametrize(
    ("index", "start_ms", "end_ms"),
    [
        (0, 1_785_000_000_000, 1_785_000_300_000),
        (1, 1_785_000_300_000, 1_785_000_600_000),
        (2, 1_785_000_900_000, 1_785_001_200_000),
    ],
)
def test_convert_when_wrapper_start_end_in_seconds_then_ms_match_raw_event_start_and_end_date(
    index: int, start_ms: int, end_ms: int
) -> None:
    wrapper = _wrapper(_lines()[index])
    assert wrapper["interval_sec"] == 300
    assert (wrapper["end_sec"] - wrapper["start_sec"]) * 1000 == 300_000
    assert p.ts_seconds_as_ms(wrapper["start_sec"], "start_sec") == start_ms
    assert p.ts_seconds_as_ms(wrapper["end_sec"], "end_sec") == end_ms
    assert p.iso_ms(wrapper["raw"]["eventStartTime"], "eventStartTime") == start_ms
    assert p.iso_ms(wrapper["raw"]["endDate"], "endDate") == end_ms


def test_convert_when_wrapper_seconds_read_as_ms_then_ts_units_error() -> None:
    with pytest.raises(p.ParseError) as caught:
        p.ts_ms(_wrapper(_lines()[0])["start_sec"], "start_sec")
    assert caught.value.code == "GOV_DQ_TS_UNITS"


@pytest.mark.parametrize(
    ("index", "strike"),
    [
        (0, Decimal("117342.5012345")),
        (1, Decimal("117360.08")),
        (2, Decimal("117301.999999999999999999")),
    ],
)
def test_parse_when_strike_value_scaled_1e18_string_then_exact_decimal(index: int, strike: Decimal) -> None:
    text = _wrapper(_lines()[index])["strike_value"]
    assert isinstance(text, str)
    sign, digits, exponent = p.decimal(text, "strike_value").as_tuple()
    assert Decimal((sign, digits, exponent - 18)) == strike  # exact shift, no context rounding


@pytest.mark.parametrize(
    ("index", "resolved", "outcome_prices", "uma_status"),
    [(0, True, ["1", "0"], "resolved"), (1, True, ["0", "1"], "resolved"), (2, False, None, None)],
)
def test_read_when_wrapper_resolution_then_agrees_with_raw_market(
    index: int, resolved: bool, outcome_prices: list[str] | None, uma_status: str | None
) -> None:
    wrapper = _wrapper(_lines()[index])
    assert (wrapper["resolved"], wrapper["outcome_prices"]) == (resolved, outcome_prices)
    assert wrapper["raw"].get("umaResolutionStatus") == uma_status
    assert wrapper["raw"]["closed"] is resolved
