"""Sensor, schedule and job: new fixture days become partitions; shadow runs on a schedule."""

from __future__ import annotations

from datetime import date

import dagster as dg

from polytraders.adapters.capture import capture_frames, list_fixture_days
from polytraders.defs.environment import MAX_AUTO_RUN_FRAMES
from polytraders.defs.partitions import fixture_days

shadow_job = dg.define_asset_job(
    "shadow_job",
    selection=dg.AssetSelection.groups(*(f"s{i}_{n}" for i, n in (
        (1, "registry"), (2, "ingestion"), (3, "state"), (4, "signals"), (5, "fair_value"), (6, "execution"),
        (7, "risk"), (8, "oms"), (9, "inventory"), (10, "replay"), (11, "monitoring")))),
    # One process: DuckDB allows a single writer, and in-process start-up is the cheapest.
    executor_def=dg.in_process_executor,
    tags={"polytraders/duckdb-writer": "true"},
    description="S1-S11 in shadow over one fixture day.",
)


def new_days(root: str, known: set[str]) -> list[str]:
    """Fixture days under ``root`` that are not partitions yet, oldest first."""
    return [d for d in list_fixture_days(root) if d not in known]


def auto_runnable(root: str, days: list[str], max_frames: int) -> tuple[list[str], list[str]]:
    """Split ``days`` into those whose capture holds at most ``max_frames`` frames (run on their
    own) and the larger ones (a partition only: run by name, e.g. ``polytraders shadow --day D``)."""
    small = [d for d in days if capture_frames(f"{root}/{d}") <= max_frames]
    return small, [d for d in days if d not in small]


def build_sensor(root: str, max_frames: int = MAX_AUTO_RUN_FRAMES) -> dg.SensorDefinition:
    """A sensor that adds a partition for each new fixture day and requests a shadow run of each
    one no larger than ``max_frames`` capture frames (the larger are logged, not run)."""

    @dg.sensor(job=shadow_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
    def fixture_day_sensor(context: dg.SensorEvaluationContext):
        days = new_days(root, set(context.instance.get_dynamic_partitions(fixture_days.name)))
        small, large = auto_runnable(root, days, max_frames)
        if large:
            context.log.info(f"partitions added but not run (capture > {max_frames:,} frames; run them by name): "
                             + ", ".join(large))
        return dg.SensorResult(
            run_requests=[dg.RunRequest(partition_key=d, run_key=f"fixture-day-{d}") for d in small],
            dynamic_partitions_requests=[fixture_days.build_add_request(days)] if days else [],
        )

    return fixture_day_sensor


def _is_day(key: str) -> bool:
    try:
        return date.fromisoformat(key).isoformat() == key
    except ValueError:
        return False


@dg.schedule(job=shadow_job, cron_schedule="0 6 * * *", execution_timezone="UTC")
def daily_shadow(context: dg.ScheduleEvaluationContext):
    """Every day at 06:00 UTC (once turned on in the UI): a shadow run of the newest fixture day.

    Only partition keys that are ``YYYY-MM-DD`` dates count (a key added by hand in the UI that
    is not a date is ignored rather than scheduled every day)."""
    days = [d for d in context.instance.get_dynamic_partitions(fixture_days.name) if _is_day(d)]
    if not days:
        return dg.SkipReason("no fixture day registered yet (the sensor adds them)")
    latest = max(days)
    return dg.RunRequest(partition_key=latest, run_key=f"daily-{context.scheduled_execution_time:%Y%m%d}-{latest}")
