"""scripts/build_fixture_resolvedkit.py: integrity of the committed day 2026-09-28, and (when the
resolvedkit source is present) byte-for-byte determinism and agreement with the parquet."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from polytraders.adapters.capture import derive_token_id, read_capture

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
DAY = FIXTURES / "2026-09-28"
SOURCE = (REPO / "../shared/reference/polymarket/resolvedkit/src/resolvedkit/sample_data").resolve()
needs_source = pytest.mark.skipif(
    not (SOURCE / "books.parquet").is_file(), reason="resolvedkit source (../shared/reference) not present"
)


@pytest.fixture(scope="module")
def events() -> list[tuple[int, dict]]:
    out = []
    for recv_ms, frame in read_capture(DAY / "capture.jsonl.gz").select("recv_ms", "frame").rows():
        obj = json.loads(frame)
        out += [(recv_ms, o) for o in (obj if isinstance(obj, list) else [obj])]
    return out


def test_books_are_venue_shaped_and_on_their_tick(events: list[tuple[int, dict]]) -> None:
    """Every level: canonical decimal strings, price on the frame's tick grid in (0, 1), size > 0;
    bids strictly ascending, asks strictly descending; tick 0.001 only after a tick_size_change."""
    tick: dict[str, str] = {}
    crossed = locked = 0
    for recv_ms, o in events:
        if o["event_type"] == "tick_size_change":
            assert tick.get(o["asset_id"], "0.01") == o["old_tick_size"] == "0.01"
            tick[o["asset_id"]] = o["new_tick_size"]
            continue
        if o["event_type"] != "book":
            continue
        assert recv_ms == int(o["timestamp"])
        assert o["tick_size"] == tick.get(o["asset_id"], "0.01")
        step = Decimal(o["tick_size"])
        for side, ascending in (("bids", True), ("asks", False)):
            prices = []
            for lv in o[side]:
                p, s = Decimal(lv["price"]), Decimal(lv["size"])
                assert lv["price"] == format(p.normalize(), "f") and lv["size"] == format(s.normalize(), "f")
                assert 0 < p < 1 and p % step == 0 and s > 0 and s == s.quantize(Decimal("0.01"))
                prices.append(p)
            assert prices == sorted(prices, reverse=not ascending) and len(set(prices)) == len(prices)
        if o["bids"] and o["asks"]:
            bb, ba = Decimal(o["bids"][-1]["price"]), Decimal(o["asks"][-1]["price"])
            crossed += bb > ba
            locked += bb == ba
    checks = json.loads((DAY / "MANIFEST.json").read_text())["data_checks"]
    assert (crossed, locked) == (checks["crossed_books"], checks["locked_books"]) == (12, 10)
    assert len(tick) == 26


def test_manifest_markets_agree_with_token_rule() -> None:
    manifest = json.loads((DAY / "MANIFEST.json").read_text())
    assert manifest["day"] == "2026-09-28" and manifest["conversion"]["script"] == (
        "scripts/build_fixture_resolvedkit.py"
    )
    assert len(manifest["markets"]) == 18 and sum(m["books"] for m in manifest["markets"]) == 38_333
    winners = Counter(m["winning_outcome"] for m in manifest["markets"])
    assert winners == {"Up": 13, "Down": 5}  # markets.parquet: payout_up sums to 13
    for m in manifest["markets"]:
        assert m["tokens"] == {o: derive_token_id(m["condition_id"], o) for o in ("Up", "Down")}
        assert m["end_ts_ms"] - m["start_ts_ms"] == 900_000


def test_every_book_hash_is_the_declared_rules_digest(events: list[tuple[int, dict]]) -> None:
    """All 38,333 books (crossed ones included): the hash the build wrote is the digest of the rule
    MANIFEST.json declares, recomputed here from the documented body."""
    import hashlib

    assert json.loads((DAY / "MANIFEST.json").read_text())["book_hash_rule"] == "polytraders-sha1-v1"
    books = [o for _, o in events if o["event_type"] == "book"]
    keys = ("market", "asset_id", "timestamp", "bids", "asks")
    wrong = [
        o["hash"] for o in books
        if hashlib.sha1(json.dumps({k: o[k] for k in keys}, separators=(",", ":")).encode()).hexdigest() != o["hash"]
    ]
    assert len(books) == 38_333 and wrong == []


@needs_source
def test_first_books_match_parquet(events: list[tuple[int, dict]]) -> None:
    books = pl.read_parquet(SOURCE / "books.parquet")
    markets = pl.read_parquet(SOURCE / "markets.parquet")
    side_of = {
        derive_token_id(c, o): (c, s)
        for c, up, down in markets.select("market_id", "outcome_up", "outcome_down").rows()
        for o, s in ((up, "UP"), (down, "DOWN"))
    }
    seen = 0
    for _, o in events[:500]:
        if o["event_type"] != "book":
            continue
        cid, side = side_of[o["asset_id"]]
        row = books.filter(
            (pl.col("market_id") == cid) & (pl.col("side") == side) & (pl.col("ts") == int(o["timestamp"]))
        ).row(0, named=True)
        assert [float(lv["price"]) for lv in reversed(o["bids"])] == row["bid_px"]
        assert [float(lv["size"]) for lv in reversed(o["asks"])] == [round(x, 6) for x in row["ask_sz"]]
        seen += 1
    assert seen > 400


@needs_source
def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    script = REPO / "scripts" / "build_fixture_resolvedkit.py"
    subprocess.run(
        [sys.executable, str(script), "--source", str(SOURCE), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for rel in (
        "2026-09-28/capture.jsonl.gz",
        "2026-09-28/markets.json",
        "2026-09-28/MANIFEST.json",
        "LICENSES/resolvedkit-DATA_LICENSE.txt",
    ):
        assert (tmp_path / rel).read_bytes() == (FIXTURES / rel).read_bytes(), rel
