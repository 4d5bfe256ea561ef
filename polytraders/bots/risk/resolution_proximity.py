"""risk.resolution_proximity — reduce-only near a market's end date, no orders at all just before it.

Method
    ``t_left = end_ts_ms − ts_ms`` (ms; the market's scheduled end date from the registry, e.g.
    Gamma's ``endDate``, minus the intent's time; negative once the end date has passed):

    * ``t_left <= deny_within_ms`` → REJECT every PLACE intent;
    * ``t_left <= reduce_only_within_ms`` → reduce-only: a BUY is rejected; a SELL passes up to
      the shares held (``position_shares``): APPROVE when ``size <= position_shares``, REDUCE to
      ``position_shares`` when larger (REJECT if that is below ``min_order_size``), REJECT when
      nothing is held or the position is unknown (null);
    * otherwise APPROVE.

    A market without an end date (null ``end_ts_ms``) is rejected (fail closed) unless
    ``allow_no_end_date``, when the rule does not apply to it.

    Defaults suit the 15-minute crypto up/down markets of the bundled fixture day (intents from
    about 30 min before each end date): reduce-only in the last 5 min (300 000 ms), nothing in
    the last minute (60 000 ms) — 25 min of normal trading per market. An operator of long-dated
    markets (elections, sports, days to months) would set hours: e.g. reduce-only within 24 h
    (``reduce_only_within_ms = 86_400_000``) and deny within 1 h (``3_600_000``), since news
    and the UMA proposal window cluster around the end date
    (https://docs.polymarket.com/concepts/resolution).

    Worked example (defaults, end at E): BUY at E − 5 min − 1 ms → APPROVE; BUY at E − 5 min →
    REJECT; SELL 20 holding 12 at E − 2 min → REDUCE 12; SELL at E − 1 min → REJECT.

Inputs
    Intent frame: ``ts_ms``, ``side``, ``size``, ``end_ts_ms``, ``position_shares``,
    ``min_order_size``. No RiskContext history.

Returns
    VOTE_SCHEMA frame, one row per intent in input order: APPROVE, REDUCE or REJECT.

Reason codes
    RISK_RESOLUTION_WINDOW.

Raises
    pydantic.ValidationError — invalid config (negative windows, deny window longer than the
    reduce-only window).
"""

from __future__ import annotations

import polars as pl
from pydantic import Field, model_validator

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, SELL, sized
from polytraders.contracts import reason_codes

SLUG = "risk.resolution_proximity"
VERSION = "0.1.0"

CODE = reason_codes.require("RISK_RESOLUTION_WINDOW")

_YEAR_MS = 366 * 86_400_000


class Config(BotConfig):
    """Parameters of risk.resolution_proximity."""

    reduce_only_within_ms: int = Field(
        default=300_000, ge=0, le=_YEAR_MS,
        description="time to the end date from which only SELLs up to the position pass, ms (5 min; hours for "
        "long-dated markets)",
    )  # fmt: skip
    deny_within_ms: int = Field(
        default=60_000, ge=0, le=_YEAR_MS,
        description="time to the end date from which every order is denied, ms (1 min); <= reduce_only_within_ms",
    )  # fmt: skip
    allow_no_end_date: bool = Field(
        default=False, description="approve markets without an end date (False: reject them, fail closed)"
    )

    @model_validator(mode="after")
    def _deny_inside_reduce_only(self) -> Config:
        if self.deny_within_ms > self.reduce_only_within_ms:
            raise ValueError(
                f"deny_within_ms {self.deny_within_ms} > reduce_only_within_ms {self.reduce_only_within_ms}"
            )
        return self


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each intent; see the module docstring."""
    size = pl.col("size")
    t_left = pl.col("end_ts_ms") - pl.col("ts_ms")
    allowed = (
        pl.when(pl.col("end_ts_ms").is_null())
        .then(size if config.allow_no_end_date else None)
        .when(t_left <= config.deny_within_ms)
        .then(None)
        .when(t_left <= config.reduce_only_within_ms)
        .then(pl.when(SELL).then(pl.col("position_shares")).when(BUY).then(None))
        .otherwise(size)
    )
    return sized(intents, allowed, CODE)
