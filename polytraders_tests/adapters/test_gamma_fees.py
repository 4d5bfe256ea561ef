"""Fees: Gamma ``feeSchedule`` (2026) versus legacy base fees, and the venue's taker-fee formula.

Formula (https://docs.polymarket.com/trading/fees): a taker fill of C shares at price p pays
``C x feeRate x p x (1 - p)`` USDC rounded to 5 decimals; makers pay nothing. Payloads below are
hand-written Gamma market objects; expected values are worked out by hand.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from polytraders.adapters.polymarket import normalise_gamma_markets, normalise_user_frame
from polytraders.adapters.polymarket.trades import fee_usdc
from polytraders.contracts import FeeParams, Fill, InstrumentRecord, QuarantineRecord

AS_OF = 1_785_100_000_000
OWNER = "0000aaaa-1111-2222-3333-444455556666"
CONDITION = "0x" + "c7" * 32
UP, DOWN = "71" + "0" * 73 + "17", "72" + "0" * 73 + "27"


def _market(extra: str) -> str:
    """A 2026-shaped Gamma market (bare JSON numbers, JSON-encoded string lists) plus ``extra`` fields."""
    return (
        '{"conditionId": "' + CONDITION + '", "question": "Q", "slug": "q", '
        '"outcomes": "[\\"Up\\", \\"Down\\"]", "clobTokenIds": "[\\"' + UP + '\\", \\"' + DOWN + '\\"]", '
        '"orderPriceMinTickSize": 0.001, "orderMinSize": 5, "active": true, "closed": false, '
        '"feesEnabled": true, "makerBaseFee": 1000, "takerBaseFee": 1000' + extra + "}"
    )


def _fees(extra: str) -> FeeParams | QuarantineRecord:
    [record] = normalise_gamma_markets(_market(extra), AS_OF)
    return record.fees if isinstance(record, InstrumentRecord) else record


def test_normalise_when_fee_schedule_present_then_it_wins_over_base_fees() -> None:
    fees = _fees(', "feeSchedule": {"rate": 0.07, "exponent": 1, "takerOnly": true, "rebateRate": 0.2}')
    assert fees == FeeParams(
        fees_enabled=True, taker_fee_rate=Decimal("0.07"), maker_fee_rate=Decimal("0"), exponent=1
    )


def test_normalise_when_fee_schedule_rate_is_a_bare_json_number_then_exact_decimal_not_float_repr() -> None:
    fees = _fees(', "feeSchedule": {"rate": 0.0175, "exponent": 1, "takerOnly": true}')
    assert str(fees.taker_fee_rate) == "0.0175"


def test_normalise_when_no_fee_schedule_then_legacy_base_fees_in_bps() -> None:
    assert _fees("") == FeeParams(
        fees_enabled=True, taker_fee_rate=Decimal("0.1"), maker_fee_rate=Decimal("0.1"), exponent=1
    )


def test_normalise_when_schedule_not_taker_only_then_maker_pays_the_rate() -> None:
    fees = _fees(', "feeSchedule": {"rate": 0.04, "exponent": 1, "takerOnly": false, "rebateRate": 0.25}')
    assert (fees.taker_fee_rate, fees.maker_fee_rate) == (Decimal("0.04"), Decimal("0.04"))


def test_normalise_when_schedule_omits_taker_only_and_exponent_then_taker_only_exponent_one() -> None:
    fees = _fees(', "feeSchedule": {"rate": 0.05}')
    assert (fees.maker_fee_rate, fees.exponent) == (Decimal("0"), 1)


def test_normalise_when_fees_disabled_with_schedule_then_flag_kept() -> None:
    raw = _market(', "feeSchedule": {"rate": 0.07, "exponent": 1, "takerOnly": true}')
    [record] = normalise_gamma_markets(raw.replace('"feesEnabled": true', '"feesEnabled": false'), AS_OF)
    assert (record.fees.fees_enabled, record.fees.taker_fee_rate) == (False, Decimal("0.07"))


def test_normalise_when_schedule_exponent_not_integer_then_bad_number() -> None:
    out = _fees(', "feeSchedule": {"rate": 0.05, "exponent": 0.5, "takerOnly": true}')
    assert (out.reason_code, out.detail) == (
        "GOV_DQ_BAD_NUMBER",
        "feeSchedule.exponent=Decimal('0.5') is not a non-negative integer",
    )


def test_normalise_when_schedule_has_no_rate_then_missing_field() -> None:
    out = _fees(', "feeSchedule": {"exponent": 1, "takerOnly": true}')
    assert (out.reason_code, out.detail) == ("GOV_DQ_MISSING_FIELD", "feeSchedule.rate is missing or null")


def test_normalise_when_schedule_is_not_an_object_then_schema() -> None:
    out = _fees(', "feeSchedule": "0.07"')
    assert out.reason_code == "GOV_DQ_SCHEMA"


@pytest.mark.parametrize(
    ("size", "price", "bps", "fee"),
    [
        # docs example: 100 shares at 0.50, crypto rate 0.07 -> 100 x 0.07 x 0.25 = 1.75
        (Decimal("100"), Decimal("0.50"), 700, Decimal("1.75000")),
        # 100 x 0.07 x 0.1 x 0.9 = 0.63 (symmetric with p = 0.9)
        (Decimal("100"), Decimal("0.10"), 700, Decimal("0.63000")),
        (Decimal("100"), Decimal("0.90"), 700, Decimal("0.63000")),
        # 7 x 0.07 x 0.33 x 0.67 = 0.108339 -> 0.10834 (5 decimals)
        (Decimal("7"), Decimal("0.33"), 700, Decimal("0.10834")),
        # 0.01 x 0.07 x 0.01 x 0.99 = 0.00000693 -> 0.00001 (smallest fee)
        (Decimal("0.01"), Decimal("0.01"), 700, Decimal("0.00001")),
        # 0.001 x 0.07 x 0.01 x 0.99 = 0.000000693 -> 0
        (Decimal("0.001"), Decimal("0.01"), 700, Decimal("0.00000")),
        (Decimal("100"), Decimal("0.50"), 0, Decimal("0.00000")),
    ],
)
def test_fee_usdc_when_taker_fill_then_documented_formula_rounded_to_5_decimals(
    size: Decimal, price: Decimal, bps: int, fee: Decimal
) -> None:
    assert fee_usdc(size, price, bps) == fee


def test_fee_usdc_when_price_near_edge_then_not_the_old_min_formula() -> None:
    # old from-memory form: 0.07 x min(0.2, 0.8) x 100 = 1.4; documented: 100 x 0.07 x 0.2 x 0.8 = 1.12
    assert fee_usdc(Decimal("100"), Decimal("0.2"), 700) == Decimal("1.12000")


def test_fee_usdc_when_exponent_two_then_applied_to_p_times_one_minus_p() -> None:
    # 100 x 0.25 x (0.5 x 0.5)^2 = 1.5625
    assert fee_usdc(Decimal("100"), Decimal("0.5"), 2500, exponent=2) == Decimal("1.56250")


def _trade(role: str, maker_owner: str) -> str:
    return json.dumps(
        {
            "event_type": "trade",
            "id": "t-fee-1",
            "market": CONDITION,
            "asset_id": UP,
            "side": "BUY",
            "size": "20",
            "price": "0.40",
            "fee_rate_bps": "700",
            "status": "MATCHED",
            "taker_order_id": "0x" + "01" * 32,
            "trader_side": role,
            "owner": OWNER,
            "timestamp": "1785000123456",
            "maker_orders": [
                {
                    "order_id": "0x" + "02" * 32,
                    "owner": maker_owner,
                    "asset_id": UP,
                    "matched_amount": "20",
                    "price": "0.40",
                    "fee_rate_bps": "700",
                    "side": "SELL",
                }
            ],
        }
    )


def test_normalise_when_we_take_a_fee_market_then_fill_fee_is_c_rate_p_one_minus_p() -> None:
    [fill] = normalise_user_frame(_trade("TAKER", "someone-else"), AS_OF, OWNER)
    assert isinstance(fill, Fill)
    # 20 x 0.07 x 0.40 x 0.60 = 0.336
    assert (fill.liquidity, fill.fee_usdc) == ("TAKER", Decimal("0.33600"))


def test_normalise_when_we_make_on_a_fee_market_then_fill_pays_no_fee() -> None:
    [fill] = normalise_user_frame(_trade("MAKER", OWNER), AS_OF, OWNER)
    assert (fill.liquidity, fill.side, fill.fee_usdc) == ("MAKER", "SELL", Decimal("0"))
