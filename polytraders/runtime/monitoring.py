"""S11: the run's figures (RunMetric rows)."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from polytraders.runtime.trading import last_positions


def run_metrics(partition: str, run_id: str, stage_rows: Mapping[tuple[str, str], int],
                decisions: pl.DataFrame, intents: pl.DataFrame, approved: pl.DataFrame,
                plans: pl.DataFrame, signed: pl.DataFrame, refusals: pl.DataFrame, fills: pl.DataFrame,
                positions: pl.DataFrame, quarantine: pl.DataFrame, schema_failures: int) -> pl.DataFrame:
    """S11: the run's figures as a RunMetric frame.

    Args:
        stage_rows: (stage, table) -> rows written for this partition.
        decisions: S7's RiskDecision frame; intents: all OrderIntents; approved: those that
            passed S7; plans: ExecutionPlan frame (S8); signed: SignedOrderRequest frame (S8);
            refusals: OrderRefusal frame (S8); fills: Fill frame; positions: Position frame (S9);
            quarantine: all QuarantineRecords of the day.

    Metrics: rows_out per (stage, table); intents / approved / rejected (S7) and rejections by
    reason code and by deciding bot; plans, signed orders, S8 refusals by reason code (and, when the
    rejection breaker held submits back, ``breaker`` keyed by its cause, e.g. "breaker tripped by 5 x
    EXEC_VENUE_BALANCE_ALLOWANCE"); fills and filled notional (USDC); realised and unrealised PnL at the
    end of the day (USDC, from the last Position row per token); quarantines by reason code;
    schema failures.
    """
    rows: list[tuple[str, str, str, float]] = [
        (stage, "rows_out", table, float(n)) for (stage, table), n in sorted(stage_rows.items())
    ]
    places = intents.filter(pl.col("kind") == "PLACE").height
    rows += [("S6", "intents", "PLACE", float(places)),
             ("S6", "intents", "CANCEL", float(intents.height - places)),
             ("S7", "approved", "", float(approved.filter(pl.col("kind") == "PLACE").height))]
    rejected = decisions.filter(pl.col("decision") == "REJECT")
    reduced = decisions.filter(pl.col("decision") == "REDUCE")
    rows.append(("S7", "rejected", "", float(rejected.height)))
    for label, frame in (("rejections_by_reason", rejected), ("reductions_by_reason", reduced)):
        counts = frame.explode("reason_codes").group_by("reason_codes").len().sort("reason_codes")
        rows += [("S7", label, str(code), float(n)) for code, n in counts.iter_rows()]
    by_bot = rejected.group_by("decided_by").len().sort("decided_by")
    rows += [("S7", "rejections_by_bot", str(slug), float(n)) for slug, n in by_bot.iter_rows()]
    rows.append(("S8", "plans", "", float(plans.height)))
    rows.append(("S8", "signed", "", float(signed.height)))
    codes = refusals.explode("reason_codes").group_by("reason_codes").len().sort("reason_codes")
    rows += [("S8", "refusals_by_reason", str(code), float(n)) for code, n in codes.iter_rows()]
    held = refusals.filter(pl.col("reason_codes").list.contains("EXEC_REJECTION_BREAKER"))
    rows += [("S8", "breaker", str(cause), float(n))
             for cause, n in held.group_by("detail").len().sort("detail").iter_rows()]
    rows.append(("S8", "fills", "", float(fills.height)))
    rows.append(("S8", "filled_notional_usdc", "", float((fills["price"] * fills["size"]).sum() or 0)))
    last = last_positions(positions)
    rows.append(("S9", "realised_pnl_usdc", "", float(last["realised_pnl_usdc"].sum() or 0)))
    rows.append(("S9", "unrealised_pnl_usdc", "", float(last["unrealised_pnl_usdc"].sum() or 0)))
    q = quarantine.group_by("reason_code").len().sort("reason_code")
    rows += [("S2", "quarantined", str(code), float(n)) for code, n in q.iter_rows()]
    rows.append(("S11", "schema_failures", "", float(schema_failures)))
    return pl.DataFrame(
        [(partition, run_id, *r) for r in rows], schema=["partition", "run_id", "stage", "metric", "key", "value"],
        orient="row",
    )
