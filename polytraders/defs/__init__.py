"""Dagster wiring only: assets per stage, partitions, sensors, schedules, checks, resources.

All logic lives in :mod:`polytraders.runtime`; assets here load inputs, call it, validate and
return frames. ``definitions.defs`` is what ``workspace.yaml`` loads.
"""
