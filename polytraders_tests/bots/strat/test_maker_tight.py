"""strat.maker_tight: tick-floor bids, post-only cap, band edges, sticky cancel-replace, ids."""

from __future__ import annotations

import hashlib
from decimal import Decimal as D

import polars as pl
import pydantic
import pytest

from polytraders.bots.strat import maker_tight

TS = 1_700_000_000_000
END = TS + 600_000
A = "0x" + "a" * 64
DEC = pl.Decimal(38, 6)
SRC = "intel.microprice"
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
    "condition_id": pl.String, "token_id": pl.String, "ts_ms": pl.Int64, "tick_size": DEC,
    "best_bid": DEC, "best_ask": DEC, "mid": DEC, "spread_ticks": pl.Int64, "freshness": FRESHNESS,
}  # fmt: skip
FV_SCHEMA = {
    "condition_id": pl.String,
    "token_id": pl.String,
    "ts_ms": pl.Int64,
    "fair_value": DEC,
    "source": pl.String,
}
INSTRUMENT_SCHEMA = {
    "condition_id": pl.String, "question": pl.String, "slug": pl.String, "category": pl.String,
    "tokens": pl.List(pl.Struct({"token_id": pl.String, "outcome": pl.String})),
    "tick_size": DEC, "min_order_size": DEC, "neg_risk": pl.Boolean, "neg_risk_market_id": pl.String,
    "start_ts_ms": pl.Int64, "end_ts_ms": pl.Int64, "active": pl.Boolean, "closed": pl.Boolean,
    "accepting_orders": pl.Boolean, "rewards": pl.Struct({"min_size": DEC, "max_spread_cents": DEC}),
    "fees": pl.Struct(
        {"fees_enabled": pl.Boolean, "taker_fee_rate": DEC, "maker_fee_rate": DEC, "exponent": pl.Int64}
    ),
    "as_of_ms": pl.Int64,
}  # fmt: skip


def _instruments(*, min_size: str = "5", end_ts_ms: int | None = END, tick: str = "0.01") -> pl.DataFrame:
    row = {
        "condition_id": A, "question": "Q?", "slug": "m-a", "category": None,
        "tokens": [{"token_id": "1", "outcome": "Yes"}, {"token_id": "2", "outcome": "No"}],
        "tick_size": D(tick), "min_order_size": D(min_size), "neg_risk": False, "neg_risk_market_id": None,
        "start_ts_ms": None, "end_ts_ms": end_ts_ms, "active": True, "closed": False,
        "accepting_orders": True, "rewards": None, "fees": None, "as_of_ms": TS - 1,
    }  # fmt: skip
    return pl.DataFrame([row], schema=INSTRUMENT_SCHEMA)


def _books(*rows: tuple[str, int, str | None, str | None] | tuple[str, int, str | None, str | None, str]):
    out = []
    for token, ts, bid, ask, *tick in rows:
        out.append(
            {
                "condition_id": A,
                "token_id": token,
                "ts_ms": ts,
                "tick_size": D(tick[0] if tick else "0.01"),
                "best_bid": None if bid is None else D(bid),
                "best_ask": None if ask is None else D(ask),
                "mid": None,
                "spread_ticks": None,
                "freshness": {
                    "source_ts_ms": ts,
                    "receive_ts_ms": ts,
                    "age_ms": 0,
                    "budget_ms": 5_000,
                    "quality": "OK",
                    "provenance_hash": "0" * 64,
                    "venue_hash": None,
                },
            }  # fmt: skip
        )
    return pl.DataFrame(out, schema=SNAPSHOT_SCHEMA)


def _fvs(*rows: tuple[str, int, str | None]) -> pl.DataFrame:
    data = [
        {
            "condition_id": A,
            "token_id": t,
            "ts_ms": ts,
            "fair_value": None if v is None else D(v),
            "source": SRC,
        }
        for t, ts, v in rows
    ]
    return pl.DataFrame(data, schema=FV_SCHEMA)


def _id(token: str, ts: int, kind: str) -> str:
    return hashlib.sha256(f"strat.maker_tight|{token}|{ts}|BUY|{kind}".encode()).hexdigest()[:24]


def _one(fv: str | None, bid: str | None, ask: str | None, tick: str = "0.01", **cfg: object) -> D | None:
    """Price of the single PLACE for one fair-value row, or None when nothing is emitted."""
    out = maker_tight.run(
        _fvs(("1", TS, fv)), _books(("1", TS, bid, ask, tick)), _instruments(), maker_tight.Config(**cfg)
    )
    assert out.height <= 1
    return out["price"][0] if out.height else None


@pytest.mark.parametrize(
    ("fv", "bid", "ask", "tick", "expected"),
    [
        ("0.555", "0.50", "0.60", "0.01", D("0.54")),  # floor((0.555 − 0.01)/0.01) = floor(54.5) = 54 → 0.54
        ("0.55", "0.50", "0.60", "0.01", D("0.54")),  # on the grid: 0.55 − 0.01 = 0.54
        ("0.58", "0.50", "0.56", "0.01", D("0.55")),  # desired 0.57 ≥ ask: capped at ask − tick = 0.55
        ("0.02", "0.01", "0.03", "0.01", D("0.01")),  # desired = tick: quoted at the band floor
        ("0.0199", "0.01", "0.03", "0.01", None),  # floor(0.99) = 0 < tick: no quote
        ("0.015", "0.01", "0.03", "0.01", None),  # floor(0.5) = 0 < tick: no quote
        ("1", "0.98", "0.99", "0.01", D("0.98")),  # desired 0.99 = 1 − tick, capped at ask − tick 0.98
        ("0.999999", "0.997", "0.999", "0.001", D("0.998")),  # floor(998.999) = 998; cap 0.998 = 1 − 2·tick
        ("0.5013", "0.49", "0.51", "0.0025", D("0.4975")),  # (0.5013 − 0.0025)/0.0025 = 199.52 → 199·0.0025
        ("0.6", "0.50", None, "0.01", None),  # one-sided (no ask)
        ("0.6", None, "0.70", "0.01", None),  # one-sided (no bid)
        (None, "0.50", "0.60", "0.01", None),  # missing fair value
    ],
)
def test_run_when_single_row_then_price_is_tick_floor_capped_below_ask(
    fv: str | None, bid: str | None, ask: str | None, tick: str, expected: D | None
) -> None:
    assert _one(fv, bid, ask, tick) == expected


def test_run_when_edge_ticks_zero_or_three_then_distance_follows() -> None:
    assert _one("0.55", "0.40", "0.60", edge_ticks=0) == D("0.55")  # floor(55) = 55
    assert _one("0.55", "0.40", "0.60", edge_ticks=3) == D("0.52")  # 0.55 − 0.03 = 0.52


@pytest.mark.parametrize(
    ("min_size", "size_cfg", "expected"),
    [("5", "10", D("10")), ("15", "10", D("15")), ("5", "12.5", D("12.5"))],
)
def test_run_when_min_order_size_larger_then_size_raised(min_size: str, size_cfg: str, expected: D) -> None:
    out = maker_tight.run(
        _fvs(("1", TS, "0.55")), _books(("1", TS, "0.50", "0.60")), _instruments(min_size=min_size),
        maker_tight.Config(size_shares=D(size_cfg)),
    )  # fmt: skip
    assert out["size"].to_list() == [expected]  # size = max(size_shares, min_order_size)


def test_run_when_sequence_then_sticky_place_replace_and_cancel() -> None:
    fvs = _fvs(
        ("1", TS, "0.555"),  # desired 0.54 → PLACE 0.54
        ("1", TS + 1_000, "0.551"),  # floor(54.1) = 0.54: unchanged → nothing
        ("1", TS + 2_000, "0.58"),  # desired 0.57, ask 0.56 → 0.55: PLACE (cancel-replace)
        ("1", TS + 3_000, "0.58"),  # book one-sided → CANCEL the live 0.55
        ("1", TS + 4_000, "0.58"),  # still one-sided → nothing
        ("1", TS + 5_000, "0.40"),  # desired 0.39 → PLACE 0.39
        ("1", END - 60_000, "0.40"),  # ts ≥ end − 60 s → CANCEL
        ("1", END - 30_000, "0.40"),  # still pulled → nothing
    )
    books = _books(
        ("1", TS, "0.50", "0.60"),
        ("1", TS + 2_000, "0.50", "0.56"),
        ("1", TS + 3_000, "0.50", None),
        ("1", TS + 5_000, "0.38", "0.42"),  # as-of: also the book for the last two rows
    )
    out = maker_tight.run(fvs, books, _instruments(), maker_tight.Config())
    assert out.schema == pl.Schema(maker_tight.INTENT_SCHEMA)
    p0, p2, c3 = _id("1", TS, "PLACE"), _id("1", TS + 2_000, "PLACE"), _id("1", TS + 3_000, "CANCEL")
    p5, c_end = _id("1", TS + 5_000, "PLACE"), _id("1", END - 60_000, "CANCEL")
    s = "strat.maker_tight"
    assert out.rows() == [
        (p0, s, "PLACE", None, A, "1", TS, "BUY", D("0.54"), D("10"), "GTC", True),
        (p2, s, "PLACE", None, A, "1", TS + 2_000, "BUY", D("0.55"), D("10"), "GTC", True),
        (c3, s, "CANCEL", p2, A, "1", TS + 3_000, "BUY", D("0.55"), D("10"), "GTC", True),
        (p5, s, "PLACE", None, A, "1", TS + 5_000, "BUY", D("0.39"), D("10"), "GTC", True),
        (c_end, s, "CANCEL", p5, A, "1", END - 60_000, "BUY", D("0.39"), D("10"), "GTC", True),
    ]


def test_run_when_stop_boundary_then_quote_until_one_ms_before() -> None:
    # stop at ts >= END − 60_000: END − 60_001 quotes, END − 60_000 does not
    fvs = _fvs(("1", END - 60_001, "0.55"))
    out = maker_tight.run(
        fvs, _books(("1", END - 60_001, "0.50", "0.60")), _instruments(), maker_tight.Config()
    )
    assert out["kind"].to_list() == ["PLACE"]
    fvs = _fvs(("1", END - 60_000, "0.55"))
    out = maker_tight.run(
        fvs, _books(("1", END - 60_000, "0.50", "0.60")), _instruments(), maker_tight.Config()
    )
    assert out.height == 0
    # no end date: never stops
    out = maker_tight.run(
        fvs, _books(("1", END - 60_000, "0.50", "0.60")), _instruments(end_ts_ms=None), maker_tight.Config()
    )
    assert out["price"].to_list() == [D("0.54")]


def test_run_when_both_tokens_then_bids_on_each_outcome() -> None:
    # YES fv 0.555 (book 0.50/0.60) → 0.54; NO fv 0.445 (book 0.40/0.50) → floor(43.5) = 0.43
    # (bidding NO at 0.43 = offering YES at 0.57: a two-sided quote 0.54 / 0.57 around 0.555)
    fvs = _fvs(("1", TS, "0.555"), ("2", TS, "0.445"))
    books = _books(("1", TS, "0.50", "0.60"), ("2", TS, "0.40", "0.50"))
    out = maker_tight.run(fvs, books, _instruments(), maker_tight.Config())
    assert out.select("token_id", "side", "price").rows() == [
        ("1", "BUY", D("0.54")),
        ("2", "BUY", D("0.43")),
    ]


def test_run_when_no_book_or_unknown_token_then_nothing_emitted() -> None:
    # token 1 has no book at or before its fv; token 9 has no instrument record
    fvs = _fvs(("1", TS, "0.55"), ("9", TS, "0.55"))
    books = _books(("1", TS + 1, "0.50", "0.60"), ("9", TS, "0.50", "0.60"))
    out = maker_tight.run(fvs, books, _instruments(), maker_tight.Config())
    assert out.height == 0
    assert out.schema == pl.Schema(maker_tight.INTENT_SCHEMA)


def test_run_when_same_input_twice_or_shuffled_then_same_output() -> None:
    fvs = _fvs(("1", TS, "0.555"), ("2", TS, "0.445"), ("1", TS + 1_000, "0.60"), ("2", TS + 1_000, None))
    books = _books(("1", TS, "0.50", "0.60"), ("2", TS, "0.40", "0.50"), ("1", TS + 1_000, "0.55", "0.65"))
    first = maker_tight.run(fvs, books, _instruments(), maker_tight.Config())
    assert first.height == 4  # PLACE 1, PLACE 2, PLACE 1 @ 0.59, CANCEL 2
    assert first.equals(maker_tight.run(fvs, books, _instruments(), maker_tight.Config()))
    assert first.equals(maker_tight.run(fvs.reverse(), books.reverse(), _instruments(), maker_tight.Config()))


@pytest.mark.parametrize(
    "bad", [{"edge_ticks": -1}, {"size_shares": D("0")}, {"size_shares": D("1.0000001")}]
)
def test_config_when_invalid_then_validation_error(bad: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        maker_tight.Config(**bad)
