"""intel.complement_gap — YES ask + NO ask − 1 and YES bid + NO bid − 1 of a binary market, touch and depth-aware.

Method
    One YES and one NO share of a condition are a "full set", worth exactly 1 unit of collateral
    (1 USDC): splitting 1 USDC mints one of each, merging one of each returns 1 USDC
    (https://docs.polymarket.com/trading/ctf/split, https://docs.polymarket.com/trading/ctf/merge).
    So for a binary market with tokens A and B::

        ask_gap = ask_A + ask_B − 1      (< 0: buying a full set costs less than it redeems for)
        bid_gap = bid_A + bid_B − 1      (> 0: selling a full set pays more than splitting costs)

    in USDC per full set, before fees. ``ask_gap`` / ``bid_gap`` use the best prices;
    ``ask_gap_vwap`` / ``bid_gap_vwap`` use each book's volume-weighted average price to fill
    ``fill_size_shares`` (Q) through that side, best level first::

        take_i = min(size_i, max(Q − Σ_{j<i} size_j, 0)),    vwap = Σ price_i · take_i / Q

    the depth-aware gap: what a set of Q shares would actually cost (ask) or fetch (bid). The fill
    check (Σ size ≥ Q) and the takes are exact integer micro-shares; prices and the result are
    Float64 (informational, capital impact I; fees and gas are not included).

    The gap is re-evaluated as of each time either token's book changes: the last book of that
    token at that ms against the sibling's latest book at or before it (``join_asof`` backward,
    no staleness limit: the book state has a row only when a book changes, so an old sibling
    book is still its current book). ``sibling_age_ms`` says how old that sibling book is: books
    of the two tokens recorded at different times can show a gap that was never there at once
    (on the 2026-09-28 fixture, thinned to ≤ 1 book a second per token, a sibling a second old
    shows gaps of several cents while prices move); a consumer acting on the gap should require
    a small age. Tokens A and B are the two tokens of the condition's latest
    InstrumentRecord, in its order (A = the first outcome, e.g. "Yes" / "Up").

Inputs
    ``data.books`` — OrderBookSnapshot frame (``condition_id`` String, ``token_id`` String,
    ``ts_ms`` Int64, ``bids`` / ``asks`` List(Struct{price, size: Decimal(38, 6)}) best-first) and
    ``data.instruments`` — InstrumentRecord frame (``condition_id``, ``tokens``
    List(Struct{token_id, outcome}), ``as_of_ms`` Int64) (:class:`~polytraders.bots.inputs.MarketData`).

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id`` = token A, ``ts_ms`` Int64, ``name``,
    ``value`` Float64, ``unit``), by condition id then time, one time per ms at which
    either token's book changed: ``ask_gap``, ``bid_gap``, ``ask_gap_vwap``, ``bid_gap_vwap``
    (unit "usdc", per full set) and ``sibling_age_ms`` (unit "ms": the time since the book of
    the token that did not change at that ms, 0 when both did), in that order. Absent rows:

    - every reading of a book whose token is not one of exactly two tokens of a condition in
      ``instruments``, or whose sibling has no book yet at that time (INTEL_COMPLEMENT_MISSING);
    - ``ask_gap`` / ``bid_gap`` when that side of either book is empty, and the ``_vwap`` reading
      when that side of either book holds less than Q shares (INTEL_EMPTY_SIDE).

    Empty ``books`` or ``instruments`` give an empty Signal frame.

Reason codes
    INTEL_COMPLEMENT_MISSING, INTEL_EMPTY_SIDE (documented conditions for absent rows; the Signal
    frame has no code column).

Raises
    pydantic.ValidationError — invalid config (``fill_size_shares`` ≤ 0).

Example
    >>> from polytraders_tests.bots.frames import books, instruments, market
    >>> data = MarketData.of(instruments=instruments(market("m1")), books=books(
    ...     ("yes", 0, [("0.47", "500")], [("0.49", "50"), ("0.50", "500")]),
    ...     ("no", 0, [("0.50", "500")], [("0.52", "500")])))
    >>> out = run(data, Config(fill_size_shares=100))  # ask vwap of yes: (0.49·50 + 0.50·50) / 100 = 0.495
    >>> [(n, round(v, 6)) for n, v in out.select("name", "value").rows()]
    [('ask_gap', 0.01), ('bid_gap', -0.03), ('ask_gap_vwap', 0.015), ('bid_gap_vwap', -0.03), ('sibling_age_ms', 0.0)]
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, latest_instruments, signal_readings
from polytraders.contracts import reason_codes

SLUG = "intel.complement_gap"
VERSION = "0.1.0"

INPUTS = ("books", "instruments")

#: Signal name -> unit, in the order each time's readings are emitted.
READINGS: dict[str, str] = {
    "ask_gap": "usdc", "bid_gap": "usdc", "ask_gap_vwap": "usdc", "bid_gap_vwap": "usdc", "sibling_age_ms": "ms",
}

EMPTY_SIDE = reason_codes.require("INTEL_EMPTY_SIDE")
COMPLEMENT_MISSING = reason_codes.require("INTEL_COMPLEMENT_MISSING")

_MICRO = 1_000_000
#: Reading -> the per-book column (best price or VWAP) whose sum over the two tokens it is.
_SIDE_OF = {"ask_gap": "ask", "bid_gap": "bid", "ask_gap_vwap": "ask_vwap", "bid_gap_vwap": "bid_vwap"}


class Config(BotConfig):
    """Parameters of intel.complement_gap."""

    fill_size_shares: Decimal = Field(
        default=Decimal("100"), gt=0, max_digits=20, decimal_places=6,
        description="size the depth-aware gap fills through each book (Q), shares",
    )


def _vwap(column: str, fill_micro: int) -> pl.Expr:
    """Volume-weighted price to fill ``fill_micro`` micro-shares through book side ``column``,
    best level first; null when the side holds less. A level's take is
    ``max(Q − before, 0) − max(Q − through, 0)`` (sizes before it / through it): its whole size
    while Q is not reached, the remainder at the level that reaches it, 0 after."""
    size = pl.col(column).list.eval((pl.element().struct.field("size") * _MICRO).cast(pl.Int64))
    price = pl.col(column).list.eval(pl.element().struct.field("price").cast(pl.Float64))
    through = pl.element().cum_sum()
    take = size.list.eval((fill_micro - (through - pl.element())).clip(0) - (fill_micro - through).clip(0))
    return pl.when(size.list.sum() >= fill_micro).then((price * take).list.sum() / fill_micro)


def _sides(books: pl.DataFrame, fill_micro: int) -> pl.DataFrame:
    """Per book: token_id, ts_ms, best ask / bid and their VWAPs (Float64, null when undefined);
    the last book of each token at each ms."""
    return (
        books.select(
            "token_id", "ts_ms",
            ask=pl.col("asks").list.first().struct.field("price").cast(pl.Float64),
            bid=pl.col("bids").list.first().struct.field("price").cast(pl.Float64),
            ask_vwap=_vwap("asks", fill_micro),
            bid_vwap=_vwap("bids", fill_micro),
        )
        .unique(["token_id", "ts_ms"], keep="last", maintain_order=True)
        .sort("ts_ms", maintain_order=True)
    )


def _pairs(instruments: pl.DataFrame) -> pl.DataFrame:
    """token_id -> condition_id, sibling token, lead token (the first), for binary conditions."""
    binary = latest_instruments(instruments).filter(pl.col("tokens").list.len() == 2).select(
        "condition_id",
        a=pl.col("tokens").list.get(0).struct.field("token_id"),
        b=pl.col("tokens").list.get(1).struct.field("token_id"),
    )
    return pl.concat([
        binary.select("condition_id", token_id="a", sibling="b", lead="a"),
        binary.select("condition_id", token_id="b", sibling="a", lead="a"),
    ])


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """Touch and depth-aware complement gaps of every binary market; see the module docstring."""
    fill_micro = int(config.fill_size_shares * _MICRO)
    sides = _sides(data.books, fill_micro)
    own = sides.join(_pairs(data.instruments), on="token_id", how="inner")
    sibling = sides.rename({"token_id": "sibling", **{c: f"{c}_sib" for c in _SIDE_OF.values()}}).with_columns(
        ts_sib=pl.col("ts_ms")
    )
    joined = own.sort("ts_ms", maintain_order=True).join_asof(
        sibling, on="ts_ms", by="sibling", strategy="backward", check_sortedness=False
    )
    gaps = joined.select(
        "condition_id", pl.col("lead").alias("token_id"), "ts_ms",
        *((pl.col(side) + pl.col(f"{side}_sib") - 1.0).alias(name) for name, side in _SIDE_OF.items()),
        sibling_age_ms=pl.col("ts_ms") - pl.col("ts_sib"),
    )
    # Both tokens changing in one ms give the same pair of books twice: one time, one set of readings.
    gaps = gaps.unique(["condition_id", "ts_ms"], keep="first", maintain_order=True).sort(
        "condition_id", "ts_ms", maintain_order=True
    )
    return signal_readings(gaps, SLUG, READINGS)
