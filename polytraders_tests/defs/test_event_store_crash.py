"""A shadow run killed at a random point, then re-run, leaves the same event store as a run that
was never interrupted: same envelope ids and payloads, no duplicate, nothing lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from polytraders.runtime.event_store import EventStore, read_envelopes

pytestmark = pytest.mark.slow

DAY = "2026-09-28"

RUN_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    import dagster as dg
    from polytraders.defs import environment
    from polytraders.defs.definitions import build

    fixtures, db = Path(sys.argv[1]), Path(sys.argv[2])
    defs = build(environment.Settings(fixtures_root=fixtures, duckdb_path=db))
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("fixture_day", [sys.argv[3]])
    result = defs.resolve_job_def("shadow_job").execute_in_process(
        partition_key=sys.argv[3], instance=instance,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}}, raise_on_error=True)
    sys.exit(0 if result.success else 1)
""")


def _run(fixtures: Path, db: Path, kill_after_s: float | None = None) -> int | None:
    """Run the job in a subprocess; with ``kill_after_s`` SIGKILL it then (None if it was killed)."""
    log = db.parent / f"run-{time.monotonic_ns()}.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-c", RUN_SCRIPT, str(fixtures), str(db), DAY],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    if kill_after_s is None:
        code = proc.wait(timeout=300)
        if code != 0:
            raise AssertionError(f"run failed ({code}):\n" + log.read_text()[-3000:])
        return code
    deadline = time.monotonic() + kill_after_s
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if proc.poll() is not None:
        return proc.returncode
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return None


def _envelopes(db: Path) -> pl.DataFrame:
    """Every envelope but gov.heartbeat's and the run metrics that count them: liveness per run
    reports which runs wrote the partition, and after a crash that is two runs, not one — a true
    difference, not a loss (the metrics' heartbeat rows and S11 envelope count follow it)."""
    root = db.parent / "event_store"
    EventStore(root).export(DAY)
    per_run = (pl.col("bot") == "gov.heartbeat") | (pl.col("payload_type") == "RunMetric")
    return (read_envelopes(root, DAY).filter(~per_run)
            .select("envelope_id", "bot", "payload_type", "payload").sort("envelope_id"))


def test_event_store_when_run_killed_and_rerun_then_same_as_uninterrupted(day_slice, tmp_path) -> None:
    fixtures, *_ = day_slice
    clean_db = tmp_path / "clean" / "stages.duckdb"
    clean_db.parent.mkdir()
    assert _run(fixtures, clean_db) == 0
    expected = _envelopes(clean_db)

    seed = random.randrange(10**6)
    delay_s = random.Random(seed).uniform(2.0, 7.0)  # start-up is ~2 s: the kill lands mid-run
    crashed_db = tmp_path / "crashed" / "stages.duckdb"
    crashed_db.parent.mkdir()
    killed = _run(fixtures, crashed_db, kill_after_s=delay_s)
    partial = (crashed_db.parent / "event_store" / "event_store.duckdb").exists()
    assert _run(fixtures, crashed_db) == 0, f"rerun after a kill at {delay_s:.2f} s (seed {seed}) failed"
    again = _envelopes(crashed_db)

    assert again.height == expected.height, f"kill at {delay_s:.2f} s (seed {seed}, killed={killed is None})"
    assert again["envelope_id"].n_unique() == again.height
    differ = again.join(expected, on="envelope_id", how="anti").group_by("bot", "payload_type").len().rows()
    assert again.equals(expected), f"kill at {delay_s:.2f} s (seed {seed}), store existed: {partial}; new: {differ}"
