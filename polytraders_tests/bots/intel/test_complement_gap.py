"""intel.complement_gap: touch and VWAP gaps by hand, as-of pairing of the two books, absent rows, order."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import complement_gap
from polytraders.contracts import InstrumentToken
from polytraders.contracts.frames import empty_frame
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, books, instruments, market


def run(book_rows: pl.DataFrame, records: pl.DataFrame | None = None,
        config: complement_gap.Config | None = None) -> pl.DataFrame:
    data = MarketData.of(books=book_rows, instruments=instruments(market("m1"), market("m2"))
                         if records is None else records)
    return complement_gap.run(data, config or complement_gap.Config())


def readings(out: pl.DataFrame, dt: int = 0) -> dict[str, float]:
    return {n: pytest.approx(v, abs=1e-12) for n, v in out.filter(pl.col("ts_ms") == T0 + dt)
            .select("name", "value").rows()}


def test_run_when_both_books_present_then_touch_and_vwap_gaps_by_hand() -> None:
    # yes asks 0.30×40, 0.31×100; no asks 0.72×500 -> ask gap 0.30 + 0.72 − 1 = 0.02
    #   Q = 100: yes VWAP (0.30·40 + 0.31·60) / 100 = 0.306, no 0.72 -> 0.026
    # yes bids 0.28×10, 0.27×90, 0.20×5; no bids 0.69×100 -> bid gap 0.28 + 0.69 − 1 = −0.03
    #   Q = 100: yes VWAP (0.28·10 + 0.27·90) / 100 = 0.271 (exactly filled at the second level), no 0.69 -> −0.039
    out = run(books(("yes", 0, [("0.28", "10"), ("0.27", "90"), ("0.20", "5")], [("0.30", "40"), ("0.31", "100")]),
                    ("no", 0, [("0.69", "100")], [("0.72", "500")])))
    assert complement_gap.Config().fill_size_shares == Decimal("100")
    assert readings(out) == {"ask_gap": 0.02, "bid_gap": -0.03, "ask_gap_vwap": 0.026, "bid_gap_vwap": -0.039,
                             "sibling_age_ms": 0.0}
    assert out.select("name", "unit").rows() == [
        ("ask_gap", "usdc"), ("bid_gap", "usdc"), ("ask_gap_vwap", "usdc"), ("bid_gap_vwap", "usdc"),
        ("sibling_age_ms", "ms"),
    ]


def test_run_when_asks_sum_below_one_then_negative_ask_gap() -> None:
    # a full set for 0.45 + 0.50 = 0.95 < 1: ask gap −0.05 (before fees)
    out = run(books(("yes", 0, [("0.44", "5")], [("0.45", "5")]), ("no", 0, [("0.49", "5")], [("0.50", "5")])),
              config=complement_gap.Config(fill_size_shares=Decimal("5")))
    assert readings(out)["ask_gap"] == -0.05
    assert readings(out)["ask_gap_vwap"] == -0.05


def test_run_when_a_book_cannot_fill_the_size_then_no_vwap_row_intel_empty_side() -> None:
    # yes asks hold 99.999999 < 100 shares: no ask_gap_vwap; the touch gap and the bid side stay
    assert complement_gap.EMPTY_SIDE == "INTEL_EMPTY_SIDE"
    out = run(books(("yes", 0, [("0.40", "200")], [("0.60", "50"), ("0.61", "49.999999")]),
                    ("no", 0, [("0.39", "200")], [("0.61", "200")])))
    assert set(readings(out)) == {"ask_gap", "bid_gap", "bid_gap_vwap", "sibling_age_ms"}


def test_run_when_a_side_is_empty_then_neither_of_its_gaps_intel_empty_side() -> None:
    # no has no bids: bid_gap and bid_gap_vwap absent
    out = run(books(("yes", 0, [("0.02", "500")], [("0.03", "500")]), ("no", 0, [], [("0.98", "500")])))
    assert readings(out) == {"ask_gap": 0.01, "ask_gap_vwap": 0.01, "sibling_age_ms": 0.0}


def test_run_when_books_change_at_different_times_then_each_against_the_siblings_latest() -> None:
    # yes @0 (sibling none yet: INTEL_COMPLEMENT_MISSING), no @1 s, yes and no @2 s (one time), yes @3 s
    assert complement_gap.COMPLEMENT_MISSING == "INTEL_COMPLEMENT_MISSING"
    frame = books(
        ("yes", 0, [("0.40", "500")], [("0.42", "500")]),
        ("no", 1_000, [("0.57", "500")], [("0.59", "500")]),  # 0.42 + 0.59 − 1 = 0.01, 0.40 + 0.57 − 1 = −0.03
        ("no", 2_000, [("0.55", "500")], [("0.56", "500")]),
        ("yes", 2_000, [("0.43", "500")], [("0.45", "500")]),  # 0.45 + 0.56 − 1 = 0.01, 0.43 + 0.55 − 1 = −0.02
        ("yes", 3_000, [("0.44", "500")], [("0.46", "500")]),  # 0.46 + 0.56 − 1 = 0.02, 0.44 + 0.55 − 1 = −0.01
    )
    out = run(frame)
    assert out["ts_ms"].unique(maintain_order=True).to_list() == [T0 + 1_000, T0 + 2_000, T0 + 3_000]
    gaps = {dt: (r["ask_gap"], r["bid_gap"], r["sibling_age_ms"]) for dt in (1_000, 2_000, 3_000)
            for r in [readings(out, dt)]}
    assert gaps == {1_000: (0.01, -0.03, 1_000.0), 2_000: (0.01, -0.02, 0.0), 3_000: (0.02, -0.01, 1_000.0)}


def test_run_when_a_token_has_two_books_in_one_ms_then_the_later_counts() -> None:
    frame = books(
        ("no", 0, [("0.50", "500")], [("0.52", "500")]),
        ("yes", 1_000, [("0.40", "500")], [("0.42", "500")]),
        ("yes", 1_000, [("0.45", "500")], [("0.47", "500")]),  # replaces the book above: 0.47 + 0.52 − 1 = −0.01
    )
    out = run(frame)
    assert readings(out, 1_000)["ask_gap"] == -0.01
    assert out.filter(pl.col("name") == "ask_gap").height == 1


def test_run_when_token_unknown_or_market_not_binary_then_no_rows_intel_complement_missing() -> None:
    frame = books(("y2", 0, [("0.40", "500")], [("0.42", "500")]), ("n2", 0, [("0.57", "500")], [("0.59", "500")]))
    # m2 missing from the registry
    assert run(frame, instruments(market("m1"))).height == 0
    # m2 with a third outcome: YES + NO is not a full set
    three = market("m2").model_copy(update={"tokens": (
        *market("m2").tokens, InstrumentToken(token_id="999", outcome="Other"))})
    assert run(frame, instruments(three)).height == 0


def test_run_when_instrument_has_versions_then_latest_token_order_names_the_signal() -> None:
    # the later record lists No first: the signal's token is the No token
    later = market("m1", as_of_dt=5_000).model_copy(update={"tokens": tuple(reversed(market("m1").tokens))})
    frame = books(("yes", 0, [("0.40", "500")], [("0.42", "500")]), ("no", 0, [("0.57", "500")], [("0.59", "500")]))
    out = run(frame, instruments(market("m1"), later))
    assert out["token_id"].unique().to_list() == [TOKEN_ID["no"]]


def test_run_when_two_markets_then_rows_by_condition_then_time_with_contract_columns() -> None:
    frame = books(
        ("y2", 0, [("0.10", "500")], [("0.12", "500")]),
        ("n2", 0, [("0.87", "500")], [("0.89", "500")]),  # m2 @0: ask 0.01, bid −0.03
        ("yes", 500, [("0.50", "500")], [("0.51", "500")]),
        ("no", 500, [("0.48", "500")], [("0.50", "500")]),  # m1 @0.5 s: ask 0.01, bid −0.02
    )
    out = run(frame)
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert out.filter(pl.col("name") == "ask_gap").select("bot", "condition_id", "token_id", "ts_ms").rows() == [
        ("intel.complement_gap", CONDITION["m1"], TOKEN_ID["yes"], T0 + 500),
        ("intel.complement_gap", CONDITION["m2"], TOKEN_ID["y2"], T0),
    ]  # CONDITION["m1"] = 0x0101… sorts before CONDITION["m2"] = 0x0202…


def test_run_when_no_books_or_no_instruments_then_typed_empty_signal_frame() -> None:
    frame = books(("yes", 0, [("0.40", "500")], [("0.42", "500")]), ("no", 0, [("0.57", "500")], [("0.59", "500")]))
    for out in (run(empty_frame("OrderBookSnapshot")), run(frame, empty_frame("InstrumentRecord"))):
        assert out.height == 0
        assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_same_input_twice_then_same_output() -> None:
    frame = books(("yes", 0, [("0.40", "50"), ("0.39", "80")], [("0.42", "60"), ("0.43", "70")]),
                  ("no", 700, [("0.57", "500")], [("0.59", "500")]), ("yes", 900, [("0.41", "500")], []))
    assert run(frame).equals(run(frame))


@pytest.mark.parametrize("size", ["0", "-1"])
def test_config_when_fill_size_not_positive_then_validation_error(size: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="fill_size_shares"):
        complement_gap.Config(fill_size_shares=Decimal(size))
