"""polytraders.adapters.capture against the committed fixture day 2026-09-28 (no /work/shared needed).

Expected values were looked up in resolvedkit's books.parquet / markets.parquet.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from polytraders.adapters.capture import (
    CAPTURE_FILE,
    CAPTURE_PARQUET,
    CAPTURE_SCHEMA,
    CaptureFormatError,
    CaptureLine,
    CorruptLine,
    capture_frames,
    capture_path,
    derive_token_id,
    iter_capture,
    list_fixture_days,
    read_capture,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DAY = FIXTURES / "2026-09-28"
CAPTURE = DAY / "capture.jsonl.gz"
CID0 = "0xfb85ca82aa27f2ae7ea27513c8e341f029168fb664e78f8d82ab585af9af1028"
T0 = 1790585112649  # first snapshot of the session (both tokens of CID0)


@pytest.fixture(scope="module")
def capture() -> pl.DataFrame:
    return read_capture(CAPTURE)


@pytest.fixture(scope="module")
def events(capture: pl.DataFrame) -> list[tuple[int, dict]]:
    out = []
    for recv_ms, frame in capture.select("recv_ms", "frame").rows():
        obj = json.loads(frame)
        for o in obj if isinstance(obj, list) else [obj]:
            out.append((recv_ms, o))
    return out


def test_derive_token_id_by_hand() -> None:
    by_hand = str(int(hashlib.sha256(f"{CID0}:Up".encode()).hexdigest(), 16) % 2**256)
    assert derive_token_id(CID0, "Up") == by_hand
    assert by_hand == "78410122435057647247543105480729774359672835965805424131275138678245818806637"
    assert derive_token_id(CID0, "Down") != by_hand
    assert derive_token_id(CID0, "UP") != by_hand  # the outcome label is case-sensitive


@pytest.mark.parametrize(
    ("cid", "outcome"), [("0xFB85", "Up"), (CID0.upper().replace("0X", "0x"), "Up"), (CID0, "")]
)
def test_derive_token_id_rejects(cid: str, outcome: str) -> None:
    with pytest.raises(ValueError):
        derive_token_id(cid, outcome)


def test_list_fixture_days(tmp_path: Path) -> None:
    assert "2026-09-28" in list_fixture_days(FIXTURES)
    for name in ("2026-01-02", "2025-12-31", "2026-13-01", "notaday"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "capture.jsonl.gz").write_bytes(b"")
    (tmp_path / "2026-01-03").mkdir()  # no capture file
    (tmp_path / "2026-01-04").write_text("a file, not a day directory")
    assert list_fixture_days(tmp_path) == ["2025-12-31", "2026-01-02"]
    with pytest.raises(FileNotFoundError):
        list_fixture_days(tmp_path / "missing")


def test_read_capture_shape_and_counts(capture: pl.DataFrame, events: list[tuple[int, dict]]) -> None:
    assert capture.schema == pl.Schema(CAPTURE_SCHEMA)
    assert (
        capture.height == 38_376
    )  # 1 array frame (2 books) + 38,331 books + 26 tick changes + 18 resolutions
    assert capture["channel"].unique().to_list() == ["market"]
    assert capture["recv_ms"].is_sorted()
    assert capture["recv_ms"][0] == T0 and capture["recv_ms"][-1] == 1790603100000 + 90_000
    kinds = Counter(o["event_type"] for _, o in events)
    assert kinds == {"book": 38_333, "tick_size_change": 26, "market_resolved": 18}
    manifest = json.loads((DAY / "MANIFEST.json").read_text())
    assert manifest["counts"]["events_by_type"] == dict(kinds)
    assert manifest["counts"]["lines"] == capture.height


def test_first_frame_is_array_of_first_books(capture: pl.DataFrame) -> None:
    first = json.loads(capture["frame"][0])
    assert isinstance(first, list) and len(first) == 2
    assert all(o["event_type"] == "book" and o["market"] == CID0 and o["timestamp"] == str(T0) for o in first)
    assert {o["asset_id"] for o in first} == {derive_token_id(CID0, "Up"), derive_token_id(CID0, "Down")}
    assert all(isinstance(json.loads(f), dict) for f in capture["frame"][1:100])


def test_first_up_book_values(capture: pl.DataFrame) -> None:
    up = next(o for o in json.loads(capture["frame"][0]) if o["asset_id"] == derive_token_id(CID0, "Up"))
    venue_keys = "market asset_id timestamp hash bids asks tick_size event_type last_trade_price"
    assert list(up) == venue_keys.split()  # key order of the real 2026 capture (Polytope)
    assert up["timestamp"] == "1790585112649"
    assert up["tick_size"] == "0.01" and up["last_trade_price"] == ""
    # best level LAST; prices and sizes are decimal strings (parquet: bid 0.49 x 514.99, ask 0.5 x 205)
    assert up["bids"][-1] == {"price": "0.49", "size": "514.99"}
    assert up["asks"][-1] == {"price": "0.5", "size": "205"}
    assert up["bids"][-2] == {"price": "0.48", "size": "445"}
    assert up["bids"][0] == {"price": "0.3", "size": "15"}  # 20th (worst) bid level
    assert len(up["bids"]) == len(up["asks"]) == 20
    bids = [float(lv["price"]) for lv in up["bids"]]
    asks = [float(lv["price"]) for lv in up["asks"]]
    assert bids == sorted(bids) and asks == sorted(asks, reverse=True)
    body = json.dumps(
        {k: up[k] for k in ("market", "asset_id", "timestamp", "bids", "asks")}, separators=(",", ":")
    )
    assert up["hash"] == hashlib.sha1(body.encode()).hexdigest()


def test_resolutions(events: list[tuple[int, dict]]) -> None:
    res = [(r, o) for r, o in events if o["event_type"] == "market_resolved"]
    assert len(res) == 18
    recv, first = res[0]
    assert first["market"] == CID0
    assert recv == int(first["timestamp"]) == 1790586900000 + 90_000
    assert first["winning_outcome"] == "Down"  # payout_down = 1.0
    assert first["winning_asset_id"] == derive_token_id(CID0, "Down")
    assert first["assets_ids"] == [derive_token_id(CID0, "Up"), derive_token_id(CID0, "Down")]
    assert first["tags"] == ["crypto"]
    resolved_at = {o["market"]: r for r, o in res}
    assert all(r < resolved_at[o["market"]] for r, o in events if o["event_type"] == "book")


def test_markets_page_matches_capture(events: list[tuple[int, dict]]) -> None:
    page = json.loads((DAY / "markets.json").read_text())
    assert page["next_cursor"] == "LTE=" and page["limit"] == page["count"] == len(page["data"]) == 18
    m0 = page["data"][0]
    assert m0["condition_id"] == CID0 and m0["market_slug"] == "btc-updown-15m-1790586000"
    assert m0["end_date_iso"] == "2026-09-28T09:15:00Z"
    assert (m0["active"], m0["closed"], m0["accepting_orders"], m0["neg_risk"]) == (True, False, True, False)
    assert m0["minimum_tick_size"] == 0.01 and m0["minimum_order_size"] == 5
    assert [(t["outcome"], t["token_id"]) for t in m0["tokens"]] == [
        ("Up", derive_token_id(CID0, "Up")),
        ("Down", derive_token_id(CID0, "Down")),
    ]
    assert m0["tokens"][0]["price"] == 0.495  # mid of the first UP book (0.49 / 0.5)
    tokens = {t["token_id"] for m in page["data"] for t in m["tokens"]}
    assert len(tokens) == 36
    assert {o["asset_id"] for _, o in events if o["event_type"] == "book"} == tokens


def test_manifest_checksum_and_attribution() -> None:
    manifest = json.loads((DAY / "MANIFEST.json").read_text())
    assert manifest["files"]["capture.jsonl.gz"]["sha256"] == hashlib.sha256(CAPTURE.read_bytes()).hexdigest()
    attribution = "Polymarket order-book data from Resolved Markets (https://resolvedmarkets.com)"
    assert manifest["license"]["attribution"] == attribution
    assert attribution in (FIXTURES / "README.md").read_text()
    assert "CC BY 4.0" in (FIXTURES / "LICENSES" / "resolvedkit-DATA_LICENSE.txt").read_text()


def _write_gz(path: Path, lines: list[bytes]) -> None:
    with gzip.open(path, "wb") as fh:
        fh.write(b"\n".join(lines) + b"\n")


GOOD = b'{"recv_ms":1790585112649,"channel":"market","frame":"PONG"}'
BAD_LINES = [
    b"not json",
    b"[1, 2]",
    b'{"recv_ms":1790585112649,"channel":"market"}',
    b'{"recv_ms":1790585112,"channel":"market","frame":"PONG"}',  # seconds, not ms
    b'{"recv_ms":true,"channel":"market","frame":"PONG"}',
    b'{"recv_ms":1790585112649,"channel":"","frame":"PONG"}',
    b'{"recv_ms":1790585112649,"channel":"market","frame":{"event_type":"book"}}',
    b'{"recv_ms":1790585112649,"channel":"market","frame":"PONG","extra":1}',
    b'{"recv_ms":1790585112649,"channel":"market","frame":"\xff"}',
]


def test_lenient_read_quarantines_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    _write_gz(path, [GOOD, *BAD_LINES, GOOD])
    corrupt: list[CorruptLine] = []
    lines = list(iter_capture(path, corrupt=corrupt))
    assert lines == [
        CaptureLine(1, 1790585112649, "market", "PONG"),
        CaptureLine(len(BAD_LINES) + 2, 1790585112649, "market", "PONG"),
    ]
    assert [c.line_no for c in corrupt] == list(range(2, len(BAD_LINES) + 2))
    assert corrupt[0].raw == "not json" and corrupt[0].reason.startswith("not JSON")
    assert "not UTF-8" in corrupt[-1].reason
    df = read_capture(path, corrupt=(again := []))
    assert df.height == 2 and len(again) == len(BAD_LINES)


@pytest.mark.parametrize("bad", BAD_LINES)
def test_strict_read_raises_with_line_number(tmp_path: Path, bad: bytes) -> None:
    path = tmp_path / "c.jsonl.gz"
    _write_gz(path, [GOOD, bad])
    with pytest.raises(CaptureFormatError) as err:
        read_capture(path)
    assert err.value.line_no == 2


def test_truncated_gzip(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    _write_gz(path, [GOOD] * 2000)
    path.write_bytes(path.read_bytes()[:-30])
    corrupt: list[CorruptLine] = []
    read = list(iter_capture(path, corrupt=corrupt))
    assert len(read) < 2000 and len(corrupt) == 1 and corrupt[0].raw == ""
    assert "unreadable stream" in corrupt[0].reason
    with pytest.raises(CaptureFormatError):
        read_capture(path)


def test_plain_jsonl_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(GOOD + b"\n")
    assert read_capture(path).row(0) == (1790585112649, "market", "PONG")
    with pytest.raises(FileNotFoundError):
        read_capture(tmp_path / "missing.jsonl.gz")


def test_iter_capture_when_lenient_then_each_bad_line_has_its_reason_code(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"recv_ms": 1790585112, "channel": "market", "frame": "PONG"}\n'  # seconds, not ms
        '{"recv_ms": 1790585112649, "channel": "market"}\n'  # a key missing
        '{"recv_ms": 1790585112649, "chan\n'  # truncated
        '{"recv_ms": 1790585112649, "channel": "market", "frame": "PONG"}\n'
    )
    corrupt: list = []
    lines = list(iter_capture(path, corrupt=corrupt))
    assert [(c.line_no, c.reason_code) for c in corrupt] == [
        (1, "GOV_DQ_TS_UNITS"), (2, "GOV_DQ_SCHEMA"), (3, "GOV_DQ_MALFORMED_JSON"),
    ]
    assert [(line.line_no, line.frame) for line in lines] == [(4, "PONG")]


# --- the Parquet form (capture.parquet) ----------------------------------------------------------

PQ_LINES = [
    (1790585112649, "market", "PONG"),
    (1790585112650, "market", '{"event_type":"best_bid_ask"}'),
    (1790585112651, "user", "PING"),
    (1790585112651, "market", "[]"),
]


def _write_pq(path: Path, columns: dict, **kwargs) -> Path:
    pl.DataFrame(columns).write_parquet(path, **kwargs)
    return path


def _stored_shuffled(tmp_path: Path) -> Path:
    """PQ_LINES as capture.parquet, stored in the order seq 2, 0, 3, 1."""
    order = [2, 0, 3, 1]
    return _write_pq(
        tmp_path / "capture.parquet",
        {
            "seq": pl.Series([i for i in order], dtype=pl.Int64),
            "recv_ms": pl.Series([PQ_LINES[i][0] for i in order], dtype=pl.Int64),
            "channel": [PQ_LINES[i][1] for i in order],
            "frame": [PQ_LINES[i][2] for i in order],
        },
    )


def test_parquet_capture_reads_in_seq_order(tmp_path: Path) -> None:
    path = _stored_shuffled(tmp_path)
    df = read_capture(path)
    assert df.schema == pl.Schema(CAPTURE_SCHEMA)
    assert df.rows() == PQ_LINES
    assert list(iter_capture(path)) == [CaptureLine(i + 1, *line) for i, line in enumerate(PQ_LINES)]


def test_parquet_capture_equals_the_jsonl_form(tmp_path: Path) -> None:
    """The same frames in both forms read back identically (here: the first 500 lines of 2026-09-28)."""
    jsonl = tmp_path / "c.jsonl"
    with gzip.open(CAPTURE, "rt", encoding="utf-8") as fh:
        jsonl.write_text("".join(next(fh) for _ in range(500)), encoding="utf-8")
    want = read_capture(jsonl)
    stored = want.with_row_index("seq").with_columns(pl.col("seq").cast(pl.Int64)).sort("frame")
    path = tmp_path / "capture.parquet"
    stored.select("seq", "recv_ms", "channel", "frame").write_parquet(path)
    assert read_capture(path).equals(want)
    assert list(iter_capture(path)) == list(iter_capture(jsonl))


def test_capture_path_and_list_fixture_days_take_either_form(tmp_path: Path) -> None:
    day = tmp_path / "2026-08-12"
    day.mkdir()
    with pytest.raises(FileNotFoundError):
        capture_path(day)
    _stored_shuffled(day)
    assert capture_path(day) == day / CAPTURE_PARQUET
    assert list_fixture_days(tmp_path) == ["2026-08-12"]
    (day / CAPTURE_FILE).write_bytes(b"")
    with pytest.raises(ValueError, match="both"):
        capture_path(day)
    assert capture_path(DAY) == CAPTURE


def _bad_rows_file(tmp_path: Path) -> Path:
    return _write_pq(
        tmp_path / "bad.parquet",
        {
            "seq": pl.Series([0, None, 2, 3, 4, 5, -1, 1, 1], dtype=pl.Int64),
            "recv_ms": pl.Series(
                [1790585112649, 1790585112649, None, 1790585112, 1790585112649, 1790585112649,
                 1790585112649, 1790585112649, 1790585112649],
                dtype=pl.Int64,
            ),
            "channel": ["market", "market", "market", "market", "", "market", "market", "market", "market"],
            "frame": ["PONG", "PONG", "PONG", "PONG", "PONG", None, "PONG", "first 1", "second 1"],
        },
    )


def test_parquet_bad_rows_are_corrupt_lines_not_crashes(tmp_path: Path) -> None:
    path = _bad_rows_file(tmp_path)
    corrupt: list[CorruptLine] = []
    lines = list(iter_capture(path, corrupt=corrupt))
    assert [(line.line_no, line.frame) for line in lines] == [(1, "PONG"), (2, "first 1")]
    got = [(c.line_no, c.reason_code, c.reason) for c in corrupt]  # line_no = STORED row number
    assert got == [
        (2, "GOV_DQ_SCHEMA", "seq is null"),
        (3, "GOV_DQ_SCHEMA", "recv_ms is null"),
        (4, "GOV_DQ_TS_UNITS", "recv_ms 1790585112 is not epoch milliseconds"),
        (5, "GOV_DQ_SCHEMA", "channel must be a non-empty string, got ''"),
        (6, "GOV_DQ_SCHEMA", "frame must be a string, got null"),
        (7, "GOV_DQ_SCHEMA", "seq -1 is negative"),
        (9, "GOV_DQ_SCHEMA", "seq 1 repeats an earlier stored row"),
    ]
    assert json.loads(corrupt[0].raw) == {"seq": None, "recv_ms": 1790585112649, "channel": "market", "frame": "PONG"}
    assert json.loads(corrupt[-1].raw)["frame"] == "second 1"
    again: list[CorruptLine] = []
    assert read_capture(path, corrupt=again).height == 2 and again == corrupt
    with pytest.raises(CaptureFormatError) as err:
        read_capture(path)
    assert err.value.line_no == 2 and err.value.reason == "seq is null"


def test_parquet_columns_of_other_types_are_corrupt_rows(tmp_path: Path) -> None:
    path = _write_pq(
        tmp_path / "types.parquet",
        {
            "seq": [0, 1, 2],
            "recv_ms": ["1790585112649", "1790585112649", "1790585112649"],  # strings, not integers
            "channel": ["market"] * 3,
            "frame": ["PONG"] * 3,
        },
    )
    corrupt: list[CorruptLine] = []
    assert read_capture(path, corrupt=corrupt).is_empty()
    assert [(c.line_no, c.reason_code) for c in corrupt] == [(i, "GOV_DQ_SCHEMA") for i in (1, 2, 3)]
    assert corrupt[0].reason == "recv_ms must be an integer, got String 1790585112649"
    binary = _write_pq(
        tmp_path / "binary.parquet",
        {"seq": [0, 1], "recv_ms": [1790585112649] * 2, "channel": ["market"] * 2,
         "frame": pl.Series([b"PONG", b"\xff\xfe"], dtype=pl.Binary)},
    )
    corrupt = []
    assert read_capture(binary, corrupt=corrupt).rows() == [(1790585112649, "market", "PONG")]
    assert [(c.line_no, c.reason_code, c.reason) for c in corrupt] == [
        (2, "GOV_DQ_MALFORMED_JSON", "frame is not UTF-8")
    ]


def test_parquet_wrong_columns_or_unreadable_file(tmp_path: Path) -> None:
    extra = _write_pq(
        tmp_path / "extra.parquet",
        {"seq": [0], "recv_ms": [1790585112649], "channel": ["market"], "frame": ["PONG"], "x": [1]},
    )
    corrupt: list[CorruptLine] = []
    assert read_capture(extra, corrupt=corrupt).is_empty()
    assert [(c.line_no, c.raw, c.reason_code) for c in corrupt] == [(1, "", "GOV_DQ_SCHEMA")]
    assert "columns must be exactly" in corrupt[0].reason
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(_stored_shuffled(tmp_path).read_bytes()[:-40])
    corrupt = []
    assert read_capture(truncated, corrupt=corrupt).is_empty()
    assert len(corrupt) == 1 and corrupt[0].raw == "" and "unreadable Parquet file" in corrupt[0].reason
    with pytest.raises(CaptureFormatError):
        read_capture(truncated)
    with pytest.raises(FileNotFoundError):
        read_capture(tmp_path / "missing.parquet")


def test_parquet_unreadable_row_group_is_one_corrupt_line_and_the_rest_is_read(tmp_path: Path) -> None:
    n = 1000
    path = _write_pq(
        tmp_path / "groups.parquet",
        {"seq": list(range(n)), "recv_ms": [1790585112649] * n, "channel": ["market"] * n,
         "frame": [f"frame {i:04d} " + "x" * 50 for i in range(n)]},
        row_group_size=500, compression="uncompressed", statistics=False,
    )
    data = bytearray(path.read_bytes())
    at = data.index(b"frame 0100 ")  # inside the first row group's frame page
    data[at - 4:at + 2000] = b"\xff" * 2004  # a length prefix and the text: the page does not decode
    path.write_bytes(bytes(data))
    corrupt: list[CorruptLine] = []
    df = read_capture(path, corrupt=corrupt)
    assert [(c.line_no, c.raw) for c in corrupt] == [(1, "")]
    assert "unreadable row group 0 (stored rows 1-500)" in corrupt[0].reason
    assert df.height == 500 and df["frame"][0].startswith("frame 0500 ")


def test_capture_frames_when_real_days_then_their_frame_counts_without_reading_them() -> None:
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    assert capture_frames(fixtures / "2026-09-28") == 38_376  # capture.jsonl.gz lines (MANIFEST counts.lines)
    assert capture_frames(fixtures / "2026-08-12") == 8_712_461  # capture.parquet rows (MANIFEST counts.frames)
