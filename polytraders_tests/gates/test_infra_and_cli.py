"""Infra tasks on temporary repos, evaluate() with locks, and the ``polytraders gates`` command."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from typer.testing import CliRunner

from polytraders.cli import app
from polytraders.cli import gates as gates_cli
from polytraders.gates import GateReport, GateResult, GateState, InfraTask, evaluate, infra
from polytraders.runtime.event_store import EventStore

WRITER_YAML = """run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    tag_concurrency_limits:
      - key: "polytraders/duckdb-writer"
        limit: {limit}
"""


def _ci(root: Path, script: str, recipe: str = "\t$(BIN)/ruff check polytraders\n\t$(BIN)/pytest -n 2\n") -> Path:
    (root / ".ci").mkdir(parents=True, exist_ok=True)
    (root / ".ci" / "run").write_text(script, encoding="utf-8")
    (root / ".ci" / "run").chmod(0o755)
    (root / "Makefile").write_text(f"setup:\n\ttrue\n\ntest: setup\n{recipe}\nother:\n\ttrue\n", encoding="utf-8")
    return root


def test_ci_runs_tests_when_ci_calls_make_test_then_done(tmp_path: Path) -> None:
    task = infra.ci_runs_tests(_ci(tmp_path, "#!/bin/sh\nset -e\nmake test\n"))
    assert (task.done, task.check) == (True, ".ci/run calls `make test` (ruff check + pytest)")


@pytest.mark.parametrize(("script", "recipe", "check"), [
    ("#!/bin/sh\nmake test-fast\n", "\truff check\n\tpytest\n", ".ci/run does not call `make test`"),
    ("#!/bin/sh\nmake test\n", "\tpytest\n", "`make test` does not run ruff check"),
])
def test_ci_runs_tests_when_ci_or_recipe_falls_short_then_not_done(
        tmp_path: Path, script: str, recipe: str, check: str) -> None:
    task = infra.ci_runs_tests(_ci(tmp_path, script, recipe))
    assert (task.done, task.check) == (False, check)


def test_ci_runs_tests_when_no_ci_script_then_not_done(tmp_path: Path) -> None:
    assert infra.ci_runs_tests(tmp_path).check == "no .ci/run"


@pytest.mark.parametrize(("limit", "done"), [(1, True), (2, False)])
def test_writer_limit_when_dagster_yaml_limit_then_done_only_at_one(tmp_path: Path, limit: int, done: bool) -> None:
    (tmp_path / "dagster.yaml").write_text(WRITER_YAML.format(limit=limit), encoding="utf-8")
    task = infra.writer_limit(tmp_path)
    assert task.done is done
    assert task.check == ("QueuedRunCoordinator, polytraders/duckdb-writer limit 1" if done else
                          "tag polytraders/duckdb-writer limit is 2, not 1")


def test_pinned_dependencies_when_a_range_then_not_done_naming_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["polars==2.1.0", "duckdb>=1"]\n', encoding="utf-8")
    task = infra.pinned_dependencies(tmp_path)
    assert (task.done, task.check) == (False, "not pinned: duckdb>=1")


def test_event_store_append_only_when_store_created_then_done(tmp_path: Path) -> None:
    EventStore(tmp_path).connect().close()
    task = infra.event_store_append_only(tmp_path)
    assert (task.done, task.check) == (True, "events.envelopes primary key (envelope_id)")


def test_event_store_append_only_when_table_has_no_key_or_no_file_then_not_done(tmp_path: Path) -> None:
    assert infra.event_store_append_only(tmp_path).check == f"no event store database at {tmp_path}/event_store.duckdb"
    with duckdb.connect(str(tmp_path / "event_store.duckdb")) as con:
        con.execute("create schema events; create table events.envelopes (envelope_id varchar)")
    task = infra.event_store_append_only(tmp_path)
    assert (task.done, task.check) == (False, f"events.envelopes in {tmp_path}/event_store.duckdb has no primary key")


def _day(root: Path, manifest: dict | None) -> None:
    day = root / "fixtures" / "2026-01-02"
    day.mkdir(parents=True)
    for name in ("capture.jsonl.gz", "markets.json"):
        (day / name).write_bytes(b"")
    if manifest is not None:
        (day / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_fixture_provenance_when_manifest_names_an_existing_licence_then_done(tmp_path: Path) -> None:
    _day(tmp_path, {"license": {"name": "CC BY 4.0", "license_file": "LICENCE.txt"}})
    (tmp_path / "LICENCE.txt").write_text("text", encoding="utf-8")
    task = infra.fixture_provenance(tmp_path / "fixtures", tmp_path)
    assert (task.done, task.check) == (True, "1 fixture day(s): MANIFEST.json and licence file present")


@pytest.mark.parametrize(("manifest", "check"), [
    (None, "2026-01-02: no readable MANIFEST.json"),
    ({"license": {"name": "CC BY 4.0", "license_file": "gone.txt"}}, "2026-01-02: licence file gone.txt missing"),
])
def test_fixture_provenance_when_manifest_or_licence_missing_then_not_done(
        tmp_path: Path, manifest: dict | None, check: str) -> None:
    _day(tmp_path, manifest)
    task = infra.fixture_provenance(tmp_path / "fixtures", tmp_path)
    assert (task.done, task.check) == (False, check)


def _defs(sensors: list[str], schedules: list[str], tags: dict[str, str]) -> SimpleNamespace:
    return SimpleNamespace(
        sensors=[SimpleNamespace(name=n) for n in sensors],
        schedules=[SimpleNamespace(name=n, cron_schedule="0 6 * * *") for n in schedules],
        resolve_job_def=lambda name: SimpleNamespace(tags=tags),
    )


def test_definitions_tasks_when_sensor_schedule_and_tag_present_then_both_done() -> None:
    loads, tagged = infra.definitions_tasks(lambda: _defs(
        ["fixture_day_sensor"], ["daily_shadow"], {"polytraders/duckdb-writer": "true"}))
    assert (loads.done, tagged.done) == (True, True)


def test_definitions_tasks_when_schedule_and_tag_missing_then_not_done_naming_them() -> None:
    loads, tagged = infra.definitions_tasks(lambda: _defs(["fixture_day_sensor"], [], {}))
    assert (loads.done, loads.check) == (False, "loaded, but without daily_shadow")
    assert (tagged.done, tagged.check) == (False, "shadow_job has no polytraders/duckdb-writer tag")


def test_definitions_tasks_when_loading_raises_then_not_done_with_the_cause() -> None:
    def broken() -> None:
        raise RuntimeError("bad asset graph")

    loads, _ = infra.definitions_tasks(broken)
    assert (loads.done, loads.check) == (False, "definitions do not load (RuntimeError: bad asset graph)")


# --- evaluate and the command --------------------------------------------------------------


def test_evaluate_when_empty_repo_then_p1_red_every_later_phase_locked_and_infra_not_done(tmp_path: Path) -> None:
    report = evaluate(tmp_path, load_definitions=False)
    assert [g.phase for g in report.phases] == list(range(1, 9))
    assert (report.phases[0].state, report.phases[0].locked) == (GateState.RED, False)
    assert all(g.locked for g in report.phases[1:])
    assert report.current_phase() == 1
    done = {t.name: t.done for t in report.infra}
    assert done["CI runs the whole suite"] is False and done["event store append-only, keyed by envelope_id"] is False
    assert [t.phase for t in report.infra] == sorted(t.phase for t in report.infra)


REPORT = GateReport(
    phases=(GateResult(1, GateState.GREEN, evidence=("ok",)), GateResult(2, GateState.PENDING, missing=("x",))),
    infra=(InfraTask("CI runs the whole suite", 1, True, "calls make test"),),
)


def test_gates_json_when_report_then_phases_infra_and_current_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gates_cli, "evaluate", lambda: REPORT)
    result = CliRunner().invoke(app, ["gates", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "phases": [
            {"phase": 1, "state": "green", "locked": False, "evidence": ["ok"], "missing": []},
            {"phase": 2, "state": "pending", "locked": False, "evidence": [], "missing": ["x"]},
        ],
        "infra": [{"name": "CI runs the whole suite", "phase": 1, "done": True, "check": "calls make test"}],
        "current_phase": 2,
    }


def test_gates_table_when_gates_not_green_then_exit_zero_with_both_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gates_cli, "evaluate", lambda: REPORT)
    result = CliRunner().invoke(app, ["gates"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Phase exit gates (current phase: P2)" in result.output and "Infra tasks" in result.output
    assert "pending" in result.output and "calls make test" in result.output


def test_compact_when_not_implemented_lines_then_folded_into_one() -> None:
    lines = ("a.x: not implemented", "b.y: not implemented", "no run")
    assert gates_cli.compact(lines) == ["not implemented (2): a.x, b.y", "no run"]
