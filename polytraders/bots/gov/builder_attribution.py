"""gov.builder_attribution — orders, volume and fees per builder code; orders without one reported.

Method
    Order-bearing envelopes: ExecutionPlan (``builder_code``) and SignedOrderRequest
    (``builder``). A code is *missing* when null, empty after stripping, or an all-zero hex word
    (``0x00…0``, the unset bytes32 of a signed order). One *order* is one ExecutionPlan envelope
    together with the SignedOrderRequest envelopes caused by it; a SignedOrderRequest whose cause
    is not a plan in the stream is an order of its own.

    Order notional (USDC) = price x size of the plan; for a signed-only order, the collateral it
    moves: ``maker_amount`` (BUY) or ``taker_amount`` (SELL) / 10^6. Fills are the Fill envelopes
    whose first causation id is one of the order's envelopes: filled size = Σ size (shares),
    filled notional = Σ price x size (USDC), fees = Σ fee_usdc. Products and sums are exact;
    each money figure is quantised half-even to 1e-6 once, at the end.

    Fail closed: an order with any order-bearing envelope lacking a code is never attributed.
    It yields its own row (``builder_code`` null, ``envelope_id`` = the first such envelope,
    plan before signed request, ``order_count`` 1) with GOV_BUILDER_CODE_MISSING. Every other
    order is attributed to its code (the signed request's when there is one, i.e. what the venue
    sees; else the plan's) and summed per code. Fills caused by no order-bearing envelope are not
    attributable and not counted (gov.audit_log reports their broken chain).

Inputs
    ``envelopes`` — ReportEnvelope frame; reads envelope_id, ts_ms, causation_ids, payload_type
    and payload (extra columns such as ``partition_day`` are ignored).

Returns
    BuilderAttribution frame, validated against its generated schema: attributed rows sorted by
    builder_code, then missing-code rows in stream order; ``ts_ms`` = latest order-bearing or fill
    envelope counted in the row. Typed and empty when the stream has no order-bearing envelope.

Reason codes
    GOV_BUILDER_CODE_MISSING (severity ERROR) on each missing-code row.

Raises
    Nothing for data; polars ``ColumnNotFoundError`` if ``envelopes`` lacks a ReportEnvelope column.
"""

from __future__ import annotations

import polars as pl

from polytraders.bots.base import BotConfig
from polytraders.bots.gov.stream import CAUSE, ROW, payload_rows
from polytraders.contracts.frames import DECIMAL_DTYPE, polars_schema, validate_frame
from polytraders.contracts.reason_codes import require

SLUG = "gov.builder_attribution"
VERSION = "0.1.0"
OUTPUT = "BuilderAttribution"
MISSING = require("GOV_BUILDER_CODE_MISSING")

#: Exact products of two 1e-6 decimals need 1e-12.
_EXACT = pl.Decimal(38, 12)
_MICRO_PER_UNIT = 1_000_000
_UNSET = r"^\s*$|^0x0*$"


class Config(BotConfig):
    """Parameters of gov.builder_attribution: none (a missing code is never configurable away)."""


def _code(column: str) -> pl.Expr:
    """The builder code, null when missing."""
    code = pl.col(column).str.strip_chars()
    return pl.when(code.is_null() | code.str.contains(_UNSET)).then(None).otherwise(code)


def _orders(envelopes: pl.DataFrame) -> pl.DataFrame:
    """One row per order-bearing envelope: order key, rank (plan 0, signed 1), code, notional, ts."""
    plans = payload_rows(envelopes, "ExecutionPlan", {"price": DECIMAL_DTYPE, "size": DECIMAL_DTYPE,
                                                      "builder_code": pl.String()})  # fmt: skip
    signed = payload_rows(envelopes, "SignedOrderRequest", {"builder": pl.String(), "side": pl.String(),
                                                            "maker_amount": pl.Int64(), "taker_amount": pl.Int64()})
    plan_ids = plans["envelope_id"]
    micro = pl.when(pl.col("side") == "BUY").then(pl.col("maker_amount")).otherwise(pl.col("taker_amount"))
    collateral = micro.cast(_EXACT) / _MICRO_PER_UNIT
    on_plan = pl.col(CAUSE).is_in(plan_ids.implode())
    return pl.concat([
        plans.select(pl.col("envelope_id").alias("order"), pl.lit(0).alias("rank"), "envelope_id", ROW, "ts_ms",
                     _code("builder_code").alias("code"),
                     (pl.col("price").cast(_EXACT) * pl.col("size")).alias("notional")),
        signed.select(pl.when(on_plan).then(pl.col(CAUSE)).otherwise(pl.col("envelope_id")).alias("order"),
                      pl.lit(1).alias("rank"), "envelope_id", ROW, "ts_ms", _code("builder").alias("code"),
                      pl.when(on_plan).then(None).otherwise(collateral).alias("notional")),
    ])  # fmt: skip


def run(envelopes: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Builder attribution of ``envelopes``; see the module docstring."""
    bearing = _orders(envelopes)
    fills = payload_rows(envelopes, "Fill", {"price": DECIMAL_DTYPE, "size": DECIMAL_DTYPE, "fee_usdc": DECIMAL_DTYPE})
    fill_sums = (
        fills.join(bearing.select(pl.col("envelope_id").alias(CAUSE), "order"), on=CAUSE, how="inner")
        .group_by("order")
        .agg(
            pl.len().cast(pl.Int64).alias("fill_count"),
            pl.col("size").cast(_EXACT).sum().alias("filled_size"),
            (pl.col("price").cast(_EXACT) * pl.col("size")).sum().alias("filled_notional"),
            pl.col("fee_usdc").cast(_EXACT).sum().alias("fees"),
            pl.col("ts_ms").max().alias("fill_ts"),
        )
    )
    orders = (
        bearing.sort("order", "rank", ROW)
        .group_by("order", maintain_order=True)
        .agg(
            pl.col("code").last().alias("builder_code"),
            pl.col("envelope_id").filter(pl.col("code").is_null()).first().alias("envelope_id"),
            pl.col(ROW).filter(pl.col("code").is_null()).first().alias(ROW),
            pl.col("notional").drop_nulls().first().alias("notional"),
            pl.col("ts_ms").max().alias("ts_ms"),
        )
        .join(fill_sums, on="order", how="left")
        .with_columns(
            pl.col("fill_count").fill_null(0),
            pl.col("filled_size", "filled_notional", "fees").fill_null(pl.lit(0, dtype=_EXACT)),
            pl.max_horizontal("ts_ms", "fill_ts").alias("ts_ms"),
            pl.lit(1, dtype=pl.Int64).alias("order_count"),
        )
    )
    sums = [pl.col(c).sum() for c in ("order_count", "fill_count", "notional", "filled_size", "filled_notional",
                                      "fees")] + [pl.col("ts_ms").max()]  # fmt: skip
    attributed = (
        orders.filter(pl.col("envelope_id").is_null())
        .group_by("builder_code").agg(*sums).sort("builder_code")
        .with_columns(pl.lit(None, dtype=pl.String).alias("envelope_id"), pl.lit([], dtype=pl.List(pl.String))
                      .alias("reason_codes"))
    )  # fmt: skip
    missing = (
        orders.filter(pl.col("envelope_id").is_not_null()).sort(ROW)
        .with_columns(pl.lit(None, dtype=pl.String).alias("builder_code"),
                      pl.lit([MISSING], dtype=pl.List(pl.String)).alias("reason_codes"))
    )  # fmt: skip
    return validate_frame(OUTPUT, pl.concat([_shape(attributed), _shape(missing)]))


def _shape(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` in BuilderAttribution column order, money quantised half-even to 1e-6."""
    return frame.select(
        "builder_code", "envelope_id", "fees", "fill_count", "filled_notional", "filled_size", "notional",
        "order_count", "reason_codes", "ts_ms",
    ).rename({"fees": "fees_usdc", "filled_notional": "filled_notional_usdc", "notional": "notional_usdc"}).cast(
        dict(polars_schema(OUTPUT))
    )  # fmt: skip
