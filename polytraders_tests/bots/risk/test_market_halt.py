"""risk.market_halt: a closed, paused, halted or resolved market, an unknown state, or a price off the
token's current grid is rejected; cancels always pass."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.risk import market_halt
from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import OrderIntent, TokenState
from polytraders.contracts.types import Decision

TS = 1_700_000_000_000
COND = "0x" + "a" * 64
HALTED = ("RISK_MARKET_HALTED",)


def _intent(kind: str = "PLACE", price: str = "0.54", token: str = "1") -> OrderIntent:
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=COND, token_id=token,
        ts_ms=TS, side="BUY", price=D(price), size=D("10"),
    )  # fmt: skip


def _state(status: str = "ACTIVE", tick: str = "0.01", active: bool = True, accepting: bool = True,
           token: str = "1", condition: str = COND) -> TokenState:
    return TokenState(condition_id=condition, token_id=token, as_of_ms=TS - 60_000, tick_size=D(tick), status=status,
                      active=active, accepting_orders=accepting, source="metadata", provenance_hash="0" * 64)


def _ctx(state: TokenState | None) -> RiskContext:
    zero = D(0)
    return RiskContext(TS, None, None, zero, zero, zero, zero, token_state=state)


def _vote(intent: OrderIntent, state: TokenState | None, config: market_halt.Config | None = None):
    return market_halt.evaluate(intent, _ctx(state), config or market_halt.Config())


@pytest.mark.parametrize(
    ("state", "decision"),
    [
        (_state(), Decision.APPROVE),  # active, accepting orders, 0.54 on the 0.01 grid
        (_state("CLOSED"), Decision.REJECT),
        (_state("RESOLVED"), Decision.REJECT),
        (_state(active=False), Decision.REJECT),  # paused
        (_state(accepting=False), Decision.REJECT),  # order entry halted
        (None, Decision.REJECT),  # state unknown: fail closed
        (_state(token="2"), Decision.REJECT),  # another token's state
        (_state(condition="0x" + "b" * 64), Decision.REJECT),  # another market's state
    ],
)
def test_evaluate_when_market_state_then_vote(state: TokenState | None, decision: Decision) -> None:
    vote = _vote(_intent(), state)
    assert (vote.decision, vote.reason_codes) == (decision, () if decision is Decision.APPROVE else HALTED)
    assert vote.approved_size == (D("10") if decision is Decision.APPROVE else D(0))
    assert (vote.bot, vote.intent_id, vote.ts_ms) == ("risk.market_halt", "i-1", TS)


@pytest.mark.parametrize(
    ("price", "tick", "decision"),
    [
        ("0.965", "0.001", Decision.APPROVE),  # 0.965 = 965 × 0.001 exactly (float: 0.965 % 0.001 = 0.000999…)
        ("0.965", "0.01", Decision.REJECT),  # 96.5 ticks: off the coarser grid
        ("0.96", "0.01", Decision.APPROVE),
        ("0.001", "0.001", Decision.APPROVE),  # the lowest price on the grid
        ("0.999", "0.001", Decision.APPROVE),  # the highest
        ("0.9995", "0.001", Decision.REJECT),
        ("0.55", "0.05", Decision.APPROVE),  # 11 × 0.05 (float: 0.55 % 0.05 = 1.4e-17)
        ("0.3", "0.1", Decision.APPROVE),  # float: 0.3 % 0.1 = 0.0999…
    ],
)
def test_evaluate_when_price_against_current_grid_then_exact_decimal_check(price: str, tick: str,
                                                                           decision: Decision) -> None:
    assert _vote(_intent(price=price), _state(tick=tick)).decision is decision


def test_evaluate_when_float_modulo_would_misjudge_then_decimal_does_not() -> None:
    # The trap the exact check avoids: in binary floating point these valid prices are "off grid".
    assert 0.965 % 0.001 != 0 and 0.55 % 0.05 != 0 and 0.3 % 0.1 != 0
    assert all(_vote(_intent(price=p), _state(tick=t)).decision is Decision.APPROVE
               for p, t in (("0.965", "0.001"), ("0.55", "0.05"), ("0.3", "0.1")))


def test_evaluate_when_grid_check_off_then_only_status_decides() -> None:
    config = market_halt.Config(check_tick_grid=False)
    assert _vote(_intent(price="0.965"), _state(tick="0.01"), config).decision is Decision.APPROVE
    assert _vote(_intent(price="0.965"), _state("RESOLVED", tick="0.01"), config).reason_codes == HALTED


def test_evaluate_when_cancel_in_a_halted_or_unknown_market_then_approve() -> None:
    for state in (None, _state("RESOLVED"), _state(accepting=False)):
        vote = _vote(_intent("CANCEL", price="0.965"), state)
        assert (vote.decision, vote.approved_size, vote.reason_codes) == (Decision.APPROVE, D("10"), ())


def test_evaluate_when_same_input_twice_then_same_vote() -> None:
    assert _vote(_intent(), _state("CLOSED")) == _vote(_intent(), _state("CLOSED"))


def test_config_when_unknown_or_bad_field_then_validation_error() -> None:
    assert market_halt.Config().check_tick_grid is True
    with pytest.raises(pydantic.ValidationError, match="check_tick_grid"):
        market_halt.Config(check_tick_grid="sometimes")
    with pytest.raises(pydantic.ValidationError, match="max_age"):
        market_halt.Config(max_age=1)
