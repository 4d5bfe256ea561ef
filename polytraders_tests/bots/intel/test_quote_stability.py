"""intel.quote_stability: touch changes per minute and mean touch lifetime by hand, warm-up, window edges."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import quote_stability
from polytraders.contracts.frames import empty_frame
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, tops

MIN = 60_000


def run(frame: pl.DataFrame, config: quote_stability.Config | None = None) -> pl.DataFrame:
    """The bot over ``frame`` alone."""
    return quote_stability.run(MarketData.of(tops=frame), config or quote_stability.Config())


def at(out: pl.DataFrame, dt: int) -> dict[str, float]:
    """The readings of the row at T0 + dt."""
    return dict(out.filter(pl.col("ts_ms") == T0 + dt).select("name", "value").rows())


def test_run_when_two_changes_in_the_window_then_rate_and_known_lifetime() -> None:
    # touches: 0.48/0.52 from 0 (first: lifetime unknown), 0.49/0.52 from 10 s, 0.48/0.52 from 40 s
    # at 60 s, window (0, 60 s]: changes at 10 s and 40 s -> 2 per minute; ended touches with a known
    # lifetime: 0.49/0.52, 40 s − 10 s = 30 000 ms
    frame = tops(("yes", 0, "0.48", "0.52"), ("yes", 10_000, "0.49", "0.52"), ("yes", 40_000, "0.48", "0.52"),
                 ("yes", MIN, "0.48", "0.52"))
    assert quote_stability.Config().window_ms == MIN
    assert run(frame).select("name", "value", "unit").rows() == [
        ("touch_changes_per_min", 2.0, "per-minute"), ("touch_lifetime_ms", 30_000.0, "ms"),
    ]


def test_run_when_window_not_yet_covered_then_no_rows_intel_warmup() -> None:
    # rows at 0, 30 s, 59.999 s are less than 60 s after the token's first row; 60 s is the first emitted
    assert quote_stability.WARMUP == "INTEL_WARMUP"
    frame = tops(("yes", 0, "0.48", "0.52"), ("yes", 30_000, "0.47", "0.52"), ("yes", 59_999, "0.47", "0.52"),
                 ("yes", MIN, "0.47", "0.52"))
    out = run(frame)
    assert out["ts_ms"].unique().to_list() == [T0 + MIN]
    # one change (30 s), and it ended the first, left-censored touch: no lifetime row
    assert at(out, MIN) == {"touch_changes_per_min": 1.0}


def test_run_when_touch_held_all_window_then_rate_zero_and_no_lifetime() -> None:
    # at 60 s: no change in (0, 60 s] -> 0 per minute; 90 s repeats it and is left out
    frame = tops(*(("yes", dt, "0.30", "0.70") for dt in (0, 30_000, MIN, 90_000)))
    out = run(frame)
    assert out.select("ts_ms", "name", "value").rows() == [(T0 + MIN, "touch_changes_per_min", 0.0)]


def test_run_when_readings_repeat_then_only_rows_that_change_them() -> None:
    # change at 61 s (ends the first touch: no lifetime); readings at 60 s 0/min, 61 s 1/min, 90 s 1/min
    # (repeat, left out), 121 s 0/min (61 s left the window (61 s, 121 s]), 150 s 0/min (repeat)
    frame = tops(*(("yes", dt, bid, "0.70") for dt, bid in
                   ((0, "0.30"), (MIN, "0.30"), (61_000, "0.31"), (90_000, "0.31"), (121_000, "0.31"),
                    (150_000, "0.31"))))
    out = run(frame)
    assert out.select("ts_ms", "value").rows() == [(T0 + MIN, 0.0), (T0 + 61_000, 1.0), (T0 + 121_000, 0.0)]


def test_run_when_a_side_vanishes_and_returns_then_both_are_changes() -> None:
    # ask gone at 20 s, back at 50 s: two changes; the ask-less touch lived 30 000 ms
    frame = tops(("yes", 0, "0.98", "0.99"), ("yes", 20_000, "0.98", None), ("yes", 50_000, "0.98", "0.99"),
                 ("yes", MIN, "0.98", "0.99"))
    assert at(run(frame), MIN) == {"touch_changes_per_min": 2.0, "touch_lifetime_ms": 30_000.0}


def test_run_when_change_is_exactly_window_old_then_it_has_left_the_window() -> None:
    # changes at 10 s, 20 s, 70 s; at 70 s the window is (10 s, 70 s]: 20 s and 70 s count
    #   lifetimes: 20 s − 10 s = 10 000 (ended at 20 s), 70 s − 20 s = 50 000 (ended at 70 s) -> mean 30 000
    # at 80 s, window (20 s, 80 s]: only 70 s -> 1 per minute, lifetime 50 000
    frame = tops(("yes", 0, "0.40", "0.60"), ("yes", 10_000, "0.41", "0.60"), ("yes", 20_000, "0.41", "0.59"),
                 ("yes", 70_000, "0.40", "0.59"), ("yes", 80_000, "0.40", "0.59"))
    out = run(frame)
    assert at(out, 70_000) == {"touch_changes_per_min": 2.0, "touch_lifetime_ms": 30_000.0}
    assert at(out, 80_000) == {"touch_changes_per_min": 1.0, "touch_lifetime_ms": 50_000.0}


def test_run_when_window_is_two_minutes_then_rate_per_minute_halves_the_count() -> None:
    # window 120 s: changes at 10 s, 20 s, 70 s -> 3 changes · 60 000 / 120 000 = 1.5 per minute
    #   lifetimes 10 000 and 50 000 -> 30 000
    frame = tops(("yes", 0, "0.40", "0.60"), ("yes", 10_000, "0.41", "0.60"), ("yes", 20_000, "0.41", "0.59"),
                 ("yes", 70_000, "0.40", "0.59"), ("yes", 120_000, "0.40", "0.59"))
    out = run(frame, quote_stability.Config(window_ms=120_000))
    assert out.select("ts_ms", "name", "value").rows() == [
        (T0 + 120_000, "touch_changes_per_min", 1.5), (T0 + 120_000, "touch_lifetime_ms", 30_000.0),
    ]


def test_run_when_a_long_lived_touch_ends_then_its_whole_lifetime_counts() -> None:
    # 0.45/0.55 set at 10 s, changed at 600 s: lifetime 590 000 ms although the window is 60 s
    frame = tops(("yes", 0, "0.44", "0.55"), ("yes", 10_000, "0.45", "0.55"), ("yes", 600_000, "0.46", "0.55"))
    assert at(run(frame), 600_000) == {"touch_changes_per_min": 1.0, "touch_lifetime_ms": 590_000.0}


def test_run_when_rows_repeat_the_touch_then_they_are_not_changes() -> None:
    # deeper book changes repeat the touch: 4 rows, 1 change (at 30 s)
    frame = tops(("yes", 0, "0.48", "0.52"), ("yes", 15_000, "0.48", "0.52"), ("yes", 30_000, "0.48", "0.51"),
                 ("yes", 45_000, "0.48", "0.51"), ("yes", MIN, "0.48", "0.51"))
    assert at(run(frame), MIN) == {"touch_changes_per_min": 1.0}


def test_run_when_tokens_interleaved_then_each_alone_and_rows_by_token_then_time() -> None:
    frame = tops(
        ("no", 0, "0.40", "0.60"), ("yes", 5_000, "0.40", "0.60"), ("no", 30_000, "0.41", "0.60"),
        ("yes", 65_000, "0.40", "0.60"), ("no", MIN, "0.41", "0.60"),
    )
    out = run(frame)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    bot, cond = "intel.quote_stability", CONDITION["m1"]
    # TOKEN_ID["yes"] sorts before TOKEN_ID["no"]; yes is 60 s old at 65 s, no at 60 s
    assert out.rows() == [
        (bot, cond, TOKEN_ID["yes"], T0 + 65_000, "touch_changes_per_min", 0.0, "per-minute"),
        (bot, cond, TOKEN_ID["no"], T0 + MIN, "touch_changes_per_min", 1.0, "per-minute"),
    ]
    assert run(frame.reverse()).equals(out)


def test_run_when_no_tops_then_typed_empty_signal_frame() -> None:
    out = run(empty_frame("MarketSnapshot"))
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    frame = tops(*(("yes", i * 7_000, f"0.{40 + i % 3}", "0.60") for i in range(20)))
    assert run(frame).equals(run(frame))


def test_config_when_window_below_one_second_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="window_ms"):
        quote_stability.Config(window_ms=999)
