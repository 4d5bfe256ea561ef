"""Evidence from the event store: Parquet snapshots for runs and hours, a copy of the DuckDB file
for rejected payloads (never the live file's lock), unknown when the copy cannot be trusted."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from polytraders.bots import manifest
from polytraders.bots.readiness import Readiness, compute_readiness, discover_implemented
from polytraders.contracts.frames import empty_frame
from polytraders.defs import environment, evidence
from polytraders.runtime.event_store import PARTITION_COLUMN, EventStore

HOUR_MS = 3_600_000
T0 = 1_790_553_600_000  # 2026-09-28T00:00:00Z


def write_snapshot(store: Path, day: str, rows: list[tuple[str, int]]) -> None:
    """An envelope snapshot of ``day`` with one envelope per (bot, ts_ms)."""
    path = store / "parquet" / f"{PARTITION_COLUMN}={day}" / "envelopes.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        {"bot": [b for b, _ in rows], "ts_ms": [t for _, t in rows], "payload": ["{}"] * len(rows)},
        schema={"bot": pl.String, "ts_ms": pl.Int64, "payload": pl.String},
    ).with_columns(pl.lit(date.fromisoformat(day)).alias(PARTITION_COLUMN)).write_parquet(path)


def reject(store: Path, sources: list[str]) -> None:
    """Rejected payloads with the given ``source`` (``<bot>:<payload type>``), as the emitter stores them."""
    raws = [f'{{"n": {i}}}' for i in range(len(sources))]
    records = pl.DataFrame({
        "source": sources, "receive_ts_ms": pl.Series([None] * len(sources), dtype=pl.Int64),
        "reason_code": ["GOV_SCHEMA_FAILURE"] * len(sources), "detail": ["price: in_range"] * len(sources),
        "raw": raws, "provenance_hash": [hashlib.sha256(r.encode()).hexdigest() for r in raws],
    }).select(empty_frame("QuarantineRecord").columns)  # fmt: skip
    EventStore(store).reject(records.with_columns(pl.lit(date(2026, 9, 28)).alias(PARTITION_COLUMN)))


def settings(tmp_path: Path) -> environment.Settings:
    return environment.Settings(fixtures_root=tmp_path / "fixtures", duckdb_path=tmp_path / "var" / "x.duckdb",
                                event_store_root=tmp_path / "store")


def test_collect_when_no_store_then_every_bot_pending_and_nothing_known_bad(tmp_path: Path) -> None:
    got = evidence.collect(settings(tmp_path))
    assert got.implemented_slugs == discover_implemented()
    assert (got.ran_on_recorded_feed, dict(got.shadow_hours), got.schema_failures, got.as_of) == (
        frozenset(), {}, {}, None)
    assert {compute_readiness(s, got) for s in manifest.BOTS} == {Readiness.PENDING}


def test_collect_when_two_days_recorded_then_hours_are_day_spans_summed_over_the_days_a_bot_ran(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    write_snapshot(store, "2026-09-27", [("risk.drawdown", T0 - 24 * HOUR_MS), ("risk.drawdown", T0 - 23 * HOUR_MS),
                                         ("intel.microprice", T0 - 20 * HOUR_MS)])
    # day 1's stream spans T0-24h .. T0-20h = 4 h, and both bots ran in it: 4 h each (microprice
    # emitted once, but it ran over the same day). Day 2 spans 02:00 .. 04:30 = 2.5 h, drawdown
    # only. So drawdown 4 + 2.5 = 6.5 h, microprice 4 h; the gap between the days never counts.
    write_snapshot(store, "2026-09-28", [("risk.drawdown", T0 + 4 * HOUR_MS + HOUR_MS // 2),
                                         ("risk.drawdown", T0 + 2 * HOUR_MS), ("risk.drawdown", T0 + 3 * HOUR_MS)])
    got = evidence.collect(settings(tmp_path))
    assert got.ran_on_recorded_feed == {"risk.drawdown", "intel.microprice"}
    assert dict(got.shadow_hours) == {"risk.drawdown": 6.5, "intel.microprice": 4.0}
    assert got.as_of == "2026-09-28T04:30:00.000+00:00"
    assert compute_readiness(manifest.get("risk.drawdown"), got) is Readiness.DEMO_WIRED
    assert compute_readiness(manifest.get("risk.killswitch"), got) is Readiness.PENDING
    # the evidence that shadow-ready needs beyond this does not exist yet
    assert (got.replayed_identically, got.passed_fixture_scenarios) == (frozenset(), frozenset())


def test_collect_when_payloads_rejected_then_counted_per_bot_from_source(tmp_path: Path) -> None:
    reject(tmp_path / "store", ["risk.drawdown:RiskVote", "risk.drawdown:RiskVote", "intel.microprice:Signal"])
    got = evidence.collect(settings(tmp_path))
    assert dict(got.schema_failures) == {"risk.drawdown": 2, "intel.microprice": 1}
    assert (got.failures_of("risk.drawdown"), got.failures_of("risk.killswitch")) == (2, 0)


def test_schema_failures_when_store_created_but_nothing_rejected_then_zero(tmp_path: Path) -> None:
    EventStore(tmp_path).connect().close()
    assert evidence.schema_failures(tmp_path) == {}


def test_schema_failures_when_file_is_not_a_database_then_unknown(tmp_path: Path) -> None:
    (tmp_path / "event_store.duckdb").write_bytes(b"not a duckdb file" * 100)
    assert evidence.schema_failures(tmp_path) is None


def test_schema_failures_when_file_changes_while_copied_then_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reject(tmp_path, ["risk.drawdown:RiskVote"])
    real_copy = evidence._copy

    def copy_then_write(source: Path, target: Path) -> None:
        real_copy(source, target)
        with source.open("ab") as fh:  # a writer appended meanwhile
            fh.write(b"\0" * 16)

    monkeypatch.setattr(evidence, "_copy", copy_then_write)
    assert evidence.schema_failures(tmp_path) is None


def test_schema_failures_when_unknown_then_no_bot_can_be_shadow_ready(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "event_store.duckdb").write_bytes(b"garbage")
    got = evidence.collect(settings(tmp_path))
    assert got.schema_failures is None
    assert got.failures_of("risk.drawdown") is None


_HOLD_LOCK = textwrap.dedent("""
    import sys
    from pathlib import Path
    from polytraders.runtime.event_store import EventStore
    con = EventStore(Path(sys.argv[1])).connect()
    print("locked", flush=True)
    sys.stdin.readline()
    con.execute("select count(*) from events.rejected_payloads").fetchone()
    con.close()
    print("released", flush=True)
""")


def test_schema_failures_when_writer_holds_the_lock_then_read_from_a_copy(tmp_path: Path) -> None:
    reject(tmp_path, ["exec.order_shaper:ExecutionPlan"])
    writer = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(tmp_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "locked"
        with pytest.raises(duckdb.IOException, match="lock"):  # the live file is really locked
            duckdb.connect(str(tmp_path / "event_store.duckdb"), read_only=True)
        assert evidence.schema_failures(tmp_path) == {"exec.order_shaper": 1}
        out, _ = writer.communicate("go\n", timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert (writer.returncode, out.strip()) == (0, "released")


def test_collect_or_pending_when_snapshot_corrupt_then_warns_and_every_bot_pending(tmp_path: Path) -> None:
    path = tmp_path / "store" / "parquet" / f"{PARTITION_COLUMN}=2026-09-28" / "envelopes.parquet"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PAR1 truncated")
    with pytest.warns(UserWarning, match="evidence unreadable, every bot pending"):
        got = evidence.collect_or_pending(settings(tmp_path))
    assert (got.implemented_slugs, got.ran_on_recorded_feed, got.schema_failures) == (
        discover_implemented(), frozenset(), None)
    assert {compute_readiness(s, got) for s in manifest.BOTS} == {Readiness.PENDING}


def test_collect_when_registry_records_stamped_at_midnight_then_not_counted_as_session_time(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    # TokenState records of the metadata are stamped at the day's 00:00 (T0); the session's data
    # runs 08:45 .. 13:45 = 5 h. Counting the registry stamp would give 13.75 h.
    write_snapshot(store, "2026-09-28", [("gov.data_quality_monitor", T0),
                                         ("intel.microprice", T0 + 8 * HOUR_MS + 3 * HOUR_MS // 4),
                                         ("intel.microprice", T0 + 13 * HOUR_MS + 3 * HOUR_MS // 4)])
    got = evidence.collect(settings(tmp_path))
    assert dict(got.shadow_hours) == {"intel.microprice": 5.0, "gov.data_quality_monitor": 5.0}
