"""sec.allowance_checker: balances plus reserved, ERC-20 allowances and ERC-1155 approvals per spender."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.base import Rejection
from polytraders.bots.sec import allowance_checker as ac
from polytraders.contracts import ExecutionPlan

# CLOB V2 contracts on Polygon, copied from py-clob-client-v2 config.get_contract_config(137)
EXCHANGE = "0xE111180000d2663C0091e4f400237545B87B996B"
NR_EXCHANGE = "0xe2222d279d744050d28e00520010520000310F59"
NR_ADAPTER = "0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296"
MAX_UINT256 = 2**256 - 1
CONFIG = ac.Config()
INSUFFICIENT = "SEC_ALLOWANCE_INSUFFICIENT"


def _plan(side: str = "BUY", neg_risk: bool = False, price: str = "0.54", size: str = "10") -> ExecutionPlan:
    collateral, shares = int(D(price) * D(size) * 10**6), int(D(size) * 10**6)
    return ExecutionPlan(
        plan_id="p-1", intent_id="i-1", condition_id="0x" + "a" * 64, token_id="1", ts_ms=1_700_000_000_000,
        side=side, price=D(price), size=D(size), tick_size=D("0.01"), neg_risk=neg_risk, order_type="GTC",
        post_only=True, maker_amount=collateral if side == "BUY" else shares,
        taker_amount=shares if side == "BUY" else collateral,
    )  # fmt: skip


BUY = _plan()  # maker_amount = 0.54·10·10^6 = 5_400_000 micro-USDC
SELL = _plan("SELL")  # maker_amount = 10·10^6 = 10_000_000 micro-shares
NR_BUY = _plan(neg_risk=True)
NR_SELL = _plan("SELL", neg_risk=True)


def test_plans_carry_the_hand_computed_maker_amounts() -> None:
    assert (BUY.maker_amount, SELL.maker_amount) == (5_400_000, 10_000_000)


def test_spenders_are_the_sdk_contracts_per_market_kind() -> None:
    assert ac.spenders(137, False) == (EXCHANGE,)
    assert ac.spenders(137, True) == (NR_EXCHANGE, NR_ADAPTER)
    assert ac.spenders(80002, False) == (EXCHANGE,)  # V2 exchange: same address on Amoy


def test_check_when_buy_exactly_covered_then_none() -> None:
    state = ac.Allowances(5_400_000, {EXCHANGE: 5_400_000})  # balance = allowance = needed
    assert ac.check(BUY, state, CONFIG) is None


def test_check_when_buy_balance_one_micro_short_then_balance_shortfall() -> None:
    state = ac.Allowances(5_399_999, {EXCHANGE: MAX_UINT256})
    assert ac.check(BUY, state, CONFIG) == Rejection(
        INSUFFICIENT, {"check": "balance", "asset": "collateral", "needed": "5400000", "have": "5399999"}
    )


def test_check_when_buy_with_reserved_collateral_then_needed_includes_it() -> None:
    # needed = 5_400_000 + 1_000_000 resting = 6_400_000
    short = ac.check(BUY, ac.Allowances(6_000_000, {EXCHANGE: MAX_UINT256}), CONFIG, reserved_micro=1_000_000)
    assert short == Rejection(
        INSUFFICIENT, {"check": "balance", "asset": "collateral", "needed": "6400000", "have": "6000000"}
    )
    assert ac.check(BUY, ac.Allowances(6_400_000, {EXCHANGE: 6_400_000}), CONFIG, reserved_micro=1_000_000) is None
    low_allowance = ac.Allowances(6_400_000, {EXCHANGE: 6_399_999})
    assert ac.check(BUY, low_allowance, CONFIG, reserved_micro=1_000_000) == Rejection(
        INSUFFICIENT,
        {"check": "allowance", "asset": "collateral", "needed": "6400000", "have": "6399999", "spender": EXCHANGE},
    )


def test_check_when_buy_allowance_only_to_other_exchange_then_allowance_shortfall() -> None:
    state = ac.Allowances(10_000_000, {NR_EXCHANGE: MAX_UINT256, NR_ADAPTER: MAX_UINT256})
    assert ac.check(BUY, state, CONFIG) == Rejection(
        INSUFFICIENT,
        {"check": "allowance", "asset": "collateral", "needed": "5400000", "have": "0", "spender": EXCHANGE},
    )


def test_check_when_allowance_keyed_in_other_case_then_found() -> None:
    assert ac.check(BUY, ac.Allowances(5_400_000, {EXCHANGE.lower(): 5_400_000}), CONFIG) is None
    upper = "0x" + EXCHANGE[2:].upper()
    assert ac.check(SELL, ac.Allowances(0, {}, {"1": 10_000_000}, {upper: True}), CONFIG) is None


def test_check_when_neg_risk_buy_then_exchange_and_adapter_both_need_allowance() -> None:
    only_exchange = ac.Allowances(5_400_000, {NR_EXCHANGE: 5_400_000, EXCHANGE: MAX_UINT256})
    assert ac.check(NR_BUY, only_exchange, CONFIG) == Rejection(
        INSUFFICIENT,
        {"check": "allowance", "asset": "collateral", "needed": "5400000", "have": "0", "spender": NR_ADAPTER},
    )
    only_adapter = ac.Allowances(5_400_000, {NR_ADAPTER: MAX_UINT256})
    assert ac.check(NR_BUY, only_adapter, CONFIG).details["spender"] == NR_EXCHANGE  # exchange checked first
    both = ac.Allowances(5_400_000, {NR_EXCHANGE: 5_400_000, NR_ADAPTER: 5_400_000})
    assert ac.check(NR_BUY, both, CONFIG) is None  # the standard exchange's allowance is not needed


def test_check_when_sell_covered_then_none_and_collateral_not_needed() -> None:
    state = ac.Allowances(0, {}, {"1": 10_000_000}, {EXCHANGE: True})
    assert ac.check(SELL, state, CONFIG) is None


def test_check_when_sell_token_balance_short_then_balance_shortfall() -> None:
    # 9_999_999 of token 1, and a large balance of token 2 that does not count
    state = ac.Allowances(10**12, {EXCHANGE: MAX_UINT256}, {"1": 9_999_999, "2": 10**12}, {EXCHANGE: True})
    assert ac.check(SELL, state, CONFIG) == Rejection(
        INSUFFICIENT, {"check": "balance", "asset": "token 1", "needed": "10000000", "have": "9999999"}
    )


def test_check_when_sell_with_reserved_shares_then_needed_includes_them() -> None:
    # needed = 10_000_000 + 2_500_000 resting = 12_500_000
    state = ac.Allowances(0, {}, {"1": 12_000_000}, {EXCHANGE: True})
    short = ac.check(SELL, state, CONFIG, reserved_micro=2_500_000)
    assert short is not None and (short.details["needed"], short.details["have"]) == ("12500000", "12000000")
    enough = ac.Allowances(0, {}, {"1": 12_500_000}, {EXCHANGE: True})
    assert ac.check(SELL, enough, CONFIG, reserved_micro=2_500_000) is None


@pytest.mark.parametrize("approvals", [{}, {EXCHANGE: False}, {NR_EXCHANGE: True}])
def test_check_when_sell_not_approved_for_all_then_approval_shortfall(approvals: dict) -> None:
    state = ac.Allowances(0, {EXCHANGE: MAX_UINT256}, {"1": 10_000_000}, approvals)  # an ERC-20 allowance is no help
    assert ac.check(SELL, state, CONFIG) == Rejection(
        INSUFFICIENT,
        {"check": "approval", "asset": "token 1", "needed": "approved", "have": "not approved", "spender": EXCHANGE},
    )


def test_check_when_neg_risk_sell_then_exchange_and_adapter_both_approved() -> None:
    tokens = {"1": 10_000_000}
    missing_adapter = ac.check(NR_SELL, ac.Allowances(0, {}, tokens, {NR_EXCHANGE: True, EXCHANGE: True}), CONFIG)
    assert missing_adapter is not None and missing_adapter.details["spender"] == NR_ADAPTER
    assert ac.check(NR_SELL, ac.Allowances(0, {}, tokens, {NR_EXCHANGE: True, NR_ADAPTER: True}), CONFIG) is None


def test_check_when_buy_then_token_approvals_not_needed() -> None:
    assert ac.check(BUY, ac.Allowances(5_400_000, {EXCHANGE: 5_400_000}, {}, {}), CONFIG) is None


def test_check_when_neg_risk_unknown_then_neg_risk_unknown() -> None:
    unknown = BUY.model_copy(update={"neg_risk": None})
    rich = ac.Allowances(10**12, {EXCHANGE: MAX_UINT256, NR_EXCHANGE: MAX_UINT256, NR_ADAPTER: MAX_UINT256})
    assert ac.check(unknown, rich, CONFIG) == Rejection(
        "SEC_NEG_RISK_UNKNOWN", {"plan_id": "p-1", "condition_id": "0x" + "a" * 64}
    )


def test_check_when_amoy_config_then_same_v2_spenders() -> None:
    assert ac.check(BUY, ac.Allowances(5_400_000, {EXCHANGE: 5_400_000}), ac.Config(chain_id=80002)) is None


def test_check_when_reserved_negative_then_value_error() -> None:
    with pytest.raises(ValueError, match="reserved_micro"):
        ac.check(BUY, ac.Allowances(10**12), CONFIG, reserved_micro=-1)


@pytest.mark.parametrize("overrides", [{"chain_id": 1}, {"chain_id": 80001}, {"other": 1}])
def test_config_when_invalid_then_rejected(overrides: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        ac.Config(**overrides)


def test_check_is_deterministic() -> None:
    state = ac.Allowances(5_399_999, {EXCHANGE: 1})
    assert ac.check(BUY, state, CONFIG) == ac.check(BUY, state, CONFIG)
