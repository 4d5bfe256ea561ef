"""``polytraders gates``: the phase exit gates and infra tasks, evaluated on evidence (tables, or --json).

A report, not a test: the exit code is 0 whatever the gates say.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from polytraders.gates import GateReport, GateState, evaluate

_STYLE = {GateState.GREEN: "green", GateState.RED: "red", GateState.PENDING: "yellow"}


def report_json(report: GateReport) -> dict[str, Any]:
    """The report as ``{"phases": [...], "infra": [...], "current_phase": n}``."""
    return {
        "phases": [
            {"phase": g.phase, "state": str(g.state), "locked": g.locked,
             "evidence": list(g.evidence), "missing": list(g.missing)}
            for g in report.phases
        ],
        "infra": [{"name": t.name, "phase": t.phase, "done": t.done, "check": t.check} for t in report.infra],
        "current_phase": report.current_phase(),
    }


def compact(lines: tuple[str, ...]) -> list[str]:
    """Table form of a gate's lines: the ``<slug>: not implemented`` ones folded into one line."""
    absent = [line.split(":", 1)[0] for line in lines if line.endswith(": not implemented")]
    rest = [line for line in lines if not line.endswith(": not implemented")]
    return ([f"not implemented ({len(absent)}): {', '.join(absent)}"] if absent else []) + rest


def _tables(report: GateReport) -> tuple[Table, Table]:
    phases = Table(title=f"Phase exit gates (current phase: P{report.current_phase()})", show_lines=True)
    for column in ("phase", "state", "locked", "evidence", "missing / wrong"):
        phases.add_column(column, overflow="fold")
    for g in report.phases:
        phases.add_row(f"P{g.phase}", f"[{_STYLE[g.state]}]{g.state}", "locked" if g.locked else "",
                       "\n".join(g.evidence), "\n".join(compact(g.missing)))
    infra = Table(title="Infra tasks")
    for column in ("phase", "task", "done", "check"):
        infra.add_column(column, overflow="fold")
    for t in report.infra:
        infra.add_row(f"P{t.phase}", t.name, "[green]done" if t.done else "[red]not done", t.check)
    return phases, infra


def gates(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Evaluate each phase's exit gate and the infra tasks on evidence; a gate without evidence is pending."""
    report = evaluate()
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=2))
        return
    console = Console()
    for table in _tables(report):
        console.print(table)
