"""intel.time_to_resolution: hand-checked hours and tapers, as-of instrument records, absent end dates."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import time_to_resolution as ttr
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, instruments, market, tops

H = 3_600_000  # ms per hour


def run(snapshots: pl.DataFrame, records: pl.DataFrame, **config: object) -> pl.DataFrame:
    return ttr.run(MarketData.of(tops=snapshots, instruments=records), ttr.Config(**config))


def values(out: pl.DataFrame, name: str) -> list[float]:
    return out.filter(pl.col("name") == name)["value"].to_list()


def approx(*expected: float) -> list[object]:
    """Float64 hours come from a division by 3 600 000 ms (polars multiplies by the reciprocal): 1e-12."""
    return [pytest.approx(v, abs=1e-12) for v in expected]


def test_run_when_linear_taper_then_hours_and_fraction_of_the_start_window() -> None:
    # end at T0 + 12 h, taper start 24 h:
    #   dt 0     -> 12 h,  x = 12/24 = 0.5
    #   dt 6 h   ->  6 h,  x = 6/24 = 0.25
    #   dt 11.5h -> 0.5 h, x = 0.5/24 = 1/48
    #   dt 12 h  ->  0 h,  x = 0
    #   dt 13 h  -> -1 h,  x = clip(-1/24) = 0
    snaps = tops(*(("yes", dt, "0.48", "0.52") for dt in (0, 6 * H, 23 * H // 2, 12 * H, 13 * H)))
    out = run(snaps, instruments(market("m1", end_dt=12 * H)), taper_start_hours=24.0)
    assert values(out, "hours_to_end") == approx(12.0, 6.0, 0.5, 0.0, -1.0)
    assert values(out, "taper") == approx(0.5, 0.25, 1 / 48, 0.0, 0.0)


def test_run_when_end_beyond_the_taper_start_then_taper_one() -> None:
    # 48 h to end, start 24 h: x = clip(48/24) = 1; exactly 24 h: x = 1
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 24 * H, "0.48", "0.52"))
    out = run(snaps, instruments(market("m1", end_dt=48 * H)), taper_start_hours=24.0)
    assert values(out, "hours_to_end") == approx(48.0, 24.0)
    assert values(out, "taper") == [1.0, 1.0]


def test_run_when_smoothstep_then_cubic_ramp() -> None:
    # end at 4 h, start 4 h; x = hours / 4, taper = x²(3 − 2x):
    #   3 h: x = 0.75 -> 0.5625 · 1.5 = 0.84375
    #   2 h: x = 0.5  -> 0.25 · 2 = 0.5
    #   1 h: x = 0.25 -> 0.0625 · 2.5 = 0.15625
    snaps = tops(*(("yes", dt * H, "0.48", "0.52") for dt in (1, 2, 3)))
    out = run(snaps, instruments(market("m1", end_dt=4 * H)), taper_start_hours=4.0, taper_shape="smoothstep")
    assert values(out, "taper") == approx(0.84375, 0.5, 0.15625)


def test_run_when_records_change_then_each_snapshot_uses_the_record_as_of_its_time() -> None:
    # v1 (as of T0) ends at 10 h; v2 (as of T0 + 1 h) ends at 20 h.
    #   top at 0.5 h -> v1: 10 − 0.5 = 9.5 h;  top at 2 h -> v2: 20 − 2 = 18 h;  at exactly 1 h -> v2: 19 h
    records = instruments(market("m1", end_dt=10 * H), market("m1", end_dt=20 * H, as_of_dt=H))
    snaps = tops(("yes", H // 2, "0.48", "0.52"), ("yes", H, "0.48", "0.52"), ("yes", 2 * H, "0.48", "0.52"))
    assert values(run(snaps, records), "hours_to_end") == approx(9.5, 19.0, 18.0)


def test_run_when_two_records_of_one_time_then_the_later_row_counts() -> None:
    # both as of T0: the second (end 5 h) wins over the first (end 9 h)
    records = instruments(market("m1", end_dt=9 * H), market("m1", end_dt=5 * H))
    assert values(run(tops(("yes", 0, "0.48", "0.52")), records), "hours_to_end") == approx(5.0)


def test_run_when_no_end_date_or_no_record_yet_then_no_row() -> None:
    # m1 has an end date; m2 has none (INTEL_NO_END_DATE); m3's only record is as of T0 + 1 h, after its top.
    records = instruments(market("m1", end_dt=2 * H), market("m2"), market("m3", end_dt=9 * H, as_of_dt=H))
    snaps = tops(("yes", 0, "0.48", "0.52"), ("y2", 0, "0.48", "0.52"), ("y3", 0, "0.48", "0.52"))
    out = run(snaps, records)
    assert out["token_id"].unique().to_list() == [TOKEN_ID["yes"]]
    assert values(out, "hours_to_end") == approx(2.0)
    assert ttr.NO_END_DATE == "INTEL_NO_END_DATE"


def test_run_when_one_sided_snapshots_and_tokens_interleaved_then_rows_by_token_time_and_name() -> None:
    # end 8 h, start 16 h: taper = hours / 16.  "no" at 4 h (one-sided) -> 4 h, 0.25; "yes" at 0 -> 8 h, 0.5
    snaps = tops(("no", 4 * H, None, "0.52"), ("yes", 0, "0.48", "0.52"))
    out = run(snaps, instruments(market("m1", end_dt=8 * H)), taper_start_hours=16.0)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    order = sorted([TOKEN_ID["yes"], TOKEN_ID["no"]])
    expected = {TOKEN_ID["yes"]: (T0, 8.0, 0.5), TOKEN_ID["no"]: (T0 + 4 * H, 4.0, 0.25)}
    assert out["value"].to_list() == approx(*(v for tok in order for v in expected[tok][1:]))
    assert out.drop("value").rows() == [
        row
        for tok in order
        for row in (
            ("intel.time_to_resolution", CONDITION["m1"], tok, expected[tok][0], "hours_to_end", "hours"),
            ("intel.time_to_resolution", CONDITION["m1"], tok, expected[tok][0], "taper", "fraction"),
        )
    ]


def test_token_rows_when_sorted_or_not_then_rows_by_token_and_time_with_integer_keys() -> None:
    # token ids sort yes (10^20) < no (10^20 + 7) < y2 (10^20 + 14); an unsorted frame is sorted stably, a sorted
    # one is returned in its order; _tok indexes the tokens frame
    snaps = tops(("y2", 5, "0.10", "0.90"), ("yes", 9, "0.48", "0.52"), ("yes", 3, "0.47", "0.52"),
                 ("no", 1, "0.40", "0.50"), ("yes", 3, "0.46", "0.52"))
    expected = [(0, T0 + 3, "0.470000"), (0, T0 + 3, "0.460000"), (0, T0 + 9, "0.480000"), (1, T0 + 1, "0.400000"),
                (2, T0 + 5, "0.100000")]
    for frame in (snaps, snaps.sort("token_id", "ts_ms", maintain_order=True)):
        rows, tokens = ttr.token_rows(frame, ["best_bid"])
        assert [(t, ts, str(b)) for t, ts, b in rows.rows()] == expected
        assert tokens.rows() == [(0, CONDITION["m1"], TOKEN_ID["yes"]), (1, CONDITION["m1"], TOKEN_ID["no"]),
                                 (2, CONDITION["m2"], TOKEN_ID["y2"])]


@pytest.mark.parametrize("which", ["tops", "instruments", "both"])
def test_run_when_input_empty_then_typed_empty_frame(which: str) -> None:
    snaps = tops(("yes", 0, "0.48", "0.52")) if which == "instruments" else tops()
    records = instruments(market("m1", end_dt=H)) if which == "tops" else instruments()
    out = run(snaps, records)
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    snaps = tops(("yes", 0, "0.48", "0.52"), ("y2", 5, "0.10", "0.90"))
    records = instruments(market("m1", end_dt=H), market("m2", end_dt=3 * H))
    assert run(snaps, records).equals(run(snaps, records))


@pytest.mark.parametrize(
    ("field", "value"), [("taper_start_hours", 0.0), ("taper_start_hours", -1.0), ("taper_shape", "cubic")]
)
def test_config_when_invalid_then_validation_error(field: str, value: object) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        ttr.Config(**{field: value})
