"""intel.negrisk_sum: hand-checked YES sums of a neg-risk group, as of each member top change."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import negrisk_sum as ns
from polytraders.contracts import InstrumentToken
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, instruments, market, tops

GROUP3 = instruments(*(market(m, neg_risk_group="g1") for m in ("m1", "m2", "m3")))


def run(records: pl.DataFrame, snaps: pl.DataFrame, **config: object) -> pl.DataFrame:
    return ns.run(MarketData.of(instruments=records, tops=snaps), ns.Config(**config))


def readings(out: pl.DataFrame) -> list[tuple[str, int, float, float]]:
    """(trigger token, dt, ask gap, bid gap) per change time; the rows come in pairs ask, bid."""
    short = {v: k for k, v in TOKEN_ID.items()}
    assert out["name"].to_list() == ["ask_sum_gap", "bid_sum_gap"] * (out.height // 2)
    asks, bids = out[0::2], out[1::2]
    return [(short[tok], ts - T0, round(a, 9), round(b, 9))
            for tok, ts, a, b in zip(asks["token_id"], asks["ts_ms"], asks["value"], bids["value"], strict=True)]


def test_run_when_members_change_then_sums_as_of_each_change() -> None:
    # 2 000: first time all three have a top: asks 0.32 + 0.33 + 0.36 = 1.01 -> +0.01; bids 0.30 + 0.30 + 0.35 = 0.95
    # 3 000: yes -> 0.28/0.30: asks 0.30 + 0.33 + 0.36 = 0.99 -> −0.01; bids 0.28 + 0.30 + 0.35 = 0.93 -> −0.07
    # 4 000: yes repeats its top: no change, no row
    # 5 000: y2 one-sided: no row (INTEL_EMPTY_SIDE)
    # 6 000: y2 -> 0.31/0.33: asks 0.30 + 0.33 + 0.36 = 0.99 -> −0.01; bids 0.28 + 0.31 + 0.35 = 0.94 -> −0.06
    snaps = tops(("yes", 0, "0.30", "0.32"), ("y2", 1_000, "0.30", "0.33"), ("y3", 2_000, "0.35", "0.36"),
                 ("yes", 3_000, "0.28", "0.30"), ("yes", 4_000, "0.28", "0.30"), ("y2", 5_000, None, "0.33"),
                 ("y2", 6_000, "0.31", "0.33"))
    out = run(GROUP3, snaps)
    assert readings(out) == [("y3", 2_000, 0.01, -0.05), ("yes", 3_000, -0.01, -0.07), ("y2", 6_000, -0.01, -0.06)]
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert out["condition_id"].to_list() == [CONDITION[m] for m in ("m3", "m3", "m1", "m1", "m2", "m2")]
    assert set(out["unit"]) == {"probability"}
    assert set(out["bot"]) == {"intel.negrisk_sum"}


def test_run_when_no_tokens_and_outside_markets_change_then_no_trigger() -> None:
    # group {m1, m2}; "no" (NO token of m1) and y3 (m3 outside the group) change at 1 500 / 1 700: ignored.
    # 1 000: asks 0.40 + 0.55 = 0.95 -> −0.05; bids 0.39 + 0.54 = 0.93 -> −0.07
    records = instruments(market("m1", neg_risk_group="g1"), market("m2", neg_risk_group="g1"), market("m3"))
    snaps = tops(("yes", 0, "0.39", "0.40"), ("y2", 1_000, "0.54", "0.55"), ("no", 1_500, "0.59", "0.61"),
                 ("y3", 1_700, "0.10", "0.20"))
    assert readings(run(records, snaps)) == [("y2", 1_000, -0.05, -0.07)]


def test_run_when_two_members_change_in_one_ms_then_one_pair_on_the_smallest_condition() -> None:
    # both at 1 000: one row pair, attributed to m1 (CONDITION m1 < m2).
    # asks 0.52 + 0.50 = 1.02 -> +0.02; bids 0.50 + 0.48 = 0.98 -> −0.02
    records = instruments(market("m2", neg_risk_group="g1"), market("m1", neg_risk_group="g1"))
    snaps = tops(("y2", 1_000, "0.48", "0.50"), ("yes", 1_000, "0.50", "0.52"))
    assert readings(run(records, snaps)) == [("yes", 1_000, 0.02, -0.02)]


def test_run_when_same_ms_tops_of_a_member_then_the_last_counts() -> None:
    # yes at 1 000: 0.10/0.90 then 0.45/0.47 (the last of the ms). asks 0.47 + 0.50 = 0.97; bids 0.45 + 0.49 = 0.94
    records = instruments(market("m1", neg_risk_group="g1"), market("m2", neg_risk_group="g1"))
    snaps = tops(("y2", 0, "0.49", "0.50"), ("yes", 1_000, "0.10", "0.90"), ("yes", 1_000, "0.45", "0.47"))
    assert readings(run(records, snaps)) == [("yes", 1_000, -0.03, -0.06)]


def test_run_when_a_member_never_quotes_or_group_too_small_then_no_row() -> None:
    # m3 of the group never has a top: INTEL_NEGRISK_INCOMPLETE throughout
    snaps = tops(("yes", 0, "0.30", "0.32"), ("y2", 1_000, "0.30", "0.33"))
    assert run(GROUP3, snaps).height == 0
    # a one-market group, and a two-market group under min_members = 3
    assert run(instruments(market("m1", neg_risk_group="g1")), snaps).height == 0
    pair = instruments(market("m1", neg_risk_group="g1"), market("m2", neg_risk_group="g1"))
    assert run(pair, snaps, min_members=3).height == 0
    assert run(pair, snaps).height == 2  # the same pair with the default min_members = 2


def test_run_when_membership_changes_then_the_latest_record_counts() -> None:
    # m2 left the group in its later record: the group is {m1} alone -> no row
    records = instruments(market("m1", neg_risk_group="g1"), market("m2", neg_risk_group="g1"),
                          market("m2", as_of_dt=500))
    snaps = tops(("yes", 0, "0.30", "0.32"), ("y2", 1_000, "0.30", "0.33"))
    assert run(records, snaps).height == 0


def test_yes_tokens_when_yes_is_not_first_or_absent_then_yes_else_first() -> None:
    def with_tokens(name: str, *pairs: tuple[str, str]) -> object:
        tokens = tuple(InstrumentToken(token_id=TOKEN_ID[tok], outcome=outcome) for tok, outcome in pairs)
        return market(name, neg_risk_group="g1").model_copy(update={"tokens": tokens})

    swapped = with_tokens("m1", ("no", "No"), ("yes", "YES"))  # "Yes" second, any case
    no_yes = with_tokens("m2", ("n2", "Trump"), ("y2", "Harris"))  # no "Yes": the first token
    members = ns.yes_tokens(instruments(swapped, no_yes, market("m3")))
    assert members.rows() == [("g1", CONDITION["m1"], TOKEN_ID["yes"]), ("g1", CONDITION["m2"], TOKEN_ID["n2"])]


@pytest.mark.parametrize("which", ["instruments", "tops", "both"])
def test_run_when_input_empty_then_typed_empty_frame(which: str) -> None:
    records = GROUP3 if which == "tops" else instruments()
    snaps = tops(("yes", 0, "0.30", "0.32")) if which == "instruments" else tops()
    out = run(records, snaps)
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    snaps = tops(("yes", 0, "0.30", "0.32"), ("y2", 0, "0.30", "0.33"), ("y3", 0, "0.35", "0.36"),
                 ("y3", 10, "0.34", "0.36"))
    assert run(GROUP3, snaps).equals(run(GROUP3, snaps))


def test_config_when_min_members_below_two_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="min_members"):
        ns.Config(min_members=1)
