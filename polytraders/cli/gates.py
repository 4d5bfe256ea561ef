"""``polytraders gates``: the phase exit gates, evaluated on evidence (table, or --json)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from polytraders.gates import GateResult, GateState, p3_gate

_STYLE = {GateState.GREEN: "green", GateState.RED: "red", GateState.PENDING: "yellow"}


def evaluate() -> list[GateResult]:
    """Every phase gate: P3 checked on the event store and the bot sources, the rest pending."""
    from polytraders.bots.hygiene import scan_bots
    from polytraders.bots.readiness import discover_implemented
    from polytraders.defs.runner import bots_with_envelopes

    p3 = p3_gate(discover_implemented(), bots_with_envelopes(), scan_bots())
    return [
        p3 if phase == 3 else GateResult(phase, GateState.PENDING, missing=(f"P{phase} gate check not built yet",))
        for phase in range(1, 9)
    ]


def gates(as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Evaluate each phase's exit gate on evidence; a gate without its check is pending."""
    results = evaluate()
    if as_json:
        typer.echo(json.dumps([
            {"phase": f"P{r.phase}", "state": str(r.state), "evidence": list(r.evidence), "missing": list(r.missing)}
            for r in results
        ], indent=2))
        return
    table = Table(title="Phase exit gates")
    for column in ("phase", "state", "evidence / missing"):
        table.add_column(column)
    for r in results:
        table.add_row(f"P{r.phase}", f"[{_STYLE[r.state]}]{r.state}", "; ".join(r.evidence or r.missing))
    Console().print(table)
