"""The evidence readiness is computed on, gathered from the event store and the bot modules.

:func:`collect` reads, for every bot (see :class:`~polytraders.bots.readiness.Evidence`):

- **implemented** — :func:`~polytraders.bots.readiness.discover_implemented`;
- **ran on a recorded feed** and **shadow hours** — from the Parquet snapshots
  ``<event store>/parquet/partition_day=<day>/envelopes.parquet`` (columns ``bot`` and ``ts_ms``
  only): a bot ran when it has an envelope; its hours are, per partition, the span of its
  envelope ``ts_ms``, summed over partitions. The snapshots never take DuckDB's lock;
- **schema failures** — the ``rejected_payloads`` table exists only in the DuckDB file. Opening
  that file, even read-only, takes a shared lock, and a writer that connects meanwhile (the
  event store opens a connection per append) fails at once. So the file (and its ``.wal``) is
  copied to a temporary folder and the *copy* is opened read-only: the live file's lock is
  never touched, and a reader never breaks a run. The copy is checked against the live file's
  size and mtime before and after; a file that changed while copied, or a copy DuckDB cannot
  open, gives ``schema_failures = None`` ("unknown"), which keeps every bot below shadow-ready.
  No DuckDB file means no payload was ever rejected: every count is 0. Copying costs about
  0.06 s for a day's store (60 MB) and grows with the store; exporting the rejected payloads to
  Parquet beside the envelopes would make this a plain read (the event store's to do);
- **replayed identically** and **passed fixture scenarios** — empty: the replay simulator and
  the fixture pack do not exist yet.

No store at all is no evidence: every implemented bot is pending. :func:`at_load` is the
cached evidence of definition-load time, read by the Dagster op tags.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import duckdb
import polars as pl

from polytraders.bots.readiness import Evidence, discover_implemented
from polytraders.defs import environment
from polytraders.runtime.event_store import REJECTED, SCHEMA, EventStore, snapshot_files
from polytraders.runtime.streams import DATA_QUALITY_BOT

_MS_PER_HOUR = 3_600_000
_PATH = "_path"


def envelope_spans(event_store_root: Path) -> pl.DataFrame:
    """Per snapshot (partition) and bot: first and last envelope ``ts_ms``.

    Columns ``partition`` String (the snapshot file), ``bot`` String, ``first_ts_ms`` / ``last_ts_ms``
    Int64; empty when nothing is recorded.
    Reads the ``bot`` and ``ts_ms`` columns of the snapshots only.
    """
    files = snapshot_files(event_store_root)
    if not files:
        return pl.DataFrame(schema={"partition": pl.String, "bot": pl.String, "first_ts_ms": pl.Int64,
                                    "last_ts_ms": pl.Int64})
    return (
        pl.scan_parquet(files, include_file_paths=_PATH, hive_partitioning=False)
        .select(_PATH, "bot", "ts_ms")
        .group_by(_PATH, "bot")
        .agg(first_ts_ms=pl.col("ts_ms").min(), last_ts_ms=pl.col("ts_ms").max())
        .rename({_PATH: "partition"})
        .collect()
    )


def shadow_hours(spans: pl.DataFrame) -> dict[str, float]:
    """Hours of fixture time per bot from :func:`envelope_spans`: for every partition a bot
    emitted in, the span of that partition's stream (the fixture time the run covered), summed.
    A bot that only emits on an event (a fill, an end-of-day report) ran over the same day as the
    rest: its own first-to-last envelope span would understate that. The span leaves out
    gov.data_quality_monitor's envelopes when other bots emitted: registry records are stamped
    with the metadata's as-of time (the day's 00:00 UTC), not a time the session's data covered."""
    if "partition" not in spans.columns:
        spans = spans.with_columns(partition=pl.lit("all"))
    data_time = spans.filter(pl.col("bot") != DATA_QUALITY_BOT)
    day_span = (data_time if not data_time.is_empty() else spans).group_by("partition").agg(
        (pl.col("last_ts_ms").max() - pl.col("first_ts_ms").min()).alias("ms")
    )
    totals = spans.select("partition", "bot").unique().join(day_span, on="partition").group_by("bot").agg(
        pl.col("ms").sum()
    )
    return {bot: ms / _MS_PER_HOUR for bot, ms in totals.iter_rows()}


def _stat(paths: list[Path]) -> tuple[tuple[int, int] | None, ...]:
    return tuple((s.st_size, s.st_mtime_ns) if (s := _try_stat(p)) else None for p in paths)


def _try_stat(path: Path):  # noqa: ANN202 - os.stat_result | None
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def schema_failures(event_store_root: Path) -> dict[str, int] | None:
    """Rejected payloads per bot from a copy of the event store's DuckDB file.

    ``{}`` when there is no DuckDB file (nothing was ever rejected) or no rejected table; None
    when unknown: the file changed while it was copied, or the copy could not be read.
    """
    database = EventStore(Path(event_store_root)).database
    wal = database.with_name(database.name + ".wal")
    if not database.is_file():
        return {}
    live = [database, wal]
    before = _stat(live)
    with tempfile.TemporaryDirectory(prefix="polytraders-evidence-") as tmp:
        copy = Path(tmp) / database.name
        try:
            _copy(database, copy)
            if wal.is_file():
                _copy(wal, copy.with_name(copy.name + ".wal"))
        except OSError:
            return None
        if _stat(live) != before:
            return None
        try:
            with duckdb.connect(str(copy), read_only=True) as con:
                exists = con.execute(
                    "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                    [SCHEMA, REJECTED],
                ).fetchone()[0]
                if not exists:
                    return {}
                rows = con.execute(
                    f"select split_part(source, ':', 1) as bot, count(*) from {SCHEMA}.{REJECTED} group by bot"
                ).fetchall()
        except duckdb.Error:
            return None
    return {bot: int(n) for bot, n in rows}


def collect(settings: environment.Settings | None = None) -> Evidence:
    """The evidence of the event store of ``settings`` (default: the environment) and of the bot
    modules; see the module docstring for what each field is read from."""
    root = (settings or environment.current()).event_store
    spans = envelope_spans(root)
    hours = shadow_hours(spans)
    failures = schema_failures(root)
    latest = spans["last_ts_ms"].max()
    return Evidence(
        implemented_slugs=discover_implemented(),
        ran_on_recorded_feed=frozenset(hours),
        shadow_hours=MappingProxyType(hours),
        schema_failures=None if failures is None else MappingProxyType(failures),
        replayed_identically=frozenset(),  # no replay simulator yet
        passed_fixture_scenarios=frozenset(),  # no fixture pack yet
        as_of=None if latest is None else datetime.fromtimestamp(latest / 1000, UTC).isoformat(timespec="milliseconds"),
    )


def collect_or_pending(settings: environment.Settings | None = None) -> Evidence:
    """:func:`collect`, or — when the store cannot be read at all (a corrupt snapshot) — the
    implemented modules only (every bot pending, schema failures unknown), with a warning that
    names the error. Loading definitions must not fail on the evidence (a misconfigured
    environment is not evidence: its error from :func:`environment.current` propagates).
    """
    settings = settings or environment.current()
    try:
        return collect(settings)
    except Exception as exc:  # noqa: BLE001 - definitions must load; the warning names the cause
        warnings.warn(f"evidence unreadable, every bot pending: {type(exc).__name__}: {exc}", stacklevel=2)
        return Evidence(discover_implemented(), frozenset(), schema_failures=None)


@functools.cache
def at_load() -> Evidence:
    """:func:`collect_or_pending` of the environment, once per process (cached): the evidence of
    definition-load time, read by the Dagster op tags. A code-location reload starts a fresh
    process, so it reads the evidence again."""
    return collect_or_pending()
