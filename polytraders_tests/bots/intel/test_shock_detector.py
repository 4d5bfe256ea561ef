"""intel.shock_detector: hand-checked jumps (mid, touch, tick changes) and sweeps (size, depth)."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import shock_detector as sd
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, books, tops, trades

NO_SIZE_RULE = {"typical_window_prints": 50, "typical_min_prints": 50}  # never 50 earlier prints in these tests


def run(data: MarketData, **config: object) -> pl.DataFrame:
    return sd.run(data, sd.Config(**config))


def events(out: pl.DataFrame) -> list[tuple[str, int, str]]:
    """(short token name, dt, name) of every row."""
    short = {v: k for k, v in TOKEN_ID.items()}
    return [(short[tok], ts - T0, name) for tok, ts, name in out.select("token_id", "ts_ms", "name").rows()]


def test_run_when_mid_moves_n_ticks_then_jump_either_way() -> None:
    # mids 0.50 -> 0.54 (+4 ticks: no) -> 0.59 (+5: jump) -> 0.54 (−5: jump) -> 0.545 (+0.5: no)
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 1_000, "0.52", "0.56"), ("yes", 2_000, "0.57", "0.61"),
                 ("yes", 3_000, "0.52", "0.56"), ("yes", 4_000, "0.53", "0.56"))
    assert events(run(MarketData.of(tops=snaps), jump_ticks=5)) == [("yes", 2_000, "jump"), ("yes", 3_000, "jump")]


def test_run_when_one_sided_snapshot_between_then_mid_compared_with_last_two_sided() -> None:
    # mid 0.50; one-sided (no mid: nothing to test); mid 0.55 vs 0.50 = 5 ticks -> jump at 2 000
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 1_000, None, "0.60"), ("yes", 2_000, "0.54", "0.56"))
    assert events(run(MarketData.of(tops=snaps), jump_ticks=5)) == [("yes", 2_000, "jump")]
    # with the touch: at 1 000 the ask moved 0.52 -> 0.60 = 8 ticks (jump); at 2 000 the bid 0.48 -> 0.54 = 6
    assert events(run(MarketData.of(tops=snaps), jump_ticks=5, jump_on_touch=True)) == [
        ("yes", 1_000, "jump"), ("yes", 2_000, "jump"),
    ]


def test_run_when_only_one_touch_side_moves_then_jump_only_with_jump_on_touch() -> None:
    # bid 0.40 -> 0.45 (5 ticks), ask stays 0.60: mid 0.50 -> 0.525 = 2.5 ticks
    snaps = tops(("yes", 0, "0.40", "0.60"), ("yes", 1_000, "0.45", "0.60"))
    assert run(MarketData.of(tops=snaps), jump_ticks=5).height == 0
    assert events(run(MarketData.of(tops=snaps), jump_ticks=5, jump_on_touch=True)) == [("yes", 1_000, "jump")]


def test_run_when_tick_size_shrinks_then_the_coarser_tick_is_used_at_the_change() -> None:
    # 1 000: tick 0.01 -> 0.001, mid 0.97 -> 0.975 = 0.005 = 0.5 tick of the coarser 0.01: no jump
    # 2 000: tick 0.001 both, mid 0.975 -> 0.98 = 5 ticks of 0.001: jump
    snaps = tops(("yes", 0, "0.96", "0.98", "0.01"), ("yes", 1_000, "0.965", "0.985", "0.001"),
                 ("yes", 2_000, "0.970", "0.990", "0.001"))
    assert events(run(MarketData.of(tops=snaps), jump_ticks=5)) == [("yes", 2_000, "jump")]


def test_run_when_tokens_interleave_then_each_compared_with_its_own_previous() -> None:
    # yes 0.50 -> 0.51; y2 0.20 -> 0.30 (10 ticks: jump). Across tokens 0.50 -> 0.20 would be a jump: must not be.
    snaps = tops(("yes", 0, "0.49", "0.51"), ("y2", 500, "0.19", "0.21"), ("yes", 1_000, "0.50", "0.52"),
                 ("y2", 1_500, "0.29", "0.31"))
    out = run(MarketData.of(tops=snaps), jump_ticks=5)
    assert events(out) == [("y2", 1_500, "jump")]
    assert out["condition_id"].to_list() == [CONDITION["m2"]]


def test_run_when_print_k_times_the_median_of_earlier_prints_then_sweep() -> None:
    # window 3, min 3, k 2. sizes 10, 20, 30, 40, 50 at 0..4 s:
    #   0-2 s: fewer than 3 earlier prints -> rule off
    #   3 s: 40 ≥ 2 · median(10, 20, 30) = 40 -> sweep (equality counts)
    #   4 s: 50 < 2 · median(20, 30, 40) = 60 -> no
    prints = trades(*(("yes", i * 1_000, "0.50", str(q), "BUY") for i, q in enumerate((10, 20, 30, 40, 50))))
    out = run(MarketData.of(trades=prints), sweep_size_multiple=2, typical_window_prints=3, typical_min_prints=3)
    assert events(out) == [("yes", 3_000, "sweep")]


@pytest.mark.parametrize(("size", "swept"), [("25", True), ("24.999999", False)])
def test_run_when_median_is_a_half_then_threshold_exact(size: str, swept: bool) -> None:
    # window 2: median(10, 15) = 12.5; k = 2 -> 25 exactly (micro-units: 25 000 000 vs 2 · 12 500 000)
    prints = trades(("yes", 0, "0.5", "10", "SELL"), ("yes", 1, "0.5", "15", "SELL"), ("yes", 2, "0.5", size, "SELL"))
    out = run(MarketData.of(trades=prints), sweep_size_multiple=2, typical_window_prints=2, typical_min_prints=2)
    assert events(out) == ([("yes", 2, "sweep")] if swept else [])


BOOK = books(("yes", 0, [("0.48", "80"), ("0.46", "500")], [("0.52", "100"), ("0.53", "50"), ("0.55", "1000")]))


@pytest.mark.parametrize(
    ("side", "size", "near", "swept"),
    [
        # near 1 tick of the best ask 0.52: 0.52 + 0.53 = 150; 50 % -> 75: 100·75 = 7 500 ≥ 50·150 = 7 500
        ("BUY", "75", 1, True),
        ("BUY", "74.999999", 1, False),
        # near 3 ticks: 0.55 too -> 1 150; 50 % -> 575
        ("BUY", "75", 3, False),
        # SELL hits the bids: within 1 tick of 0.48 only 80 (0.46 is 2 ticks away); 50 % -> 40
        ("SELL", "40", 1, True),
        ("SELL", "39", 1, False),
        # near 2 ticks: 80 + 500 = 580 -> 290
        ("SELL", "40", 2, False),
        # near 0 ticks: the best level alone, 100 -> 50
        ("BUY", "50", 0, True),
    ],
)
def test_run_when_print_is_a_share_of_near_touch_depth_then_sweep(side: str, size: str, near: int,
                                                                  swept: bool) -> None:
    prints = trades(("yes", 1_000, "0.52", size, side))
    out = run(MarketData.of(trades=prints, books=BOOK), sweep_depth_pct=50, near_touch_ticks=near, **NO_SIZE_RULE)
    assert events(out) == ([("yes", 1_000, "sweep")] if swept else [])


def test_run_when_book_not_strictly_before_the_print_then_depth_rule_off() -> None:
    # the print at the book's own ms (T0) cannot use it (the book may already show the print); 1 000 of 150 is huge
    prints = trades(("yes", 0, "0.52", "1000", "BUY"))
    assert run(MarketData.of(trades=prints, books=BOOK), sweep_depth_pct=50, **NO_SIZE_RULE).height == 0


def test_run_when_the_side_hit_is_empty_then_depth_rule_off() -> None:
    one_sided = books(("yes", 0, [("0.48", "80")], []))
    prints = trades(("yes", 1_000, "0.52", "1", "BUY"))
    assert run(MarketData.of(trades=prints, books=one_sided), **NO_SIZE_RULE).height == 0


def test_run_when_jump_and_sweeps_at_one_time_then_one_row_per_kind_sorted() -> None:
    # y2 at 1 000: mid 0.20 -> 0.30 (jump) and two prints of 200 vs depth 100 (one "sweep" row);
    # yes at 500: mid 0.50 -> 0.60 (jump).  Rows by token id, ts, name.
    snaps = tops(("yes", 0, "0.49", "0.51"), ("yes", 500, "0.59", "0.61"),
                 ("y2", 0, "0.19", "0.21"), ("y2", 1_000, "0.29", "0.31"))
    depth = books(("y2", 0, [("0.19", "100")], [("0.21", "100")]))
    prints = trades(("y2", 1_000, "0.21", "200", "BUY"), ("y2", 1_000, "0.21", "200", "BUY"))
    out = run(MarketData.of(tops=snaps, trades=prints, books=depth), jump_ticks=5, **NO_SIZE_RULE)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    expected = sorted([("yes", 500, "jump"), ("y2", 1_000, "jump"), ("y2", 1_000, "sweep")],
                      key=lambda e: (TOKEN_ID[e[0]], e[1], e[2]))
    assert events(out) == expected
    assert set(out["value"].to_list()) == {1.0}
    assert set(out["unit"].to_list()) == {"event"}
    assert set(out["bot"].to_list()) == {"intel.shock_detector"}


def test_run_when_no_trades_and_no_books_then_jump_rule_alone_works() -> None:
    # the real fixture days: tops only (no prints, books possibly empty)
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 1_000, "0.58", "0.62"))  # +10 ticks
    assert events(run(MarketData.of(tops=snaps))) == [("yes", 1_000, "jump")]


def test_run_when_everything_empty_then_typed_empty_frame() -> None:
    out = run(MarketData.of())
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert sd.shock_events(tops(), trades(), books(), sd.Config()).schema == pl.Schema(sd.EVENT_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    snaps = tops(("yes", 0, "0.48", "0.52"), ("yes", 1_000, "0.58", "0.62"), ("no", 0, "0.48", "0.52"))
    prints = trades(("yes", 2_000, "0.60", "5", "SELL"), ("no", 2_000, "0.50", "5000", "BUY"))
    data = MarketData.of(tops=snaps, trades=prints, books=BOOK)
    assert run(data).equals(run(data))


@pytest.mark.parametrize(
    ("field", "value"),
    [("jump_ticks", 0), ("sweep_size_multiple", 0), ("typical_window_prints", 0), ("typical_min_prints", 0),
     ("sweep_depth_pct", 0), ("near_touch_ticks", -1)],
)
def test_config_when_out_of_bounds_then_validation_error(field: str, value: int) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        sd.Config(**{field: value})


def test_config_when_min_prints_exceed_window_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="typical_min_prints"):
        sd.Config(typical_window_prints=5, typical_min_prints=6)
