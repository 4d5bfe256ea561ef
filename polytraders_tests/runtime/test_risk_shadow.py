"""runtime.risk_shadow: which recorded days a replay can take, a broken snapshot named, older tables read
in the current contract form."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from polytraders.runtime.event_store import snapshot_path
from polytraders.runtime.feed import RECEIPT_SCHEMA
from polytraders.runtime.risk_shadow import recorded_days, recorded_intents
from polytraders_tests.bots.frames import tops


def test_recorded_days_when_stray_folders_then_only_exported_dates_oldest_first(tmp_path) -> None:
    for day in ("2026-09-28", "2026-08-12", "garbage", "2026-09-30"):
        path = snapshot_path(tmp_path, day)
        path.parent.mkdir(parents=True)
        if day != "2026-09-30":  # a day folder without its snapshot file is not recorded
            path.write_bytes(b"PAR1")
    assert recorded_days(tmp_path) == ["2026-08-12", "2026-09-28"]
    assert recorded_days(tmp_path / "nothing") == []


def test_recorded_intents_when_snapshot_truncated_then_value_error_naming_the_file(tmp_path) -> None:
    path = snapshot_path(tmp_path, "2026-09-28")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PAR1 truncated")
    with pytest.raises(ValueError, match="not a readable envelope snapshot"):
        recorded_intents(tmp_path, "2026-09-28")


def test_warehouse_inputs_when_instruments_stored_before_a_field_was_added_then_it_reads_as_null(tmp_path) -> None:
    # an InstrumentRecord table written before 1.1.0 has no uma_resolution_status: it comes back null
    from polytraders.contracts.frames import empty_frame
    from polytraders.runtime.risk_shadow import TABLES, warehouse_inputs

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema shadow")
        for table, wire_object in TABLES.values():
            frame = (empty_frame(wire_object) if wire_object else pl.DataFrame(schema=RECEIPT_SCHEMA)).with_columns(
                partition_day=pl.lit(date(2026, 9, 28)))
            if table == "instruments":
                frame = frame.drop("uma_resolution_status")
            if table == "market_snapshots":  # the day must have snapshots
                frame = tops(("yes", 0, "0.48", "0.52")).with_columns(partition_day=pl.lit(date(2026, 9, 28)))
            arrow = frame.to_arrow()  # noqa: F841 - read by name in the SQL
            con.execute(f"create table shadow.{table} as select * from arrow")
    got = warehouse_inputs(db, "shadow", "2026-09-28")
    assert "uma_resolution_status" in got.instruments.columns and got.market_snapshots.height == 1
