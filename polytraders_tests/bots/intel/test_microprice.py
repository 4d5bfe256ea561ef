"""intel.microprice: hand-checked microprice values, empty sides, schema and determinism."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pydantic
import pytest

from polytraders.bots.inputs import SIGNAL_SCHEMA, MarketData
from polytraders.bots.intel import microprice

COND = "0x" + "ab" * 32
TS = 1_700_000_000_000
LEVELS = pl.List(pl.Struct({"price": pl.Decimal(38, 6), "size": pl.Decimal(38, 6)}))
FRESHNESS = pl.Struct(
    {
        "source_ts_ms": pl.Int64,
        "receive_ts_ms": pl.Int64,
        "age_ms": pl.Int64,
        "budget_ms": pl.Int64,
        "quality": pl.String,
        "provenance_hash": pl.String,
        "venue_hash": pl.String,
    }
)
BOOK_SCHEMA = {
    "condition_id": pl.String,
    "token_id": pl.String,
    "ts_ms": pl.Int64,
    "tick_size": pl.Decimal(38, 6),
    "bids": LEVELS,
    "asks": LEVELS,
    "freshness": FRESHNESS,
}


def _levels(pairs: list[tuple[str, str]]) -> list[dict[str, D]]:
    return [{"price": D(p), "size": D(q)} for p, q in pairs]


def _books(*books: tuple[str, int, list[tuple[str, str]], list[tuple[str, str]]]) -> pl.DataFrame:
    rows = [
        {
            "condition_id": COND,
            "token_id": token,
            "ts_ms": ts,
            "tick_size": D("0.01"),
            "bids": _levels(bids),
            "asks": _levels(asks),
            "freshness": {
                "source_ts_ms": ts,
                "receive_ts_ms": ts,
                "age_ms": 0,
                "budget_ms": 5_000,
                "quality": "OK",
                "provenance_hash": "0" * 64,
                "venue_hash": None,
            },
        }
        for token, ts, bids, asks in books
    ]
    return pl.DataFrame(rows, schema=BOOK_SCHEMA)


BIDS = [("0.49", "100"), ("0.48", "300"), ("0.47", "1000")]
ASKS = [("0.51", "200")]


def test_run_when_top_two_levels_then_size_weighted_microprice() -> None:
    # N = 2: Pb = (0.49·100 + 0.48·300) / 400 = (49 + 144) / 400 = 0.4825, Qb = 400
    #        Pa = 0.51, Qa = 200 (one ask level)
    # micro = (Pb·Qa + Pa·Qb) / (Qa + Qb) = (0.4825·200 + 0.51·400) / 600
    #       = (96.5 + 204) / 600 = 300.5 / 600 = 601 / 1200 = 0.500833…
    out = run(_books(("1", TS, BIDS, ASKS)), microprice.Config(top_levels=2))
    assert out["value"].to_list() == [pytest.approx(601 / 1200, abs=1e-12)]


def test_run_when_one_level_then_classic_weighted_mid() -> None:
    # N = 1: (0.49·200 + 0.51·100) / (200 + 100) = (98 + 51) / 300 = 149 / 300 = 0.49666…
    out = run(_books(("1", TS, BIDS, ASKS)), microprice.Config(top_levels=1))
    assert out["value"].to_list() == [pytest.approx(149 / 300, abs=1e-12)]


def test_run_when_default_config_then_three_levels_used() -> None:
    # N = 3: Sb = 49 + 144 + 470 = 663, Qb = 1400, Pb = 663/1400; Pa = 0.51, Qa = 200
    # micro = (663/1400·200 + 0.51·1400) / 1600 = (94.714285… + 714) / 1600 = 808.714285… / 1600
    #       = (663/7 + 714) / 1600 = (663 + 4998) / 11200 = 5661 / 11200 = 0.505446…
    assert microprice.Config().top_levels == 3
    out = run(_books(("1", TS, BIDS, ASKS)), microprice.Config())
    assert out["value"].to_list() == [pytest.approx(5661 / 11200, abs=1e-12)]


def test_run_when_book_symmetric_then_mid() -> None:
    # (0.45·50 + 0.55·50) / 100 = 0.5
    out = run(_books(("1", TS, [("0.45", "50")], [("0.55", "50")])), microprice.Config())
    assert out["value"].to_list() == [pytest.approx(0.5, abs=1e-12)]


@pytest.mark.parametrize(
    ("bids", "asks", "expected"),
    [
        # at the tick floor: (0.01·30 + 0.02·10) / 40 = (0.3 + 0.2) / 40 = 0.0125
        ([("0.01", "10")], [("0.02", "30")], 0.0125),
        # at 1 − tick: (0.98·10 + 0.99·30) / 40 = (9.8 + 29.7) / 40 = 39.5 / 40 = 0.9875
        ([("0.98", "30")], [("0.99", "10")], 0.9875),
        # whole band: (0.01·100 + 0.99·100) / 200 = 0.5
        ([("0.01", "100")], [("0.99", "100")], 0.5),
    ],
)
def test_run_when_prices_at_band_edges_then_exact_values(
    bids: list[tuple[str, str]], asks: list[tuple[str, str]], expected: float
) -> None:
    out = run(_books(("1", TS, bids, asks)), microprice.Config(top_levels=1))
    assert out["value"].to_list() == [pytest.approx(expected, abs=1e-12)]


@pytest.mark.parametrize(
    ("bids", "asks"),
    [
        ([], [("0.51", "10")]),  # empty bid side
        ([("0.49", "10")], []),  # empty ask side
        ([], []),  # empty book
        ([("0.49", "0")], [("0.51", "10")]),  # zero total bid size
    ],
)
def test_run_when_side_empty_then_no_signal(bids: list[tuple[str, str]], asks: list[tuple[str, str]]) -> None:
    out = run(_books(("1", TS, bids, asks)), microprice.Config())
    assert out.height == 0
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)


def test_run_when_mixed_books_then_signal_rows_in_input_order_with_contract_columns() -> None:
    books = _books(
        ("2", TS + 1_000, [("0.40", "300")], [("0.60", "100")]),  # (0.40·100 + 0.60·300)/400 = 0.55
        ("1", TS, [], [("0.60", "100")]),  # dropped: empty bid side
        ("1", TS + 2_000, [("0.30", "100")], [("0.70", "300")]),  # (0.30·300 + 0.70·100)/400 = 0.40
    )
    out = run(books, microprice.Config(top_levels=1))
    assert out.schema == pl.Schema(SIGNAL_SCHEMA)
    assert out.drop("value").rows() == [
        ("intel.microprice", COND, "2", TS + 1_000, "microprice", "probability"),
        ("intel.microprice", COND, "1", TS + 2_000, "microprice", "probability"),
    ]
    assert out["value"].to_list() == [pytest.approx(0.55, abs=1e-12), pytest.approx(0.40, abs=1e-12)]


def test_run_when_same_input_twice_then_same_output() -> None:
    books = _books(("1", TS, BIDS, ASKS), ("2", TS, [("0.10", "5")], [("0.90", "7")]))
    first = run(books, microprice.Config())
    assert first.equals(run(books, microprice.Config()))


def test_config_when_top_levels_zero_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="top_levels"):
        microprice.Config(top_levels=0)


def run(books: pl.DataFrame, config: microprice.Config) -> pl.DataFrame:
    """The bot over ``books`` alone."""
    return microprice.run(MarketData.of(books=books), config)
