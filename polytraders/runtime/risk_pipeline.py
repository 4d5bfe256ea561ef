"""The risk pipeline over an intent frame: the declared order, short-circuit, REDUCE hand-off,
quarantine and fail-closed, vectorised per bot.

For a frame of PLACE intents with their context (:data:`~polytraders.bots.risk.context.
RISK_FRAME_SCHEMA`), each :class:`RiskStep` in order votes on the rows still alive:

1. rows of a market the step quarantines get REJECT with RISK_QUARANTINED (the bot's own code
   first), while other markets flow;
2. the bot's ``vote`` runs once over the rest; if it raises, overruns its time budget or returns
   something that is not a :data:`VOTE_SCHEMA` frame of the right height, every row gets REJECT
   with the bot's own code and RISK_BOT_FAILED / RISK_BOT_TIMEOUT / RISK_BOT_INVALID_VOTE; a
   single row whose vote does not fit its decision (APPROVE = the size, REDUCE strictly between
   0 and it, REJECT = 0, a registered code of this bot on REDUCE / REJECT) is that row's
   RISK_BOT_INVALID_VOTE REJECT;
3. REJECT ends a row (later bots are recorded as not evaluated); REDUCE lowers its size, and the
   next bot sees the reduced size.

Only rows that end APPROVE or REDUCE may reach S8. The time budget is checked after the call (a
bot cannot be pre-empted safely): an answer that comes too late is discarded and counts as a
REJECT, which makes a replay's decisions depend on timing only when a bot overruns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import VOTE_SCHEMA, RiskContext
from polytraders.contracts import reason_codes
from polytraders.contracts.frames import polars_schema

RiskVoteFn = Callable[[pl.DataFrame, RiskContext, BotConfig], pl.DataFrame]

FAILED = reason_codes.require("RISK_BOT_FAILED")
TIMEOUT = reason_codes.require("RISK_BOT_TIMEOUT")
INVALID = reason_codes.require("RISK_BOT_INVALID_VOTE")
QUARANTINED = reason_codes.require("RISK_QUARANTINED")

_DEC = pl.Decimal(38, 6)
#: The RiskVote frame's columns, in the order the pipeline writes them.
VOTE_FRAME = pl.Schema({name: polars_schema("RiskVote")[name] for name in
                         ("intent_id", "bot", "ts_ms", "decision", "reason_codes", "approved_size")})

#: Columns of the per-intent decision frame :func:`run_pipeline` returns.
DECISION_SCHEMA = pl.Schema({
    "intent_id": pl.String, "ts_ms": pl.Int64, "decision": pl.String, "approved_size": _DEC,
    "decided_by": pl.String, "reason_codes": pl.List(pl.String), "not_evaluated": pl.List(pl.String),
})


@dataclass(frozen=True, slots=True)
class RiskStep:
    """One bot of the declared risk order.

    Attributes:
        slug: the bot's slug.
        vote: its ``vote(intents, ctx, config)`` function.
        config: its effective config.
        codes: the reason codes it may emit (the manifest's); the first is its own code, put first
            on fail-closed and quarantine rejections.
        quarantined: condition ids this bot isolates (quarantine mode): their intents are denied.
        budget_ms: time budget of one call, ms: ``budget_ms + budget_us_per_row · rows / 1000``.
        budget_us_per_row: the per-row part of the budget, µs.
        stateful: the bot's vote may depend on the portfolio columns or on histories the gate's
            own decisions write (fills, recon, API calls); a bot whose module sets
            ``STATEFUL = False`` reads only the intent, its market columns and the static
            histories, so its votes do not depend on what the gate decided before (the gate
            runs the stateless head of the declared order once over the day).
    """

    slug: str
    vote: RiskVoteFn
    config: BotConfig
    codes: tuple[str, ...]
    quarantined: frozenset[str] = frozenset()
    budget_ms: float = 500.0
    budget_us_per_row: float = 20.0
    stateful: bool = True


@dataclass(frozen=True, slots=True)
class PipelineResult:
    """Votes per bot (RiskVote frames, rows it evaluated, in frame order), the decision per intent
    (:data:`DECISION_SCHEMA`, in frame order) and the time spent per bot, ns."""

    votes: dict[str, pl.DataFrame]
    decisions: pl.DataFrame
    elapsed_ns: dict[str, int]


def _failed(height: int, step: RiskStep, code: str) -> pl.DataFrame:
    return pl.DataFrame({
        "decision": ["REJECT"] * height, "approved_size": pl.Series([0] * height).cast(_DEC),
        "reason_code": [None] * height, "failure": [code] * height,
    }, schema={**VOTE_SCHEMA, "failure": pl.String})


def _checked(step: RiskStep, rows: pl.DataFrame, ctx: RiskContext) -> tuple[pl.DataFrame, int]:
    """The step's votes on ``rows`` with a ``failure`` column (null when the vote stands)."""
    started = time.perf_counter_ns()
    try:
        out = step.vote(rows, ctx, step.config)
    except Exception:  # noqa: BLE001 - fail closed on anything a bot raises
        return _failed(rows.height, step, FAILED), time.perf_counter_ns() - started
    elapsed = time.perf_counter_ns() - started
    if elapsed > (step.budget_ms + step.budget_us_per_row * rows.height / 1000) * 1e6:
        return _failed(rows.height, step, TIMEOUT), elapsed
    if not isinstance(out, pl.DataFrame) or out.schema != VOTE_SCHEMA or out.height != rows.height:
        return _failed(rows.height, step, INVALID), elapsed
    size, approved, decision = rows["size"], out["approved_size"], out["decision"]
    fits = (
        ((decision == "APPROVE") & (approved == size) & out["reason_code"].is_null())
        | ((decision == "REDUCE") & (approved > 0) & (approved < size))
        | ((decision == "REJECT") & (approved == 0))
    ) & (out["reason_code"].is_in(list(step.codes)) | (decision == "APPROVE"))
    bad = ~fits.fill_null(False)
    return out.with_columns(
        decision=pl.when(bad).then(pl.lit("REJECT")).otherwise(pl.col("decision")),
        approved_size=pl.when(bad).then(pl.lit(0).cast(_DEC)).otherwise(pl.col("approved_size")),
        reason_code=pl.when(bad).then(pl.lit(None, pl.String)).otherwise(pl.col("reason_code")),
        failure=pl.when(bad).then(pl.lit(INVALID)).otherwise(pl.lit(None, pl.String)),
    ), elapsed


def _step_votes(step: RiskStep, rows: pl.DataFrame, ctx: RiskContext) -> tuple[pl.DataFrame, int]:
    """The step's votes on ``rows`` as RiskVote columns (decision, approved_size, reason_codes)."""
    isolated = rows["condition_id"].is_in(list(step.quarantined)) if step.quarantined else None
    if isolated is not None and isolated.any():
        free = rows.filter(~isolated)
        got, elapsed = _checked(step, free, ctx)
        placed = pl.DataFrame({"_free": (~isolated).cum_sum() - 1, "_isolated": isolated})
        got = placed.with_columns(
            pl.when(pl.col("_isolated")).then(None).otherwise(pl.col("_free")).alias("_i")
        ).join(got.with_row_index("_i").with_columns(pl.col("_i").cast(pl.Int64)), on="_i", how="left",
               maintain_order="left").select(
            decision=pl.when(pl.col("_isolated")).then(pl.lit("REJECT")).otherwise(pl.col("decision")),
            approved_size=pl.when(pl.col("_isolated")).then(pl.lit(0).cast(_DEC)).otherwise(pl.col("approved_size")),
            reason_code=pl.col("reason_code"),
            failure=pl.when(pl.col("_isolated")).then(pl.lit(QUARANTINED)).otherwise(pl.col("failure")),
        )
    else:
        got, elapsed = _checked(step, rows, ctx)
    own = step.codes[0]
    codes = (
        pl.when(pl.col("failure").is_not_null()).then(pl.concat_list(pl.lit(own), pl.col("failure")))
        .when(pl.col("reason_code").is_not_null()).then(pl.concat_list(pl.col("reason_code")))
        .otherwise(pl.lit([], pl.List(pl.String)))
    )
    return got.select("decision", "approved_size", codes.alias("reason_codes")), elapsed


def run_pipeline(intents: pl.DataFrame, ctx: RiskContext, steps: Sequence[RiskStep]) -> PipelineResult:
    """Run ``steps`` in order over ``intents`` (RISK_FRAME_SCHEMA rows, PLACE only).

    Returns a :class:`PipelineResult`; the decision frame's ``approved_size`` is the size after
    every REDUCE (0 on REJECT), ``decided_by`` the rejecting bot (or the last reducing one, null
    on a clean APPROVE), ``reason_codes`` the rejecting vote's codes or the reducing votes' codes
    in order, ``not_evaluated`` the bots after a rejection.
    """
    n = intents.height
    size = intents["size"]
    alive = np.ones(n, dtype=bool)
    votes: dict[str, pl.DataFrame] = {}
    elapsed: dict[str, int] = {}
    reduced_any = False
    for step in steps:
        index = np.flatnonzero(alive)
        if index.size == n:
            rows = intents.with_columns(size=size) if reduced_any else intents
        else:
            keep = pl.Series(alive)
            rows = intents.filter(keep).with_columns(size=size.filter(keep)) if reduced_any else intents.filter(keep)
        if rows.height:
            got, elapsed[step.slug] = _step_votes(step, rows, ctx)
        else:
            got, elapsed[step.slug] = pl.DataFrame(schema={
                "decision": pl.String, "approved_size": _DEC, "reason_codes": pl.List(pl.String)}), 0
        votes[step.slug] = rows.select("intent_id", "ts_ms").hstack(got).select(
            "intent_id", pl.lit(step.slug).alias("bot"), "ts_ms", "decision", "reason_codes", "approved_size",
        ).cast(dict(VOTE_FRAME))
        decision = got["decision"]
        alive[index[(decision == "REJECT").to_numpy()]] = False
        reduced = decision == "REDUCE"
        if reduced.any():
            size = size.scatter(index[reduced.to_numpy()], got["approved_size"].filter(reduced))
            reduced_any = True
    return PipelineResult(votes=votes, decisions=_decisions(intents, votes, steps, size, alive),
                          elapsed_ns=elapsed)


def _decisions(intents: pl.DataFrame, votes: dict[str, pl.DataFrame], steps: Sequence[RiskStep],
               size: pl.Series, alive: np.ndarray) -> pl.DataFrame:
    """The decision per intent from the votes that were not APPROVE (see :func:`run_pipeline`)."""
    slugs = [s.slug for s in steps]
    order = pl.DataFrame({"bot": slugs, "_k": range(len(slugs))}, schema={"bot": pl.String, "_k": pl.Int64})
    after = pl.DataFrame({"_k": range(len(slugs) + 1), "not_evaluated": [slugs[k + 1:] for k in range(len(slugs) + 1)]},
                         schema={"_k": pl.Int64, "not_evaluated": pl.List(pl.String)})
    rejected = pl.col("decision") == "REJECT"
    acted = (
        pl.concat([pl.DataFrame(schema=VOTE_FRAME),
                   *(v.filter(pl.col("decision") != "APPROVE") for v in votes.values())])
        .join(order, on="bot")
        .filter(rejected | ~rejected.any().over("intent_id"))  # a rejected intent keeps only its REJECT
        .sort("_k")
        .group_by("intent_id")
        .agg(pl.col("decision").last(), pl.col("bot").last().alias("decided_by"),
             pl.col("reason_codes").list.explode(keep_nulls=False, empty_as_null=False),
             pl.col("_k").filter(rejected).first())
    )
    return (
        intents.select("intent_id", "ts_ms")
        .with_columns(approved_size=pl.when(pl.Series(alive)).then(size).otherwise(pl.lit(0).cast(_DEC)))
        .join(acted, on="intent_id", how="left", maintain_order="left")
        .with_columns(pl.col("decision").fill_null("APPROVE"), pl.col("reason_codes").fill_null([]),
                      pl.col("_k").fill_null(len(slugs)))
        .join(after, on="_k", how="left", maintain_order="left")
        .select(*DECISION_SCHEMA.names())
        .cast(dict(DECISION_SCHEMA))
    )


def chain(head: pl.DataFrame, tail: pl.DataFrame, later: Sequence[str]) -> pl.DataFrame:
    """One decision per intent of ``head`` from two pipeline runs in sequence: ``head`` (the first
    steps, every intent) and ``tail`` (the ``later`` steps, over the intents ``head`` did not
    reject, at their reduced size), both DECISION_SCHEMA frames; ``head``'s row order.

    As one run over all the steps would decide: a REJECT in ``head`` stands (``later`` not
    evaluated either); a REJECT in ``tail`` keeps only its own codes; otherwise the reducing codes
    of both, in order, and the last reducing bot decides. Raises ValueError when an intent that
    ``head`` passed has no ``tail`` row.
    """
    suffix = pl.lit(list(later), pl.List(pl.String))
    both = head.join(tail, on="intent_id", how="left", suffix="_tail", maintain_order="left")
    missing = both.filter((pl.col("decision") != "REJECT") & pl.col("decision_tail").is_null())
    if missing.height:
        raise ValueError(f"no decision of the later steps for {missing['intent_id'][0]!r}")
    head_rejects = pl.col("decision") == "REJECT"
    tail_rejects = pl.col("decision_tail") == "REJECT"
    tail_reduces = pl.col("decision_tail") == "REDUCE"
    head_reduces = pl.col("decision") == "REDUCE"
    return both.select(
        "intent_id", "ts_ms",
        pl.when(head_rejects | tail_rejects).then(pl.lit("REJECT"))
        .when(head_reduces | tail_reduces).then(pl.lit("REDUCE")).otherwise(pl.lit("APPROVE")).alias("decision"),
        pl.when(head_rejects).then(pl.col("approved_size")).otherwise(pl.col("approved_size_tail"))
        .alias("approved_size"),
        pl.when(head_rejects).then(pl.col("decided_by"))
        .when(tail_rejects | tail_reduces).then(pl.col("decided_by_tail"))
        .otherwise(pl.col("decided_by")).alias("decided_by"),
        pl.when(head_rejects).then(pl.col("reason_codes"))
        .when(tail_rejects).then(pl.col("reason_codes_tail"))
        .otherwise(pl.concat_list("reason_codes", "reason_codes_tail")).alias("reason_codes"),
        pl.when(head_rejects).then(pl.concat_list("not_evaluated", suffix))
        .otherwise(pl.col("not_evaluated_tail")).alias("not_evaluated"),
    ).cast(dict(DECISION_SCHEMA))
