"""Fixture-day partitions: one partition per directory ``fixtures/YYYY-MM-DD``."""

import dagster as dg

fixture_days = dg.DynamicPartitionsDefinition(name="fixture_day")

#: Every stage frame carries this DATE column; the DuckDB IO manager deletes and reloads by it
#: (a text partition column silently loads 0 rows and duplicates on rerun).
PARTITION_COLUMN = "partition_day"
