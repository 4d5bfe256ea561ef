"""Reports people read: tables, the day's PnL curve, plan-to-fill latency, and PNG charts.

Plain Python and polars (no Dagster): the ``polytraders report`` CLI prints them, and the
Dagster wiring turns :func:`dagster_metadata` into asset metadata.

Inputs:
    metrics: RunMetric rows (S11) with at least ``stage, metric, key, value`` (see
        :func:`polytraders.runtime.monitoring.run_metrics`); read by :func:`read_run_metrics`.
    envelopes: one day's ReportEnvelope frame (``read_envelopes(root, day)``): ``envelope_id``,
        ``ts_ms`` (the data's time, ms), ``payload_type``, ``payload`` (JSON text, decimals as
        strings), ``causation_ids`` (List(String)), ``sequence``.

Money is summed exactly in micro-USDC (Int64; payload decimals have at most 6 places) and
returned as Float64 USDC. Charts need matplotlib (Agg backend, no display), imported only
when a chart is drawn.
"""

from __future__ import annotations

import base64
import bisect
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

#: Upper edges (seconds) of the plan-to-fill latency buckets: [0, 1), [1, 5), [5, 15), [15, 30),
#: [30, 60), [60, 120), [120, 300), [300, 600), [600, 900), then ">= 900 s". Maker orders of the
#: 15-minute markets rest from seconds to the market's whole life, hence the wide range.
LATENCY_EDGES_S: tuple[float, ...] = (0.0, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0)

#: Characters of :func:`sparkline`, lowest to highest.
SPARK_CHARS = "▁▂▃▄▅▆▇█"

_MICRO = 1_000_000
_METRIC_COLUMNS = {"stage": pl.String, "metric": pl.String, "key": pl.String, "value": pl.Float64}


# --- reading ----------------------------------------------------------------------------------

def read_run_metrics(day: str, envelopes: pl.DataFrame) -> pl.DataFrame:
    """The RunMetric rows of ``day`` (``stage, metric, key, value``) of its latest run, from its
    envelope stream: S11 emits them as RunMetric envelopes, so reports read the Parquet snapshot
    only and never the DuckDB file (no lock to wait on). The latest run is the one whose figures
    were stored last (the snapshot keeps each bot's envelopes in the order they were stored).

    Raises:
        LookupError: the stream holds no RunMetric envelope (the run did not reach S11).
    """
    from_stream = envelopes.filter(pl.col("payload_type") == "RunMetric")
    if from_stream.is_empty():
        raise LookupError(f"no RunMetric envelopes for {day}: the shadow run did not reach S11")
    decoded = from_stream.select(
        pl.col("payload").str.json_decode(pl.Struct({"run_id": pl.String, **_METRIC_COLUMNS})).alias("m")).unnest("m")
    latest = decoded["run_id"][-1]  # null: figures stored before RunMetric named its run
    return decoded.filter(pl.col("run_id").eq_missing(latest)).select(list(_METRIC_COLUMNS))


# --- tables -----------------------------------------------------------------------------------

def _stage_number(stage: pl.Expr) -> pl.Expr:
    return stage.str.strip_prefix("S").cast(pl.Int64, strict=False)


def counts_table(metrics: pl.DataFrame) -> pl.DataFrame:
    """Rows written per stage table: ``stage`` (String), ``table`` (String), ``rows`` (Int64).

    From the ``rows_out`` metrics; ordered by stage number (S2 before S10), then table.
    """
    return (
        metrics.filter(pl.col("metric") == "rows_out")
        .select(pl.col("stage"), pl.col("key").alias("table"), pl.col("value").round(0).cast(pl.Int64).alias("rows"))
        .sort(_stage_number(pl.col("stage")), "table")
    )


#: (decision label, metric, key filter or None for every key) in the order of the decisions table.
_DECISIONS = (
    ("intents PLACE", "intents", "PLACE"),
    ("intents CANCEL", "intents", "CANCEL"),
    ("approved", "approved", ""),
    ("rejected", "rejected", ""),
    ("rejected", "rejections_by_reason", None),
    ("reduced", "reductions_by_reason", None),
    ("signed", "signed", ""),
    ("refused in S8", "refusals_by_reason", None),
    ("held back by the breaker", "breaker", None),
)


def decisions_table(metrics: pl.DataFrame) -> pl.DataFrame:
    """Intents (S6), risk decisions (S7) and what S8 signed or refused: ``decision``,
    ``reason_code``, ``count`` (Int64).

    Rows: ``intents PLACE``, ``intents CANCEL``, ``approved`` (PLACEs approved, reduced
    included), ``rejected`` (total, ``reason_code`` ""), then one ``rejected`` row per reason
    code and one ``reduced`` row per reason code (codes sorted), ``signed`` (orders signed in
    S8), one ``refused in S8`` row per reason code, and one ``held back by the breaker`` row per
    cause (``reason_code`` = e.g. "breaker tripped by 5 x EXEC_VENUE_BALANCE_ALLOWANCE"). A vote may carry several
    codes, so per-code rows can add up to more than the total. Missing metrics count 0.
    """
    rows: list[tuple[str, str, int]] = []
    for label, metric, key in _DECISIONS:
        hit = metrics.filter(pl.col("metric") == metric)
        if key is not None:
            hit = hit.filter(pl.col("key") == key)
            rows.append((label, "", int(round(hit["value"].sum() or 0))))
        else:
            rows += [(label, code, int(round(n))) for code, n in hit.sort("key").select("key", "value").iter_rows()]
    return pl.DataFrame(rows, schema={"decision": pl.String, "reason_code": pl.String, "count": pl.Int64},
                        orient="row")


# --- PnL --------------------------------------------------------------------------------------

_POSITION = pl.Struct({"token_id": pl.String, "realised_pnl_usdc": pl.String, "unrealised_pnl_usdc": pl.String})
PNL_SCHEMA = {"ts_ms": pl.Int64, "realised_usdc": pl.Float64, "unrealised_usdc": pl.Float64,
              "equity_usdc": pl.Float64}


def _micro(column: str) -> pl.Expr:
    return (pl.col(column).cast(pl.Decimal(38, 6)) * _MICRO).cast(pl.Int64)


def _usdc(micro: pl.Expr) -> pl.Expr:
    # polars divides by multiplying with the reciprocal (100000 / 1e6 -> 0.09999999999999999);
    # rounding to the 6 places the value has gives the float nearest to it (0.1).
    return (micro / _MICRO).round(6)


def pnl_curve(envelopes: pl.DataFrame) -> pl.DataFrame:
    """The day's PnL over time from the Position envelopes.

    Method: each Position row gives one token's realised and unrealised PnL (USDC) at its
    ``ts_ms``; equity at t = sum over tokens of (realised + unrealised) of that token's latest
    row at or before t. Computed as a running sum of each row's change against the token's
    previous row (rows of one token ordered by ts_ms, then envelope sequence), in micro-USDC.

    Returns:
        One row per distinct ``ts_ms`` with a Position (ascending): ``ts_ms`` (Int64),
        ``realised_usdc``, ``unrealised_usdc``, ``equity_usdc`` (Float64, USDC; equity =
        realised + unrealised). Empty (same columns) when the day has no Position envelope.
    """
    positions = envelopes.filter(pl.col("payload_type") == "Position")
    if positions.is_empty():
        return pl.DataFrame(schema=PNL_SCHEMA)
    rows = (
        positions.select("ts_ms", "sequence", pl.col("payload").str.json_decode(_POSITION).alias("p"))
        .unnest("p")
        .with_columns(realised=_micro("realised_pnl_usdc"), unrealised=_micro("unrealised_pnl_usdc"))
        .sort("ts_ms", "sequence", maintain_order=True)
        .with_columns(
            (pl.col(c) - pl.col(c).shift(1, fill_value=0).over("token_id")).alias(f"d_{c}")
            for c in ("realised", "unrealised")
        )
        .with_columns(pl.col(f"d_{c}").cum_sum().alias(c) for c in ("realised", "unrealised"))
    )
    return (
        rows.group_by("ts_ms", maintain_order=True).last()
        .select(
            pl.col("ts_ms").cast(pl.Int64),
            _usdc(pl.col("realised")).alias("realised_usdc"),
            _usdc(pl.col("unrealised")).alias("unrealised_usdc"),
            _usdc(pl.col("realised") + pl.col("unrealised")).alias("equity_usdc"),
        )
    )


def pnl_summary(curve: pl.DataFrame) -> dict[str, float]:
    """Final realised / unrealised / equity, the day's low and high of equity, and the largest
    fall of equity from an earlier high (``max_drawdown_usdc``, >= 0), all USDC; 0s if empty."""
    if curve.is_empty():
        return dict.fromkeys(("realised_usdc", "unrealised_usdc", "equity_usdc", "low_usdc", "high_usdc",
                              "max_drawdown_usdc"), 0.0)
    equity = curve["equity_usdc"]
    last = curve.row(-1, named=True)
    return {
        "realised_usdc": last["realised_usdc"], "unrealised_usdc": last["unrealised_usdc"],
        "equity_usdc": last["equity_usdc"], "low_usdc": float(equity.min()), "high_usdc": float(equity.max()),
        "max_drawdown_usdc": float((equity.cum_max() - equity).max()),
    }


def sparkline(curve: pl.DataFrame, width: int = 60, column: str = "equity_usdc") -> str:
    """``column`` of a step curve as ``width`` characters of :data:`SPARK_CHARS` over even time steps.

    Character i shows the value in force at t0 + i x (t_end - t0) / (width - 1) (the latest row
    at or before it); the lowest value maps to ``▁``, the highest to ``█``, a flat curve is all
    ``▄``. One point gives one character; an empty curve gives "".
    """
    if curve.is_empty():
        return ""
    ts, values = curve["ts_ms"].to_list(), curve[column].to_list()
    if len(ts) == 1 or width == 1:
        samples = [values[-1]]
    else:
        t0, t1 = ts[0], ts[-1]
        samples = [values[bisect.bisect_right(ts, t0 + (t1 - t0) * i / (width - 1)) - 1] for i in range(width)]
    low, high = min(samples), max(samples)
    if high == low:
        return SPARK_CHARS[3] * len(samples)
    top = len(SPARK_CHARS) - 1
    return "".join(SPARK_CHARS[round((v - low) / (high - low) * top)] for v in samples)


# --- latency ----------------------------------------------------------------------------------

HISTOGRAM_SCHEMA = {"bucket": pl.String, "lo_s": pl.Float64, "hi_s": pl.Float64, "fills": pl.Int64}


def _bucket_label(lo: float, hi: float | None) -> str:
    return f"≥ {lo:g} s" if hi is None else f"{lo:g}–{hi:g} s"


def plan_fill_lags(envelopes: pl.DataFrame) -> pl.DataFrame:
    """One row per Fill envelope that traces back to an ExecutionPlan envelope of the day, directly
    or through the SignedOrderRequest that caused it: ``fill_envelope_id``, ``plan_envelope_id``,
    ``lag_ms`` = fill ``ts_ms`` − plan ``ts_ms`` (data time, Int64). Fills without one are left out."""
    plans = envelopes.filter(pl.col("payload_type") == "ExecutionPlan").select(
        pl.col("envelope_id").alias("plan_envelope_id"), pl.col("ts_ms").alias("plan_ts_ms"))
    signed = (envelopes.filter(pl.col("payload_type") == "SignedOrderRequest")
              .select(pl.col("envelope_id").alias("cause"), pl.col("causation_ids").alias("via_plan"))
              .explode("via_plan"))
    fills = (envelopes.filter(pl.col("payload_type") == "Fill")
             .select(pl.col("envelope_id").alias("fill_envelope_id"), "ts_ms", pl.col("causation_ids").alias("cause"))
             .explode("cause")
             .join(signed, on="cause", how="left", maintain_order="left")
             .select("fill_envelope_id", "ts_ms", pl.coalesce("via_plan", "cause").alias("plan_envelope_id")))
    return (fills.join(plans, on="plan_envelope_id", how="inner", maintain_order="left")
            .unique("fill_envelope_id", keep="first", maintain_order=True)
            .select("fill_envelope_id", "plan_envelope_id",
                    (pl.col("ts_ms") - pl.col("plan_ts_ms")).cast(pl.Int64).alias("lag_ms")))


def latency_histogram(envelopes: pl.DataFrame) -> pl.DataFrame:
    """Fills per bucket of plan-to-fill lag (data time), buckets of :data:`LATENCY_EDGES_S`.

    Returns:
        ``bucket`` (label, e.g. ``"1–5 s"``, ``"≥ 900 s"``), ``lo_s``, ``hi_s`` (Float64 seconds,
        bucket = [lo_s, hi_s); ``hi_s`` null for the last), ``fills`` (Int64). Every bucket is
        listed, empty ones with 0. A negative lag (a fill before its plan: a data error) is
        counted in an extra first row ``"< 0 s"`` that appears only when there is one.
    """
    lags_s = (plan_fill_lags(envelopes)["lag_ms"] / 1000).to_list()
    edges = list(LATENCY_EDGES_S)
    rows: list[tuple[str, float | None, float | None, int]] = []
    negative = sum(1 for lag in lags_s if lag < edges[0])
    if negative:
        rows.append((f"< {edges[0]:g} s", None, edges[0], negative))
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else None
        n = sum(1 for lag in lags_s if lo <= lag and (hi is None or lag < hi))
        rows.append((_bucket_label(lo, hi), lo, hi, n))
    return pl.DataFrame(rows, schema=HISTOGRAM_SCHEMA, orient="row")


# --- presentation -----------------------------------------------------------------------------

def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        text = f"{value:,.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pl.DataFrame) -> str:
    """``frame`` as a GitHub-flavoured Markdown table (what Dagster's Markdown metadata renders).

    Integers with thousands separators, floats with up to 6 decimals (trailing zeros dropped),
    null as an empty cell, ``|`` escaped. A frame without rows gives the header only.

    >>> print(markdown_table(pl.DataFrame({"table": ["a|b"], "rows": [38311], "usdc": [2.5]})))
    | table | rows | usdc |
    |---|---|---|
    | a\\|b | 38,311 | 2.5 |
    """
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)


def _figure(width_in: float = 8.0, height_in: float = 3.2):  # noqa: ANN202 - matplotlib Figure, imported late
    from matplotlib.figure import Figure  # an Agg canvas, no pyplot state, no display needed

    figure = Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def render_pnl_png(curve: pl.DataFrame, path: Path | str, title: str = "PnL over the day") -> Path:
    """Draw the :func:`pnl_curve` as a step chart (equity, realised; USDC vs UTC time) to ``path``.

    Parents are created; an empty curve draws an empty chart saying so. Returns ``path``.
    """
    from matplotlib import dates as mdates

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = _figure()
    if curve.is_empty():
        axes.text(0.5, 0.5, "no Position envelopes", ha="center", va="center", transform=axes.transAxes)
    else:
        times = [datetime.fromtimestamp(ms / 1000, tz=UTC) for ms in curve["ts_ms"].to_list()]
        axes.step(times, curve["equity_usdc"].to_list(), where="post", label="equity (realised + unrealised)")
        axes.step(times, curve["realised_usdc"].to_list(), where="post", label="realised", linestyle="--")
        axes.axhline(0.0, color="grey", linewidth=0.8)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=UTC))
        axes.legend(loc="best", fontsize="small")
    axes.set_title(title)
    axes.set_xlabel("time (UTC)")
    axes.set_ylabel("USDC")
    axes.grid(True, alpha=0.3)
    figure.savefig(path, format="png")
    return path


def render_latency_png(hist: pl.DataFrame, path: Path | str,
                       title: str = "Plan-to-fill lag (data time)") -> Path:
    """Draw the :func:`latency_histogram` as a bar chart (fills per bucket) to ``path``; returns it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = _figure()
    labels, counts = hist["bucket"].to_list(), hist["fills"].to_list()
    bars = axes.bar(range(len(labels)), counts)
    axes.bar_label(bars, labels=[str(n) if n else "" for n in counts], fontsize="small")
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize="small")
    axes.set_title(title + ("" if sum(counts) else ": no fills"))
    axes.set_xlabel("lag from plan to fill")
    axes.set_ylabel("fills")
    axes.grid(True, axis="y", alpha=0.3)
    figure.savefig(path, format="png")
    return path


def markdown_image(path: Path | str, alt: str) -> str:
    """A Markdown image of the PNG at ``path`` embedded as a ``data:image/png;base64`` URI.

    The Dagster UI's Markdown metadata renders it inline (its sanitizer allows ``data:`` image
    sources); the string is as large as the PNG x 4/3, so keep charts small.
    """
    encoded = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"![{alt}](data:image/png;base64,{encoded})"


def dagster_metadata(
    day: str, metrics: pl.DataFrame, envelopes: pl.DataFrame, out_dir: Path | str
) -> dict[str, object]:
    """Everything the report shows, as plain values for Dagster asset metadata.

    Writes ``pnl.png`` and ``latency.png`` under ``out_dir``. Key suffix -> how to wrap it:
    ``*_md`` -> ``MetadataValue.md`` (tables; the charts as embedded images), ``*_path`` ->
    ``MetadataValue.path`` (shown as a path, not an image), ``*_usdc`` -> ``MetadataValue.float``,
    other ints -> ``MetadataValue.int``, ``day`` -> text.
    """
    out = Path(out_dir)
    curve = pnl_curve(envelopes)
    hist = latency_histogram(envelopes)
    pnl_png = render_pnl_png(curve, out / "pnl.png", title=f"PnL {day}")
    latency_png = render_latency_png(hist, out / "latency.png", title=f"Plan-to-fill lag {day}")
    summary = pnl_summary(curve)
    return {
        "day": day,
        "counts_md": markdown_table(counts_table(metrics)),
        "decisions_md": markdown_table(decisions_table(metrics)),
        "latency_md": markdown_table(hist.select("bucket", "fills")),
        "pnl_chart_md": markdown_image(pnl_png, f"PnL {day}"),
        "latency_chart_md": markdown_image(latency_png, f"plan-to-fill lag {day}"),
        "pnl_png_path": str(pnl_png),
        "latency_png_path": str(latency_png),
        "equity_usdc": summary["equity_usdc"],
        "realised_usdc": summary["realised_usdc"],
        "unrealised_usdc": summary["unrealised_usdc"],
        "max_drawdown_usdc": summary["max_drawdown_usdc"],
        "fills_matched_to_plans": int(hist["fills"].sum()),
        "envelopes": envelopes.height,
    }

