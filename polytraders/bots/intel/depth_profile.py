"""intel.depth_profile — cumulative depth within k ticks of the touch, and its slope, per book side.

Method
    For one side of one book with best price ``p0`` and tick ``δ``, a level at price ``p`` is
    ``d = |p − p0| / δ`` ticks from the touch (an integer: levels are on the tick grid; the touch
    itself is d = 0). The cumulative depth within j ticks is::

        D(j) = Σ size of the levels with d ≤ j          (shares)

    and the bot reports ``depth = D(k)`` (the size on the k + 1 price points from the touch
    outward) and ``slope``, the least-squares slope of D(j) on j over j = 1..k (shares per
    tick). With x̄ = (k + 1)/2 and Σ(j − x̄)² = k(k² − 1)/12 the slope has the closed form::

        slope = Σ_j (j − x̄)·D(j) / Σ_j (j − x̄)² = 6 · Σ_{2 ≤ d ≤ k} size·(k − d + 1)·(d − 1) / (k(k² − 1))

    (a level at distance d adds its size to D(d..k); the touch and the 1-tick level shift every
    D(j), j ≥ 1, alike and so do not move the slope). The slope is the average size added per
    tick moving away from the touch: large = the book thickens quickly behind the touch, 0 =
    nothing beyond 1 tick, so a sweep of the touch would move the price far. A level-by-level
    depth curve of this kind is the "shape of the order book" of Bouchaud, Mézard & Potters 2002,
    "Statistical properties of stock order books: empirical results and models", Quantitative
    Finance 2(4). Both readings are computed in Float64 from the exact Decimal sizes
    (informational, capital impact I); no rounding.

Inputs
    ``data.books`` (:class:`~polytraders.bots.inputs.MarketData`) — OrderBookSnapshot frame:
    ``condition_id`` String, ``token_id`` String, ``ts_ms`` Int64, ``tick_size`` Decimal(38, 6),
    ``bids`` / ``asks`` List(Struct{price: Decimal(38, 6), size: Decimal(38, 6)}) best-first.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``): per input book in input order, the rows ``depth_bid`` (shares),
    ``depth_slope_bid`` (shares/tick), ``depth_ask`` (shares), ``depth_slope_ask`` (shares/tick),
    in that order. A side without levels yields none of its two rows (INTEL_EMPTY_SIDE); a side
    whose touch has size 0 still has a (possibly 0) depth and slope. An empty ``books`` frame gives
    an empty Signal frame.

Reason codes
    INTEL_EMPTY_SIDE (documented condition for absent rows; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (``k_ticks`` < 2: a slope needs two points).

Example
    >>> from polytraders_tests.bots.frames import books
    >>> frame = books(("yes", 0, [("0.50", "10"), ("0.49", "20"), ("0.47", "40")], []))
    >>> out = run(MarketData.of(books=frame), Config(k_ticks=3))
    >>> out.select("name", "value").rows()  # D(1) = 30, D(2) = 30, D(3) = 70: slope (70 − 30) / 2
    [('depth_bid', 70.0), ('depth_slope_bid', 20.0)]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, signal_readings
from polytraders.contracts import reason_codes

SLUG = "intel.depth_profile"
VERSION = "0.1.0"

INPUTS = ("books",)

#: Signal name -> unit, in the order each book's rows are emitted.
READINGS: dict[str, str] = {
    "depth_bid": "shares",
    "depth_slope_bid": "shares/tick",
    "depth_ask": "shares",
    "depth_slope_ask": "shares/tick",
}

EMPTY_SIDE = reason_codes.require("INTEL_EMPTY_SIDE")


class Config(BotConfig):
    """Parameters of intel.depth_profile."""

    k_ticks: int = Field(
        default=5, ge=2,
        description="depth counts the levels at most this many ticks from the touch; the slope is fit "
        "over 1..k_ticks (k), ticks",
    )


def _side(column: str, sign: int, k: int) -> tuple[pl.Expr, pl.Expr]:
    """(depth, slope) of book side ``column``; ``sign`` = +1 for bids (prices fall away from the
    touch), −1 for asks. Null when the side has no levels."""
    price = pl.col(column).list.eval(pl.element().struct.field("price").cast(pl.Float64))
    size = pl.col(column).list.eval(pl.element().struct.field("size").cast(pl.Float64))
    ticks = (sign * (price.list.first() - price) / pl.col("tick_size").cast(pl.Float64)).list.eval(
        pl.element().round(0)
    )
    within = ticks.list.eval(pl.element() <= k).cast(pl.List(pl.Float64))
    # (k − d + 1)(d − 1) for 2 ≤ d ≤ k, else 0: the weight of a level in Σ (j − x̄)·D(j).
    weight = ticks.list.eval(
        pl.when(pl.element().is_between(2, k)).then((k - pl.element() + 1) * (pl.element() - 1)).otherwise(0.0)
    )
    has_levels = pl.col(column).list.len() > 0
    depth = pl.when(has_levels).then((size * within).list.sum())
    slope = pl.when(has_levels).then(6.0 * (size * weight).list.sum() / (k * (k * k - 1)))
    return depth, slope


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Depth and slope of each side of every book; see the module docstring."""
    depth_bid, slope_bid = _side("bids", 1, config.k_ticks)
    depth_ask, slope_ask = _side("asks", -1, config.k_ticks)
    wide = data.books.select(
        "condition_id", "token_id", "ts_ms",
        depth_bid.alias("depth_bid"), slope_bid.alias("depth_slope_bid"),
        depth_ask.alias("depth_ask"), slope_ask.alias("depth_slope_ask"),
    )
    return signal_readings(wide, SLUG, READINGS)
