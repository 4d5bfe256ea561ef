"""Benchmark: the risk pipeline (S7) over an intent frame, all 19 risk bots, and the day's S7 fold.

Takes a shadow run's recorded PLACE intents of the day (event store) with their market columns
(the warehouse's stage tables; run ``polytraders shadow --day D`` first) and an empty portfolio,
repeats them to ``--rows`` intents (ids made unique), and times
:func:`~polytraders.runtime.risk_pipeline.run_pipeline` through the shadow profile's declared
order (every bot evaluated on every row it reaches; no vote reused). Then times the whole S7 fold
(:func:`~polytraders.runtime.risk_gate.run_gate`) over the day's intents as the shadow run does.
Target: at least 200,000 intents per second through the pipeline on 2 cores.

Usage: ``python benchmarks/bench_risk.py [--day 2026-09-28] [--rows 1000000]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time

import polars as pl

from polytraders.bots.risk.context import RiskContext
from polytraders.defs import environment
from polytraders.gates.risk_probe import empty_portfolio
from polytraders.runtime import risk_shadow
from polytraders.runtime.profile import SHADOW
from polytraders.runtime.risk_context import MarketInputs, keepalives, market_columns
from polytraders.runtime.risk_gate import run_gate
from polytraders.runtime.risk_pipeline import run_pipeline

TARGET = 200_000


def day_inputs(day: str) -> tuple[pl.DataFrame, MarketInputs]:
    """The day's recorded intents (event store) and the gate's market inputs (warehouse), as a
    shadow run of ``day`` left them. Raises FileNotFoundError / LookupError when there is none."""
    env = environment.current()
    return (risk_shadow.recorded_intents(env.event_store, day),
            risk_shadow.warehouse_inputs(env.duckdb_path, environment.STAGE_SCHEMA, day, env.freshness_budgets))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--day", default="2026-09-28")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    intents, inputs = day_inputs(args.day)
    places = empty_portfolio(market_columns(intents.filter(pl.col("kind") == "PLACE"), inputs))
    copies = -(-args.rows // places.height)
    frame = pl.concat([places.with_columns(pl.col("intent_id") + f"-{k}") for k in range(copies)]).head(args.rows)
    ts = inputs.market_snapshots["ts_ms"]
    ctx = RiskContext(venue_events=keepalives(int(ts.min()), int(ts.max())), feed_health=inputs.feed_health)
    steps = SHADOW.risk_steps()
    started = time.perf_counter()
    result = run_pipeline(frame, ctx, [dataclasses.replace(s, budget_ms=60_000.0) for s in steps])
    pipeline_s = time.perf_counter() - started
    counts = result.decisions.group_by("decision").len().sort("decision").rows()
    rate = frame.height / pipeline_s
    print(f"pipeline: {frame.height:,} intents through {len(steps)} risk bots in {pipeline_s:.2f} s = {rate:,.0f} "  # noqa: T201 - a benchmark's output is its report
          f"intents/s (target {TARGET:,}: {'met' if rate >= TARGET else 'missed'}); decisions {counts}")
    for slug, ns in sorted(result.elapsed_ns.items(), key=lambda kv: -kv[1])[:6]:
        print(f"  {slug:28s} {ns / 1e6:8.1f} ms")  # noqa: T201 - a benchmark's output is its report
    started = time.perf_counter()
    gate = run_gate(intents, inputs, steps)
    fold_s = time.perf_counter() - started
    print(f"S7 fold over the day: {intents.height:,} intents, {gate.segments:,} segments, {fold_s:.1f} s "  # noqa: T201 - a benchmark's output is its report
          f"(bots {sum(gate.elapsed_ms.values()) / 1e3:.1f} s)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")  # noqa: T201 - a benchmark's output is its report


if __name__ == "__main__":
    main()
