"""gov.sla_reporter — stage latencies, reject and quarantine rates, feed gaps and uptime.

Method (all times are envelope ``ts_ms``, the data's time, in milliseconds)
    Latencies follow causation links (first causation id), one observation per link:

    * ``s7_vote_lag``    = vote.ts - intent.ts, per RiskVote caused by an OrderIntent envelope;
      overall (key "") and per risk bot (key = slug).
    * ``s8_ack_latency`` = ts of the first OrderEvent of a plan - plan.ts, per plan with one.
    * ``time_to_fill``   = fill.ts - plan.ts, per Fill.

    An OrderEvent / Fill caused by a SignedOrderRequest counts against that request's plan.
    Percentiles are exact nearest-rank: for n observations sorted ascending x_1..x_n, the p-th
    percentile (p in 1..100) is x_k with k = ceil(p·n / 100), computed in integers. So p50 of
    (10, 20, 30, 40) is x_2 = 20 and p95 of 20 values is x_19. Metric ``<name>_p<p>``.

    * ``reject_rate`` per risk bot = its REJECT votes / its votes (each vote evaluates one
      intent); overall = intents with at least one REJECT / intents with at least one vote
      (intents counted by the envelope id their votes name).
    * ``quarantine_rate`` = Q / (Q + B): Q = QuarantineRecord envelopes (what S1/S2 set aside),
      B = Signal envelopes of ``book_state_bot`` (one per accepted book state per token), i.e. the
      share of book states the pipeline received that were quarantined.
    * feed gaps per token (Signals of ``book_state_bot``): a gap is a step between consecutive
      Signal times of one token longer than ``gap_ms``. ``feed_gap_count`` and
      ``feed_gap_longest`` (ms, 0 without gaps) per token and overall (key "").
    * ``uptime`` = (span - time inside gaps) / span, span = last - first envelope ts of the whole
      stream; per token its own gaps, overall the union of all tokens' gaps (time when any
      token's feed was in a gap). No uptime figure when the span is 0.

    A figure without observations (no votes, no plans, ...) is omitted rather than reported as 0.
    ``sample_count``: observations (latencies), denominator (rates), consecutive-Signal intervals
    (gap figures), gap intervals (uptime). ``ts_ms`` of every figure is the stream's last ts.

Inputs
    ``envelopes`` — ReportEnvelope frame (extra columns such as ``partition_day`` ignored).

Returns
    SlaFigure frame, validated against its generated schema, in the order above (per-key rows
    sorted by key); typed and empty for an empty stream.

Reason codes
    None (SLA thresholds and GOV_SLA_BREACH are not configured in this version).

Raises
    pydantic.ValidationError — invalid config (gap_ms < 1, a percentile outside 1..100).
"""

from __future__ import annotations

from typing import Annotated

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.gov.stream import CAUSE, ROW, envelope_rows, payload_rows
from polytraders.contracts.frames import empty_frame, polars_schema, validate_frame

SLUG = "gov.sla_reporter"
VERSION = "0.1.0"
OUTPUT = "SlaFigure"


class Config(BotConfig):
    """Parameters of gov.sla_reporter."""

    gap_ms: int = Field(
        default=10_000, ge=1, description="a step between consecutive Signals of a token longer than this is a "
        "feed gap, milliseconds",
    )  # fmt: skip
    percentiles: tuple[Annotated[int, Field(ge=1, le=100)], ...] = Field(
        default=(50, 95), min_length=1, description="nearest-rank percentiles reported for each latency, percent"
    )
    book_state_bot: str = Field(
        default="intel.microprice", description="bot whose Signals mark accepted book states (one per book state "
        "per token): the feed-gap source and the quarantine-rate denominator",
    )  # fmt: skip


def _percentiles(obs: pl.DataFrame, metric: str, percentiles: tuple[int, ...], by: str | None) -> pl.DataFrame:
    """Nearest-rank percentiles of ``obs['value']`` (Int64 ms), overall and, with ``by``, per key."""
    if obs.is_empty():
        return _rows()
    groups = [obs.with_columns(pl.lit("").alias("key"))]
    if by is not None:
        groups.append(obs.with_columns(pl.col(by).alias("key")))
    frames = []
    for p in percentiles:
        rank = (pl.len() * p + 99) // 100 - 1  # ceil(p·n / 100), 0-based
        frames += [
            g.group_by("key").agg(
                pl.col("value").sort().gather(rank).first().cast(pl.Float64), pl.len().alias("sample_count")
            ).sort("key").with_columns(metric=pl.lit(f"{metric}_p{p}"), unit=pl.lit("ms"))
            for g in groups
        ]  # fmt: skip
    return _rows(*frames)


def _rows(*frames: pl.DataFrame) -> pl.DataFrame:
    schema = {"metric": pl.String, "key": pl.String, "value": pl.Float64, "unit": pl.String, "sample_count": pl.Int64}
    return pl.concat([pl.DataFrame(schema=schema), *(f.select(list(schema)).cast(schema) for f in frames)])


def _figure(metric: str, key: str, value: float, unit: str, n: int) -> pl.DataFrame:
    row = {"metric": [metric], "key": [key], "value": [value], "unit": [unit], "sample_count": [n]}
    return _rows(pl.DataFrame(row))


def _latencies(envelopes: pl.DataFrame, config: Config) -> pl.DataFrame:
    rows = envelope_rows(envelopes)
    ts_of = rows.select(pl.col("envelope_id").alias(CAUSE), pl.col("ts_ms").alias("_cause_ts"),
                        pl.col("payload_type").alias("_cause_type")).unique(CAUSE, keep="first")  # fmt: skip
    votes = rows.filter(pl.col("payload_type") == "RiskVote").join(ts_of, on=CAUSE)
    votes = votes.filter(pl.col("_cause_type") == "OrderIntent").select(
        "bot", (pl.col("ts_ms") - pl.col("_cause_ts")).alias("value")
    )
    plans = rows.filter(pl.col("payload_type") == "ExecutionPlan").select("envelope_id", "ts_ms")
    signed = rows.filter(pl.col("payload_type") == "SignedOrderRequest").select("envelope_id", pl.col(CAUSE))
    plan_of = pl.concat([plans.select("envelope_id", pl.col("envelope_id").alias("_plan")),
                         signed.select("envelope_id", pl.col(CAUSE).alias("_plan"))])  # fmt: skip
    plan_ts = plans.select(pl.col("envelope_id").alias("_plan"), pl.col("ts_ms").alias("_plan_ts"))

    def since_plan(payload_type: str) -> pl.DataFrame:
        return (
            rows.filter(pl.col("payload_type") == payload_type)
            .join(plan_of.rename({"envelope_id": CAUSE}), on=CAUSE)
            .join(plan_ts, on="_plan")
            .select("_plan", (pl.col("ts_ms") - pl.col("_plan_ts")).alias("value"))
        )

    acks = since_plan("OrderEvent").group_by("_plan").agg(pl.col("value").min())
    return _rows(
        _percentiles(votes, "s7_vote_lag", config.percentiles, "bot"),
        _percentiles(acks, "s8_ack_latency", config.percentiles, None),
        _percentiles(since_plan("Fill"), "time_to_fill", config.percentiles, None),
    )


def _reject_rates(envelopes: pl.DataFrame) -> pl.DataFrame:
    votes = payload_rows(envelopes, "RiskVote", {"decision": pl.String()})
    if votes.is_empty():
        return _rows()
    reject = pl.col("decision") == "REJECT"
    overall = votes.group_by(CAUSE).agg(reject.any().alias("_rejected"))
    per_bot = votes.group_by("bot").agg(
        (reject.sum() / pl.len()).alias("value"), pl.len().alias("sample_count")
    ).sort("bot")
    return _rows(
        _figure("reject_rate", "", overall["_rejected"].sum() / overall.height, "fraction", overall.height),
        per_bot.with_columns(metric=pl.lit("reject_rate"), key=pl.col("bot"), unit=pl.lit("fraction")),
    )


def _union_length(intervals: pl.DataFrame) -> tuple[int, int]:
    """(total length, number) of the union of [start, end] intervals."""
    if intervals.is_empty():
        return 0, 0
    merged = (
        intervals.sort("start", "end")
        .with_columns(pl.col("end").cum_max().shift(1).alias("_reach"))
        .with_columns((pl.col("start") > pl.col("_reach")).fill_null(True).cum_sum().alias("_block"))
        .group_by("_block")
        .agg(pl.col("start").min(), pl.col("end").max())
    )
    return int((merged["end"] - merged["start"]).sum()), merged.height


def _feed(envelopes: pl.DataFrame, config: Config) -> pl.DataFrame:
    rows = envelope_rows(envelopes)
    quarantined = rows.filter(pl.col("payload_type") == "QuarantineRecord").height
    signals = payload_rows(envelopes, "Signal", {"token_id": pl.String()}).filter(
        pl.col("bot") == config.book_state_bot
    )
    out = []
    if quarantined + signals.height:
        denominator = quarantined + signals.height
        out.append(_figure("quarantine_rate", "", quarantined / denominator, "fraction", denominator))
    if signals.is_empty():
        return _rows(*out)
    steps = (
        signals.sort("token_id", "ts_ms", ROW)
        .select("token_id", pl.col("ts_ms").shift(1).over("token_id").alias("start"), pl.col("ts_ms").alias("end"))
        .filter(pl.col("start").is_not_null())
    )
    gaps = steps.filter(pl.col("end") - pl.col("start") > config.gap_ms)
    tokens = (
        signals.select("token_id").unique()
        .join(steps.group_by("token_id").agg(pl.len().alias("_intervals")), on="token_id", how="left")
        .join(gaps.group_by("token_id").agg(pl.len().alias("_gaps"), (pl.col("end") - pl.col("start")).max()
                                            .alias("_longest"), (pl.col("end") - pl.col("start")).sum().alias("_down")),
              on="token_id", how="left")
        .fill_null(0).sort("token_id")
    )  # fmt: skip
    n_intervals = steps.height
    longest = int(gaps.select((pl.col("end") - pl.col("start")).max()).item() or 0)
    for metric, overall, column, unit in (("feed_gap_count", gaps.height, "_gaps", "count"),
                                          ("feed_gap_longest", longest, "_longest", "ms")):  # fmt: skip
        out.append(_figure(metric, "", float(overall), unit, n_intervals))
        out.append(tokens.select(pl.lit(metric).alias("metric"), pl.col("token_id").alias("key"),
                                 pl.col(column).cast(pl.Float64).alias("value"), pl.lit(unit).alias("unit"),
                                 pl.col("_intervals").alias("sample_count")))  # fmt: skip
    span = int(rows["ts_ms"].max()) - int(rows["ts_ms"].min())
    if span > 0:
        # Python division (correctly rounded): polars may divide by a literal as a reciprocal product.
        down, merged = _union_length(gaps.select("start", "end"))
        out.append(_figure("uptime", "", (span - down) / span, "fraction", merged))
        token_uptime = pl.Series("value", [(span - d) / span for d in tokens["_down"]], dtype=pl.Float64)
        out.append(tokens.select(pl.lit("uptime").alias("metric"), pl.col("token_id").alias("key"), token_uptime,
                                 pl.lit("fraction").alias("unit"), pl.col("_gaps").alias("sample_count")))  # fmt: skip
    return _rows(*out)


def run(envelopes: pl.DataFrame, config: Config) -> pl.DataFrame:
    """SLA figures of ``envelopes``; see the module docstring."""
    if envelopes.is_empty():
        return empty_frame(OUTPUT)
    figures = _rows(_latencies(envelopes, config), _reject_rates(envelopes), _feed(envelopes, config))
    out = figures.with_columns(pl.lit(int(envelopes["ts_ms"].max()), dtype=pl.Int64).alias("ts_ms"))
    return validate_frame(OUTPUT, out.select(list(polars_schema(OUTPUT))))
