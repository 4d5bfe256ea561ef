"""runtime.book_state: S3's fold of book snapshots and price_change deltas, and S2's delta frame."""

from __future__ import annotations

import gzip
import hashlib
import json
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest

from polytraders.adapters.polymarket.models import BookDelta
from polytraders.contracts import BookLevel, Freshness, InstrumentRecord, InstrumentToken, OrderBookSnapshot
from polytraders.contracts.frames import FrameConversionError, from_frame, to_frame, validate_frame
from polytraders.contracts.reason_codes import REGISTRY
from polytraders.runtime import book_state as bs
from polytraders.runtime import stages

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DAY = ROOT / "fixtures" / "2026-09-28"
OWN_CAPTURE = ROOT / "fixtures" / "reference" / "own" / "market_capture.jsonl"
T0 = 1_780_000_000_000
COND = "0x" + "c" * 64
HASHES = {n: f"{n:02d}" * 32 for n in range(1, 20)}

Levels = tuple[tuple[str, str], ...]


def _fresh(ts: int, recv: int, n: int) -> Freshness:
    return Freshness(source_ts_ms=ts, receive_ts_ms=recv, age_ms=recv - ts, budget_ms=2_000, quality="OK",
                     provenance_hash=HASHES[n])  # fmt: skip


def _snap(
    dt: int, n: int, bids: Levels, asks: Levels, token: str = "11", recv_dt: int | None = None
) -> OrderBookSnapshot:
    """A snapshot at T0 + dt received at T0 + recv_dt (default dt), frame hash HASHES[n]."""
    return OrderBookSnapshot(
        condition_id=COND, token_id=token, ts_ms=T0 + dt, tick_size=D("0.01"),
        bids=tuple(BookLevel(price=D(p), size=D(s)) for p, s in bids),
        asks=tuple(BookLevel(price=D(p), size=D(s)) for p, s in asks),
        freshness=_fresh(T0 + dt, T0 + (dt if recv_dt is None else recv_dt), n),
    )  # fmt: skip


def _delta(dt: int, n: int, side: str, price: str, size: str, token: str = "11") -> BookDelta:
    return BookDelta(condition_id=COND, token_id=token, ts_ms=T0 + dt, side=side, price=D(price), size=D(size),
                     provenance_hash=HASHES[n])  # fmt: skip


def _run(snaps: list[OrderBookSnapshot], deltas: list[tuple[BookDelta, int]]) -> bs.Reconstruction:
    """reconstruct() over ``snaps`` and (delta, receive offset ms) pairs."""
    frame = bs.delta_frame([d for d, _ in deltas], [T0 + r for _, r in deltas], 2_000)
    return bs.reconstruct(to_frame("OrderBookSnapshot", snaps), frame)


def _levels(out: pl.DataFrame) -> list[tuple[int, Levels, Levels]]:
    """(ts offset, bids, asks) of each row, prices and sizes as normalised strings."""
    def side(levels: list[dict]) -> Levels:
        return tuple((f"{lv['price'].normalize():f}", f"{lv['size'].normalize():f}") for lv in levels)

    return [(ts - T0, side(bids), side(asks)) for ts, bids, asks in out.select("ts_ms", "bids", "asks").iter_rows()]


A_BIDS = (("0.48", "10"), ("0.47", "5"))
A_ASKS = (("0.52", "3"), ("0.53", "7"))


def _todays_book_state(books: pl.DataFrame) -> pl.DataFrame:
    """S3 as it was before the reconstruction (frozen copy): consecutive identical snapshots dropped."""
    changed = (
        (pl.col("bids") != pl.col("bids").shift(1).over("token_id"))
        | (pl.col("asks") != pl.col("asks").shift(1).over("token_id"))
    ).fill_null(True)
    return books.sort("token_id", "ts_ms").filter(changed)


# --- the fold on hand-made books ---------------------------------------------------------------------


def test_reconstruct_when_deltas_set_and_remove_levels_then_row_after_each_with_delta_freshness() -> None:
    snaps = [_snap(0, 1, A_BIDS, A_ASKS)]
    deltas = [(_delta(10, 2, "BUY", "0.49", "4"), 12), (_delta(20, 3, "SELL", "0.52", "0"), 25),
              (_delta(30, 3, "BUY", "0.47", "6.5"), 25)]  # fmt: skip
    got = _run(snaps, deltas)
    validate_frame("OrderBookSnapshot", got.books)
    assert _levels(got.books) == [
        (0, A_BIDS, A_ASKS),
        (10, (("0.49", "4"), ("0.48", "10"), ("0.47", "5")), A_ASKS),  # new best bid
        (20, (("0.49", "4"), ("0.48", "10"), ("0.47", "5")), (("0.53", "7"),)),  # best ask removed
        (30, (("0.49", "4"), ("0.48", "10"), ("0.47", "6.5")), (("0.53", "7"),)),  # size is the new total
    ]
    fresh = [from_frame("OrderBookSnapshot", got.books)[i].freshness for i in (1, 3)]
    assert [(f.source_ts_ms - T0, f.receive_ts_ms - T0, f.age_ms, f.provenance_hash) for f in fresh] == [
        (10, 12, 2, HASHES[2]), (30, 25, -5, HASHES[3]),
    ]  # fmt: skip
    assert (got.deltas_applied, got.deltas_unchanged, got.quarantine.height) == (3, 0, 0)
    assert got.books["tick_size"].to_list() == [D("0.01")] * 4


def test_reconstruct_when_next_snapshot_matches_rebuilt_book_then_no_row_and_no_quarantine() -> None:
    after = (("0.48", "10"), ("0.47", "9"))
    got = _run([_snap(0, 1, A_BIDS, A_ASKS), _snap(100, 2, after, A_ASKS)], [(_delta(50, 3, "BUY", "0.47", "9"), 50)])
    assert [ts for ts, _, _ in _levels(got.books)] == [0, 50]
    assert got.quarantine.height == 0


def test_reconstruct_when_next_snapshot_differs_then_mismatch_quarantined_and_resync_from_snapshot() -> None:
    snapshot_bids = (("0.48", "10"), ("0.47", "8"))
    got = _run(
        [_snap(0, 1, A_BIDS, A_ASKS), _snap(100, 2, snapshot_bids, A_ASKS)],
        [(_delta(50, 3, "BUY", "0.47", "9"), 50), (_delta(150, 4, "SELL", "0.53", "1"), 150)],
    )
    # 50: 0.47 -> 9; 100: the snapshot says 8 -> quarantined, the book is the snapshot's; 150 applies to it.
    assert _levels(got.books) == [
        (0, A_BIDS, A_ASKS), (50, (("0.48", "10"), ("0.47", "9")), A_ASKS), (100, snapshot_bids, A_ASKS),
        (150, snapshot_bids, (("0.52", "3"), ("0.53", "1"))),
    ]  # fmt: skip
    [record] = got.quarantine.rows(named=True)
    assert record["reason_code"] == "GOV_DQ_BOOK_MISMATCH" and record["reason_code"] in REGISTRY
    assert (record["receive_ts_ms"], record["raw"], record["provenance_hash"]) == (T0 + 100, HASHES[2], HASHES[2])
    assert record["detail"] == (
        f"book of token 11 at {T0 + 100} differs from the book rebuilt from deltas since the last snapshot, "
        "bid level 2: rebuilt 0.47 x 9, snapshot 0.47 x 8 (levels compared exactly; the venue hash is not "
        "reproducible here and is not compared): resync from this snapshot"
    )


def test_reconstruct_when_snapshot_has_a_level_the_rebuilt_book_lacks_then_detail_says_none() -> None:
    got = _run([_snap(0, 1, A_BIDS, A_ASKS), _snap(100, 2, A_BIDS, (("0.52", "3"), ("0.53", "7"), ("0.60", "1")))],
               [(_delta(50, 3, "BUY", "0.47", "5"), 50), (_delta(60, 3, "BUY", "0.40", "0"), 60)])  # fmt: skip
    assert (got.deltas_applied, got.deltas_unchanged) == (0, 2)  # the same total again; removing an absent level
    assert "ask level 3: rebuilt none, snapshot 0.6 x 1" in got.quarantine["detail"].item()


def test_reconstruct_when_repeated_snapshot_precedes_delta_then_delta_applies_to_that_book() -> None:
    snaps = [_snap(0, 1, A_BIDS, A_ASKS), _snap(100, 2, A_BIDS, A_ASKS), _snap(200, 3, A_BIDS, A_ASKS)]
    got = _run(snaps, [(_delta(150, 4, "SELL", "0.53", "8"), 150)])
    # 100 repeats 0 (no row); 150 changes the ask at 0.53; 200 is the book before it: a mismatch, resync.
    assert _levels(got.books) == [
        (0, A_BIDS, A_ASKS), (150, A_BIDS, (("0.52", "3"), ("0.53", "8"))), (200, A_BIDS, A_ASKS),
    ]  # fmt: skip
    assert "ask level 2: rebuilt 0.53 x 8, snapshot 0.53 x 7 (" in got.quarantine["detail"].item()


def test_reconstruct_when_delta_before_any_snapshot_then_quarantined_and_not_applied() -> None:
    got = _run([_snap(100, 2, A_BIDS, A_ASKS)], [(_delta(50, 3, "BUY", "0.49", "4"), 50)])
    assert _levels(got.books) == [(100, A_BIDS, A_ASKS)]
    assert got.quarantine.select("reason_code", "receive_ts_ms", "raw", "detail").rows() == [(
        "GOV_DQ_DELTA_BEFORE_SNAPSHOT", T0 + 50, HASHES[3],
        f"delta BUY 0.49 x 4 of token 11 at {T0 + 50} arrived before any book snapshot of the token: not applied",
    )]  # fmt: skip


@pytest.mark.parametrize(("side", "price", "best"), [
    ("BUY", "0.52", "ask 0.52 x 3"),  # a bid at the best ask (locked)
    ("BUY", "0.55", "ask 0.52 x 3"),  # through it
    ("SELL", "0.48", "bid 0.48 x 10"),  # an ask at the best bid
])  # fmt: skip
def test_reconstruct_when_delta_would_cross_then_quarantined_and_skipped(side: str, price: str, best: str) -> None:
    got = _run([_snap(0, 1, A_BIDS, A_ASKS)],
               [(_delta(50, 3, side, price, "4"), 50), (_delta(60, 4, "BUY", "0.47", "1"), 60)])  # fmt: skip
    assert _levels(got.books) == [(0, A_BIDS, A_ASKS), (60, (("0.48", "10"), ("0.47", "1")), A_ASKS)]
    [(code, detail)] = got.quarantine.select("reason_code", "detail").rows()
    assert code == "GOV_DQ_DELTA_CROSSES_BOOK"
    assert detail == f"delta {side} {price} x 4 of token 11 at {T0 + 50} would cross the best {best}: not applied"


def test_reconstruct_when_removal_at_the_opposite_best_price_then_unchanged_not_crossing() -> None:
    got = _run([_snap(0, 1, A_BIDS, A_ASKS)], [(_delta(50, 3, "BUY", "0.52", "0"), 50)])
    assert (got.deltas_unchanged, got.quarantine.height) == (1, 0)  # no bid at 0.52: nothing to remove


def test_reconstruct_when_snapshot_and_delta_share_receive_ms_then_snapshot_first() -> None:
    # Received in the same ms: the snapshot is applied first, so the delta lands on it.
    got = _run([_snap(0, 1, A_BIDS, A_ASKS, recv_dt=50)], [(_delta(40, 3, "BUY", "0.47", "2"), 50)])
    assert _levels(got.books) == [(0, A_BIDS, A_ASKS), (40, (("0.48", "10"), ("0.47", "2")), A_ASKS)]
    assert got.quarantine.height == 0


def test_reconstruct_when_tokens_interleave_then_each_token_folds_alone_rows_by_token() -> None:
    other = ((("0.30", "1"),), (("0.70", "1"),))
    got = _run([_snap(0, 1, A_BIDS, A_ASKS, token="12"), _snap(5, 2, *other, token="11")],
               [(_delta(10, 3, "BUY", "0.31", "2", token="11"), 10)])  # fmt: skip
    assert got.books.select("token_id", "ts_ms").rows() == [("11", T0 + 5), ("11", T0 + 10), ("12", T0)]
    assert _levels(got.books)[1] == (10, (("0.31", "2"), ("0.3", "1")), (("0.7", "1"),))


def test_reconstruct_when_same_input_twice_then_same_output() -> None:
    snaps = [_snap(0, 1, A_BIDS, A_ASKS), _snap(100, 2, A_BIDS, A_ASKS)]
    deltas = [(_delta(50, 3, "BUY", "0.47", "9"), 50), (_delta(60, 4, "SELL", "0.50", "2"), 60)]
    first, second = _run(snaps, deltas), _run(snaps, deltas)
    assert first.books.equals(second.books) and first.quarantine.equals(second.quarantine)


def test_delta_frame_when_size_has_seven_decimals_then_frame_conversion_error() -> None:
    with pytest.raises(FrameConversionError, match=r"BookDelta.size: decimal 1.0000001 has more than 6 decimal"):
        bs.delta_frame([_delta(0, 1, "BUY", "0.40", "1.0000001")], [T0], 2_000)


def test_delta_frame_when_received_past_budget_then_quality_warn() -> None:
    deltas = [_delta(0, 1, "BUY", "0.40", "1"), _delta(0, 1, "BUY", "0.41", "1")]
    frame = bs.delta_frame(deltas, [T0 + 2_000, T0 + 2_001], 2_000)
    assert frame["freshness"].struct.field("quality").to_list() == ["OK", "WARN"]
    assert frame["seq"].to_list() == [0, 1]


# --- no deltas: today's S3 exactly, on the committed fixture day ------------------------------------


@pytest.fixture(scope="module")
def fixture_slice(tmp_path_factory: pytest.TempPathFactory) -> stages.Ingested:
    """S1 + S2 over the first 2,000 capture lines of 2026-09-28."""
    day = tmp_path_factory.mktemp("slice") / "2026-09-28"
    day.mkdir()
    (day / "markets.json").write_text((FIXTURE_DAY / "markets.json").read_text())
    with gzip.open(FIXTURE_DAY / "capture.jsonl.gz", "rt") as src, gzip.open(day / "capture.jsonl.gz", "wt") as dst:
        dst.writelines(line for _, line in zip(range(2_000), src, strict=False))
    instruments, _ = stages.registry(day)
    return stages.ingest(day, instruments)


def test_reconstruct_when_fixture_slice_has_no_deltas_then_equals_todays_book_state(fixture_slice) -> None:
    books = fixture_slice.book_snapshots
    assert fixture_slice.book_deltas.height == 0 and fixture_slice.book_deltas.schema == bs.DELTA_SCHEMA
    expected = _todays_book_state(books)
    assert 0 < expected.height < books.height  # the slice has repeated books to drop
    for got in (bs.reconstruct(books, fixture_slice.book_deltas), bs.fold(books, bs.empty_deltas())):
        assert got.books.equals(expected)
        assert got.quarantine.height == 0
    assert stages.book_state(books).equals(expected)
    assert stages.book_state(books.reverse(), fixture_slice.book_deltas).equals(expected)


def test_reconstruct_when_one_token_has_a_delta_then_others_unchanged_and_next_book_resyncs(fixture_slice) -> None:
    books = fixture_slice.book_snapshots
    first, second = from_frame("OrderBookSnapshot", books.filter(pl.col("token_id") == books["token_id"][0]).head(2))
    assert (first.bids, first.asks) == (second.bids, second.asks)  # the token's 2nd book repeats its 1st
    worst = first.bids[-1]
    recv = first.freshness.receive_ts_ms + 1
    removal = BookDelta(condition_id=first.condition_id, token_id=first.token_id, ts_ms=recv, side="BUY",
                        price=worst.price, size=D(0), provenance_hash=HASHES[1])  # fmt: skip
    got = bs.reconstruct(books, bs.delta_frame([removal], [recv], 2_000))
    expected = _todays_book_state(books)
    others, token = pl.col("token_id") != first.token_id, pl.col("token_id") == first.token_id
    assert got.books.filter(others).equals(expected.filter(others))
    # The token: its 1st book, the book without its worst bid, the 2nd book (a mismatch: resync), then as today.
    today = expected.filter(token)["ts_ms"].to_list()
    assert got.books.filter(token)["ts_ms"].to_list() == [today[0], recv, second.ts_ms, *today[1:]]
    assert got.books.filter(token)["bids"][1].to_list() == [lv.model_dump() for lv in first.bids[:-1]]
    [(code, detail)] = got.quarantine.select("reason_code", "detail").rows()
    level = len(first.bids)
    assert code == "GOV_DQ_BOOK_MISMATCH"
    snapshot_level = f"{worst.price.normalize():f} x {worst.size.normalize():f}"
    assert f"bid level {level}: rebuilt none, snapshot {snapshot_level} (" in detail


def test_reconstruct_when_deltas_are_the_diffs_between_fixture_books_then_every_book_matches(fixture_slice) -> None:
    # Deltas turning each book of the slice into the token's next one (received 1 ms before it):
    # every next book must then equal the rebuilt one (no mismatch, no row for it), and the rebuilt
    # rows after each token's last delta of a step equal that next book.
    books = fixture_slice.book_snapshots
    deltas: list[BookDelta] = []
    previous: dict[str, dict[str, dict[D, D]]] = {}
    for snap in from_frame("OrderBookSnapshot", books):
        now = {"BUY": {lv.price: lv.size for lv in snap.bids}, "SELL": {lv.price: lv.size for lv in snap.asks}}
        before, ts = previous.get(snap.token_id), snap.freshness.receive_ts_ms - 1
        previous[snap.token_id] = now
        if before is None:
            continue
        changes = [(side, p, D(0)) for side in now for p in before[side] if p not in now[side]]
        changes += [(side, p, q) for side in now for p, q in now[side].items() if before[side].get(p) != q]
        deltas += [BookDelta(condition_id=snap.condition_id, token_id=snap.token_id, ts_ms=ts, side=side, price=p,
                             size=q, provenance_hash=HASHES[1]) for side, p, q in changes]  # fmt: skip
    got = bs.reconstruct(books, bs.delta_frame(deltas, [d.ts_ms for d in deltas], 2_000))
    assert len(deltas) > 1_000 and got.quarantine.height == 0
    assert (got.deltas_applied, got.deltas_unchanged) == (len(deltas), 0)
    # Each token's rows: its first book, then one row per delta; the last of each step is the next book.
    firsts = books.group_by("token_id").agg(pl.first("bids"), pl.first("asks"))
    assert got.books.height == firsts.height + len(deltas)
    recv = pl.col("freshness").struct.field("receive_ts_ms")
    ends = got.books.filter((recv != recv.shift(-1).over("token_id")).fill_null(True))
    expected = _todays_book_state(books)
    assert ends.select("token_id", "bids", "asks").equals(expected.select("token_id", "bids", "asks"))


# --- our own reference capture (book array, PONGs, two-leg price_change batches with removals) --------

OWN_COND = "0x7e57000000000000000000000000000000000000000000000000000000000a01"
UP = "73000000000000000000000000000000000000000000000000000000000000000000000000101"
DOWN = "29000000000000000000000000000000000000000000000000000000000000000000000000202"
#: Receive offsets (ms after the book's venue time 1780000000100) of the capture's non-empty lines.
OWN_RECV = [40, 500, 1_130, 1_600, 2_240, 3_350, 3_900]


def _own_day(tmp_path: Path, repeat_line: int | None = None) -> tuple[Path, pl.DataFrame, list[str]]:
    """A day of the own capture (non-empty lines, received at OWN_RECV), optionally with line
    ``repeat_line`` received again at the end; its instrument frame; the frames as written."""
    frames = [line.rstrip("\n") for line in OWN_CAPTURE.read_text().splitlines() if line.strip()]
    recvs = [1_780_000_000_100 + r for r in OWN_RECV]
    if repeat_line is not None:
        frames.append(frames[repeat_line])
        recvs.append(recvs[-1] + 1_000)
    day = tmp_path / "2026-05-28"
    day.mkdir()
    with gzip.open(day / "capture.jsonl.gz", "wt") as fh:
        fh.writelines(json.dumps({"recv_ms": r, "channel": "market", "frame": f}) + "\n"
                      for r, f in zip(recvs, frames, strict=True))  # fmt: skip
    record = InstrumentRecord(
        condition_id=OWN_COND, question="own?", slug="own", tokens=(InstrumentToken(token_id=UP, outcome="Up"),
        InstrumentToken(token_id=DOWN, outcome="Down")), tick_size=D("0.01"), min_order_size=D(5), neg_risk=False,
        active=True, closed=False, accepting_orders=True, as_of_ms=1_780_000_000_000,
    )  # fmt: skip
    return day, to_frame("InstrumentRecord", [record]), frames


UP_BOOK = ((("0.47", "80"), ("0.45", "250.5"), ("0.4", "100")), (("0.52", "60"), ("0.55", "120.25"), ("0.6", "300")))
DOWN_BOOK = ((("0.48", "60"), ("0.45", "120.25"), ("0.4", "300")), (("0.53", "80"), ("0.55", "250.5"), ("0.6", "100")))


def test_reconstruct_when_own_capture_with_deltas_then_hand_checked_book_after_each_delta(tmp_path) -> None:
    day, instruments, frames = _own_day(tmp_path)
    ingested = stages.ingest(day, instruments)
    assert (ingested.book_snapshots.height, ingested.book_deltas.height, ingested.keepalives) == (2, 6, 3)
    got = bs.reconstruct(ingested.book_snapshots, ingested.book_deltas)
    validate_frame("OrderBookSnapshot", got.books)
    assert got.quarantine.height == 0 and (got.deltas_applied, got.deltas_unchanged) == (6, 0)
    assert got.books["token_id"].to_list() == [DOWN] * 4 + [UP] * 4
    assert _levels(got.books) == [
        # DOWN: the book (bids 0.48/0.45/0.40, asks 0.53/0.55/0.60), then SELL 0.53 -> 95, -> 0, BUY 0.50 -> 40.
        (100, *DOWN_BOOK),
        (1_200, DOWN_BOOK[0], (("0.53", "95"), ("0.55", "250.5"), ("0.6", "100"))),
        (2_300, DOWN_BOOK[0], (("0.55", "250.5"), ("0.6", "100"))),
        (3_400, (("0.5", "40"), ("0.48", "60"), ("0.45", "120.25"), ("0.4", "300")),
         (("0.55", "250.5"), ("0.6", "100"))),
        # UP: the book, then BUY 0.47 -> 95, -> 0 (0.45 becomes best), SELL 0.50 -> 40 (new best ask).
        (100, *UP_BOOK),
        (1_200, (("0.47", "95"), ("0.45", "250.5"), ("0.4", "100")), UP_BOOK[1]),
        (2_300, (("0.45", "250.5"), ("0.4", "100")), UP_BOOK[1]),
        (3_400, (("0.45", "250.5"), ("0.4", "100")),
         (("0.5", "40"), ("0.52", "60"), ("0.55", "120.25"), ("0.6", "300"))),
    ]  # fmt: skip
    # The rebuilt tops agree with the venue's own best_bid / best_ask on every leg.
    tops = got.books.select(bid=pl.col("bids").list.first().struct.field("price"),
                            ask=pl.col("asks").list.first().struct.field("price")).rows()  # fmt: skip
    venue = ingested.book_deltas.sort("token_id", "seq", maintain_order=True).select("best_bid", "best_ask").rows()
    assert [tops[i] for i in (1, 2, 3, 5, 6, 7)] == venue
    # Freshness of a rebuilt row: the leg's venue hash, its frame's hash and receive time.
    row = from_frame("OrderBookSnapshot", got.books)[5]
    fresh = row.freshness
    assert (fresh.venue_hash, fresh.receive_ts_ms, fresh.age_ms) == ("c3" * 20, 1_780_000_001_230, 30)
    assert row.freshness.provenance_hash == hashlib.sha256(frames[2].encode()).hexdigest()
    assert stages.book_state(ingested.book_snapshots, ingested.book_deltas).equals(got.books)


def test_ingest_when_price_change_frame_received_twice_then_each_copy_has_its_receive_time(tmp_path) -> None:
    day, instruments, _ = _own_day(tmp_path, repeat_line=2)  # the first price_change batch again, last
    ingested = stages.ingest(day, instruments)
    recv = ingested.book_deltas.sort("seq")["freshness"].struct.field("receive_ts_ms").to_list()
    assert [r - 1_780_000_000_100 for r in recv] == [1_130, 1_130, 2_240, 2_240, 3_350, 3_350, 4_900, 4_900]
    got = bs.reconstruct(ingested.book_snapshots, ingested.book_deltas)
    # The copy sets 0.47 (UP) and 0.53 (DOWN) back to 95 after their removal: two more rows.
    assert (got.deltas_applied, got.quarantine.height) == (8, 0)
    assert _levels(got.books.filter(pl.col("token_id") == UP))[-1] == (
        1_200, (("0.47", "95"), ("0.45", "250.5"), ("0.4", "100")), (("0.5", "40"), ("0.52", "60"), ("0.55", "120.25"),
                                                                    ("0.6", "300")),
    )  # fmt: skip
