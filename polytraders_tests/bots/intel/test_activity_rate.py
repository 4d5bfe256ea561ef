"""intel.activity_rate: per-minute counts, the trailing mean baseline and ratios by hand; warm-up, gaps, order."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import activity_rate
from polytraders.contracts.frames import empty_frame
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, tops, trades

#: T0 + ALIGN is a minute boundary (T0 is 20 s into its minute).
ALIGN = 40_000
MIN = 60_000
assert (T0 + ALIGN) % MIN == 0


def at(minute: int, second: int = 0) -> int:
    """dt of ``second`` s into minute ``minute`` (minute 0 starts at T0 + ALIGN; −1 is T0's partial minute)."""
    return ALIGN + minute * MIN + second * 1_000


def end_of(minute: int) -> int:
    """ts_ms of the reading at the end of ``minute``."""
    return T0 + at(minute + 1)


def updates(token: str, per_minute: dict[int, int]) -> list[tuple]:
    """``per_minute[m]`` top-of-book rows of ``token`` in minute m (one a second)."""
    return [(token, at(m, s), "0.48", "0.52") for m, n in per_minute.items() for s in range(n)]


def prints(token: str, per_minute: dict[int, int]) -> list[tuple]:
    return [(token, at(m, s), "0.50", "1", "BUY") for m, n in per_minute.items() for s in range(n)]


def run(config: activity_rate.Config, top_rows: list[tuple], trade_rows: list[tuple] = ()) -> pl.DataFrame:
    data = MarketData.of(tops=tops(*top_rows) if top_rows else empty_frame("MarketSnapshot"),
                         trades=trades(*trade_rows) if trade_rows else empty_frame("TradePrint"))
    return activity_rate.run(data, config)


def readings(out: pl.DataFrame, minute: int) -> dict[str, float]:
    return dict(out.filter(pl.col("ts_ms") == end_of(minute)).select("name", "value").rows())


def test_run_when_rates_change_then_ratio_to_the_mean_of_the_minutes_before() -> None:
    # minute 0 and 5 are partial (first / last event); complete: 1..4
    # updates u1..u4 = 2, 4, 6, 1; prints x1..x4 = 1, 0, 3, 0; S = 1, B = 2
    # minute 3: rate 6, baseline (2 + 4) / 2 = 3 -> 2; prints: 3, baseline (1 + 0) / 2 = 0.5 -> 6
    # minute 4: rate 1, baseline (4 + 6) / 2 = 5 -> 0.2; prints: 0, baseline (0 + 3) / 2 = 1.5 -> 0
    top_rows = updates("yes", {0: 1, 1: 2, 2: 4, 3: 6, 4: 1, 5: 1})
    trade_rows = prints("yes", {1: 1, 3: 3})
    out = run(activity_rate.Config(rate_window_min=1, baseline_window_min=2), top_rows, trade_rows)
    assert out["ts_ms"].unique(maintain_order=True).to_list() == [end_of(3), end_of(4)]
    assert readings(out, 3) == {"book_updates_per_min": 6.0, "book_update_ratio": 2.0,
                                "trades_per_min": 3.0, "trade_ratio": 6.0}
    assert readings(out, 4) == {"book_updates_per_min": 1.0, "book_update_ratio": pytest.approx(0.2, abs=1e-12),
                                "trades_per_min": 0.0, "trade_ratio": 0.0}
    assert out.filter(pl.col("ts_ms") == end_of(3)).select("name", "unit").rows() == [
        ("book_updates_per_min", "per-minute"), ("book_update_ratio", "ratio"),
        ("trades_per_min", "per-minute"), ("trade_ratio", "ratio"),
    ]


def test_run_when_rate_window_two_minutes_then_rate_is_their_mean() -> None:
    # S = 2, B = 1; complete minutes 1..3 with u = 3, 5, 9: at minute 3 rate (5 + 9) / 2 = 7, baseline 3 -> 7/3
    out = run(activity_rate.Config(rate_window_min=2, baseline_window_min=1),
              updates("yes", {0: 1, 1: 3, 2: 5, 3: 9, 4: 1}))
    assert readings(out, 3) == {"book_updates_per_min": 7.0, "book_update_ratio": pytest.approx(7 / 3, abs=1e-12),
                                "trades_per_min": 0.0}
    assert out["ts_ms"].unique().to_list() == [end_of(3)]


def test_run_when_default_windows_then_first_reading_after_eleven_complete_minutes_intel_warmup() -> None:
    # S = 1, B = 10: complete minutes 1..13 (0 and 14 partial); the first reading is at minute 11 (1 + 10
    # baseline); minutes 12 and 13 repeat its readings and are left out
    assert activity_rate.WARMUP == "INTEL_WARMUP"
    config = activity_rate.Config()
    assert (config.rate_window_min, config.baseline_window_min) == (1, 10)
    out = run(config, updates("yes", {m: 4 for m in range(15)}))
    assert out["ts_ms"].unique(maintain_order=True).to_list() == [end_of(11)]
    assert readings(out, 11) == {"book_updates_per_min": 4.0, "book_update_ratio": 1.0, "trades_per_min": 0.0}


def test_run_when_a_minute_is_empty_then_no_row_for_it_but_zero_in_later_windows() -> None:
    # u0..u5 = 2, 2, 2, 0, 1, 1 (0 and 5 partial); S = 1, B = 2: minute 3 has no event, so no row;
    # minute 4: rate 1, baseline (u2 + u3) / 2 = (2 + 0) / 2 = 1 -> ratio 1 (not (2 + 2) / 2 from the
    # two previous minutes with events)
    out = run(activity_rate.Config(rate_window_min=1, baseline_window_min=2),
              updates("yes", {0: 2, 1: 2, 2: 2, 4: 1, 5: 1}))
    assert out["ts_ms"].unique().to_list() == [end_of(4)]
    assert readings(out, 4) == {"book_updates_per_min": 1.0, "book_update_ratio": 1.0, "trades_per_min": 0.0}


def test_run_when_a_reading_repeats_then_only_the_readings_that_changed() -> None:
    # u = 1, 2, 2, 4, 4, 1 (0 and 5 partial); S = 1, B = 1:
    # minute 2: rate 2, ratio 2 / 2 = 1; minute 3: rate 4, ratio 4 / 2 = 2; minute 4: rate 4 (repeat), ratio 1
    out = run(activity_rate.Config(rate_window_min=1, baseline_window_min=1),
              updates("yes", {0: 1, 1: 2, 2: 2, 3: 4, 4: 4, 5: 1}))
    assert out.select("ts_ms", "name", "value").rows() == [
        (end_of(2), "book_updates_per_min", 2.0), (end_of(2), "book_update_ratio", 1.0),
        (end_of(2), "trades_per_min", 0.0),
        (end_of(3), "book_updates_per_min", 4.0), (end_of(3), "book_update_ratio", 2.0),
        (end_of(4), "book_update_ratio", 1.0),
    ]


def test_run_when_baseline_is_zero_then_no_ratio_row() -> None:
    # no updates in minutes 1, 2 (baseline 0), 3 in minute 3: rate emitted, ratio undefined (INTEL_WARMUP)
    out = run(activity_rate.Config(rate_window_min=1, baseline_window_min=2), updates("yes", {0: 1, 3: 3, 4: 1}))
    assert readings(out, 3) == {"book_updates_per_min": 3.0, "trades_per_min": 0.0}


def test_run_when_a_token_has_only_prints_then_update_ratio_absent_and_trade_ratio_present() -> None:
    # prints x0..x4 = 1, 2, 2, 4, 1: complete 1..3; S = 1, B = 2: minute 3: 4 / ((2 + 2) / 2) = 2
    out = run(activity_rate.Config(rate_window_min=1, baseline_window_min=2), [],
              prints("no", {0: 1, 1: 2, 2: 2, 3: 4, 4: 1}))
    assert out.select("token_id", "ts_ms", "name", "value").rows() == [
        (TOKEN_ID["no"], end_of(3), "book_updates_per_min", 0.0),
        (TOKEN_ID["no"], end_of(3), "trades_per_min", 4.0),
        (TOKEN_ID["no"], end_of(3), "trade_ratio", 2.0),
    ]


def test_run_when_tokens_interleaved_then_each_has_its_own_span_and_rows_by_token_then_time() -> None:
    # yes: minutes 0..3 (complete 1, 2); no: minutes 1..4 (complete 2, 3); S = B = 1
    top_rows = updates("no", {1: 1, 2: 2, 3: 6, 4: 1}) + updates("yes", {0: 1, 1: 4, 2: 2, 3: 1})
    out = run(activity_rate.Config(rate_window_min=1, baseline_window_min=1), top_rows)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    bot, cond = "intel.activity_rate", CONDITION["m1"]
    assert out.rows() == [
        (bot, cond, TOKEN_ID["yes"], end_of(2), "book_updates_per_min", 2.0, "per-minute"),
        (bot, cond, TOKEN_ID["yes"], end_of(2), "book_update_ratio", 0.5, "ratio"),
        (bot, cond, TOKEN_ID["yes"], end_of(2), "trades_per_min", 0.0, "per-minute"),
        (bot, cond, TOKEN_ID["no"], end_of(3), "book_updates_per_min", 6.0, "per-minute"),
        (bot, cond, TOKEN_ID["no"], end_of(3), "book_update_ratio", 3.0, "ratio"),
        (bot, cond, TOKEN_ID["no"], end_of(3), "trades_per_min", 0.0, "per-minute"),
    ]


def test_run_when_no_tops_and_no_trades_then_typed_empty_signal_frame() -> None:
    out = run(activity_rate.Config(), [])
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    top_rows = updates("yes", {m: 1 + m % 3 for m in range(14)}) + updates("no", {m: 2 for m in range(13)})
    config = activity_rate.Config(baseline_window_min=3)
    assert run(config, top_rows).equals(run(config, top_rows))


@pytest.mark.parametrize("field", ["rate_window_min", "baseline_window_min"])
def test_config_when_window_zero_then_validation_error(field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        activity_rate.Config(**{field: 0})
