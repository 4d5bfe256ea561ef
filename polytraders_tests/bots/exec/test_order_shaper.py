"""exec.order_shaper: tick snapping, band, size rounding, exact micro-unit amounts, rejections."""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal as D

import pydantic
import pytest
from py_clob_client_v2.order_builder.builder import ROUNDING_CONFIG, OrderBuilder

from polytraders.bots.base import Rejection
from polytraders.bots.exec import order_shaper as shaper
from polytraders.contracts import ExecutionPlan, InstrumentRecord, InstrumentToken, OrderIntent
from polytraders.contracts.types import Side

TS = 1_700_000_000_000
A = "0x" + "a" * 64


def _intent(
    price: str = "0.54",
    size: str = "10",
    side: str = "BUY",
    kind: str = "PLACE",
    token: str = "1",
    order_type: str = "GTC",
) -> OrderIntent:
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=A, token_id=token,
        ts_ms=TS, side=side, price=D(price), size=D(size), order_type=order_type,
        post_only=order_type in ("GTC", "GTD"),
    )  # fmt: skip


def _instrument(
    tick: str = "0.01", min_size: str = "5", neg_risk: bool | None = False, cond: str = A
) -> InstrumentRecord:
    return InstrumentRecord(
        condition_id=cond, question="Q?", slug="m", category=None,
        tokens=(InstrumentToken(token_id="1", outcome="Yes"), InstrumentToken(token_id="2", outcome="No")),
        tick_size=D(tick), min_order_size=D(min_size), neg_risk=neg_risk, active=True, closed=False,
        accepting_orders=True, as_of_ms=TS,
    )  # fmt: skip


#: A bytes32 builder code (any: the shaper only carries it).
BUILDER = "0x" + "b" * 64
CONFIG = shaper.Config(builder_code=BUILDER)


def _plan(intent: OrderIntent, approved: str, instrument: InstrumentRecord | None = None, **cfg) -> ExecutionPlan:
    config = shaper.Config(**{"builder_code": BUILDER, **cfg})
    out = shaper.shape(intent, D(approved), instrument or _instrument(), config)
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
def test_shape_when_price_off_grid_then_snapped_passively(price: str, side: str, tick: str, expected: D) -> None:
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
    out = shaper.shape(_intent(price=price, side=side), D("10"), _instrument(), CONFIG)
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
    out = shaper.shape(_intent(), D(approved), _instrument(min_size="5"), CONFIG)
    assert out == Rejection("EXEC_BELOW_MIN_SIZE", {"size": shown, "min_order_size": "5"})
    assert D(out.details["size"]) == D(shown)


@pytest.mark.parametrize(
    ("order_type", "side", "price", "tick", "size", "expected"),
    [
        # limit, tick 0.01 (collateral <= 4 decimals): 0.57 · 10.13 = 5.7741 (4 decimals) fits
        ("GTC", "BUY", "0.57", "0.01", "10.13", (D("10.13"), 5_774_100, 10_130_000)),
        ("GTD", "SELL", "0.57", "0.01", "10.13", (D("10.13"), 10_130_000, 5_774_100)),
        # limit, tick 0.001 (<= 5 decimals): 1 share at 0.962 = 0.962 (3 decimals) fits
        ("GTC", "BUY", "0.962", "0.001", "1", (D("1.00"), 962_000, 1_000_000)),
        # 0.962 · 1.01 = 0.97162 (5 decimals) fits
        ("GTD", "SELL", "0.962", "0.001", "1.01", (D("1.01"), 1_010_000, 971_620)),
        # FAK BUY, tick 0.01 (collateral <= 2 decimals): 0.57 · 10.13 = 5.7741 does not fit;
        # one 0.01 step costs 0.0057 = 57/100 cents → steps a multiple of 100: 1013 → 1000,
        # 10.00 shares, 5.70 USDC
        ("FAK", "BUY", "0.57", "0.01", "10.13", (D("10.00"), 5_700_000, 10_000_000)),
        # FOK BUY at 0.50: one step costs 0.005 = 1/2 cent → even steps: 1013 → 1012, 10.12 · 0.5 = 5.06
        ("FOK", "BUY", "0.50", "0.01", "10.13", (D("10.12"), 5_060_000, 10_120_000)),
        # FAK SELL, tick 0.01 (collateral <= 4 decimals): 5.7741 fits, no resize
        ("FAK", "SELL", "0.57", "0.01", "10.13", (D("10.13"), 10_130_000, 5_774_100)),
        # FAK BUY 7 at 0.962: one step costs 0.00962 USDC = 481/500 cents → steps a multiple of 500:
        # 700 → 500, 5.00 shares, 0.962 · 5 = 4.81 USDC
        ("FAK", "BUY", "0.962", "0.001", "7", (D("5.00"), 4_810_000, 5_000_000)),
        # FAK SELL 1.01 at 0.962: 0.97162 has 5 decimals > 4; one step = 0.00962 = 481/5 units of
        # 10^-4 → steps a multiple of 5: 101 → 100, 1.00 shares, 0.962 USDC
        ("FAK", "SELL", "0.962", "0.001", "1.01", (D("1.00"), 1_000_000, 962_000)),
        # FOK SELL 3.33 at 0.333: 1.10889 → multiples of 5 steps (0.00333 = 333/10^5 → 333/10 units
        # of 10^-4, den 10): 333 → 330, 3.30 shares, 1.0989 USDC
        ("FOK", "SELL", "0.333", "0.001", "3.33", (D("3.30"), 3_300_000, 1_098_900)),
    ],
)
def test_shape_when_order_type_then_amount_precision_of_that_type(
    order_type: str, side: str, price: str, tick: str, size: str, expected: tuple
) -> None:
    plan = _plan(_intent(price, size, side, order_type=order_type), size, _instrument(tick, "1"))
    assert (plan.size, plan.maker_amount, plan.taker_amount) == expected
    assert (plan.price, plan.order_type.value) == (D(price), order_type)


@pytest.mark.parametrize("order_type", ["FAK", "FOK"])
def test_shape_when_no_fitting_size_at_or_above_min_then_amount_precision(order_type: str) -> None:
    # market BUY 1 share at 0.962: the largest n <= 1.00 on the 0.01 grid with 0.962·n having <= 2
    # decimals is 0 (n must be a multiple of 5.00) → refused
    out = shaper.shape(_intent("0.962", "1", order_type=order_type), D("1"), _instrument("0.001", "1"), CONFIG)
    assert out == Rejection(
        "EXEC_AMOUNT_PRECISION",
        {
            "price": "0.962", "size": "1.00", "resized": "0.00", "collateral_decimals": "2", "tick_size": "0.001",
            "order_type": order_type, "side": "BUY", "min_order_size": "1",
        },
    )  # fmt: skip
    # 7 shares resize to 5.00 (see above): refused when the minimum is 5.01
    out = shaper.shape(
        _intent("0.962", "7", order_type=order_type), D("7"), _instrument("0.001", "5.01"), CONFIG
    )
    assert isinstance(out, Rejection) and (out.code, out.details["resized"]) == ("EXEC_AMOUNT_PRECISION", "5.00")


def test_shape_when_below_min_before_resize_then_below_min_size_not_precision() -> None:
    # 4.99 < 5 already before the precision rule: the size is the reason
    out = shaper.shape(
        _intent("0.962", "4.99", order_type="FAK"), D("4.99"), _instrument("0.001", "5"), CONFIG
    )
    assert out == Rejection("EXEC_BELOW_MIN_SIZE", {"size": "4.99", "min_order_size": "5"})


def test_shape_when_limit_on_tick_outside_table_then_refused_but_marketable_shaped() -> None:
    # tick 0.05 is not in ROUNDING_CONFIG: a limit order's collateral precision is unknown → fail closed
    out = shaper.shape(_intent("0.55", "10"), D("10"), _instrument("0.05"), CONFIG)
    assert isinstance(out, Rejection) and out.code == "EXEC_AMOUNT_PRECISION"
    assert (out.details["collateral_decimals"], out.details["resized"]) == ("None", "0.00")
    # a FAK BUY's cap (2 decimals) does not depend on the tick: 0.55 · 10 = 5.50 fits
    plan = _plan(_intent("0.55", "10", order_type="FAK"), "10", _instrument("0.05"))
    assert (plan.maker_amount, plan.taker_amount) == (5_500_000, 10_000_000)


@pytest.mark.parametrize("order_type", ["FAK", "FOK"])
@pytest.mark.parametrize("side", ["BUY", "SELL"])
@pytest.mark.parametrize("tick", ["0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001"])
def test_shape_when_marketable_swept_then_largest_size_within_caps(order_type: str, side: str, tick: str) -> None:
    # Caps: maker 2 decimals, taker 4 on both sides (BUY maker = collateral, SELL maker = shares).
    # No SDK equality here: get_market_order_amounts rounds to ROUNDING_CONFIG[tick].amount and on
    # a 0.001 tick breaks the cap (issue #99): get_market_order_amounts(BUY, 9.98, 0.985,
    # ROUNDING_CONFIG["0.001"]) gives taker 10131970 = 10.13197 shares, 5 decimals.
    collateral_unit = D("0.01") if side == "BUY" else D("0.0001")
    for price in (D(p) for p in ("0.1", "0.37", "0.5025", "0.515", "0.962", "0.9001") if D(p) % D(tick) == 0):
        for size in (D(s) for s in ("1", "1.01", "7", "10.13", "33.33", "99.99")):
            out = shaper.shape(_intent(str(price), str(size), side, order_type=order_type), size,
                               _instrument(tick, "0.01"), CONFIG)  # fmt: skip
            resized = out.size if isinstance(out, ExecutionPlan) else D(0)
            assert isinstance(out, ExecutionPlan) or out.code == "EXEC_AMOUNT_PRECISION"
            # brute force, independent of the modular rule: every size on the 0.01 grid above the
            # result, up to the request, breaks the collateral cap; the result itself fits
            above = range(int(resized * 100) + 1, int(size * 100) + 1)
            assert all(price * n / 100 % collateral_unit != 0 for n in above)
            if isinstance(out, ExecutionPlan):
                assert price * resized % collateral_unit == 0 and resized <= size
                assert out.maker_amount % 10**4 == 0 and out.taker_amount % 10**2 == 0  # 2 and 4 decimals
                collateral, shares = out.price * out.size * 10**6, out.size * 10**6
                amounts = (collateral, shares) if side == "BUY" else (shares, collateral)
                assert (D(out.maker_amount), D(out.taker_amount)) == amounts


def _sdk_prices(tick: D) -> list[D]:
    """Every price of the tick's grid in (0, 1) for the coarse ticks, ~200 spread over it for the fine ones."""
    n = int(1 / tick)
    return [tick * k for k in sorted({*range(1, n, max(1, n // 200)), n - 1})]


# sizes whose float the SDK floors right (math.floor(float(s) * 100) == s·100); e.g. 2.03 is left
# out: 2.03 * 100 = 202.99999999999997, so the SDK signs 2.02 shares (see the test below)
_SDK_SIZES = ("0.07", "1", "1.01", "5", "5.01", "7", "8.19", "10.13", "12.34", "17.29", "33.33", "99.99", "1234.57")


@pytest.mark.parametrize("side", ["BUY", "SELL"])
@pytest.mark.parametrize("tick", sorted(ROUNDING_CONFIG))
def test_shape_when_limit_then_amounts_equal_venue_sdk(tick: str, side: str) -> None:
    builder = object.__new__(OrderBuilder)  # get_order_amounts needs no signer
    assert all(math.floor(float(s) * 100) == D(s) * 100 for s in _SDK_SIZES)
    for price in _sdk_prices(D(tick)):
        for size in _SDK_SIZES:
            out = _plan(_intent(str(price), size, side), size, _instrument(tick, "0.01"))
            _, maker, taker = builder.get_order_amounts(side, float(size), float(price), ROUNDING_CONFIG[tick])
            assert (out.maker_amount, out.taker_amount) == (maker, taker), (price, size)


def test_shape_when_size_float_floors_wrong_in_sdk_then_exact_here() -> None:
    # the SDK: round_down(2.03, 2) = floor(202.99999999999997) / 100 = 2.02 → 0.5 · 2.02 = 1.01;
    # exact: 2.03 shares, 0.5 · 2.03 = 1.015 USDC (3 decimals <= 4 on tick 0.01)
    sdk = object.__new__(OrderBuilder).get_order_amounts("BUY", 2.03, 0.5, ROUNDING_CONFIG["0.01"])
    assert sdk[1:] == (1_010_000, 2_020_000)
    plan = _plan(_intent("0.50", "2.03"), "2.03", _instrument("0.01", "1"))
    assert (plan.maker_amount, plan.taker_amount) == (1_015_000, 2_030_000)


def test_limit_amount_decimals_when_compared_then_venue_sdk_table() -> None:
    assert shaper.LIMIT_AMOUNT_DECIMALS == {D(tick): config.amount for tick, config in ROUNDING_CONFIG.items()}


def test_shape_when_grid_swept_then_amounts_exact_integers() -> None:
    for tick in ("0.1", "0.01", "0.001", "0.0001", "0.0025"):
        for price in ("0.1", "0.37", "0.4999", "0.5013", "0.9"):
            for side in ("BUY", "SELL"):
                out = shaper.shape(_intent(price, "99.999", side), D("99.999"), _instrument(tick, "1"), CONFIG)
                assert isinstance(out, ExecutionPlan)
                collateral, shares = out.price * out.size * 10**6, out.size * 10**6
                amounts = (collateral, shares) if side == "BUY" else (shares, collateral)
                assert (D(out.maker_amount), D(out.taker_amount)) == amounts
                assert out.size == D("99.99") and out.price % D(tick) == 0


def test_shape_when_cancel_then_not_shapeable() -> None:
    out = shaper.shape(_intent(kind="CANCEL"), D("10"), _instrument(), CONFIG)
    assert out == Rejection("EXEC_NOT_SHAPEABLE", {"intent_id": "i-1", "kind": "CANCEL"})


@pytest.mark.parametrize(
    ("intent", "instrument"),
    [(_intent(token="9"), _instrument()), (_intent(), _instrument(cond="0x" + "b" * 64))],
)
def test_shape_when_instrument_does_not_match_then_unknown_instrument(intent, instrument) -> None:
    out = shaper.shape(intent, D("10"), instrument, CONFIG)
    assert isinstance(out, Rejection) and out.code == "EXEC_UNKNOWN_INSTRUMENT"


def test_shape_when_plan_built_then_ids_flags_and_builder_carried() -> None:
    plan = _plan(_intent(), "10", _instrument(neg_risk=True), builder_code="bld-1")
    assert plan.plan_id == hashlib.sha256(b"exec.order_shaper|i-1").hexdigest()[:24]
    assert (plan.intent_id, plan.condition_id, plan.token_id, plan.ts_ms) == ("i-1", A, "1", TS)
    assert (plan.side, plan.neg_risk, plan.post_only, plan.order_type.value) == (Side.BUY, True, True, "GTC")
    assert plan.builder_code == "bld-1"


def test_shape_when_no_builder_code_then_every_intent_refused() -> None:
    # default config: no builder code, so no plan at all (an order without attribution is never sent)
    assert shaper.Config().builder_code is None
    out = shaper.shape(_intent(), D("10"), _instrument(), shaper.Config())
    assert out == Rejection("EXEC_NO_BUILDER_CODE", {"intent_id": "i-1"})


def test_shape_when_same_input_twice_then_same_plan() -> None:
    assert _plan(_intent(price="0.547"), "9.999") == _plan(_intent(price="0.547"), "9.999")


def test_shape_when_neg_risk_unknown_then_refused() -> None:
    out = shaper.shape(_intent(), D("10"), _instrument(neg_risk=None), CONFIG)
    # the exchange an order is signed for follows the flag: unknown, no route
    assert out == Rejection("EXEC_NO_ROUTE", {"condition_id": A, "neg_risk": "unknown"})


def test_shape_when_gtd_then_expiration_left_zero_and_type_carried() -> None:
    plan = _plan(_intent(order_type="GTD"), "10")
    assert (plan.order_type.value, plan.post_only, plan.expiration_s) == ("GTD", True, 0)
    plan = _plan(_intent(order_type="FOK"), "10")  # 0.54 · 10 = 5.40: 2 decimals fit
    assert (plan.order_type.value, plan.post_only, plan.maker_amount) == ("FOK", False, 5_400_000)


def test_shape_when_size_decimals_zero_then_whole_shares() -> None:
    # 7.9 → 7 shares; 0.54 · 7 = 3.78 USDC
    plan = _plan(_intent(size="9"), "7.9", _instrument(min_size="5"), size_decimals=0)
    assert (plan.size, plan.maker_amount, plan.taker_amount) == (D("7"), 3_780_000, 7_000_000)


@pytest.mark.parametrize("decimals", [-1, 3])
def test_config_when_size_decimals_outside_zero_to_two_then_validation_error(decimals: int) -> None:
    # above 2 the shares would break the venue's 2-decimal cap of limit orders and market sells
    with pytest.raises(pydantic.ValidationError, match="size_decimals"):
        shaper.Config(size_decimals=decimals)
    assert shaper.Config().size_decimals == 2
