"""intel.vwap_deviation: hand-checked deviations, window edges, tick sources, warm-up, schema, determinism."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import vwap_deviation as bot
from polytraders_tests.bots.frames import T0, TOKEN_ID, condition, instruments, market, tops, trades

TOP = tops(("yes", 0, "0.49", "0.51"), ("no", 0, "0.49", "0.51"))


def run(prints: pl.DataFrame, config: bot.Config, top: pl.DataFrame = TOP, **frames: pl.DataFrame) -> pl.DataFrame:
    """The bot over ``prints`` and ``top`` (tick sizes)."""
    return bot.run(MarketData.of(trades=prints, tops=top, **frames), config)


def values(out: pl.DataFrame, token: str = "yes") -> list[tuple[int, float]]:
    """(dt, value) of ``token``'s rows."""
    return [(ts - T0, v) for ts, v in out.filter(pl.col("token_id") == TOKEN_ID[token]).select("ts_ms", "value").rows()]


def test_run_when_window_slides_then_vwap_of_recent_prints() -> None:
    # W = 2000, min 2 prints, tick 0.01
    # t=0: 0.50 × 10 alone -> 1 print < 2: no row (INTEL_WARMUP)
    # t=1000: VWAP = (5 + 5.2) / 20 = 0.51; (0.52 − 0.51) / 0.01 = +1
    # t=2500: window (500, 2500] = {0.52 × 10, 0.53 × 20}: VWAP = (5.2 + 10.6) / 30 = 15.8 / 30
    #         (0.53 · 30 − 15.8) / (30 · 0.01) = 0.1 / 0.3 = 1/3
    prints = trades(("yes", 0, "0.50", "10", "BUY"), ("yes", 1_000, "0.52", "10", "BUY"),
                    ("yes", 2_500, "0.53", "20", "BUY"))
    out = run(prints, bot.Config(window_ms=2_000, min_prints=2))
    assert values(out) == [(1_000, 1.0), (2_500, pytest.approx(1 / 3, abs=1e-12))]


def test_run_when_print_exactly_one_window_old_then_excluded() -> None:
    # W = 1000: window at t=1000 is (0, 1000]: the print at 0 is out -> 1 print < 2: no row
    prints = trades(("yes", 0, "0.50", "10", "BUY"), ("yes", 1_000, "0.52", "10", "BUY"))
    assert values(run(prints, bot.Config(window_ms=1_000, min_prints=2))) == []
    assert values(run(prints, bot.Config(window_ms=1_001, min_prints=2))) == [(1_000, 1.0)]


def test_run_when_prints_share_a_millisecond_then_last_in_input_order_is_last_trade() -> None:
    # t=0: 0.50 × 10 and 0.48 × 30: VWAP = (5 + 14.4) / 40 = 0.485
    # last = 0.48: (0.48 − 0.485) / 0.01 = −0.5; the other order: last = 0.50: +1.5
    first, second = ("yes", 0, "0.50", "10", "BUY"), ("yes", 0, "0.48", "30", "SELL")
    config = bot.Config(min_prints=2)
    assert values(run(trades(first, second), config)) == [(0, pytest.approx(-0.5, abs=1e-12))]
    assert values(run(trades(second, first), config)) == [(0, pytest.approx(1.5, abs=1e-12))]


def test_run_when_tick_size_changes_then_deviation_in_the_current_ticks() -> None:
    # prints 0.500 × 10 at 0 and 0.505 × 10 at 1000: VWAP 0.5025, last − VWAP = 0.0025
    # at 1000 the top (t=500) has tick 0.001 -> 2.5 ticks; with only the t=0 top (0.01) -> 0.25
    prints = trades(("yes", 0, "0.500", "10", "BUY"), ("yes", 1_000, "0.505", "10", "BUY"))
    finer = tops(("yes", 0, "0.49", "0.51"), ("yes", 500, "0.499", "0.501", "0.001"))
    config = bot.Config(min_prints=2)
    assert values(run(prints, config, finer)) == [(1_000, pytest.approx(2.5, abs=1e-12))]
    assert values(run(prints, config)) == [(1_000, pytest.approx(0.25, abs=1e-12))]


def test_run_when_top_at_same_millisecond_then_its_tick_is_used() -> None:
    # the top at t=1000 (tick 0.001) is "at or before" the update at t=1000: 0.0025 / 0.001 = 2.5
    prints = trades(("yes", 0, "0.500", "10", "BUY"), ("yes", 1_000, "0.505", "10", "BUY"))
    finer = tops(("yes", 0, "0.49", "0.51"), ("yes", 1_000, "0.499", "0.501", "0.001"))
    assert values(run(prints, bot.Config(min_prints=2), finer)) == [(1_000, pytest.approx(2.5, abs=1e-12))]


def test_run_when_no_top_then_instrument_tick_as_of_the_print() -> None:
    # no top: tick from the m1 record (0.001, as of T0): (0.505 − 0.5025) / 0.001 = 2.5
    prints = trades(("yes", 0, "0.500", "10", "BUY"), ("yes", 1_000, "0.505", "10", "BUY"))
    config = bot.Config(min_prints=2)
    records = instruments(market("m1", tick="0.001", as_of_dt=0))
    assert values(run(prints, config, tops(), instruments=records)) == [(1_000, pytest.approx(2.5, abs=1e-12))]
    # a record that only becomes true after the print does not count: no tick yet (INTEL_WARMUP)
    later = instruments(market("m1", tick="0.001", as_of_dt=5_000))
    assert run(prints, config, tops(), instruments=later).height == 0


def test_run_when_no_tick_size_known_then_no_row() -> None:
    # INTEL_WARMUP: the only top comes after the prints, no instrument record
    prints = trades(("yes", 0, "0.50", "10", "BUY"), ("yes", 1_000, "0.52", "10", "BUY"))
    late_top = tops(("yes", 5_000, "0.49", "0.51"))
    assert run(prints, bot.Config(min_prints=1), late_top).height == 0


def test_run_when_window_has_no_volume_then_no_row() -> None:
    # INTEL_NO_TRADES: two prints of size 0 -> VWAP 0 / 0; a later real print gives a defined VWAP
    # t=2000: Σq = 10, VWAP = 0.52, last = 0.52 -> 0
    prints = trades(("yes", 0, "0.50", "0", "BUY"), ("yes", 1_000, "0.51", "0", "SELL"),
                    ("yes", 2_000, "0.52", "10", "BUY"))
    assert values(run(prints, bot.Config(min_prints=1))) == [(2_000, 0.0)]


def test_run_when_two_tokens_then_windows_do_not_mix() -> None:
    # yes: 0.50 × 10, 0.52 × 10 -> +1 at 1000; no: 0.40 × 10 at 500 alone -> 0 (min 1 print)
    prints = trades(("yes", 0, "0.50", "10", "BUY"), ("no", 500, "0.40", "10", "SELL"),
                    ("yes", 1_000, "0.52", "10", "BUY"))
    out = run(prints, bot.Config(min_prints=1))
    assert values(out, "yes") == [(0, 0.0), (1_000, 1.0)]
    assert values(out, "no") == [(500, 0.0)]


def test_run_when_default_config_then_three_prints_needed() -> None:
    # default W = 10 min, min 3 prints: rows from the third print on (INTEL_WARMUP before)
    # t=2000: VWAP = (0.50 + 0.52 + 0.54) · 10 / 30 = 0.52; 0.54 − 0.52 = 2 ticks
    config = bot.Config()
    assert (config.window_ms, config.min_prints) == (600_000, 3)
    prints = trades(*(("yes", dt, p, "10", "BUY") for dt, p in ((0, "0.50"), (1_000, "0.52"), (2_000, "0.54"))))
    assert values(run(prints, config)) == [(2_000, pytest.approx(2.0, abs=1e-12))]


def test_run_when_no_trades_then_typed_empty_frame() -> None:
    # the real fixture days have no prints: INTEL_NO_TRADES for every token, no error
    out = run(trades(), bot.Config())
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert bot.run(MarketData.of(), bot.Config()).schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_mixed_rows_then_contract_columns_sorted_by_token_and_time() -> None:
    prints = trades(("yes", 1_000, "0.52", "10", "BUY"), ("no", 0, "0.40", "1", "BUY"), ("yes", 0, "0.50", "10", "BUY"))
    out = run(prints, bot.Config(min_prints=1))
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    first, second = sorted(("yes", "no"), key=lambda tok: TOKEN_ID[tok])
    expected = [(tok, dt) for tok in (first, second) for dt in ((0, 1_000) if tok == "yes" else (0,))]
    assert out.drop("value").rows() == [
        ("intel.vwap_deviation", condition(tok), TOKEN_ID[tok], T0 + dt, "vwap_deviation", "ticks")
        for tok, dt in expected
    ]


def test_run_when_same_input_twice_or_shuffled_then_same_output() -> None:
    rows = [("yes", dt, f"0.{40 + dt % 17}", str(dt % 5 + 1), "BUY") for dt in range(0, 60_000, 700)]
    rows += [("no", dt, "0.45", "3", "SELL") for dt in range(0, 60_000, 1_100)]
    config = bot.Config(window_ms=5_000, min_prints=2)
    first = run(trades(*rows), config)
    assert first.height > 0
    assert first.equals(run(trades(*rows), config))
    assert first.equals(run(trades(*reversed(rows)), config))


@pytest.mark.parametrize(("kwargs", "field"), [({"window_ms": 0}, "window_ms"), ({"min_prints": 0}, "min_prints")])
def test_config_when_invalid_then_validation_error(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        bot.Config(**kwargs)
