"""``polytraders report``: set-up errors as one line, the printed report, the chart files."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from polytraders.cli import app
from polytraders.cli.report import print_report

runner = CliRunner()
DAY = "2026-09-28"
T0 = 1_790_553_600_000  # 2026-09-28 00:00:00 UTC in ms
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SCHEMA = {"envelope_id": pl.String, "bot": pl.String, "sequence": pl.Int64, "causation_ids": pl.List(pl.String),
          "ts_ms": pl.Int64, "payload_type": pl.String, "payload": pl.String, "reason_codes": pl.List(pl.String)}


def env(eid: str, kind: str, ts_ms: int, payload: dict, causes: list[str] | None = None, seq: int = 0) -> dict:
    return {"envelope_id": eid, "bot": "x.y", "sequence": seq, "causation_ids": causes or [], "ts_ms": ts_ms,
            "payload_type": kind, "payload": json.dumps(payload), "reason_codes": []}


def metric(stage: str, name: str, key: str, value: float) -> dict:
    return {"partition": DAY, "stage": stage, "metric": name, "key": key, "value": value}


def position(token: str, realised: str, unrealised: str) -> dict:
    return {"token_id": token, "realised_pnl_usdc": realised, "unrealised_pnl_usdc": unrealised}


# PnL: t0 token 11 -1.0 unrealised; t0+60 s token 12 +0.5 realised -> equity -0.5;
# t0+120 s token 11 settles at +2.0 realised -> 2.0 + 0.5 = 2.5 (realised 2.5, unrealised 0).
# Lags: plan at t0, fills at t0+0.5 s ([0, 1)) and t0+20 s ([15, 30)).
ENVELOPES = [
    env("m1", "RunMetric", T0, metric("S1", "rows_out", "instruments", 18.0), seq=0),
    env("m2", "RunMetric", T0, metric("S6", "intents", "PLACE", 100.0), seq=1),
    env("m3", "RunMetric", T0, metric("S7", "rejections_by_reason", "RISK_DRAWDOWN", 40.0), seq=2),
    env("m4", "RunMetric", T0, metric("S7", "rejected", "", 40.0), seq=3),
    env("P1", "ExecutionPlan", T0, {}),
    env("F1", "Fill", T0 + 500, {}, ["P1"], 0), env("F2", "Fill", T0 + 20_000, {}, ["P1"], 1),
    env("q1", "Position", T0, position("11", "0", "-1.0"), ["F1"], 0),
    env("q2", "Position", T0 + 60_000, position("12", "0.5", "0"), ["F2"], 1),
    env("q3", "Position", T0 + 120_000, position("11", "2.0", "0"), [], 2),
]


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    """An event store root under tmp_path (no export yet)."""
    root = tmp_path / "event_store"
    monkeypatch.setattr("polytraders.defs.environment.current", lambda: SimpleNamespace(event_store=root))
    return root


def export(root: Path, rows: list[dict]) -> None:
    target = root / "parquet" / f"partition_day={DAY}" / "envelopes.parquet"
    target.parent.mkdir(parents=True)
    pl.DataFrame(rows, schema=SCHEMA).write_parquet(target)


def test_report_when_day_not_exported_then_one_red_line_naming_the_file_and_exit_2(store) -> None:
    result = runner.invoke(app, ["report", "--day", DAY])
    assert result.exit_code == 2
    expected = (f"no envelope export for {DAY}: {store}/parquet/partition_day={DAY}/envelopes.parquet is missing "
                f"(run `polytraders shadow --day {DAY}` first)")
    assert result.output.splitlines() == [expected]


def test_report_when_day_malformed_then_exit_2_one_line(store) -> None:
    result = runner.invoke(app, ["report", "--day", "2026-9-28"])
    assert result.exit_code == 2
    assert result.output.splitlines() == ["--day must be YYYY-MM-DD, got '2026-9-28'"]


def test_report_when_export_has_no_run_metrics_then_exit_2_one_line(store, tmp_path) -> None:
    export(store, [row for row in ENVELOPES if row["payload_type"] != "RunMetric"])
    result = runner.invoke(app, ["report", "--day", DAY, "--out", str(tmp_path / "charts")])
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"no RunMetric envelopes for {DAY}: the shadow run did not reach S11"]


def test_report_when_day_exported_then_prints_report_and_writes_both_pngs(store, tmp_path) -> None:
    export(store, ENVELOPES)
    out = tmp_path / "charts"
    result = runner.invoke(app, ["report", "--day", DAY, "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for expected in ("S1 │ instruments │ 18", "intents PLACE │ │ 100", "rejected │ RISK_DRAWDOWN │ 40",
                     "equity +2.5000 = realised +2.5000 + unrealised +0.0000", "low -1.0000, high +2.5000",
                     "max drawdown 0.0000", "2 fills matched to their plan", f"{out}/pnl.png", f"{out}/latency.png"):
        assert expected in text, expected
    for name in ("pnl.png", "latency.png"):
        assert (out / name).read_bytes()[:8] == PNG_MAGIC and (out / name).stat().st_size > 1000


def test_print_report_when_curve_and_fills_then_sparkline_and_bars() -> None:
    frame = pl.DataFrame(ENVELOPES, schema=SCHEMA)
    metrics = pl.DataFrame([json.loads(p) for p in frame.filter(pl.col("payload_type") == "RunMetric")["payload"]])
    console = Console(width=200, record=True)
    print_report(console, DAY, metrics, frame, Path("/r/pnl.png"), Path("/r/latency.png"))
    lines = console.export_text().splitlines()
    # Equity -1.0 (t0), -0.5 (t0+60 s), 2.5 (t0+120 s) over 60 steps of 2 s: 30 steps at -1.0
    # (▁), 29 at -0.5 (0.5 / 3.5 x 7 = 1 -> ▂), the last at 2.5 (█).
    assert "equity 00:00 " + "▁" * 30 + "▂" * 29 + "█" + " 00:02 UTC" in lines
    bars = {line.split("│")[1].strip(): line.split("│")[3].strip() for line in lines if "│ 0–1 s" in line
            or "│ 15–30 s" in line or "│ 1–5 s" in line}
    assert bars == {"0–1 s": "█" * 40, "15–30 s": "█" * 40, "1–5 s": ""}
    assert "charts: /r/pnl.png  /r/latency.png" in lines


def test_print_report_when_no_positions_then_says_so() -> None:
    frame = pl.DataFrame([ENVELOPES[0]], schema=SCHEMA)
    console = Console(width=200, record=True)
    print_report(console, DAY, pl.DataFrame(schema={"stage": pl.String, "metric": pl.String, "key": pl.String,
                                                     "value": pl.Float64}), frame, Path("a"), Path("b"))
    text = " ".join(console.export_text().split())
    assert f"PnL: no Position envelopes for {DAY}" in text and "0 fills matched to their plan" in text


def test_report_when_no_out_then_charts_beside_the_event_store_where_the_run_put_them(store) -> None:
    # POLYTRADERS_DUCKDB=/x/p.duckdb puts the store in /x/event_store and the run's charts in /x/reports
    export(store, ENVELOPES)
    result = runner.invoke(app, ["report", "--day", DAY], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = store.parent / "reports" / DAY
    assert (out / "pnl.png").read_bytes()[:8] == PNG_MAGIC and (out / "latency.png").is_file()
