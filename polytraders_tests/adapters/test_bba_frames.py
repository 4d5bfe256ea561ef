"""The vectorised best_bid_ask path (bba_frames.fast_best_bid_ask, inside normalise_capture) gives
exactly the per-frame path's output: MarketSnapshots equal to_frame of normalise_market_frame's,
malformed frames on the per-frame path as QuarantineRecords with GOV_DQ_* codes."""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from polytraders.adapters.capture import CAPTURE_SCHEMA, derive_token_id
from polytraders.adapters.polymarket import book_frames as bf
from polytraders.adapters.polymarket import normalise_capture, normalise_market_frame
from polytraders.adapters.polymarket.bba_frames import fast_best_bid_ask
from polytraders.contracts import MarketSnapshot, QuarantineRecord, WireModel
from polytraders.contracts.frames import empty_frame, to_frame

DAY = Path(__file__).resolve().parents[2] / "fixtures" / "2026-08-12"
CID = "0x" + "ab" * 32
TOKEN = derive_token_id(CID, "Yes")  # 77 digits
TOKEN_FINE = "123456789"
TOKEN_UNKNOWN = "987654321"
TICKS = {TOKEN: Decimal("0.01"), TOKEN_FINE: Decimal("0.001"), "5": Decimal("0.000001")}
TS = 1_786_492_845_000
RECV = TS + 250


def bba(bid: str = "0.73", ask: str = "0.77", *, token: str = TOKEN, cid: str = CID, ts: str = str(TS),
        spread: str = "0.04", **extra: Any) -> str:
    obj = {"event_type": "best_bid_ask", "market": cid, "asset_id": token, "best_bid": bid, "best_ask": ask,
           "spread": spread, "timestamp": ts, **extra}
    return json.dumps(obj, separators=(",", ":"))


#: (case, frame, path the frame must take, labels the per-frame path gives)
CASES: list[tuple[str, str, str, list[str]]] = [
    ("two-sided", bba(), "fast", ["MarketSnapshot"]),
    ("no bid", bba(bid="", spread=""), "fast", ["MarketSnapshot"]),
    ("no ask", bba(ask="", spread=""), "fast", ["MarketSnapshot"]),
    ("empty book", bba(bid="", ask="", spread=""), "fast", ["MarketSnapshot"]),
    ("fine grid 0.965", bba("0.965", "0.97", token=TOKEN_FINE, spread="0.005"), "fast", ["MarketSnapshot"]),
    ("non-canonical 0.730", bba("0.730", "0.770"), "fast", ["MarketSnapshot"]),
    ("stale: 5 s late", bba(ts=str(TS - 5_000)), "fast", ["MarketSnapshot"]),
    ("from the future", bba(ts=str(RECV + 9_000)), "fast", ["MarketSnapshot"]),
    ("upper-case hex id", bba(cid="0x" + "AB" * 32), "fast", ["MarketSnapshot"]),
    ("spread is ignored", bba(spread="9.99"), "fast", ["MarketSnapshot"]),
    ("spread of letters", bba(spread="wide"), "slow", ["MarketSnapshot"]),
    ("crossed", bba("0.78", "0.77"), "slow", ["GOV_DQ_CROSSED_BOOK"]),
    ("locked", bba("0.77", "0.77"), "slow", ["GOV_DQ_CROSSED_BOOK"]),
    ("off the 0.01 grid", bba("0.735", "0.77"), "slow", ["GOV_DQ_OFF_TICK"]),
    ("7 decimals", bba("0.7300001", "0.77"), "slow", ["GOV_DQ_BAD_NUMBER"]),
    ("price 1", bba("0.73", "1"), "slow", ["GOV_DQ_PRICE_RANGE"]),
    ("price 0.0", bba("0.0", "0.77"), "slow", ["GOV_DQ_PRICE_RANGE"]),
    ("price in cents", bba("73", "77"), "slow", ["GOV_DQ_PRICE_RANGE"]),
    ("price a number", bba().replace('"best_bid":"0.73"', '"best_bid":0.73'), "slow", ["MarketSnapshot"]),
    ("price .73", bba(".73", "0.77"), "slow", ["GOV_DQ_BAD_NUMBER"]),
    ("price +0.73", bba("+0.73", "0.77"), "slow", ["GOV_DQ_BAD_NUMBER"]),
    ("seconds", bba(ts=str(TS // 1000)), "slow", ["GOV_DQ_TS_UNITS"]),
    ("leading zero ts", bba(ts="0" + str(TS)), "slow", ["MarketSnapshot"]),
    ("microseconds", bba(ts=str(TS * 1000)), "slow", ["GOV_DQ_TS_UNITS"]),
    ("unknown token", bba(token=TOKEN_UNKNOWN), "slow", ["GOV_DQ_UNKNOWN_TOKEN"]),
    ("token of 79 digits", bba(token="1" * 79), "slow", ["GOV_DQ_BAD_ID"]),
    ("token >= 2**256", bba(token=str(2**256)), "slow", ["GOV_DQ_BAD_ID"]),
    ("short condition id", bba(cid="0x" + "ab" * 31), "slow", ["GOV_DQ_BAD_ID"]),
    ("0X condition id", bba(cid="0X" + "ab" * 32), "slow", ["GOV_DQ_BAD_ID"]),
    ("own tick_size", bba(tick_size="0.001"), "slow", ["MarketSnapshot"]),
    ("venue hash", bba(hash="deadbeef"), "slow", ["MarketSnapshot"]),
    ("keys reordered", json.dumps({"market": CID, "event_type": "best_bid_ask", "asset_id": TOKEN,
                                   "best_bid": "0.73", "best_ask": "0.77", "spread": "0.04",
                                   "timestamp": str(TS)}, separators=(",", ":")), "slow", ["MarketSnapshot"]),
    ("whitespace", bba().replace(",", ", "), "slow", ["MarketSnapshot"]),
    ("escaped digit", bba().replace('"0.73"', '"0.7\\u0033"'), "slow", ["MarketSnapshot"]),
    ("missing best_ask", bba().replace(',"best_ask":"0.77"', ""), "slow", ["MarketSnapshot"]),
    ("duplicate key", bba().replace('"spread"', '"best_bid":"0.10","spread"'), "slow", ["MarketSnapshot"]),
    ("missing timestamp", bba().replace(f',"timestamp":"{TS}"', ""), "slow", ["GOV_DQ_MISSING_FIELD"]),
    ("truncated", bba()[:-9], "slow", ["GOV_DQ_MALFORMED_JSON"]),
    ("trailing text", bba() + "x", "slow", ["GOV_DQ_MALFORMED_JSON"]),
    ("in an array", "[" + bba() + "," + bba("0.74", "0.77") + "]", "slow", ["MarketSnapshot", "MarketSnapshot"]),
    ("keep-alive", "PONG", "slow", ["KeepAlive"]),
]


def _capture(frames: list[str], recv: int = RECV) -> pl.DataFrame:
    return pl.DataFrame(
        {"recv_ms": [recv + i for i in range(len(frames))], "channel": ["market"] * len(frames), "frame": frames},
        schema=CAPTURE_SCHEMA,
    )


def _per_frame(capture: pl.DataFrame) -> tuple[pl.DataFrame, list[WireModel]]:
    tops: list[MarketSnapshot] = []
    others: list[WireModel] = []
    for recv_ms, _channel, raw in capture.iter_rows():
        for obj in normalise_market_frame(raw, recv_ms, TICKS):
            (tops if isinstance(obj, MarketSnapshot) else others).append(obj)
    return (to_frame("MarketSnapshot", tops) if tops else empty_frame("MarketSnapshot")), others


def _label(obj: WireModel) -> str:
    return obj.reason_code if isinstance(obj, QuarantineRecord) else type(obj).__name__


@pytest.fixture
def slow_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def recording(raw: str, *args: Any, **kwargs: Any) -> list[WireModel]:
        calls.append(raw)
        return normalise_market_frame(raw, *args, **kwargs)

    monkeypatch.setattr(bf, "normalise_market_frame", recording)
    return calls


def test_per_frame_labels_of_the_cases() -> None:
    for case, frame, _path, expected in CASES:
        assert [_label(o) for o in normalise_market_frame(frame, RECV, TICKS)] == expected, case


def test_each_case_takes_its_path_and_the_output_is_the_per_frame_paths(slow_calls: list[str]) -> None:
    capture = _capture([frame for _, frame, _, _ in CASES])
    result = normalise_capture(capture, TICKS)
    for case, frame, path, _ in CASES:
        assert ("slow" if frame in slow_calls else "fast") == path, case
    tops, others = _per_frame(capture)
    assert result.market_snapshots.schema == empty_frame("MarketSnapshot").schema
    assert_frame_equal(result.market_snapshots, tops)
    assert result.others == others
    assert result.book_snapshots.is_empty()
    codes = [o.reason_code for o in result.others if isinstance(o, QuarantineRecord)]
    assert codes and all(code.startswith("GOV_DQ_") for code in codes)


def test_fast_rows_by_hand() -> None:
    capture = _capture([bba(), bba("", "0.77", spread=""), bba(ts=str(TS - 5_000))])
    got = normalise_capture(capture, TICKS).market_snapshots.to_dicts()
    first = got[0]
    assert (first["condition_id"], first["token_id"], first["ts_ms"]) == (CID, TOKEN, TS)
    assert (first["best_bid"], first["best_ask"], first["mid"]) == (Decimal("0.73"), Decimal("0.77"), Decimal("0.75"))
    assert (first["tick_size"], first["spread_ticks"]) == (Decimal("0.01"), 4)
    assert first["freshness"] == {
        "age_ms": 250, "budget_ms": 2_000, "provenance_hash": hashlib.sha256(bba().encode()).hexdigest(),
        "quality": "OK", "receive_ts_ms": RECV, "source_ts_ms": TS, "venue_hash": None,
    }
    assert (got[1]["best_bid"], got[1]["mid"], got[1]["spread_ticks"]) == (None, None, None)
    assert got[2]["freshness"]["quality"] == "WARN" and got[2]["freshness"]["age_ms"] == 5_252  # received at RECV + 2


def test_an_odd_mid_in_micro_units_is_left_to_the_per_frame_path() -> None:
    """On a 1e-6 grid the mid of 0.000001 / 0.000002 has 7 decimals: the frame form cannot hold it,
    so the fast path refuses the row (the per-frame path decides what happens)."""
    rows = _capture([bba("0.000001", "0.000002", token="5", spread="0.000001"),
                     bba("0.000002", "0.000004", token="5", spread="0.000002")]).with_row_index("row")
    fast = fast_best_bid_ask(rows, TICKS, 2_000)
    assert fast["row"].to_list() == [1] and fast["mid"].to_list() == [Decimal("0.000003")]


def test_other_channels_and_receive_times_outside_epoch_ms_take_the_per_frame_path() -> None:
    rows = pl.DataFrame({"recv_ms": [RECV, RECV // 1000, RECV], "channel": ["market", "market", "user"],
                         "frame": [bba()] * 3}, schema=CAPTURE_SCHEMA).with_row_index("row")
    assert fast_best_bid_ask(rows, TICKS, 2_000)["row"].to_list() == [0]


@pytest.fixture(scope="module")
def day_sample() -> tuple[pl.DataFrame, dict[str, Decimal]]:
    """Rows of 2026-08-12: its first two polls, and one row group's first 20,000 stored rows (a
    few tokens across the whole day), with the registry's ticks of their tokens."""
    parquet = pq.ParquetFile(DAY / "capture.parquet")
    group = pl.from_arrow(parquet.read_row_group(3)).head(20_000)
    first = pl.scan_parquet(DAY / "capture.parquet").filter(pl.col("seq") < 25_000).collect()
    capture = pl.concat([first, group]).unique("seq").sort("seq").select(list(CAPTURE_SCHEMA))
    page = json.loads((DAY / "markets.json").read_text())
    ticks = {m["tokens"][0]["token_id"]: Decimal(str(m["minimum_tick_size"])) for m in page["data"]}
    return capture, ticks


def test_day_sample_fast_path_equals_per_frame_path(day_sample: tuple[pl.DataFrame, dict[str, Decimal]]) -> None:
    capture, ticks = day_sample
    result = normalise_capture(capture, ticks)
    assert result.others == [] and result.market_snapshots.height == capture.height > 40_000
    objs = [o for recv, _, raw in capture.iter_rows() for o in normalise_market_frame(raw, recv, ticks)]
    assert all(isinstance(o, MarketSnapshot) for o in objs)
    assert_frame_equal(result.market_snapshots, to_frame("MarketSnapshot", objs))
    fine = result.market_snapshots.filter(pl.col("tick_size") == Decimal("0.001"))
    assert fine.height and fine.filter(pl.col("best_bid").is_not_null()).height


def test_day_sample_with_corrupted_rows(day_sample: tuple[pl.DataFrame, dict[str, Decimal]]) -> None:
    """Corrupt every 97th frame of the sample in one of a few ways: those go the per-frame path and
    are quarantined with GOV_DQ_* codes, every other row still equals the per-frame path."""
    capture, ticks = day_sample
    head = capture.head(5_000)
    damage = [
        lambda f: f[: len(f) // 2],  # truncated
        lambda f: re.sub(r'"timestamp":"([0-9]{10})[0-9]{3}"', r'"timestamp":"\1"', f),  # seconds
        lambda f: f.replace('"asset_id":"', '"asset_id":"9'),  # unknown / bad token
        lambda f: f.replace('"best_ask":"', '"best_ask":"0.0005', 1) if '"best_ask":""' in f else f[:-3],
    ]
    frames = [damage[(i // 97) % len(damage)](f) if i % 97 == 0 else f for i, f in enumerate(head["frame"])]
    corrupted = head.with_columns(pl.Series("frame", frames))
    result = normalise_capture(corrupted, ticks)
    tops, others = [], []
    for recv, _, raw in corrupted.iter_rows():
        for obj in normalise_market_frame(raw, recv, ticks):
            (tops if isinstance(obj, MarketSnapshot) else others).append(obj)
    assert_frame_equal(result.market_snapshots, to_frame("MarketSnapshot", tops))
    assert result.others == others
    codes = {o.reason_code for o in others}
    assert len(others) == len(range(0, 5_000, 97)) and codes <= {
        "GOV_DQ_MALFORMED_JSON", "GOV_DQ_TS_UNITS", "GOV_DQ_BAD_ID", "GOV_DQ_UNKNOWN_TOKEN", "GOV_DQ_OFF_TICK"}
    assert {"GOV_DQ_MALFORMED_JSON", "GOV_DQ_TS_UNITS"} <= codes
