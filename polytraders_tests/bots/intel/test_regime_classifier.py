"""intel.regime_classifier: each regime's condition and boundary, the precedence between them, and the
row rule (a token's first snapshot, then transitions only)."""

from __future__ import annotations

import random

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import regime_classifier as rc
from polytraders.bots.intel import shock_detector as sd
from polytraders_tests.bots.frames import (
    CONDITION,
    T0,
    TOKEN_ID,
    books,
    instruments,
    market,
    resolutions,
    tops,
    trades,
)

S, MIN, DAY = 1_000, 60_000, 86_400_000
FAR = instruments(market("m1", end_dt=DAY), market("m2", end_dt=DAY))


def mid(token: str, dt: int, m: str, tick: str = "0.01") -> tuple[str, int, str, str, str]:
    """A two-sided top with mid ``m``: bid m − 0.01, ask m + 0.01."""
    return (token, dt, f"{float(m) - 0.01:.2f}", f"{float(m) + 0.01:.2f}", tick)


def transitions(regimes: pl.DataFrame) -> list[tuple[str, int, str]]:
    """(token_id, ts_ms, label) of each token's first row and of each row whose code differs from the
    token's row before: the rows run must emit, worked out from classify's row per snapshot."""
    out, before = [], None
    for row in regimes.iter_rows(named=True):
        if before is None or row["token_id"] != before["token_id"] or row["code"] != before["code"]:
            out.append((row["token_id"], row["ts_ms"], rc.LABELS[row["code"]]))
        before = row
    return out


def labels(records: pl.DataFrame, *rows: tuple, prints: pl.DataFrame | None = None,
           resolved: pl.DataFrame | None = None, **config: object) -> list[str]:
    """The regime of every snapshot (classify), after checking that run emits exactly its transitions."""
    data = MarketData.of(tops=tops(*rows), instruments=records, trades=prints if prints is not None else trades(),
                         resolutions=resolved if resolved is not None else resolutions())
    regimes = rc.classify(data, rc.Config(**config))
    out = rc.run(data, rc.Config(**config))
    assert out["value"].to_list() == [float(rc.LABELS.index(name)) for name in out["name"]]
    assert out.select("token_id", "ts_ms", "name").rows() == transitions(regimes)
    return [rc.LABELS[code] for code in regimes["code"]]


def test_run_when_nothing_happens_then_one_quiet_row_at_the_first_snapshot() -> None:
    # QUIET at 0, 1 s and 2 s: the regime never changes, so only the first snapshot has a row
    data = MarketData.of(tops=tops(mid("yes", 0, "0.50"), mid("yes", S, "0.50"), mid("yes", 2 * S, "0.50")),
                         instruments=FAR)
    out = rc.run(data, rc.Config())
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert out.rows() == [("intel.regime_classifier", CONDITION["m1"], TOKEN_ID["yes"], T0, "QUIET", 0.0, "regime")]
    assert rc.classify(data, rc.Config())["code"].to_list() == [0, 0, 0]


def test_run_when_the_regime_changes_then_rows_at_first_snapshots_and_transitions_only() -> None:
    # yes: 0.50 @0 QUIET; 0.60 @1 s: +10 ticks ≥ 5 = jump -> EVENT until 1 s + 60 s (cooldown)
    #   @30 s EVENT (29 s < 60 s, no row: unchanged); @61 s QUIET (60 s is not < 60 s); @62 s QUIET (no row)
    #   drift (W 60 s): @61 s |0.60 − mid@1 s 0.60| = 0, @62 s the same; before 61 s no mid W ago
    # no (same market m1): @30 s EVENT (the jump of yes at 1 s, 29 s ago) -> its first row; @100 s QUIET (99 s)
    # y2 (market m2): @0 QUIET, its first row although the row before it in the frame (no @100 s) is QUIET too
    rows = [mid("yes", 0, "0.50"), mid("yes", S, "0.60"), mid("yes", 30 * S, "0.60"), mid("yes", 61 * S, "0.60"),
            mid("yes", 62 * S, "0.60"), mid("no", 30 * S, "0.40"), mid("no", 100 * S, "0.40"), mid("y2", 0, "0.30")]
    out = rc.run(MarketData.of(tops=tops(*rows), instruments=FAR), rc.Config())
    assert out.select("token_id", "ts_ms", "name", "value").rows() == [
        (TOKEN_ID["yes"], T0, "QUIET", 0.0), (TOKEN_ID["yes"], T0 + S, "EVENT", 2.0),
        (TOKEN_ID["yes"], T0 + 61 * S, "QUIET", 0.0),
        (TOKEN_ID["no"], T0 + 30 * S, "EVENT", 2.0), (TOKEN_ID["no"], T0 + 100 * S, "QUIET", 0.0),
        (TOKEN_ID["y2"], T0, "QUIET", 0.0),
    ]


def test_run_when_read_as_of_any_snapshot_time_then_the_regime_of_that_snapshot() -> None:
    # A mix of every regime over two markets, with snapshots sharing a millisecond: the latest emitted row at or
    # before each snapshot's time is the regime of the token's last snapshot of that millisecond.
    records = instruments(market("m1", end_dt=30 * MIN), market("m2", end_dt=DAY),
                          market("m2", end_dt=DAY, as_of_dt=25 * MIN, accepting_orders=False))
    rows = [mid("yes", i * 30 * S, f"{0.50 + (i % 7) / 100 * (3 if i % 5 == 0 else 1):.2f}") for i in range(50)]
    rows += [mid("no", i * 45 * S, "0.45") for i in range(40)] + [mid("no", 45 * S, "0.70")]
    rows += [mid("y2", i * 20 * S, f"{0.30 + min(i, 40) / 100:.2f}") for i in range(90)]
    rows += [("y2", 60 * S, None, "0.90")]
    data = MarketData.of(tops=tops(*rows), instruments=records, resolutions=resolutions(("m1", 27 * MIN, "yes")))
    config = rc.Config(drift_window_ms=30 * S, drift_ticks=2, vol={"min_returns": 2, "short_half_life_ms": 30 * S,
                                                                     "long_half_life_ms": 300 * S})
    regimes = rc.classify(data, config)
    out = rc.run(data, config)
    assert set(regimes["code"]) == set(range(len(rc.LABELS)))  # every regime occurs
    assert out.height < regimes.height
    state = regimes.group_by("token_id", "ts_ms", maintain_order=True).agg(pl.col("code").last())
    seen = state.sort("token_id", "ts_ms").join_asof(
        out.select("token_id", "ts_ms", "value").sort("token_id", "ts_ms"), on="ts_ms", by="token_id",
        check_sortedness=False,
    )
    assert seen["value"].to_list() == [float(code) for code in seen["code"]]


@pytest.mark.parametrize("jump_on_touch", [False, True])
def test_classify_when_jump_rule_compared_with_shock_detector_then_the_same_snapshots(jump_on_touch: bool) -> None:
    # The regime evaluates shock_detector's jump rule itself (over the sorted frame); with a 1 ms cooldown the
    # event flag is set exactly at the snapshots of a market with a jump at that ms: the same as shock_events.
    rng = random.Random(7)
    rows = []
    for _ in range(400):
        token = rng.choice(["yes", "no", "y2", "n2"])
        bid = rng.randint(1, 90)
        ask = bid + rng.randint(1, 9)
        side = rng.random()
        rows.append((token, rng.randint(0, 120) * S, None if side < 0.1 else f"{bid / 100:.2f}",
                     None if 0.1 <= side < 0.2 else f"{ask / 100:.2f}", "0.01" if rng.random() < 0.8 else "0.001"))
    data = MarketData.of(tops=tops(*rows), instruments=FAR)
    shock = {"jump_ticks": 6, "jump_on_touch": jump_on_touch}
    regimes = rc.classify(data, rc.Config(event_cooldown_ms=1, shock=shock))
    events = sd.shock_events(data.tops, trades(), books(), sd.Config(**shock))
    at = set(events.select("condition_id", "ts_ms").iter_rows())
    assert 10 < len(at) < 200
    assert regimes["event"].to_list() == [(c, t) in at for c, t in regimes.select("condition_id", "ts_ms").iter_rows()]


def test_run_when_jump_then_event_for_the_cooldown_on_every_token_of_the_market() -> None:
    # yes jumps +10 ticks at 1 s (shock_detector default N = 5): EVENT while ts − 1 s < 60 s.
    #   yes @1 s: EVENT; no @30 s: EVENT (same market); y2 @30 s: QUIET (other market);
    #   yes @60.999 s: EVENT (59 999 < 60 000); yes @61 s: QUIET (60 000 is not < 60 000; drift over 60 s
    #   measured from the mid at 1 s: 0)
    rows = [mid("yes", 0, "0.50"), mid("yes", S, "0.60"), mid("no", 30 * S, "0.40"), mid("y2", 30 * S, "0.30"),
            mid("yes", 61 * S - 1, "0.60"), mid("yes", 61 * S, "0.60")]
    got = labels(FAR, *rows, event_cooldown_ms=60 * S)
    order = sorted([("yes", 0, "QUIET"), ("yes", S, "EVENT"), ("no", 30 * S, "EVENT"), ("y2", 30 * S, "QUIET"),
                    ("yes", 61 * S - 1, "EVENT"), ("yes", 61 * S, "QUIET")], key=lambda r: (TOKEN_ID[r[0]], r[1]))
    assert got == [r[2] for r in order]


def test_run_when_trade_sweeps_then_event() -> None:
    # prints 10, 10, 50 on yes (k 2, window 2): 50 ≥ 2 · median(10, 10) = 20 -> sweep at 0.3 s -> "no" @0.5 s EVENT
    prints = trades(("yes", 100, "0.50", "10", "BUY"), ("yes", 200, "0.50", "10", "BUY"),
                    ("yes", 300, "0.51", "50", "BUY"))
    shock = {"sweep_size_multiple": 2, "typical_window_prints": 2, "typical_min_prints": 2}
    assert labels(FAR, mid("no", 0, "0.50"), mid("no", 500, "0.50"), prints=prints, shock=shock) == ["QUIET", "EVENT"]


@pytest.mark.parametrize(
    ("dt", "label"),
    [
        (10 * MIN - 1, "QUIET"),  # 20 min − (10 min − 1 ms) = 600 001 ms to end > 600 000
        (10 * MIN, "REDUCE_ONLY"),  # exactly 600 000 ms to end
        (19 * MIN, "REDUCE_ONLY"),
        (21 * MIN, "REDUCE_ONLY"),  # past the end date, not yet halted
    ],
)
def test_run_when_inside_the_window_before_end_then_reduce_only(dt: int, label: str) -> None:
    records = instruments(market("m1", end_dt=20 * MIN))
    assert labels(records, mid("yes", dt, "0.50"), reduce_only_ms=10 * MIN) == [label]


def test_run_when_no_end_date_or_no_record_then_never_reduce_only() -> None:
    assert labels(instruments(market("m1")), mid("yes", 0, "0.50")) == ["QUIET"]
    assert labels(instruments(), mid("yes", 0, "0.50")) == ["QUIET"]


@pytest.mark.parametrize(
    "halting",
    [{"closed": True}, {"accepting_orders": False}, {"active": False}],
)
def test_run_when_record_as_of_the_snapshot_halts_then_halted(halting: dict[str, bool]) -> None:
    # the halting record is as of 5 s: QUIET at 4.999 s, HALTED from 5 s
    records = instruments(market("m1", end_dt=DAY), market("m1", end_dt=DAY, as_of_dt=5 * S, **halting))
    assert labels(records, mid("yes", 5 * S - 1, "0.50"), mid("yes", 5 * S, "0.50")) == ["QUIET", "HALTED"]


def test_run_when_resolved_then_halted_from_the_resolution_time() -> None:
    resolved = resolutions(("m1", 7 * S, "yes"))
    assert labels(FAR, mid("no", 7 * S - 1, "0.50"), mid("no", 7 * S, "0.50"), resolved=resolved) == [
        "QUIET", "HALTED",
    ]


@pytest.mark.parametrize(("drift_ticks", "last"), [(6, "TRENDING"), (7, "QUIET")])
def test_run_when_mid_drifts_over_the_window_then_trending(drift_ticks: int, last: str) -> None:
    # +1 tick every 10 s (never a jump): 0.50 @0 … 0.56 @60 s. W = 60 s:
    #   @50 s: t − W = −10 s, no mid then -> no drift; @60 s: |0.56 − 0.50| = 6 ticks vs drift_ticks
    rows = [mid("yes", i * 10 * S, f"{0.50 + i / 100:.2f}") for i in range(7)]
    assert labels(FAR, *rows, drift_ticks=drift_ticks, drift_window_ms=60 * S) == ["QUIET"] * 6 + [last]


def test_run_when_volatility_ratio_above_threshold_then_trending_and_carried_to_later_snapshots() -> None:
    # intel.vol_ratio's hand case: Δt 120 s, S = 60 s, L = 120 s, mids 0.50, 0.51, 0.51, 0.53
    # -> ratios 1, sqrt(0.5), 7/6 at 120, 240, 360 s; threshold 1.1: only 7/6. The one-sided snapshot at 400 s
    # has no new ratio and keeps the latest (7/6). Drift off (100 ticks); no jump (moves ≤ 2 ticks).
    rows = [mid("yes", 0, "0.50"), mid("yes", 120 * S, "0.51"), mid("yes", 240 * S, "0.51"),
            mid("yes", 360 * S, "0.53"), ("yes", 400 * S, None, "0.60")]
    vol = {"short_half_life_ms": 60 * S, "long_half_life_ms": 120 * S, "min_returns": 1}
    got = labels(FAR, *rows, vol=vol, trend_vol_ratio=1.1, drift_ticks=100)
    assert got == ["QUIET", "QUIET", "QUIET", "TRENDING", "TRENDING"]


@pytest.mark.parametrize(
    ("record", "resolved", "label"),
    [
        (market("m1", end_dt=DAY), False, "EVENT"),  # jump (EVENT) and drift (TRENDING): EVENT
        (market("m1", end_dt=5 * MIN), False, "REDUCE_ONLY"),  # + inside the end window
        (market("m1", end_dt=5 * MIN, closed=True), False, "HALTED"),  # + closed
        (market("m1", end_dt=5 * MIN), True, "HALTED"),  # + resolved
    ],
)
def test_run_when_several_conditions_hold_then_the_highest_code_wins(record: object, resolved: bool,
                                                                      label: str) -> None:
    # yes 0.50 -> 0.60 at 1 s: a 10-tick jump (EVENT) and a 10-tick drift over W = 1 s (TRENDING)
    data = MarketData.of(tops=tops(mid("yes", 0, "0.50"), mid("yes", S, "0.60")), instruments=instruments(record),
                         resolutions=resolutions(("m1", S, "yes")) if resolved else resolutions())
    config = rc.Config(drift_window_ms=S)
    flags = rc.classify(data, config).row(1, named=True)
    assert (flags["event"], flags["trending"]) == (True, True)
    assert (flags["reduce_only"], flags["halted"]) == (label != "EVENT", label == "HALTED")
    assert rc.LABELS[flags["code"]] == label
    assert rc.run(data, config)["name"].to_list()[-1] == label  # the latest row is the last snapshot's regime


def test_run_when_one_sided_and_duplicate_snapshots_then_classify_has_one_row_each_and_run_the_first() -> None:
    rows = [("no", 0, None, "0.52"), mid("yes", S, "0.50"), mid("yes", 0, "0.50"), mid("yes", 0, "0.50")]
    data = MarketData.of(tops=tops(*rows), instruments=FAR)
    expected = sorted([(TOKEN_ID["no"], T0), (TOKEN_ID["yes"], T0 + S), (TOKEN_ID["yes"], T0), (TOKEN_ID["yes"], T0)])
    assert rc.classify(data, rc.Config()).select("token_id", "ts_ms").rows() == expected
    # all QUIET: one row per token, at its first snapshot
    assert rc.run(data, rc.Config()).select("token_id", "ts_ms", "name").rows() == [
        (TOKEN_ID["yes"], T0, "QUIET"), (TOKEN_ID["no"], T0, "QUIET"),
    ]


def test_run_when_inputs_empty_then_typed_empty_frame() -> None:
    out = rc.run(MarketData.of(), rc.Config())
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    data = MarketData.of(tops=tops(mid("yes", 0, "0.50"), mid("yes", S, "0.60"), mid("no", 2 * S, "0.40")),
                         instruments=FAR, resolutions=resolutions(("m1", 3 * S, "yes")))
    assert rc.run(data, rc.Config()).equals(rc.run(data, rc.Config()))


def test_regime_codes_are_the_registered_intel_regime_codes_in_code_order() -> None:
    assert rc.LABELS == ("QUIET", "TRENDING", "EVENT", "REDUCE_ONLY", "HALTED")
    assert list(rc.REGIME_CODES.values()) == [f"INTEL_REGIME_{label}" for label in rc.LABELS]


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"reduce_only_ms": -1}, "reduce_only_ms"),
        ({"event_cooldown_ms": 0}, "event_cooldown_ms"),
        ({"trend_vol_ratio": 0.0}, "trend_vol_ratio"),
        ({"drift_window_ms": 0}, "drift_window_ms"),
        ({"drift_ticks": 0}, "drift_ticks"),
        ({"vol": {"short_half_life_ms": 10, "long_half_life_ms": 10}}, "short_half_life_ms"),
        ({"shock": {"jump_ticks": 0}}, "jump_ticks"),
    ],
)
def test_config_when_invalid_then_validation_error(config: dict[str, object], match: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=match):
        rc.Config(**config)
