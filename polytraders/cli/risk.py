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


def profile_with(engage_killswitch: bool, block: list[str], quarantine: list[str], config: Path | None) -> Any:
    """The shadow profile with the command's changes. Raises ValueError on a bad option or config."""
    from polytraders.runtime.profile import SHADOW, Profile, bot_module

    overrides: dict[str, dict[str, Any]] = json.loads(config.read_text()) if config is not None else {}
    if not isinstance(overrides, dict):
        raise ValueError(f"{config}: expected an object {{slug: {{field: value}}}}")
    if engage_killswitch:
        overrides.setdefault("risk.killswitch", {})["engaged"] = True
    if block:
        gate = overrides.setdefault("risk.compliance_gate", {})
        gate["blocked_condition_ids"] = [*gate.get("blocked_condition_ids", []), *block]
    isolated: dict[str, set[str]] = {}
    for item in quarantine:
        slug, _, condition_id = item.partition("=")
        if not condition_id or slug not in SHADOW.risk_order:
            raise ValueError(f"--quarantine takes <risk bot slug>=<condition id>, got {item!r}")
        isolated.setdefault(slug, set()).add(condition_id)
    configs = dict(SHADOW.configs)
    for slug, fields in overrides.items():
        try:
            module = bot_module(slug)
        except (ModuleNotFoundError, ValueError) as exc:
            raise ValueError(f"config: no bot {slug!r}") from exc
        configs[slug] = module.Config(**{**SHADOW.config(slug).model_dump(), **fields})
    return Profile(configs=configs, risk_order=SHADOW.risk_order,
                   quarantine={slug: frozenset(ids) for slug, ids in isolated.items()})


def _days_table(replays: list[Any]) -> Table:
    table = Table(title="Recorded intents re-decided")
    for column in ("day", "intents", "PLACE", "approved", "reduced", "rejected"):
        table.add_column(column, justify="left" if column == "day" else "right")
    for rep in replays:
        decided = rep.result.decisions
        places = rep.intents.filter(pl.col("kind") == "PLACE").height
        count = {d: int((decided["decision"] == d).sum()) for d in ("REDUCE", "REJECT")}
        table.add_row(rep.day, f"{rep.intents.height:,}", f"{places:,}",
                      f"{rep.result.approved.filter(pl.col('kind') == 'PLACE').height:,}",
                      f"{count['REDUCE']:,}", f"{count['REJECT']:,}")
    return table


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
    if as_json:
        typer.echo(json.dumps({
            "days": chosen, "requested_days": days,
            "decisions": [{"day": r.day, **{d.lower(): int((r.result.decisions["decision"] == d).sum())
                                            for d in ("APPROVE", "REDUCE", "REJECT")}} for r in replays],
            "by_bot": counts.to_dicts(),
        }, indent=2))
        return
    if len(chosen) < days:
        console.print(f"only {len(chosen)} recorded day(s) of the {days} asked for", style="yellow")
    console.print(_days_table(replays))
    console.print(_bots_table(counts))
