"""risk.compliance_gate: unknown instruments, categories, blocked and closed-only markets."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import compliance_gate as gate
from polytraders_tests.bots.frames import CONDITION
from polytraders_tests.bots.risk.frames import approve, intents, reject, vote

A, B = CONDITION["m1"], CONDITION["m2"]  # the healthy row trades A, category "Politics"
DENY = reject("RISK_COMPLIANCE")


def test_vote_when_healthy_row_and_default_config_then_approve() -> None:
    assert vote(gate, intents()) == [approve()]


@pytest.mark.parametrize(
    ("row", "config", "expected"),
    [
        ({}, {}, approve()),  # defaults allow everything known
        ({"instrument_known": False}, {}, DENY),  # unknown market or token: fail closed
        ({"instrument_known": None}, {}, DENY),  # not known whether known: fail closed
        ({"instrument_known": False, "side": "SELL"}, {}, DENY),  # SELLs too
        ({}, {"allowed_categories": ("Politics", "Sports")}, approve()),
        ({}, {"allowed_categories": ("Sports",)}, DENY),
        ({}, {"allowed_categories": ("politics",)}, DENY),  # exact, case-sensitive match
        ({"category": None}, {"allowed_categories": ("Sports",)}, DENY),  # no category: not allowed
        ({"category": None}, {}, approve()),  # None = every category allowed
        ({}, {"allowed_categories": ()}, DENY),  # empty allow-list allows nothing
        ({}, {"blocked_condition_ids": (A,)}, DENY),
        ({"side": "SELL"}, {"blocked_condition_ids": (A,)}, DENY),  # blocked: SELLs too
        ({}, {"blocked_condition_ids": (B,)}, approve()),  # another market blocked
        ({}, {"closed_only_condition_ids": (A,)}, DENY),  # closed-only: BUY denied
        ({"side": "SELL"}, {"closed_only_condition_ids": (A,)}, approve()),  # reducing SELL
        ({"condition_id": B}, {"closed_only_condition_ids": (A,)}, approve()),  # another market
    ],
)
def test_vote_when_compliance_state_then_vote(row: dict[str, Any], config: dict[str, Any], expected: tuple) -> None:
    assert vote(gate, intents(row), **config) == [expected]


def test_vote_when_rows_differ_then_each_row_judged_in_order() -> None:
    frame = intents(
        {"side": "BUY"},  # A closed-only: BUY denied
        {"side": "SELL", "size": "7"},  # A closed-only: SELL passes at its size
        {"condition_id": B},  # B: open
        {"condition_id": B, "side": "SELL", "instrument_known": False},  # unknown
        {"condition_id": B, "category": "Crypto"},  # category not allowed
    )
    got = vote(gate, frame, closed_only_condition_ids=(A,), allowed_categories=("Politics",))
    assert got == [DENY, approve("7"), approve(), DENY, DENY]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    assert vote(gate, intents().clear(), blocked_condition_ids=(A,)) == []


def test_config_when_lists_given_then_hash_is_stable() -> None:
    one = gate.Config(allowed_categories=("a", "b"), blocked_condition_ids=(A, B))
    two = gate.Config(allowed_categories=("a", "b"), blocked_condition_ids=(A, B))
    assert one.version_hash() == two.version_hash()
    assert one.version_hash() != gate.Config(allowed_categories=("b", "a"), blocked_condition_ids=(A, B)).version_hash()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"blocked_condition_ids": 5}, "blocked_condition_ids"),
        ({"allowed_categories": "Politics"}, "allowed_categories"),
        ({"blocked_markets": (A,)}, "blocked_markets"),
    ],
)
def test_config_when_invalid_then_validation_error(bad: dict[str, object], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        gate.Config(**bad)
