"""gov.builder_attribution: per-code counts, notional, fills and fees; missing codes fail closed."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from polytraders.bots.gov import builder_attribution
from polytraders.contracts.frames import empty_frame

TS = 1_700_000_000_000
CFG = builder_attribution.Config()
MONEY = ["notional_usdc", "filled_size", "filled_notional_usdc", "fees_usdc"]


def test_run_when_plans_and_fills_then_summed_per_builder_code(stream) -> None:
    i1, i2, i3 = stream.intent("i1", TS), stream.intent("i2", TS), stream.intent("i3", TS)
    p1 = stream.plan("p1", i1, TS + 1, price="0.40", size="10", builder="alpha")  # 4.00
    p2 = stream.plan("p2", i2, TS + 2, price="0.55", size="7.5", builder="alpha")  # 4.125
    stream.plan("p3", i3, TS + 3, price="0.12", size="5", builder="beta")  # 0.60, no fills
    stream.fill("f1", p1, TS + 10, price="0.40", size="4", fee="0.01")  # 1.60
    stream.fill("f2", p1, TS + 20, price="0.40", size="6", fee="0.015")  # 2.40
    stream.fill("f3", p2, TS + 30, price="0.55", size="0.333333", fee="0")  # 0.18333315 exact

    out = builder_attribution.run(stream.frame(), CFG)

    assert out.select("builder_code", "envelope_id", "order_count", "fill_count", *MONEY, "ts_ms").rows() == [
        # alpha: notional 4.00 + 4.125 = 8.125; filled 4 + 6 + 0.333333 = 10.333333 shares;
        # filled notional 1.60 + 2.40 + 0.18333315 = 4.18333315 -> 4.183333 (half-even at 1e-6); fees 0.025
        ("alpha", None, 2, 3, D("8.125"), D("10.333333"), D("4.183333"), D("0.025"), TS + 30),
        ("beta", None, 1, 0, D("0.6"), D("0"), D("0"), D("0"), TS + 3),
    ]
    assert out["reason_codes"].to_list() == [[], []]


def test_run_when_plan_lacks_builder_code_then_own_row_and_never_attributed(stream) -> None:
    i1, i2 = stream.intent("i1", TS), stream.intent("i2", TS)
    stream.plan("p1", i1, TS + 1, builder="alpha")
    p2 = stream.plan("p2", i2, TS + 2, price="0.30", size="20", builder=None)  # 6.00
    stream.fill("f2", p2, TS + 5, price="0.30", size="20", fee="0.12")  # 6.00 filled

    out = builder_attribution.run(stream.frame(), CFG)

    assert out.select("builder_code", "envelope_id", "order_count", "fill_count", *MONEY, "reason_codes").rows() == [
        ("alpha", None, 1, 0, D("4"), D("0"), D("0"), D("0"), []),
        (None, p2, 1, 1, D("6"), D("20"), D("6"), D("0.12"), ["GOV_BUILDER_CODE_MISSING"]),
    ]


@pytest.mark.parametrize("blank", ["", "   ", "0x" + "0" * 64])
def test_run_when_builder_code_blank_or_zero_word_then_missing(stream, blank: str) -> None:
    p = stream.plan("p", stream.intent("i", TS), TS + 1, builder=blank)

    out = builder_attribution.run(stream.frame(), CFG)

    assert out.select("builder_code", "envelope_id", "reason_codes").rows() == [
        (None, p, ["GOV_BUILDER_CODE_MISSING"])
    ]


def test_run_when_signed_request_of_a_plan_then_one_order_under_the_signed_code(stream) -> None:
    plan = stream.plan("p", stream.intent("i", TS), TS + 1, price="0.40", size="10", builder="alpha")
    signed = stream.signed("s", plan, TS + 2, builder="0x" + "12" * 32)
    stream.fill("f", signed, TS + 3, size="10")  # fill caused by the signed request: same order

    out = builder_attribution.run(stream.frame(), CFG)

    # one order (not two): notional from the plan 0.40 x 10 = 4
    assert out.select("builder_code", "order_count", "fill_count", "notional_usdc", "ts_ms").rows() == [
        ("0x" + "12" * 32, 1, 1, D("4"), TS + 3)
    ]


def test_run_when_signed_request_of_a_plan_lacks_builder_then_order_reported_not_attributed(stream) -> None:
    plan = stream.plan("p", stream.intent("i", TS), TS + 1, builder="alpha")
    signed = stream.signed("s", plan, TS + 2, builder="0x" + "0" * 64)

    out = builder_attribution.run(stream.frame(), CFG)

    assert out.select("builder_code", "envelope_id", "order_count", "reason_codes").rows() == [
        (None, signed, 1, ["GOV_BUILDER_CODE_MISSING"])
    ]


@pytest.mark.parametrize(("side", "notional"), [("BUY", D("4.2")), ("SELL", D("10.000001"))])
def test_run_when_signed_request_without_plan_then_notional_is_its_collateral(stream, side: str, notional) -> None:
    # BUY gives maker_amount 4_200_000 micro-USDC = 4.2; SELL receives taker_amount 10_000_001 = 10.000001
    stream.signed("s", "f" * 32, TS, side=side, maker_amount=4_200_000, taker_amount=10_000_001, builder="0xab")

    out = builder_attribution.run(stream.frame(), CFG)

    assert out.select("builder_code", "order_count", "notional_usdc").rows() == [("0xab", 1, notional)]


def test_run_when_fill_names_no_order_then_not_counted(stream) -> None:
    stream.plan("p", stream.intent("i", TS), TS + 1, builder="alpha")
    stream.fill("f", "f" * 32, TS + 2)

    out = builder_attribution.run(stream.frame(), CFG)

    assert out.select("fill_count", "filled_size", "ts_ms").rows() == [(0, D("0"), TS + 1)]


def test_run_when_stream_empty_or_without_orders_then_typed_empty(stream) -> None:
    assert builder_attribution.run(empty_frame("ReportEnvelope"), CFG).equals(empty_frame("BuilderAttribution"))
    stream.intent("i", TS)
    assert builder_attribution.run(stream.frame(), CFG).equals(empty_frame("BuilderAttribution"))


def test_run_when_same_input_twice_then_same_output(stream) -> None:
    i1, i2 = stream.intent("i1", TS), stream.intent("i2", TS)
    stream.plan("p1", i1, TS + 1, builder="b")
    stream.plan("p2", i2, TS + 1, builder="a")
    stream.plan("p3", i2, TS + 1, builder=None)
    frame = stream.frame()
    assert builder_attribution.run(frame, CFG).equals(builder_attribution.run(frame, CFG))
