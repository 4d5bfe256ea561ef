"""disc.recurring_series_rotator: series keys, next instance per series, earlier / later codes, the fixture day."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pydantic
import pytest

from polytraders.bots.disc import recurring_series_rotator as rotator
from polytraders.bots.inputs import CANDIDATE_SCHEMA, EXCLUDED_SCHEMA, MarketData, ScanResult
from polytraders.runtime import stages
from polytraders_tests.bots.frames import CONDITION, T0, instruments, market, tops

M1, M2, M3 = CONDITION["m1"], CONDITION["m2"], CONDITION["m3"]
MIN15 = 900_000
FIXTURE_DAY = Path(__file__).resolve().parents[3] / "fixtures" / "2026-09-28"


def run(ins: pl.DataFrame, config: rotator.Config | None = None, top: pl.DataFrame | None = None) -> ScanResult:
    frames = {"instruments": ins} if top is None else {"instruments": ins, "tops": top}
    return rotator.run(MarketData.of(**frames), config or rotator.Config())


@pytest.mark.parametrize(
    ("slug", "key"),
    [
        ("btc-updown-15m-1790586000", "btc-updown-15m"),  # epoch seconds
        ("btc-updown-15m-1790586000000", "btc-updown-15m"),  # epoch ms
        ("eth-up-or-down-2026-08-12", "eth-up-or-down"),  # ISO date
        ("bitcoin-up-or-down-on-september-28", "bitcoin-up-or-down-on"),  # month + day
        ("Bitcoin-Up-Or-Down-September-28-5am-ET", "bitcoin-up-or-down"),  # hour, upper case
        ("nba-lakers-win-december-25-2026", "nba-lakers-win"),  # month + day + year
        ("will-x-win-the-cup", None),  # no period suffix
        ("highest-temp-2026", None),  # a year alone is not a period
        ("btc-updown-15m-17905860", None),  # 8 digits: neither epoch s nor ms
    ],
)
def test_series_key_when_slug_then_suffix_stripped(slug: str, key: str | None) -> None:
    assert pl.select(rotator.series_key(pl.lit(slug))).item() == key


def test_run_when_series_then_next_instance_rolled_and_others_coded() -> None:
    # series btc-updown-15m, W = T0 + 1_000_000 (config):
    #   m1 ends T0 + 900_000 ≤ W → expired; m2 ends T0 + 1_800_000 → next; m3 ends T0 + 2_700_000 → later
    #   score = 1 / (1 + 800_000 / 3_600_000) = 1 / (1 + 2/9) = 9/11
    ins = instruments(
        market("m1", slug="btc-updown-15m-1790000000", end_dt=MIN15),
        market("m2", slug="btc-updown-15m-1790000900", end_dt=2 * MIN15),
        market("m3", slug="btc-updown-15m-1790001800", end_dt=3 * MIN15),
    )
    result = run(ins, rotator.Config(as_of_ms=T0 + 1_000_000))
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.candidates.select("condition_id", "ts_ms", "rank", "reason_codes").rows() == [
        (M2, T0 + 1_000_000, 1, ["DISC_SERIES_ROLLED"])
    ]
    assert result.candidates["score"].to_list() == pytest.approx([9 / 11], rel=1e-12)
    assert result.excluded.rows() == [(M1, "DISC_SERIES_EXPIRED"), (M3, "DISC_SERIES_LATER")]


@pytest.mark.parametrize(
    ("as_of_dt", "rows"),
    [
        # end = W is ended (end > W needed): at W = T0 + 900_000 m1 is expired and m2 is next
        (MIN15, {M1: "DISC_SERIES_EXPIRED", M2: None, M3: "DISC_SERIES_LATER"}),
        (MIN15 - 1, {M1: None, M2: "DISC_SERIES_LATER", M3: "DISC_SERIES_LATER"}),
        # everything ended → the series has no next instance
        (3 * MIN15, {M1: "DISC_SERIES_NO_NEXT", M2: "DISC_SERIES_NO_NEXT", M3: "DISC_SERIES_NO_NEXT"}),
    ],
)
def test_run_when_as_of_at_an_end_then_that_instance_expired(as_of_dt: int, rows: dict[str, str | None]) -> None:
    ins = instruments(*(market(m, slug=f"eth-up-or-down-2026-08-1{i}", end_dt=(i + 1) * MIN15)
                        for i, m in enumerate(("m1", "m2", "m3"))))  # fmt: skip
    result = run(ins, rotator.Config(as_of_ms=T0 + as_of_dt))
    assert result.candidates["condition_id"].to_list() == [c for c, code in rows.items() if code is None]
    assert dict(result.excluded.rows()) == {c: code for c, code in rows.items() if code is not None}


def test_run_when_instances_not_tradable_then_skipped_in_the_roll() -> None:
    # W = T0 (latest as_of). m1 (ends first) closed → expired although its end is ahead; m2 not accepting
    # orders and ends before m3 → not active; m3 is the next tradable instance
    ins = instruments(
        market("m1", slug="s-1790000000", end_dt=MIN15, closed=True),
        market("m2", slug="s-1790000900", end_dt=2 * MIN15, accepting_orders=False),
        market("m3", slug="s-1790001800", end_dt=3 * MIN15),
    )
    result = run(ins)
    assert result.candidates.select("condition_id", "ts_ms").rows() == [(M3, T0)]
    assert result.excluded.rows() == [(M1, "DISC_SERIES_EXPIRED"), (M2, "DISC_NOT_ACTIVE")]


def test_run_when_not_recurring_or_no_end_date_then_own_codes_and_series_apart() -> None:
    # m1 no suffix; m2 recurring without an end date; m3 alone in its series → rolled; W = latest top T0 + 60 s
    ins = instruments(
        market("m1", slug="will-x-win", end_dt=MIN15),
        market("m2", slug="eth-up-or-down-2026-08-12"),
        market("m3", slug="sol-up-or-down-2026-08-12", end_dt=MIN15),
    )
    result = run(ins, top=tops(("y3", 60_000, "0.40", "0.42")))
    # score = 1 / (1 + 840_000 / 3_600_000) = 1 / (1 + 7/30) = 30/37
    assert result.candidates.select("condition_id", "ts_ms").rows() == [(M3, T0 + 60_000)]
    assert result.candidates["score"].to_list() == pytest.approx([30 / 37], rel=1e-12)
    assert result.excluded.rows() == [(M1, "DISC_NOT_RECURRING"), (M2, "DISC_SERIES_NO_END_DATE")]


def test_run_when_two_series_then_sooner_roll_ranks_first() -> None:
    # W = T0: series a → m1 (ends in 15 min, score 1 / 1.25 = 0.8); series b → m2 (1 h, 0.5), m3 later
    ins = instruments(
        market("m1", slug="a-updown-1790000000", end_dt=MIN15),
        market("m2", slug="b-updown-2026-08-12", end_dt=4 * MIN15),
        market("m3", slug="b-updown-2026-08-13", end_dt=8 * MIN15),
    )
    result = run(ins)
    assert result.candidates.select("condition_id", "rank", "score").rows() == [(M1, 1, 0.8), (M2, 2, 0.5)]
    assert result.excluded.rows() == [(M3, "DISC_SERIES_LATER")]


def test_run_when_fixture_day_then_first_15m_instance_is_next() -> None:
    # fixtures/2026-09-28/markets.json: 18 BTC 15-minute up/down markets, slugs btc-updown-15m-<epoch s of the
    # period start>, epochs 1790586000 (= 09:00 UTC = 5:00 AM EDT) … 1790602200 every 900 s except 1790595900
    # (the 7:45 AM ET period is missing); end = start + 900 s. One series key: "btc-updown-15m".
    ins, _ = stages.registry(FIXTURE_DAY)
    assert ins.height == 18
    assert set(ins.select(rotator.series_key(pl.col("slug")))["slug"]) == {"btc-updown-15m"}
    by_slug = dict(ins.select("slug", "condition_id").rows())
    # W = the records' as_of = 00:00 UTC = 1_790_553_600_000 → the earliest end is next:
    # btc-updown-15m-1790586000 ends 1_790_586_900_000 → 9.25 h ahead → score 1 / 10.25
    result = run(ins)
    assert result.candidates.select("condition_id", "ts_ms").rows() == [
        (by_slug["btc-updown-15m-1790586000"], 1_790_553_600_000)
    ]
    assert result.candidates["score"].to_list() == pytest.approx([1 / 10.25], rel=1e-12)
    assert result.excluded["reason_code"].to_list() == ["DISC_SERIES_LATER"] * 17
    # as of 1_790_595_000_000 (the 7:15 AM period's end): the 10 periods 1790586000 … 1790594100 have ended
    # (end ≤ W), the 7:30 AM one (1790595000, ends 1_790_595_900_000) is next, the 7 after it are later
    later = run(ins, rotator.Config(as_of_ms=1_790_595_000_000))
    assert later.candidates["condition_id"].to_list() == [by_slug["btc-updown-15m-1790595000"]]
    counts = dict(later.excluded.group_by("reason_code").len().rows())
    assert counts == {"DISC_SERIES_EXPIRED": 10, "DISC_SERIES_LATER": 7}


def test_run_when_empty_inputs_then_typed_empty_result() -> None:
    result = rotator.run(MarketData.of(), rotator.Config())
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.excluded.schema == pl.Schema(EXCLUDED_SCHEMA)
    assert result.candidates.height == result.excluded.height == 0


def test_run_when_same_input_twice_then_same_output() -> None:
    names = ("m1", "m2", "m3")
    ins = instruments(*(market(m, slug=f"s-179000{i}000", end_dt=(3 - i) * MIN15) for i, m in enumerate(names)))
    first, second = run(ins), run(ins)
    assert first.candidates.equals(second.candidates)
    assert first.excluded.equals(second.excluded)
    assert first.candidates["condition_id"].to_list() == [M3]  # m3 ends first (15 min)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"as_of_ms": -1}, "as_of_ms"), ({"suffix_pattern": "-(\\d+"}, "not a valid regular expression")],
)
def test_config_when_invalid_then_validation_error(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=match):
        rotator.Config(**kwargs)
