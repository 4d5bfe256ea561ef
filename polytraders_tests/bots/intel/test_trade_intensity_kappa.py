"""intel.trade_intensity_kappa: hand-checked κ fits, bucketing, prevailing mid, unfit windows, schema."""

from __future__ import annotations

import math

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import trade_intensity_kappa as bot
from polytraders_tests.bots.frames import T0, TOKEN_ID, condition, tops, trades

#: bid 0.50 / ask 0.51 -> mid 0.505, tick 0.01: a print at 0.51 is 0.5 ticks away (bucket 0),
#: 0.52 -> 1.5 (bucket 1), 0.53 -> 2.5 (bucket 2), 0.49 -> 1.5 (bucket 1, below the mid).
TOP = tops(("yes", 0, "0.50", "0.51"), ("no", 0, "0.50", "0.51"))


def prints_at(token: str, start: int, spec: list[tuple[str, int]]) -> list[tuple]:
    """``n`` BUY prints at ``price`` for each (price, n), one per ms from T0 + ``start``."""
    rows, dt = [], start
    for price, n in spec:
        for _ in range(n):
            rows.append((token, dt, price, "5", "BUY"))
            dt += 1
    return rows


def run(rows: list[tuple], config: bot.Config, top: pl.DataFrame = TOP) -> pl.DataFrame:
    """The bot over the prints ``rows`` and the tops ``top``."""
    return bot.run(MarketData.of(trades=trades(*rows), tops=top), config)


def last_kappa(out: pl.DataFrame, token: str = "yes") -> float | None:
    """κ of ``token``'s last row (None without rows)."""
    mine = out.filter(pl.col("token_id") == TOKEN_ID[token])
    return mine["value"][-1] if mine.height else None


def test_run_when_counts_halve_per_tick_then_kappa_is_ln2() -> None:
    # counts 8, 4, 2 in buckets 0, 1, 2: ln r falls by ln 2 per tick -> κ = ln 2 = 0.693147…
    rows = prints_at("yes", 1_000, [("0.51", 8), ("0.52", 4), ("0.53", 2)])
    assert last_kappa(run(rows, bot.Config())) == pytest.approx(math.log(2), abs=1e-12)


def test_run_when_counts_three_two_one_then_least_squares_slope() -> None:
    # x = 0.5, 1.5, 2.5 (centred −1, 0, 1); y = ln 3, ln 2, ln 1 − ln 60 (rate per minute, W = 60 min)
    # slope = Σ(x − x̄)·y / Σ(x − x̄)² = (ln 1 − ln 3) / 2 -> κ = ln 3 / 2 = 0.549306…
    rows = prints_at("yes", 1_000, [("0.51", 3), ("0.52", 2), ("0.53", 1)])
    assert last_kappa(run(rows, bot.Config())) == pytest.approx(math.log(3) / 2, abs=1e-12)


def test_run_when_buckets_grow_then_row_appears_once_enough_buckets() -> None:
    # min 2 buckets: rows at the 0.51 prints (1 bucket) are absent (INTEL_KAPPA_UNFIT);
    # the first 0.52 print makes 2 buckets: κ = ln(3 / 1) = 1.098612…; the second: ln(3 / 2)
    rows = prints_at("yes", 1_000, [("0.51", 3), ("0.52", 2)])
    out = run(rows, bot.Config(min_buckets=2))
    got = [(ts - T0, v) for ts, v in out.select("ts_ms", "value").rows()]
    assert got == [(1_003, pytest.approx(math.log(3), abs=1e-12)), (1_004, pytest.approx(math.log(1.5), abs=1e-12))]


def test_run_when_rates_rise_with_distance_then_no_row() -> None:
    # INTEL_KAPPA_UNFIT: counts end at 1, 2, 4 -> slope +ln 2, κ = −ln 2 ≤ 0 (and at 1003: 1, 2, 1 -> κ = 0
    # up to the rounding of ln: 1e-15, below the floor 1e-9): no row at all
    assert run(prints_at("yes", 1_000, [("0.51", 1), ("0.52", 2), ("0.53", 4)]), bot.Config()).height == 0


def test_run_when_counts_flat_then_no_row() -> None:
    # INTEL_KAPPA_UNFIT: at 1004 counts 2, 2, 1 -> κ = ln 2 / 2 (x centred −1, 0, 1: (0 − ln 2) / 2);
    # at 1005 counts 2, 2, 2 -> κ = 0: that time has no row
    out = run(prints_at("yes", 1_000, [("0.51", 2), ("0.52", 2), ("0.53", 2)]), bot.Config())
    assert [(ts - T0, v) for ts, v in out.select("ts_ms", "value").rows()] == [
        (1_004, pytest.approx(math.log(2) / 2, abs=1e-12))]


def test_run_when_too_few_buckets_then_no_row() -> None:
    # INTEL_KAPPA_UNFIT: two buckets < default min_buckets 3
    assert bot.Config().min_buckets == 3
    assert run(prints_at("yes", 1_000, [("0.51", 5), ("0.52", 1)]), bot.Config()).height == 0


def test_run_when_prints_on_both_sides_then_absolute_distance() -> None:
    # SELL prints at 0.49 are |0.49 − 0.505| = 1.5 ticks away, like BUY prints at 0.52:
    # counts 4 (bucket 0), 2 (bucket 1: one 0.52, one 0.49) -> κ = ln(4 / 2) = ln 2
    rows = prints_at("yes", 1_000, [("0.51", 4), ("0.52", 1)]) + [("yes", 2_000, "0.49", "5", "SELL")]
    assert last_kappa(run(rows, bot.Config(min_buckets=2))) == pytest.approx(math.log(2), abs=1e-12)


def test_run_when_bucket_wider_then_distances_grouped() -> None:
    # w = 2 ticks: 0.5 and 1.5 ticks -> bucket 0 (x = 1), 2.5 and 3.5 -> bucket 1 (x = 3)
    # counts 6 + 2 = 8 and 1 + 1 = 2: κ = ln(8 / 2) / (3 − 1) = ln 4 / 2 = ln 2
    rows = prints_at("yes", 1_000, [("0.51", 6), ("0.52", 2), ("0.53", 1), ("0.54", 1)])
    assert last_kappa(run(rows, bot.Config(bucket_ticks=2, min_buckets=2))) == pytest.approx(math.log(2), abs=1e-12)


def test_run_when_print_beyond_last_bucket_then_not_counted() -> None:
    # max 2 buckets: the 0.53 print (bucket 2) is a sweep beyond the fit; κ = ln(4 / 1) from buckets 0, 1
    # its time still gets a row (the print has a mid), with the same κ
    rows = prints_at("yes", 1_000, [("0.51", 4), ("0.52", 1), ("0.53", 1)])
    out = run(rows, bot.Config(max_buckets=2, min_buckets=2))
    assert out["value"].to_list() == [pytest.approx(math.log(4), abs=1e-12)] * 2


def test_run_when_bucket_below_min_prints_then_left_out_of_fit() -> None:
    # min 2 prints per bucket: counts 8, 4, 1 -> bucket 2 left out; κ = ln(8 / 4) = ln 2 from two buckets
    rows = prints_at("yes", 1_000, [("0.51", 8), ("0.52", 4), ("0.53", 1)])
    config = bot.Config(min_buckets=2, min_prints_per_bucket=2)
    assert last_kappa(run(rows, config)) == pytest.approx(math.log(2), abs=1e-12)


def test_run_when_prints_leave_window_then_only_recent_ones_count() -> None:
    # W = 10 s: the 0.51 × 4 prints at 1000… leave by t = 20 000; then bucket 0 holds 1, bucket 1 holds 2
    # at t=20 001 -> κ = ln(1 / 2) < 0: no row; with W = 1 h all count: 5, 2 -> κ = ln 2.5
    rows = prints_at("yes", 1_000, [("0.51", 4)]) + prints_at("yes", 20_000, [("0.52", 2), ("0.51", 1)])
    assert last_kappa(run(rows, bot.Config(window_ms=10_000, min_buckets=2))) is None
    assert last_kappa(run(rows, bot.Config(min_buckets=2))) == pytest.approx(math.log(2.5), abs=1e-12)


def test_run_when_mid_moves_then_each_print_measured_from_its_prevailing_mid() -> None:
    # top at 0 (mid 0.505) then at 5000: bid 0.52 / ask 0.53 (mid 0.525)
    # 0.51 at 1000.. -> 0.5 ticks (bucket 0) × 3; 0.53 at 6000 -> |0.53 − 0.525| = 0.5 (bucket 0)
    # 0.54 at 6001 -> 1.5 (bucket 1): counts 4, 1 -> κ = ln 4
    moved = tops(("yes", 0, "0.50", "0.51"), ("yes", 5_000, "0.52", "0.53"))
    rows = prints_at("yes", 1_000, [("0.51", 3)]) + prints_at("yes", 6_000, [("0.53", 1), ("0.54", 1)])
    assert last_kappa(run(rows, bot.Config(min_buckets=2), moved)) == pytest.approx(math.log(4), abs=1e-12)


def test_run_when_top_stamped_at_print_time_then_earlier_top_prevails() -> None:
    # the top at 2000 (mid 0.525) may already show the book after the print at 2000: the mid of
    # the top at 0 (0.505) prevails -> 0.52 is 1.5 ticks away (bucket 1), not 0.5 (bucket 0)
    # counts 2 (0.51), 1 (0.52) -> κ = ln 2
    moved = tops(("yes", 0, "0.50", "0.51"), ("yes", 2_000, "0.52", "0.53"))
    rows = prints_at("yes", 1_000, [("0.51", 2)]) + [("yes", 2_000, "0.52", "5", "BUY")]
    assert last_kappa(run(rows, bot.Config(min_buckets=2), moved)) == pytest.approx(math.log(2), abs=1e-12)


def test_run_when_no_prevailing_two_sided_mid_then_print_not_counted() -> None:
    # INTEL_NO_TRADES: prints before any top, or under a one-sided top, have no distance
    before = prints_at("yes", 0, [("0.51", 3), ("0.52", 1)])
    assert run(before, bot.Config(min_buckets=2), tops(("yes", 10_000, "0.50", "0.51"))).height == 0
    one_sided = tops(("yes", 0, "0.50", "0.51"), ("yes", 500, "0.50", None))
    assert run(prints_at("yes", 1_000, [("0.51", 3), ("0.52", 1)]), bot.Config(min_buckets=2), one_sided).height == 0


def test_run_when_half_tick_tick_size_then_distance_in_that_tick() -> None:
    # tick 0.001: bid 0.500 / ask 0.501 -> mid 0.5005; 0.501 is 0.5 ticks, 0.502 is 1.5 ticks: counts 3, 1
    fine = tops(("yes", 0, "0.500", "0.501", "0.001"))
    rows = prints_at("yes", 1_000, [("0.501", 3), ("0.502", 1)])
    assert last_kappa(run(rows, bot.Config(min_buckets=2), fine)) == pytest.approx(math.log(3), abs=1e-12)


def test_run_when_no_trades_then_typed_empty_frame() -> None:
    # the real fixture days have no prints: INTEL_NO_TRADES, no error
    out = bot.run(MarketData.of(tops=TOP), bot.Config())
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert bot.run(MarketData.of(), bot.Config()).schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_two_tokens_then_contract_columns_and_separate_fits() -> None:
    # yes: 4, 1 -> ln 4; no: 2, 1 -> ln 2; rows sorted by token then time
    rows = prints_at("yes", 1_000, [("0.51", 4), ("0.52", 1)]) + prints_at("no", 1_000, [("0.51", 2), ("0.52", 1)])
    out = run(rows, bot.Config(min_buckets=2))
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert last_kappa(out, "yes") == pytest.approx(math.log(4), abs=1e-12)
    assert last_kappa(out, "no") == pytest.approx(math.log(2), abs=1e-12)
    assert out.select("token_id", "ts_ms").rows() == sorted(out.select("token_id", "ts_ms").rows())
    assert set(out.drop("value", "ts_ms").rows()) == {
        ("intel.trade_intensity_kappa", condition(tok), TOKEN_ID[tok], "kappa", "per-tick") for tok in ("yes", "no")
    }


def test_run_when_same_input_twice_or_shuffled_then_same_output() -> None:
    rows = prints_at("yes", 0, [("0.51", 9), ("0.52", 4), ("0.53", 2), ("0.49", 3)])
    rows += prints_at("no", 50, [("0.51", 5), ("0.52", 2), ("0.54", 1)])
    first = run(rows, bot.Config(min_buckets=2))
    assert first.height > 0
    assert first.equals(run(rows, bot.Config(min_buckets=2)))
    assert first.equals(run(list(reversed(rows)), bot.Config(min_buckets=2)))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"window_ms": 0}, "window_ms"),
        ({"bucket_ticks": 0}, "bucket_ticks"),
        ({"max_buckets": 1}, "max_buckets"),
        ({"min_buckets": 1}, "min_buckets"),
        ({"min_buckets": 5, "max_buckets": 4}, "min_buckets"),
        ({"min_prints_per_bucket": 0}, "min_prints_per_bucket"),
    ],
)
def test_config_when_invalid_then_validation_error(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        bot.Config(**kwargs)
