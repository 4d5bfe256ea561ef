"""normalise_capture (vectorised book fast path) == normalise_market_frame per frame, exactly."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets
from polytraders.adapters.capture import CAPTURE_SCHEMA, read_capture
from polytraders.adapters.polymarket import NormalisedCapture, normalise_capture, normalise_market_frame
from polytraders.adapters.polymarket import book_frames as bf
from polytraders.contracts import OrderBookSnapshot, QuarantineRecord, WireModel
from polytraders.contracts.frames import empty_frame, from_frame, to_frame

DAY = Path(__file__).resolve().parents[2] / "fixtures" / "2026-09-28" / "capture.jsonl.gz"
WS_REFERENCE = (
    Path(__file__).resolve().parents[2]
    / "fixtures/reference/nautilus_trader/tests/integration_tests/adapters/polymarket/resources/ws_messages"
)
OWN_REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference" / "own"

CID = "0x7e57" + "0" * 57 + "a01"
TOKEN_A = "73" + "0" * 72 + "101"
TOKEN_B = "29" + "0" * 72 + "202"
TOKEN_MAPPED = "4242"  # no tick_size in its frames: the tick comes from TICKS
TICKS = {TOKEN_A: Decimal("0.01"), TOKEN_B: Decimal("0.01"), TOKEN_MAPPED: Decimal("0.001")}
RECV = 1_790_585_113_726
NAUTILUS_YES = "21742633143463906290569050155826241533067272736897614950488156847949938836455"
NAUTILUS_NO = "48331043336612883890938759509493159234755048973500640148014422747788308965732"
OWN_GRID_TOKEN = "80000000000000000000000000000000000000000000000000000000000000000000000077777"


def _compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def _compact_or_none(text: str) -> str | None:
    try:
        return _compact(json.loads(text))
    except ValueError:
        return None


def _book(
    bids: list[tuple[str, str]],
    asks: list[tuple[str, str]],
    *,
    token: str = TOKEN_A,
    ts: Any = str(RECV - 100),
    tick: str | None = "0.01",
    hash_: str = "ab" * 20,
) -> dict[str, Any]:
    """A venue book object; ``bids`` / ``asks`` in venue order (best LAST)."""
    obj: dict[str, Any] = {
        "market": CID,
        "asset_id": token,
        "timestamp": ts,
        "hash": hash_,
        "bids": [{"price": price, "size": size} for price, size in bids],
        "asks": [{"price": price, "size": size} for price, size in asks],
    }
    if tick is not None:
        obj["tick_size"] = tick
    obj.update(event_type="book", last_trade_price="")
    return obj


GOOD_BIDS = [("0.45", "100"), ("0.47", "80.5")]
GOOD_ASKS = [("0.55", "120.25"), ("0.52", "60")]
PRICE_CHANGE = {
    "market": CID,
    "price_changes": [
        {"asset_id": TOKEN_A, "price": "0.47", "side": "BUY", "size": "95", "hash": "c3" * 20},
        {"asset_id": TOKEN_B, "price": "0.53", "side": "SELL", "size": "0", "hash": "d4" * 20},
    ],
    "timestamp": str(RECV - 50),
    "event_type": "price_change",
}
ARRAY = [_book(GOOD_BIDS, GOOD_ASKS), _book(GOOD_BIDS, [("0.55", "1"), ("0.525", "2")], token=TOKEN_B)]

#: (case, frame text, path expected to handle it, per-frame outputs: type name or reason code).
CASES: list[tuple[str, str, str, list[str]]] = [
    ("book on the 0.01 grid", _compact(_book(GOOD_BIDS, GOOD_ASKS)), "fast", ["OrderBookSnapshot"]),
    (
        "book on the 0.001 grid (0.965)",
        _compact(_book([("0.5", "1"), ("0.961", "2")], [("0.97", "3"), ("0.965", "4000")], tick="0.001")),
        "fast",
        ["OrderBookSnapshot"],
    ),
    (
        "book without tick_size: tick from tick_sizes, stale -> WARN, one side empty, hash ''",
        _compact(_book([("0.012", "5")], [], token=TOKEN_MAPPED, tick=None, ts=str(RECV - 5_000), hash_="")),
        "fast",
        ["OrderBookSnapshot"],
    ),
    (
        "off-grid price",
        _compact(_book([("0.45", "1"), ("0.475", "2")], GOOD_ASKS)),
        "slow",
        ["GOV_DQ_OFF_TICK"],
    ),
    ("price 1.5", _compact(_book(GOOD_BIDS, [("1.5", "1"), ("0.52", "2")])), "slow", ["GOV_DQ_PRICE_RANGE"]),
    (
        "price with 7 decimals (not rounded to 0.123457)",
        _compact(_book([("0.1234567", "1")], GOOD_ASKS)),
        "slow",
        ["GOV_DQ_BAD_NUMBER"],
    ),
    ("negative size", _compact(_book([("0.45", "-3")], GOOD_ASKS)), "slow", ["GOV_DQ_NEGATIVE_SIZE"]),
    ("non-numeric size", _compact(_book(GOOD_BIDS, [("0.52", "lots")])), "slow", ["GOV_DQ_BAD_NUMBER"]),
    ("crossed book", _compact(_book([("0.53", "1")], [("0.52", "1")])), "slow", ["GOV_DQ_CROSSED_BOOK"]),
    ("timestamp in seconds", _compact(_book(GOOD_BIDS, GOOD_ASKS, ts="1790585113")), "slow", ["GOV_DQ_TS_UNITS"]),
    ("bad token id", _compact(_book(GOOD_BIDS, GOOD_ASKS, token="0xabc")), "slow", ["GOV_DQ_BAD_ID"]),
    ("truncated JSON", _compact(_book(GOOD_BIDS, GOOD_ASKS))[:150], "slow", ["GOV_DQ_MALFORMED_JSON"]),
    (
        "array: one good, one off-grid element",
        _compact(ARRAY),
        "slow",
        ["OrderBookSnapshot", "GOV_DQ_OFF_TICK"],
    ),
    ("PONG", "PONG", "slow", ["KeepAlive"]),
    ("price_change", _compact(PRICE_CHANGE), "slow", ["BookDelta", "BookDelta"]),
    # valid books the fast path leaves to the exact path:
    (
        "levels not in venue order (the exact path sorts them)",
        _compact(_book([("0.47", "80.5"), ("0.45", "100")], GOOD_ASKS)),
        "slow",
        ["OrderBookSnapshot"],
    ),
    (
        "JSON numbers instead of decimal strings",
        _compact(_book(GOOD_BIDS, GOOD_ASKS)).replace('"0.45"', "0.45"),
        "slow",
        ["OrderBookSnapshot"],
    ),
    ("pretty-printed", json.dumps(_book(GOOD_BIDS, GOOD_ASKS), indent=1), "slow", ["OrderBookSnapshot"]),
    (
        "repeated key: Python keeps the last value, polars the first",
        _compact(_book(GOOD_BIDS, GOOD_ASKS))[:-1] + ',"timestamp":"1790585113"}',
        "slow",
        ["GOV_DQ_TS_UNITS"],
    ),
    (
        "hash as an array (venue_hash None)",
        _compact(_book(GOOD_BIDS, GOOD_ASKS)).replace(f'"{"ab" * 20}"', '[{"price":"1","size":"2"}]'),
        "slow",
        ["OrderBookSnapshot"],
    ),
    (
        "non-plain decimal strings are not the venue's format: '1_000', ' .6', '+2'",
        _compact(_book([("0.45", "1_000")], [("0.7", "+2"), (" .6", "1")])),
        "slow",
        ["GOV_DQ_BAD_NUMBER"],
    ),
    (
        "escaped string (\\u0061b)",
        _compact(_book(GOOD_BIDS, GOOD_ASKS)).replace('"hash":"ab', '"hash":"\\u0061b'),
        "slow",
        ["OrderBookSnapshot"],
    ),
    ("repeated price", _compact(_book([("0.45", "1"), ("0.45", "2")], GOOD_ASKS)), "slow", ["GOV_DQ_SCHEMA"]),
    ("price 0", _compact(_book([("0.0", "1")], GOOD_ASKS)), "slow", ["GOV_DQ_PRICE_RANGE"]),
    ("tick unknown", _compact(_book(GOOD_BIDS, GOOD_ASKS, token="99", tick="")), "slow", ["GOV_DQ_UNKNOWN_TOKEN"]),
]


def _capture(frames: list[str], channel: str = "market") -> pl.DataFrame:
    recv = [RECV + index for index in range(len(frames))]
    return pl.DataFrame({"recv_ms": recv, "channel": [channel] * len(frames), "frame": frames}, schema=CAPTURE_SCHEMA)


def _per_frame(
    capture: pl.DataFrame, ticks: Mapping[str, Decimal], budgets: FreshnessBudgets = DEFAULT_BUDGETS
) -> tuple[pl.DataFrame, list[WireModel]]:
    """The reference: normalise_market_frame on every row, books in frame form, the rest in order."""
    books: list[WireModel] = []
    others: list[WireModel] = []
    for recv_ms, _channel, raw in capture.iter_rows():
        for obj in normalise_market_frame(raw, recv_ms, ticks, budgets):
            (books if isinstance(obj, OrderBookSnapshot) else others).append(obj)
    return to_frame("OrderBookSnapshot", books), others


def _label(obj: WireModel) -> str:
    return obj.reason_code if isinstance(obj, QuarantineRecord) else type(obj).__name__


def _assert_same(result: NormalisedCapture, capture: pl.DataFrame, ticks: Mapping[str, Decimal]) -> None:
    books, others = _per_frame(capture, ticks)
    assert result.book_snapshots.schema == empty_frame("OrderBookSnapshot").schema
    assert_frame_equal(result.book_snapshots, books)
    assert result.others == others


@pytest.fixture
def slow_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Raw frames that normalise_capture hands to the exact per-frame path."""
    calls: list[str] = []

    def recording(raw: str, *args: Any, **kwargs: Any) -> list[WireModel]:
        calls.append(raw)
        return normalise_market_frame(raw, *args, **kwargs)

    monkeypatch.setattr(bf, "normalise_market_frame", recording)
    return calls


def test_per_frame_path_outputs_of_the_hand_made_cases_are_the_expected_codes() -> None:
    for case, frame, _path, expected in CASES:
        out = normalise_market_frame(frame, RECV, TICKS)
        assert [_label(obj) for obj in out] == expected, case


def test_normalise_capture_when_hand_made_capture_then_each_row_takes_the_expected_path(
    slow_calls: list[str],
) -> None:
    capture = _capture([frame for _, frame, _, _ in CASES])
    result = normalise_capture(capture, TICKS)
    for case, frame, path, _ in CASES:
        assert ("slow" if frame in slow_calls else "fast") == path, case
    assert len(slow_calls) == sum(path == "slow" for _, _, path, _ in CASES)
    _assert_same(result, capture, TICKS)
    assert [_label(obj) for obj in result.others] == [
        label for _, _, _, expected in CASES for label in expected if label != "OrderBookSnapshot"
    ]


def test_normalise_capture_when_hand_made_capture_then_books_in_capture_and_element_order() -> None:
    capture = _capture([frame for _, frame, _, _ in CASES])
    books = normalise_capture(capture, TICKS).book_snapshots
    wanted = [
        RECV + index
        for index, (_, _, _, expected) in enumerate(CASES)
        for label in expected
        if label == "OrderBookSnapshot"
    ]
    assert books.get_column("freshness").struct.field("receive_ts_ms").to_list() == wanted


def test_normalise_capture_when_fast_books_then_values_are_the_exact_objects() -> None:
    capture = _capture([frame for _, frame, path, _ in CASES if path == "fast"])
    first, milli, mapped = from_frame("OrderBookSnapshot", normalise_capture(capture, TICKS).book_snapshots)
    assert [(str(level.price), str(level.size)) for level in first.bids] == [("0.47", "80.5"), ("0.45", "100")]
    assert [(str(level.price), str(level.size)) for level in first.asks] == [("0.52", "60"), ("0.55", "120.25")]
    assert (first.tick_size, first.freshness.age_ms, first.freshness.quality) == (Decimal("0.01"), 100, "OK")
    assert first.freshness.venue_hash == "ab" * 20
    assert (milli.tick_size, milli.asks[0].price, milli.bids[0].price) == (
        Decimal("0.001"),
        Decimal("0.965"),
        Decimal("0.961"),
    )
    assert (mapped.tick_size, mapped.asks, mapped.freshness.quality) == (Decimal("0.001"), (), "WARN")
    assert (mapped.freshness.age_ms, mapped.freshness.venue_hash) == (5_002, None)


def test_normalise_capture_when_batches_are_small_then_same_rows_and_order(monkeypatch: pytest.MonkeyPatch) -> None:
    capture = _capture([frame for _, frame, _, _ in CASES] * 3)
    monkeypatch.setattr(bf, "_BATCH_ROWS", 2)
    _assert_same(normalise_capture(capture, TICKS), capture, TICKS)


def test_normalise_capture_when_other_budget_then_quality_follows_it() -> None:
    capture = _capture([CASES[0][1]])
    budgets = FreshnessBudgets(ws_market_ms=50)
    result = normalise_capture(capture, TICKS, budgets)
    freshness = result.book_snapshots.get_column("freshness").struct
    assert (freshness.field("budget_ms").item(), freshness.field("quality").item()) == (50, "WARN")
    books, _ = _per_frame(capture, TICKS, budgets)
    assert_frame_equal(result.book_snapshots, books)


def test_normalise_capture_when_not_market_channel_then_exact_path(slow_calls: list[str]) -> None:
    capture = _capture([CASES[0][1]], channel="user")
    result = normalise_capture(capture, TICKS)
    assert slow_calls == [CASES[0][1]]
    _assert_same(result, capture, TICKS)


def test_normalise_capture_when_size_has_7_decimals_then_quarantined_not_rounded(slow_calls: list[str]) -> None:
    """Size 1.0000001 does not fit the contracts' exact 1e-6 scale: quarantined, never rounded."""
    frame = _compact(_book([("0.45", "1.0000001")], GOOD_ASKS))
    [record] = normalise_market_frame(frame, RECV, TICKS)
    assert record.reason_code == "GOV_DQ_BAD_NUMBER"
    assert record.detail == "bids[0].size='1.0000001' has more than 6 decimal places"
    result = normalise_capture(_capture([frame]), TICKS)
    assert result.book_snapshots.is_empty()
    assert result.others == [record]
    assert slow_calls == [frame]


def test_normalise_capture_when_empty_or_bad_input_then_empty_frame_or_value_error() -> None:
    result = normalise_capture(_capture([]), TICKS)
    assert_frame_equal(result.book_snapshots, empty_frame("OrderBookSnapshot"))
    assert result.others == []
    with pytest.raises(ValueError, match="lacks columns"):
        normalise_capture(pl.DataFrame({"frame": ["PONG"]}), TICKS)
    with pytest.raises(ValueError, match="dtypes"):
        normalise_capture(_capture(["PONG"]).with_columns(pl.col("recv_ms").cast(pl.Float64)), TICKS)


def test_normalise_capture_when_reference_ws_messages_then_same_as_per_frame(slow_calls: list[str]) -> None:
    """The venue's and our own reference frames, as stored (pretty-printed: slow) and compacted."""
    milli = Decimal("0.001")
    ticks = {**TICKS, NAUTILUS_YES: milli, NAUTILUS_NO: milli, OWN_GRID_TOKEN: milli}
    frames = [path.read_text(encoding="utf-8") for path in sorted(WS_REFERENCE.glob("*.json"))]
    frames += [(OWN_REFERENCE / "ws_book_0001_grid.json").read_text(encoding="utf-8")]
    frames += (OWN_REFERENCE / "market_capture.jsonl").read_text(encoding="utf-8").splitlines()
    frames += [compact for frame in frames if (compact := _compact_or_none(frame))]
    capture = _capture(frames)
    result = normalise_capture(capture, ticks)
    assert len(frames) - len(slow_calls) == 2  # the compacted nautilus book.json and own 0.001-grid book
    _assert_same(result, capture, ticks)


# --- the committed fixture day ---------------------------------------------------------------


@pytest.fixture(scope="module")
def day() -> pl.DataFrame:
    return read_capture(DAY)


def test_normalise_capture_when_fixture_day_then_first_single_book_values(day: pl.DataFrame) -> None:
    """Capture line 2: the first single-object book (line 1 is the subscription array)."""
    result = normalise_capture(day.head(2), {})
    assert result.book_snapshots.height == 3 and result.others == []
    third = result.book_snapshots.row(2, named=True)
    assert third["condition_id"] == "0xfb85ca82aa27f2ae7ea27513c8e341f029168fb664e78f8d82ab585af9af1028"
    assert third["token_id"] == "19360214543204222060160835280324974898559806297103199698492000302800297389539"
    assert (third["ts_ms"], third["tick_size"], len(third["bids"]), len(third["asks"])) == (
        1_790_585_113_726,
        Decimal("0.01"),
        20,
        20,
    )
    assert third["bids"][0] == {"price": Decimal("0.5"), "size": Decimal("205")}
    assert third["asks"][0] == {"price": Decimal("0.51"), "size": Decimal("514.99")}
    assert third["bids"][1] == {"price": Decimal("0.49"), "size": Decimal("75")}
    assert third["asks"][1] == {"price": Decimal("0.52"), "size": Decimal("445")}
    assert third["bids"][-1] == {"price": Decimal("0.31"), "size": Decimal("10")}
    assert third["asks"][-1] == {"price": Decimal("0.7"), "size": Decimal("15")}
    assert third["freshness"]["venue_hash"] == "a11ec807f794f35d925976fcd0e8afaa41d71017"
    assert (third["freshness"]["age_ms"], third["freshness"]["quality"]) == (0, "OK")


@pytest.mark.slow
def test_normalise_capture_when_fixture_day_then_identical_to_per_frame_path(day: pl.DataFrame) -> None:
    result = normalise_capture(day, {})
    books, others = _per_frame(day, {})
    assert_frame_equal(result.book_snapshots, books)
    assert result.others == others
    assert result.book_snapshots.height == 38_311
    assert sorted({_label(obj) for obj in others}) == ["GOV_DQ_CROSSED_BOOK", "MarketResolution", "TickSizeChange"]
    assert (len(others), sum(isinstance(obj, QuarantineRecord) for obj in others)) == (66, 22)


# --- the book-hash check (a declared rule) -----------------------------------------------------------

RULE = "polytraders-sha1-v1"


def _hashed(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with the hash the rule gives it."""
    from polytraders.adapters.polymarket.book_hash import polytraders_sha1_v1

    return dict(obj, hash=polytraders_sha1_v1(obj))


GOOD = _hashed(_book(GOOD_BIDS, GOOD_ASKS))
NO_HASH = {k: v for k, v in _book(GOOD_BIDS, GOOD_ASKS).items() if k != "hash"}
#: GOOD with its best bid size 80.5 -> 81.5, GOOD's hash kept.
CHANGED = dict(GOOD, bids=[{"price": "0.45", "size": "100"}, {"price": "0.47", "size": "81.5"}])
#: (case, frame text, path, per-frame outputs with the rule); without a rule every book is admitted
#: except the crossed one.
HASH_CASES: list[tuple[str, str, str, list[str]]] = [
    ("hash as the rule gives it", _compact(GOOD), "fast", ["OrderBookSnapshot"]),
    ("hash of other levels", _compact(CHANGED), "slow", ["GOV_DQ_HASH_MISMATCH"]),
    ("hash '' (not checked)", _compact(_book(GOOD_BIDS, GOOD_ASKS, hash_="")), "fast", ["OrderBookSnapshot"]),
    ("no hash key (not checked)", _compact(NO_HASH), "fast", ["OrderBookSnapshot"]),
    ("JSON numbers: the rule's string body cannot be derived",
     _compact(GOOD).replace('"0.45"', "0.45"), "slow", ["GOV_DQ_HASH_MISMATCH"]),
    ("array: rule hash, then another book's hash",
     _compact([GOOD, dict(GOOD, asset_id=TOKEN_B)]), "slow", ["OrderBookSnapshot", "GOV_DQ_HASH_MISMATCH"]),
    ("crossed and a wrong hash: crossed first", _compact(_book([("0.53", "1")], [("0.52", "1")])), "slow",
     ["GOV_DQ_CROSSED_BOOK"]),
]


def test_normalise_capture_when_hash_rule_then_mismatches_quarantined_identically_on_both_paths(
    slow_calls: list[str],
) -> None:
    capture = _capture([frame for _, frame, _, _ in HASH_CASES])
    result = normalise_capture(capture, TICKS, hash_rule=RULE)
    for case, frame, path, _ in HASH_CASES:
        assert ("slow" if frame in slow_calls else "fast") == path, case
    per_frame_books: list[WireModel] = []
    per_frame_others: list[WireModel] = []
    for case, frame, _, expected in HASH_CASES:
        out = normalise_market_frame(frame, RECV, TICKS, hash_rule=RULE)
        assert [_label(obj) for obj in out] == expected, case
    for recv_ms, _channel, raw in capture.iter_rows():
        for obj in normalise_market_frame(raw, recv_ms, TICKS, DEFAULT_BUDGETS, RULE):
            (per_frame_books if isinstance(obj, OrderBookSnapshot) else per_frame_others).append(obj)
    assert_frame_equal(result.book_snapshots, to_frame("OrderBookSnapshot", per_frame_books))
    assert result.others == per_frame_others
    assert result.book_snapshots.height == 4


def test_normalise_market_frame_when_hash_mismatches_then_detail_names_sent_and_derived_hash() -> None:
    from polytraders.adapters.polymarket.book_hash import polytraders_sha1_v1

    [record] = normalise_market_frame(_compact(CHANGED), RECV, TICKS, hash_rule=RULE)
    assert record.reason_code == "GOV_DQ_HASH_MISMATCH" and record.raw == _compact(CHANGED)
    derived = polytraders_sha1_v1(CHANGED)
    assert derived != GOOD["hash"]
    assert record.detail == f"hash={GOOD['hash']!r} but rule {RULE} gives {derived!r} for this book"
    [_, in_array] = normalise_market_frame(_compact([GOOD, CHANGED]), RECV, TICKS, hash_rule=RULE)
    assert in_array.detail.startswith(f"[1].hash={GOOD['hash']!r} but rule {RULE} gives")
    [numbers] = normalise_market_frame(_compact(GOOD).replace('"0.45"', "0.45"), RECV, TICKS, hash_rule=RULE)
    assert numbers.detail.startswith(f"hash={GOOD['hash']!r} cannot be checked under rule {RULE}: bids[0]=")


def test_normalise_capture_when_no_hash_rule_then_no_book_is_checked() -> None:
    capture = _capture([frame for _, frame, _, _ in HASH_CASES])
    result = normalise_capture(capture, TICKS)
    assert result.book_snapshots.height == 7 and [_label(o) for o in result.others] == ["GOV_DQ_CROSSED_BOOK"]
    _assert_same(result, capture, TICKS)


def test_normalise_when_hash_rule_unknown_then_value_error() -> None:
    with pytest.raises(ValueError, match="unknown book hash rule 'venue-live'"):
        normalise_capture(_capture([_compact(GOOD)]), TICKS, hash_rule="venue-live")
    with pytest.raises(ValueError, match="unknown book hash rule 'venue-live'"):
        normalise_market_frame(_compact(GOOD), RECV, TICKS, hash_rule="venue-live")
