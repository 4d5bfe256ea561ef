"""``polytraders shadow``: refusal of unknown days and the summary it prints."""

from __future__ import annotations

import gzip
import re

import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from polytraders.cli import app
from polytraders.cli.shadow import _summary
from polytraders.defs.runner import DayRun, FixtureDayError, check_day

runner = CliRunner()


def test_shadow_when_day_has_no_fixture_then_exit_2_and_says_where_it_looked(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POLYTRADERS_FIXTURES", str(tmp_path))
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(tmp_path / "x.duckdb"))
    result = runner.invoke(app, ["shadow", "--day", "2030-01-01"])
    assert result.exit_code == 2
    assert f"no fixture day '2030-01-01' under {tmp_path}" in " ".join(result.output.split())


def test_summary_when_metrics_given_then_prints_counts_codes_pnl_and_db() -> None:
    metrics = pl.DataFrame(
        [("S1", "rows_out", "instruments", 18.0), ("S2", "rows_out", "book_snapshots", 38311.0),
         ("S6", "intents", "PLACE", 100.0), ("S6", "intents", "CANCEL", 4.0), ("S7", "approved", "", 60.0),
         ("S7", "rejected", "", 40.0), ("S7", "rejections_by_reason", "RISK_DRAWDOWN", 40.0),
         ("S8", "plans", "", 60.0), ("S8", "fills", "", 7.0), ("S8", "filled_notional_usdc", "", 31.5),
         ("S9", "realised_pnl_usdc", "", 2.25), ("S9", "unrealised_pnl_usdc", "", -0.5),
         ("S11", "schema_failures", "", 0.0)],
        schema=["stage", "metric", "key", "value"], orient="row",
    )
    console = Console(width=200, record=True)
    run = DayRun("run-1", True, 12.5, {"step.a": 3000.0}, {}, 38376)
    _summary(console, "2026-09-28", metrics, run, "/tmp/x.duckdb")
    text = " ".join(console.export_text().split())
    for expected in ("capture frames │ in │ 38,376", "book_snapshots │ out │ 38,311", "100 / 4", "60 / 40",
                     "rejected: RISK_DRAWDOWN", "fills", "filled notional 31.50 USDC", "realised +2.2500 USDC",
                     "unrealised -0.5000 USDC", "schema failures 0", "/tmp/x.duckdb", "run-1"):
        assert expected in text, expected


def test_check_day_when_not_a_complete_fixture_day_then_one_line_reason(tmp_path) -> None:
    (tmp_path / "2026-09-28").mkdir()
    (tmp_path / "2026-09-28" / "capture.jsonl.gz").write_bytes(b"")
    (tmp_path / "reference").mkdir()
    for day in ("reference", "../fixtures", "2026-09-28/../2026-09-28", "2026-9-28"):
        with pytest.raises(FixtureDayError, match=f"no fixture day '{re.escape(day)}' under .* \\(days: 2026-09-28\\)"):
            check_day(day, tmp_path)
    with pytest.raises(FixtureDayError, match="fixture day 2026-09-28 has no markets.json"):
        check_day("2026-09-28", tmp_path)
    (tmp_path / "2026-09-28" / "markets.json").write_text("{}")
    assert check_day("2026-09-28", tmp_path) == tmp_path / "2026-09-28"


def test_shadow_when_duckdb_named_like_the_schema_then_exit_2_one_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(tmp_path / "shadow.duckdb"))
    result = runner.invoke(app, ["shadow"])
    assert result.exit_code == 2
    assert "must not be named shadow.duckdb" in result.output
    assert "Traceback" not in result.output


def test_writer_lock_when_held_by_another_run_then_busy_error_at_once(tmp_path) -> None:
    from polytraders.defs import environment
    from polytraders.defs.runner import WriterBusyError, writer_lock

    settings = environment.Settings(fixtures_root=tmp_path, duckdb_path=tmp_path / "var" / "x.duckdb")
    with writer_lock(settings):
        with pytest.raises(WriterBusyError, match=r"another shadow run is writing .*x\.duckdb"):
            with writer_lock(settings):
                pass
    with writer_lock(settings):  # released: the next run takes it
        pass


def test_backfill_when_every_day_is_above_the_auto_run_limit_then_names_them_and_runs_none(
    tmp_path, monkeypatch
) -> None:
    day = tmp_path / "2026-08-12"
    day.mkdir()
    with gzip.open(day / "capture.jsonl.gz", "wb") as fh:
        fh.write(b"{}\n{}\n")  # 2 frames
    monkeypatch.setenv("POLYTRADERS_FIXTURES", str(tmp_path))
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(tmp_path / "x.duckdb"))
    monkeypatch.setenv("POLYTRADERS_MAX_AUTO_RUN_FRAMES", "1")
    result = runner.invoke(app, ["backfill"])
    assert result.exit_code == 0
    said = " ".join(result.output.split())  # rich wraps lines
    assert "skipped (capture > 1 frames; --all or polytraders shadow --day D runs them): 2026-08-12" in said
    assert not (tmp_path / "x.duckdb").exists()


@pytest.mark.parametrize("argv", [["gates"], ["shadow", "--day", "2026-09-28"]])
def test_any_command_when_budgets_env_malformed_then_one_configuration_line_exit_2(argv, monkeypatch) -> None:
    monkeypatch.setenv("POLYTRADERS_FRESHNESS_BUDGETS", '{"nope": 1}')
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert "configuration: freshness budgets" in result.output and "nope" in result.output
    assert "Traceback" not in result.output and "evidence unreadable" not in result.output


@pytest.mark.parametrize(("env", "says"), [
    ({"POLYTRADERS_SIGNATURE_TYPE": "2"}, "signature type 2 (POLY_GNOSIS_SAFE) needs a funder address"),
    ({"POLYTRADERS_SIGNING_KEY": "0x1234"}, "environment variable POLYTRADERS_SIGNING_KEY: the private key is not"),
    ({"POLYTRADERS_CHAIN_ID": "1"}, "chain id 1 is not one of (137, 80002)"),
])
def test_shadow_when_the_signing_set_up_cannot_work_then_exit_2_naming_it_before_any_run(env, says, tmp_path,
                                                                                       monkeypatch) -> None:
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(tmp_path / "x.duckdb"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, ["shadow", "--day", "2026-09-28"])
    assert result.exit_code == 2
    assert says in " ".join(result.output.split())
    assert not (tmp_path / "x.duckdb").exists()  # refused before any stage ran
    assert "0x1234" not in result.output.replace("POLYTRADERS_SIGNING_KEY", "")  # the key is never echoed
