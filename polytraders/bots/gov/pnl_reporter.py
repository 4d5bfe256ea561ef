"""gov.pnl_reporter — realised, unrealised and settlement PnL per strategy bot, market and day.

Method
    Reads the Position envelopes (S9 inventory rows: after each fill, at settlement, and a final
    mark at the end of the day); the strategy bot is the envelope's ``bot``, the day its
    ``partition``. Rows of one (bot, day, token) are ordered by ``ts_ms`` then stream order (so
    a settlement written at the time of a fill stays last).

    * realised / unrealised (USDC) of a token = those of its last row (the ledger's figures are
      cumulative), summed over the market's tokens;
    * settlement (USDC) of a token = the realised PnL its settlement added: Σ over rows with
      ``settled`` true whose previous row (of the token) was not settled, of
      ``realised - previous realised`` (0 when there is no previous row). This excludes what
      earlier SELL fills had already realised; for a token only ever settled it equals the
      settled row's realised;
    * total = realised + unrealised (settlement is part of realised, not added again);
    * one row per (bot, day, condition_id), then a total row per (bot, day) with
      ``condition_id`` null summing its markets.

    Decimal arithmetic throughout (sums of 1e-6 values are exact, so no rounding happens).

Inputs
    ``envelopes`` — ReportEnvelope frame (extra columns such as ``partition_day`` ignored);
    Position payloads: condition_id, token_id, size, mark_price, realised_pnl_usdc,
    unrealised_pnl_usdc, settled.

Returns
    PnlRecord frame, validated against its generated schema, sorted by bot, day, then markets
    by condition_id with the total row last; typed and empty without Position envelopes.

Reason codes
    GOV_PNL_UNMARKED on a market row (and its total row) when a token's last row is an open
    position (size != 0) with no mark price: its unrealised PnL is the ledger's as reported.

Raises
    Nothing for data; polars ``ColumnNotFoundError`` if ``envelopes`` lacks a ReportEnvelope column.
"""

from __future__ import annotations

import polars as pl

from polytraders.bots.base import BotConfig
from polytraders.bots.gov.stream import ROW, payload_rows
from polytraders.contracts.frames import DECIMAL_DTYPE, polars_schema, validate_frame
from polytraders.contracts.reason_codes import require

SLUG = "gov.pnl_reporter"
VERSION = "0.1.0"
OUTPUT = "PnlRecord"
UNMARKED = require("GOV_PNL_UNMARKED")

_FIELDS = {
    "condition_id": pl.String(),
    "token_id": pl.String(),
    "size": DECIMAL_DTYPE,
    "mark_price": DECIMAL_DTYPE,
    "realised_pnl_usdc": DECIMAL_DTYPE,
    "unrealised_pnl_usdc": DECIMAL_DTYPE,
    "settled": pl.Boolean(),
}
_MONEY = ("realised_pnl_usdc", "unrealised_pnl_usdc", "settlement_pnl_usdc")


class Config(BotConfig):
    """Parameters of gov.pnl_reporter: none (figures come from the Position rows as written)."""


def run(envelopes: pl.DataFrame, config: Config) -> pl.DataFrame:
    """PnL records of ``envelopes``; see the module docstring."""
    token = ["bot", "partition", "token_id"]
    rows = payload_rows(envelopes, "Position", _FIELDS).sort(*token, "ts_ms", ROW)
    previous = pl.col("realised_pnl_usdc").shift(1).over(token).fill_null(pl.lit(0, dtype=DECIMAL_DTYPE))
    settling = pl.col("settled") & ~pl.col("settled").shift(1).over(token).fill_null(False)
    per_token = (
        rows.with_columns(
            pl.when(settling).then(pl.col("realised_pnl_usdc") - previous)
            .otherwise(pl.lit(0, dtype=DECIMAL_DTYPE)).alias("settlement_pnl_usdc")
        )
        .group_by(token, maintain_order=True)
        .agg(
            pl.col("condition_id").last(),
            pl.col("ts_ms").last(),
            pl.col("realised_pnl_usdc").last(),
            pl.col("unrealised_pnl_usdc").last(),
            pl.col("settlement_pnl_usdc").sum(),
            ((pl.col("size").last() != 0) & pl.col("mark_price").last().is_null()).alias("_unmarked"),
        )
    )  # fmt: skip
    sums = [pl.col(c).sum() for c in _MONEY] + [pl.col("ts_ms").max(), pl.col("_unmarked").any()]
    markets = per_token.group_by("bot", "partition", "condition_id").agg(
        *sums, pl.len().cast(pl.Int64).alias("token_count")
    )
    totals = markets.group_by("bot", "partition").agg(
        *sums, pl.col("token_count").sum()
    ).with_columns(pl.lit(None, dtype=pl.String).alias("condition_id"))
    out = (
        pl.concat([markets, totals.select(markets.columns)])
        .with_columns(
            (pl.col("realised_pnl_usdc") + pl.col("unrealised_pnl_usdc")).alias("total_pnl_usdc"),
            pl.when(pl.col("_unmarked"))
            .then(pl.lit([UNMARKED], dtype=pl.List(pl.String)))
            .otherwise(pl.lit([], dtype=pl.List(pl.String)))
            .alias("reason_codes"),
        )
        .sort("bot", "partition", "condition_id", nulls_last=True)
    )
    schema = polars_schema(OUTPUT)
    return validate_frame(OUTPUT, out.select(list(schema)).cast(dict(schema)))
