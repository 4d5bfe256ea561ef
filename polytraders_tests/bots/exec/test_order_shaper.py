"""exec.order_shaper: tick snapping, band, size rounding, exact micro-unit amounts, rejections."""

from __future__ import annotations

import hashlib
from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.base import Rejection
from polytraders.bots.exec import order_shaper as shaper
from polytraders.contracts import ExecutionPlan, InstrumentRecord, InstrumentToken, OrderIntent
from polytraders.contracts.types import Side

TS = 1_700_000_000_000
A = "0x" + "a" * 64


def _intent(price: str = "0.54", size: str = "10", side: str = "BUY", kind: str = "PLACE", token: str = "1"):
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=A, token_id=token,
        ts_ms=TS, side=side, price=D(price), size=D(size),
    )  # fmt: skip


def _instrument(
    tick: str = "0.01", min_size: str = "5", neg_risk: bool = False, cond: str = A
) -> InstrumentRecord:
    return InstrumentRecord(
        condition_id=cond, question="Q?", slug="m", category=None,
        tokens=(InstrumentToken(token_id="1", outcome="Yes"), InstrumentToken(token_id="2", outcome="No")),
        tick_size=D(tick), min_order_size=D(min_size), neg_risk=neg_risk, active=True, closed=False,
        accepting_orders=True, as_of_ms=TS,
    )  # fmt: skip


def _plan(
    intent: OrderIntent, approved: str, instrument: InstrumentRecord | None = None, **cfg
) -> ExecutionPlan:
    out = shaper.shape(intent, D(approved), instrument or _instrument(), shaper.Config(**cfg))
    assert isinstance(out, ExecutionPlan), out
    return out


@pytest.mark.parametrize(
    ("price", "side", "tick", "expected"),
    [
        ("0.547", "BUY", "0.01", D("0.54")),  # floor
        ("0.547", "SELL", "0.01", D("0.55")),  # ceil
        ("0.54", "BUY", "0.01", D("0.54")),  # on the grid: unchanged
        ("0.54", "SELL", "0.01", D("0.54")),
        ("0.5013", "BUY", "0.0025", D("0.5")),  # 0.5013 // 0.0025 = 200 → 0.5000
        ("0.5013", "SELL", "0.0025", D("0.5025")),  # 201·0.0025
        ("0.12345", "BUY", "0.001", D("0.123")),
        ("0.12345", "SELL", "0.0001", D("0.1235")),
        ("0.01", "BUY", "0.01", D("0.01")),  # at tick
        ("0.99", "SELL", "0.01", D("0.99")),  # at 1 − tick
        ("0.999", "BUY", "0.01", D("0.99")),  # floors into the band
        ("0.001", "SELL", "0.01", D("0.01")),  # ceils into the band
    ],
)
def test_shape_when_price_off_grid_then_snapped_passively(
    price: str, side: str, tick: str, expected: D
) -> None:
    plan = _plan(_intent(price=price, side=side), "10", _instrument(tick=tick))
    assert plan.price == expected
    assert plan.tick_size == D(tick)


@pytest.mark.parametrize(
    ("price", "side", "snapped"),
    [
        ("0.005", "BUY", "0.00"),
        ("0.0099", "BUY", "0.00"),
        ("0.991", "SELL", "1.00"),
        ("0.995", "SELL", "1.00"),
    ],
)
def test_shape_when_snapped_price_leaves_band_then_out_of_band(price: str, side: str, snapped: str) -> None:
    out = shaper.shape(_intent(price=price, side=side), D("10"), _instrument(), shaper.Config())
    assert out == Rejection("EXEC_PRICE_OUT_OF_BAND", {"price": snapped, "tick_size": "0.01", "side": side})


def test_shape_when_buy_then_maker_gives_collateral_taker_gets_shares() -> None:
    # 0.54 · 10.12 = 5.4648 USDC → 5_464_800 micro; 10.12 shares → 10_120_000 micro
    plan = _plan(_intent(size="20"), "10.129")  # approved rounded DOWN to 10.12
    assert (plan.size, plan.maker_amount, plan.taker_amount) == (D("10.12"), 5_464_800, 10_120_000)


def test_shape_when_sell_then_maker_gives_shares_taker_gets_collateral() -> None:
    # SELL 0.547 ceils to 0.55; 0.55 · 10 = 5.5 USDC → 5_500_000; 10 shares → 10_000_000
    plan = _plan(_intent(price="0.547", side="SELL"), "10")
    assert (plan.price, plan.maker_amount, plan.taker_amount) == (D("0.55"), 10_000_000, 5_500_000)


@pytest.mark.parametrize(
    ("approved", "intent_size", "expected"),
    [
        ("10", "10", D("10")),
        ("7.5", "10", D("7.5")),  # REDUCE from the risk gate
        ("12", "10", D("10")),  # never above the intent's own size
        ("5", "10", D("5")),  # exactly the minimum
        ("5.009", "10", D("5")),  # rounded down to 5.00
    ],
)
def test_shape_when_approved_size_then_rounded_down(approved: str, intent_size: str, expected: D) -> None:
    assert _plan(_intent(size=intent_size), approved).size == expected


@pytest.mark.parametrize(("approved", "shown"), [("4.999", "4.99"), ("0", "0.00"), ("0.004", "0.00")])
def test_shape_when_below_min_size_then_rejected(approved: str, shown: str) -> None:
    out = shaper.shape(_intent(), D(approved), _instrument(min_size="5"), shaper.Config())
    assert out == Rejection("EXEC_BELOW_MIN_SIZE", {"size": shown, "min_order_size": "5"})
    assert D(out.details["size"]) == D(shown)


def test_shape_when_amount_not_integral_then_size_rounded_down_to_integral() -> None:
    # size_decimals 4, tick 0.001, price 0.123: one size step (0.0001) costs 0.123·0.0001·10^6 = 12.3
    # micro = 123/10 → steps rounded down to a multiple of 10: 7.1239 → 7.123;
    # maker = 0.123 · 7.123 · 10^6 = 876_129, taker = 7_123_000
    plan = _plan(
        _intent(price="0.123", size="8"), "7.1239", _instrument(tick="0.001", min_size="1"), size_decimals=4
    )
    assert (plan.size, plan.maker_amount, plan.taker_amount) == (D("7.123"), 876_129, 7_123_000)
    # size_decimals 6, tick 0.0001, price 0.1234: per step 0.1234 = 617/5000 micro → multiples of 5000 steps
    # 10.123456 → 10.12; maker = 0.1234 · 10.12 · 10^6 = 1_248_808
    plan = _plan(_intent(price="0.1234", size="11"), "10.123456", _instrument(tick="0.0001"), size_decimals=6)
    assert (plan.size, plan.maker_amount, plan.taker_amount) == (D("10.12"), 1_248_808, 10_120_000)


def test_shape_when_grid_swept_then_amounts_exact_integers() -> None:
    for tick in ("0.1", "0.01", "0.001", "0.0001", "0.0025"):
        for price in ("0.1", "0.37", "0.4999", "0.5013", "0.9"):
            for side in ("BUY", "SELL"):
                out = shaper.shape(
                    _intent(price, "99.999", side), D("99.999"), _instrument(tick, "1"), shaper.Config()
                )
                assert isinstance(out, ExecutionPlan)
                collateral, shares = out.price * out.size * 10**6, out.size * 10**6
                amounts = (collateral, shares) if side == "BUY" else (shares, collateral)
                assert (D(out.maker_amount), D(out.taker_amount)) == amounts
                assert out.size == D("99.99") and out.price % D(tick) == 0


def test_shape_when_cancel_then_not_shapeable() -> None:
    out = shaper.shape(_intent(kind="CANCEL"), D("10"), _instrument(), shaper.Config())
    assert out == Rejection("EXEC_NOT_SHAPEABLE", {"intent_id": "i-1", "kind": "CANCEL"})


@pytest.mark.parametrize(
    ("intent", "instrument"),
    [(_intent(token="9"), _instrument()), (_intent(), _instrument(cond="0x" + "b" * 64))],
)
def test_shape_when_instrument_does_not_match_then_unknown_instrument(intent, instrument) -> None:
    out = shaper.shape(intent, D("10"), instrument, shaper.Config())
    assert isinstance(out, Rejection) and out.code == "EXEC_UNKNOWN_INSTRUMENT"


def test_shape_when_plan_built_then_ids_flags_and_builder_carried() -> None:
    plan = _plan(_intent(), "10", _instrument(neg_risk=True), builder_code="bld-1")
    assert plan.plan_id == hashlib.sha256(b"exec.order_shaper|i-1").hexdigest()[:24]
    assert (plan.intent_id, plan.condition_id, plan.token_id, plan.ts_ms) == ("i-1", A, "1", TS)
    assert (plan.side, plan.neg_risk, plan.post_only, plan.order_type.value) == (Side.BUY, True, True, "GTC")
    assert plan.builder_code == "bld-1"
    assert _plan(_intent(), "10").builder_code is None  # default


def test_shape_when_same_input_twice_then_same_plan() -> None:
    assert _plan(_intent(price="0.547"), "9.999") == _plan(_intent(price="0.547"), "9.999")


def test_config_when_size_decimals_above_six_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="size_decimals"):
        shaper.Config(size_decimals=7)
