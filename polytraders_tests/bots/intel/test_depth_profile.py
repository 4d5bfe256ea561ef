"""intel.depth_profile: hand-checked depth and least-squares slope per side, empty sides, order."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import depth_profile
from polytraders.contracts.frames import empty_frame
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, books


def run(frame: pl.DataFrame, config: depth_profile.Config | None = None) -> pl.DataFrame:
    """The bot over ``frame`` alone."""
    return depth_profile.run(MarketData.of(books=frame), config or depth_profile.Config())


def readings(out: pl.DataFrame) -> dict[str, float]:
    return dict(out.select("name", "value").rows())


def ols_slope(depths: list[float]) -> float:
    """Textbook least-squares slope of depths[0..k-1] on j = 1..k (independent of the closed form)."""
    k = len(depths)
    xs = range(1, k + 1)
    x_bar, y_bar = sum(xs) / k, sum(depths) / k
    return sum((x - x_bar) * (y - y_bar) for x, y in zip(xs, depths, strict=True)) / sum((x - x_bar) ** 2 for x in xs)


def test_run_when_k_three_then_depth_and_slope_per_side_by_hand() -> None:
    # bids 0.50×10 (d 0), 0.49×20 (d 1), 0.47×40 (d 3), 0.40×99 (d 10, beyond k)
    #   D(1) = 30, D(2) = 30, D(3) = 70 -> depth 70; slope over j = 1, 2, 3 (x̄ = 2):
    #   ((−1)·30 + 0·30 + 1·70) / ((−1)² + 0² + 1²) = 40 / 2 = 20
    # asks 0.52×5 (d 0), 0.54×15 (d 2), 0.55×25 (d 3)
    #   D(1) = 5, D(2) = 20, D(3) = 45 -> depth 45; slope ((−1)·5 + 1·45) / 2 = 20
    frame = books(("yes", 0, [("0.50", "10"), ("0.49", "20"), ("0.47", "40"), ("0.40", "99")],
                   [("0.52", "5"), ("0.54", "15"), ("0.55", "25")]))
    assert readings(run(frame, depth_profile.Config(k_ticks=3))) == {
        "depth_bid": 70.0, "depth_slope_bid": 20.0, "depth_ask": 45.0, "depth_slope_ask": 20.0,
    }


def test_run_when_k_two_then_slope_is_the_size_two_ticks_out() -> None:
    # k = 2: D(1) = 10 + 20, D(2) = 30 + 7 -> slope D(2) − D(1) = 7 (the size at d = 2)
    frame = books(("yes", 0, [("0.30", "10"), ("0.29", "20"), ("0.28", "7")], []))
    assert readings(run(frame, depth_profile.Config(k_ticks=2))) == {"depth_bid": 37.0, "depth_slope_bid": 7.0}


def test_run_when_default_k_then_matches_textbook_least_squares() -> None:
    # k = 5, asks at d = 0, 1, 2, 4, 5, 6 with sizes 3, 11, 2, 50, 8, 1000 (d 6 beyond k):
    # D(1..5) = 14, 16, 16, 66, 74; depth D(5) = 74
    assert depth_profile.Config().k_ticks == 5
    frame = books(("no", 0, [], [("0.60", "3"), ("0.61", "11"), ("0.62", "2"), ("0.64", "50"), ("0.65", "8"),
                                  ("0.66", "1000")]))
    out = readings(run(frame))
    # closed form 6·Σ size·(k − d + 1)(d − 1) / (k(k² − 1)) = 6·(2·4·1 + 50·2·3 + 8·1·4) / 120 = 6·340/120 = 17
    assert out == {"depth_ask": 74.0, "depth_slope_ask": pytest.approx(17.0, abs=1e-12)}
    assert ols_slope([14, 16, 16, 66, 74]) == pytest.approx(17.0, abs=1e-12)


def test_run_when_tick_is_a_tenth_of_a_cent_then_distance_in_that_tick() -> None:
    # tick 0.001: 0.501 is 1 tick, 0.503 3 ticks from 0.500 (at a 0.01 tick it would be 0.3 ticks)
    # k = 3: D(1) = 1 + 2 = 3, D(2) = 3, D(3) = 3 + 4 = 7 -> slope (7 − 3) / 2 = 2
    frame = books(("yes", 0, [], [("0.500", "1"), ("0.501", "2"), ("0.503", "4"), ("0.510", "8")], "0.001"))
    assert readings(run(frame, depth_profile.Config(k_ticks=3))) == {"depth_ask": 7.0, "depth_slope_ask": 2.0}


def test_run_when_only_touch_and_one_tick_then_slope_zero() -> None:
    # every D(j), j ≥ 1, is 10 + 20: a flat profile
    frame = books(("yes", 0, [("0.50", "10"), ("0.49", "20")], []))
    assert readings(run(frame)) == {"depth_bid": 30.0, "depth_slope_bid": 0.0}


def test_run_when_a_side_is_empty_then_only_that_sides_rows_absent_intel_empty_side() -> None:
    # INTEL_EMPTY_SIDE: no ask levels -> no depth_ask / depth_slope_ask rows
    assert depth_profile.EMPTY_SIDE == "INTEL_EMPTY_SIDE"
    out = run(books(("yes", 0, [("0.98", "5")], [])))
    assert out["name"].to_list() == ["depth_bid", "depth_slope_bid"]


def test_run_when_touch_size_zero_then_depth_still_reported() -> None:
    out = run(books(("yes", 0, [("0.50", "0")], [("0.51", "0")])))
    assert readings(out) == {"depth_bid": 0.0, "depth_slope_bid": 0.0, "depth_ask": 0.0, "depth_slope_ask": 0.0}


def test_run_when_book_empty_or_no_books_then_typed_empty_signal_frame() -> None:
    for frame in (books(("yes", 0, [], [])), empty_frame("OrderBookSnapshot")):
        out = run(frame)
        assert out.height == 0
        assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_several_books_then_rows_by_book_in_input_order_then_reading_order() -> None:
    frame = books(
        ("no", 5_000, [("0.40", "1")], [("0.60", "2")]),
        ("yes", 0, [], [("0.70", "3")]),
    )
    out = run(frame)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    bot, cond = "intel.depth_profile", CONDITION["m1"]
    no, yes = TOKEN_ID["no"], TOKEN_ID["yes"]
    assert out.rows() == [
        (bot, cond, no, T0 + 5_000, "depth_bid", 1.0, "shares"),
        (bot, cond, no, T0 + 5_000, "depth_slope_bid", 0.0, "shares/tick"),
        (bot, cond, no, T0 + 5_000, "depth_ask", 2.0, "shares"),
        (bot, cond, no, T0 + 5_000, "depth_slope_ask", 0.0, "shares/tick"),
        (bot, cond, yes, T0, "depth_ask", 3.0, "shares"),
        (bot, cond, yes, T0, "depth_slope_ask", 0.0, "shares/tick"),
    ]


def test_run_when_same_input_twice_then_same_output() -> None:
    frame = books(("yes", 0, [("0.50", "10"), ("0.47", "40")], [("0.52", "5"), ("0.55", "25")]))
    assert run(frame).equals(run(frame))


@pytest.mark.parametrize("k", [0, 1])
def test_config_when_k_below_two_then_validation_error(k: int) -> None:
    with pytest.raises(pydantic.ValidationError, match="k_ticks"):
        depth_profile.Config(k_ticks=k)
