"""gov.data_quality_monitor: each budget on hand-built books (one finding each, at and past the budget),
the book's provenance hash on its finding, row order, empty input, config bounds, determinism."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pydantic
import pytest

from polytraders.bots.gov import data_quality_monitor as dq
from polytraders.bots.inputs import MarketData
from polytraders.contracts import Freshness, OrderBookSnapshot
from polytraders.contracts.frames import empty_frame, to_frame
from polytraders_tests.bots.frames import T0, TOKEN_ID, book, instruments, market

CONFIG = dq.Config()
M1 = instruments(market("m1"))  # min_order_size 5, as of T0


def bk(token: str, dt: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]], *, tick: str = "0.01",
       age_ms: int = 0, received_dt: int | None = None, tag: int = 0) -> OrderBookSnapshot:
    """A book of ``token`` with venue time T0 + dt, received ``age_ms`` later (or at T0 + received_dt),
    its provenance hash ``f"{tag:064x}"``; freshness budget 2,000 ms."""
    base = book(token, dt, bids, asks, tick)
    received = T0 + (dt + age_ms if received_dt is None else received_dt)
    fresh = Freshness(source_ts_ms=T0 + dt, receive_ts_ms=received, age_ms=received - T0 - dt, budget_ms=2_000,
                      quality="OK" if received - T0 - dt <= 2_000 else "WARN", provenance_hash=f"{tag:064x}")
    return base.model_copy(update={"freshness": fresh})


def run(*books: OrderBookSnapshot, inst: pl.DataFrame = M1, config: dq.Config = CONFIG) -> pl.DataFrame:
    return dq.run(MarketData.of(books=to_frame("OrderBookSnapshot", list(books)), instruments=inst), config)


def rows(out: pl.DataFrame) -> list[tuple]:
    return out.select("reason_code", "observed", "budget", "unit", "provenance_hash").rows()


GOOD_BIDS, GOOD_ASKS = [("0.48", "100")], [("0.50", "100")]


def test_run_when_every_book_within_budget_then_no_finding() -> None:
    # age 2,000 = the budget; spread 0.50 - 0.40 = 10 ticks = the budget; touch sizes 5 = the minimum;
    # sizes with 2 places; venue times 0, 120,000 (gap = the budget)
    out = run(bk("yes", 0, [("0.40", "5")], [("0.50", "5.25")], age_ms=2_000),
              bk("yes", 120_000, GOOD_BIDS, GOOD_ASKS))
    assert out.is_empty() and out.schema == empty_frame("DataQualityFinding").schema


def test_run_when_book_older_than_its_budget_then_stale_finding_with_age_and_budget() -> None:
    # received 2,500 ms after its venue time; budget_ms 2,000 on the book
    out = run(bk("yes", 0, GOOD_BIDS, GOOD_ASKS, age_ms=2_500, tag=7))
    assert rows(out) == [("GOV_DQ_STALE_BOOK", D(2500), D(2000), "ms", f"{7:064x}")]
    assert out["detail"].to_list() == ["received 2500 ms after its venue time; freshness budget 2000 ms"]
    assert out.select("bot", "severity", "token_id", "ts_ms").row(0) == (dq.SLUG, "WARN", TOKEN_ID["yes"], T0)


def test_run_when_spread_more_ticks_than_budget_then_wide_finding_in_whole_ticks() -> None:
    # 0.51 - 0.40 = 0.11 = 11 ticks of 0.01 > 10; 0.411 - 0.400 = 0.011 = 11 ticks of 0.001 > 10;
    # 0.410 - 0.400 = 10 ticks of 0.001: within; one-sided book: no spread
    out = run(bk("yes", 0, [("0.40", "10")], [("0.51", "10")], tag=1),
              bk("no", 0, [("0.400", "10")], [("0.411", "10")], tick="0.001", tag=2),
              bk("no", 1_000, [("0.400", "10")], [("0.410", "10")], tick="0.001", tag=3),
              bk("yes", 1_000, [], [("0.99", "10")], tag=4))
    assert rows(out) == [("GOV_DQ_WIDE_SPREAD", D(11), D(10), "ticks", f"{1:064x}"),
                         ("GOV_DQ_WIDE_SPREAD", D(11), D(10), "ticks", f"{2:064x}")]
    assert out["detail"][0] == "spread 11 ticks (best bid 0.4, best ask 0.51, tick 0.01); budget 10 ticks"
    assert rows(run(bk("yes", 0, [("0.40", "10")], [("0.51", "10")]), config=dq.Config(max_spread_ticks=11))) == []


def test_run_when_touch_below_min_order_size_then_dust_finding_with_smaller_touch() -> None:
    # min_order_size 5: bid 4.99 < 5 (ask 100 fine); both 1 < 5; ask 3 on a one-sided book;
    # sizes exactly 5 are not dust
    out = run(bk("yes", 0, [("0.48", "4.99"), ("0.47", "1")], [("0.50", "100")], tag=1),
              bk("no", 0, [("0.48", "1")], [("0.50", "1")], tag=2),
              bk("yes", 1_000, [], [("0.50", "3")], tag=3),
              bk("no", 1_000, [("0.48", "5")], [("0.50", "5")], tag=4))
    assert rows(out) == [("GOV_DQ_DUST", D("4.99"), D(5), "shares", f"{1:064x}"),
                         ("GOV_DQ_DUST", D(1), D(5), "shares", f"{2:064x}"),
                         ("GOV_DQ_DUST", D(3), D(5), "shares", f"{3:064x}")]
    assert out["detail"].to_list() == ["best bid size 4.99 below the minimum order size 5",
                                       "best bid and best ask size 1 below the minimum order size 5",
                                       "best ask size 3 below the minimum order size 5"]


def test_run_when_min_order_size_changes_then_each_book_checked_against_the_record_in_force() -> None:
    # records: 5 from T0 + 1,000, 10 from T0 + 5,000. Touch size 7: at dt 500 no record yet (not
    # checked), at dt 2,000 7 >= 5 (fine), at dt 6,000 7 < 10 (dust, budget 10)
    later = market("m1", as_of_dt=5_000).model_copy(update={"min_order_size": D(10)})
    inst = instruments(market("m1", as_of_dt=1_000), later)
    out = run(*(bk("yes", dt, [("0.48", "7")], [("0.50", "7")], tag=dt) for dt in (500, 2_000, 6_000)), inst=inst)
    assert rows(out) == [("GOV_DQ_DUST", D(7), D(10), "shares", f"{6_000:064x}")]


def test_run_when_price_or_size_finer_than_its_step_then_precision_findings_price_first() -> None:
    # a 0.001-grid book re-stamped tick 0.01 (a frame from another source): 0.485 % 0.01 = 0.005 != 0;
    # size 1.234 has 3 places > 2 (1,234,000 micro % 10,000 = 4,000 != 0); first offender, bids then asks
    fine = bk("yes", 0, [("0.485", "10"), ("0.480", "1.234")], [("0.495", "10.5")], tick="0.001", tag=9)
    frame = to_frame("OrderBookSnapshot", [fine]).with_columns(tick_size=pl.lit(D("0.01"), dtype=pl.Decimal(38, 6)))
    out = dq.run(MarketData.of(books=frame, instruments=M1), CONFIG)
    assert rows(out) == [("GOV_DQ_PRECISION_MISMATCH", D("0.485"), D("0.01"), "USDC per share", f"{9:064x}"),
                         ("GOV_DQ_PRECISION_MISMATCH", D("1.234"), D("0.01"), "shares", f"{9:064x}")]
    assert out["detail"].to_list() == ["price 0.485 is not on the 0.01 tick grid",
                                       "size 1.234 has more than 2 decimal places"]
    assert rows(run(fine, config=dq.Config(size_decimals=3))) == []  # on its own 0.001 grid, 3 places allowed


def test_run_when_venue_time_goes_back_or_jumps_then_sequence_findings_per_token() -> None:
    # yes, in receive order: venue 0, 1,000, 500 (received at 2,000: 500 ms before the newest, 1,000),
    # then 1,500 received at 2,500 (newest 1,000: +500, fine). no: venue 0 then 130,001 (gap 130,001 > 120,000).
    # The no token's 0 after yes's 1,000 is another token: not backwards.
    out = run(bk("yes", 0, GOOD_BIDS, GOOD_ASKS, tag=1), bk("yes", 1_000, GOOD_BIDS, GOOD_ASKS, tag=2),
              bk("no", 0, GOOD_BIDS, GOOD_ASKS, received_dt=1_000, tag=3),
              bk("yes", 500, GOOD_BIDS, GOOD_ASKS, received_dt=2_000, tag=4),
              bk("yes", 1_500, GOOD_BIDS, GOOD_ASKS, received_dt=2_500, tag=5),
              bk("no", 130_001, GOOD_BIDS, GOOD_ASKS, tag=6))
    assert rows(out) == [("GOV_DQ_SEQUENCE_GAP", D(-500), D(0), "ms", f"{4:064x}"),
                         ("GOV_DQ_SEQUENCE_GAP", D(130_001), D(120_000), "ms", f"{6:064x}")]
    assert out["detail"].to_list() == [
        f"venue time {T0 + 500} is 500 ms before the token's newest book so far ({T0 + 1_000})",
        f"no book of the token for 130001 ms of venue time (after {T0}); budget 120000 ms",
    ]


def test_run_when_rows_out_of_receive_order_then_sequence_follows_receive_time() -> None:
    # Input rows list the late book first; by receive time it is still the later one: venue 500 received
    # at 2,000 after venue 1,000 received at 1,000 -> backwards by 500 ms.
    out = run(bk("yes", 500, GOOD_BIDS, GOOD_ASKS, received_dt=2_000, tag=4), bk("yes", 1_000, GOOD_BIDS, GOOD_ASKS))
    assert rows(out) == [("GOV_DQ_SEQUENCE_GAP", D(-500), D(0), "ms", f"{4:064x}")]


def test_run_when_one_book_breaks_several_budgets_then_its_findings_in_check_order() -> None:
    # book 1: fine. book 2: stale (3,000 > 2,000), wide (0.60 - 0.30 = 30 ticks), dust (2 < 5), size 2.555
    out = run(bk("yes", 0, GOOD_BIDS, GOOD_ASKS, tag=1),
              bk("no", 0, [("0.30", "2")], [("0.60", "2.555")], age_ms=3_000, tag=2))
    assert out["reason_code"].to_list() == ["GOV_DQ_STALE_BOOK", "GOV_DQ_WIDE_SPREAD", "GOV_DQ_DUST",
                                            "GOV_DQ_PRECISION_MISMATCH"]
    assert set(out["provenance_hash"]) == {f"{2:064x}"} and set(out["severity"]) == {"WARN"}


def test_run_when_no_books_then_typed_empty_frame() -> None:
    out = dq.run(MarketData.of(), CONFIG)
    assert out.is_empty() and out.schema == empty_frame("DataQualityFinding").schema


def test_run_when_repeated_then_identical() -> None:
    # stale + wide + dust on the first book, a 200,000 ms gap before the second: 4 findings
    books = [bk("yes", 0, [("0.30", "2")], [("0.60", "2")], age_ms=3_000, tag=1),
             bk("yes", 200_000, GOOD_BIDS, GOOD_ASKS, tag=2)]
    assert run(*books).equals(run(*books)) and run(*books).height == 4


@pytest.mark.parametrize("field, value", [("max_spread_ticks", 0), ("size_decimals", -1), ("size_decimals", 7),
                                          ("max_book_gap_ms", 0)])
def test_config_when_out_of_bounds_then_rejected(field: str, value: int) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        dq.Config(**{field: value})
