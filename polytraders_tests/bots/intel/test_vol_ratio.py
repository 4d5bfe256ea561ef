"""intel.vol_ratio: hand-checked time-weighted variances, irregular gaps, log changes, warm-up, and the row rule
(a ratio row where it moved by ratio_step)."""

from __future__ import annotations

from math import log, sqrt

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import vol_ratio as vr
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, tops

S = 1_000  # ms per second


def mids(token: str, *points: tuple[int, str]) -> list[tuple[str, int, str, str]]:
    """Two-sided tops of ``token`` with the given (dt, mid): bid = mid − 0.01, ask = mid + 0.01."""
    return [(token, dt, f"{float(m) - 0.01:.2f}", f"{float(m) + 0.01:.2f}") for dt, m in points]


def run(snaps: pl.DataFrame, **config: object) -> pl.DataFrame:
    return vr.run(MarketData.of(tops=snaps), vr.Config(**config))


def values(out: pl.DataFrame, name: str) -> list[float]:
    return out.filter(pl.col("name") == name)["value"].to_list()


def approx(*expected: float) -> list[object]:
    return [pytest.approx(v, rel=1e-12) for v in expected]


def test_run_when_regular_gaps_then_ratio_of_ewm_squared_changes() -> None:
    # Δt = 120 s everywhere; S = 60 s -> α = 1 − 2^−2 = 3/4; L = 120 s -> α = 1/2.
    # mids 0.50, 0.51, 0.51, 0.53 -> r = 0.01, 0, 0.02 (r² = 1e-4, 0, 4e-4)
    # EWM_S(r²) = 1e-4; ¾·0 + ¼·1e-4 = 0.25e-4; ¾·4e-4 + ¼·0.25e-4 = 3.0625e-4
    # EWM_L(r²) = 1e-4; ½·0 + ½·1e-4 = 0.5e-4;  ½·4e-4 + ½·0.5e-4  = 2.25e-4
    # EWM(Δt) = 120 000 ms for both, so ratio = sqrt(EWM_S / EWM_L): 1, sqrt(0.5), 1.75 / 1.5 = 7/6
    # vol = sqrt(60 000 · EWM(r²) / 120 000) = sqrt(EWM(r²) / 2)
    snaps = tops(*mids("yes", (0, "0.50"), (120 * S, "0.51"), (240 * S, "0.51"), (360 * S, "0.53")))
    out = run(snaps, short_half_life_ms=60 * S, long_half_life_ms=120 * S, min_returns=1, include_vols=True)
    assert values(out, "vol_ratio") == approx(1.0, sqrt(0.5), 7 / 6)
    assert values(out, "vol_short") == approx(sqrt(0.5e-4), sqrt(0.125e-4), sqrt(1.53125e-4))
    assert values(out, "vol_long") == approx(sqrt(0.5e-4), sqrt(0.25e-4), sqrt(1.125e-4))
    assert out["name"].to_list() == ["vol_ratio", "vol_short", "vol_long"] * 3
    assert out["unit"].to_list() == ["ratio", "probability/sqrt-min", "probability/sqrt-min"] * 3
    assert out["ts_ms"].to_list() == [T0 + dt for dt in (120 * S, 240 * S, 360 * S) for _ in range(3)]


def test_run_when_gaps_irregular_then_variance_per_unit_time() -> None:
    # mids 0.50 @0, 0.51 @120 s (Δt 120 s, r 0.01), 0.53 @360 s (Δt 240 s, r 0.02). S = 120 s, L = 240 s.
    # second change: α_S = 1 − 2^(−240/120) = 3/4, α_L = 1 − 2^(−240/240) = 1/2
    # S: EWM(r²) = ¾·4e-4 + ¼·1e-4 = 3.25e-4; EWM(Δt) = ¾·240 000 + ¼·120 000 = 210 000
    # L: EWM(r²) = ½·4e-4 + ½·1e-4 = 2.5e-4;  EWM(Δt) = ½·240 000 + ½·120 000 = 180 000
    # ratio = sqrt((3.25e-4 / 210 000) / (2.5e-4 / 180 000)) = sqrt(585 000 / 525 000) = sqrt(39 / 35)
    # vol_short = sqrt(60 000 · 3.25e-4 / 210 000) = sqrt(3.25e-4 · 2 / 7)
    snaps = tops(*mids("yes", (0, "0.50"), (120 * S, "0.51"), (360 * S, "0.53")))
    out = run(snaps, short_half_life_ms=120 * S, long_half_life_ms=240 * S, min_returns=1, include_vols=True)
    assert values(out, "vol_ratio") == approx(1.0, sqrt(39 / 35))
    assert values(out, "vol_short")[1] == pytest.approx(sqrt(3.25e-4 * 2 / 7), rel=1e-12)


def test_run_when_log_returns_then_log_changes_and_unit() -> None:
    # mids 0.20, 0.40, 0.60 at Δt 120 s; S = 60 s (α ¾), L = 120 s (α ½)
    # absolute: r = 0.2, 0.2 -> equal squares -> ratio 1, 1 (the second did not move: no row)
    # log: r = ln 2, ln 1.5 -> ratio_2 = sqrt((¾ ln²1.5 + ¼ ln²2) / (½ ln²1.5 + ½ ln²2)) = 0.8688…
    snaps = tops(*mids("yes", (0, "0.20"), (120 * S, "0.40"), (240 * S, "0.60")))
    config = {"short_half_life_ms": 60 * S, "long_half_life_ms": 120 * S, "min_returns": 1}
    assert values(run(snaps, **config), "vol_ratio") == approx(1.0)
    assert values(run(snaps, ratio_step=0.0, **config), "vol_ratio") == approx(1.0, 1.0)
    out = run(snaps, log_returns=True, include_vols=True, **config)
    a, b = log(2) ** 2, log(1.5) ** 2
    assert values(out, "vol_ratio") == approx(1.0, sqrt((0.75 * b + 0.25 * a) / (0.5 * b + 0.5 * a)))
    assert values(out, "vol_long")[0] == pytest.approx(sqrt(a / 2), rel=1e-12)  # sqrt(60 000 · ln²2 / 120 000)
    assert set(out.filter(pl.col("name") != "vol_ratio")["unit"]) == {"log-return/sqrt-min"}


def test_run_when_fewer_changes_than_min_returns_then_no_row() -> None:
    # 3 changes, min_returns 3: only the third has a row (INTEL_WARMUP before)
    snaps = tops(*mids("yes", (0, "0.50"), (120 * S, "0.51"), (240 * S, "0.52"), (360 * S, "0.53")))
    out = run(snaps, short_half_life_ms=60 * S, long_half_life_ms=120 * S, min_returns=3)
    assert out["ts_ms"].to_list() == [T0 + 360 * S]
    assert values(out, "vol_ratio") == approx(1.0)  # equal squared changes


def test_run_when_no_change_yet_then_no_row_until_the_first_move() -> None:
    # r = 0, 0, 0.01: the long variance is 0 until the move (ratio 0/0: INTEL_WARMUP)
    # at the move: EWM_S = ¾·1e-4, EWM_L = ½·1e-4 (Δt equal) -> ratio sqrt(¾ / ½) = sqrt(1.5)
    snaps = tops(*mids("yes", (0, "0.50"), (120 * S, "0.50"), (240 * S, "0.50"), (360 * S, "0.51")))
    out = run(snaps, short_half_life_ms=60 * S, long_half_life_ms=120 * S, min_returns=1)
    assert out["ts_ms"].to_list() == [T0 + 360 * S]
    assert values(out, "vol_ratio") == approx(sqrt(1.5))


def test_run_when_one_sided_and_same_ms_snapshots_then_skipped_and_last_of_ms_kept() -> None:
    # 0.50 @0; one-sided @60 s (skipped); 0.51 @120 s; 0.60 then 0.52 @240 s (the last of the ms counts)
    # -> r = 0.01 (Δt 120 s), 0.01 (Δt 120 s): ratio 1, 1 at 120 s and 240 s (ratio_step 0: every reading)
    snaps = tops(*mids("yes", (0, "0.50")), ("yes", 60 * S, None, "0.55"), *mids("yes", (120 * S, "0.51")),
                 *mids("yes", (240 * S, "0.60"), (240 * S, "0.52")))
    out = run(snaps, short_half_life_ms=60 * S, long_half_life_ms=120 * S, min_returns=1, ratio_step=0.0)
    assert out["ts_ms"].to_list() == [T0 + 120 * S, T0 + 240 * S]
    assert values(out, "vol_ratio") == approx(1.0, 1.0)


def test_run_when_tokens_interleave_then_rows_per_token_in_time_order() -> None:
    # yes: 0.50 -> 0.51 -> 0.51; y2: 0.30 -> 0.32. Each token its own history.
    snaps = tops(*mids("y2", (0, "0.30")), *mids("yes", (0, "0.50"), (120 * S, "0.51")),
                 *mids("y2", (120 * S, "0.32")), *mids("yes", (240 * S, "0.51")))
    out = run(snaps, short_half_life_ms=60 * S, long_half_life_ms=120 * S, min_returns=1)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    expected = {"yes": [(120 * S, 1.0), (240 * S, sqrt(0.25 / 0.5))], "y2": [(120 * S, 1.0)]}
    rows = sorted(((TOKEN_ID[tok], CONDITION["m1" if tok == "yes" else "m2"], T0 + dt, v)
                   for tok, pts in expected.items() for dt, v in pts))
    assert out.select("token_id", "condition_id", "ts_ms").rows() == [r[:3] for r in rows]
    assert out["value"].to_list() == approx(*(r[3] for r in rows))
    assert set(out["bot"]) == {"intel.vol_ratio"}


# Δt 120 s, S = 60 s (α ¾), L = 120 s (α ½); mids 0.50, 0.51, 0.51, 0.53, 0.53, 0.53: ratios (see the first test)
# 1, sqrt(½) = 0.7071, 7/6 = 1.1667, then two steps without a change, each × sqrt(¼ / ½) = 1/√2:
# 7/(6√2) = 0.8250, 7/12 = 0.5833
FIVE = [(0, "0.50"), (120 * S, "0.51"), (240 * S, "0.51"), (360 * S, "0.53"), (480 * S, "0.53"), (600 * S, "0.53")]
FIVE_RATIOS = [1.0, sqrt(0.5), 7 / 6, 7 / (6 * sqrt(2)), 7 / 12]


@pytest.mark.parametrize(
    ("step", "kept"),
    [
        # step 0.3, last row's ratio e: 1 first (e 1); 0.7071 moved 0.2929: none; 1.1667: 0.1667 none;
        # 0.8250: 0.1750 none; 0.5833: 0.4167 row
        (0.3, [0, 4]),
        # step 0.25: 1 (e 1); 0.7071: 0.2929 row (e 0.7071); 1.1667: 0.4596 row (e 1.1667); 0.8250: 0.3417 row
        # (e 0.8250); 0.5833: 0.2416 none
        (0.25, [0, 1, 2, 3]),
        (0.0, [0, 1, 2, 3, 4]),  # every reading
        (5.0, [0]),  # never moves that far: the first reading only
    ],
)
def test_run_when_ratio_moves_less_than_the_step_then_no_row_until_it_has_moved_a_step(step: float,
                                                                                        kept: list[int]) -> None:
    out = run(tops(*mids("yes", *FIVE)), short_half_life_ms=60 * S, long_half_life_ms=120 * S, min_returns=1,
              ratio_step=step)
    assert out["ts_ms"].to_list() == [T0 + FIVE[i + 1][0] for i in kept]
    assert out["value"].to_list() == approx(*(FIVE_RATIOS[i] for i in kept))


def test_run_when_include_vols_then_both_vols_at_every_reading_and_the_ratio_where_it_moved() -> None:
    # step 0.3 as above: ratio rows at 120 s and 600 s; vol_short / vol_long at all five readings:
    #   vol = sqrt(EWM(r²) / 2): short sqrt(0.5e-4), sqrt(0.125e-4), sqrt(1.53125e-4), sqrt(0.3828125e-4), …
    out = run(tops(*mids("yes", *FIVE)), short_half_life_ms=60 * S, long_half_life_ms=120 * S, min_returns=1,
              ratio_step=0.3, include_vols=True)
    assert out["name"].to_list() == ["vol_ratio", "vol_short", "vol_long"] + ["vol_short", "vol_long"] * 3 + [
        "vol_ratio", "vol_short", "vol_long"]
    assert values(out, "vol_ratio") == approx(1.0, 7 / 12)
    assert values(out, "vol_short")[:4] == approx(sqrt(0.5e-4), sqrt(0.125e-4), sqrt(1.53125e-4), sqrt(0.3828125e-4))
    assert out.filter(pl.col("name") == "vol_long")["ts_ms"].to_list() == [T0 + dt for dt, _ in FIVE[1:]]


def test_run_when_tokens_interleave_then_each_token_has_its_own_first_ratio_and_steps() -> None:
    # step 0.5. yes: the five readings above move 0.2929, 0.1667, 0.1750, 0.4167 from its first (1): first only.
    # y2: 0.30 @0, 0.31 @120 s -> ratio 1: its own first row (never compared with yes's readings)
    snaps = tops(*mids("yes", *FIVE), *mids("y2", (0, "0.30"), (120 * S, "0.31")))
    out = run(snaps, short_half_life_ms=60 * S, long_half_life_ms=120 * S, min_returns=1, ratio_step=0.5)
    assert out.select("token_id", "ts_ms").rows() == [(TOKEN_ID["yes"], T0 + 120 * S), (TOKEN_ID["y2"], T0 + 120 * S)]
    assert out["value"].to_list() == approx(1.0, 1.0)


def test_volatility_when_tokens_share_the_frame_then_each_as_if_alone() -> None:
    # The EWMs of all tokens run on one time axis (each token shifted far past the one before, so every earlier
    # weight is exactly 0): each token's readings must be bit for bit those of the token alone, here with
    # irregular gaps, a token whose times precede the previous token's, and a one-sided snapshot.
    pts = {"yes": [(0, "0.50"), (1_000, "0.52"), (7_000, "0.49"), (9_000, "0.55"), (300_000, "0.56")],
           "no": [(-50_000, "0.40"), (-49_000, "0.43"), (5_000, "0.41"), (6_000, "0.41")],
           "y2": [(2_000, "0.30"), (2_500, "0.31"), (900_000, "0.36"), (900_001, "0.35")]}
    config = vr.Config(short_half_life_ms=1_000, long_half_life_ms=20_000, min_returns=1)
    both = vr.volatility(tops(*(r for tok, p in pts.items() for r in mids(tok, *p)), ("no", 5_500, None, "0.6")),
                         config)
    for tok, p in pts.items():
        alone = vr.volatility(tops(*mids(tok, *p)), config)
        assert both.filter(pl.col("token_id") == TOKEN_ID[tok]).equals(alone)
        assert alone.height == len(p) - 1


def test_run_when_tops_empty_then_typed_empty_frame() -> None:
    out = run(tops())
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert vr.volatility(tops(), vr.Config()).schema == pl.Schema(vr.VOL_SCHEMA)


def test_run_when_one_snapshot_then_no_row() -> None:
    assert run(tops(*mids("yes", (0, "0.50"))), min_returns=1).height == 0


def test_run_when_same_input_twice_then_same_output() -> None:
    snaps = tops(*mids("yes", (0, "0.50"), (1_000, "0.52"), (3_000, "0.49"), (4_000, "0.55")))
    assert run(snaps, min_returns=1, include_vols=True).equals(run(snaps, min_returns=1, include_vols=True))


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"short_half_life_ms": 0}, "short_half_life_ms"),
        ({"long_half_life_ms": 0}, "long_half_life_ms"),
        ({"min_returns": 0}, "min_returns"),
        ({"short_half_life_ms": 600_000, "long_half_life_ms": 600_000}, "short_half_life_ms"),
        ({"ratio_step": -0.01}, "ratio_step"),
    ],
)
def test_config_when_invalid_then_validation_error(config: dict[str, float], match: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=match):
        vr.Config(**config)
