"""risk.exposure_caps — per-market, total and net notional caps, size tapered from 70 % of a cap.

Method
    For a BUY row with price p (USDC/share), size s (shares) and notional ``n = p·s`` (USDC),
    each gross cap ``c`` (``max_market_exposure_usdc`` against ``market_exposure_usdc``,
    ``max_total_exposure_usdc`` against ``total_exposure_usdc``) with current exposure ``e``
    (USDC: cost basis held + resting BUY notional, as the runtime computes it) and taper start
    ``t = c·taper_from_fraction`` allows a size:

    * ``e >= c`` → 0 (the cap is reached);
    * ``e <= t`` → the full size while ``e + n <= c``; past that the headroom ``(c − e) / p``;
    * ``t < e < c`` (taper zone) → the size fraction falls linearly from 1 at ``t`` to 0 at
      ``c``: ``f = (c − e) / (c − t)``, allowed size ``min(s·f, (c − e) / p)``.

    Equivalently: approved notional = ``min(n·f, c − e)`` with ``f = (c − e)/(c − t)`` clipped to
    [0, 1]. The tightest of the three caps (the net cap below) wins. A reduced size is rounded DOWN to ``size_decimals``
    decimals by exact integer floor division (all values in integer micro-units, the caps over a
    common integer denominator) — no float, no Decimal rounding, never rounded up. Result: the
    full size → APPROVE; smaller but > 0 and at least the market's ``min_order_size`` → REDUCE;
    otherwise (0, below the venue's minimum order, or the minimum unknown) → REJECT.

    Worked example (c = 100, taper 0.7 → t = 70, p = 0.50, s = 20, n = 10): e = 70 → f = 30/30 = 1
    → APPROVE 20; e = 80 → f = 20/30, 20·2/3 = 13.333… → REDUCE 13.33; e = 95 → 20·5/30 = 3.333…
    → 3.33, below a minimum order of 5 → REJECT; e = 100 → REJECT.

    Net cap (no taper): a YES and a NO share of one market pay 1 USDC together whatever happens,
    so only each market's imbalance is directional. With ``N = net_exposure_usdc`` (Σ over markets
    of |notional in the first token − notional in the other|), ``d = token_net_usdc`` (the intent
    token's notional minus the other token's) and ``C = max_net_exposure_usdc``, a BUY of notional
    ``n`` makes the net ``N − |d| + |d + n|``; the cap allows ``n ≤ C − N + |d| − d`` and always
    ``n ≤ max(−d, 0)`` (buying the short side of a market only nets it out), rounded down the same
    way. Example (C = 500, N = 490, p = 0.50, s = 40, n = 20): d = 0 → room 10 → REDUCE 20 shares;
    d = −30 (the other token leads by 30) → room 500 − 490 + 60 = 70 → APPROVE 40.

    SELLs reduce exposure and are APPROVED whatever the exposure. A BUY with a null exposure,
    null price or price 0 is REJECTED (fail closed). CANCELs never reach this bot. No time
    parameter: caps hold over the whole run, the same for 15-minute and long-dated markets.

Inputs
    Intent frame columns ``side``, ``price``, ``size``, ``min_order_size``,
    ``market_exposure_usdc``, ``total_exposure_usdc``, ``net_exposure_usdc``, ``token_net_usdc``
    (:data:`~polytraders.bots.risk.context.RISK_FRAME_SCHEMA`); no RiskContext history.

Returns
    :data:`~polytraders.bots.risk.context.VOTE_SCHEMA` frame, one row per intent, same order:
    APPROVE (``size``), REDUCE (the reduced size) or REJECT (0).

Reason codes
    RISK_EXPOSURE.

Raises
    pydantic.ValidationError — invalid config (caps not > 0, taper fraction outside (0, 1),
    ``size_decimals`` outside [0, 6], unknown field).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.bots.risk.votes import BUY, SELL, sized
from polytraders.contracts import reason_codes

SLUG = "risk.exposure_caps"
VERSION = "0.3.0"

CODE = reason_codes.require("RISK_EXPOSURE")

_MICRO = 1_000_000
_DEC = pl.Decimal(38, 6)


class Config(BotConfig):
    """Parameters of risk.exposure_caps."""

    max_market_exposure_usdc: Decimal = Field(
        default=Decimal("100"), gt=0, description="cap on notional at risk in one market, USDC (default 100)"
    )
    max_total_exposure_usdc: Decimal = Field(
        default=Decimal("1000"), gt=0, description="cap on notional at risk over all markets, USDC (default 1000)"
    )
    taper_from_fraction: Decimal = Field(
        default=Decimal("0.7"),
        gt=0,
        lt=1,
        description="fraction of a cap where size tapering starts, 0.7 = 70 % (default), dimensionless",
    )
    max_net_exposure_usdc: Decimal = Field(
        default=Decimal("500"), gt=0, decimal_places=6,
        description="cap on net notional over all markets (each market's YES − NO imbalance), USDC (default 500)",
    )
    size_decimals: int = Field(
        default=2, ge=0, le=6, description="decimals a reduced size is rounded down to, shares (default 2)"
    )


def _int(value: int) -> pl.Expr:
    return pl.lit(value, pl.Int128)


def _micro(column: str) -> pl.Expr:
    """A Decimal(38, 6) column as exact integer micro-units (Int128)."""
    return (pl.col(column) * _MICRO).cast(pl.Int128)


def _least(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """The smaller of ``a`` and ``b``; null when either is null (unlike ``min_horizontal``)."""
    return pl.when(a <= b).then(a).when(b < a).then(b)


def _cap_allowed(frame: pl.LazyFrame, name: str, exposure_column: str, cap: Decimal, config: Config) -> pl.LazyFrame:
    """Add column ``name``: the size one cap allows, integer micro-shares (Int128): the full
    ``size``, or the reduced size rounded down to ``size_decimals``; null when an input is null or
    the division needs a price of 0. Reads ``_p`` (price, micro-USDC/share) and ``_s`` (size,
    micro-shares).

    Money is counted in units of ``1/q`` USDC, ``q`` the least common multiple of 10⁶ and the
    denominators of ``c`` and ``t`` (so the cap, taper start and micro-USDC exposure are all
    integers); sizes in units ``u = 10^−size_decimals`` shares for the floor divisions.
    """
    c = Fraction(cap)
    t = c * Fraction(config.taper_from_fraction)
    q = math.lcm(_MICRO, c.denominator, t.denominator)
    ck, tk = int(c * q), int(t * q)
    per_share = 10**config.size_decimals  # size units per share
    p, s, e, h = pl.col("_p"), pl.col("_s"), pl.col("_e"), pl.col("_h")
    return (
        frame.with_columns(_e=_micro(exposure_column) * _int(q // _MICRO))  # exposure, 1/q USDC
        .with_columns(_h=_int(ck) - e)  # headroom c − e, 1/q USDC
        .with_columns(
            # p·s <= c − e  ⇔  P·S·q <= H·10¹² (P, S micro-units; H in 1/q USDC)
            _fits=(e <= _int(tk)) & (p * s * _int(q) <= h * _int(_MICRO**2)),
            # floor((c − e) / (p·u)) = floor(H·10⁶·10^d / (q·P))
            _headroom_units=(h * _int(_MICRO * per_share)) // (p * _int(q)),
            # e <= t: floor(s / u) = floor(S·10^d / 10⁶);
            # taper: floor(s·(c − e) / ((c − t)·u)) = floor(S·H·10^d / (10⁶·(ck − tk)))
            _taper_units=pl.when(e <= _int(tk))
            .then((s * _int(per_share)) // _int(_MICRO))
            .otherwise((s * h * _int(per_share)) // _int(_MICRO * (ck - tk))),
        )
        .with_columns(_reduced=_least(pl.col("_headroom_units"), pl.col("_taper_units")) * _int(_MICRO // per_share))
        .with_columns(
            pl.when(e >= _int(ck)).then(_int(0)).when(pl.col("_fits")).then(s).otherwise(pl.col("_reduced")).alias(name)
        )
    )


def _net_allowed(frame: pl.LazyFrame, config: Config) -> pl.LazyFrame:
    """Add ``_net``: the size the net cap allows, integer micro-shares (Int128), null when an input
    is null or the price is 0. With net ``N``, the token's signed imbalance ``d`` and cap ``C`` (micro-
    USDC), a BUY of notional ``n`` moves the net to ``N − |d| + |d + n|``; it may add
    ``C − N + |d| − d`` and may always add ``max(−d, 0)`` (buying the short side only nets out)."""
    cap = int(config.max_net_exposure_usdc * _MICRO)
    per_share = 10**config.size_decimals
    p, s, net, d = pl.col("_p"), pl.col("_s"), _micro("net_exposure_usdc"), _micro("token_net_usdc")
    short = pl.when(d < 0).then(_int(0) - d).when(d >= 0).then(_int(0))  # max(−d, 0) (no Int128 negate)
    # |d| − d = 2·max(−d, 0); micro-USDC; null when N or d is (fail closed: nothing allowed)
    room = pl.when(net.is_not_null()).then(pl.max_horizontal(_int(cap) - net + short + short, short))
    return frame.with_columns(
        _net=pl.when(p * s <= room * _int(_MICRO)).then(s)
        .otherwise((room * _int(per_share)) // p * _int(_MICRO // per_share))
    )


def vote(intents: pl.DataFrame, ctx: RiskContext, config: Config) -> pl.DataFrame:
    """Vote on every intent row; see the module docstring."""
    frame = intents.lazy().with_columns(_p=_micro("price"), _s=_micro("size"))
    frame = _cap_allowed(frame, "_market", "market_exposure_usdc", config.max_market_exposure_usdc, config)
    frame = _cap_allowed(frame, "_total", "total_exposure_usdc", config.max_total_exposure_usdc, config)
    frame = _net_allowed(frame, config)
    allowed = _least(_least(pl.col("_market"), pl.col("_total")), pl.col("_net")).cast(_DEC) / _MICRO
    frame = frame.with_columns(_allowed=pl.when(SELL).then(pl.col("size")).when(BUY).then(allowed)).collect()
    return sized(frame, pl.col("_allowed"), CODE)
