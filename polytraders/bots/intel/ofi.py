"""intel.ofi — order-flow imbalance at the touch between consecutive books of a token, raw and as a z-score.

Method
    The e_n of Cont, Kukanov & Stoikov 2014, "The price impact of order book events", Journal of
    Financial Econometrics 12(1): between consecutive observations n − 1 and n of a token's best
    bid (price ``Pb``, size ``qb``) and best ask (``Pa``, ``qa``)::

        e_n = 1{Pb_n ≥ Pb_{n−1}}·qb_n − 1{Pb_n ≤ Pb_{n−1}}·qb_{n−1}
            − 1{Pa_n ≤ Pa_{n−1}}·qa_n + 1{Pa_n ≥ Pa_{n−1}}·qa_{n−1}

    A bid queue that grows, or a bid that steps up, adds buying pressure (+); a bid queue that is
    eaten or cancelled, or a bid that steps down, takes it away (−); the ask side mirrors it. With
    both prices unchanged e_n = Δqb − Δqa. Units: shares. The paper's e_n is per L1 event; here
    n runs over the token's book states (S3: a row each time the book changed, possibly deeper
    than the touch, giving e_n = 0), so an e_n between two states spans every touch event in
    between — the paper's OFI summed over that interval (exact when the prices moved at most one
    step). Prices compare exactly (Decimal); sizes are Float64.

    The z-score standardises e_n against the same token's previous values: with μ and σ (sample
    standard deviation, ddof = 1) of the e of the token's states in the trailing window
    ``[t − z_window_ms, t)`` (the current state and others at the same ms excluded)::

        ofi_z = (e_n − μ) / σ

    when that window holds at least ``min_events`` values and σ > 0. Informational (capital
    impact I); no rounding.

Inputs
    ``data.books`` (:class:`~polytraders.bots.inputs.MarketData`) — OrderBookSnapshot frame:
    ``condition_id`` String, ``token_id`` String, ``ts_ms`` Int64, ``bids`` / ``asks``
    List(Struct{price: Decimal(38, 6), size: Decimal(38, 6)}) best-first. Rows are put in
    (``token_id``, ``ts_ms``) order first (stable: receive order within a millisecond).

Returns
    Signal frame (``bot``, ``condition_id``, ``token_id``, ``ts_ms`` Int64, ``name``, ``value``
    Float64, ``unit``), by token id then time, each state's ``ofi`` row (unit "shares") followed
    by its ``ofi_z`` row (unit "z-score"). Absent rows:

    - a token's first state has no e (INTEL_WARMUP), and neither has a state where this or the
      previous state has an empty side (INTEL_EMPTY_SIDE): no ``ofi`` and no ``ofi_z`` row;
    - ``ofi_z`` when the trailing window holds fewer than ``min_events`` e values or they are all
      equal (σ = 0) (INTEL_WARMUP).

    An empty ``books`` frame gives an empty Signal frame.

Reason codes
    INTEL_EMPTY_SIDE, INTEL_WARMUP (documented conditions for absent rows; the Signal frame has
    no code column).

Raises
    pydantic.ValidationError — invalid config (``z_window_ms`` < 1000, ``min_events`` < 2).

Example
    >>> from polytraders_tests.bots.frames import books
    >>> frame = books(("yes", 0, [("0.48", "100")], [("0.52", "50")]),
    ...               ("yes", 1_000, [("0.49", "30")], [("0.52", "80")]))
    >>> run(MarketData.of(books=frame), Config())["value"].to_list()  # bid up: +30; ask grew by 30: −30
    [0.0]
"""

from __future__ import annotations

import polars as pl
from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.inputs import MarketData, signal_readings
from polytraders.contracts import reason_codes

SLUG = "intel.ofi"
VERSION = "0.1.0"

INPUTS = ("books",)

#: Signal name -> unit, in the order each state's rows are emitted.
READINGS: dict[str, str] = {"ofi": "shares", "ofi_z": "z-score"}

EMPTY_SIDE = reason_codes.require("INTEL_EMPTY_SIDE")
WARMUP = reason_codes.require("INTEL_WARMUP")


class Config(BotConfig):
    """Parameters of intel.ofi."""

    z_window_ms: int = Field(
        default=300_000, ge=1_000,
        description="trailing window of the token's earlier e values that the z-score is taken against, ms",
    )
    min_events: int = Field(
        default=20, ge=2, description="fewest e values in the trailing window for a z-score, events"
    )


def _order_flow(books: pl.DataFrame) -> pl.DataFrame:
    """``condition_id``, ``token_id``, ``ts_ms``, ``e`` (Float64 shares) of every book state that
    has a defined e_n, in (token_id, ts_ms) order; see the module docstring."""
    touch = lambda side, field: pl.col(side).list.first().struct.field(field)  # noqa: E731
    touches = books.select(
        "condition_id", "token_id", "ts_ms",
        pb=touch("bids", "price"), qb=touch("bids", "size").cast(pl.Float64),
        pa=touch("asks", "price"), qa=touch("asks", "size").cast(pl.Float64),
    ).sort("token_id", "ts_ms", maintain_order=True)
    pb, qb, pa, qa = (pl.col(c) for c in ("pb", "qb", "pa", "qa"))
    prev = lambda e: e.shift(1).over("token_id")  # noqa: E731
    e = (
        pl.when(pb >= prev(pb)).then(qb).otherwise(0.0)
        - pl.when(pb <= prev(pb)).then(prev(qb)).otherwise(0.0)
        - pl.when(pa <= prev(pa)).then(qa).otherwise(0.0)
        + pl.when(pa >= prev(pa)).then(prev(qa)).otherwise(0.0)
    )
    # A null price (empty side now or before, or no previous state) makes every comparison null:
    # e is then null, not a partial sum.
    defined = pl.all_horizontal(p.is_not_null() for p in (pb, pa, prev(pb), prev(pa)))
    return touches.select("condition_id", "token_id", "ts_ms", pl.when(defined).then(e).alias("e")).filter(
        pl.col("e").is_not_null()
    )


def run(data: MarketData, config: Config) -> pl.DataFrame:
    """OFI and its z-score of every book state with a previous two-sided state; see the module docstring."""
    window = dict(by="ts_ms", window_size=f"{config.z_window_ms}i", closed="left", min_samples=config.min_events)
    mean = pl.col("e").rolling_mean_by(**window).over("token_id")
    std = pl.col("e").rolling_std_by(**window).over("token_id")
    flows = _order_flow(data.books).with_columns(ofi=pl.col("e"), ofi_z=(pl.col("e") - mean) / std)
    return signal_readings(flows, SLUG, READINGS)
