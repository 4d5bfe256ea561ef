"""The code location ``workspace.yaml`` loads: ``defs``."""

from __future__ import annotations

import dagster as dg

from polytraders.defs import environment, signals, stages
from polytraders.defs.resources import (
    AdapterBoundary,
    AlertSinks,
    EventStoreResource,
    FixtureStore,
    PolytradersDuckDBIOManager,
    Warehouse,
)
from polytraders.defs.sensors import build_sensor, daily_shadow, shadow_job
from polytraders.runtime import wallet
from polytraders.runtime.oms import Rails
from polytraders.runtime.profile import SHADOW


def build(settings: environment.Settings | None = None) -> dg.Definitions:
    """All definitions, with paths from ``settings`` (default: the environment).

    The signing set-up is read from the environment here too (runtime.wallet), so a key, wallet,
    chain or allow-list that cannot work stops the code location from loading, naming the
    problem, before the UI, the sensor or the schedule can start a run (S8 reads it again)."""
    settings = settings or environment.current()
    Rails.of(SHADOW, wallet.load())
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    database = str(settings.duckdb_path)
    return dg.Definitions(
        assets=dg.load_assets_from_modules([stages, signals]),
        jobs=[shadow_job],
        sensors=[build_sensor(str(settings.fixtures_root), settings.max_auto_run_frames)],
        schedules=[daily_shadow],
        resources={
            "io_manager": PolytradersDuckDBIOManager(database=database, schema=stages.SCHEMA),
            "fixtures": FixtureStore(root=str(settings.fixtures_root)),
            "adapter": AdapterBoundary(freshness_budgets_json=settings.freshness_budgets.model_dump_json()),
            "warehouse": Warehouse(database=database),
            "event_store": EventStoreResource(root=str(settings.event_store)),
            "alert_sinks": AlertSinks(file_path=str(settings.var_dir / "alerts" / "alerts.jsonl"),
                                      webhook_url=settings.alert_webhook_url),
            "mem_io_manager": dg.mem_io_manager,
        },
    )


defs = build()
