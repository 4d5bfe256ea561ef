"""``polytraders shadow --day D`` (the main job) and ``polytraders backfill``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

DEFAULT_DAY = "2026-09-28"


def _run(day: str, console: Console) -> bool:
    from polytraders.defs import environment, runner
    from polytraders.defs.definitions import build
    from polytraders.runtime import oms, wallet
    from polytraders.runtime.profile import SHADOW

    day_dir = runner.check_day(day, environment.current().fixtures_root)
    oms.preflight(oms.Rails.of(SHADOW, wallet.load()), day_dir)  # a key or wallet that cannot work: exit 2
    with console.status("loading Dagster definitions"):
        defs = build()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task(f"shadow {day}", total=None)

        def on_step(step: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=f"shadow {day}: {step}")

        outcome = runner.run_day(day, defs, on_step)
        progress.update(task, description=f"shadow {day}: {'done' if outcome.success else 'FAILED'}")
    for step, message in outcome.failures.items():
        console.print(f"[red]step {step} failed:[/red] {message}")
    if not outcome.success:
        return False
    _summary(console, day, runner.read_metrics(day), outcome, str(environment.current().duckdb_path))
    return True


def _summary(console: Console, day: str, metrics: pl.DataFrame, outcome, db_path: str) -> None:
    def value(stage: str, metric: str, key: str = "") -> float:
        hit = metrics.filter((pl.col("stage") == stage) & (pl.col("metric") == metric) & (pl.col("key") == key))
        return float(hit["value"][0]) if hit.height else 0.0

    entries = [(stage, key, "out", int(n)) for stage, _, key, n in
               metrics.filter(pl.col("metric") == "rows_out").iter_rows()]
    if outcome.frames_in is not None:
        entries.append(("S2", "capture frames", "in", outcome.frames_in))
    table = Table(title=f"Shadow run {day}: rows per stage")
    for column in ("stage", "table", "in/out", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for stage, key, direction, n in sorted(entries, key=lambda e: (int(e[0][1:]), e[2] == "out", e[1])):
        table.add_row(stage, key, direction, f"{n:,}")
    console.print(table)

    decisions = Table(title="Intents and risk decisions (S6-S8)")
    decisions.add_column("what")
    decisions.add_column("count", justify="right")
    decisions.add_row("intents PLACE / CANCEL",
                      f"{int(value('S6', 'intents', 'PLACE')):,} / {int(value('S6', 'intents', 'CANCEL')):,}")
    decisions.add_row("PLACE approved (incl. reduced) / rejected",
                      f"{int(value('S7', 'approved')):,} / {int(value('S7', 'rejected')):,}")
    for label, metric in (("rejected", "rejections_by_reason"), ("reduced", "reductions_by_reason")):
        for _, _, code, n in metrics.filter(pl.col("metric") == metric).iter_rows():
            decisions.add_row(f"  {label}: {code}", f"{int(n):,}")
    decisions.add_row("plans / orders signed (EIP-712, CLOB V2)",
                      f"{int(value('S8', 'plans')):,} / {int(value('S8', 'signed')):,}")
    for label, metric in (("  refused in S8", "refusals_by_reason"), ("  submits held back", "breaker")):
        for _, _, key, n in metrics.filter(pl.col("metric") == metric).iter_rows():
            decisions.add_row(f"{label}: {key}", f"{int(n):,}")
    decisions.add_row("fills", f"{int(value('S8', 'fills')):,}")
    for _, _, code, n in metrics.filter(pl.col("metric") == "quarantined").iter_rows():
        decisions.add_row(f"quarantined: {code}", f"{int(n):,}")
    console.print(decisions)

    console.print(
        f"filled notional {value('S8', 'filled_notional_usdc'):,.2f} USDC | "
        f"PnL at settlement: realised {value('S9', 'realised_pnl_usdc'):+,.4f} USDC, "
        f"unrealised {value('S9', 'unrealised_pnl_usdc'):+,.4f} USDC | "
        f"schema failures {int(value('S11', 'schema_failures'))}"
    )
    slowest = sorted(outcome.step_ms.items(), key=lambda kv: -kv[1])[:3]
    console.print(f"wall {outcome.wall_s:.1f} s (slowest steps: "
                  + ", ".join(f"{k} {v / 1000:.1f} s" for k, v in slowest) + ")")
    console.print(f"DuckDB: {db_path} (schema 'shadow') | Dagster run {outcome.run_id}")


@contextmanager
def _clear_errors(console: Console) -> Iterator[None]:
    """Set-up errors (bad day, missing files, a misconfigured path) as one red line, exit 2."""
    try:
        yield
    except (OSError, ValueError, RuntimeError) as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(code=2) from exc


def shadow(
    day: Annotated[str, typer.Option("--day", help="fixture day YYYY-MM-DD under fixtures/")] = DEFAULT_DAY,
) -> None:
    """Run S1-S11 in shadow over one recorded fixture day and print a summary."""
    console = Console()
    with _clear_errors(console):
        ok = _run(day, console)
    if not ok:
        raise typer.Exit(code=1)


def backfill(
    all_days: Annotated[bool, typer.Option("--all", help="also days above POLYTRADERS_MAX_AUTO_RUN_FRAMES")] = False,
) -> None:
    """Run the shadow job over every fixture day, oldest first (stops at the first failure); days
    whose capture is larger than the auto-run limit are named and skipped unless ``--all``."""
    from polytraders.adapters.capture import list_fixture_days
    from polytraders.defs import environment
    from polytraders.defs.sensors import auto_runnable

    console = Console()
    settings = environment.current()
    days = list_fixture_days(settings.fixtures_root)
    small, large = auto_runnable(str(settings.fixtures_root), days, settings.max_auto_run_frames)
    if large and not all_days:
        console.print(f"skipped (capture > {settings.max_auto_run_frames:,} frames; --all or "
                      f"polytraders shadow --day D runs them): {', '.join(large)}")
    with _clear_errors(console):
        for day in days if all_days else small:
            if not _run(day, console):
                raise typer.Exit(code=1)
