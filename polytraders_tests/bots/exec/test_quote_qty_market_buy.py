"""exec.quote_qty_market_buy: notional floor to cents, worst price floor to the tick, shares floor to
4 decimals, minimum notional, refusals, agreement with the venue SDK on a 0.01 tick."""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal as D
from fractions import Fraction

import pydantic
import pytest
from py_clob_client_v2.order_builder.builder import ROUNDING_CONFIG, OrderBuilder

from polytraders.bots.base import Rejection
from polytraders.bots.exec import quote_qty_market_buy as qq
from polytraders.contracts import ExecutionPlan, InstrumentRecord, InstrumentToken, OrderIntent
from polytraders.contracts.types import OrderType

TS = 1_700_000_000_000
A = "0x" + "a" * 64


def _intent(price: str = "0.55", side: str = "BUY", kind: str = "PLACE", size: str = "10") -> OrderIntent:
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=A, token_id="1", ts_ms=TS,
        side=side, price=D(price), size=D(size),
    )  # fmt: skip


def _instrument(tick: str = "0.01", neg_risk: bool | None = False, cond: str = A) -> InstrumentRecord:
    return InstrumentRecord(
        condition_id=cond, question="Q?", slug="m",
        tokens=(InstrumentToken(token_id="1", outcome="Yes"), InstrumentToken(token_id="2", outcome="No")),
        tick_size=D(tick), min_order_size=D("5"), neg_risk=neg_risk, active=True, closed=False,
        accepting_orders=True, as_of_ms=TS,
    )  # fmt: skip


#: A bytes32 builder code (any: the bot only carries it).
BUILDER = "0x" + "b" * 64


def _shape(notional: str, intent: OrderIntent | None = None, tick: str = "0.01", **cfg) -> ExecutionPlan | Rejection:
    config = qq.Config(**{"builder_code": BUILDER, **cfg})
    return qq.shape_market_buy(intent or _intent(), D(notional), _instrument(tick), config)


@pytest.mark.parametrize(
    ("notional", "price", "tick", "expected"),
    [
        # 10 / 0.55 = 18.1818…  → 18.1818 shares; maker 10.00 USDC
        ("10", "0.55", "0.01", (D("0.55"), D("18.1818"), 10_000_000, 18_181_800)),
        # worst price 0.5567 floors to 0.55; 5.5 / 0.55 = 10 exactly
        ("5.5", "0.5567", "0.01", (D("0.55"), D("10"), 5_500_000, 10_000_000)),
        # notional 9.987 floors to 9.98; 9.98 / 0.985 = 10.131979… → 10.1319 (4 decimals even on a 0.001
        # tick; the SDK signs 10131970 = 10.13197 here, 5 decimals, issue #99)
        ("9.987", "0.985", "0.001", (D("0.985"), D("10.1319"), 9_980_000, 10_131_900)),
        # 1.009 → 1.00 (exactly the minimum); 1 / 0.5 = 2
        ("1.009", "0.5", "0.1", (D("0.5"), D("2"), 1_000_000, 2_000_000)),
        # 2 / 0.3333 = 6.000600060… → 6.0006; tick 0.0001 (worst price 0.33335 floors to 0.3333)
        ("2", "0.33335", "0.0001", (D("0.3333"), D("6.0006"), 2_000_000, 6_000_600)),
        # 100 / 0.99 = 101.010101… → 101.0101
        ("100", "0.99", "0.01", (D("0.99"), D("101.0101"), 100_000_000, 101_010_100)),
    ],
)
def test_shape_market_buy_when_notional_then_amounts_floored_to_caps(
    notional: str, price: str, tick: str, expected: tuple
) -> None:
    plan = _shape(notional, _intent(price), tick)
    assert isinstance(plan, ExecutionPlan), plan
    assert (plan.price, plan.size, plan.maker_amount, plan.taker_amount) == expected
    assert (plan.order_type, plan.post_only, plan.expiration_s, plan.tick_size) == (OrderType.FAK, False, 0, D(tick))


@pytest.mark.parametrize(
    ("notional", "shown", "cfg"),
    [
        ("0.999", "0.99", {}),  # floors to 0.99 < 1
        ("0", "0.00", {}),
        ("-3", "0.00", {}),  # a negative notional spends nothing
        ("2.499", "2.49", {"min_notional_usdc": D("2.5")}),
    ],
)
def test_shape_market_buy_when_below_min_notional_then_refused(notional: str, shown: str, cfg: dict) -> None:
    minimum = str(cfg.get("min_notional_usdc", 1))
    assert _shape(notional, **cfg) == Rejection(
        "EXEC_BELOW_MIN_NOTIONAL", {"notional_usdc": shown, "min_notional_usdc": minimum}
    )


def test_shape_market_buy_when_intent_size_differs_then_same_plan() -> None:
    # the notional sizes the order: the intent's share size is not read
    assert _shape("10", _intent(size="5")) == _shape("10", _intent(size="500"))


@pytest.mark.parametrize(
    ("intent", "instrument", "expected"),
    [
        (_intent(side="SELL"), _instrument(), Rejection("EXEC_NOT_SHAPEABLE", {"intent_id": "i-1", "side": "SELL"})),
        (_intent(kind="CANCEL"), _instrument(),
         Rejection("EXEC_NOT_SHAPEABLE", {"intent_id": "i-1", "kind": "CANCEL"})),
        (_intent(), _instrument(cond="0x" + "b" * 64),
         Rejection("EXEC_UNKNOWN_INSTRUMENT", {"condition_id": A, "token_id": "1"})),
        (_intent(), _instrument(neg_risk=None), Rejection("EXEC_NO_ROUTE", {"condition_id": A, "neg_risk": "unknown"})),
        # 0.005 floors to 0.00 on a 0.01 tick: outside [0.01, 0.99]
        (_intent(price="0.005"), _instrument(),
         Rejection("EXEC_PRICE_OUT_OF_BAND", {"price": "0.00", "tick_size": "0.01", "side": "BUY"})),
    ],
)  # fmt: skip
def test_shape_market_buy_when_not_a_shapeable_buy_then_refused(
    intent: OrderIntent, instrument: InstrumentRecord, expected: Rejection
) -> None:
    assert qq.shape_market_buy(intent, D("10"), instrument, qq.Config(builder_code=BUILDER)) == expected


def test_shape_market_buy_when_no_builder_code_then_refused_before_anything() -> None:
    assert qq.Config().builder_code is None
    out = qq.shape_market_buy(_intent(), D("10"), _instrument(), qq.Config())
    assert out == Rejection("EXEC_NO_BUILDER_CODE", {"intent_id": "i-1"})


def test_shape_market_buy_when_configured_then_type_builder_and_id_carried() -> None:
    plan = _shape("10", order_type=OrderType.FOK, builder_code="bld-1")
    assert isinstance(plan, ExecutionPlan)
    assert (plan.order_type, plan.builder_code, plan.neg_risk) == (OrderType.FOK, "bld-1", False)
    assert plan.plan_id == hashlib.sha256(b"exec.quote_qty_market_buy|i-1").hexdigest()[:24]
    assert (plan.intent_id, plan.condition_id, plan.token_id, plan.ts_ms) == ("i-1", A, "1", TS)


def test_shape_market_buy_when_same_input_twice_then_same_plan() -> None:
    assert _shape("12.345", _intent("0.4321")) == _shape("12.345", _intent("0.4321"))


def _sdk_floors_right(x: D) -> bool:
    """The SDK's round_down works on floats: 0.58 * 100 = 57.99999999999999 floors to 0.57 (py-clob-client
    issue #253's numbers: 2.03 → 2.02, 0.58 → 0.57); the cross-check keeps inputs it floors right."""
    return math.floor(float(x) * 100) == x * 100


_CENTS = [D(k) / 100 for k in range(1, 100)]
_SDK_PRICES = [p for p in _CENTS if _sdk_floors_right(p)]
_SDK_NOTIONALS = [n for n in (D(c) / 100 for c in range(100, 100_000, 997)) if _sdk_floors_right(n)]


def test_shape_market_buy_when_tick_cent_then_amounts_equal_venue_sdk() -> None:
    builder = object.__new__(OrderBuilder)  # get_market_order_amounts needs no signer
    assert sorted(set(_CENTS) - set(_SDK_PRICES)) == [D("0.29"), D("0.57"), D("0.58")]
    assert len(_SDK_NOTIONALS) > 90  # of 100
    for price in _SDK_PRICES:
        for notional in _SDK_NOTIONALS:
            plan = _shape(str(notional), _intent(str(price)))
            _, maker, taker = builder.get_market_order_amounts("BUY", float(notional), float(price),
                                                               ROUNDING_CONFIG["0.01"])  # fmt: skip
            assert (plan.maker_amount, plan.taker_amount) == (maker, taker), (notional, price)


@pytest.mark.parametrize("tick", ["0.001", "0.0001"])
def test_shape_market_buy_when_fine_tick_then_within_caps_and_at_least_worst_price(tick: str) -> None:
    n = int(1 / D(tick))
    for price in (D(tick) * k for k in range(1, n, n // 27 + 1)):
        for notional in ("1", "9.98", "33.33", "1234.56"):
            plan = _shape(notional, _intent(str(price)), tick)
            assert isinstance(plan, ExecutionPlan)
            assert plan.maker_amount % 10**4 == 0 and plan.taker_amount % 10**2 == 0  # 2 and 4 decimals
            # implied price maker / taker: at least the worst price, above it by < price·10^-4 / shares
            implied = Fraction(plan.maker_amount, plan.taker_amount)
            assert Fraction(price) <= implied < Fraction(price) * (1 + Fraction(1, 10**4) / Fraction(plan.size))


@pytest.mark.parametrize(
    "cfg", [{"min_notional_usdc": D(0)}, {"min_notional_usdc": D("-1")}, {"order_type": OrderType.GTC}, {"x": 1}]
)
def test_config_when_invalid_then_validation_error(cfg: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        qq.Config(**cfg)
    assert (qq.Config().min_notional_usdc, qq.Config().order_type) == (D(1), OrderType.FAK)
