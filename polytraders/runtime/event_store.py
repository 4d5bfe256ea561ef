"""The event store: an append-only DuckDB table of ReportEnvelopes, keyed by envelope id.

Writes are idempotent: an envelope id already stored is skipped (``INSERT ... ON CONFLICT DO
NOTHING``), so re-running a partition, or resuming after a crash, writes no duplicate and loses
nothing (envelope ids are deterministic: see :mod:`polytraders.runtime.envelopes`). Nothing is
ever updated or deleted. Each append is one transaction: a batch is stored whole or not at all.

DuckDB allows one writer per file. Writers are serialised by the Dagster run queue (tag
``polytraders/duckdb-writer``); readers in other processes (the UI, reports, a second run) use
the Parquet snapshot that every write refreshes — :func:`read_envelopes` never opens the DuckDB
file, so it never waits on the write lock.

Layout: ``<root>/event_store.duckdb`` (table ``events.envelopes``, plus ``events.rejected_payloads``
for payloads that failed their schema) and ``<root>/parquet/partition_day=<day>/envelopes.parquet``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from polytraders.contracts.frames import polars_schema

SCHEMA = "events"
ENVELOPES = "envelopes"
REJECTED = "rejected_payloads"
PARTITION_COLUMN = "partition_day"

_DUCKDB_TYPES: dict[type[pl.DataType], str] = {
    pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Float64: "DOUBLE", pl.Boolean: "BOOLEAN", pl.Date: "DATE",
}


class SchemaDriftError(RuntimeError):
    """A frame's columns differ from the stored table's: never insert a changed column set."""


def _duckdb_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.List):
        return _duckdb_type(dtype.inner) + "[]"
    try:
        return _DUCKDB_TYPES[type(dtype)]
    except KeyError:
        raise TypeError(f"no DuckDB type for {dtype}") from None


def table_columns(name: str) -> dict[str, pl.DataType]:
    """Columns of the frame form of wire object ``name`` plus the DATE partition column."""
    return {**dict(polars_schema(name).items()), PARTITION_COLUMN: pl.Date()}


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Rows offered, rows newly stored (the rest were already there)."""

    offered: int
    inserted: int


class EventStore:
    """The append-only envelope store under ``root`` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.database = self.root / "event_store.duckdb"

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A connection with the schema and tables created (writers only: takes the lock)."""
        self.root.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.database))
        con.execute(f"create schema if not exists {SCHEMA}")
        for table, wire, key in ((ENVELOPES, "ReportEnvelope", "envelope_id"),
                                 (REJECTED, "QuarantineRecord", "provenance_hash")):
            columns = ", ".join(f'"{c}" {_duckdb_type(t)}' for c, t in table_columns(wire).items())
            con.execute(f"create table if not exists {SCHEMA}.{table} ({columns}, primary key ({key}))")
        return con

    def _check_columns(self, con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
        stored = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position", [SCHEMA, table]).fetchall()]
        missing, extra = sorted(set(stored) - set(frame.columns)), sorted(set(frame.columns) - set(stored))
        if missing or extra:
            raise SchemaDriftError(
                f"{SCHEMA}.{table}: frame columns differ from the stored table (missing {missing}, extra {extra});"
                " bump the wire object's schema version and migrate the table instead"
            )

    def _append(self, table: str, frame: pl.DataFrame) -> AppendResult:
        with self.connect() as con:
            self._check_columns(con, table, frame)
            if frame.is_empty():
                return AppendResult(0, 0)
            batch = frame.to_arrow()  # noqa: F841 - referenced by name in the SQL below
            before = con.execute(f"select count(*) from {SCHEMA}.{table}").fetchone()[0]
            con.execute("begin transaction")
            con.execute(f"insert into {SCHEMA}.{table} by name select * from batch on conflict do nothing")
            con.execute("commit")
            after = con.execute(f"select count(*) from {SCHEMA}.{table}").fetchone()[0]
        return AppendResult(frame.height, after - before)

    def append(self, envelopes: pl.DataFrame) -> AppendResult:
        """Store a validated ReportEnvelope frame that has the DATE ``partition_day`` column.

        Raises SchemaDriftError if its columns differ from the stored table's.
        """
        return self._append(ENVELOPES, envelopes)

    def reject(self, records: pl.DataFrame) -> AppendResult:
        """Store QuarantineRecords (with ``partition_day``) of payloads that failed their schema."""
        return self._append(REJECTED, records)

    def export(self, day: str) -> Path:
        """Refresh the Parquet snapshot of ``day`` (written to a temp file, then renamed)."""
        target = snapshot_path(self.root, day)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            frame = con.execute(
                f"select * from {SCHEMA}.{ENVELOPES} where {PARTITION_COLUMN} = ? order by bot, rowid",
                [date.fromisoformat(day)],
            ).pl()
        tmp = target.with_suffix(".parquet.tmp")
        frame.write_parquet(tmp)
        os.replace(tmp, target)
        return target

    def count(self, day: str, table: str = ENVELOPES) -> int:
        """Rows stored for ``day`` (opens the database: writers only)."""
        with self.connect() as con:
            return con.execute(
                f"select count(*) from {SCHEMA}.{table} where {PARTITION_COLUMN} = ?", [date.fromisoformat(day)]
            ).fetchone()[0]

    def counts_by_bot(self, day: str, *, except_payload_type: str | None = None) -> dict[str, int]:
        """Envelopes stored for ``day`` per bot, optionally leaving one payload type out (writers only)."""
        with self.connect() as con:
            return dict(con.execute(
                f"select bot, count(*) from {SCHEMA}.{ENVELOPES} where {PARTITION_COLUMN} = ? "
                "and payload_type is distinct from ? group by bot",
                [date.fromisoformat(day), except_payload_type],
            ).fetchall())


def snapshot_path(root: Path, day: str) -> Path:
    """Where the Parquet snapshot of ``day`` lives under event store folder ``root``."""
    return Path(root) / "parquet" / f"{PARTITION_COLUMN}={day}" / "envelopes.parquet"


def snapshot_files(root: Path) -> list[Path]:
    """Every day's Parquet snapshot under event store folder ``root``, oldest day first."""
    return sorted((Path(root) / "parquet").glob(f"{PARTITION_COLUMN}=*/envelopes.parquet"))


def read_envelopes(root: Path, day: str) -> pl.DataFrame:
    """The envelopes of ``day`` from the Parquet snapshot, without touching the DuckDB file.

    Columns as the ReportEnvelope frame plus ``partition_day``; rows ordered by bot, then as stored
    (one run's envelopes of a bot in sequence order, runs in the order they stored new envelopes).
    Raises FileNotFoundError if no run has exported ``day`` yet, ValueError if the snapshot is not
    a readable Parquet file (truncated, corrupt).
    """
    path = snapshot_path(root, day)
    if not path.is_file():
        raise FileNotFoundError(f"no envelopes exported for {day} under {root} (run the shadow job first)")
    try:
        return pl.read_parquet(path)
    except pl.exceptions.ComputeError as exc:
        raise ValueError(f"{path}: not a readable envelope snapshot ({exc}); re-run the day to export it again") \
            from exc
