"""Reports: tables from RunMetric rows, PnL curve and plan-to-fill lags from envelopes, charts."""

from __future__ import annotations

import base64
import json

import polars as pl
import pytest

from polytraders.runtime.reports import (
    counts_table,
    dagster_metadata,
    decisions_table,
    latency_histogram,
    markdown_image,
    markdown_table,
    plan_fill_lags,
    pnl_curve,
    pnl_summary,
    read_run_metrics,
    render_latency_png,
    render_pnl_png,
    sparkline,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DAY = "2026-09-28"


def envelopes(*rows: tuple) -> pl.DataFrame:
    """Envelope frame from (envelope_id, payload_type, ts_ms, payload dict[, causation_ids[, sequence]])."""
    out = []
    for i, row in enumerate(rows):
        eid, kind, ts_ms, payload, *rest = row
        causes = rest[0] if rest else []
        sequence = rest[1] if len(rest) > 1 else i
        out.append({"envelope_id": eid, "bot": "x.y", "sequence": sequence, "causation_ids": causes, "ts_ms": ts_ms,
                    "payload_type": kind, "payload": json.dumps(payload), "reason_codes": []})
    schema = {"envelope_id": pl.String, "bot": pl.String, "sequence": pl.Int64, "causation_ids": pl.List(pl.String),
              "ts_ms": pl.Int64, "payload_type": pl.String, "payload": pl.String, "reason_codes": pl.List(pl.String)}
    return pl.DataFrame(out, schema=schema)


def position(token: str, realised: str, unrealised: str) -> dict:
    return {"condition_id": "0x" + "1" * 64, "token_id": token, "size": "0", "avg_price": "0.5",
            "mark_price": None, "realised_pnl_usdc": realised, "unrealised_pnl_usdc": unrealised, "settled": False}


METRICS = pl.DataFrame(
    [("S10", "rows_out", "envelopes", 108097.0), ("S2", "rows_out", "ingest_quarantine", 22.0),
     ("S2", "rows_out", "book_snapshots", 38311.0), ("S1", "rows_out", "instruments", 18.0),
     ("S6", "intents", "PLACE", 100.0), ("S6", "intents", "CANCEL", 4.0), ("S7", "approved", "", 60.0),
     ("S7", "rejected", "", 40.0), ("S7", "rejections_by_reason", "RISK_EXPOSURE", 15.0),
     ("S7", "rejections_by_reason", "RISK_DRAWDOWN", 25.0), ("S7", "reductions_by_reason", "RISK_EXPOSURE", 3.0),
     ("S8", "fills", "", 7.0), ("S8", "signed", "", 58.0),
     ("S8", "refusals_by_reason", "EXEC_VENUE_BALANCE_ALLOWANCE", 5.0),
     ("S8", "refusals_by_reason", "EXEC_REJECTION_BREAKER", 2.0),
     ("S8", "breaker", "breaker tripped by 5 x EXEC_VENUE_BALANCE_ALLOWANCE", 2.0)],
    schema=["stage", "metric", "key", "value"], orient="row",
)

# Two tokens. Equity = sum over tokens of the latest (realised + unrealised):
#   t=1000  11: 0 + -0.5                     -> equity -0.5  (realised 0,    unrealised -0.5)
#   t=2000  12: 0 + 0.25                     -> -0.5 + 0.25 = -0.25  (0, -0.25)
#   t=3000  11: 1.25 + 0 (seq 3), then 1.5 + 0 (seq 4: the later row wins)
#                                            -> 1.5 + 0.25 = 1.75  (1.5, 0.25)
#   t=4000  12 settles: -0.75 + 0            -> 1.5 - 0.75 = 0.75  (0.75, 0)
POSITIONS = envelopes(
    ("p1", "Position", 1000, position("11", "0", "-0.5")),
    ("s1", "Signal", 1500, {"value": 0.5}),
    ("p2", "Position", 2000, position("12", "0", "0.25")),
    ("p4", "Position", 3000, position("11", "1.5", "0"), [], 4),
    ("p3", "Position", 3000, position("11", "1.25", "0"), [], 3),
    ("p5", "Position", 4000, position("12", "-0.75", "0.000000")),
)

# Plans P1 at 10 s, P2 at 20 s, P3 at 0 s. Lags (fill - plan): F1 0.5 s -> [0, 1); F2 1.0 s -> [1, 5)
# (lower edge inclusive); F3 900 s -> >= 900; F5 -1 s -> "< 0 s"; F6 59.999 s -> [30, 60);
# F4 names no plan of the day -> left out; F7 comes through signed order S4 of plan P4 (40 s): 2.5 s -> [1, 5).
LAGS = envelopes(
    ("P1", "ExecutionPlan", 10_000, {}), ("P2", "ExecutionPlan", 20_000, {}), ("P3", "ExecutionPlan", 0, {}),
    ("F1", "Fill", 10_500, {}, ["P1"]), ("F2", "Fill", 11_000, {}, ["P1"]), ("F3", "Fill", 920_000, {}, ["P2"]),
    ("F4", "Fill", 30_000, {}, ["nope"]), ("F5", "Fill", 19_000, {}, ["P2"]), ("F6", "Fill", 59_999, {}, ["P3"]),
    # S8 today: a fill is caused by the signed order, which is caused by the plan (two hops).
    ("S4", "SignedOrderRequest", 40_000, {}, ["P4"]), ("P4", "ExecutionPlan", 40_000, {}),
    ("F7", "Fill", 42_500, {}, ["S4"]),
)


def test_counts_table_when_metrics_then_rows_out_by_stage_number_then_table() -> None:
    assert counts_table(METRICS).rows() == [
        ("S1", "instruments", 18), ("S2", "book_snapshots", 38311), ("S2", "ingest_quarantine", 22),
        ("S10", "envelopes", 108097),
    ]
    assert counts_table(METRICS).schema == pl.Schema({"stage": pl.String, "table": pl.String, "rows": pl.Int64})


def test_decisions_table_when_metrics_then_totals_then_codes_sorted() -> None:
    assert decisions_table(METRICS).rows() == [
        ("intents PLACE", "", 100), ("intents CANCEL", "", 4), ("approved", "", 60), ("rejected", "", 40),
        ("rejected", "RISK_DRAWDOWN", 25), ("rejected", "RISK_EXPOSURE", 15), ("reduced", "RISK_EXPOSURE", 3),
        # S8: 60 approved, 58 signed; the venue refused 5 for balance, the 5th tripped the breaker, which
        # held the last 2 back (codes sorted)
        ("signed", "", 58), ("refused in S8", "EXEC_REJECTION_BREAKER", 2),
        ("refused in S8", "EXEC_VENUE_BALANCE_ALLOWANCE", 5),
        ("held back by the breaker", "breaker tripped by 5 x EXEC_VENUE_BALANCE_ALLOWANCE", 2),
    ]


def test_decisions_table_when_no_metrics_then_totals_zero() -> None:
    empty = METRICS.clear()
    assert decisions_table(empty).rows() == [
        ("intents PLACE", "", 0), ("intents CANCEL", "", 0), ("approved", "", 0), ("rejected", "", 0),
        ("signed", "", 0)]


def test_pnl_curve_when_positions_then_equity_is_sum_of_latest_per_token() -> None:
    curve = pnl_curve(POSITIONS)
    assert curve.rows() == [(1000, 0.0, -0.5, -0.5), (2000, 0.0, -0.25, -0.25), (3000, 1.5, 0.25, 1.75),
                            (4000, 0.75, 0.0, 0.75)]
    assert curve.columns == ["ts_ms", "realised_usdc", "unrealised_usdc", "equity_usdc"]


def test_pnl_curve_when_decimals_then_summed_exactly() -> None:
    # 0.1 + 0.2 in floats is 0.30000000000000004; in micro-USDC it is 100000 + 200000 = 300000 -> 0.3.
    curve = pnl_curve(envelopes(("a", "Position", 1, position("11", "0.1", "0")),
                                ("b", "Position", 2, position("12", "0.2", "0.000001"))))
    assert curve["equity_usdc"].to_list() == [0.1, 0.300001]
    assert curve["realised_usdc"].to_list() == [0.1, 0.3]


def test_pnl_curve_when_no_positions_then_empty_with_columns() -> None:
    curve = pnl_curve(LAGS)
    assert curve.is_empty() and curve.columns == ["ts_ms", "realised_usdc", "unrealised_usdc", "equity_usdc"]


def test_pnl_summary_when_curve_then_final_low_high_and_drawdown() -> None:
    # high 1.75 at t=3000, then 0.75: drawdown 1.0
    assert pnl_summary(pnl_curve(POSITIONS)) == {
        "realised_usdc": 0.75, "unrealised_usdc": 0.0, "equity_usdc": 0.75, "low_usdc": -0.5, "high_usdc": 1.75,
        "max_drawdown_usdc": 1.0}


def test_sparkline_when_curve_then_levels_over_even_time_steps() -> None:
    curve = pnl_curve(POSITIONS)
    # low -0.5 -> ▁, high 1.75 -> █; -0.25: 0.25 / 2.25 x 7 = 0.78 -> 1 ▂; 0.75: 1.25 / 2.25 x 7 = 3.89 -> 4 ▅
    assert sparkline(curve, width=4) == "▁▂█▅"
    # samples at t = 1000, 1500, ..., 4000: the value in force at each (step curve)
    assert sparkline(curve, width=7) == "▁▁▂▂██▅"
    assert sparkline(curve.head(1), width=7) == "▄"
    assert sparkline(curve.clear()) == ""


def test_plan_fill_lags_when_fills_name_plans_then_lag_in_ms() -> None:
    assert plan_fill_lags(LAGS).rows() == [("F1", "P1", 500), ("F2", "P1", 1000), ("F3", "P2", 900_000),
                                           ("F5", "P2", -1000), ("F6", "P3", 59_999), ("F7", "P4", 2_500)]


def test_latency_histogram_when_lags_then_fixed_buckets_with_counts() -> None:
    hist = latency_histogram(LAGS)
    assert hist.select("bucket", "fills").rows() == [
        ("< 0 s", 1), ("0–1 s", 1), ("1–5 s", 2), ("5–15 s", 0), ("15–30 s", 0), ("30–60 s", 1),
        ("60–120 s", 0), ("120–300 s", 0), ("300–600 s", 0), ("600–900 s", 0), ("≥ 900 s", 1)]
    assert hist.row(1) == ("0–1 s", 0.0, 1.0, 1) and hist.row(-1) == ("≥ 900 s", 900.0, None, 1)


def test_latency_histogram_when_no_fills_then_every_bucket_zero_and_no_negative_row() -> None:
    hist = latency_histogram(POSITIONS)
    assert hist.height == 10 and hist["fills"].sum() == 0 and hist["bucket"][0] == "0–1 s"


def test_markdown_table_when_frame_then_pipe_table_with_formatted_cells() -> None:
    frame = pl.DataFrame({"what": ["a|b", None], "n": [38311, 0], "usdc": [-0.25, 1.0], "ok": [True, False]})
    assert markdown_table(frame) == (
        "| what | n | usdc | ok |\n|---|---|---|---|\n| a\\|b | 38,311 | -0.25 | true |\n|  | 0 | 1 | false |")
    assert markdown_table(frame.clear()) == "| what | n | usdc | ok |\n|---|---|---|---|"


def test_render_pnl_png_when_curve_then_png_file_written(tmp_path) -> None:
    path = render_pnl_png(pnl_curve(POSITIONS), tmp_path / "nested" / "pnl.png")
    assert path == tmp_path / "nested" / "pnl.png"
    assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 1000


def test_render_pnl_png_when_curve_empty_then_png_still_written(tmp_path) -> None:
    path = render_pnl_png(pnl_curve(LAGS), tmp_path / "pnl.png")
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_render_latency_png_when_histogram_then_png_file_written(tmp_path) -> None:
    path = render_latency_png(latency_histogram(LAGS), tmp_path / "latency.png")
    assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 1000


def test_markdown_image_when_png_then_data_uri_of_its_bytes(tmp_path) -> None:
    (tmp_path / "x.png").write_bytes(PNG_MAGIC + b"rest")
    text = markdown_image(tmp_path / "x.png", "PnL")
    assert text == "![PnL](data:image/png;base64," + base64.b64encode(PNG_MAGIC + b"rest").decode() + ")"


def test_dagster_metadata_when_day_then_tables_images_and_figures(tmp_path) -> None:
    meta = dagster_metadata(DAY, METRICS, pl.concat([POSITIONS, LAGS]), tmp_path / "out")
    assert meta["counts_md"] == markdown_table(counts_table(METRICS))
    assert meta["decisions_md"].splitlines()[6] == "| rejected | RISK_DRAWDOWN | 25 |"
    assert meta["pnl_png_path"] == str(tmp_path / "out" / "pnl.png")
    assert meta["latency_png_path"] == str(tmp_path / "out" / "latency.png")
    prefix = f"![PnL {DAY}](data:image/png;base64,"
    assert meta["pnl_chart_md"].startswith(prefix)
    assert base64.b64decode(meta["pnl_chart_md"][len(prefix):-1]) == (tmp_path / "out" / "pnl.png").read_bytes()
    assert meta["latency_chart_md"].startswith(f"![plan-to-fill lag {DAY}](data:image/png;base64,")
    assert (meta["equity_usdc"], meta["realised_usdc"], meta["unrealised_usdc"], meta["max_drawdown_usdc"]) == (
        0.75, 0.75, 0.0, 1.0)
    assert meta["fills_matched_to_plans"] == 6 and meta["envelopes"] == 18 and meta["day"] == DAY


def test_read_run_metrics_when_stream_has_run_metrics_then_read_from_envelopes() -> None:
    stream = envelopes(("m1", "RunMetric", 0, {"partition": DAY, "stage": "S8", "metric": "fills", "key": "",
                                               "value": 7.0}), ("p1", "Position", 1000, position("11", "0", "0")))
    assert read_run_metrics(DAY, stream).rows() == [("S8", "fills", "", 7.0)]


def test_read_run_metrics_when_two_runs_stored_then_only_the_later_runs_figures() -> None:
    # run-1 stored its figures, then a re-run with other decisions stored run-2's (the stream keeps both, in
    # the order they were stored): the report reads run-2's only; a figure only run-1 had is not shown.
    def metric(run: str, key: str, value: float) -> dict:
        return {"partition": DAY, "run_id": run, "stage": "S7", "metric": "rejections_by_reason", "key": key,
                "value": value}

    stream = envelopes(("m1", "RunMetric", 0, metric("run-1", "RISK_DRAWDOWN", 40.0)),
                       ("m2", "RunMetric", 0, metric("run-1", "RISK_STALE_BOOK", 2.0)),
                       ("m3", "RunMetric", 0, metric("run-2", "RISK_DRAWDOWN", 31.0)))
    assert read_run_metrics(DAY, stream).rows() == [("S7", "rejections_by_reason", "RISK_DRAWDOWN", 31.0)]


def test_read_run_metrics_when_no_run_metric_envelope_then_lookup_error() -> None:
    with pytest.raises(LookupError, match=f"^no RunMetric envelopes for {DAY}: the shadow run did not reach S11$"):
        read_run_metrics(DAY, POSITIONS)
