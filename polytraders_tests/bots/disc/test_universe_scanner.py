"""disc.universe_scanner: admission, exclusion codes, admission time, score, rank, determinism."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pydantic
import pytest

from polytraders.bots.disc import universe_scanner as scanner
from polytraders.bots.inputs import CANDIDATE_SCHEMA, MarketData, ScanResult

TS = 1_700_000_000_000
A, B, C, Z = ("0x" + ch * 64 for ch in "abc0")
DEC = pl.Decimal(38, 6)
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
SNAPSHOT_SCHEMA = {
    "condition_id": pl.String,
    "token_id": pl.String,
    "ts_ms": pl.Int64,
    "tick_size": DEC,
    "best_bid": DEC,
    "best_ask": DEC,
    "mid": DEC,
    "spread_ticks": pl.Int64,
    "freshness": FRESHNESS,
}
INSTRUMENT_SCHEMA = {
    "condition_id": pl.String,
    "question": pl.String,
    "slug": pl.String,
    "category": pl.String,
    "tokens": pl.List(pl.Struct({"token_id": pl.String, "outcome": pl.String})),
    "tick_size": DEC,
    "min_order_size": DEC,
    "neg_risk": pl.Boolean,
    "neg_risk_market_id": pl.String,
    "start_ts_ms": pl.Int64,
    "end_ts_ms": pl.Int64,
    "active": pl.Boolean,
    "closed": pl.Boolean,
    "accepting_orders": pl.Boolean,
    "rewards": pl.Struct({"min_size": DEC, "max_spread_cents": DEC}),
    "fees": pl.Struct(
        {"fees_enabled": pl.Boolean, "taker_fee_rate": DEC, "maker_fee_rate": DEC, "exponent": pl.Int64}
    ),
    "as_of_ms": pl.Int64,
}


def _instrument(
    cond: str,
    tokens: tuple[str, str],
    *,
    active: bool = True,
    closed: bool = False,
    accepting: bool = True,
    as_of_ms: int = TS,
) -> dict[str, object]:
    return {
        "condition_id": cond, "question": "Q?", "slug": f"m-{cond[2:6]}", "category": None,
        "tokens": [{"token_id": tokens[0], "outcome": "Yes"}, {"token_id": tokens[1], "outcome": "No"}],
        "tick_size": D("0.01"), "min_order_size": D("5"), "neg_risk": False, "neg_risk_market_id": None,
        "start_ts_ms": None, "end_ts_ms": None, "active": active, "closed": closed,
        "accepting_orders": accepting, "rewards": None, "fees": None, "as_of_ms": as_of_ms,
    }  # fmt: skip


def _instruments(*rows: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=INSTRUMENT_SCHEMA)


def _snap(cond: str, token: str, ts: int, bid: str | None, ask: str | None) -> dict[str, object]:
    both = bid is not None and ask is not None
    return {
        "condition_id": cond, "token_id": token, "ts_ms": ts, "tick_size": D("0.01"),
        "best_bid": None if bid is None else D(bid), "best_ask": None if ask is None else D(ask),
        "mid": (D(bid) + D(ask)) / 2 if both else None,
        "spread_ticks": int((D(ask) - D(bid)) / D("0.01")) if both else None,
        "freshness": {"source_ts_ms": ts, "receive_ts_ms": ts, "age_ms": 0, "budget_ms": 5_000,
                      "quality": "OK", "provenance_hash": "0" * 64, "venue_hash": None},
    }  # fmt: skip


def _snaps(*rows: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SNAPSHOT_SCHEMA)


def _universe() -> tuple[pl.DataFrame, pl.DataFrame]:
    instruments = _instruments(
        _instrument(A, ("1", "2")),
        _instrument(B, ("3", "4")),
        _instrument(Z, ("7", "8")),
        _instrument(C, ("5", "6"), closed=True),
    )
    books = _snaps(
        # A: token 1 two-sided at TS, one-sided at +1s, two-sided at +2s; token 2 ask-only at TS,
        # two-sided at +1s  → some token two-sided first at min(TS, TS + 1_000) = TS; score 3 / 5 = 0.6
        _snap(A, "1", TS, "0.40", "0.42"),
        _snap(A, "1", TS + 1_000, "0.40", None),
        _snap(A, "1", TS + 2_000, "0.41", "0.43"),
        _snap(A, "2", TS, None, "0.60"),
        _snap(A, "2", TS + 1_000, "0.58", "0.60"),
        # B: always two-sided → ts min(TS, TS + 500) = TS (token 3's first), score 2 / 2 = 1.0
        _snap(B, "3", TS, "0.10", "0.12"),
        _snap(B, "4", TS + 500, "0.88", "0.90"),
        # Z: always two-sided → ts TS + 3_000, score 1.0; ties B and ranks first (0x000… < 0xbbb…)
        _snap(Z, "7", TS + 3_000, "0.50", "0.51"),
        _snap(Z, "8", TS + 3_000, "0.49", "0.50"),
        # C: live book but closed → DISC_NOT_ACTIVE
        _snap(C, "5", TS, "0.50", "0.51"),
        _snap(C, "6", TS, "0.49", "0.50"),
    )
    return instruments, books


def test_run_when_markets_live_then_candidates_ranked_by_score_then_condition_id() -> None:
    result = run(*_universe(), scanner.Config())
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.candidates.rows() == [
        ("disc.universe_scanner", Z, TS + 3_000, 1, 1.0, ["DISC_UNIVERSE_ADMITTED"]),
        ("disc.universe_scanner", B, TS, 2, 1.0, ["DISC_UNIVERSE_ADMITTED"]),
        ("disc.universe_scanner", A, TS, 3, 0.6, ["DISC_UNIVERSE_ADMITTED"]),
    ]
    assert result.excluded.rows() == [(C, "DISC_NOT_ACTIVE")]


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        ({"active": False}, "DISC_NOT_ACTIVE"),
        ({"closed": True}, "DISC_NOT_ACTIVE"),
        ({"accepting": False}, "DISC_NOT_ACTIVE"),
        ({}, None),
    ],
)
def test_run_when_status_flag_off_then_not_active(flags: dict[str, bool], code: str | None) -> None:
    books = _snaps(_snap(A, "1", TS, "0.40", "0.42"), _snap(A, "2", TS, "0.58", "0.60"))
    result = run(_instruments(_instrument(A, ("1", "2"), **flags)), books, scanner.Config())
    if code is None:
        assert result.candidates["condition_id"].to_list() == [A]
        assert result.excluded.height == 0
    else:
        assert result.candidates.height == 0
        assert result.excluded.rows() == [(A, code)]


@pytest.mark.parametrize(
    ("books", "ts", "score"),
    [
        # YES-only feed: token 2 (NO) has no snapshot at all → live on token 1; score 1 / 1 = 1.0
        ([_snap(A, "1", TS, "0.40", "0.42")], TS, 1.0),
        # token 2 bid-only at TS, token 1 two-sided at TS + 1s → ts TS + 1_000; score 1 / 2 = 0.5
        ([_snap(A, "1", TS + 1_000, "0.40", "0.42"), _snap(A, "2", TS, "0.58", None)], TS + 1_000, 0.5),
        # token 1 one-sided at TS, token 2 two-sided at TS + 2s → ts TS + 2_000; score 1 / 2 = 0.5
        ([_snap(A, "1", TS, None, "0.42"), _snap(A, "2", TS + 2_000, "0.58", "0.60")], TS + 2_000, 0.5),
    ],
)
def test_run_when_one_token_two_sided_then_live(books: list[dict[str, object]], ts: int, score: float) -> None:
    result = run(_instruments(_instrument(A, ("1", "2"))), _snaps(*books), scanner.Config())
    assert result.candidates.select("condition_id", "ts_ms", "score").rows() == [(A, ts, score)]
    assert result.excluded.height == 0


def test_run_when_yes_only_feed_and_k_two_then_admitted_at_yes_second_two_sided() -> None:
    # k = 2, NO token never quoted: YES two-sided at TS, one-sided at TS + 1s, two-sided at TS + 5s
    # → 2nd two-sided YES snapshot at TS + 5_000; score 2 / 3 (YES only; NO has no snapshot)
    books = _snaps(
        _snap(A, "1", TS, "0.40", "0.42"),
        _snap(A, "1", TS + 1_000, None, "0.42"),
        _snap(A, "1", TS + 5_000, "0.40", "0.41"),
    )
    result = run(_instruments(_instrument(A, ("1", "2"))), books, scanner.Config(min_two_sided_snapshots=2))
    assert result.candidates.select("ts_ms", "score").rows() == [(TS + 5_000, 2 / 3)]


@pytest.mark.parametrize(
    "books",
    [
        [_snap(A, "1", TS, "0.40", None), _snap(A, "2", TS, None, "0.60")],  # each token one-sided
        [_snap(A, "1", TS, None, None), _snap(A, "2", TS, None, None)],  # both empty
        [_snap(B, "1", TS, "0.40", "0.42"), _snap(B, "2", TS, "0.58", "0.60")],  # other market's book
    ],
)
def test_run_when_no_token_has_two_sided_book_then_no_live_book(books: list[dict[str, object]]) -> None:
    result = run(_instruments(_instrument(A, ("1", "2"))), _snaps(*books), scanner.Config())
    assert result.candidates.height == 0
    assert result.excluded.rows() == [(A, "DISC_NO_LIVE_BOOK")]


def test_run_when_min_two_sided_snapshots_two_then_admitted_at_second_snapshot() -> None:
    # k = 2: token 1 two-sided at TS and TS+2s (2nd = TS+2s); token 2 at TS+1s and TS+4s
    # (2nd = TS+4s) → ts = min(TS+2s, TS+4s) = TS + 2_000; score = 4 two-sided / 5 = 0.8
    books = _snaps(
        _snap(A, "1", TS, "0.40", "0.42"),
        _snap(A, "1", TS + 2_000, "0.40", "0.42"),
        _snap(A, "2", TS, "0.58", None),
        _snap(A, "2", TS + 1_000, "0.58", "0.60"),
        _snap(A, "2", TS + 4_000, "0.58", "0.60"),
    )
    result = run(
        _instruments(_instrument(A, ("1", "2"))), books, scanner.Config(min_two_sided_snapshots=2)
    )
    assert result.candidates.select("ts_ms", "rank", "score").rows() == [(TS + 2_000, 1, 0.8)]
    # k = 3: each token has only two → excluded
    result3 = run(
        _instruments(_instrument(A, ("1", "2"))), books, scanner.Config(min_two_sided_snapshots=3)
    )
    assert result3.excluded.rows() == [(A, "DISC_NO_LIVE_BOOK")]


def test_run_when_tops_in_any_order_then_same_candidates_and_kth_time() -> None:
    # the k = 2 case above with its rows reversed and interleaved (tokens not consecutive, times
    # going back): the k-th two-sided time is per token in time order, not row order → TS + 2_000, 0.8
    books = _snaps(
        _snap(A, "2", TS + 4_000, "0.58", "0.60"),
        _snap(A, "1", TS + 2_000, "0.40", "0.42"),
        _snap(A, "2", TS + 1_000, "0.58", "0.60"),
        _snap(A, "1", TS, "0.40", "0.42"),
        _snap(A, "2", TS, "0.58", None),
    )
    result = run(
        _instruments(_instrument(A, ("1", "2"))), books, scanner.Config(min_two_sided_snapshots=2)
    )
    assert result.candidates.select("ts_ms", "rank", "score").rows() == [(TS + 2_000, 1, 0.8)]
    instruments, tops = _universe()
    ordered = run(instruments, tops, scanner.Config())
    for seed in range(3):
        shuffled = run(instruments, tops.sample(fraction=1.0, shuffle=True, seed=seed), scanner.Config())
        assert shuffled.candidates.equals(ordered.candidates)
        assert shuffled.excluded.equals(ordered.excluded)


def test_run_when_instrument_has_newer_record_then_latest_status_decides() -> None:
    instruments = _instruments(
        _instrument(A, ("1", "2"), closed=True, as_of_ms=TS + 10),
        _instrument(A, ("1", "2"), as_of_ms=TS),
    )
    books = _snaps(_snap(A, "1", TS, "0.40", "0.42"), _snap(A, "2", TS, "0.58", "0.60"))
    result = run(instruments, books, scanner.Config())
    assert result.excluded.rows() == [(A, "DISC_NOT_ACTIVE")]


def test_run_when_no_books_then_every_market_excluded_and_none_dropped() -> None:
    instruments, _ = _universe()
    result = run(instruments, _snaps(), scanner.Config())
    assert result.candidates.height == 0
    assert result.candidates.schema == pl.Schema(CANDIDATE_SCHEMA)
    assert result.excluded.rows() == [
        (Z, "DISC_NO_LIVE_BOOK"), (A, "DISC_NO_LIVE_BOOK"), (B, "DISC_NO_LIVE_BOOK"), (C, "DISC_NOT_ACTIVE"),
    ]  # fmt: skip


def test_run_when_same_input_twice_then_same_output() -> None:
    first = run(*_universe(), scanner.Config())
    second = run(*_universe(), scanner.Config())
    assert first.candidates.equals(second.candidates)
    assert first.excluded.equals(second.excluded)
    # every market accounted for exactly once
    ids = first.candidates["condition_id"].to_list() + first.excluded["condition_id"].to_list()
    assert sorted(ids) == sorted([A, B, C, Z])


def test_config_when_min_snapshots_zero_then_validation_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="min_two_sided_snapshots"):
        scanner.Config(min_two_sided_snapshots=0)


def run(instruments: pl.DataFrame, tops: pl.DataFrame, config: scanner.Config) -> ScanResult:
    """The scanner over ``instruments`` and ``tops``."""
    return scanner.run(MarketData.of(instruments=instruments, tops=tops), config)
