"""risk.recon_lock — deny new orders while the local ledger and the venue disagree on a position.

Method
    A token is *diverged* at ``ts`` (epoch ms UTC) when its latest reconciliation row at or
    before ``ts`` (``ctx.recon``; several rows at one time: the last in history order) has
    ``|local_shares − venue_shares| > tolerance_shares`` (shares, exact Decimal), or a null on
    either side (the position is unknown: fail closed). A token with no row yet counts as in
    sync: both ledgers start the run at zero shares, and the runtime writes a row after every
    fill, so a token without one has not traded. It is in sync again from the first row that
    agrees.

    ``scope = "market"``: a PLACE intent is rejected while its own token is diverged (recon rows
    carry the token only, so "market" means the intent's token). ``scope = "global"``: every
    PLACE intent is rejected while any token is diverged (a count of diverged tokens kept over
    the history: each row adds its token's change of state). SELLs are rejected too: the
    position they would reduce is itself uncertain. CANCELs never reach the bot.

    Worked example (tolerance 0): rows (t1, A, 10, 10), (t2, A, 10, 7), (t3, A, 7, 7) → an intent
    on A at t1 passes, at t2 ≤ ts < t3 it is rejected, from t3 it passes; with scope "global" an
    intent on token B is rejected over [t2, t3) as well.

    The venue's side is what the venue or chain reports (the Data API's
    ``GET https://data-api.polymarket.com/positions?user=…``, or the wallet's ERC-1155 outcome
    token balances); in shadow runs the mock venue's. The runtime supplies the rows.

Inputs
    Intent frame: ``ts_ms``, ``token_id``, ``size``. RiskContext: ``recon`` (``ts_ms``,
    ``token_id``, ``local_shares``, ``venue_shares``).

Returns
    VOTE_SCHEMA frame, one row per intent in input order: APPROVE at ``size`` or REJECT (0).

Reason codes
    RISK_RECON_DIVERGENCE.

Raises
    pydantic.ValidationError — invalid config (negative tolerance, unknown scope).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.recon_lock"
VERSION = "0.1.0"

CODE = reason_codes.require("RISK_RECON_DIVERGENCE")


class Config(BotConfig):
    """Parameters of risk.recon_lock."""

    tolerance_shares: Decimal = Field(
        default=Decimal("0"), ge=0, description="largest |local − venue| still counted as in sync, shares"
    )
    scope: Literal["market", "global"] = Field(
        default="market",
        description='"market": deny intents on a diverged token; "global": any diverged token denies every intent',
    )


def _diverged_rows(recon: pl.DataFrame, tolerance: Decimal) -> pl.DataFrame:
    """Recon rows in time order (ties in history order) with ``diverged`` (Boolean, never null)."""
    gap = (pl.col("local_shares") - pl.col("venue_shares")).abs()
    return recon.sort("ts_ms", maintain_order=True).select(
        "ts_ms", "token_id", diverged=(gap > tolerance).fill_null(True)
    )


def _own_token(intents: pl.DataFrame, rows: pl.DataFrame) -> pl.Series:
    """Whether each intent's token is diverged as of its ``ts_ms`` (no row yet: False)."""
    latest = rows.unique(subset=["token_id", "ts_ms"], keep="last", maintain_order=True)
    left = intents.select("ts_ms", "token_id").with_row_index("row")
    joined = left.sort("ts_ms", maintain_order=True).join_asof(
        latest, on="ts_ms", by="token_id", strategy="backward", check_sortedness=False
    )
    return joined.sort("row")["diverged"].fill_null(False)


def _any_token(intents: pl.DataFrame, rows: pl.DataFrame) -> pl.Series:
    """Whether any token is diverged as of each intent's ``ts_ms``."""
    before = pl.col("diverged").shift(1).over("token_id").fill_null(False)
    counts = rows.select("ts_ms", count=(pl.col("diverged").cast(pl.Int64) - before.cast(pl.Int64)).cum_sum()).unique(
        subset="ts_ms", keep="last", maintain_order=True
    )
    at = pl.concat([pl.Series([0], dtype=pl.Int64), counts["count"]])
    return at.gather(counts["ts_ms"].search_sorted(intents["ts_ms"], side="right")) > 0


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each intent; see the module docstring."""
    rows = _diverged_rows(ctx.recon, config.tolerance_shares)
    locked = _own_token(intents, rows) if config.scope == "market" else _any_token(intents, rows)
    return verdicts(intents.with_columns(locked=locked), pl.col("locked"), CODE)
