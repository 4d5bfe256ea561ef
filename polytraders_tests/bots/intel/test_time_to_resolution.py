"""intel.time_to_resolution: hand-checked hours and tapers, as-of instrument records, absent end dates, and the
row rule (first snapshot, taper moves of at least taper_step, the first zero)."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import time_to_resolution as ttr
from polytraders.bots.token_rows import keyed_rows
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
    #   dt 13 h  -> -1 h,  x = clip(-1/24) = 0: the taper is still 0, no row (step 0.01)
    snaps = tops(*(("yes", dt, "0.48", "0.52") for dt in (0, 6 * H, 23 * H // 2, 12 * H, 13 * H)))
    out = run(snaps, instruments(market("m1", end_dt=12 * H)), taper_start_hours=24.0)
    assert values(out, "hours_to_end") == approx(12.0, 6.0, 0.5, 0.0)
    assert values(out, "taper") == approx(0.5, 0.25, 1 / 48, 0.0)
    # with a step too small to skip anything, -1 h has no row either: 0 repeats the last taper
    assert values(run(snaps, instruments(market("m1", end_dt=12 * H)), taper_step=1e-9), "taper") == approx(
        0.5, 0.25, 1 / 48, 0.0)


def test_run_when_end_beyond_the_taper_start_then_taper_one() -> None:
    # 48 h to end, start 24 h: x = clip(48/24) = 1; exactly 24 h: x = 1 (the taper did not move: no row at 24 h)
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 24 * H, "0.48", "0.52"))
    out = run(snaps, instruments(market("m1", end_dt=48 * H)), taper_start_hours=24.0)
    assert values(out, "hours_to_end") == approx(48.0)
    assert values(out, "taper") == [1.0]


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


def test_run_when_taper_moves_less_than_the_step_then_no_row_until_it_has_moved_a_step_or_reached_zero() -> None:
    # end at 16 h, start 16 h: taper = hours / 16; step 0.12 (no move lands within an ulp of it). Last row's taper e:
    #   0 h     -> 16 h, 1       first snapshot: row, e = 1
    #   1 h     -> 15 h, 15/16   |15/16 − 1| = 0.0625 < 0.12: none
    #   2 h     -> 14 h, 14/16   |14/16 − 1| = 0.125 ≥ 0.12: row, e = 7/8
    #   3 h     -> 13 h, 13/16   0.0625: none
    #   5 h     -> 11 h, 11/16   0.1875: row, e = 11/16
    #   6 h     -> 10 h, 10/16   0.0625: none
    #   15.5 h  -> 0.5 h, 1/32   21/32 = 0.65625: row, e = 1/32
    #   15.75 h -> 0.25 h, 1/64  0.015625: none
    #   16 h    -> 0 h, 0        only 1/32 = 0.03125 moved, but the taper reached 0: row, e = 0
    #   17 h    -> -1 h, 0       no move: none
    dts = (0, H, 2 * H, 3 * H, 5 * H, 6 * H, 31 * H // 2, 63 * H // 4, 16 * H, 17 * H)
    out = run(tops(*(("yes", dt, "0.48", "0.52") for dt in dts)), instruments(market("m1", end_dt=16 * H)),
              taper_start_hours=16.0, taper_step=0.12)
    assert out.filter(pl.col("name") == "taper")["ts_ms"].to_list() == [T0 + dt for dt in (0, 2 * H, 5 * H,
                                                                                            31 * H // 2, 16 * H)]
    assert values(out, "taper") == approx(1.0, 7 / 8, 11 / 16, 1 / 32, 0.0)
    assert values(out, "hours_to_end") == approx(16.0, 14.0, 11.0, 0.5, 0.0)
    assert out["name"].to_list() == ["hours_to_end", "taper"] * 5


def test_run_when_the_end_date_moves_then_a_row_only_when_the_taper_moved_a_step_either_way() -> None:
    # start 16 h, step 0.12; v1 (as of 0) ends at 8 h, v2 (as of 1 h) at 8.5 h, v3 (as of 2 h) at 12 h:
    #   0 h: 8 h to end, taper 8/16 = 0.5                 first: row, e = 0.5
    #   1 h: 7.5 h, 7.5/16 = 0.46875                      |0.46875 − 0.5| = 0.03125 < 0.12: none
    #   2 h: 10 h, 10/16 = 0.625                          +0.125 (the end moved out) ≥ 0.12: row, e = 0.625
    #   3 h: 9 h, 9/16 = 0.5625                           0.0625: none
    records = instruments(market("m1", end_dt=8 * H), market("m1", end_dt=17 * H // 2, as_of_dt=H),
                          market("m1", end_dt=12 * H, as_of_dt=2 * H))
    out = run(tops(*(("yes", dt * H, "0.48", "0.52") for dt in range(4))), records, taper_start_hours=16.0,
              taper_step=0.12)
    assert values(out, "taper") == approx(0.5, 0.625)
    assert values(out, "hours_to_end") == approx(8.0, 10.0)


def test_run_when_two_tokens_then_each_has_its_own_first_row_and_steps() -> None:
    # one market, end 16 h, start 16 h, step 0.12. yes at 0 h and 1 h: 1, 15/16 (0.0625 moved) -> row at 0 only;
    # no at 1 h (its first: row, 15/16) and 3 h (13/16: 0.125 from its own 15/16: row)
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", H, "0.48", "0.52"), ("no", H, "0.48", "0.52"),
                 ("no", 3 * H, "0.48", "0.52"))
    out = run(snaps, instruments(market("m1", end_dt=16 * H)), taper_start_hours=16.0, taper_step=0.12)
    tapers = out.filter(pl.col("name") == "taper")
    assert tapers.select("token_id", "ts_ms").rows() == [(TOKEN_ID["yes"], T0), (TOKEN_ID["no"], T0 + H),
                                                         (TOKEN_ID["no"], T0 + 3 * H)]
    assert tapers["value"].to_list() == approx(1.0, 15 / 16, 13 / 16)


def sequential(values: list[float], groups: list[int], step: float) -> list[bool]:
    """The row rule as its definition reads, one row after the other."""
    out, last = [], None
    for i, v in enumerate(values):
        if i == 0 or groups[i] != groups[i - 1]:
            out.append(True)
            last = v
        elif abs(v - last) >= step or (v == 0 and last != 0):
            out.append(True)
            last = v
        else:
            out.append(False)
    return out


@pytest.mark.parametrize("few", [0, 10**9])  # all rounds of arrays, all row by row
@pytest.mark.parametrize("seed", range(4))
def test_emitted_when_random_sequences_then_the_sequential_rule(seed: int, few: int,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # falling ramps with flat stretches, zeros, rises (end dates moved) and group changes
    monkeypatch.setattr(ttr, "FEW_GROUPS", few)
    monkeypatch.setattr(ttr, "FEW_ROWS", few)
    rng = random.Random(seed)
    values, groups = [], []
    for group in range(rng.randint(20, 40)):
        v = rng.random()
        for _ in range(rng.randint(1, 80)):
            r = rng.random()
            v = min(1.0, v + rng.random() / 3) if r < 0.05 else 0.0 if r < 0.1 else v if r < 0.3 else max(
                0.0, v - rng.random() / rng.choice([10, 50, 400]))
            values.append(v)
            groups.append(group)
    first = np.array([i == 0 or groups[i] != groups[i - 1] for i in range(len(groups))])
    for step in (0.01, 0.05, 0.3, 1.0):
        got = ttr.emitted(np.array(values), first, step)
        assert got.tolist() == sequential(values, groups, step)
    assert ttr.emitted(np.array([]), np.array([], dtype=bool), 0.01).size == 0


def test_run_when_read_as_of_each_snapshot_then_the_taper_within_a_step() -> None:
    # every 7 min over 30 h to an end at 24 h, start 20 h, step 0.05: as of each snapshot the latest row's taper
    # is within 0.05 of the snapshot's own, and exactly 0 from the end on
    snaps = tops(*(("yes", m * 7 * 60_000, "0.48", "0.52") for m in range(30 * 60 // 7)))
    records = instruments(market("m1", end_dt=24 * H))
    every = run(snaps, records, taper_start_hours=20.0, taper_step=1e-12).filter(pl.col("name") == "taper")
    rows = run(snaps, records, taper_start_hours=20.0, taper_step=0.05).filter(pl.col("name") == "taper")
    seen = every.join_asof(rows.select("ts_ms", pl.col("value").alias("seen")), on="ts_ms")
    assert rows.height < 30
    assert (seen["value"] - seen["seen"]).abs().max() < 0.05
    assert seen.filter(pl.col("value") == 0)["seen"].to_list() == [0.0] * seen.filter(pl.col("value") == 0).height


def test_keyed_rows_when_sorted_or_not_then_rows_by_token_and_time_with_integer_keys() -> None:
    # token ids sort yes (10^20) < no (10^20 + 7) < y2 (10^20 + 14); an unsorted frame is sorted stably, a sorted
    # one is returned in its order; _tok indexes the tokens frame
    snaps = tops(("y2", 5, "0.10", "0.90"), ("yes", 9, "0.48", "0.52"), ("yes", 3, "0.47", "0.52"),
                 ("no", 1, "0.40", "0.50"), ("yes", 3, "0.46", "0.52"))
    expected = [(0, T0 + 3, "0.470000"), (0, T0 + 3, "0.460000"), (0, T0 + 9, "0.480000"), (1, T0 + 1, "0.400000"),
                (2, T0 + 5, "0.100000")]
    for frame in (snaps, snaps.sort("token_id", "ts_ms", maintain_order=True)):
        rows, tokens = keyed_rows(frame, ["best_bid"])
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
    ("field", "value"),
    [("taper_start_hours", 0.0), ("taper_start_hours", -1.0), ("taper_shape", "cubic"), ("taper_step", 0.0),
     ("taper_step", 1.5)],
)
def test_config_when_invalid_then_validation_error(field: str, value: object) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        ttr.Config(**{field: value})
