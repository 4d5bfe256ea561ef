"""The one place the environment is decided: paths per environment, read when definitions load."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from polytraders.adapters.budgets import DEFAULT_BUDGETS, FreshnessBudgets

REPO_ROOT = Path(__file__).resolve().parents[2]

#: The largest fixture day (capture frames) a run is started for without being asked by name: the
#: bundled day (38,376 frames) runs S1–S11 in about a minute; the universe day (8.7 M frames) does
#: not fit a whole in-process run on a 24 GiB machine yet (see README, "Speed").
MAX_AUTO_RUN_FRAMES = 1_000_000

#: DuckDB schema that holds every stage table.
STAGE_SCHEMA = "shadow"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the fixture days are, where the DuckDB file lives, and the adapter's freshness budgets.

    Environment variables (all optional):
        POLYTRADERS_FIXTURES: fixture root (default ``<repo>/fixtures``).
        POLYTRADERS_DUCKDB: DuckDB file of the stage tables (default ``<repo>/var/polytraders.duckdb``).
        POLYTRADERS_EVENT_STORE: event store folder (default: ``event_store/`` beside the DuckDB file).
        POLYTRADERS_ALERT_WEBHOOK: URL the ``webhook`` alert sink POSTs to (unset: no webhook sink).
        POLYTRADERS_FRESHNESS_BUDGETS: a JSON object overriding fields of
            :class:`~polytraders.adapters.budgets.FreshnessBudgets` (ms), e.g.
            ``{"ws_market_ms": 1000, "feed_liveness_ms": 60000}`` (unset: the documented defaults).
        POLYTRADERS_MAX_AUTO_RUN_FRAMES: the largest capture (frames) the sensor and
            ``polytraders backfill`` run on their own (default :data:`MAX_AUTO_RUN_FRAMES`); a larger
            day still becomes a partition and runs when asked for by name.
    """

    fixtures_root: Path
    duckdb_path: Path
    event_store_root: Path | None = None
    alert_webhook_url: str | None = None
    freshness_budgets: FreshnessBudgets = DEFAULT_BUDGETS
    max_auto_run_frames: int = MAX_AUTO_RUN_FRAMES

    @property
    def var_dir(self) -> Path:
        """Where run outputs live beside the DuckDB file: alerts, reports."""
        return self.duckdb_path.parent

    @property
    def event_store(self) -> Path:
        """The event store folder (its own DuckDB file and Parquet snapshots)."""
        return self.event_store_root or self.duckdb_path.parent / "event_store"


def current() -> Settings:
    """Settings for this process, from the environment (call at definition-load time).

    Raises ValueError if the DuckDB file is named like the stage schema (``shadow.duckdb``):
    DuckDB names the catalog after the file, and a catalog and schema of the same name make
    every table reference ambiguous; FreshnessBudgetsError (a ValueError) naming the bad key when
    POLYTRADERS_FRESHNESS_BUDGETS is not a JSON object of known non-negative integer fields.
    """
    settings = Settings(
        fixtures_root=Path(os.environ.get("POLYTRADERS_FIXTURES", REPO_ROOT / "fixtures")),
        duckdb_path=Path(os.environ.get("POLYTRADERS_DUCKDB", REPO_ROOT / "var" / "polytraders.duckdb")),
        event_store_root=Path(store) if (store := os.environ.get("POLYTRADERS_EVENT_STORE")) else None,
        alert_webhook_url=os.environ.get("POLYTRADERS_ALERT_WEBHOOK") or None,
        freshness_budgets=FreshnessBudgets.from_json(os.environ.get("POLYTRADERS_FRESHNESS_BUDGETS")),
        max_auto_run_frames=int(os.environ.get("POLYTRADERS_MAX_AUTO_RUN_FRAMES", MAX_AUTO_RUN_FRAMES)),
    )
    if settings.duckdb_path.stem == STAGE_SCHEMA:
        raise ValueError(f"POLYTRADERS_DUCKDB must not be named {STAGE_SCHEMA}.duckdb (catalog = schema name)")
    return settings
