"""The typer applications: ``polytraders`` and ``pt-bot``."""

from __future__ import annotations

import typer

from polytraders.cli import bots, contracts, gates, guide, report, shadow

app = typer.Typer(help="Polytraders: shadow-first Polymarket pipeline.", no_args_is_help=True)
app.add_typer(contracts.app, name="contracts")
app.command("shadow")(shadow.shadow)
app.command("backfill")(shadow.backfill)
app.command("report")(report.report)
app.command("gates")(gates.gates)
app.add_typer(guide.app, name="guide")

bot_app = typer.Typer(help="Scaffold and inspect decision modules (bots).", no_args_is_help=True)
bots.register(bot_app)
