"""``polytraders report --day D``: a shadow day's report in the terminal, charts as PNG files.

Reads the day's envelopes from the event store's Parquet export (never the DuckDB file of the
store) and the RunMetric rows (:func:`polytraders.runtime.reports.read_run_metrics`), prints
rows per stage, intents and risk decisions by reason code, the PnL over the day (summary and a
sparkline) and the plan-to-fill lag histogram, and writes ``pnl.png`` and ``latency.png``
under ``reports/<day>/`` beside the event store (``var/`` by default; ``--out`` to change).
Set-up errors (no export for the day, no metrics, a bad day) are one red line and exit code 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from polytraders.runtime import reports

#: Width of the PnL sparkline and of the longest latency bar, characters.
SPARK_WIDTH = 60
BAR_WIDTH = 40

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _event_store_root() -> Path:
    """The event store folder from the environment settings."""
    from polytraders.defs import environment

    return environment.current().event_store


def default_out_dir(day: str) -> Path:
    """``reports/<day>`` beside the event store, where the shadow run puts the day's charts
    (``var/reports/<day>`` by default; it follows ``POLYTRADERS_DUCKDB`` / ``POLYTRADERS_EVENT_STORE``)."""
    from polytraders.defs import environment

    return environment.current().event_store.parent / "reports" / day


def load_day(day: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(envelopes, RunMetric rows) of ``day``.

    Raises:
        ValueError: ``day`` is not ``YYYY-MM-DD``.
        FileNotFoundError: no envelope export for ``day`` (names the file).
        LookupError: the export holds no run metrics.
    """
    if not _DAY.match(day):
        raise ValueError(f"--day must be YYYY-MM-DD, got {day!r}")
    datetime.strptime(day, "%Y-%m-%d")  # a real date (raises ValueError naming the format)
    from polytraders.runtime.event_store import read_envelopes, snapshot_path

    root = _event_store_root()
    export = snapshot_path(root, day)
    if not export.is_file():
        raise FileNotFoundError(f"no envelope export for {day}: {export} is missing "
                                f"(run `polytraders shadow --day {day}` first)")
    envelopes = read_envelopes(root, day)
    return envelopes, reports.read_run_metrics(day, envelopes)


def _signed(value: float) -> str:
    return f"{value:+,.4f}"


def print_report(console: Console, day: str, metrics: pl.DataFrame, envelopes: pl.DataFrame,
                 pnl_png: Path, latency_png: Path) -> None:
    """Print the report of ``day`` (tables, PnL summary and sparkline, latency bars, chart paths)."""
    counts = Table(title=f"Report {day}: rows per stage")
    for column in ("stage", "table", "rows"):
        counts.add_column(column, justify="right" if column == "rows" else "left")
    for stage, table, rows in reports.counts_table(metrics).iter_rows():
        counts.add_row(stage, table, f"{rows:,}")
    console.print(counts)

    decisions = Table(title="Intents, risk decisions and S8 (S6-S8)")
    for column in ("decision", "reason code", "count"):
        decisions.add_column(column, justify="right" if column == "count" else "left")
    for decision, code, n in reports.decisions_table(metrics).iter_rows():
        decisions.add_row(decision if not code else f"  {decision}", code, f"{n:,}")
    console.print(decisions)

    curve = reports.pnl_curve(envelopes)
    if curve.is_empty():
        console.print(f"[yellow]PnL: no Position envelopes for {day}")
    else:
        s = reports.pnl_summary(curve)
        console.print(
            f"PnL (USDC) at end of day: equity {_signed(s['equity_usdc'])} = realised {_signed(s['realised_usdc'])}"
            f" + unrealised {_signed(s['unrealised_usdc'])}\n"
            f"over the day: low {_signed(s['low_usdc'])}, high {_signed(s['high_usdc'])}, "
            f"max drawdown {s['max_drawdown_usdc']:,.4f}"
        )
        start, end = (datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%H:%M") for ms in
                      (curve["ts_ms"][0], curve["ts_ms"][-1]))
        console.print(f"equity {start} [cyan]{reports.sparkline(curve, SPARK_WIDTH)}[/cyan] {end} UTC",
                      highlight=False)

    hist = reports.latency_histogram(envelopes)
    total = int(hist["fills"].sum())
    lags = Table(title="Plan-to-fill lag (data time)", caption=f"{total:,} fills matched to their plan")
    lags.add_column("lag")
    lags.add_column("fills", justify="right")
    lags.add_column("")
    peak = max(int(hist["fills"].max() or 0), 1)
    for bucket, _, _, n in hist.iter_rows():
        lags.add_row(bucket, f"{n:,}", "[green]" + "█" * round(n / peak * BAR_WIDTH))
    console.print(lags)
    console.print(f"charts: {pnl_png}  {latency_png}", highlight=False, soft_wrap=True)


@contextmanager
def one_line_errors(console: Console) -> Iterator[None]:
    """Set-up errors as one red line (no traceback), exit 2 (a DuckDB file held by a writer too)."""
    import duckdb

    try:
        yield
    except (OSError, ValueError, LookupError, duckdb.Error) as exc:
        console.print(" ".join(str(exc).split()), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from exc


def report(
    day: Annotated[str, typer.Option("--day", help="fixture day YYYY-MM-DD that a shadow run exported")],
    out: Annotated[Path | None, typer.Option("--out", help="directory of the PNG charts "
                                             "(default reports/<day> beside the event store)")] = None,
) -> None:
    """Print a shadow day's report (counts, decisions, PnL, plan-to-fill lag) and write its charts."""
    console = Console()
    with one_line_errors(console):
        envelopes, metrics = load_day(day)
        out_dir = out if out is not None else default_out_dir(day)
        pnl_png = reports.render_pnl_png(reports.pnl_curve(envelopes), out_dir / "pnl.png", title=f"PnL {day}")
        latency_png = reports.render_latency_png(reports.latency_histogram(envelopes), out_dir / "latency.png",
                                                 title=f"Plan-to-fill lag {day}")
    print_report(console, day, metrics, envelopes, pnl_png, latency_png)
