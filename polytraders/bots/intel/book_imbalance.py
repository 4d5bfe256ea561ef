"""intel.book_imbalance — signed size imbalance of the top N levels of each book, in [−1, 1].

Method
    For one book take the best ``top_levels`` (N) levels of each side, with ``Qb = Σ q_i`` the
    total bid size and ``Qa`` the total ask size over those levels::

        imbalance = (Qb − Qa) / (Qb + Qa)

    +1 = all the near-touch size rests on the bid (buying interest), −1 = all on the ask; 0 =
    balanced. This is the volume imbalance ρ = (V_b − V_a) / (V_b + V_a) of Cartea, Jaimungal &
    Ricci 2018, "Enhancing trading strategies with order book signals", Applied Mathematical
    Finance 25(1), which takes the best level (N = 1); N > 1 sums deeper levels too. Levels are
    counted by position, not by price distance (intel.depth_profile measures depth within k
    ticks). A book with one empty side still has a defined imbalance (±1 exactly): all the
    visible size is on one side.
    Units: a signed fraction (shares / shares). Computed in Float64 from the exact Decimal sizes;
    informational (capital impact I), no rounding.

Inputs
    ``data.books`` (:class:`~polytraders.bots.inputs.MarketData`) — OrderBookSnapshot frame:
    ``condition_id`` String, ``token_id`` String, ``ts_ms`` Int64, ``bids`` / ``asks``
    List(Struct{price: Decimal(38, 6), size: Decimal(38, 6)}) best-first. Only these columns are read.

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name`` =
    "book_imbalance", ``value`` Float64 in [−1, 1], ``unit`` = "fraction"), one row per input book
    in input order, except books whose top-N levels hold no size at all (both sides empty, or
    only zero sizes): the ratio is 0 / 0 there (INTEL_EMPTY_SIDE) and the book yields no row.
    An empty ``books`` frame gives an empty Signal frame.

Reason codes
    INTEL_EMPTY_SIDE (documented condition for an absent row; the Signal frame has no code column).

Raises
    pydantic.ValidationError — invalid config (``top_levels`` < 1).

Example
    >>> from polytraders_tests.bots.frames import books
    >>> frame = books(("yes", 0, [("0.48", "300"), ("0.47", "100")], [("0.52", "100")]))
    >>> run(MarketData.of(books=frame), Config(top_levels=2))["value"].to_list()  # (400 − 100) / 500
    [0.6]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, signal_frame
from polytraders.contracts import reason_codes

SLUG = "intel.book_imbalance"
VERSION = "0.1.0"

SIGNAL_NAME = "book_imbalance"
SIGNAL_UNIT = "fraction"

INPUTS = ("books",)

EMPTY_SIDE = reason_codes.require("INTEL_EMPTY_SIDE")


class Config(BotConfig):
    """Parameters of intel.book_imbalance."""

    top_levels: int = Field(
        default=3, ge=1, description="number of best levels per side whose sizes are summed (N), levels"
    )


def _side_size(column: str, top_levels: int) -> pl.Expr:
    """Σ size over the first ``top_levels`` levels of book side ``column``, Float64 (0 when empty)."""
    sizes = pl.col(column).list.head(top_levels).list.eval(pl.element().struct.field("size").cast(pl.Float64))
    return sizes.list.sum()


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Imbalance of every book with some size in its top N levels; see the module docstring."""
    bid = _side_size("bids", config.top_levels)
    ask = _side_size("asks", config.top_levels)
    sums = data.books.select("condition_id", "token_id", "ts_ms", bid.alias("_qb"), ask.alias("_qa"))
    total = pl.col("_qb") + pl.col("_qa")
    # 0 / 0 is NaN, which signal_frame leaves out: that is the INTEL_EMPTY_SIDE row.
    return signal_frame(sums, SLUG, SIGNAL_NAME, SIGNAL_UNIT, (pl.col("_qb") - pl.col("_qa")) / total)
