"""scripts/build_fixture_orderbook_dataset.py: the conversion on a small made-up source (no ../shared
needed: deterministic bytes, frame shape, ids, ticks, findings), the committed day 2026-08-12, and
(when the dataset is present) agreement with the source rows and a byte-identical rebuild."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from polytraders.adapters.capture import derive_token_id, iter_capture, list_fixture_days, read_capture

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
DAY = FIXTURES / "2026-08-12"
SCRIPT = REPO / "scripts" / "build_fixture_orderbook_dataset.py"
SOURCE = (REPO / "../shared/reference/polymarket/polymarket-orderbook-dataset").resolve()
needs_source = pytest.mark.skipif(
    not (SOURCE / "quotes" / "dt=2026-08-12" / "data_0.parquet").is_file(),
    reason="polymarket-orderbook-dataset (../shared/reference) not present",
)
FILES = ("capture.parquet", "markets.json", "data_quality.json", "labels.parquet", "MANIFEST.json")


def _script():
    spec = importlib.util.spec_from_file_location("build_fixture_orderbook_dataset", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


build = _script()


def _ts(hms: str) -> datetime:
    return datetime.fromisoformat(f"2026-08-12T{hms}")


def fake_source(root: Path) -> Path:
    """A dataset directory in the real layout: 3 polls of 4 markets, one market missing from the last
    poll, one on the 0.001 grid, empty sides, volume24hr all null, labels for 2 markets."""
    rows = []
    quotes = {  # slug -> (category, [(bid, ask) per poll]); None = not in that poll
        "alpha-2026-08-20-yes": ("sports", [(0.45, 0.47), (0.46, 0.47), (0.46, 0.48)]),
        "beta-fine-2026-08-01": ("crypto", [(0.965, 0.97), (0.96, 0.975), (None, 0.99)]),
        "gamma-no-date": ("politics", [(None, None), (0.01, None), (0.02, 0.5)]),
        "delta-2026-09-01": ("sports", [(0.3, 0.4), (0.31, 0.4), None]),
    }
    for poll, hms in enumerate(("00:00:45", "00:02:48", "00:04:55")):
        for slug, (category, polls) in quotes.items():
            if polls[poll] is None:
                continue
            bid, ask = polls[poll]
            both = bid is not None and ask is not None
            rows.append({
                "ts": _ts(hms), "slug": slug, "category": category, "bid": bid, "ask": ask,
                "mid": (bid + ask) / 2 if both else None, "spread": ask - bid if both else None,
                "volume24hr": None, "segment": 2,
            })
    day = root / "quotes" / "dt=2026-08-12"
    day.mkdir(parents=True)
    schema = {"ts": pl.Datetime("us"), "slug": pl.String, "category": pl.String, "bid": pl.Float64,
              "ask": pl.Float64, "mid": pl.Float64, "spread": pl.Float64, "volume24hr": pl.Float64,
              "segment": pl.Int32}
    pl.DataFrame(rows, schema=schema).sort("slug", "ts").write_parquet(day / "data_0.parquet")
    pl.DataFrame({
        "slug": [*quotes, "epsilon-unquoted"],
        "question": ["Alpha?", "Beta?", "Shared?", "Shared?", "Eps?"],
        "category": ["sports", "crypto", "politics", "sports", "sports"],
        "n_snaps": [3, 3, 3, 2, 1],
        "first_ts": [_ts("00:00:45")] * 5,
        "last_ts": [_ts("00:04:55")] * 5,
    }).write_parquet(root / "markets.parquet")
    pl.DataFrame({"slug": ["alpha-2026-08-20-yes", "delta-2026-09-01", "zeta"], "y": [1, 0, 1],
                  "source": ["api", "convergence", "api"]},
                 schema={"slug": pl.String, "y": pl.Int32, "source": pl.String}).write_parquet(root / "labels.parquet")
    pl.DataFrame({"issue": ["volume24hr_dead", "crossed_books"], "table_name": ["quotes", "quotes"],
                  "detail": ["volume is gone.", "some ask < bid."]}).write_parquet(root / "data_quality.parquet")
    (root / "LICENSE").write_text("Creative Commons Attribution 4.0 International (stand-in for the test)\n")
    (root / "NOTICE").write_text("If you use this dataset, please credit it as:\n\n  " + build.ATTRIBUTION.replace(
        "\n", "\n  ") + "\n")
    return root


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("obd")
    source = fake_source(root / "source")
    build.build(source, root / "out")
    return source, root / "out"


def test_small_build_is_deterministic(small: tuple[Path, Path], tmp_path: Path) -> None:
    source, out = small
    build.build(source, tmp_path)
    for name in FILES:
        assert (tmp_path / "2026-08-12" / name).read_bytes() == (out / "2026-08-12" / name).read_bytes(), name
    for name in (build.LICENSE_FILE, build.NOTICE_FILE):
        assert (tmp_path / "LICENSES" / name).read_bytes() == (out / "LICENSES" / name).read_bytes()


def test_small_build_frames(small: tuple[Path, Path]) -> None:
    _, out = small
    day = out / "2026-08-12"
    assert list_fixture_days(out) == ["2026-08-12"]
    lines = list(iter_capture(day / "capture.parquet"))
    assert [line.line_no for line in lines] == list(range(1, 12))  # 4 + 4 + 3 quotes, seq order
    stored = pl.read_parquet(day / "capture.parquet")
    assert stored.columns == ["seq", "recv_ms", "channel", "frame"]
    assert stored.schema["seq"] == pl.Int64 and not stored["seq"].is_sorted()  # stored by token
    objs = [json.loads(line.frame) for line in lines]
    assert all(list(o) == ["event_type", "market", "asset_id", "best_bid", "best_ask", "spread", "timestamp"]
               for o in objs)
    pairs = zip(lines, objs, strict=True)
    assert all(line.channel == "market" and line.recv_ms == int(o["timestamp"]) for line, o in pairs)
    beta = build.condition_id_of("beta-fine-2026-08-01")
    assert beta == "0x" + hashlib.sha256(b"beta-fine-2026-08-01").hexdigest()
    first_poll = {o["market"]: o for o in objs[:4]}
    assert first_poll[beta] == {
        "event_type": "best_bid_ask", "market": beta, "asset_id": derive_token_id(beta, "Yes"),
        "best_bid": "0.965", "best_ask": "0.97", "spread": "0.005", "timestamp": "1786492845000",
    }
    gamma = first_poll[build.condition_id_of("gamma-no-date")]
    assert (gamma["best_bid"], gamma["best_ask"], gamma["spread"]) == ("", "", "")
    assert [o["best_bid"] for o in objs if o["market"] == beta] == ["0.965", "0.96", ""]
    # receive order inside a poll = source order (slug); polls in time order
    assert [o["market"] for o in objs[:4]] == [build.condition_id_of(s) for s in (
        "alpha-2026-08-20-yes", "beta-fine-2026-08-01", "delta-2026-09-01", "gamma-no-date")]


def test_small_build_markets_labels_findings(small: tuple[Path, Path]) -> None:
    _, out = small
    day = out / "2026-08-12"
    page = json.loads((day / "markets.json").read_text())
    assert page["count"] == page["limit"] == len(page["data"]) == 4  # quoted markets only
    by_slug = {m["market_slug"]: m for m in page["data"]}
    beta = by_slug["beta-fine-2026-08-01"]
    assert beta["minimum_tick_size"] == 0.001 and by_slug["alpha-2026-08-20-yes"]["minimum_tick_size"] == 0.01
    assert [(t["outcome"], t["token_id"]) for t in beta["tokens"]] == [
        ("Yes", derive_token_id(beta["condition_id"], "Yes")), ("No", derive_token_id(beta["condition_id"], "No"))]
    assert beta["tokens"][0]["price"] == 0.9675 and beta["tokens"][1]["price"] == 0.0325
    assert by_slug["gamma-no-date"]["tokens"][0]["price"] == 0.26  # its first two-sided mid (poll 3)
    assert beta["end_date_iso"] == "2026-08-01T00:00:00Z" and by_slug["gamma-no-date"]["end_date_iso"] is None
    assert (beta["question"], beta["tags"]) == ("Beta?", ["crypto"])
    labels = pl.read_parquet(day / "labels.parquet")
    assert labels.rows() == [("alpha-2026-08-20-yes", build.condition_id_of("alpha-2026-08-20-yes"), 1, "api"),
                             ("delta-2026-09-01", build.condition_id_of("delta-2026-09-01"), 0, "convergence")]
    findings = json.loads((day / "data_quality.json").read_text())
    assert all(set(f) == {"issue", "table_name", "detail"} for f in findings)
    issues = [f["issue"] for f in findings]
    assert issues == ["volume24hr_dead", "crossed_books", "day_volume24hr_null", "day_polls_missing_markets",
                      "day_empty_sides", "day_slug_date_before_day", "day_yes_side_only", "day_question_not_unique"]
    assert "1 markets are missing from at least one poll (1 market-poll pairs)" in findings[3]["detail"]
    manifest = json.loads((day / "MANIFEST.json").read_text())
    assert manifest["counts"]["frames"] == 11 and manifest["counts"]["dropped_rows"] == 0
    assert manifest["counts"]["markets_by_tick"] == {"0.01": 3, "0.001": 1}
    for name in FILES[:-1]:
        assert manifest["files"][name]["sha256"] == hashlib.sha256((day / name).read_bytes()).hexdigest()


def test_build_refuses_a_crossed_quote(tmp_path: Path) -> None:
    source = fake_source(tmp_path / "source")
    path = source / "quotes" / "dt=2026-08-12" / "data_0.parquet"
    quotes = pl.read_parquet(path)
    pl.concat([quotes.head(1).with_columns(bid=pl.lit(0.5), ask=pl.lit(0.4), ts=pl.lit(_ts("00:09:00"))),
               quotes]).write_parquet(path)
    with pytest.raises(AssertionError, match="crossed"):
        build.build(source, tmp_path / "out")


# --- the committed day ---------------------------------------------------------------------------------

#: Looked up by hand in quotes/dt=2026-08-12/data_0.parquet: ts 2026-08-12 00:00:45,
#: slug tec-pga-fedestju-2026-08-13-r3l-nicech, bid 0.007, ask 0.01, spread 0.003 (mid 0.0085).
KNOWN_SLUG = "tec-pga-fedestju-2026-08-13-r3l-nicech"
KNOWN_CID = "0x" + hashlib.sha256(KNOWN_SLUG.encode()).hexdigest()
KNOWN_FRAME = (
    '{"event_type":"best_bid_ask","market":"' + KNOWN_CID + '","asset_id":"' + derive_token_id(KNOWN_CID, "Yes")
    + '","best_bid":"0.007","best_ask":"0.01","spread":"0.003","timestamp":"1786492845000"}'
)


def test_committed_day_counts_and_manifest() -> None:
    manifest = json.loads((DAY / "MANIFEST.json").read_text())
    assert pq.ParquetFile(DAY / "capture.parquet").metadata.num_rows == 8_712_461
    counts = manifest["counts"]
    assert (counts["frames"], counts["quote_rows"], counts["dropped_rows"]) == (8_712_461, 8_712_461, 0)
    assert (counts["markets"], counts["tokens_listed"], counts["tokens_quoted"], counts["polls"]) == (
        12_976, 25_952, 12_976, 697)
    for name in FILES[:-1]:
        assert manifest["files"][name]["sha256"] == hashlib.sha256((DAY / name).read_bytes()).hexdigest(), name
    assert manifest["conversion"]["script"] == "scripts/build_fixture_orderbook_dataset.py"
    assert manifest["license"]["attribution"] == build.ATTRIBUTION
    notice = (FIXTURES / "LICENSES" / build.NOTICE_FILE).read_text()
    assert "Polymarket Order Book Dataset (2026), Dinesh Gopalakrishnan." in notice
    assert "Attribution 4.0 International" in (FIXTURES / "LICENSES" / build.LICENSE_FILE).read_text()
    assert "Polymarket Order Book Dataset (2026), Dinesh Gopalakrishnan." in (FIXTURES / "README.md").read_text()
    assert "2026-08-12" in list_fixture_days(FIXTURES)


def test_committed_day_known_quote_and_order() -> None:
    capture = read_capture(DAY / "capture.parquet")
    assert capture.height == 8_712_461 and capture["recv_ms"].is_sorted()
    assert capture["channel"].unique().to_list() == ["market"]
    hits = capture.filter(pl.col("frame") == KNOWN_FRAME)
    assert hits.rows() == [(1786492845000, "market", KNOWN_FRAME)]
    assert capture["recv_ms"][0] == 1786492845000 and capture["recv_ms"][-1] == 1786579173000


def test_committed_day_markets_and_findings() -> None:
    page = json.loads((DAY / "markets.json").read_text())
    assert page["count"] == len(page["data"]) == 12_976
    known = next(m for m in page["data"] if m["market_slug"] == KNOWN_SLUG)
    assert known["condition_id"] == KNOWN_CID and known["minimum_tick_size"] == 0.001
    assert known["tokens"][0] == {"token_id": derive_token_id(KNOWN_CID, "Yes"), "outcome": "Yes",
                                  "price": 0.0085, "winner": False}
    findings = json.loads((DAY / "data_quality.json").read_text())
    issues = [f["issue"] for f in findings]
    assert issues[:7] == ["collector_outage", "volume24hr_dead", "no_prints_in_quotes", "crossed_books",
                          "label_window", "convergence_labels", "watch_subset"]  # the dataset's own, as shipped
    assert {"day_volume24hr_null", "day_polls_missing_markets", "day_single_poll_markets"} <= set(issues)


@needs_source
@pytest.mark.slow
@pytest.mark.xdist_group("universe-day")  # one worker: 6-8 GB each, never two at once
def test_committed_day_agrees_with_source_rows() -> None:
    """Every frame's prices are its source row's floats, row for row (vectorised)."""
    quotes = pl.read_parquet(SOURCE / "quotes" / "dt=2026-08-12" / "data_0.parquet",
                             columns=["ts", "slug", "bid", "ask"])
    capture = read_capture(DAY / "capture.parquet")
    fields = capture.select(
        cid=pl.col("frame").str.extract(r'"market":"([^"]*)"'),
        ts=pl.col("frame").str.extract(r'"timestamp":"([0-9]*)"').cast(pl.Int64),
        bid=pl.col("frame").str.extract(r'"best_bid":"([^"]*)"'),
        ask=pl.col("frame").str.extract(r'"best_ask":"([^"]*)"'),
    )
    cids = quotes.select(pl.col("slug").unique()).with_columns(
        cid=pl.col("slug").map_elements(build.condition_id_of, return_dtype=pl.String))
    want = quotes.join(cids, on="slug").select("cid", ts=pl.col("ts").dt.epoch("ms"), src_bid="bid", src_ask="ask")
    joined = fields.join(want, on=["cid", "ts"], how="full", coalesce=True)
    assert joined.height == quotes.height == capture.height
    for side in ("bid", "ask"):
        got = pl.when(pl.col(side) == "").then(None).otherwise(pl.col(side)).cast(pl.Float64)
        assert joined.select((got.eq_missing(pl.col(f"src_{side}"))).all()).item(), side


@needs_source
@pytest.mark.slow
@pytest.mark.xdist_group("universe-day")  # one worker: 6-8 GB each, never two at once
def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), "--source", str(SOURCE), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for name in FILES:
        assert (tmp_path / "2026-08-12" / name).read_bytes() == (DAY / name).read_bytes(), name
    for name in (build.LICENSE_FILE, build.NOTICE_FILE):
        assert (tmp_path / "LICENSES" / name).read_bytes() == (FIXTURES / "LICENSES" / name).read_bytes()
