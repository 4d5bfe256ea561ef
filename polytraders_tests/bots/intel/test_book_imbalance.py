"""intel.book_imbalance: hand-checked ratios, one-sided and empty books, schema and determinism."""

from __future__ import annotations

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import book_imbalance
from polytraders.contracts.frames import empty_frame
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID, books

BIDS = [("0.49", "100"), ("0.48", "300"), ("0.47", "1000")]
ASKS = [("0.51", "200"), ("0.52", "50")]


def run(frame: pl.DataFrame, config: book_imbalance.Config | None = None) -> pl.DataFrame:
    """The bot over ``frame`` alone."""
    return book_imbalance.run(MarketData.of(books=frame), config or book_imbalance.Config())


@pytest.mark.parametrize(
    ("top_levels", "expected"),
    [
        (1, (100 - 200) / 300),  # Qb = 100, Qa = 200 -> −100 / 300 = −1/3
        (2, (400 - 250) / 650),  # Qb = 100 + 300 = 400, Qa = 200 + 50 = 250 -> 150 / 650 = 3/13
        (3, (1400 - 250) / 1650),  # Qb = 1400, Qa = 250 (only two ask levels) -> 1150 / 1650 = 23/33
        (10, (1400 - 250) / 1650),  # N past the book's depth: every level counts, same as N = 3
    ],
)
def test_run_when_top_levels_vary_then_ratio_over_those_levels(top_levels: int, expected: float) -> None:
    out = run(books(("yes", 0, BIDS, ASKS)), book_imbalance.Config(top_levels=top_levels))
    assert out["value"].to_list() == [pytest.approx(expected, abs=1e-12)]


def test_run_when_default_config_then_three_levels() -> None:
    assert book_imbalance.Config().top_levels == 3
    assert run(books(("yes", 0, BIDS, ASKS)))["value"].to_list() == [pytest.approx(23 / 33, abs=1e-12)]


def test_run_when_sides_equal_then_zero() -> None:
    out = run(books(("yes", 0, [("0.01", "75")], [("0.99", "75")])))  # (75 − 75) / 150 = 0
    assert out["value"].to_list() == [0.0]


@pytest.mark.parametrize(
    ("bids", "asks", "expected"),
    [
        ([("0.98", "30")], [], 1.0),  # no asks: (30 − 0) / 30 = +1
        ([], [("0.02", "30")], -1.0),  # no bids: (0 − 30) / 30 = −1
        ([("0.49", "0")], [("0.51", "10")], -1.0),  # zero bid size counts as no bid size
    ],
)
def test_run_when_one_side_empty_then_plus_or_minus_one(
    bids: list[tuple[str, str]], asks: list[tuple[str, str]], expected: float
) -> None:
    assert run(books(("yes", 0, bids, asks)))["value"].to_list() == [expected]


@pytest.mark.parametrize(
    ("bids", "asks"),
    [
        ([], []),  # empty book
        ([("0.49", "0")], [("0.51", "0")]),  # levels without size
    ],
)
def test_run_when_no_size_at_all_then_no_row_intel_empty_side(
    bids: list[tuple[str, str]], asks: list[tuple[str, str]]
) -> None:
    # INTEL_EMPTY_SIDE: 0 / 0 is undefined, the book yields no row.
    assert book_imbalance.EMPTY_SIDE == "INTEL_EMPTY_SIDE"
    out = run(books(("yes", 0, bids, asks)))
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_sides_swap_sizes_then_sign_flips() -> None:
    # bids 100 + 300 vs asks 200 + 50 (N = 2): 150 / 650; swapped sizes: −150 / 650
    swapped = books(("yes", 0, [("0.49", "200"), ("0.48", "50")], [("0.51", "100"), ("0.52", "300")]))
    original = books(("yes", 0, BIDS, ASKS))
    config = book_imbalance.Config(top_levels=2)
    assert run(swapped, config)["value"].to_list() == [pytest.approx(-150 / 650, abs=1e-12)]
    assert run(original, config)["value"].to_list() == [pytest.approx(150 / 650, abs=1e-12)]


def test_run_when_books_empty_then_typed_empty_signal_frame() -> None:
    out = run(empty_frame("OrderBookSnapshot"))
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_mixed_books_then_rows_in_input_order_with_contract_columns() -> None:
    frame = books(
        ("no", 1_000, [("0.40", "300")], [("0.60", "100")]),  # (300 − 100) / 400 = 0.5
        ("yes", 0, [], []),  # dropped: no size
        ("yes", 2_000, [("0.30", "100")], [("0.70", "300")]),  # (100 − 300) / 400 = −0.5
    )
    out = run(frame, book_imbalance.Config(top_levels=1))
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert out.rows() == [
        ("intel.book_imbalance", CONDITION["m1"], TOKEN_ID["no"], T0 + 1_000, "book_imbalance", 0.5, "fraction"),
        ("intel.book_imbalance", CONDITION["m1"], TOKEN_ID["yes"], T0 + 2_000, "book_imbalance", -0.5, "fraction"),
    ]


def test_run_when_same_input_twice_then_same_output() -> None:
    frame = books(("yes", 0, BIDS, ASKS), ("no", 0, [("0.10", "5")], [("0.90", "7")]))
    assert run(frame).equals(run(frame))


def test_config_when_top_levels_zero_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="top_levels"):
        book_imbalance.Config(top_levels=0)
