"""S1 and S2 on the universe day 2026-08-12 (12,976 markets, 8.7 M best_bid_ask frames): the registry,
the source's data-quality findings as quarantine, and ingestion of the frames as MarketSnapshots."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from polytraders.contracts.frames import validate_frame
from polytraders.runtime import stages

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DAY = FIXTURES / "2026-08-12"
DATASET_ISSUES = ["collector_outage", "volume24hr_dead", "no_prints_in_quotes", "crossed_books", "label_window",
                  "convergence_labels", "watch_subset"]


def test_source_issues_without_a_file_are_none(tmp_path: Path) -> None:
    assert stages.source_issues(tmp_path) == []
    assert stages.source_issues(FIXTURES / "2026-09-28") == []


def test_source_issues_one_record_per_entry(tmp_path: Path) -> None:
    entries = [{"issue": "volume_dead", "table_name": "quotes", "detail": "NULL after July."},
               {"issue": "x", "table_name": "", "detail": "no table"}, "not an object"]
    (tmp_path / "data_quality.json").write_text(json.dumps(entries))
    got = stages.source_issues(tmp_path)
    assert [(r.source, r.reason_code) for r in got] == [
        ("data_quality.json:1", "GOV_DQ_SOURCE_ISSUE"), ("data_quality.json:2", "GOV_DQ_SCHEMA"),
        ("data_quality.json:3", "GOV_DQ_SCHEMA")]
    assert got[0].detail == "volume_dead (quotes): NULL after July."
    assert json.loads(got[0].raw) == entries[0] and got[0].receive_ts_ms is None
    (tmp_path / "data_quality.json").write_text('[{"issue": ')
    assert [r.reason_code for r in stages.source_issues(tmp_path)] == ["GOV_DQ_MALFORMED_JSON"]
    (tmp_path / "data_quality.json").write_text('{"issue": "x"}')
    assert [r.reason_code for r in stages.source_issues(tmp_path)] == ["GOV_DQ_SCHEMA"]


@pytest.fixture(scope="module")
def registry() -> tuple[pl.DataFrame, pl.DataFrame]:
    return stages.registry(DAY)


def test_registry_of_the_universe_day(registry: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    instruments, quarantine = registry
    assert instruments.height == 12_976 and instruments["condition_id"].is_unique().all()
    validate_frame("InstrumentRecord", instruments)
    assert (instruments["tokens"].list.len() == 2).all()
    outcomes = instruments.select(pl.col("tokens").list.eval(pl.element().struct.field("outcome")))["tokens"]
    assert outcomes.to_list()[0] == ["Yes", "No"]
    assert instruments.group_by("tick_size").len().sort("tick_size").rows() == [
        (Decimal("0.001"), 1_301), (Decimal("0.01"), 11_675)]
    assert instruments["as_of_ms"].unique().to_list() == [stages.day_start_ms("2026-08-12")]
    known = instruments.filter(pl.col("slug") == "tec-pga-fedestju-2026-08-13-r3l-nicech").row(0, named=True)
    assert known["end_ts_ms"] == stages.day_start_ms("2026-08-13") and known["category"] == "sports"


def test_registry_quarantines_every_source_finding(registry: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    _, quarantine = registry
    validate_frame("QuarantineRecord", quarantine)
    findings = json.loads((DAY / "data_quality.json").read_text())
    assert quarantine.height == len(findings) == 14
    assert quarantine["reason_code"].unique().to_list() == ["GOV_DQ_SOURCE_ISSUE"]
    issues = [json.loads(raw)["issue"] for raw in quarantine["raw"]]
    assert issues[:7] == DATASET_ISSUES and all(i.startswith("day_") for i in issues[7:])
    assert quarantine["source"].to_list() == [f"data_quality.json:{n}" for n in range(1, 15)]
    assert quarantine["detail"][1].startswith("volume24hr_dead (quotes): 94.4% NULL overall")


def _slice_day(tmp_path: Path, frames: pl.DataFrame) -> Path:
    day = tmp_path / "2026-08-12"
    day.mkdir()
    (day / "markets.json").symlink_to(DAY / "markets.json")
    frames.write_parquet(day / "capture.parquet")
    return day


def test_ingest_a_slice_of_the_day(tmp_path: Path, registry: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    """The first two polls (25,000 frames) plus a truncated frame, a seconds timestamp and a bad row."""
    instruments, _ = registry
    rows = pl.scan_parquet(DAY / "capture.parquet").filter(pl.col("seq") < 25_000).collect().sort("seq")
    extra = pl.DataFrame({
        "seq": [25_000, 25_001, 25_002],
        "recv_ms": [1786493100000, 1786493100000, None],
        "channel": ["market"] * 3,
        "frame": [rows["frame"][0][:100], rows["frame"][1].replace("1786492845000", "1786492845"), "PONG"],
    }, schema=rows.schema)
    got = stages.ingest(_slice_day(tmp_path, pl.concat([rows, extra])), instruments)
    assert got.frames_in == 25_003 and got.book_snapshots.is_empty()
    assert got.market_snapshots.height == 25_000
    validate_frame("MarketSnapshot", got.market_snapshots)
    assert got.quarantine.group_by("reason_code").len().sort("reason_code").rows() == [
        ("GOV_DQ_MALFORMED_JSON", 1), ("GOV_DQ_SCHEMA", 1), ("GOV_DQ_TS_UNITS", 1)]
    assert got.quarantine.filter(pl.col("reason_code") == "GOV_DQ_SCHEMA")["source"].to_list() == [
        "capture.parquet:25003"]  # the stored row of the null recv_ms
    table = stages.market_snapshots(got)
    assert table.height == 25_000 and table.select(pl.col("token_id").is_sorted()).item()
    assert table.group_by("token_id").agg(pl.col("ts_ms").is_sorted())["ts_ms"].all()


@pytest.mark.slow
@pytest.mark.xdist_group("universe-day")  # one worker: 6-8 GB each, never two at once
def test_ingest_the_whole_day(registry: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    instruments, _ = registry
    got = stages.ingest(DAY, instruments)
    assert got.frames_in == 8_712_461 and got.keepalives == 0
    assert got.market_snapshots.height == 8_712_461
    assert got.book_snapshots.is_empty() and got.trades.is_empty() and got.resolutions.is_empty()
    assert got.quarantine.is_empty()
    snaps = got.market_snapshots
    fresh = snaps.select(pl.col("freshness").struct.unnest())
    assert (fresh["age_ms"] == 0).all() and (fresh["quality"] == "OK").all()
    counts = snaps.select(
        both=(pl.col("best_bid").is_not_null() & pl.col("best_ask").is_not_null()).sum(),
        no_bid=pl.col("best_bid").is_null().sum(), no_ask=pl.col("best_ask").is_null().sum(),
        tokens=pl.col("token_id").n_unique(),
    ).row(0, named=True)
    assert counts == {"both": 6_631_928, "no_bid": 2_076_470, "no_ask": 1_256_970, "tokens": 12_976}
    ticks = instruments.select(pl.col("tokens").list.first().struct.field("token_id"), "tick_size")
    joined = snaps.select("token_id", "tick_size").unique().join(ticks, on="token_id", suffix="_registry")
    assert joined.height == 12_976 and (joined["tick_size"] == joined["tick_size_registry"]).all()
    table = stages.market_snapshots(got)
    validate_frame("MarketSnapshot", table)
    assert table.height == 8_712_461 and table.select(pl.col("token_id").is_sorted()).item()
