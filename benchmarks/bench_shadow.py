"""Benchmark: the whole shadow run (S1-S11) over one fixture day, and where the time goes.

Prints Python + Dagster start-up (imports and definitions), the in-process run's wall time,
each step's time, the time S8 spent signing orders and self-testing them (EIP-712, CLOB V2) and
its share of all step compute, and peak RSS of the process. Uses a throw-away DuckDB file and an ephemeral
Dagster instance, so it never touches ``var/`` or ``.dagster_home``.

Usage: ``python benchmarks/bench_shadow.py [--day 2026-09-28]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

started = time.perf_counter()

import dagster as dg  # noqa: E402 - timed on purpose

from polytraders.defs import environment  # noqa: E402
from polytraders.defs.definitions import build  # noqa: E402
from polytraders.defs.partitions import fixture_days  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", default="2026-09-28")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = environment.Settings(
            fixtures_root=environment.current().fixtures_root, duckdb_path=Path(tmp) / "bench.duckdb"
        )
        defs = build(settings)
        job = defs.resolve_job_def("shadow_job")
        startup_s = time.perf_counter() - started
        instance = dg.DagsterInstance.ephemeral()
        instance.add_dynamic_partitions(fixture_days.name, [args.day])
        run_started = time.perf_counter()
        result = job.execute_in_process(
            partition_key=args.day, instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
        run_s = time.perf_counter() - run_started
    steps = {
        e.step_key: e.event_specific_data.duration_ms / 1000
        for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_SUCCESS
    }
    signing_s = next(
        (float(m.metadata["signing_s"].value) for m in
         (e.event_specific_data.materialization for e in result.all_events
          if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION)
         if m.asset_key.path[-1] == "sec_signing_service" and "signing_s" in m.metadata),
        0.0,
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"shadow run {args.day}: success={result.success}",
        f"  start-up (imports + definitions): {startup_s:6.2f} s",
        f"  run (execute_in_process):         {run_s:6.2f} s",
        f"    of which step compute:          {sum(steps.values()):6.2f} s",
        f"    Dagster overhead in the run:    {run_s - sum(steps.values()):6.2f} s",
        f"  total wall:                       {startup_s + run_s:6.2f} s",
        f"  signing in S8 (sign + self-test): {signing_s:6.2f} s = "
        f"{100 * signing_s / max(sum(steps.values()), 1e-9):.1f} % of S1-S11 step compute",
        f"  peak RSS:                         {peak_mib:6.0f} MiB",
        "  steps (s):",
        *(f"    {k:<45} {v:6.2f}" for k, v in sorted(steps.items(), key=lambda kv: -kv[1])),
    ]
    print("\n".join(lines))  # noqa: T201 - a benchmark's output is its report


if __name__ == "__main__":
    main()
