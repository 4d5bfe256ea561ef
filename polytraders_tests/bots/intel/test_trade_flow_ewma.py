"""intel.trade_flow_ewma: hand-checked decayed flow and z-scores, netting, warm-up, schema, determinism."""

from __future__ import annotations

import math

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import trade_flow_ewma as bot
from polytraders_tests.bots.frames import T0, TOKEN_ID, condition, tops, trades


def run(prints: pl.DataFrame, config: bot.Config, **frames: pl.DataFrame) -> pl.DataFrame:
    """The bot over ``prints`` (and any other frames)."""
    return bot.run(MarketData.of(trades=prints, **frames), config)


def values(out: pl.DataFrame, name: str) -> list[tuple[int, float]]:
    """(dt, value) of the rows called ``name``."""
    return [(ts - T0, v) for ts, v in out.filter(pl.col("name") == name).select("ts_ms", "value").rows()]


def test_run_when_prints_decay_by_time_then_exact_recursive_sum() -> None:
    # H = 1000 ms. t=0: BUY 8 -> F = 8
    # t=2000: BUY 2 -> F = 2 + 8 · 2^(−2000/1000) = 2 + 2 = 4
    # t=2500: SELL 3 -> F = −3 + 4 · 2^(−0.5) = −3 + 2√2 = −0.171572…
    prints = trades(("yes", 0, "0.50", "8", "BUY"), ("yes", 2_000, "0.51", "2", "BUY"),
                    ("yes", 2_500, "0.49", "3", "SELL"))
    out = run(prints, bot.Config(half_life_ms=1_000))
    third = pytest.approx(-3 + 2 * math.sqrt(2), abs=1e-12)
    assert values(out, "trade_flow") == [(0, 8.0), (2_000, 4.0), (2_500, third)]


def test_run_when_prints_share_a_millisecond_then_netted_into_one_reading() -> None:
    # t=0: BUY 10 and SELL 4 -> v = +6 (one row); t=1000: SELL 1 -> F = −1 + 6 · 2^(−1) = 2
    prints = trades(("yes", 0, "0.50", "10", "BUY"), ("yes", 0, "0.49", "4", "SELL"),
                    ("yes", 1_000, "0.49", "1", "SELL"))
    out = run(prints, bot.Config(half_life_ms=1_000))
    assert values(out, "trade_flow") == [(0, 6.0), (1_000, 2.0)]


def test_run_when_decimal_sizes_then_signed_sum_exact_before_float() -> None:
    # 0.1 + 0.2 − 0.3 = 0 exactly in Decimal (not 5.55e-17 as in floats)
    prints = trades(("yes", 0, "0.50", "0.1", "BUY"), ("yes", 0, "0.50", "0.2", "BUY"),
                    ("yes", 0, "0.50", "0.3", "SELL"))
    assert values(run(prints, bot.Config()), "trade_flow") == [(0, 0.0)]


def test_run_when_gap_is_huge_then_past_flow_fully_decayed_without_nan() -> None:
    # 2^(−86_400_000 / 1) underflows to 0: F = v exactly
    prints = trades(("yes", 0, "0.50", "7", "BUY"), ("yes", 86_400_000, "0.50", "3", "SELL"))
    out = run(prints, bot.Config(half_life_ms=1, z_window_ms=2))
    assert values(out, "trade_flow") == [(0, 7.0), (86_400_000, -3.0)]


def test_run_when_two_tokens_then_flows_do_not_mix() -> None:
    # yes: BUY 4 at 0, BUY 4 at 1000 -> 4, 4 + 2 = 6; no: SELL 5 at 500 -> −5 (its own first reading)
    prints = trades(("yes", 0, "0.50", "4", "BUY"), ("no", 500, "0.50", "5", "SELL"),
                    ("yes", 1_000, "0.50", "4", "BUY"))
    out = run(prints, bot.Config(half_life_ms=1_000)).filter(pl.col("name") == "trade_flow")
    by_token = {tok: out.filter(pl.col("token_id") == TOKEN_ID[tok])["value"].to_list() for tok in ("yes", "no")}
    assert by_token == {"yes": [4.0, 6.0], "no": [-5.0]}
    assert set(zip(out["token_id"], out["condition_id"], strict=True)) == {
        (TOKEN_ID["yes"], condition("yes")), (TOKEN_ID["no"], condition("no"))}


def test_run_when_window_holds_enough_readings_then_z_score_of_latest() -> None:
    # H = 1000: BUY 4 at 0, 1000, 2000 -> F = 4, 4 + 2 = 6, 4 + 3 = 7
    # window (2000 − 10000, 2000] holds all three: mean = 17/3
    # deviations −5/3, 1/3, 4/3; Σ² = (25 + 1 + 16)/9 = 42/9; var = 42/9 / 2 = 7/3
    # z = (4/3) / √(7/3) = 4 / √21 = 0.872871…; the first two readings are warming up (INTEL_WARMUP)
    prints = trades(*(("yes", dt, "0.50", "4", "BUY") for dt in (0, 1_000, 2_000)))
    out = run(prints, bot.Config(half_life_ms=1_000, z_window_ms=10_000, min_z_samples=3))
    assert values(out, "trade_flow_z") == [(2_000, pytest.approx(4 / math.sqrt(21), abs=1e-12))]


def test_run_when_old_readings_leave_window_then_z_uses_recent_ones_only() -> None:
    # same flows 4, 6, 7; W = 1500 -> at t=1000 window (−500, 1000] = {4, 6}: mean 5, std √2, z = 1/√2
    # at t=2000 window (500, 2000] = {6, 7}: mean 6.5, std √0.5, z = 0.5/√0.5 = √0.5
    prints = trades(*(("yes", dt, "0.50", "4", "BUY") for dt in (0, 1_000, 2_000)))
    out = run(prints, bot.Config(half_life_ms=1_000, z_window_ms=1_500, min_z_samples=2))
    assert values(out, "trade_flow_z") == [(1_000, pytest.approx(math.sqrt(0.5), abs=1e-12)),
                                          (2_000, pytest.approx(math.sqrt(0.5), abs=1e-12))]


def test_run_when_window_flat_then_no_z_row() -> None:
    # H = 1 ms, gaps 1000 ms: every F = v = 5 exactly; std 0 -> no z row (INTEL_WARMUP)
    prints = trades(*(("yes", dt, "0.50", "5", "BUY") for dt in (0, 1_000, 2_000)))
    out = run(prints, bot.Config(half_life_ms=1, z_window_ms=10_000, min_z_samples=2))
    assert values(out, "trade_flow") == [(0, 5.0), (1_000, 5.0), (2_000, 5.0)]
    assert values(out, "trade_flow_z") == []


def test_run_when_default_config_and_few_prints_then_flow_only_warmup() -> None:
    # default min_z_samples = 20 > 3 readings: INTEL_WARMUP, no z row yet
    config = bot.Config()
    assert (config.half_life_ms, config.z_window_ms, config.min_z_samples) == (60_000, 3_600_000, 20)
    prints = trades(*(("yes", dt, "0.50", "5", side) for dt, side in ((0, "BUY"), (1, "SELL"), (2, "BUY"))))
    out = run(prints, config)
    assert out["name"].unique().to_list() == ["trade_flow"]
    assert out.height == 3


def test_run_when_no_trades_then_typed_empty_frame() -> None:
    # the real fixture days carry no trade prints: INTEL_NO_TRADES for every token, no error
    empty = run(trades(), bot.Config(), tops=tops(("yes", 0, "0.48", "0.52")))
    assert empty.height == 0
    assert empty.schema == pl.Schema(SIGNAL_SCHEMA)
    assert bot.run(MarketData.of(), bot.Config()).schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_token_has_no_trades_then_it_has_no_rows() -> None:
    # INTEL_NO_TRADES: "no" has a top but no print
    out = run(trades(("yes", 0, "0.50", "1", "BUY")), bot.Config(),
              tops=tops(("yes", 0, "0.48", "0.52"), ("no", 0, "0.48", "0.52")))
    assert out["token_id"].unique().to_list() == [TOKEN_ID["yes"]]


def test_run_when_mixed_rows_then_contract_columns_sorted_by_token_time_name() -> None:
    prints = trades(("yes", 1_000, "0.50", "4", "BUY"), ("yes", 0, "0.50", "4", "BUY"),
                    ("yes", 2_000, "0.50", "4", "BUY"))
    out = run(prints, bot.Config(half_life_ms=1_000, z_window_ms=10_000, min_z_samples=3))
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert out.drop("value").rows() == [
        ("intel.trade_flow_ewma", condition("yes"), TOKEN_ID["yes"], T0, "trade_flow", "shares"),
        ("intel.trade_flow_ewma", condition("yes"), TOKEN_ID["yes"], T0 + 1_000, "trade_flow", "shares"),
        ("intel.trade_flow_ewma", condition("yes"), TOKEN_ID["yes"], T0 + 2_000, "trade_flow", "shares"),
        ("intel.trade_flow_ewma", condition("yes"), TOKEN_ID["yes"], T0 + 2_000, "trade_flow_z", "z-score"),
    ]
    assert out["value"].to_list()[:3] == [4.0, 6.0, 7.0]  # unsorted input sorted by time first


def test_run_when_same_input_twice_or_shuffled_then_same_output() -> None:
    rows = [("yes", dt, "0.50", str(dt % 7 + 1), "BUY" if dt % 3 else "SELL") for dt in range(0, 40_000, 1_300)]
    rows += [("no", dt, "0.40", "2", "SELL") for dt in range(0, 40_000, 2_100)]
    config = bot.Config(half_life_ms=5_000, z_window_ms=20_000, min_z_samples=3)
    first = run(trades(*rows), config)
    assert first.equals(run(trades(*rows), config))
    assert first.equals(run(trades(*reversed(rows)), config))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"half_life_ms": 0}, "half_life_ms"),
        ({"min_z_samples": 1}, "min_z_samples"),
        ({"half_life_ms": 5_000, "z_window_ms": 5_000}, "z_window_ms"),
    ],
)
def test_config_when_invalid_then_validation_error(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        bot.Config(**kwargs)
