"""``polytraders risk shadow --days N``: the risk pipeline re-run over recorded intents.

Takes the OrderIntents that shadow runs recorded in the event store for the last N fixture days,
rebuilds each day's market inputs from the warehouse and runs the shadow profile's declared risk
order — optionally changed: the kill switch engaged, markets blocked by the compliance gate,
markets quarantined for a bot, any bot config replaced from a JSON file — then prints, per bot and
reason code, how many intents it would have rejected or reduced (``--json`` for the same as JSON).
Set-up errors (no recorded day, no warehouse, a bad config) are one red line and exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from polytraders.cli.report import one_line_errors

app = typer.Typer(help="The risk gate (S7) against history.", no_args_is_help=True)


def _config_file(config: Path) -> dict[str, dict[str, Any]]:
    """``{slug: {field: value}}`` from ``config``. Raises ValueError naming the file."""
    try:
        overrides = json.loads(config.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{config}: not JSON: {exc}") from exc
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        raise ValueError(f"{config}: expected an object {{risk bot slug: {{field: value}}}}")
    return overrides


def profile_with(engage_killswitch: bool, block: list[str], quarantine: list[str], config: Path | None) -> Any:
    """The shadow profile with the command's changes: bot configs replaced from ``config`` (risk
    bots only: a replay re-decides recorded intents), then the kill switch engaged and markets
    added to the compliance gate's blocked list, and markets quarantined per bot (``slug=id``).

    Raises ValueError naming the file, bot or option at fault.
    """
    from pydantic import ValidationError

    from polytraders.runtime.profile import SHADOW, Profile, bot_module

    configs = dict(SHADOW.configs)
    for slug, fields in (_config_file(config) if config is not None else {}).items():
        if slug not in SHADOW.risk_order:
            raise ValueError(f"{config}: {slug!r} is not a risk bot of the replayed order "
                             "(a replay re-decides recorded intents: only risk bots' configs apply)")
        try:
            configs[slug] = bot_module(slug).Config(**{**SHADOW.config(slug).model_dump(), **fields})
        except ValidationError as exc:
            raise ValueError(f"{config}: {slug}: {exc}") from exc
    if engage_killswitch:
        killswitch = configs.get("risk.killswitch") or SHADOW.config("risk.killswitch")
        configs["risk.killswitch"] = killswitch.model_copy(update={"engaged": True})
    if block:
        gate = configs.get("risk.compliance_gate") or SHADOW.config("risk.compliance_gate")
        configs["risk.compliance_gate"] = gate.model_copy(
            update={"blocked_condition_ids": (*gate.blocked_condition_ids, *block)})
    isolated: dict[str, set[str]] = {}
    for item in quarantine:
        slug, _, condition_id = item.partition("=")
        if not condition_id or slug not in SHADOW.risk_order:
            raise ValueError(f"--quarantine takes <risk bot slug>=<condition id>, got {item!r}")
        isolated.setdefault(slug, set()).add(condition_id)
    return Profile(configs=configs, risk_order=SHADOW.risk_order,
                   quarantine={slug: frozenset(ids) for slug, ids in isolated.items()})


def _days_table(days: list[dict[str, Any]]) -> Table:
    table = Table(title="Recorded intents re-decided")
    columns = {"day": "day", "intents": "intents", "place": "PLACE", "cancel": "CANCEL (pass)",
               "passed": "PLACE passed", "reduced": "of which reduced", "rejected": "PLACE rejected"}
    for title in columns.values():
        table.add_column(title, justify="left" if title == "day" else "right")
    for row in days:
        table.add_row(*(f"{row[k]:,}" if isinstance(row[k], int) else str(row[k]) for k in columns))
    return table


def _unknown_markets(replays: list[Any], block: list[str], quarantine: list[str]) -> list[str]:
    """Condition ids named by --block-market / --quarantine that no replayed intent is in."""
    seen = {c for rep in replays for c in rep.intents["condition_id"].unique().to_list()}
    named = [*block, *(item.partition("=")[2] for item in quarantine)]
    return sorted({c for c in named if c not in seen})


def _bots_table(counts: pl.DataFrame) -> Table:
    table = Table(title="Per bot and reason code (intents each bot voted on)")
    for column in ("bot", "decision", "reason code", "intents"):
        table.add_column(column, justify="right" if column == "intents" else "left")
    for bot, decision, code, n in counts.iter_rows():
        style = {"REJECT": "red", "REDUCE": "yellow"}.get(decision)
        table.add_row(bot, decision, code or "", f"{n:,}", style=style)
    return table


@app.command("shadow")
def shadow(
    days: Annotated[int, typer.Option("--days", min=1, help="the last N recorded fixture days")] = 7,
    engage_killswitch: Annotated[bool, typer.Option("--engage-killswitch", help="replay with the kill switch "
                                                    "engaged")] = False,
    block: Annotated[list[str] | None, typer.Option("--block-market", help="condition id the compliance gate "
                                                    "blocks (repeatable)")] = None,
    quarantine: Annotated[list[str] | None, typer.Option("--quarantine", help="<risk bot>=<condition id>: "
                                                         "quarantine mode (repeatable)")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="JSON {slug: {field: value}} of bot "
                                                "configs to change")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
) -> None:
    """Re-run the risk pipeline over the recorded intents of the last N fixture days."""
    from polytraders.defs import environment
    from polytraders.runtime import risk_shadow

    console = Console()
    with one_line_errors(console):
        env = environment.current()
        profile = profile_with(engage_killswitch, block or [], quarantine or [], config)
        recorded = risk_shadow.recorded_days(env.event_store)
        if not recorded:
            raise LookupError(f"no recorded shadow day under {env.event_store} (run `polytraders shadow` first)")
        chosen = recorded[-days:]
        replays = risk_shadow.replay(chosen, profile, env.event_store, env.duckdb_path, environment.STAGE_SCHEMA,
                                     env.freshness_budgets)
    counts = risk_shadow.summary(replays)
    per_day = [risk_shadow.day_counts(rep) for rep in replays]
    unknown = _unknown_markets(replays, block or [], quarantine or [])
    if as_json:
        typer.echo(json.dumps({
            "days": chosen, "requested_days": days,
            "changes": {"engage_killswitch": engage_killswitch, "block_market": block or [],
                        "quarantine": quarantine or [], "config": str(config) if config else None,
                        "markets_not_in_the_replayed_intents": unknown},
            "decisions": per_day, "by_bot": counts.to_dicts(),
        }, indent=2))
        return
    if len(chosen) < days:
        console.print(f"only {len(chosen)} recorded day(s) of the {days} asked for", style="yellow")
    if unknown:
        console.print(f"no replayed intent is in market(s) {', '.join(unknown)}: blocking or quarantining "
                      "them changes nothing", style="yellow")
    console.print(_days_table(per_day))
    console.print(_bots_table(counts))
