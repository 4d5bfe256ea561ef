"""intel.sibling_lag: hand-checked lags of complements and neg-risk siblings after a reprice."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import sibling_lag as sl
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, instruments, market, tops

M1 = instruments(market("m1"))
GROUP3 = instruments(*(market(m, neg_risk_group="g1") for m in ("m1", "m2", "m3")))
SHORT = {v: k for k, v in TOKEN_ID.items()}


def mid(token: str, dt: int, m: str) -> tuple[str, int, str, str]:
    """A two-sided top of ``token`` at ``dt`` with mid ``m``: bid m − 0.01, ask m + 0.01."""
    return (token, dt, f"{float(m) - 0.01:.2f}", f"{float(m) + 0.01:.2f}")


def run(records: pl.DataFrame, *rows: tuple, **config: object) -> list[tuple[str, int, float]]:
    """(short sibling name, dt, value) of every row; lag 5 s, reprice 3 ticks unless given."""
    config = {"lag_ms": 5_000, "reprice_ticks": 3, **config}
    out = sl.run(MarketData.of(instruments=records, tops=tops(*rows)), sl.Config(**config))
    return [(SHORT[tok], ts - T0, v) for tok, ts, v in out.select("token_id", "ts_ms", "value").rows()]


def test_run_when_complement_does_not_follow_then_lag_at_t0_plus_t() -> None:
    # yes 0.50 -> 0.55 at 1 s (+5 ticks, held); no stays 0.50 (last snapshot 7 s). t1 = 1 + 5 = 6 s. value +5
    out = sl.run(MarketData.of(instruments=M1, tops=tops(mid("yes", 0, "0.50"), mid("no", 0, "0.50"),
                                                            mid("yes", 1_000, "0.55"), mid("no", 7_000, "0.50"))),
                 sl.Config(lag_ms=5_000, reprice_ticks=3))
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert out.rows() == [("intel.sibling_lag", CONDITION["m1"], TOKEN_ID["no"], T0 + 6_000, "sibling_lag", 5.0,
                           "ticks")]


@pytest.mark.parametrize(
    ("no_rows", "expected"),
    [
        ([mid("no", 3_000, "0.48")], []),  # responded −2 ticks at 3 s
        ([mid("no", 6_000, "0.49")], []),  # responded −1 tick exactly at t1 (inclusive)
        ([mid("no", 6_001, "0.46")], [("no", 6_000, 5.0)]),  # responded after t1: lagging at t1
        ([("no", 3_000, "0.49", "0.50")], [("no", 6_000, 5.0)]),  # moved 0.5 tick (mid 0.495) < 1 tick
        ([mid("no", 1_000, "0.45")], []),  # moved in the same ms as the leader: baseline is strictly before t0
    ],
)
def test_run_when_complement_responds_then_no_lag(no_rows: list[tuple], expected: list[tuple]) -> None:
    # the window ends at 7 s: a move of "no" itself (a reprice when ≥ 3 ticks) is judged only from t + 5 s on
    rows = [mid("yes", 0, "0.50"), mid("no", 0, "0.50"), mid("yes", 1_000, "0.55"), *no_rows, mid("yes", 7_000, "0.55")]
    assert run(M1, *rows) == expected


@pytest.mark.parametrize(
    ("yes_later", "expected"),
    [
        ([mid("yes", 3_000, "0.52")], []),  # fell back: standing move 0.02 = 2 ticks < 3
        ([mid("yes", 3_000, "0.54")], [("no", 6_000, 4.0)]),  # standing move 4 ticks
        ([mid("yes", 3_000, "0.45")], []),  # reversed through the baseline: wrong sign
    ],
)
def test_run_when_reprice_does_not_hold_then_nothing_to_lag(yes_later: list[tuple], expected: list[tuple]) -> None:
    # the window ends at 7 s, before the later moves of yes (reprices themselves) could be judged
    rows = [mid("yes", 0, "0.50"), mid("no", 0, "0.50"), mid("yes", 1_000, "0.55"), *yes_later,
            mid("no", 7_000, "0.50")]
    assert run(M1, *rows) == expected


def test_run_when_down_move_then_negative_value() -> None:
    # yes 0.50 -> 0.46 (−4 ticks); no unchanged -> value −4
    rows = [mid("yes", 0, "0.50"), mid("no", 0, "0.50"), mid("yes", 1_000, "0.46"), mid("no", 9_000, "0.50")]
    assert run(M1, *rows) == [("no", 6_000, -4.0)]


def test_run_when_window_ends_before_t1_or_sibling_has_no_earlier_mid_then_not_judged() -> None:
    # last top at 5 999 < t1 = 6 000: not judged yet
    early_end = [mid("yes", 0, "0.50"), mid("no", 0, "0.50"), mid("yes", 1_000, "0.55"), mid("no", 5_999, "0.50")]
    assert run(M1, *early_end) == []
    # "no" first quotes at 2 s, after t0: no baseline, not judged
    late_sibling = [mid("yes", 0, "0.50"), mid("yes", 1_000, "0.55"), mid("no", 2_000, "0.50"), mid("no", 9_000, "0.5")]
    assert run(M1, *late_sibling) == []


def test_run_when_neg_risk_group_then_yes_siblings_lag_and_no_tokens_of_other_markets_do_not_count() -> None:
    # yes +5 at 1 s. y2 unchanged -> lag +5; y3 moved −2 ticks at 2 s (responded; below a reprice itself);
    # n2 unchanged but not a sibling of yes (the NO of another market); "no" has no tops -> not judged.
    rows = [mid("yes", 0, "0.30"), mid("y2", 0, "0.30"), mid("y3", 0, "0.40"), mid("n2", 0, "0.70"),
            mid("yes", 1_000, "0.35"), mid("y3", 2_000, "0.38"), mid("y2", 9_000, "0.30")]
    assert run(GROUP3, *rows) == [("y2", 6_000, 5.0)]


def test_run_when_leader_is_a_no_token_then_only_its_complement_is_a_sibling() -> None:
    # "no" −5 ticks at 1 s in group g1: siblings = {yes} only; yes unchanged -> lag −5; y2 unchanged -> no row
    rows = [mid("no", 0, "0.70"), mid("yes", 0, "0.30"), mid("y2", 0, "0.30"), mid("no", 1_000, "0.65"),
            mid("y2", 9_000, "0.30")]
    assert run(GROUP3, *rows) == [("yes", 6_000, -5.0)]


def test_run_when_two_leaders_leave_one_sibling_lagging_then_largest_move_kept() -> None:
    # at 1 s yes +5 and y3 −4 (both held); y2 unchanged -> candidates +5 (from yes) and −4 (from y3): keep +5.
    # yes and y3 moved at t0 themselves: each responded to the other.
    rows = [mid("yes", 0, "0.30"), mid("y2", 0, "0.30"), mid("y3", 0, "0.40"), mid("yes", 1_000, "0.35"),
            mid("y3", 1_000, "0.36"), mid("y2", 9_000, "0.30")]
    assert run(GROUP3, *rows) == [("y2", 6_000, 5.0)]


@pytest.mark.parametrize(("response_ticks", "expected"), [(2, []), (3, [("no", 6_000, 5.0)])])
def test_run_when_sibling_tick_is_finer_then_response_in_its_own_ticks(response_ticks: int,
                                                                       expected: list[tuple]) -> None:
    # "no" quotes on a 0.001 grid: mid 0.500 -> 0.498 = 2 of its ticks (a fifth of a 0.01 tick)
    rows = [mid("yes", 0, "0.50"), ("no", 0, "0.499", "0.501", "0.001"), mid("yes", 1_000, "0.55"),
            ("no", 2_000, "0.497", "0.499", "0.001"), mid("yes", 9_000, "0.55")]
    assert run(M1, *rows, response_ticks=response_ticks) == expected


def test_run_when_below_reprice_ticks_then_no_reading() -> None:
    # yes +2 ticks < 3
    small = [mid("yes", 0, "0.50"), mid("no", 0, "0.50"), mid("yes", 1_000, "0.52"), mid("no", 9_000, "0.5")]
    assert run(M1, *small) == []


def test_sibling_pairs_when_group_and_plain_markets_then_complements_and_yes_across_the_group() -> None:
    records = instruments(market("m1"), market("m2", neg_risk_group="g1"), market("m3", neg_risk_group="g1"))
    pairs = {(SHORT[leader], SHORT[tok]) for leader, _, tok in sl.sibling_pairs(records).rows()}
    assert pairs == {("yes", "no"), ("no", "yes"), ("y2", "n2"), ("n2", "y2"), ("y3", "n3"), ("n3", "y3"),
                     ("y2", "y3"), ("y3", "y2")}


@pytest.mark.parametrize("which", ["instruments", "tops", "both"])
def test_run_when_input_empty_then_typed_empty_frame(which: str) -> None:
    records = M1 if which == "tops" else instruments()
    snaps = tops(mid("yes", 0, "0.50"), mid("yes", 1_000, "0.60"), mid("yes", 9_000, "0.60"))
    out = sl.run(MarketData.of(instruments=records, tops=tops() if which != "instruments" else snaps), sl.Config())
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    rows = [mid("yes", 0, "0.30"), mid("y2", 0, "0.30"), mid("y3", 0, "0.40"), mid("yes", 1_000, "0.35"),
            mid("y3", 1_000, "0.36"), mid("y2", 9_000, "0.30")]
    data = MarketData.of(instruments=GROUP3, tops=tops(*rows))
    assert sl.run(data, sl.Config()).equals(sl.run(data, sl.Config()))


@pytest.mark.parametrize("field", ["reprice_ticks", "lag_ms", "response_ticks"])
def test_config_when_below_one_then_validation_error(field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        sl.Config(**{field: 0})
