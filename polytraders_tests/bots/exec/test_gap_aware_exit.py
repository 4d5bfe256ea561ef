"""exec.gap_aware_exit: walk the bids from the best, stop at an air pocket or past the near depth."""

from __future__ import annotations

from decimal import Decimal as D

import pydantic
import pytest

from polytraders.bots.exec import gap_aware_exit as gae
from polytraders.contracts import BookLevel

TICK = D("0.01")


def _bids(*levels: tuple[str, str]) -> tuple[BookLevel, ...]:
    return tuple(BookLevel(price=D(p), size=D(q)) for p, q in levels)


def _plan(size: str, bids: tuple[BookLevel, ...], tick: D = TICK, **cfg) -> tuple:
    p = gae.exit_plan(D(size), bids, tick, gae.Config(**cfg))
    return (p.sell_size, p.limit_price, p.remainder, p.levels, p.stop, p.code)


FOUR = _bids(("0.50", "30"), ("0.49", "20"), ("0.48", "25"), ("0.44", "100"))


def test_when_four_level_book_has_gap_then_stop_before_it() -> None:
    # 30 @0.50 + 20 @0.49 + 25 @0.48 = 75 taken; 0.48 → 0.44 is 4 ticks > max_gap 2 → stop (depth
    # 6 ticks is allowed with max_depth 10); limit = worst taken 0.48; remainder 100 − 75 = 25
    assert _plan("100", FOUR, max_depth_ticks=10) == (D("75"), D("0.48"), D("25"), 3, "GAP", "EXEC_AIR_POCKET")


def test_when_four_level_book_and_default_depth_then_depth_stops_first() -> None:
    # 0.50 − 0.44 = 6 ticks > max_depth 5: the depth rule fires before the gap rule
    assert _plan("100", FOUR) == (D("75"), D("0.48"), D("25"), 3, "DEPTH", "EXEC_AIR_POCKET")


def test_when_near_levels_cover_size_then_complete_without_code() -> None:
    # 30 @0.50 + 20 @0.49 = 50 → 10 more at 0.48; limit 0.48, nothing left
    assert _plan("60", FOUR) == (D("60"), D("0.48"), D("0"), 3, "COMPLETE", None)
    assert _plan("30", FOUR) == (D("30"), D("0.50"), D("0"), 1, "COMPLETE", None)  # the touch alone


def test_gap_and_depth_bounds_are_inclusive() -> None:
    # gaps: 0.50→0.48 = 2 ticks (ok), 0.48→0.46 = 2 (ok), 0.46→0.45 = 1 (ok, 5 ticks deep = max),
    # 0.43 is 7 ticks deep > 5 → DEPTH; 10+10+10+10 = 40 sold, 5 left
    bids = _bids(("0.50", "10"), ("0.48", "10"), ("0.46", "10"), ("0.45", "10"), ("0.43", "10"))
    assert _plan("45", bids) == (D("40"), D("0.45"), D("5"), 4, "DEPTH", "EXEC_AIR_POCKET")
    # max_gap 1: 0.50 → 0.48 is 2 ticks > 1 → stop after the touch
    assert _plan("45", bids, max_gap_ticks=1) == (D("10"), D("0.50"), D("35"), 1, "GAP", "EXEC_AIR_POCKET")
    # max_depth 0: the best level only; its size 10 < 45
    assert _plan("45", bids, max_depth_ticks=0) == (D("10"), D("0.50"), D("35"), 1, "DEPTH", "EXEC_AIR_POCKET")


def test_when_book_runs_out_then_book_end() -> None:
    assert _plan("25", _bids(("0.50", "10"))) == (D("10"), D("0.50"), D("15"), 1, "BOOK_END", "EXEC_AIR_POCKET")
    assert _plan("25", ()) == (D("0"), None, D("25"), 0, "BOOK_END", "EXEC_AIR_POCKET")


def test_when_size_zero_or_negative_then_nothing_to_sell() -> None:
    assert _plan("0", FOUR) == (D("0"), None, D("0"), 0, "COMPLETE", None)
    assert _plan("-3", FOUR) == (D("0"), None, D("0"), 0, "COMPLETE", None)


def test_when_empty_level_then_skipped_and_best_is_first_non_empty() -> None:
    # 0.50 is empty: best = 0.47; 0.47 → 0.45 = 2 ticks ok → 10 + 2.5 = 12.5
    bids = _bids(("0.50", "0"), ("0.47", "10"), ("0.45", "5"))
    assert _plan("12.5", bids) == (D("12.5"), D("0.45"), D("0"), 2, "COMPLETE", None)


def test_fine_tick_and_fractional_sizes_exact() -> None:
    # tick 0.001: 0.512 → 0.511 (1 tick) → 0.509 (2) → 0.505 (4 > 3) stop; 1.25 + 2.5 + 0.75 = 4.5
    bids = _bids(("0.512", "1.25"), ("0.511", "2.5"), ("0.509", "0.75"), ("0.505", "9"))
    assert _plan("5.2", bids, D("0.001"), max_gap_ticks=3, max_depth_ticks=10) == (
        D("4.5"), D("0.509"), D("0.7"), 3, "GAP", "EXEC_AIR_POCKET"
    )  # fmt: skip


def test_same_input_same_plan() -> None:
    assert gae.exit_plan(D("100"), FOUR, TICK, gae.Config()) == gae.exit_plan(D("100"), FOUR, TICK, gae.Config())


def test_config_defaults_and_validation() -> None:
    assert (gae.Config().max_depth_ticks, gae.Config().max_gap_ticks) == (5, 2)
    with pytest.raises(pydantic.ValidationError, match="max_gap_ticks"):
        gae.Config(max_gap_ticks=0)
    with pytest.raises(pydantic.ValidationError, match="max_depth_ticks"):
        gae.Config(max_depth_ticks=-1)
