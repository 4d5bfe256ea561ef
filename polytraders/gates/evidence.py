"""What the gates read: the recorded shadow runs (the event store) and the fixture days.

Read once per evaluation and shared by every phase check. The envelope stream is read from the
Parquet snapshots (never the DuckDB file, so a writer's lock never blocks it); rejected payloads
live only in the DuckDB file and are read with a read-only connection, which fails while a run
holds the write lock: that failure is recorded, never taken for "no rejections".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from polytraders.runtime.event_store import ENVELOPES, PARTITION_COLUMN, REJECTED, SCHEMA, snapshot_files

#: Envelope columns the gates read (the payload is read only where a check needs it).
_COLUMNS = ("bot", "payload_type", "ts_ms", "envelope_id", "causation_ids", "reason_codes", PARTITION_COLUMN)


@dataclass(frozen=True, slots=True)
class ShadowRecord:
    """The envelope stream of every recorded shadow run, and the payloads rejected by schema.

    Attributes:
        root: the event store folder.
        envelopes: one row per envelope, columns :data:`_COLUMNS` (``partition_day`` as a string).
        rejected: rejected payloads (``source`` = ``<bot>:<payload type>``, ``partition_day``), or
            None when they could not be read.
        rejected_error: why ``rejected`` is None.
    """

    root: Path
    envelopes: pl.DataFrame
    rejected: pl.DataFrame | None
    rejected_error: str | None = None

    def bots(self) -> frozenset[str]:
        """Bots with at least one envelope."""
        return frozenset(self.envelopes["bot"].unique().to_list())

    def days(self) -> list[str]:
        """Recorded partitions (fixture days), oldest first."""
        return sorted(self.envelopes[PARTITION_COLUMN].unique().to_list())

    def payloads(self, payload_type: str, *, bots: frozenset[str] | None = None,
                 days: list[str] | None = None) -> pl.DataFrame:
        """Envelopes of ``payload_type`` (of ``bots``, on ``days``) with their ``payload`` JSON text."""
        predicate = pl.col("payload_type") == payload_type
        if bots is not None:
            predicate &= pl.col("bot").is_in(sorted(bots))
        if days is not None:
            predicate &= pl.col(PARTITION_COLUMN).cast(pl.String).is_in(days)
        return (
            pl.scan_parquet(snapshot_files(self.root))
            .filter(predicate)
            .select(*_COLUMNS, "payload")
            .with_columns(pl.col(PARTITION_COLUMN).cast(pl.String))
            .collect()
        )


def load_record(root: Path) -> ShadowRecord | None:
    """The recorded shadow runs under event store folder ``root``; None when none was exported."""
    files = snapshot_files(root)
    if not files:
        return None
    envelopes = (
        pl.scan_parquet(files).select(_COLUMNS).with_columns(pl.col(PARTITION_COLUMN).cast(pl.String)).collect()
    )
    rejected, error = _rejected(Path(root) / "event_store.duckdb")
    return ShadowRecord(Path(root), envelopes, rejected, error)


def _rejected(database: Path) -> tuple[pl.DataFrame | None, str | None]:
    if not database.is_file():
        return None, f"no event store database at {database}"
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            frame = con.execute(
                f"select source, cast({PARTITION_COLUMN} as varchar) as {PARTITION_COLUMN} from {SCHEMA}.{REJECTED}"
            ).pl()
    except duckdb.Error as exc:
        return None, f"rejected payloads unreadable ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
    return frame, None


def envelope_table_keys(database: Path) -> tuple[list[str] | None, str]:
    """Primary-key columns of ``events.envelopes`` in the DuckDB file, and what was found."""
    if not database.is_file():
        return None, f"no event store database at {database}"
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            rows = con.execute(
                "select constraint_column_names from duckdb_constraints() "
                "where schema_name = ? and table_name = ? and constraint_type = 'PRIMARY KEY'",
                [SCHEMA, ENVELOPES],
            ).fetchall()
    except duckdb.Error as exc:
        return None, f"{database} unreadable ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
    if not rows:
        return [], f"{SCHEMA}.{ENVELOPES} in {database} has no primary key"
    return list(rows[0][0]), f"{SCHEMA}.{ENVELOPES} primary key ({', '.join(rows[0][0])})"


def fixture_days(fixtures_root: Path) -> list[str]:
    """Complete fixture days (capture and markets.json) under ``fixtures_root``, oldest first."""
    from polytraders.adapters.capture import list_fixture_days
    from polytraders.runtime.stages import MARKETS_FILE

    if not Path(fixtures_root).is_dir():
        return []
    return [day for day in list_fixture_days(fixtures_root) if (Path(fixtures_root) / day / MARKETS_FILE).is_file()]


def read_manifest(day_dir: Path) -> dict | None:
    """A fixture day's ``MANIFEST.json``, or None when missing or not JSON."""
    try:
        return json.loads((day_dir / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
