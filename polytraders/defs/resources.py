"""Resources: the DuckDB IO manager and the fixture store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import polars as pl
from dagster._core.storage.db_io_manager import DbTypeHandler, TableSlice
from dagster_duckdb import DuckDBIOManager
from dagster_duckdb_polars import DuckDBPolarsTypeHandler

from polytraders.adapters.budgets import FreshnessBudgets
from polytraders.runtime.alerts import FileSink, Sink, WebhookSink
from polytraders.runtime.emitter import Emitter
from polytraders.runtime.envelopes import RunInfo
from polytraders.runtime.event_store import EventStore, SchemaDriftError


class _AlwaysCreateTypeHandler(DuckDBPolarsTypeHandler):
    """The stock DuckDB-polars handler, with three traps designed out:

    * an empty frame still creates its (typed) table — the stock handler skips it, so the table
      never exists and every downstream load of that partition fails;
    * the partition column must be a DATE (or TIMESTAMP): a text column makes the IO manager's
      partition filter load 0 rows and a re-run duplicate the partition;
    * a frame that lacks a column of the stored table is refused with the columns named; a
      frame with a column the table lacks (a field added to the wire object, with a new minor
      schema version) adds it to the table, NULL in the partitions written before; rows are
      inserted BY NAME (the stock INSERT is positional: it fails, or silently misaligns values
      when columns move).

    The DB IO manager has already deleted the partition's old rows when this runs.
    """

    def handle_output(self, context: dg.OutputContext, table_slice: TableSlice, obj: pl.DataFrame,
                      connection) -> None:
        partition_column = (context.definition_metadata or {}).get("partition_expr")
        if partition_column is not None:
            dtype = obj.schema.get(partition_column)
            if not isinstance(dtype, pl.Date | pl.Datetime):
                raise TypeError(f"{table_slice.schema}.{table_slice.table}: partition column {partition_column!r} "
                                f"must be a DATE or TIMESTAMP, got {dtype}")
        stored = [c for (c,) in connection.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [table_slice.schema, table_slice.table]).fetchall()]
        missing, added = sorted(set(stored) - set(obj.columns)), sorted(set(obj.columns) - set(stored))
        if stored and missing:
            raise SchemaDriftError(
                f"{table_slice.schema}.{table_slice.table}: frame columns differ from the stored table "
                f"(missing {missing}, extra {added}); bump the wire object's schema version and migrate the table"
            )
        obj_arrow = obj.to_arrow()  # noqa: F841 - referenced by name in the SQL below
        table = f"{table_slice.schema}.{table_slice.table}"
        connection.execute(f"create schema if not exists {table_slice.schema};")
        if stored and added:  # a field added to the wire object: older partitions hold NULL for it
            types = dict(connection.execute("select column_name, column_type from (describe select * from obj_arrow)")
                         .fetchall())
            for column in added:
                connection.execute(f'alter table {table} add column "{column}" {types[column]};')
            context.add_output_metadata({"columns_added": ", ".join(added)})
        if stored:  # by name: a column order that moved can never misalign values
            connection.execute(f"insert into {table} by name select * from obj_arrow;")
        else:
            connection.execute(f"create table {table} as select * from obj_arrow;")
        context.add_output_metadata({"row_count": obj.height})


class PolytradersDuckDBIOManager(DuckDBIOManager):
    """Stores and loads polars frames in one embedded DuckDB file, schema ``polytraders``."""

    @staticmethod
    def type_handlers() -> Sequence[DbTypeHandler]:
        return [_AlwaysCreateTypeHandler()]

    @staticmethod
    def default_load_type() -> type | None:
        return pl.DataFrame


class FixtureStore(dg.ConfigurableResource):
    """Where the recorded fixture days live (``<root>/<YYYY-MM-DD>/``)."""

    root: str

    def day_dir(self, day: str) -> Path:
        """Directory of one fixture day; raises FileNotFoundError if it does not exist."""
        path = Path(self.root) / day
        if not path.is_dir():
            raise FileNotFoundError(f"no fixture day {day!r} under {self.root}")
        return path


class AdapterBoundary(dg.ConfigurableResource):
    """The run's adapter settings: its freshness budgets (JSON of
    :class:`~polytraders.adapters.budgets.FreshnessBudgets`; ``""`` = the documented defaults).

    Set from ``POLYTRADERS_FRESHNESS_BUDGETS`` when the definitions load; a run launched from the
    UI can override ``freshness_budgets_json`` in its resource config.
    """

    freshness_budgets_json: str = ""

    def budgets(self) -> FreshnessBudgets:
        """The budgets; raises FreshnessBudgetsError naming a bad key or value."""
        return FreshnessBudgets.from_json(self.freshness_budgets_json)


class Warehouse(dg.ConfigurableResource):
    """Read access to the run's DuckDB file (same file as the IO manager)."""

    database: str

    def row_counts(self, schema: str, partition_column: str, day: str) -> dict[str, int]:
        """Rows of ``day`` in every table of ``schema`` that has the partition column."""
        import duckdb

        with duckdb.connect(self.database) as con:
            tables = [
                t for (t,) in con.execute(
                    "select table_name from information_schema.columns "
                    "where table_schema = ? and column_name = ?", [schema, partition_column],
                ).fetchall()
            ]
            return {
                t: con.execute(
                    f'select count(*) from {schema}."{t}" where {partition_column} = ?::DATE', [day]
                ).fetchone()[0]
                for t in sorted(tables)
            }


class EventStoreResource(dg.ConfigurableResource):
    """The append-only envelope store (see :mod:`polytraders.runtime.event_store`)."""

    root: str

    def emitter(self, context: dg.OpExecutionContext) -> Emitter:
        """An emitter for this run and partition."""
        return Emitter(EventStore(Path(self.root)), RunInfo(run_id=context.run.run_id, partition=context.partition_key))

    def store(self) -> EventStore:
        """The store itself (writers only)."""
        return EventStore(Path(self.root))


class AlertSinks(dg.ConfigurableResource):
    """Where routed alerts are delivered: a JSON-lines file, and a webhook when a URL is set."""

    file_path: str
    webhook_url: str | None = None

    def sinks(self) -> dict[str, Sink]:
        """Sink name -> sink (``file`` always, ``webhook`` only with a URL)."""
        sinks: dict[str, Sink] = {"file": FileSink(self.file_path)}
        if self.webhook_url:
            sinks["webhook"] = WebhookSink(self.webhook_url)
        return sinks
