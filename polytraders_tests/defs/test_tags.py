"""The UI and the guide never disagree: every bot op's tags are exactly ``bot_facts`` of the
evidence the guide reads (``evidence.collect()``), readiness included.

Tags are computed when the definitions load (import time of ``polytraders.defs.stages``), from
the environment's event store, so the definitions are built in a fresh process whose environment
points at a temporary store (a code-location reload is such a process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from polytraders.bots import manifest
from polytraders.bots.readiness import as_tags, bot_facts, compute_readiness
from polytraders.defs import environment, evidence, stages
from polytraders.runtime.event_store import PARTITION_COLUMN

T0 = 1_790_553_600_000  # 2026-09-28T00:00:00Z
#: Bots with envelopes in the temporary store; risk.drawdown runs inside the risk gate op.
RAN = ("intel.microprice", "gov.heartbeat", "risk.drawdown", "sec.nonce_manager")

_BUILD_AND_DUMP = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from polytraders.defs import environment
    from polytraders.defs.definitions import build
    fixtures, db, store = (Path(p) for p in sys.argv[1:4])
    defs = build(environment.Settings(fixtures_root=fixtures, duckdb_path=db, event_store_root=store))
    ops = defs.resolve_job_def("shadow_job").graph.iterate_op_defs()
    print(json.dumps({op.name: {k: v for k, v in op.tags.items() if k.startswith("polytraders/")} for op in ops}))
""")


def _write_snapshot(store: Path, day: str, rows: list[tuple[str, int]]) -> None:
    path = store / "parquet" / f"{PARTITION_COLUMN}={day}" / "envelopes.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"bot": [b for b, _ in rows], "ts_ms": [t for _, t in rows]},
                 schema={"bot": pl.String, "ts_ms": pl.Int64}).with_columns(
        pl.lit(date.fromisoformat(day)).alias(PARTITION_COLUMN)).write_parquet(path)


def _op_tags(settings: environment.Settings) -> dict[str, dict[str, str]]:
    """Op name -> its ``polytraders/*`` tags, from definitions loaded in a fresh process."""
    env = {**os.environ, "POLYTRADERS_FIXTURES": str(settings.fixtures_root),
           "POLYTRADERS_DUCKDB": str(settings.duckdb_path), "POLYTRADERS_EVENT_STORE": str(settings.event_store)}
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_AND_DUMP, str(settings.fixtures_root), str(settings.duckdb_path),
         str(settings.event_store)], env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=["recorded", "no store"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("tags")
    settings = environment.Settings(fixtures_root=tmp / "fixtures", duckdb_path=tmp / "var" / "tags.duckdb",
                                    event_store_root=tmp / "store")
    if request.param == "recorded":
        _write_snapshot(settings.event_store, "2026-09-28", [(bot, T0 + i) for i, bot in enumerate(RAN)])
    return request.param, settings, _op_tags(settings)


def test_bot_ops_when_definitions_load_then_tags_equal_bot_facts_of_collected_evidence(loaded) -> None:
    _, settings, ops = loaded
    collected = evidence.collect(settings)  # what the guide reads
    tagged = {tags["polytraders/bot"]: tags for tags in ops.values() if "polytraders/bot" in tags}
    # 17 intel + 6 disc + the DQ monitor + strategy + fee estimator (S6) + S8's lifecycle manager + 6 gov
    # (risk: one op)
    assert len(tagged) == 33
    for slug, tags in tagged.items():
        assert tags == as_tags(bot_facts(slug, collected)), slug


def test_bot_ops_when_definitions_load_then_tags_match_manifest_and_compute_readiness(loaded) -> None:
    case, settings, ops = loaded
    collected = evidence.collect(settings)
    tagged = {tags["polytraders/bot"]: tags for tags in ops.values() if "polytraders/bot" in tags}
    for slug, tags in tagged.items():
        spec = manifest.get(slug)
        assert tags["polytraders/class"] == spec.bot_class
        assert tags["polytraders/phase"] == f"P{spec.phase}"
        assert tags["polytraders/capital_impact"] == str(spec.capital_impact)
        assert tags["polytraders/modes"] == ",".join(spec.modes)
        assert tags["polytraders/readiness"] == str(compute_readiness(spec, collected))
    readiness = {slug: tags["polytraders/readiness"] for slug, tags in tagged.items()}
    # only implemented bots that ran are demo-wired
    wired = {"intel.microprice", "gov.heartbeat"} if case == "recorded" else set()
    assert {s for s, r in readiness.items() if r == "demo-wired"} == wired
    assert {r for s, r in readiness.items() if s not in wired} == {"pending"}


def test_bot_tags_when_called_in_this_process_then_facts_of_the_load_time_evidence() -> None:
    for slug in ("intel.microprice", "risk.killswitch", "gov.audit_log"):
        assert stages.bot_tags(slug) == as_tags(bot_facts(slug, evidence.at_load()))
