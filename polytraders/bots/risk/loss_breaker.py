"""risk.loss_breaker — hourly and daily realised-loss limits, and a loss-streak cool-down.

Method
    Over the realised PnL of the run's fills (``ctx.fills.realised_pnl_usdc``, USDC, all
    markets), a BUY intent at ``ts`` (epoch ms UTC) is rejected when any of these holds:

    * hourly loss: ``Σ pnl`` over fills with ``ts − 3 600 000 < fill_ts <= ts`` (the trailing
      hour, ending at ``ts`` inclusive; a fill exactly one hour old has left the window)
      ``<= −hourly_loss_limit_usdc``;
    * daily loss: ``Σ pnl`` over fills with ``day_start(ts) <= fill_ts <= ts``, where
      ``day_start(ts) = ts − ts mod 86 400 000`` (00:00 UTC of the intent's day)
      ``<= −daily_loss_limit_usdc``;
    * cool-down: the fills' loss streak reached ``loss_streak`` and the latest loss of that
      streak at or before ``ts`` is less than ``cooldown_ms`` old (``ts − t_loss < cooldown_ms``).

    Loss streak: fills in time order (ties in the history's order); a losing fill (pnl < 0)
    extends the streak by one, a winning fill (pnl > 0) resets it to 0, a fill with pnl = 0 (a
    BUY that opens or adds) leaves it as it is. Every losing fill whose streak count is
    ``>= loss_streak`` (re)starts the cool-down from its own time; a later winning fill starts a
    new count but does not lift a running cool-down (a time lock, like freqtrade's
    StoplossGuard). A loss at exactly the limit already breaches it (``<=``).

    SELLs only reduce a position and are approved (PLACE intents only reach the bot).

    Computation: prefix sums of the time-sorted fills (exact Decimal) read at ``ts`` and at the
    window starts by binary search (``search_sorted``, side right: every fill at or before the
    key), so each intent costs O(log fills); fills after ``ts`` are never read.
    A fill with a null PnL in either window makes that window's sum unknown → REJECT (fail
    closed); it counts neither for nor against the streak.

    Worked example (defaults: hourly 50, daily 100 USDC, streak 5, cool-down 15 min): fills of
    −30 at 09:00 and −25 at 09:40 UTC → hourly sum at 09:50 is −55 <= −50 → BUYs rejected until
    10:00:00.000 (the −30 leaves the window; −25 > −50), daily sum −55 > −100 → no daily stop.
    Five losing SELL fills in a row at 11:00–11:04 → BUYs rejected until 11:19:00.000 (15 min
    after the fifth loss), whatever the sums.

    The defaults are wall-clock limits, the same for 15-minute and long-dated markets: 15 min is
    one 15-minute market cycle on the bundled crypto up/down day, and a short pause between
    decisions on a long-dated market; an operator trading larger size scales the USDC limits.

Inputs
    Intent frame: ``ts_ms``, ``side``, ``size``. RiskContext: ``fills`` (``ts_ms``,
    ``realised_pnl_usdc``).

Returns
    VOTE_SCHEMA frame, one row per intent in input order: APPROVE at ``size`` or REJECT (0).

Reason codes
    RISK_DAILY_LOSS (hourly loss, daily loss and cool-down alike).

Raises
    pydantic.ValidationError — invalid config (limits not > 0, streak < 1, cool-down < 0).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, verdicts
from polytraders.contracts import reason_codes

SLUG = "risk.loss_breaker"
VERSION = "0.1.0"

CODE = reason_codes.require("RISK_DAILY_LOSS")

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
_DEC = pl.Decimal(38, 6)


class Config(BotConfig):
    """Parameters of risk.loss_breaker."""

    hourly_loss_limit_usdc: Decimal = Field(
        default=Decimal("50"), gt=0, description="realised loss over the trailing hour that stops BUYs, USDC"
    )
    daily_loss_limit_usdc: Decimal = Field(
        default=Decimal("100"), gt=0, description="realised loss over the UTC day so far that stops BUYs, USDC"
    )
    loss_streak: int = Field(
        default=5, ge=1, le=1_000, description="consecutive losing fills that start the cool-down, fills"
    )
    cooldown_ms: int = Field(
        default=900_000, ge=0, le=7 * DAY_MS,
        description="BUYs denied for this long after the streak's latest loss, ms (0 = no cool-down)",
    )  # fmt: skip


def _at(times: pl.Series, values: pl.Series, keys: pl.Series) -> pl.Series:
    """``values`` (prefix sums, one longer than ``times``) read at each key: over every history
    row with time <= key."""
    return values.gather(times.search_sorted(keys, side="right"))


def _window_sums(fills: pl.DataFrame, ts: pl.Series) -> pl.DataFrame:
    """Realised PnL over the trailing hour and the UTC day at each ``ts``, plus how many fills in
    each window have an unknown PnL."""
    times = fills["ts_ms"]
    pnl = fills["realised_pnl_usdc"]
    zero_d = pl.Series([Decimal(0)], dtype=_DEC)
    sums = pl.concat([zero_d, pnl.fill_null(0).cum_sum()])
    nulls = pl.concat([pl.Series([0], dtype=pl.UInt32), pnl.is_null().cast(pl.UInt32).cum_sum()])
    hour_start = ts - HOUR_MS
    day_before = ts - ts % DAY_MS - 1
    return pl.DataFrame({
        "hour_pnl": _at(times, sums, ts) - _at(times, sums, hour_start),
        "day_pnl": _at(times, sums, ts) - _at(times, sums, day_before),
        "hour_nulls": _at(times, nulls, ts) - _at(times, nulls, hour_start),
        "day_nulls": _at(times, nulls, ts) - _at(times, nulls, day_before),
    })  # fmt: skip


def _cooldown_until(fills: pl.DataFrame, ts: pl.Series, config: Config) -> pl.Series:
    """End (exclusive, epoch ms) of the latest cool-down started at or before each ``ts``; null
    when none was."""
    signed = fills.filter(pl.col("realised_pnl_usdc").is_not_null() & (pl.col("realised_pnl_usdc") != 0))
    streaks = signed.with_columns(win=pl.col("realised_pnl_usdc") > 0).with_columns(
        streak=(~pl.col("win")).cast(pl.Int64).cum_sum().over(pl.col("win").cast(pl.Int64).cum_sum())
    )
    starts = streaks.filter(~pl.col("win") & (pl.col("streak") >= config.loss_streak))["ts_ms"]
    until = pl.concat([pl.Series([None], dtype=pl.Int64), starts + config.cooldown_ms])
    return _at(starts, until, ts)


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on each intent; see the module docstring."""
    fills = ctx.fills.sort("ts_ms", maintain_order=True)
    ts = intents["ts_ms"]
    frame = pl.concat(
        [intents.select("ts_ms", "side", "size"), _window_sums(fills, ts)], how="horizontal"
    ).with_columns(cooldown_until=_cooldown_until(fills, ts, config))
    hourly = (pl.col("hour_pnl") <= -config.hourly_loss_limit_usdc) | (pl.col("hour_nulls") > 0)
    daily = (pl.col("day_pnl") <= -config.daily_loss_limit_usdc) | (pl.col("day_nulls") > 0)
    cooling = (pl.col("ts_ms") < pl.col("cooldown_until")).fill_null(False)
    return verdicts(frame, BUY & (hourly | daily | cooling), CODE)
