"""The typer applications: ``polytraders`` and ``pt-bot``."""

from __future__ import annotations

import typer
from rich.console import Console

from polytraders.cli import bots, contracts, gates, guide, report, risk, shadow


def _check_environment() -> None:
    """Every command reads the environment (paths, budgets, limits): a misconfigured variable is
    one red line and exit code 2, before any work and never as a traceback."""
    from polytraders.defs import environment

    try:
        environment.current()
    except ValueError as exc:
        Console(stderr=True).print(f"[red]configuration: {exc}")
        raise typer.Exit(code=2) from exc


app = typer.Typer(help="Polytraders: shadow-first Polymarket pipeline.", no_args_is_help=True,
                  callback=_check_environment)
app.add_typer(contracts.app, name="contracts")
app.command("shadow")(shadow.shadow)
app.command("backfill")(shadow.backfill)
app.command("report")(report.report)
app.command("gates")(gates.gates)
app.add_typer(guide.app, name="guide")
app.add_typer(risk.app, name="risk")

bot_app = typer.Typer(help="Scaffold and inspect decision modules (bots).", no_args_is_help=True,
                      callback=_check_environment)
bots.register(bot_app)
