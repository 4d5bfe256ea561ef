"""The DuckDB IO manager's known traps, designed out: empty frames, text partition columns,
changed column sets, re-runs of a partition."""

from __future__ import annotations

from datetime import date

import dagster as dg
import duckdb
import polars as pl
import pytest

from polytraders.defs.resources import PolytradersDuckDBIOManager
from polytraders.runtime.event_store import SchemaDriftError

DAYS = dg.DynamicPartitionsDefinition(name="day")
DAY = "2026-09-28"


def _materialize(tmp_path, frame: pl.DataFrame, *, downstream: bool = False,
                 day: str = DAY) -> dg.ExecuteInProcessResult:
    @dg.asset(key_prefix=["shadow"], partitions_def=DAYS, metadata={"partition_expr": "partition_day"})
    def table() -> pl.DataFrame:
        return frame

    @dg.asset(key_prefix=["shadow"], partitions_def=DAYS, ins={"table": dg.AssetIn(key=["shadow", "table"])})
    def reader(table: pl.DataFrame) -> None:
        reader.loaded = table  # type: ignore[attr-defined]

    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("day", [day])
        result = dg.materialize(
            [table, reader] if downstream else [table], partition_key=day, instance=instance,
            resources={"io_manager": PolytradersDuckDBIOManager(database=str(tmp_path / "t.duckdb"))},
            raise_on_error=False,
        )
    result.loaded = getattr(reader, "loaded", None)  # type: ignore[attr-defined]
    return result


def _rows(tmp_path) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "t.duckdb"), read_only=True) as con:
        return con.execute("select * from shadow.\"table\" order by x").fetchall()


def _frame(xs: list[int], **extra: pl.Expr) -> pl.DataFrame:
    return pl.DataFrame({"x": xs}, schema={"x": pl.Int64}).with_columns(
        partition_day=pl.lit(date(2026, 9, 28)), **extra
    )


def test_io_manager_when_frame_empty_then_typed_table_created_and_downstream_loads_it(tmp_path) -> None:
    result = _materialize(tmp_path, _frame([]), downstream=True)
    assert result.success
    assert result.loaded.schema == pl.Schema({"x": pl.Int64, "partition_day": pl.Date})
    assert result.loaded.height == 0


def test_io_manager_when_partition_rerun_then_rows_replaced_not_duplicated(tmp_path) -> None:
    assert _materialize(tmp_path, _frame([1, 2])).success
    assert _materialize(tmp_path, _frame([1, 2])).success
    assert _rows(tmp_path) == [(1, date(2026, 9, 28)), (2, date(2026, 9, 28))]


def test_io_manager_when_partition_column_is_text_then_refused_with_its_name(tmp_path) -> None:
    frame = pl.DataFrame({"x": [1], "partition_day": [DAY]})
    result = _materialize(tmp_path, frame)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    error = failure.event_specific_data.error
    while error.cause is not None:
        error = error.cause
    assert "partition column 'partition_day' must be a DATE or TIMESTAMP, got String" in error.message


def test_io_manager_when_a_stored_column_is_missing_then_refused_with_the_columns_named(tmp_path) -> None:
    assert _materialize(tmp_path, _frame([1], y=pl.lit("old column"))).success
    result = _materialize(tmp_path, _frame([5]))
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    error = failure.event_specific_data.error
    while error.cause is not None:
        error = error.cause
    assert error.cls_name == SchemaDriftError.__name__
    assert "missing ['y'], extra []" in error.message


def test_io_manager_when_a_column_is_added_then_the_table_gains_it_null_in_older_partitions(tmp_path) -> None:
    # a wire object gained an optional field (new minor schema version): the day written before keeps its
    # rows, NULL in the new column; the new day carries it.
    assert _materialize(tmp_path, _frame([1]).with_columns(
        partition_day=pl.lit(date(2026, 9, 27))), day="2026-09-27").success
    result = _materialize(tmp_path, _frame([5], y=pl.lit("new column")))
    assert result.success
    [event] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION]
    assert event.materialization.metadata["columns_added"].value == "y"
    assert _rows(tmp_path) == [(1, date(2026, 9, 27), None), (5, date(2026, 9, 28), "new column")]


def test_io_manager_when_columns_reordered_then_inserted_by_name(tmp_path) -> None:
    frame = pl.DataFrame({"x": [1], "y": ["a"]}).with_columns(partition_day=pl.lit(date(2026, 9, 28)))
    assert _materialize(tmp_path, frame).success
    assert _materialize(tmp_path, frame.select("y", "partition_day", "x").with_columns(y=pl.lit("b"))).success
    assert _rows(tmp_path) == [(1, "b", date(2026, 9, 28))]


@pytest.mark.parametrize("dtype", [pl.Date, pl.Datetime("us")])
def test_io_manager_when_partition_column_is_date_or_timestamp_then_accepted(tmp_path, dtype) -> None:
    frame = pl.DataFrame({"x": [1]}).with_columns(partition_day=pl.lit(date(2026, 9, 28)).cast(dtype))
    assert _materialize(tmp_path, frame).success
