"""runtime.stages: S3 top of book and book state, S5 fair values, S6 execution estimates, frame helpers."""

from __future__ import annotations

import gzip
import json
import math
import random
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest

from polytraders.contracts import BookLevel, OrderBookSnapshot, Signal
from polytraders.contracts.frames import empty_frame, from_frame, to_frame, validate_frame
from polytraders.runtime import stages

Levels = tuple[tuple[str, str], ...]


def _book(mk, dt: int, token: str, bids: Levels, asks: Levels, tick: str = "0.01") -> OrderBookSnapshot:
    snap = mk.snapshot(dt, token, None, None, tick)
    return OrderBookSnapshot(
        condition_id=snap.condition_id, token_id=token, ts_ms=snap.ts_ms, tick_size=D(tick),
        bids=tuple(BookLevel(price=D(p), size=D(s)) for p, s in bids),
        asks=tuple(BookLevel(price=D(p), size=D(s)) for p, s in asks), freshness=snap.freshness,
    )  # fmt: skip


def _books(mk, *books: tuple) -> pl.DataFrame:
    return to_frame("OrderBookSnapshot", [_book(mk, *b) for b in books])


# --- S3 top_of_book ---------------------------------------------------------------------------


@pytest.mark.parametrize(("bids", "asks", "tick", "bid", "ask", "mid", "spread"), [
    # mid (0.48 + 0.52)/2 = 0.50; spread (520000 − 480000) / 10000 = 4 ticks
    ((("0.48", "10"), ("0.47", "5")), (("0.52", "3"), ("0.53", "1")), "0.01", "0.48", "0.52", "0.50", 4),
    # 0.001 grid: mid (0.964 + 0.965)/2 = 0.9645 (exact at 1e-6); spread 1000 / 1000 = 1 tick
    ((("0.964", "1"),), (("0.965", "1"),), "0.001", "0.964", "0.965", "0.9645", 1),
    # 0.0001 grid: mid (0.4801 + 0.4804)/2 = 0.48025; spread 300 / 100 = 3 ticks
    ((("0.4801", "1"),), (("0.4804", "1"),), "0.0001", "0.4801", "0.4804", "0.48025", 3),
    # 0.005 grid at the edges: mid (0.005 + 0.995)/2 = 0.5; spread 990000 / 5000 = 198 ticks
    ((("0.005", "1"),), (("0.995", "1"),), "0.005", "0.005", "0.995", "0.5", 198),
    ((("0.40", "1"),), (), "0.01", "0.40", None, None, None),  # bids only
    ((), (("0.60", "1"),), "0.01", None, "0.60", None, None),  # asks only
    ((), (), "0.01", None, None, None, None),  # empty book
])  # fmt: skip
def test_top_of_book_when_book_then_best_prices_mid_and_spread_ticks_exact(
    mk, bids: Levels, asks: Levels, tick: str, bid: str | None, ask: str | None, mid: str | None, spread: int | None
) -> None:
    out = stages.top_of_book(_books(mk, (0, "11", bids, asks, tick)))
    validate_frame("MarketSnapshot", out)
    assert out.columns == empty_frame("MarketSnapshot").columns
    [snap] = from_frame("MarketSnapshot", out)
    dec = lambda v: None if v is None else D(v)  # noqa: E731
    assert (snap.best_bid, snap.best_ask, snap.mid, snap.spread_ticks) == (dec(bid), dec(ask), dec(mid), spread)
    assert (snap.token_id, snap.ts_ms, snap.tick_size, snap.freshness.quality) == ("11", mk.T0, D(tick), "OK")


def test_top_of_book_when_several_books_then_one_row_each_in_input_order(mk) -> None:
    books = _books(mk, (100, "12", (("0.40", "1"),), (("0.44", "1"),)), (0, "11", (("0.48", "1"),), (("0.52", "1"),)))
    out = stages.top_of_book(books)
    assert out.select("token_id", "mid").rows() == [("12", D("0.42")), ("11", D("0.50"))]


# --- S2/S3 market_snapshots ------------------------------------------------------------------


def _ingested(books: pl.DataFrame, tops: pl.DataFrame) -> stages.Ingested:
    empty = pl.DataFrame()
    return stages.Ingested(frames_in=0, book_snapshots=books, trades=empty, resolutions=empty, quarantine=empty,
                           keepalives=0, book_deltas=empty, feed_health=empty, feed_receipts=empty,
                           tick_changes=empty, market_snapshots=tops)  # fmt: skip


def test_market_snapshots_when_books_and_polled_tops_then_by_token_then_time_books_first_at_ties(mk) -> None:
    # tops in receive order (poll at 0: 21, 11; poll at 100: 21, 11); a book of "11" at 100 and one of "21" at 0
    tops = mk.snapshots([(0, "21", "0.30", "0.32"), (0, "11", "0.40", "0.42"), (100, "21", "0.31", "0.33"),
                         (100, "11", "0.41", "0.43")])  # fmt: skip
    books = _books(mk, (100, "11", (("0.48", "1"),), (("0.52", "1"),)), (0, "21", (("0.20", "1"),), (("0.22", "1"),)))
    out = stages.market_snapshots(_ingested(books, tops))
    validate_frame("MarketSnapshot", out)
    assert out.select("token_id", pl.col("ts_ms") - mk.T0, "mid").rows() == [
        ("11", 0, D("0.41")), ("11", 100, D("0.50")), ("11", 100, D("0.42")),  # the book's top before the poll's
        ("21", 0, D("0.21")), ("21", 0, D("0.31")), ("21", 100, D("0.32")),
    ]
    only_tops = stages.market_snapshots(_ingested(empty_frame("OrderBookSnapshot"), tops))
    assert only_tops.equals(tops.sort("token_id", "ts_ms", maintain_order=True))


def _frame(tokens: list[str | None], ts: list[int | None]) -> pl.DataFrame:
    return pl.DataFrame({"token_id": tokens, "ts_ms": ts, "row": range(len(ts))},
                        schema={"token_id": pl.String, "ts_ms": pl.Int64, "row": pl.Int64})  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_by_token_then_time_when_random_frames_then_equal_to_a_stable_sort(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randrange(0, 200)
    tokens = [rng.choice(["1", "10", "2", "9" * 77, "100"]) for _ in range(n)]
    ts = [1_786_492_845_000 + rng.randrange(0, 4) * 1_000 for _ in range(n)]  # many ties
    frame = _frame(tokens, ts)
    if seed % 3 == 0:  # already in order: returned as it is
        frame = frame.sort("token_id", "ts_ms", maintain_order=True)
    out = stages.by_token_then_time(frame)
    assert out.equals(frame.sort("token_id", "ts_ms", maintain_order=True))
    if seed % 3 == 0:
        assert out is frame


def test_by_token_then_time_when_more_than_65536_tokens_then_equal_to_a_stable_sort() -> None:
    rng = random.Random(7)
    tokens = [str(rng.randrange(100_000)) for _ in range(300_000)]
    frame = _frame(tokens, [rng.randrange(3) for _ in range(300_000)])
    assert frame["token_id"].n_unique() > 2**16  # ranks beyond UInt16
    assert stages.by_token_then_time(frame).equals(frame.sort("token_id", "ts_ms", maintain_order=True))


@pytest.mark.parametrize(("tokens", "ts"), [
    (["2", None, "1"], [3, 2, 1]),  # a null token: sorted as is (nulls first)
    (["2", "1", "1"], [None, 2, 1]),  # a null time
    (["2", "1", "1"], [2**62, 0, -(2**62)]),  # a span of 2^63 ms
    (["1"], [5]),
    ([], []),
])  # fmt: skip
def test_by_token_then_time_when_nulls_wide_span_or_tiny_then_as_a_stable_sort(tokens: list, ts: list) -> None:
    frame = _frame(tokens, ts)
    assert stages.by_token_then_time(frame).equals(frame.sort("token_id", "ts_ms", maintain_order=True))


@pytest.mark.parametrize("lookup_limit", [1_000_000, -(10**9)])  # the lookup array, then replace_strict
def test_token_rank_when_tokens_then_rank_among_sorted_distinct(lookup_limit: int) -> None:
    tokens = pl.Series(["b", "a", "c", "a", "10", "b"])  # sorted distinct: "10", "a", "b", "c"
    rank, count = stages._token_rank(tokens, lookup_limit)
    assert rank.to_list() == [2, 1, 3, 1, 0, 2] and count == 4


# --- S3 book_state ----------------------------------------------------------------------------


def test_book_state_when_levels_repeat_then_kept_only_on_change(mk) -> None:
    a = ((("0.48", "10"),), (("0.52", "10"),))
    a_bigger_ask = ((("0.48", "10"),), (("0.52", "11"),))  # size-only change counts
    b = ((("0.49", "10"),), (("0.52", "10"),))
    books = _books(
        mk,
        (100, "11", *a), (0, "11", *a), (200, "11", *a_bigger_ask), (300, "11", *a_bigger_ask), (400, "11", *a),
        (50, "12", *b), (150, "12", *b), (250, "12", *a),
    )  # fmt: skip
    out = stages.book_state(books)
    # "11": 0 (first), 100 same → dropped, 200 changed, 300 same → dropped, 400 back to a → changed.
    # "12": 50 (first), 150 same → dropped, 250 changed. (A token's first book never compares with another's.)
    assert [(t, ts - mk.T0) for t, ts in out.select("token_id", "ts_ms").iter_rows()] == [
        ("11", 0), ("11", 200), ("11", 400), ("12", 50), ("12", 250),
    ]  # fmt: skip
    assert out.schema == books.schema


def test_book_state_when_only_bid_side_changes_then_kept(mk) -> None:
    books = _books(mk, (0, "11", (("0.48", "10"),), ()), (100, "11", (("0.47", "10"),), ()))
    assert stages.book_state(books).height == 2


# --- S5 fair_values ---------------------------------------------------------------------------


def _signals(mk, values: list[float]) -> pl.DataFrame:
    return to_frame("Signal", [
        Signal(bot="intel.microprice", condition_id=mk.COND_A, token_id="11", ts_ms=mk.T0 + n, name="microprice",
               value=v, unit="probability")
        for n, v in enumerate(values)
    ])  # fmt: skip


def test_fair_values_when_signals_then_quantised_to_micro_and_out_of_range_dropped(mk) -> None:
    # 0.1234564 → 0.123456; 0.1234566 → 0.123457; 1.0 and 0.0 are the closed bounds (kept);
    # 5e-06 → 0.000005; 1.5, −0.1 and NaN are not probabilities → dropped. (Signal refuses NaN, but an
    # intel bot's frame may carry one: it is put in row 5 of the frame directly.)
    values = [0.1234564, 1.5, 0.1234566, -0.1, 1.0, 0.5, 0.0, 5e-06]
    signals = _signals(mk, values).with_columns(
        value=pl.when(pl.col("ts_ms") == mk.T0 + 5).then(math.nan).otherwise(pl.col("value"))
    )
    out = stages.fair_values(signals, "intel.microprice")
    validate_frame("FairValue", out)
    assert [(ts - mk.T0, fv, src) for ts, fv, src in out.select("ts_ms", "fair_value", "source").iter_rows()] == [
        (0, D("0.123456"), "intel.microprice"), (2, D("0.123457"), "intel.microprice"),
        (4, D(1), "intel.microprice"), (6, D(0), "intel.microprice"), (7, D("0.000005"), "intel.microprice"),
    ]  # fmt: skip


def test_fair_values_when_no_signals_then_empty_fair_value_frame() -> None:
    out = stages.fair_values(empty_frame("Signal"), "intel.microprice")
    assert out.height == 0
    validate_frame("FairValue", out)


# --- helpers ----------------------------------------------------------------------------------


def test_frame_of_when_no_objects_then_typed_empty_frame() -> None:
    out = stages.frame_of("Fill", [])
    assert out.height == 0 and out.schema == empty_frame("Fill").schema


def test_instruments_by_condition_when_frame_then_records_by_condition_id(mk) -> None:
    records = [mk.instrument(mk.COND_A), mk.instrument(mk.COND_B, tick="0.001")]
    by_condition = stages.instruments_by_condition(to_frame("InstrumentRecord", records))
    assert by_condition == {mk.COND_A: records[0], mk.COND_B: records[1]}
    assert stages.tick_sizes_of(to_frame("InstrumentRecord", records)) == {
        "11": D("0.01"), "12": D("0.01"), "21": D("0.001"), "22": D("0.001"),
    }  # fmt: skip


def test_resolutions_of_when_frame_then_objects_back(mk) -> None:
    resolutions = [mk.resolution(mk.COND_A, 100, winner="12")]
    assert stages.resolutions_of(to_frame("MarketResolution", resolutions)) == resolutions


# --- S1 / S2 on a tiny day built from the committed fixture ----------------------------------------

FIXTURE_DAY = Path(__file__).resolve().parents[2] / "fixtures" / "2026-09-28"


def _first_market_day(tmp_path: Path, extra_lines: list[str]) -> Path:
    """A day with the first market of 2026-09-28 and its first single-object book frame."""
    page = json.loads((FIXTURE_DAY / "markets.json").read_text())
    page["data"] = page["data"][:1]
    cond = page["data"][0]["condition_id"]
    with gzip.open(FIXTURE_DAY / "capture.jsonl.gz", "rt") as fh:
        book_line = next(line for line in fh if f'"market\\":\\"{cond}' in line and '"frame":"{' in line)
    day = tmp_path / "2026-09-28"
    day.mkdir(parents=True)
    (day / "markets.json").write_text(json.dumps(page))
    with gzip.open(day / "capture.jsonl.gz", "wt") as fh:
        fh.writelines([book_line, *extra_lines])
    return day


def test_registry_when_markets_normalise_to_nothing_then_empty_input_error(tmp_path) -> None:
    day = tmp_path / "2026-09-28"
    day.mkdir()
    (day / "markets.json").write_text('{"data": [], "next_cursor": "LTE=", "limit": 0, "count": 0}')
    with pytest.raises(stages.EmptyInputError, match="markets.json gives no instrument"):
        stages.registry(day)


def test_ingest_when_capture_has_no_valid_frame_then_empty_input_error(tmp_path) -> None:
    day = tmp_path / "2026-09-28"
    day.mkdir()
    with gzip.open(day / "capture.jsonl.gz", "wt") as fh:
        fh.write('{"recv_ms": 1, "channel": "market", "frame": "PONG"}\n')
    with pytest.raises(stages.EmptyInputError, match=r"has no valid frame \(1 corrupt lines\)"):
        stages.ingest(day, empty_frame("InstrumentRecord"))


def test_ingest_when_duplicate_and_unknown_token_then_quarantined_with_raw_frame(tmp_path) -> None:
    day = _first_market_day(tmp_path, [])
    [book_line] = gzip.open(day / "capture.jsonl.gz", "rt").readlines()
    record = json.loads(book_line)
    frame = json.loads(record["frame"])
    unknown = dict(frame, asset_id="12345")
    unknown_line = json.dumps({**record, "frame": json.dumps(unknown, separators=(",", ":"))}) + "\n"
    seconds_line = json.dumps({**record, "recv_ms": record["recv_ms"] // 1000}) + "\n"
    day = _first_market_day(tmp_path / "b", [book_line, unknown_line, seconds_line])
    instruments, _ = stages.registry(day)
    got = stages.ingest(day, instruments)
    assert got.frames_in == 4  # 3 valid capture lines + 1 corrupt (recv_ms in seconds)
    assert got.book_snapshots.height == 1
    assert got.book_snapshots["token_id"].to_list() == [frame["asset_id"]]
    quarantine = got.quarantine.select("reason_code", "receive_ts_ms", "raw").rows()
    assert quarantine == [
        ("GOV_DQ_DUPLICATE_FRAME", record["recv_ms"], record["frame"]),
        ("GOV_DQ_UNKNOWN_TOKEN", record["recv_ms"], json.dumps(unknown, separators=(",", ":"))),
        ("GOV_DQ_TS_UNITS", None, seconds_line.rstrip("\n")),
    ]


def _line(record: dict, frame: dict, recv_ms: int) -> str:
    return json.dumps({**record, "recv_ms": recv_ms, "frame": json.dumps(frame, separators=(",", ":"))}) + "\n"


def test_ingest_when_book_older_than_token_newest_then_quarantined_out_of_order(tmp_path) -> None:
    day = _first_market_day(tmp_path, [])
    [book_line] = gzip.open(day / "capture.jsonl.gz", "rt").readlines()
    record = json.loads(book_line)
    frame = json.loads(record["frame"])
    ts, recv = int(frame["timestamp"]), record["recv_ms"]
    # venue times in receive order: ts, ts + 20, ts + 10 (older than the newest, ts + 20: set aside),
    # ts + 20 again with other levels (equal, not older: admitted), ts + 30
    at = lambda dt, **kw: dict(frame, timestamp=str(ts + dt), **kw)  # noqa: E731
    late = at(10)
    lines = [_line(record, at(20), recv + 20), _line(record, late, recv + 25),
             _line(record, at(20, bids=frame["bids"][1:]), recv + 26), _line(record, at(30), recv + 30)]
    day = _first_market_day(tmp_path / "b", lines)
    got = stages.ingest(day, stages.registry(day)[0])
    assert got.book_snapshots["ts_ms"].to_list() == [ts, ts + 20, ts + 20, ts + 30]
    assert got.quarantine.select("reason_code", "receive_ts_ms", "raw").rows() == [
        ("GOV_DQ_OUT_OF_ORDER", recv + 25, json.dumps(late, separators=(",", ":"))),
    ]
    assert got.quarantine["detail"].to_list() == [
        f"book of token {frame['asset_id']} at {ts + 10}: older than the token's newest admitted book"]


def test_ingest_when_market_resolved_then_its_books_from_that_receive_time_quarantined(tmp_path) -> None:
    day = _first_market_day(tmp_path, [])
    [book_line] = gzip.open(day / "capture.jsonl.gz", "rt").readlines()
    record = json.loads(book_line)
    frame = json.loads(record["frame"])
    page = json.loads((day / "markets.json").read_text())
    tokens = [t["token_id"] for t in page["data"][0]["tokens"]]
    ts, recv = int(frame["timestamp"]), record["recv_ms"]
    resolved = {"event_type": "market_resolved", "market": frame["market"], "assets_ids": tokens,
                "winning_asset_id": tokens[0], "winning_outcome": page["data"][0]["tokens"][0]["outcome"],
                "timestamp": str(ts + 100), "tags": ["crypto"]}
    # received: book (recv), resolution (recv + 100), a book in the same ms (recv + 100, after it in the
    # file) and one later (recv + 200): both after the resolution -> set aside
    same_ms, later = dict(frame, timestamp=str(ts + 100)), dict(frame, timestamp=str(ts + 200))
    lines = [_line(record, resolved, recv + 100), _line(record, same_ms, recv + 100), _line(record, later, recv + 200)]
    day = _first_market_day(tmp_path / "b", lines)
    got = stages.ingest(day, stages.registry(day)[0])
    assert got.book_snapshots["ts_ms"].to_list() == [ts] and got.resolutions.height == 1
    assert got.quarantine.select("reason_code", "receive_ts_ms").rows() == [
        ("GOV_DQ_MARKET_RESOLVED", recv + 100), ("GOV_DQ_MARKET_RESOLVED", recv + 200)]


# --- S2 book-hash check: the rule the day's MANIFEST.json declares ---------------------------------


def _hash_day(tmp_path: Path, manifest: dict | None) -> tuple[Path, dict, dict, dict]:
    """The first book of 2026-09-28 (its hash is the stand-in rule's), then at ts + 10 a copy whose
    best bid size is 1 larger with the hash left as it was, then at ts + 20 the same change with
    ``hash`` "" (nothing to check). Returns (day, record, book, tampered copy)."""
    day = _first_market_day(tmp_path, [])
    [book_line] = gzip.open(day / "capture.jsonl.gz", "rt").readlines()
    record = json.loads(book_line)
    frame = json.loads(record["frame"])
    ts, recv = int(frame["timestamp"]), record["recv_ms"]
    bids = [*frame["bids"][:-1], dict(frame["bids"][-1], size=str(D(frame["bids"][-1]["size"]) + 1))]
    tampered = dict(frame, timestamp=str(ts + 10), bids=bids)
    unhashed = dict(tampered, timestamp=str(ts + 20), hash="")
    day = _first_market_day(tmp_path / "b", [_line(record, tampered, recv + 10), _line(record, unhashed, recv + 20)])
    if manifest is not None:
        (day / "MANIFEST.json").write_text(json.dumps(manifest))
    return day, record, frame, tampered


def test_ingest_when_day_declares_hash_rule_then_mismatching_book_quarantined_not_admitted(tmp_path) -> None:
    import hashlib

    day, record, frame, tampered = _hash_day(tmp_path, {"day": "2026-09-28", "book_hash_rule": "polytraders-sha1-v1"})
    # By hand, the documented rule: sha1 of the compact JSON {market, asset_id, timestamp, bids, asks}.
    body = lambda b: json.dumps({k: b[k] for k in ("market", "asset_id", "timestamp", "bids", "asks")},  # noqa: E731
                                separators=(",", ":"))
    assert hashlib.sha1(body(frame).encode()).hexdigest() == frame["hash"]
    derived = hashlib.sha1(body(tampered).encode()).hexdigest()
    got = stages.ingest(day, stages.registry(day)[0])
    assert got.book_hash_rule == "polytraders-sha1-v1"
    ts = int(frame["timestamp"])
    assert got.book_snapshots["ts_ms"].to_list() == [ts, ts + 20]  # the matching book and the unhashed one
    assert got.quarantine.select("reason_code", "receive_ts_ms", "raw").rows() == [
        ("GOV_DQ_HASH_MISMATCH", record["recv_ms"] + 10, json.dumps(tampered, separators=(",", ":")))]
    assert got.quarantine["detail"].to_list() == [
        f"hash={frame['hash']!r} but rule polytraders-sha1-v1 gives {derived!r} for this book"]


@pytest.mark.parametrize("manifest", [None, {"day": "2026-09-28"}, {"book_hash_rule": "venue-live-v1"}])
def test_ingest_when_day_declares_no_known_hash_rule_then_no_book_checked(tmp_path, manifest) -> None:
    day, _, frame, _ = _hash_day(tmp_path, manifest)
    got = stages.ingest(day, stages.registry(day)[0])
    ts = int(frame["timestamp"])
    assert got.book_hash_rule is None and got.quarantine.is_empty()
    assert got.book_snapshots["ts_ms"].to_list() == [ts, ts + 10, ts + 20]


def test_ingest_when_manifest_not_json_then_value_error(tmp_path) -> None:
    day, _, _, _ = _hash_day(tmp_path, None)
    (day / "MANIFEST.json").write_text("{not json")
    with pytest.raises(ValueError, match="MANIFEST.json is not readable JSON"):
        stages.ingest(day, stages.registry(day)[0])


def test_ingest_when_bundled_day_then_rule_declared_and_every_book_hash_matches() -> None:
    """The whole 2026-09-28 day (38,333 books, every hash written by the build with the rule): the
    check runs and sets nothing aside; S2 gives what it gave before the check (38,311 books admitted,
    22 crossed/locked quarantined)."""
    got = stages.ingest(FIXTURE_DAY, stages.registry(FIXTURE_DAY)[0])
    assert got.book_hash_rule == "polytraders-sha1-v1"
    codes = got.quarantine["reason_code"].value_counts().rows()
    assert codes == [("GOV_DQ_CROSSED_BOOK", 22)]
    assert got.book_snapshots.height == 38_311
