"""exec.ctf_merge_split_redeem: merge full sets, split on request, redeem winners; contract per neg-risk flag."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.base import Rejection
from polytraders.bots.exec import ctf_merge_split_redeem as ctf
from polytraders.contracts import InstrumentToken, MarketResolution
from polytraders_tests.bots.frames import CONDITION, HASH, MARKETS, T0, TOKEN_ID, market

YES, NO = TOKEN_ID["yes"], TOKEN_ID["no"]
COND = CONDITION["m1"]
# py_clob_client_v2.config.get_contract_config(137) / (80002), copied here so a changed SDK shows up
CTF_137 = "0x4D97DCd97eC945f40cF65F87097ACe5EA0476045"
CTF_80002 = "0x69308FB512518e39F9b16112fA8d994F4e2Bf8bB"
ADAPTER = "0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296"
COLLATERAL = "0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB"
ZERO = "0x" + "00" * 32


def _resolution(winner: str = "yes", cond: str = COND) -> MarketResolution:
    return MarketResolution(condition_id=cond, ts_ms=T0, token_ids=(YES, NO), winning_token_id=TOKEN_ID[winner],
                            winning_outcome="Yes", provenance_hash=HASH)  # fmt: skip


def _plan(held: dict[str, str], resolution=None, neg_risk: bool = False, split: str = "0", **cfg):
    instrument = market("m1", neg_risk_group="grp" if neg_risk else None)
    positions = {TOKEN_ID[t]: D(q) for t, q in held.items()}
    return ctf.plan(positions, instrument, resolution, ctf.Config(**cfg), D(split))


def test_merge_when_120_yes_and_75_no_then_75_full_sets() -> None:
    (action,) = _plan({"yes": "120", "no": "75"})
    # min(120, 75) = 75 shares → 75 · 10^6 = 75_000_000 micro of each token burned and of collateral freed
    assert (action.kind, action.code, action.amount_micro) == ("MERGE", "EXEC_CTF_MERGE", 75_000_000)
    assert action.token_amounts_micro == ((YES, 75_000_000), (NO, 75_000_000))
    assert (action.contract, action.contract_name, action.method) == (CTF_137, "ConditionalTokens", "mergePositions")
    assert action.args == (COLLATERAL, ZERO, COND, (1, 2), 75_000_000)
    assert action.condition_id == COND


def test_merge_when_neg_risk_then_adapter_with_condition_and_amount() -> None:
    (action,) = _plan({"yes": "120", "no": "75"}, neg_risk=True)
    assert (action.contract, action.contract_name, action.method) == (ADAPTER, "NegRiskAdapter", "mergePositions")
    assert action.args == (COND, 75_000_000)


@pytest.mark.parametrize(
    ("held", "min_merge", "expected"),
    [
        ({"yes": "0.5", "no": "3"}, "1", []),  # 0.5 full sets < 1
        ({"yes": "1", "no": "3"}, "1", [1_000_000]),  # exactly the minimum
        ({"yes": "0.5", "no": "3"}, "0", [500_000]),
        ({"yes": "10", "no": "0"}, "0", []),  # one side only: nothing to merge, even with min 0
        ({"yes": "10"}, "0", []),  # absent = 0
        ({"yes": "10", "no": "-4"}, "0", []),  # negative (short) = 0
        ({"yes": "10.1234567", "no": "20"}, "1", [10_123_456]),  # floored to the micro-unit
    ],
)
def test_merge_threshold_and_rounding(held: dict[str, str], min_merge: str, expected: list[int]) -> None:
    assert [a.amount_micro for a in _plan(held, min_merge_shares=D(min_merge))] == expected


def test_split_when_asked_then_collateral_into_full_set() -> None:
    (action,) = _plan({}, split="25.5")
    # 25.5 collateral → 25.5 YES + 25.5 NO: 25_500_000 micro each
    assert (action.kind, action.code, action.method, action.amount_micro) == (
        "SPLIT", "EXEC_CTF_SPLIT", "splitPosition", 25_500_000
    )  # fmt: skip
    assert action.token_amounts_micro == ((YES, 25_500_000), (NO, 25_500_000))
    assert action.args == (COLLATERAL, ZERO, COND, (1, 2), 25_500_000)
    (action,) = _plan({}, split="25.5", neg_risk=True)
    assert (action.contract, action.args) == (ADAPTER, (COND, 25_500_000))


def test_merge_and_split_in_one_plan_then_merge_first() -> None:
    actions = _plan({"yes": "3", "no": "4"}, split="2")
    assert [(a.kind, a.amount_micro) for a in actions] == [("MERGE", 3_000_000), ("SPLIT", 2_000_000)]


def test_redeem_after_resolution_then_winning_paid_and_losing_burned() -> None:
    (action,) = _plan({"yes": "40", "no": "15"}, _resolution("yes"))
    # 40 winning YES → 40 collateral (40_000_000); the 15 NO burn for 0 in the same call
    assert (action.kind, action.code, action.amount_micro) == ("REDEEM", "EXEC_CTF_REDEEM", 40_000_000)
    assert action.token_amounts_micro == ((YES, 40_000_000), (NO, 15_000_000))
    assert (action.contract, action.method) == (CTF_137, "redeemPositions")
    assert action.args == (COLLATERAL, ZERO, COND, (1, 2))  # index sets: the whole balances


def test_redeem_when_neg_risk_then_adapter_with_amount_per_outcome() -> None:
    (action,) = _plan({"yes": "40", "no": "15"}, _resolution("no"), neg_risk=True)
    # NO won: 15 paid; the adapter takes [YES, NO] amounts: [40_000_000, 15_000_000]
    assert action.amount_micro == 15_000_000
    assert (action.contract, action.args) == (ADAPTER, (COND, (40_000_000, 15_000_000)))


def test_redeem_when_only_losing_tokens_then_nothing_planned() -> None:
    assert _plan({"yes": "0", "no": "15"}, _resolution("yes")) == []
    assert _plan({}, _resolution("yes")) == []


def test_resolution_then_no_merge_even_with_pairs() -> None:
    # 120 YES + 75 NO after YES won: one REDEEM of 120, no merge
    assert [(a.kind, a.amount_micro) for a in _plan({"yes": "120", "no": "75"}, _resolution())] == [
        ("REDEEM", 120_000_000)
    ]


def test_when_neg_risk_unknown_then_no_route() -> None:
    instrument = market("m1").model_copy(update={"neg_risk": None})
    out = ctf.plan({YES: D("5"), NO: D("5")}, instrument, None, ctf.Config())
    assert out == Rejection("EXEC_NO_ROUTE", {"condition_id": COND, "reason": "neg_risk unknown: no contract chosen"})


def test_when_not_binary_then_no_route() -> None:
    extra = InstrumentToken(token_id="77", outcome="Maybe")
    instrument = market("m1").model_copy(update={"tokens": (*market("m1").tokens, extra)})
    out = ctf.plan({}, instrument, None, ctf.Config())
    assert out == Rejection("EXEC_NO_ROUTE", {"condition_id": COND, "reason": "3 tokens, not 2"})


def test_when_split_asked_after_resolution_then_no_route() -> None:
    out = _plan({"yes": "40"}, _resolution(), split="5")
    assert isinstance(out, Rejection) and out.code == "EXEC_NO_ROUTE"


@pytest.mark.parametrize(
    "resolution",
    [
        _resolution(cond=CONDITION["m2"]),  # another market
        MarketResolution(condition_id=COND, ts_ms=T0, token_ids=(YES, "99"), winning_token_id="99",
                         winning_outcome="Other", provenance_hash=HASH),  # fmt: skip
    ],
)
def test_when_resolution_does_not_match_then_unknown_instrument(resolution: MarketResolution) -> None:
    out = _plan({"yes": "1", "no": "1"}, resolution)
    assert isinstance(out, Rejection) and out.code == "EXEC_UNKNOWN_INSTRUMENT"


def test_other_markets_tokens_ignored_and_amoy_addresses() -> None:
    positions = {TOKEN_ID[t]: D("9") for t in MARKETS["m2"]}
    assert ctf.plan(positions, market("m1"), None, ctf.Config()) == []
    (action,) = _plan({"yes": "2", "no": "2"}, chain_id=80002)
    assert action.contract == CTF_80002


def test_same_input_same_plan() -> None:
    assert _plan({"yes": "120", "no": "75"}, split="3") == _plan({"yes": "120", "no": "75"}, split="3")


def test_config_defaults_and_validation() -> None:
    assert (ctf.Config().chain_id, ctf.Config().min_merge_shares) == (137, D(1))
    with pytest.raises(pydantic.ValidationError, match="Input should be 137 or 80002"):
        ctf.Config(chain_id=1)
    with pytest.raises(pydantic.ValidationError, match="min_merge_shares"):
        ctf.Config(min_merge_shares=D("-1"))
