"""The plan's infrastructure tasks, each done only when its check shows it.

Every check reads the repo (or the event store, or the loaded Dagster definitions) and returns an
:class:`~polytraders.gates.model.InfraTask` whose ``check`` says what was looked at and found.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from polytraders.gates.evidence import envelope_table_keys, fixture_days, read_manifest
from polytraders.gates.model import InfraTask

WRITER_TAG = "polytraders/duckdb-writer"
SENSOR, SCHEDULE, JOB = "fixture_day_sensor", "daily_shadow", "shadow_job"


def ci_runs_tests(root: Path) -> InfraTask:
    """P1: ``.ci/run`` is executable and runs ``make test``, whose recipe lints and runs pytest."""
    name, ci, makefile = "CI runs the whole suite", root / ".ci" / "run", root / "Makefile"
    if not ci.is_file():
        return InfraTask(name, 1, False, f"no {ci.relative_to(root)}")
    if not os.access(ci, os.X_OK):
        return InfraTask(name, 1, False, ".ci/run is not executable")
    if not re.search(r"^\s*make test\s*$", ci.read_text(encoding="utf-8"), re.MULTILINE):
        return InfraTask(name, 1, False, ".ci/run does not call `make test`")
    recipe = _make_recipe(makefile, "test")
    if recipe is None:
        return InfraTask(name, 1, False, "Makefile has no `test` target")
    lacking = [tool for tool in ("ruff check", "pytest") if tool not in recipe]
    if lacking:
        return InfraTask(name, 1, False, f"`make test` does not run {', '.join(lacking)}")
    return InfraTask(name, 1, True, ".ci/run calls `make test` (ruff check + pytest)")


def _make_recipe(makefile: Path, target: str) -> str | None:
    if not makefile.is_file():
        return None
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n?)*)", makefile.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


def pinned_dependencies(root: Path) -> InfraTask:
    """P1: every runtime and dev dependency in ``pyproject.toml`` is pinned exactly (``==``)."""
    name, path = "dependencies pinned exactly", root / "pyproject.toml"
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        return InfraTask(name, 1, False, f"pyproject.toml unreadable ({type(exc).__name__})")
    deps = list(project.get("dependencies", [])) + [
        d for group in project.get("optional-dependencies", {}).values() for d in group
    ]
    loose = [d for d in deps if "==" not in d]
    if not deps or loose:
        return InfraTask(name, 1, False, f"not pinned: {', '.join(loose) or 'no dependencies listed'}")
    return InfraTask(name, 1, True, f"{len(deps)} dependencies pinned with ==")


def schemas_verified(problems: list[str] | tuple[str, ...]) -> InfraTask:
    """P1: ``schemas/`` matches the models (``polytraders contracts verify`` green)."""
    name = "published JSON Schemas verify green"
    if problems:
        return InfraTask(name, 1, False, f"{len(problems)} problems, first: {problems[0]}")
    return InfraTask(name, 1, True, "contracts verify: no problem")


def fixture_provenance(fixtures_root: Path, repo_root: Path) -> InfraTask:
    """P1: every fixture day has a MANIFEST.json naming its licence, and the licence file exists."""
    name = "fixture days carry MANIFEST and licence"
    days = fixture_days(fixtures_root)
    if not days:
        return InfraTask(name, 1, False, f"no fixture day under {fixtures_root}")
    problems = []
    for day in days:
        manifest = read_manifest(fixtures_root / day)
        licence = (manifest or {}).get("license") or {}
        if manifest is None:
            problems.append(f"{day}: no readable MANIFEST.json")
        elif not licence.get("name") or not licence.get("license_file"):
            problems.append(f"{day}: MANIFEST.json names no licence (license.name / license.license_file)")
        elif not (repo_root / licence["license_file"]).is_file():
            problems.append(f"{day}: licence file {licence['license_file']} missing")
    if problems:
        return InfraTask(name, 1, False, "; ".join(problems))
    return InfraTask(name, 1, True, f"{len(days)} fixture day(s): MANIFEST.json and licence file present")


def writer_limit(root: Path) -> InfraTask:
    """P3: ``dagster.yaml`` queues runs and limits those tagged polytraders/duckdb-writer to 1."""
    name, path = "DuckDB writer runs serialised (dagster.yaml)", root / "dagster.yaml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        return InfraTask(name, 3, False, f"dagster.yaml unreadable ({type(exc).__name__})")
    coordinator = config.get("run_coordinator") or {}
    limits = (coordinator.get("config") or {}).get("tag_concurrency_limits") or []
    limit = next((i.get("limit") for i in limits if isinstance(i, dict) and i.get("key") == WRITER_TAG), None)
    if coordinator.get("class") != "QueuedRunCoordinator":
        return InfraTask(name, 3, False, "run_coordinator is not the QueuedRunCoordinator")
    if limit != 1:
        return InfraTask(name, 3, False, f"tag {WRITER_TAG} limit is {limit}, not 1")
    return InfraTask(name, 3, True, f"QueuedRunCoordinator, {WRITER_TAG} limit 1")


def load_definitions() -> Any:
    """The project's Dagster definitions, built from the environment."""
    from polytraders.defs.definitions import build

    return build()


def definitions_tasks(load: Callable[[], Any] = load_definitions) -> tuple[InfraTask, InfraTask]:
    """P3: the definitions load with the fixture-day sensor and the daily schedule; the shadow
    job carries the writer tag (so the dagster.yaml limit applies to it)."""
    loads, tagged = "Dagster definitions load (sensor + schedule)", "shadow job tagged as DuckDB writer"
    try:
        defs = load()
        sensors = {s.name for s in defs.sensors or ()}
        schedules = {s.name: s.cron_schedule for s in defs.schedules or ()}
        job = defs.resolve_job_def(JOB)
    except Exception as exc:  # noqa: BLE001 - a definition that fails to load is the finding
        why = f"definitions do not load ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
        return InfraTask(loads, 3, False, why), InfraTask(tagged, 3, False, why)
    lacking = [n for n, ok in ((SENSOR, SENSOR in sensors), (SCHEDULE, SCHEDULE in schedules)) if not ok]
    first = (
        InfraTask(loads, 3, False, f"loaded, but without {', '.join(lacking)}") if lacking else
        InfraTask(loads, 3, True, f"loaded: sensor {SENSOR}, schedule {SCHEDULE} ({schedules[SCHEDULE]})")
    )
    tag = (job.tags or {}).get(WRITER_TAG)
    second = (
        InfraTask(tagged, 3, True, f"{JOB} tags {WRITER_TAG}={tag}") if tag else
        InfraTask(tagged, 3, False, f"{JOB} has no {WRITER_TAG} tag")
    )
    return first, second


def event_store_append_only(store_root: Path) -> InfraTask:
    """P3: the event store's envelope table has a primary key on envelope_id (idempotent appends)."""
    name = "event store append-only, keyed by envelope_id"
    keys, found = envelope_table_keys(store_root / "event_store.duckdb")
    return InfraTask(name, 3, keys == ["envelope_id"], found)


def builder_code_configured() -> InfraTask:
    """P5: the shadow profile's order shaper carries a builder code (orders without one are never sent)."""
    name = "builder code on every order (shadow profile)"
    from polytraders.runtime.profile import SHADOW

    code = getattr(SHADOW.config("exec.order_shaper"), "builder_code", None)
    if not code:
        return InfraTask(name, 5, False, "exec.order_shaper has no builder_code in the shadow profile")
    return InfraTask(name, 5, True, f"exec.order_shaper builder_code {code[:10]}…")


def tasks(repo_root: Path, fixtures_root: Path, store_root: Path, schema_problems: tuple[str, ...],
          load: Callable[[], Any] | None = load_definitions) -> tuple[InfraTask, ...]:
    """Every infra task, in phase order (``load=None`` skips loading the Dagster definitions)."""
    defs = definitions_tasks(load) if load is not None else ()
    found = (
        ci_runs_tests(repo_root), pinned_dependencies(repo_root), schemas_verified(schema_problems),
        fixture_provenance(fixtures_root, repo_root), writer_limit(repo_root), *defs,
        event_store_append_only(store_root), builder_code_configured(),
    )
    return tuple(sorted(found, key=lambda task: task.phase))
