"""disc.new_market_sniffer: listing time, hydration wait, exclusion codes and order, window bounds, schema."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.disc import new_market_sniffer as sniffer
from polytraders.bots.inputs import CANDIDATE_SCHEMA, EXCLUDED_SCHEMA, MarketData, ScanResult
from polytraders_tests.bots.frames import CONDITION, T0, instruments, market, tops

M1, M2, M3 = CONDITION["m1"], CONDITION["m2"], CONDITION["m3"]


def run(ins: pl.DataFrame, top: pl.DataFrame, config: sniffer.Config | None = None) -> ScanResult:
    return sniffer.run(MarketData.of(instruments=ins, tops=top), config or sniffer.Config())


def test_run_when_markets_listed_in_window_then_admitted_after_hydration() -> None:
    # Window: W0 = earliest as_of = T0 (m1, m3 records); W1 = latest time = T0 + 200_000 (m1's last top).
    ins = instruments(
        market("m1", start_dt=10_000),  # listed T0 + 10 s (start date)
        market("m2", as_of_dt=50_000),  # no start date: listed at its first record, T0 + 50 s
        market("m2", as_of_dt=150_000),
        market("m3", start_dt=190_000),  # listed T0 + 190 s
    )
    top = tops(
        # m1: first top T0 + 20 s → admission max(10 s, 20 s) + 60 s = T0 + 80_000; score 10 / 200 = 0.05
        ("yes", 20_000, "0.40", None),
        ("yes", 200_000, "0.40", "0.42"),
        # m2: a top before its listing (T0 + 30 s) → admission max(50 s, 30 s) + 60 s = T0 + 110_000;
        #     score 50 / 200 = 0.25
        ("n2", 30_000, "0.58", "0.60"),
        # m3: first top T0 + 195 s → admission T0 + 255_000 > W1 → still hydrating
        ("y3", 195_000, "0.10", "0.12"),
    )
    result = run(ins, top)
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.candidates.rows() == [
        ("disc.new_market_sniffer", M2, T0 + 110_000, 1, 0.25, ["DISC_NEW_MARKET"]),
        ("disc.new_market_sniffer", M1, T0 + 80_000, 2, 0.05, ["DISC_NEW_MARKET"]),
    ]
    assert result.excluded.rows() == [(M3, "DISC_HYDRATING")]


def test_run_when_each_failure_then_its_code_in_documented_order() -> None:
    ins = instruments(
        market("m1"),  # listed at its as_of T0 = W0: already listed when the window opened
        market("m2", start_dt=5_000),  # new, never seen on the feed
        market("m3", start_dt=5_000, closed=True),  # new and seen, but closed: NOT_ACTIVE comes first
    )
    top = tops(("yes", 0, "0.40", "0.42"), ("y3", 6_000, "0.40", "0.42"), ("yes", 500_000, "0.40", "0.42"))
    result = run(ins, top)
    assert result.candidates.height == 0
    assert result.excluded.rows() == [(M1, "DISC_NOT_NEW"), (M2, "DISC_NEW_NO_BOOK"), (M3, "DISC_NOT_ACTIVE")]


@pytest.mark.parametrize(
    ("hydration_ms", "code"),
    [
        # m2 listed T0 + 5 s, first top T0 + 10 s, W1 = T0 + 70_000 (m1's top):
        (60_000, None),  # admission 10 s + 60 s = 70 s = W1 → admitted (admission ≤ W1)
        (60_001, "DISC_HYDRATING"),  # admission T0 + 70_001 > W1
        (0, None),  # no wait: admitted at its first top, T0 + 10_000
    ],
)
def test_run_when_admission_at_window_end_then_admitted(hydration_ms: int, code: str | None) -> None:
    ins = instruments(market("m1"), market("m2", start_dt=5_000))
    top = tops(("y2", 10_000, "0.40", "0.42"), ("yes", 70_000, "0.40", "0.42"))
    result = run(ins, top, sniffer.Config(hydration_ms=hydration_ms))
    excluded = dict(result.excluded.rows())
    assert excluded[M1] == "DISC_NOT_NEW"
    if code is None:
        # score (5 − 0) / 70 = 1/14
        assert result.candidates.select("condition_id", "ts_ms").rows() == [(M2, T0 + 10_000 + hydration_ms)]
        assert result.candidates["score"].to_list() == pytest.approx([5 / 70], rel=1e-12)
    else:
        assert excluded[M2] == code


def test_run_when_window_configured_then_bounds_decide_newness() -> None:
    # window [T0 + 10 s, T0 + 100 s]: m1 listed T0 + 10 s (= W0, not new), m2 T0 + 50 s (new),
    # m3 T0 + 150 s (after W1, not new). m2: first top T0 + 55 s, hydration 30 s → T0 + 85_000;
    # score (50 − 10) / (100 − 10) = 4/9
    ins = instruments(market("m1", start_dt=10_000), market("m2", start_dt=50_000), market("m3", start_dt=150_000))
    top = tops(("yes", 10_000, "0.40", "0.42"), ("y2", 55_000, "0.40", "0.42"), ("y3", 150_000, "0.40", "0.42"))
    config = sniffer.Config(hydration_ms=30_000, window_start_ms=T0 + 10_000, window_end_ms=T0 + 100_000)
    result = run(ins, top, config)
    assert result.candidates.select("condition_id", "ts_ms").rows() == [(M2, T0 + 85_000)]
    assert result.candidates["score"].to_list() == pytest.approx([4 / 9], rel=1e-12)
    assert result.excluded.rows() == [(M1, "DISC_NOT_NEW"), (M3, "DISC_NOT_NEW")]


def test_run_when_empty_inputs_then_typed_empty_result() -> None:
    result = sniffer.run(MarketData.of(), sniffer.Config())
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.excluded.schema == pl.Schema(EXCLUDED_SCHEMA)
    assert result.candidates.height == result.excluded.height == 0
    # instruments without tops: W1 = latest as_of (T0 + 1 s); m2 listed T0 + 1 s is new but never seen
    only = run(instruments(market("m1"), market("m2", as_of_dt=1_000)), tops())
    assert only.excluded.rows() == [(M1, "DISC_NOT_NEW"), (M2, "DISC_NEW_NO_BOOK")]


def test_run_when_same_input_twice_then_same_output() -> None:
    ins = instruments(market("m1"), market("m2", start_dt=1_000), market("m3", start_dt=2_000))
    top = tops(("y2", 1_000, "0.40", "0.42"), ("y3", 2_000, "0.40", "0.42"), ("yes", 900_000, "0.40", "0.42"))
    first, second = run(ins, top), run(ins, top)
    assert first.candidates.equals(second.candidates)
    assert first.excluded.equals(second.excluded)
    ids = first.candidates["condition_id"].to_list() + first.excluded["condition_id"].to_list()
    assert sorted(ids) == sorted([M1, M2, M3])
    # m3 (listed 2 s) ranks before m2 (listed 1 s): newest first
    assert first.candidates["condition_id"].to_list() == [M3, M2]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hydration_ms": -1}, "hydration_ms"),
        ({"window_start_ms": 10, "window_end_ms": 5}, "window_end_ms 5 < window_start_ms 10"),
    ],
)
def test_config_when_invalid_then_validation_error(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        sniffer.Config(**kwargs)
