"""disc.negrisk_group_mapper: complete groups, each incompleteness code and its order, YES mid from NO tops."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pydantic
import pytest

from polytraders.bots.disc import negrisk_group_mapper as mapper
from polytraders.bots.inputs import CANDIDATE_SCHEMA, EXCLUDED_SCHEMA, MarketData, ScanResult
from polytraders_tests.bots.frames import CONDITION, T0, instruments, market, tops

M1, M2, M3 = CONDITION["m1"], CONDITION["m2"], CONDITION["m3"]
GROUP3 = ("m1", "m2", "m3")


def run(ins: pl.DataFrame, top: pl.DataFrame, config: mapper.Config | None = None) -> ScanResult:
    return mapper.run(MarketData.of(instruments=ins, tops=top), config or mapper.Config())


def group(**overrides: dict[str, object]) -> pl.DataFrame:
    """m1, m2, m3 in neg-risk group g1; ``overrides[name]`` = extra market() kwargs."""
    return instruments(*(market(m, neg_risk_group="g1", **overrides.get(m, {})) for m in GROUP3))


#: YES mids 0.50 (m1), 0.30 (m2), 0.18 (m3 from its NO top 0.81 / 0.83: 1 − 0.82) → sum 0.98
PRICED = (
    ("yes", 0, "0.40", "0.42"),
    ("yes", 5_000, "0.49", "0.51"),  # m1's latest: mid 0.50
    ("y2", 1_000, "0.29", "0.31"),  # m2: mid 0.30
    ("y3", 500, "0.10", "0.12"),
    ("n3", 2_000, "0.81", "0.83"),  # m3's latest is its NO top: YES mid 1 − 0.82 = 0.18
    ("y3", 3_000, None, "0.20"),  # one-sided: not a mid
)


def test_run_when_group_complete_then_every_member_admitted() -> None:
    result = run(group(), tops(*PRICED))
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    # |0.98 − 1| = 0.02 ≤ 0.05: score 1 − 0.02 = 0.98 for each; ts = latest member mid time = T0 + 5_000
    assert result.candidates.select("condition_id", "ts_ms", "rank", "reason_codes").rows() == [
        (M1, T0 + 5_000, 1, ["DISC_NEGRISK_GROUP"]),
        (M2, T0 + 5_000, 2, ["DISC_NEGRISK_GROUP"]),
        (M3, T0 + 5_000, 3, ["DISC_NEGRISK_GROUP"]),
    ]
    assert result.candidates["score"].to_list() == pytest.approx([0.98] * 3, rel=1e-12)
    assert result.excluded.height == 0


@pytest.mark.parametrize(
    ("tolerance", "admitted"),
    [
        ("0.02", True),  # |0.98 − 1| = 0.02 = tolerance → still exhaustive
        ("0.019999", False),  # 0.02 > 0.019999 → not exhaustive
    ],
)
def test_run_when_sum_at_tolerance_edge_then_admitted_or_not_exhaustive(tolerance: str, admitted: bool) -> None:
    result = run(group(), tops(*PRICED), mapper.Config(sum_tolerance=D(tolerance)))
    if admitted:
        assert result.candidates.height == 3
    else:
        assert result.candidates.height == 0
        assert result.excluded.rows() == [(M1, code := "DISC_NEGRISK_NOT_EXHAUSTIVE"), (M2, code), (M3, code)]


def test_run_when_yes_mids_sum_far_above_one_then_not_exhaustive() -> None:
    # 0.50 + 0.30 + 0.30 = 1.10: |1.10 − 1| = 0.10 > 0.05
    top = tops(("yes", 0, "0.49", "0.51"), ("y2", 0, "0.29", "0.31"), ("y3", 0, "0.29", "0.31"))
    assert set(run(group(), top).excluded["reason_code"]) == {"DISC_NEGRISK_NOT_EXHAUSTIVE"}


@pytest.mark.parametrize(
    ("overrides", "top", "code"),
    [
        # a closed member (priced, no placeholder) → the whole group
        ({"m2": {"closed": True}}, PRICED, "DISC_NEGRISK_MEMBER_INACTIVE"),
        ({"m3": {"accepting_orders": False}}, PRICED, "DISC_NEGRISK_MEMBER_INACTIVE"),
        # an "Other" outcome
        ({"m3": {"question": "Will any other team win the cup?"}}, PRICED, "DISC_NEGRISK_PLACEHOLDER"),
        # m2 has no two-sided top (only one-sided)
        ({}, (("yes", 0, "0.49", "0.51"), ("y2", 0, "0.29", None), ("y3", 0, "0.17", "0.19")),
         "DISC_NEGRISK_NO_PRICE"),
        # inactive beats placeholder beats no price (documented order)
        ({"m1": {"active": False}, "m2": {"question": "Placeholder outcome?"}}, (), "DISC_NEGRISK_MEMBER_INACTIVE"),
        ({"m2": {"question": "Other?"}}, (), "DISC_NEGRISK_PLACEHOLDER"),
    ],
)
def test_run_when_group_incomplete_then_every_member_excluded_with_code(
    overrides: dict[str, dict[str, object]], top: tuple, code: str
) -> None:
    result = run(group(**overrides), tops(*top))
    assert result.candidates.height == 0
    assert result.excluded.rows() == [(M1, code), (M2, code), (M3, code)]


def test_run_when_not_neg_risk_singleton_or_no_group_then_own_codes() -> None:
    ins = instruments(
        market("m1"),  # not neg-risk
        market("m2", neg_risk_group="g2"),  # alone in g2
        market("m3").model_copy(update={"neg_risk": True}),  # neg-risk, no group id
    )
    result = run(ins, tops(("yes", 0, "0.49", "0.51"), ("y2", 0, "0.49", "0.51"), ("y3", 0, "0.49", "0.51")))
    assert result.candidates.height == 0
    assert result.excluded.rows() == [
        (M1, "DISC_NOT_NEG_RISK"), (M2, "DISC_NEGRISK_SINGLETON"), (M3, "DISC_NEGRISK_NO_GROUP"),
    ]  # fmt: skip


def test_run_when_two_groups_then_scored_apart() -> None:
    # g1 = m1 + m2: 0.70 + 0.31 = 1.01 → score 0.99; g2 = m3 alone → singleton
    ins = instruments(market("m1", neg_risk_group="g1"), market("m2", neg_risk_group="g1"),
                      market("m3", neg_risk_group="g2"))  # fmt: skip
    top = tops(("yes", 0, "0.69", "0.71"), ("y2", 7_000, "0.30", "0.32"), ("y3", 0, "0.5", "0.6"))
    result = run(ins, top)
    assert result.candidates.select("condition_id", "ts_ms").rows() == [(M1, T0 + 7_000), (M2, T0 + 7_000)]
    assert result.candidates["score"].to_list() == pytest.approx([0.99, 0.99], rel=1e-12)
    assert result.excluded.rows() == [(M3, "DISC_NEGRISK_SINGLETON")]


def test_run_when_yes_and_no_tops_at_same_time_then_yes_token_read() -> None:
    # m1 YES 0.60 / 0.62 (mid 0.61) and an inconsistent NO 0.30 / 0.32 (→ YES 0.69) at the same time:
    # the YES top is taken → 0.61 + 0.40 (m2) = 1.01 → score 0.99 (the NO top would give 1.09 → excluded)
    ins = instruments(market("m1", neg_risk_group="g1"), market("m2", neg_risk_group="g1"))
    top = tops(("no", 0, "0.30", "0.32"), ("yes", 0, "0.60", "0.62"), ("y2", 0, "0.39", "0.41"))
    assert run(ins, top).candidates["score"].to_list() == pytest.approx([0.99, 0.99], rel=1e-12)


def test_run_when_empty_inputs_then_typed_empty_result() -> None:
    result = mapper.run(MarketData.of(), mapper.Config())
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.excluded.schema == pl.Schema(EXCLUDED_SCHEMA)
    assert result.candidates.height == result.excluded.height == 0


def test_run_when_same_input_twice_then_same_output() -> None:
    first, second = run(group(), tops(*PRICED)), run(group(), tops(*PRICED))
    assert first.candidates.equals(second.candidates)
    assert first.excluded.equals(second.excluded)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sum_tolerance": D("1.5")}, "sum_tolerance"),
        ({"sum_tolerance": D("0.0000001")}, "sum_tolerance"),
        ({"placeholder_pattern": "(other"}, "not a valid regular expression"),
    ],
)
def test_config_when_invalid_then_validation_error(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=match):
        mapper.Config(**kwargs)
