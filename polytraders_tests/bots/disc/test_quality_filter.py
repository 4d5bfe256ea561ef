"""disc.quality_filter: every criterion at its edge, the order of the codes, top-only and trade-less days, schema."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pydantic
import pytest

from polytraders.bots.disc import quality_filter as qf
from polytraders.bots.inputs import CANDIDATE_SCHEMA, EXCLUDED_SCHEMA, MarketData, ScanResult
from polytraders_tests.bots.frames import CONDITION, T0, books, instruments, market, tops, trades

M1, M2, M3 = CONDITION["m1"], CONDITION["m2"], CONDITION["m3"]

# m1 (YES token "yes", tick 0.01), W1 = T0 + 60_000 (its last top):
#   books  T0:       bids 0.48×100, 0.47×50, 0.45×500 | asks 0.50×80, 0.52×40, 0.53×1000
#                    k = 2 ticks: bids ≥ 0.46 → 150, asks ≤ 0.52 → 120; thinner side 120
#          T0 + 30 s: bids 0.49×200 | asks 0.51×300 → thinner 200;  median depth (120 + 200) / 2 = 160
#   tops   T0: 0.48 / 0.50 (2 ticks, YES mid 0.49); T0 + 60 s: 0.49 / 0.50 (1 tick, mid 0.495)
#          median spread 1.5 ticks → score 1 / 1.5; median YES mid 0.4925
#   gaps   snapshots at 0, 30 s (book), 60 s → largest 30_000 ms (60_000 without the book at 30 s)
#   age    first seen T0 (record and first snapshot) → 60_000 ms at W1
#   volume 10 + 5 = 15 shares
BOOKS = books(
    ("yes", 0, [("0.48", "100"), ("0.47", "50"), ("0.45", "500")], [("0.50", "80"), ("0.52", "40"), ("0.53", "1000")]),
    ("yes", 30_000, [("0.49", "200")], [("0.51", "300")]),
)
TOPS = tops(("yes", 0, "0.48", "0.50"), ("yes", 60_000, "0.49", "0.50"))
TRADES = trades(("yes", 10_000, "0.49", "10", "BUY"), ("no", 20_000, "0.51", "5", "SELL"))


def cfg(**overrides: object) -> qf.Config:
    """Thresholds that m1 meets exactly: age 60 s, depth 160 shares, volume 15 shares, gap 30 s, spread 2."""
    base: dict[str, object] = {"min_age_ms": 60_000, "min_depth_shares": D("160"), "min_volume_shares": D("15"),
                               "max_gap_ms": 30_000, "max_spread_ticks": 2}  # fmt: skip
    return qf.Config(**{**base, **overrides})


def run(config: qf.Config, ins: pl.DataFrame | None = None, book: pl.DataFrame = BOOKS, top: pl.DataFrame = TOPS,
        trade: pl.DataFrame = TRADES) -> ScanResult:  # fmt: skip
    data = MarketData.of(instruments=instruments(market("m1")) if ins is None else ins, books=book, tops=top,
                         trades=trade)  # fmt: skip
    return qf.run(data, config)


def test_run_when_every_threshold_met_exactly_then_passed() -> None:
    result = run(cfg())
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.candidates.select("condition_id", "ts_ms", "rank", "reason_codes").rows() == [
        (M1, T0 + 60_000, 1, ["DISC_QUALITY_PASSED"])
    ]
    assert result.candidates["score"].to_list() == pytest.approx([1 / 1.5], rel=1e-12)
    assert result.excluded.height == 0


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"min_age_ms": 60_001}, "DISC_TOO_YOUNG"),
        ({"max_spread_ticks": 1}, "DISC_WIDE_SPREAD"),  # median 1.5 > 1
        ({"price_lo": D("0.4926")}, "DISC_PRICE_OUT_OF_BAND"),  # median YES mid 0.4925 < 0.4926
        ({"price_hi": D("0.4924")}, "DISC_PRICE_OUT_OF_BAND"),
        ({"price_lo": D("0.4925"), "price_hi": D("0.4926")}, None),  # band edges are inside
        ({"max_gap_ms": 29_999}, "DISC_BOOK_GAP"),
        ({"min_depth_shares": D("160.000001")}, "DISC_THIN_DEPTH"),
        # k = 0: thinner touch sizes min(100, 80) = 80 and min(200, 300) = 200 → median 140
        ({"depth_ticks": 0, "min_depth_shares": D("140")}, None),
        ({"depth_ticks": 0, "min_depth_shares": D("140.000001")}, "DISC_THIN_DEPTH"),
        ({"min_volume_shares": D("15.000001")}, "DISC_LOW_VOLUME"),
        # several failures: the first in the documented order wins
        ({"min_age_ms": 60_001, "max_spread_ticks": 1, "max_gap_ms": 1}, "DISC_TOO_YOUNG"),
        ({"max_spread_ticks": 1, "price_lo": D("0.9"), "price_hi": D("0.95")}, "DISC_WIDE_SPREAD"),
        ({"price_lo": D("0.9"), "price_hi": D("0.95"), "max_gap_ms": 1}, "DISC_PRICE_OUT_OF_BAND"),
        ({"max_gap_ms": 1, "min_depth_shares": D("1000")}, "DISC_BOOK_GAP"),
        ({"min_depth_shares": D("1000"), "min_volume_shares": D("1000")}, "DISC_THIN_DEPTH"),
    ],
)
def test_run_when_a_criterion_fails_then_its_code(overrides: dict[str, object], code: str | None) -> None:
    result = run(cfg(**overrides))
    if code is None:
        assert result.candidates["condition_id"].to_list() == [M1]
        assert result.excluded.height == 0
    else:
        assert result.candidates.height == 0
        assert result.excluded.rows() == [(M1, code)]


def test_run_when_books_absent_then_gap_from_tops_and_depth_unknown_or_skipped() -> None:
    # tops only: snapshots 0 and 60 s → gap 60_000 > 30_000 → BOOK_GAP (the book at 30 s filled it)
    assert run(cfg(), book=books()).excluded.rows() == [(M1, "DISC_BOOK_GAP")]
    # gap allowed: depth unknown → excluded, or skipped when books are not required
    assert run(cfg(max_gap_ms=60_000), book=books()).excluded.rows() == [(M1, "DISC_DEPTH_UNKNOWN")]
    skipped = run(cfg(max_gap_ms=60_000, require_book_depth=False), book=books())
    assert skipped.candidates["condition_id"].to_list() == [M1]


def test_run_when_no_trade_prints_then_volume_zero() -> None:
    # the captured days have no prints: minimum 0 passes, any positive minimum fails
    assert run(cfg(min_volume_shares=D("0")), trade=trades()).candidates.height == 1
    assert run(cfg(min_volume_shares=D("0.000001")), trade=trades()).excluded.rows() == [(M1, "DISC_LOW_VOLUME")]


def test_run_when_no_two_sided_top_then_no_live_book() -> None:
    # m2: one-sided tops only; m3: no data at all; m1 passes (W1 stays T0 + 60 s)
    ins = instruments(market("m1"), market("m2"), market("m3"))
    top = pl.concat([TOPS, tops(("y2", 0, "0.40", None), ("n2", 1_000, None, "0.60"))])
    result = run(cfg(), ins=ins, top=top)
    assert result.candidates["condition_id"].to_list() == [M1]
    assert result.excluded.rows() == [(M2, "DISC_NO_LIVE_BOOK"), (M3, "DISC_NO_LIVE_BOOK")]


def test_run_when_only_no_token_quoted_then_yes_mid_is_one_minus() -> None:
    # m2 quoted on NO: 0.69 / 0.71 at T0 and T0 + 60 s → NO mid 0.70, YES mid 0.30. Band [0.05, 0.50]:
    # YES 0.30 is inside (a raw 0.70 would not be); spread 2 ticks ≤ 2; gap 60 s; no book → skipped
    ins = instruments(market("m2"))
    top = tops(("n2", 0, "0.69", "0.71"), ("n2", 60_000, "0.69", "0.71"))
    config = cfg(price_hi=D("0.50"), max_gap_ms=60_000, require_book_depth=False, min_volume_shares=D("0"))
    result = run(config, ins=ins, top=top, book=books(), trade=trades())
    assert result.candidates.select("condition_id", "score").rows() == [(M2, 0.5)]
    assert run(cfg(price_lo=D("0.31"), max_gap_ms=60_000, require_book_depth=False, min_volume_shares=D("0")),
               ins=ins, top=top, book=books(), trade=trades()).excluded.rows() == [(M2, "DISC_PRICE_OUT_OF_BAND")]


def test_run_when_first_seen_before_record_then_age_from_snapshot() -> None:
    # m1's record as of T0 + 50 s but its first snapshot at T0 → first seen T0, age 60_000 ≥ 60_000
    result = run(cfg(), ins=instruments(market("m1", as_of_dt=50_000)))
    assert result.candidates["condition_id"].to_list() == [M1]


def test_run_when_empty_inputs_then_typed_empty_result() -> None:
    result = qf.run(MarketData.of(), qf.Config())
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.excluded.schema == pl.Schema(EXCLUDED_SCHEMA)
    assert result.candidates.height == result.excluded.height == 0


def test_run_when_same_input_twice_then_same_output() -> None:
    ins = instruments(market("m1"), market("m2"), market("m3"))
    first, second = run(cfg(), ins=ins), run(cfg(), ins=ins)
    assert first.candidates.equals(second.candidates)
    assert first.excluded.equals(second.excluded)
    ids = first.candidates["condition_id"].to_list() + first.excluded["condition_id"].to_list()
    assert sorted(ids) == sorted([M1, M2, M3])


def test_run_when_a_book_side_is_empty_then_its_depth_is_zero() -> None:
    # books T0: no bids → thinner side 0; T0 + 30 s: thinner 200 (as BOOKS) → median depth (0 + 200) / 2 = 100
    # (a one-sided snapshot counts 0, it is not left out: left out, the median would be 200)
    book = books(("yes", 0, [], [("0.50", "80")]), ("yes", 30_000, [("0.49", "200")], [("0.51", "300")]))
    assert run(cfg(min_depth_shares=D("100")), book=book).candidates["condition_id"].to_list() == [M1]
    assert run(cfg(min_depth_shares=D("100.000001")), book=book).excluded.rows() == [(M1, "DISC_THIN_DEPTH")]


def test_run_when_rows_in_any_order_then_same_result() -> None:
    # m1 as in BOOKS / TOPS plus m2 (YES and NO quoted, 3 ticks wide), rows shuffled and reversed:
    # the verdict is per market over its rows, whatever their order (the frames are sorted only when not in order)
    ins = instruments(market("m1"), market("m2"))
    top = pl.concat([TOPS, tops(("y2", 0, "0.40", "0.43"), ("n2", 10_000, "0.57", "0.60"),
                                ("y2", 40_000, "0.41", "0.44"))])
    ordered = run(cfg(), ins=ins, top=top)
    for seed in range(3):
        shuffled = run(cfg(), ins=ins, top=top.sample(fraction=1.0, shuffle=True, seed=seed),
                       book=BOOKS.reverse())  # fmt: skip
        assert shuffled.candidates.equals(ordered.candidates)
        assert shuffled.excluded.equals(ordered.excluded)
    assert ordered.excluded.rows() == [(CONDITION["m2"], "DISC_WIDE_SPREAD")]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"price_lo": D("0.6"), "price_hi": D("0.5")}, "price_lo 0.6 must be below price_hi 0.5"),
        ({"price_hi": D("1.5")}, "price_hi"),
        ({"max_spread_ticks": 0}, "max_spread_ticks"),
        ({"min_depth_shares": D("-1")}, "min_depth_shares"),
    ],
)
def test_config_when_invalid_then_validation_error(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=match):
        qf.Config(**kwargs)
