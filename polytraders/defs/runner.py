"""Run the shadow job for one fixture day in this process, reporting progress step by step.

Used by ``polytraders shadow``. Runs are recorded in the Dagster instance of ``DAGSTER_HOME``
(created from the repo's ``dagster.yaml`` template when missing), so they show in the UI.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import polars as pl
from dagster._utils.error import SerializableErrorInfo

from polytraders.adapters.capture import list_fixture_days
from polytraders.defs import environment
from polytraders.defs.partitions import fixture_days
from polytraders.runtime.event_store import read_envelopes
from polytraders.runtime.reports import read_run_metrics
from polytraders.runtime.stages import MARKETS_FILE

JOB = "shadow_job"


def ensure_dagster_home() -> Path:
    """``DAGSTER_HOME`` (default ``<repo>/.dagster_home``), created with ``dagster.yaml`` if missing."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(environment.REPO_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(environment.REPO_ROOT / "dagster.yaml", config)
    return home


@dataclass(frozen=True, slots=True)
class DayRun:
    """Outcome of one shadow run."""

    run_id: str
    success: bool
    wall_s: float
    step_ms: dict[str, float]
    failures: dict[str, str]
    frames_in: int | None


class FixtureDayError(ValueError):
    """The requested fixture day is not a complete fixture day (named, with both files)."""


def check_day(day: str, fixtures_root: Path) -> Path:
    """The directory of fixture day ``day``; raises FixtureDayError (saying what is missing)
    unless ``day`` is a ``YYYY-MM-DD`` directory under ``fixtures_root`` with a capture and
    market metadata. Checked before a partition is registered, so no bad name ever becomes one."""
    days = list_fixture_days(fixtures_root)
    if day not in days:
        raise FixtureDayError(f"no fixture day {day!r} under {fixtures_root} (days: {', '.join(days) or 'none'})")
    day_dir = fixtures_root / day
    if not (day_dir / MARKETS_FILE).is_file():
        raise FixtureDayError(f"fixture day {day} has no {MARKETS_FILE} in {day_dir}")
    return day_dir


class WriterBusyError(RuntimeError):
    """Another process is writing this DuckDB file and event store (DuckDB allows one writer)."""


@contextmanager
def writer_lock(settings: environment.Settings) -> Iterator[None]:
    """Hold the exclusive writer lock of ``settings``' DuckDB file and event store for a run.

    Raises WriterBusyError at once (instead of DuckDB's lock error ~20 s into the run) when
    another ``polytraders shadow`` holds it. UI-launched runs are serialised by the run queue.
    """
    path = settings.var_dir / ".shadow-writer.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WriterBusyError(
                f"another shadow run is writing {settings.duckdb_path}: wait for it, or set POLYTRADERS_DUCKDB "
                "to another file"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _root_cause(error: SerializableErrorInfo) -> str:
    """The innermost cause of a step failure, as ``Type: message`` on one line."""
    while error.cause is not None:
        error = error.cause
    return " ".join(error.message.split())


def run_day(day: str, defs: dg.Definitions, on_step: Callable[[str, int, int], None] | None = None) -> DayRun:
    """Materialise S1-S11 for fixture day ``day`` in process.

    ``on_step(step_key, done, total)`` is called (from this thread) as steps finish; failures
    are reported by their root cause. Raises FixtureDayError (see :func:`check_day`) and
    WriterBusyError (see :func:`writer_lock`).
    """
    settings = environment.current()
    check_day(day, settings.fixtures_root)
    with writer_lock(settings):
        return _run_day(day, defs, on_step)


def _run_day(day: str, defs: dg.Definitions, on_step: Callable[[str, int, int], None] | None) -> DayRun:
    ensure_dagster_home()
    instance = dg.DagsterInstance.get()
    if not instance.has_dynamic_partition(fixture_days.name, day):
        instance.add_dynamic_partitions(fixture_days.name, [day])
    job = defs.resolve_job_def(JOB)
    total = sum(1 for _ in job.graph.iterate_op_defs())
    run_id = str(uuid.uuid4())
    outcome: dict[str, dg.ExecuteInProcessResult] = {}

    def execute() -> None:
        outcome["result"] = job.execute_in_process(
            partition_key=day, instance=instance, run_id=run_id, raise_on_error=False,
            # The CLI reports failures itself (root cause, one line); the UI keeps the full log.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )

    started = time.perf_counter()
    worker = threading.Thread(target=execute, name=f"shadow-{day}")
    worker.start()
    seen: set[str] = set()
    while worker.is_alive():
        worker.join(timeout=0.25)
        if on_step is None:
            continue
        for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS):
            key = record.dagster_event.step_key if record.dagster_event else None
            if key and key not in seen:
                seen.add(key)
                on_step(key, len(seen), total)
    result = outcome["result"]
    step_ms, failures, frames_in = {}, {}, None
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_SUCCESS:
            step_ms[event.step_key] = event.event_specific_data.duration_ms
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            failures[event.step_key] = _root_cause(event.event_specific_data.error)
        elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            meta = event.event_specific_data.materialization.metadata
            if "frames_in" in meta:
                frames_in = int(meta["frames_in"].value)
    return DayRun(run_id, result.success, time.perf_counter() - started, step_ms, failures, frames_in)


def read_metrics(day: str) -> pl.DataFrame:
    """The RunMetric rows of ``day`` (stage, metric, key, value) from the event store's snapshot."""
    return read_run_metrics(day, read_envelopes(environment.current().event_store, day))
