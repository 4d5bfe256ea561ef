"""gov.audit_log — the ordered audit chain of every intent, rebuilt from causation ids alone.

Method
    Chain envelopes are those whose payload is an OrderIntent (step INTENT), RiskVote (VOTE),
    ExecutionPlan (PLAN), SignedOrderRequest (SIGNED), OrderEvent (ORDER_EVENT) or Fill (FILL);
    other envelopes (signals, candidates, positions, quarantine records) are not audited here.
    Each non-intent link names its cause as its first causation id. Its chain root is found by
    following causes through chain envelopes (at most ``MAX_DEPTH`` hops) until an OrderIntent
    envelope: no guesswork by intent id, token or time. A link whose cause is absent from the
    stream, is not a chain envelope, or is itself unrooted is *broken*: it yields a row with null
    ``intent_id`` / ``intent_envelope_id`` / ``position`` and reason GOV_AUDIT_BROKEN_CHAIN.

    Order inside a chain: by step group (INTENT, VOTES, PLAN, SIGNED, then ORDER_EVENT and FILL
    together), then data time ``ts_ms``, then ORDER_EVENT before FILL at equal time, then stream
    position (so votes keep the declared risk order in which they were emitted). ``position``
    is 0..n-1 in that order. Rows are sorted by chain (the intent's stream position), then
    position; broken links last, in stream order.

Inputs
    ``envelopes`` — ReportEnvelope frame (``envelope_id``, ``bot``, ``ts_ms`` Int64,
    ``causation_ids`` List(String), ``payload_type``, ``payload`` canonical JSON,
    ``reason_codes`` List(String), ...); extra columns such as ``partition_day`` are ignored.

Returns
    AuditRecord frame, validated against its generated schema; typed and empty for a stream
    without chain envelopes. ``outcome``: intent kind, vote decision, "PLANNED", "SIGNED",
    order status, fill trade status.

Reason codes
    GOV_AUDIT_BROKEN_CHAIN (appended after the envelope's own codes on a broken link).

Raises
    Nothing for data; polars ``ColumnNotFoundError`` if ``envelopes`` lacks a ReportEnvelope column.
"""

from __future__ import annotations

import polars as pl

from polytraders.bots.base import BotConfig
from polytraders.bots.gov.stream import CAUSE, ROW, envelope_rows
from polytraders.contracts.frames import polars_schema, validate_frame
from polytraders.contracts.reason_codes import require

SLUG = "gov.audit_log"
VERSION = "0.1.0"
OUTPUT = "AuditRecord"
BROKEN = require("GOV_AUDIT_BROKEN_CHAIN")

#: payload_type -> step of the link.
STEPS: dict[str, str] = {
    "OrderIntent": "INTENT",
    "RiskVote": "VOTE",
    "ExecutionPlan": "PLAN",
    "SignedOrderRequest": "SIGNED",
    "OrderEvent": "ORDER_EVENT",
    "Fill": "FILL",
}
_GROUP = {"INTENT": 0, "VOTE": 1, "PLAN": 2, "SIGNED": 3, "ORDER_EVENT": 4, "FILL": 4}
_TIE = {"ORDER_EVENT": 0, "FILL": 1}
#: Longest cause path followed back to an intent (fill -> signed -> plan -> intent is 3).
MAX_DEPTH = len(STEPS)


class Config(BotConfig):
    """Parameters of gov.audit_log: none (the chain is fixed by causation ids)."""


def _outcome() -> pl.Expr:
    step, payload = pl.col("step"), pl.col("payload")
    return (
        pl.when(step == "INTENT").then(payload.str.json_path_match("$.kind"))
        .when(step == "VOTE").then(payload.str.json_path_match("$.decision"))
        .when(step == "PLAN").then(pl.lit("PLANNED"))
        .when(step == "SIGNED").then(pl.lit("SIGNED"))
        .when(step == "ORDER_EVENT").then(payload.str.json_path_match("$.status"))
        .otherwise(payload.str.json_path_match("$.trade_status"))
    )  # fmt: skip


def _roots(links: pl.DataFrame) -> pl.DataFrame:
    """envelope_id -> root (envelope id of its OrderIntent, null when broken), by pointer walking."""
    nodes = links.select(
        pl.col("envelope_id").alias("_cur"), pl.col("step").alias("_cur_step"), pl.col(CAUSE).alias("_cur_cause")
    ).unique("_cur", keep="first", maintain_order=True)
    intent = pl.col("step") == "INTENT"
    state = links.select(
        "envelope_id",
        pl.when(intent).then(pl.col("envelope_id")).alias("root"),
        pl.when(~intent).then(pl.col(CAUSE)).alias("_cur"),
    )
    for _ in range(MAX_DEPTH):
        state = state.join(nodes, on="_cur", how="left", maintain_order="left").select(
            "envelope_id",
            pl.coalesce("root", pl.when(pl.col("_cur_step") == "INTENT").then(pl.col("_cur"))).alias("root"),
            pl.when(pl.col("_cur_step").is_not_null() & (pl.col("_cur_step") != "INTENT"))
            .then(pl.col("_cur_cause"))
            .alias("_cur"),
        )
    return state.select("envelope_id", "root")


def run(envelopes: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Audit chains of ``envelopes``; see the module docstring."""
    links = (
        envelope_rows(envelopes)
        .filter(pl.col("payload_type").is_in(list(STEPS)))
        .with_columns(pl.col("payload_type").replace_strict(STEPS, return_dtype=pl.String).alias("step"))
    )
    intents = links.filter(pl.col("step") == "INTENT").select(
        pl.col("envelope_id").alias("root"),
        pl.col("payload").str.json_path_match("$.intent_id").alias("intent_id"),
        pl.col(ROW).alias("_root_row"),
    ).unique("root", keep="first", maintain_order=True)
    chained = (
        links.with_columns(_outcome().alias("outcome"), _roots(links)["root"])
        .join(intents, on="root", how="left", maintain_order="left")
        .with_columns(
            pl.col("step").replace_strict(_GROUP, return_dtype=pl.Int64).alias("_group"),
            pl.col("step").replace_strict(_TIE, default=0, return_dtype=pl.Int64).alias("_tie"),
        )
        .sort(["_root_row", "_group", "ts_ms", "_tie", ROW], nulls_last=True)
    )
    broken = pl.col("root").is_null()
    out = chained.select(
        "intent_id",
        pl.col("root").alias("intent_envelope_id"),
        pl.when(~broken).then(pl.int_range(pl.len(), dtype=pl.Int64).over("root")).alias("position"),
        "step",
        "envelope_id",
        pl.when(pl.col("step") != "INTENT").then(pl.col(CAUSE)).alias("cause_envelope_id"),
        "bot",
        "ts_ms",
        "outcome",
        pl.when(broken)
        .then(pl.concat_list("reason_codes", pl.lit([BROKEN], dtype=pl.List(pl.String))))
        .otherwise(pl.col("reason_codes"))
        .alias("reason_codes"),
    )
    return validate_frame(OUTPUT, out.select(list(polars_schema(OUTPUT))))
