"""exec.fee_slippage_estimator: V2 taker fee, book sweep and slippage, makers free, unfillable, as-of look-back."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import polars as pl
import pydantic
import pytest

from polytraders.bots.exec import fee_slippage_estimator as est
from polytraders.contracts import FeeParams, OrderIntent
from polytraders.contracts.frames import empty_frame, from_frame, polars_schema, to_frame
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, books, instruments, market

FEES = FeeParams(fees_enabled=True, taker_fee_rate=D("0.02"), maker_fee_rate=D("0"), exponent=1)
# Book of "yes" at T0 (tick 0.01), best-first:
#   bids 0.38 × 100, 0.37 × 200        asks 0.40 × 100, 0.41 × 50, 0.43 × 200
BOOK = books(("yes", 0, [("0.38", "100"), ("0.37", "200")], [("0.40", "100"), ("0.41", "50"), ("0.43", "200")]))
INSTRUMENTS = instruments(market("m1", fees=FEES))


def _intent(
    i: int,
    side: str,
    price: str,
    size: str,
    post_only: bool = False,
    dt: int = 10,
    token: str = "yes",
    kind: str = "PLACE",
) -> OrderIntent:
    return OrderIntent(
        intent_id=f"i{i}", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i0" if kind == "CANCEL" else None, condition_id=CONDITION["m1"], token_id=TOKEN_ID[token],
        ts_ms=T0 + dt, side=side, price=D(price), size=D(size), post_only=post_only,
    )  # fmt: skip


def _run(*intents: OrderIntent, instr: pl.DataFrame = INSTRUMENTS, book: pl.DataFrame = BOOK, **cfg):
    return est.estimate(to_frame("OrderIntent", list(intents)), instr, book, est.Config(**cfg))


def _costs(result: est.EstimateResult) -> list[tuple[D, int]]:
    return [(e.fee_usdc, e.slippage_ticks) for e in from_frame("ExecutionEstimate", result.estimates)]


def test_taker_fee_per_share_formula() -> None:
    # 0.02 × 0.40 × 0.60 = 0.02 × 0.24 = 0.0048 USDC per share.
    assert est.taker_fee_per_share(D("0.40"), D("0.02"), 1) == Fraction("0.0048")
    # 0.25 × (0.24)^2 = 0.25 × 0.0576 = 0.0144; exponent 0: the flat rate 0.02.
    assert est.taker_fee_per_share(D("0.40"), D("0.25"), 2) == Fraction("0.0144")
    assert est.taker_fee_per_share(D("0.40"), D("0.02"), 0) == Fraction("0.02")


def test_estimate_when_taker_at_touch_then_fee_and_no_slippage() -> None:
    # BUY 100 at 0.40 takes the 0.40 level: fee = 100 × 0.0048 = 0.48; vwap 0.40 = touch → 0 ticks.
    out = _run(_intent(1, "BUY", "0.40", "100"))
    assert _costs(out) == [(D("0.48"), 0)]
    assert out.unfillable.is_empty()


def test_estimate_when_taker_sweeps_three_levels_then_vwap_slippage_and_per_level_fee() -> None:
    # BUY 200 up to 0.43: takes 100 @ 0.40, 50 @ 0.41, 50 @ 0.43.
    #   vwap = (40 + 20.5 + 21.5) / 200 = 82 / 200 = 0.41 → |0.41 − 0.40| / 0.01 = 1 tick.
    #   fee = 0.02 × (100 × 0.40 × 0.60 + 50 × 0.41 × 0.59 + 50 × 0.43 × 0.57)
    #       = 0.02 × (24 + 12.095 + 12.255) = 0.02 × 48.35 = 0.967.
    out = _run(_intent(1, "BUY", "0.43", "200"))
    assert _costs(out) == [(D("0.967"), 1)]
    row = from_frame("ExecutionEstimate", out.estimates)[0]
    assert (row.price, row.size, row.side.value) == (D("0.43"), D("200"), "BUY")  # the intent's limit and size


def test_estimate_when_taker_sells_into_bids_then_slippage_rounds_up() -> None:
    # SELL 150 down to 0.37: 100 @ 0.38, 50 @ 0.37. vwap = (38 + 18.5) / 150 = 0.37666…;
    #   |0.37666… − 0.38| / 0.01 = 0.333… → ceil = 1 tick.
    #   fee = 0.02 × (100 × 0.38 × 0.62 + 50 × 0.37 × 0.63) = 0.02 × (23.56 + 11.655) = 0.7043.
    assert _costs(_run(_intent(1, "SELL", "0.37", "150"))) == [(D("0.7043"), 1)]


def test_estimate_when_book_cannot_fill_within_limit_then_unfillable() -> None:
    # BUY 200 up to 0.41: only 100 + 50 = 150 within the limit (0.43 is beyond it).
    out = _run(_intent(1, "BUY", "0.41", "200"))
    assert out.estimates.is_empty()
    assert out.unfillable.rows() == [("i1", "EXEC_INSUFFICIENT_DEPTH")]


def test_estimate_when_makers_then_zero_fee_zero_slippage() -> None:
    out = _run(
        _intent(1, "BUY", "0.39", "100", post_only=True),  # rests inside the spread
        _intent(2, "BUY", "0.45", "100", post_only=True),  # post-only: a maker here (the router refuses a cross)
        _intent(3, "BUY", "0.39", "100"),  # not post-only but below the ask 0.40: rests
        _intent(4, "SELL", "0.39", "100"),  # above the bid 0.38: rests
    )
    assert _costs(out) == [(D(0), 0)] * 4


def test_estimate_when_exponent_two_then_squared_curve() -> None:
    # rate 0.25, exponent 2: 100 × 0.25 × (0.24)^2 = 100 × 0.0144 = 1.44.
    crypto = FeeParams(fees_enabled=True, taker_fee_rate=D("0.25"), maker_fee_rate=D("0"), exponent=2)
    out = _run(_intent(1, "BUY", "0.40", "100"), instr=instruments(market("m1", fees=crypto)))
    assert _costs(out) == [(D("1.44"), 0)]


def test_estimate_fee_rounds_half_even() -> None:
    # Book ask 0.50; 0.02 × 0.25 = 0.005 per share. 25 shares → 0.125 → 2 dp half-even 0.12;
    # 27 shares → 0.135 → 0.14. Default 6 dp keeps 0.125.
    book = books(("yes", 0, [("0.49", "10")], [("0.50", "100")]))
    intents = (_intent(1, "BUY", "0.50", "25"), _intent(2, "BUY", "0.50", "27"))
    assert _costs(_run(*intents, book=book, fee_decimals=2)) == [(D("0.12"), 0), (D("0.14"), 0)]
    assert _costs(_run(*intents, book=book)) == [(D("0.125"), 0), (D("0.135"), 0)]


def test_estimate_fee_beyond_six_decimals_is_rounded() -> None:
    # rate 0.25, exponent 2 at 0.43 for 1 share: 0.25 × (0.43 × 0.57)^2 = 0.25 × 0.2451^2
    #   = 0.25 × 0.06007401 = 0.0150185025 → 6 dp: 0.015019 (the tail 25e-10 is above half).
    crypto = FeeParams(fees_enabled=True, taker_fee_rate=D("0.25"), maker_fee_rate=D("0"), exponent=2)
    book = books(("yes", 0, [("0.42", "10")], [("0.43", "10")]))
    out = _run(_intent(1, "BUY", "0.43", "1"), instr=instruments(market("m1", fees=crypto)), book=book)
    assert _costs(out) == [(D("0.015019"), 0)]


@pytest.mark.parametrize(
    "fees", [None, FeeParams(fees_enabled=False, taker_fee_rate=D("0.02"), maker_fee_rate=D("0"), exponent=1)]
)
def test_estimate_when_fees_off_then_zero_fee_but_slippage(fees) -> None:
    # The 3-level sweep above with no fee: 0 USDC, still 1 tick of slippage.
    out = _run(_intent(1, "BUY", "0.43", "200"), instr=instruments(market("m1", fees=fees)))
    assert _costs(out) == [(D(0), 1)]


def test_estimate_when_no_instrument_then_taker_unknown_maker_free() -> None:
    out = _run(_intent(1, "BUY", "0.40", "100"), _intent(2, "BUY", "0.39", "100", post_only=True),
               instr=empty_frame("InstrumentRecord"))  # fmt: skip
    assert out.unfillable.rows() == [("i1", "EXEC_UNKNOWN_INSTRUMENT")]
    assert _costs(out) == [(D(0), 0)]


def test_estimate_when_no_book_yet_then_taker_unclassable_post_only_free() -> None:
    # Intents at T0 − 5, before the first book (T0): a non-post-only intent cannot be classed.
    out = _run(_intent(1, "BUY", "0.40", "100", dt=-5), _intent(2, "BUY", "0.40", "100", post_only=True, dt=-5))
    assert out.unfillable.rows() == [("i1", "EXEC_INSUFFICIENT_DEPTH")]
    assert _costs(out) == [(D(0), 0)]


def test_estimate_when_empty_ask_side_then_buy_rests() -> None:
    book = books(("yes", 0, [("0.38", "100")], []))
    assert _costs(_run(_intent(1, "BUY", "0.60", "100"), book=book)) == [(D(0), 0)]


def test_estimate_looks_back_only() -> None:
    # At T0+20 the ask is 0.40 × 1000. An intent at T0+10 still sees the T0 book (unfillable for 300
    # within 0.41); one at T0+20 sees the new book (exact time counts): 300 @ 0.40 → 300 × 0.0048 = 1.44.
    later = BOOK.vstack(books(("yes", 20, [("0.38", "100")], [("0.40", "1000")])))
    out = _run(_intent(1, "BUY", "0.41", "300", dt=10), _intent(2, "BUY", "0.41", "300", dt=20), book=later)
    assert out.unfillable.rows() == [("i1", "EXEC_INSUFFICIENT_DEPTH")]
    assert _costs(out) == [(D("1.44"), 0)]


def test_estimate_uses_instrument_as_of_intent_time() -> None:
    # Fees switch on at T0+50: an intent at T0+10 pays none, one at T0+60 pays 100 × 0.0048 = 0.48.
    records = instruments(market("m1", fees=None), market("m1", fees=FEES, as_of_dt=50))
    out = _run(_intent(1, "BUY", "0.40", "100", dt=10), _intent(2, "BUY", "0.40", "100", dt=60), instr=records)
    assert _costs(out) == [(D(0), 0), (D("0.48"), 0)]


def test_estimate_keeps_intent_order_and_partitions_place_intents() -> None:
    intents = (
        _intent(1, "BUY", "0.41", "200"),  # unfillable
        _intent(2, "SELL", "0.37", "150"),  # taker 0.7043, 1 tick
        _intent(3, "BUY", "0.39", "5", post_only=True),  # maker
        _intent(4, "BUY", "0.40", "100", kind="CANCEL"),  # not a PLACE: ignored
        _intent(5, "BUY", "0.40", "100", dt=0),  # taker at the book's own time: 0.48
    )
    out = _run(*intents)
    assert out.unfillable.rows() == [("i1", "EXEC_INSUFFICIENT_DEPTH")]
    rows = from_frame("ExecutionEstimate", out.estimates)
    assert [(r.side.value, r.price, r.size) for r in rows] == [
        ("SELL", D("0.37"), D("150")), ("BUY", D("0.39"), D("5")), ("BUY", D("0.40"), D("100")),
    ]  # fmt: skip
    assert _costs(out) == [(D("0.7043"), 1), (D(0), 0), (D("0.48"), 0)]
    again = _run(*intents)
    assert again.estimates.equals(out.estimates) and again.unfillable.equals(out.unfillable)


def test_estimate_when_empty_then_typed_empty_frames() -> None:
    out = est.estimate(empty_frame("OrderIntent"), INSTRUMENTS, BOOK, est.Config())
    assert out.estimates.schema == polars_schema("ExecutionEstimate")
    assert out.unfillable.schema == est.UNFILLABLE_SCHEMA
    assert out.estimates.is_empty() and out.unfillable.is_empty()
    none = est.estimate(to_frame("OrderIntent", [_intent(1, "BUY", "0.40", "100")]), empty_frame("InstrumentRecord"),
                        empty_frame("OrderBookSnapshot"), est.Config())  # fmt: skip
    assert none.unfillable.rows() == [("i1", "EXEC_INSUFFICIENT_DEPTH")]


def test_estimate_schema_matches_contract() -> None:
    out = _run(_intent(1, "BUY", "0.43", "200"), _intent(2, "BUY", "0.39", "1", post_only=True))
    assert out.estimates.schema == polars_schema("ExecutionEstimate")
    assert out.unfillable.schema == est.UNFILLABLE_SCHEMA


@pytest.mark.parametrize("bad", [{"fee_decimals": -1}, {"fee_decimals": 7}, {"other": 1}])
def test_config_when_invalid_then_raises(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        est.Config(**bad)
