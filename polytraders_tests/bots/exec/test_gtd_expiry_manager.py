"""exec.gtd_expiry_manager: GTD expiration = floor(ts / 1000) + buffer + lifetime, too-soon refusals,
non-GTD plans untouched, when the venue actually drops the order."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.base import Rejection
from polytraders.bots.exec import gtd_expiry_manager as gtd
from polytraders.contracts import ExecutionPlan
from polytraders.contracts.types import OrderType

TS = 1_700_000_000_000  # ms → 1_700_000_000 s
A = "0x" + "a" * 64


def _plan(order_type: str = "GTD", ts_ms: int = TS, expiration_s: int = 0) -> ExecutionPlan:
    return ExecutionPlan(
        plan_id="p-1", intent_id="i-1", condition_id=A, token_id="1", ts_ms=ts_ms, side="BUY", price=D("0.54"),
        size=D("10"), tick_size=D("0.01"), neg_risk=False, order_type=order_type, post_only=order_type != "FAK",
        maker_amount=5_400_000, taker_amount=10_000_000, builder_code="bld-1", expiration_s=expiration_s,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("ts_ms", "lifetime_s", "expiration_s", "drops_at_ms"),
    [
        # the venue docs' example: expire in 90 s → now + 60 + 30 (lifetime 30 after the one-minute buffer)
        (TS, 30, 1_700_000_090, TS + 30_000),
        # a sub-second decision time floors: 1_700_000_000.999 s → 1_700_000_000; the order lives 29.001 s
        (TS + 999, 30, 1_700_000_090, TS + 30_000),
        (TS + 1_000, 30, 1_700_000_091, TS + 31_000),
        # one hour: 1_700_000_000 + 60 + 3600
        (TS, 3_600, 1_700_003_660, TS + 3_600_000),
        # exactly the minimum lifetime (10 s)
        (TS, 10, 1_700_000_070, TS + 10_000),
    ],
)
def test_with_expiry_when_gtd_then_expiration_includes_buffer(
    ts_ms: int, lifetime_s: int, expiration_s: int, drops_at_ms: int
) -> None:
    config = gtd.Config()
    plan = gtd.with_expiry(_plan(ts_ms=ts_ms), lifetime_s, config)
    assert isinstance(plan, ExecutionPlan)
    assert plan.expiration_s == expiration_s
    assert gtd.effective_expiry_ms(plan.expiration_s, config) == drops_at_ms
    assert plan.model_copy(update={"expiration_s": 0}) == _plan(ts_ms=ts_ms)  # nothing else changed


def test_with_expiry_when_buffer_configured_then_used() -> None:
    config = gtd.Config(buffer_s=0, min_lifetime_s=1)
    plan = gtd.with_expiry(_plan(), 1, config)
    assert isinstance(plan, ExecutionPlan)
    assert plan.expiration_s == 1_700_000_001  # 1_700_000_000 + 0 + 1
    assert gtd.effective_expiry_ms(plan.expiration_s, config) == TS + 1_000


def test_with_expiry_when_gtd_already_stamped_then_restamped() -> None:
    plan = gtd.with_expiry(_plan(expiration_s=1_700_009_999), 30, gtd.Config())
    assert isinstance(plan, ExecutionPlan) and plan.expiration_s == 1_700_000_090


@pytest.mark.parametrize("lifetime_s", [9, 0, -5])
def test_with_expiry_when_lifetime_below_minimum_then_too_soon(lifetime_s: int) -> None:
    assert gtd.with_expiry(_plan(), lifetime_s, gtd.Config()) == Rejection(
        "EXEC_GTD_TOO_SOON", {"lifetime_s": str(lifetime_s), "min_lifetime_s": "10"}
    )
    # a stricter minimum
    out = gtd.with_expiry(_plan(), 59, gtd.Config(min_lifetime_s=60))
    assert out == Rejection("EXEC_GTD_TOO_SOON", {"lifetime_s": "59", "min_lifetime_s": "60"})


@pytest.mark.parametrize("order_type", ["GTC", "FAK", "FOK"])
def test_with_expiry_when_not_gtd_then_unchanged(order_type: str) -> None:
    plan = _plan(order_type)
    assert gtd.with_expiry(plan, 30, gtd.Config()) is plan
    assert gtd.with_expiry(plan, 0, gtd.Config()) is plan  # its lifetime is not checked
    assert plan.expiration_s == 0 and plan.order_type == OrderType(order_type)


@pytest.mark.parametrize("expiration_s", [0, 60, -1])
def test_effective_expiry_ms_when_no_gtd_expiration_then_value_error(expiration_s: int) -> None:
    with pytest.raises(ValueError, match="no GTD expiration"):
        gtd.effective_expiry_ms(expiration_s, gtd.Config())
    assert gtd.effective_expiry_ms(61, gtd.Config()) == 1_000  # (61 − 60) s


def test_with_expiry_when_same_input_twice_then_same_plan() -> None:
    assert gtd.with_expiry(_plan(ts_ms=TS + 123), 45, gtd.Config()) == gtd.with_expiry(
        _plan(ts_ms=TS + 123), 45, gtd.Config()
    )


@pytest.mark.parametrize("cfg", [{"buffer_s": -1}, {"min_lifetime_s": 0}, {"lifetime_s": 5}])
def test_config_when_invalid_then_validation_error(cfg: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        gtd.Config(**cfg)
    assert (gtd.Config().buffer_s, gtd.Config().min_lifetime_s) == (60, 10)
