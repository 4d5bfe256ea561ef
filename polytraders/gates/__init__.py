"""Phase exit gates and infra tasks as executable checks (``polytraders gates``).

:func:`evaluate` gathers the evidence once (schemas, fixture days, the recorded shadow runs, the
implemented bots, the Dagster definitions), runs every phase check of
:mod:`polytraders.gates.checks` and every infra task of :mod:`polytraders.gates.infra`, and applies
the phase locks. It takes about two seconds on the bundled day.
"""

from __future__ import annotations

from pathlib import Path

from polytraders.gates.checks import p3_gate
from polytraders.gates.model import GateReport, GateResult, GateState, InfraTask, apply_locks

__all__ = [
    "GateReport", "GateResult", "GateState", "InfraTask", "apply_locks", "evaluate", "gates_green_through", "p3_gate",
]


def evaluate(
    root: Path | None = None,
    *,
    fixtures_root: Path | None = None,
    event_store_root: Path | None = None,
    load_definitions: bool = True,
) -> GateReport:
    """Every phase gate (locks applied) and infra task, decided on the evidence found now.

    Args:
        root: the repository (``schemas/``, ``.ci/``, ``Makefile``, ``dagster.yaml``, bot sources
            are read from the installed package). None: this checkout, with the fixture root and
            event store of :func:`polytraders.defs.environment.current`; given, ``root/fixtures``
            and ``root/var/event_store`` unless the keywords say otherwise.
        fixtures_root: fixture days and ``reference/`` payloads.
        event_store_root: the event store folder (Parquet snapshots and DuckDB file).
        load_definitions: load the Dagster definitions for the infra task (about a second).
    """
    from polytraders.bots.readiness import discover_implemented
    from polytraders.contracts import schemas
    from polytraders.defs import environment
    from polytraders.gates import checks, infra
    from polytraders.gates.evidence import load_record

    if root is None:
        settings = environment.current()
        root = environment.REPO_ROOT
        fixtures_root = fixtures_root or settings.fixtures_root
        event_store_root = event_store_root or settings.event_store
    root = Path(root)
    fixtures_root = Path(fixtures_root or root / "fixtures")
    event_store_root = Path(event_store_root or root / "var" / "event_store")
    schema_dir = root / "schemas"
    problems = tuple(schemas.verify(schema_dir))
    inputs = checks.GateInputs(
        fixtures_root=fixtures_root, record=load_record(event_store_root), implemented=discover_implemented(),
        schema_dir=schema_dir, schema_problems=problems,
    )
    phases = apply_locks(check(inputs) for check in checks.CHECKS)
    tasks = infra.tasks(root, fixtures_root, event_store_root, problems,
                        infra.load_definitions if load_definitions else None)
    return GateReport(phases, tasks)


def gates_green_through(phase: int, report: GateReport) -> tuple[bool, str]:
    """Whether the gates P1..``phase`` of ``report`` are all green, and, if not, why (the first
    gate that is not, with what it is missing). Raises ValueError for a phase outside 1..8."""
    if not 1 <= phase <= 8:
        raise ValueError(f"phase {phase} not in 1..8")
    for gate in report.phases[:phase]:
        if gate.state is not GateState.GREEN:
            why = "; ".join(gate.missing[:2]) or "no evidence"
            return False, f"gate P{gate.phase} {gate.state}: {why}"
    return True, f"gates P1–P{phase} green"
