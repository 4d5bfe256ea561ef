"""disc.reward_ranker: hand-checked reward scores, exclusion codes and their order, schema, determinism."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pydantic
import pytest

from polytraders.bots.disc import reward_ranker as ranker
from polytraders.bots.inputs import CANDIDATE_SCHEMA, EXCLUDED_SCHEMA, MarketData, ScanResult
from polytraders.contracts import RewardsParams
from polytraders_tests.bots.frames import CONDITION, T0, instruments, market, tops

M1, M2, M3 = CONDITION["m1"], CONDITION["m2"], CONDITION["m3"]


def rewards(max_spread_cents: str, min_size: str = "50") -> RewardsParams:
    return RewardsParams(min_size=D(min_size), max_spread_cents=D(max_spread_cents))


def run(ins: pl.DataFrame, top: pl.DataFrame, config: ranker.Config | None = None) -> ScanResult:
    return ranker.run(MarketData.of(instruments=ins, tops=top), config or ranker.Config())


def test_run_when_three_rewarded_markets_then_scores_by_hand() -> None:
    ins = instruments(
        market("m1", rewards=rewards("3")),
        market("m2", rewards=rewards("4.5")),
        market("m3", rewards=rewards("3")),
    )
    top = tops(
        # m1: 0.48 / 0.52 → d = 2 c, v = 3 c: fit = ((3 − 2) / 3)² = 1/9; mid 0.50 → centrality 1
        #     score = 1/9 ≈ 0.1111 (the earlier 0.40 / 0.60 top is not the latest)
        ("yes", 0, "0.40", "0.60"),
        ("yes", 1_000, "0.48", "0.52"),
        # m2: quoted on NO only, 0.69 / 0.70 (YES 0.30 / 0.31): d = 0.5 c, v = 4.5 c
        #     fit = (4 / 4.5)² = 64/81; mid 0.695 → centrality 1 − 2 · 0.195 = 0.61
        #     score = 64/81 · 0.61 ≈ 0.48198
        ("n2", 2_000, "0.69", "0.70"),
        # m3: 0.04 / 0.06 → d = 1 c, v = 3 c: fit = (2/3)² = 4/9; mid 0.05 → centrality 1 − 0.9 = 0.1,
        #     extreme (< 0.10) → × 0.5: score = 4/9 · 0.1 · 0.5 ≈ 0.02222; a later one-sided top is skipped
        ("y3", 500, "0.04", "0.06"),
        ("y3", 3_000, None, "0.06"),
    )
    result = run(ins, top)
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    rows = result.candidates.rows()
    assert [(r[1], r[2], r[3], r[5]) for r in rows] == [
        (M2, T0 + 2_000, 1, ["DISC_REWARD_RANKED"]),
        (M1, T0 + 1_000, 2, ["DISC_REWARD_RANKED"]),
        (M3, T0 + 500, 3, ["DISC_REWARD_RANKED"]),
    ]
    assert [r[4] for r in rows] == pytest.approx([64 / 81 * 0.61, 1 / 9, 4 / 9 * 0.1 * 0.5], rel=1e-12)
    assert result.excluded.height == 0


def test_run_when_extreme_band_factor_one_then_no_two_sided_penalty() -> None:
    # m3 alone: 0.92 / 0.94 → d = 1 c, v = 2 c: fit = (1/2)² = 0.25; mid 0.93 → centrality 1 − 0.86 = 0.14
    # factor 1 → 0.035; factor 0.5 (default) → 0.0175
    ins = instruments(market("m3", rewards=rewards("2")))
    top = tops(("y3", 0, "0.92", "0.94"))
    assert run(ins, top, ranker.Config(extreme_band_factor=1.0)).candidates["score"].to_list() == pytest.approx(
        [0.035], rel=1e-12
    )
    assert run(ins, top).candidates["score"].to_list() == pytest.approx([0.0175], rel=1e-12)


@pytest.mark.parametrize(
    ("bid", "ask", "code", "score"),
    [
        ("0.47", "0.53", "DISC_REWARD_SPREAD_WIDE", None),  # d = 3 c = v → S = 0
        ("0.46", "0.54", "DISC_REWARD_SPREAD_WIDE", None),  # d = 4 c > v
        ("0.48", "0.53", None, 1 / 36 * 0.99),  # d = 2.5 c: fit = (0.5/3)² = 1/36; mid 0.505 → 1 − 0.01
        ("0.49", "0.51", None, 4 / 9),  # d = 1 c: fit = (2/3)²; mid 0.50 → 1
    ],
)
def test_run_when_spread_at_band_edge_then_excluded_or_scored(
    bid: str, ask: str, code: str | None, score: float | None
) -> None:
    result = run(instruments(market("m1", rewards=rewards("3"))), tops(("yes", 0, bid, ask)))
    if code is None:
        assert result.candidates["score"].to_list() == pytest.approx([score], rel=1e-12)
        assert result.excluded.height == 0
    else:
        assert result.candidates.height == 0
        assert result.excluded.rows() == [(M1, code)]


def test_run_when_each_failure_then_its_code_in_documented_order() -> None:
    ins = instruments(
        market("m1", rewards=rewards("3"), closed=True),  # closed and also no book → NOT_ACTIVE first
        market("m2"),  # no rewards (and no book) → NO_REWARDS before NO_LIVE_BOOK
        market("m3", rewards=rewards("3")),  # rewards but only one-sided tops → NO_LIVE_BOOK
    )
    top = tops(("y3", 0, "0.50", None), ("n3", 0, None, "0.50"))
    result = run(ins, top)
    assert result.candidates.height == 0
    assert result.excluded.rows() == [(M1, "DISC_NOT_ACTIVE"), (M2, "DISC_NO_REWARDS"), (M3, "DISC_NO_LIVE_BOOK")]


def test_run_when_max_spread_zero_then_no_rewards() -> None:
    ins = instruments(market("m1", rewards=rewards("0", "100")))
    result = run(ins, tops(("yes", 0, "0.49", "0.51")))
    assert result.excluded.rows() == [(M1, "DISC_NO_REWARDS")]


def test_run_when_yes_and_no_tops_at_same_time_then_one_candidate() -> None:
    # mirrored book: YES 0.40 / 0.42, NO 0.58 / 0.60 at the same time → d = 1 c, v = 2 c: fit 1/4;
    # |mid − 0.5| = 0.09 for both → centrality 0.82: score 0.205 either way
    ins = instruments(market("m1", rewards=rewards("2")))
    result = run(ins, tops(("yes", 0, "0.40", "0.42"), ("no", 0, "0.58", "0.60")))
    assert result.candidates.select("condition_id", "ts_ms").rows() == [(M1, T0)]
    assert result.candidates["score"].to_list() == pytest.approx([0.205], rel=1e-12)


def test_run_when_ties_then_rank_by_condition_id() -> None:
    # same book and band → same score (1/9); m1 (0x0101…) before m2 (0x0202…)
    ins = instruments(market("m2", rewards=rewards("3")), market("m1", rewards=rewards("3")))
    result = run(ins, tops(("y2", 0, "0.48", "0.52"), ("yes", 0, "0.48", "0.52")))
    assert result.candidates.select("condition_id", "rank").rows() == [(M1, 1), (M2, 2)]


def test_run_when_empty_inputs_then_typed_empty_result() -> None:
    result = ranker.run(MarketData.of(), ranker.Config())
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.excluded.schema == pl.Schema(EXCLUDED_SCHEMA)
    assert result.candidates.height == result.excluded.height == 0
    # instruments without any top: every market excluded, none dropped
    only = run(instruments(market("m1", rewards=rewards("3"))), tops())
    assert only.excluded.rows() == [(M1, "DISC_NO_LIVE_BOOK")]


def test_run_when_same_input_twice_then_same_output() -> None:
    ins = instruments(market("m1", rewards=rewards("3")), market("m2", rewards=rewards("3")), market("m3"))
    top = tops(("yes", 0, "0.48", "0.52"), ("y2", 0, "0.10", "0.20"))
    first, second = run(ins, top), run(ins, top)
    assert first.candidates.equals(second.candidates)
    assert first.excluded.equals(second.excluded)
    ids = first.candidates["condition_id"].to_list() + first.excluded["condition_id"].to_list()
    assert sorted(ids) == sorted([M1, M2, M3])


def test_config_when_factor_out_of_range_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="extreme_band_factor"):
        ranker.Config(extreme_band_factor=1.5)
