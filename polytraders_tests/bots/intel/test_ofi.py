"""intel.ofi: each case of the Cont–Kukanov–Stoikov e_n by hand, the trailing z-score, absent rows, order."""

from __future__ import annotations

import math

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import ofi
from polytraders.contracts.frames import empty_frame
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, books


def run(frame: pl.DataFrame, config: ofi.Config | None = None) -> pl.DataFrame:
    """The bot over ``frame`` alone."""
    return ofi.run(MarketData.of(books=frame), config or ofi.Config())


def values(out: pl.DataFrame, name: str) -> list[float]:
    return out.filter(pl.col("name") == name)["value"].to_list()


def bid_sizes(*sizes: str, dt_ms: int = 1_000) -> pl.DataFrame:
    """States of "yes" with fixed prices 0.40 / 0.60, ask size 10 and the given bid sizes: e = Δ bid size."""
    return books(*(("yes", i * dt_ms, [("0.40", q)], [("0.60", "10")]) for i, q in enumerate(sizes)))


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # prices unchanged: e = Δqb − Δqa = (130 − 100) − (70 − 50) = 10
        (("0.48", "100", "0.52", "50"), ("0.48", "130", "0.52", "70"), 10.0),
        # bid steps up: +qb_n = +40; ask unchanged: −qa_n + qa_{n−1} = −50 + 50 -> 40
        (("0.48", "100", "0.52", "50"), ("0.49", "40", "0.52", "50"), 40.0),
        # bid steps down: −qb_{n−1} = −100; ask unchanged, shrank: −20 + 50 = +30 -> −70
        (("0.48", "100", "0.52", "50"), ("0.47", "500", "0.52", "20"), -70.0),
        # ask steps down: −qa_n = −25; bid unchanged: 100 − 100 = 0 -> −25
        (("0.48", "100", "0.52", "50"), ("0.48", "100", "0.51", "25"), -25.0),
        # ask steps up: +qa_{n−1} = +50; bid unchanged: 0 -> 50
        (("0.48", "100", "0.52", "50"), ("0.48", "100", "0.53", "900"), 50.0),
        # both step: bid down −100, ask up +50 -> −50
        (("0.48", "100", "0.52", "50"), ("0.47", "1", "0.53", "1"), -50.0),
        # nothing at the touch changed (a deeper level did): 0
        (("0.48", "100", "0.52", "50"), ("0.48", "100", "0.52", "50"), 0.0),
    ],
)
def test_run_when_touch_moves_then_e_by_cont_kukanov_stoikov(
    before: tuple[str, str, str, str], after: tuple[str, str, str, str], expected: float
) -> None:
    (pb0, qb0, pa0, qa0), (pb1, qb1, pa1, qa1) = before, after
    frame = books(("yes", 0, [(pb0, qb0)], [(pa0, qa0)]), ("yes", 1_000, [(pb1, qb1), ("0.10", "5")], [(pa1, qa1)]))
    out = run(frame)
    assert out.select("ts_ms", "name", "value", "unit").rows() == [(T0 + 1_000, "ofi", expected, "shares")]


def test_run_when_first_state_of_token_then_no_row_intel_warmup() -> None:
    assert ofi.WARMUP == "INTEL_WARMUP"
    out = run(books(("yes", 0, [("0.48", "100")], [("0.52", "50")])))
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


@pytest.mark.parametrize(
    "states",
    [
        [([], [("0.52", "50")]), ([("0.48", "1")], [("0.52", "50")])],  # previous state had no bid
        [([("0.48", "1")], [("0.52", "50")]), ([("0.48", "1")], [])],  # this state has no ask
    ],
)
def test_run_when_a_side_is_empty_now_or_before_then_no_row_intel_empty_side(
    states: list[tuple[list[tuple[str, str]], list[tuple[str, str]]]],
) -> None:
    assert ofi.EMPTY_SIDE == "INTEL_EMPTY_SIDE"
    out = run(books(*(("yes", i * 1_000, bids, asks) for i, (bids, asks) in enumerate(states))))
    assert out.height == 0


def test_run_when_enough_history_then_z_against_the_trailing_values() -> None:
    # bid sizes 100, 110, 130, 100 -> e = 10, 20, −30 at 1 s, 2 s, 3 s
    # min_events 2: at 3 s the window [3 s − 300 s, 3 s) holds e = 10, 20:
    #   μ = 15, σ = sqrt(((10 − 15)² + (20 − 15)²) / 1) = sqrt(50); z = (−30 − 15) / sqrt(50) = −45 / sqrt(50)
    out = run(bid_sizes("100", "110", "130", "100"), ofi.Config(min_events=2))
    assert values(out, "ofi") == [10.0, 20.0, -30.0]
    assert values(out, "ofi_z") == [pytest.approx(-45 / math.sqrt(50), abs=1e-12)]
    assert out.select("ts_ms", "name").rows() == [
        (T0 + 1_000, "ofi"), (T0 + 2_000, "ofi"), (T0 + 3_000, "ofi"), (T0 + 3_000, "ofi_z"),
    ]
    assert out.filter(pl.col("name") == "ofi_z")["unit"].to_list() == ["z-score"]


def test_run_when_values_leave_the_window_then_z_uses_only_recent_ones() -> None:
    # e = 10 (1 s), 20 (2 s), −30 (3 s), 40 (4 s); window 2.5 s:
    #   at 4 s the window [1.5 s, 4 s) holds 20, −30: μ = −5, σ = sqrt((25² + 25²) / 1) = sqrt(1250)
    #   z = (40 + 5) / sqrt(1250); at 3 s the window [0.5 s, 3 s) holds 10, 20: z = −45 / sqrt(50)
    out = run(bid_sizes("100", "110", "130", "100", "140"), ofi.Config(min_events=2, z_window_ms=2_500))
    assert values(out, "ofi_z") == [
        pytest.approx(-45 / math.sqrt(50), abs=1e-12), pytest.approx(45 / math.sqrt(1250), abs=1e-12),
    ]


def test_run_when_default_min_events_then_twenty_earlier_values_needed() -> None:
    # bid sizes alternate 100, 110, ... -> e alternates +10, −10; the 21st e is the first with 20 before it
    sizes = [str(100 + 10 * (i % 2)) for i in range(22)]
    out = run(bid_sizes(*sizes))
    assert ofi.Config().min_events == 20 and ofi.Config().z_window_ms == 300_000
    assert len(values(out, "ofi")) == 21
    # window: ten +10 and ten −10 -> μ = 0, σ = sqrt(20·100 / 19); the 21st e is +10
    assert values(out, "ofi_z") == [pytest.approx(10 / math.sqrt(2000 / 19), abs=1e-12)]


def test_run_when_earlier_values_all_equal_then_no_z_intel_warmup() -> None:
    # e = 10, 10, 10: σ of the window is 0 -> z undefined, no ofi_z row
    out = run(bid_sizes("100", "110", "120", "130"), ofi.Config(min_events=2))
    assert values(out, "ofi") == [10.0, 10.0, 10.0]
    assert values(out, "ofi_z") == []


def test_run_when_states_share_a_millisecond_then_they_are_not_each_others_history() -> None:
    # e = 10 (1 s), 20 (2 s), −30 (2 s, second state in that ms), 5 (3 s)
    # at 2 s the window [.., 2 s) holds only 10: fewer than 2 -> no z for either 2 s state
    # at 3 s: 10, 20, −30: μ = 0, σ = sqrt((100 + 400 + 900) / 2) = sqrt(700); z = 5 / sqrt(700)
    frame = books(*(("yes", dt, [("0.40", q)], [("0.60", "10")])
                    for dt, q in ((0, "100"), (1_000, "110"), (2_000, "130"), (2_000, "100"), (3_000, "105"))))
    out = run(frame, ofi.Config(min_events=2))
    assert values(out, "ofi") == [10.0, 20.0, -30.0, 5.0]
    assert values(out, "ofi_z") == [pytest.approx(5 / math.sqrt(700), abs=1e-12)]


def test_run_when_tokens_interleaved_then_each_token_alone_and_rows_by_token_then_time() -> None:
    frame = books(
        ("no", 0, [("0.40", "10")], [("0.60", "10")]),
        ("yes", 0, [("0.40", "10")], [("0.60", "10")]),
        ("no", 1_000, [("0.40", "15")], [("0.60", "10")]),  # no: +5
        ("yes", 2_000, [("0.40", "10")], [("0.60", "12")]),  # yes: −2
        ("no", 3_000, [("0.41", "1")], [("0.60", "10")]),  # no: bid up +1
    )
    out = run(frame)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    # TOKEN_ID["yes"] sorts before TOKEN_ID["no"]
    assert out.rows() == [
        ("intel.ofi", CONDITION["m1"], TOKEN_ID["yes"], T0 + 2_000, "ofi", -2.0, "shares"),
        ("intel.ofi", CONDITION["m1"], TOKEN_ID["no"], T0 + 1_000, "ofi", 5.0, "shares"),
        ("intel.ofi", CONDITION["m1"], TOKEN_ID["no"], T0 + 3_000, "ofi", 1.0, "shares"),
    ]
    assert run(frame.reverse()).equals(out)  # the bot sorts by token and time itself


def test_run_when_no_books_then_typed_empty_signal_frame() -> None:
    out = run(empty_frame("OrderBookSnapshot"))
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    frame = bid_sizes("100", "110", "130", "100", "140", "90")
    config = ofi.Config(min_events=2)
    assert run(frame, config).equals(run(frame, config))


@pytest.mark.parametrize(("field", "value"), [("z_window_ms", 999), ("min_events", 1)])
def test_config_when_out_of_bounds_then_validation_error(field: str, value: int) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        ofi.Config(**{field: value})
