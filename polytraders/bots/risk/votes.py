"""The verdict frames risk bots return, built from one boolean or one size expression.

Both builders read the intent frame of :mod:`polytraders.bots.risk.context` and return a
:data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, in its order.
A null where a verdict needs a value is a REJECT: a missing input never approves.
"""

from __future__ import annotations

import polars as pl

from polytraders.bots.risk.context import VOTE_SCHEMA
from polytraders.contracts import reason_codes

_DEC = pl.Decimal(38, 6)
_ZERO = pl.lit(0).cast(_DEC)
BUY = pl.col("side") == "BUY"
SELL = pl.col("side") == "SELL"


def verdicts(intents: pl.DataFrame, reject: pl.Expr, code: str) -> pl.DataFrame:
    """APPROVE at the full ``size`` where ``reject`` is false; REJECT (size 0, ``code``) where it
    is true or null. Raises UnknownReasonCodeError if ``code`` is not registered."""
    reason_codes.require(code)
    denied = reject.fill_null(True)
    return intents.select(
        decision=pl.when(denied).then(pl.lit("REJECT")).otherwise(pl.lit("APPROVE")),
        approved_size=pl.when(denied).then(_ZERO).otherwise(pl.col("size")),
        reason_code=pl.when(denied).then(pl.lit(code)).otherwise(pl.lit(None, pl.String)),
    ).cast(dict(VOTE_SCHEMA))


def sized(intents: pl.DataFrame, allowed: pl.Expr, code: str) -> pl.DataFrame:
    """Vote from the size a bot allows (``allowed``: shares, Decimal; null counts as 0).

    ``allowed >= size`` → APPROVE at ``size``; ``0 < allowed < size`` and ``allowed >=
    min_order_size`` → REDUCE to ``allowed`` with ``code``; otherwise (nothing allowed, or less
    than the venue's minimum order, or the minimum is unknown) → REJECT with ``code``.
    Raises UnknownReasonCodeError if ``code`` is not registered.
    """
    reason_codes.require(code)
    size = pl.col("size")
    allowed = allowed.cast(_DEC).fill_null(_ZERO)
    full = allowed >= size
    reduce = ~full & (allowed > 0) & (allowed >= pl.col("min_order_size")).fill_null(False)
    return intents.select(
        decision=pl.when(full).then(pl.lit("APPROVE")).when(reduce).then(pl.lit("REDUCE")).otherwise(pl.lit("REJECT")),
        approved_size=pl.when(full).then(size).when(reduce).then(allowed).otherwise(_ZERO),
        reason_code=pl.when(full).then(pl.lit(None, pl.String)).otherwise(pl.lit(code)),
    ).cast(dict(VOTE_SCHEMA))


def floor_to(shares: pl.Expr, decimals: int) -> pl.Expr:
    """``shares`` (Decimal, ≥ 0) rounded DOWN to ``decimals`` decimals, exactly (integer scaling)."""
    unit = 10**decimals
    return ((shares * unit).cast(pl.Int64) // 1).cast(_DEC) / unit
