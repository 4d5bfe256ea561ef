"""The mock CLOB venue: a simulated exchange that fills resting orders against a recorded book.

Nothing here reaches a real venue. Orders rest at their limit price; the recorded top of book
decides when they fill.

Fill rule (a conservative "trade-through" rule, as in queue-agnostic limit-order backtests, e.g.
NautilusTrader's ``FillModel`` with no queue position and Backtrader's limit execution):

* a resting BUY at price ``p`` placed at ``t0`` fills in full, at ``p``, at the first recorded
  snapshot with ``ts > t0`` whose best ask is ``<= p`` (a seller crossed down through our bid);
* a resting SELL at ``p`` fills at the first snapshot with ``ts > t0`` whose best bid is ``>= p``;
* the snapshot at or before ``t0`` never fills the order (no look-ahead, no same-tick fill);
* a post-only order that would cross the book at placement is refused (status INVALID), as the
  venue refuses it ("post-only would cross");
* we are the maker, so the fee is 0 (Polymarket charges takers only).

Touching our price (best ask == p for a BUY) counts as a cross: the recorded book shows resting
size at our price on the other side, which the venue would have matched against our order.
All prices are compared as integer micro-units (price x 10^6): no float decides a fill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import polars as pl

from polytraders.contracts import Fill, MarketSnapshot, OrderEvent
from polytraders.contracts.types import OrderType, Side

MICRO = 1_000_000
_NO_BID = -1
_NO_ASK = 10 * MICRO


def to_micro(value: Decimal) -> int:
    """Exact Decimal -> integer micro-units (x 10^6); raises ValueError if not representable."""
    scaled = value * MICRO
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 6 decimals")
    return int(scaled)


@dataclass(frozen=True, slots=True)
class _TokenTape:
    ts_ms: np.ndarray
    bid_micro: np.ndarray
    ask_micro: np.ndarray
    mark_micro: np.ndarray  # the last two-sided mid at or before each row (-1 before the first)
    rows: pl.DataFrame


class BookTape:
    """Recorded top of book per token, for as-of look-ups and fill decisions.

    Built from a MarketSnapshot frame (columns condition_id, token_id, ts_ms Int64, tick_size,
    best_bid / best_ask / mid Decimal(38, 6) nullable, spread_ticks, freshness Struct).
    """

    def __init__(self, top_of_book: pl.DataFrame) -> None:
        frame = top_of_book.sort("token_id", "ts_ms").with_columns(
            (pl.col("best_bid") * MICRO).cast(pl.Int64).fill_null(_NO_BID).alias("_bid"),
            (pl.col("best_ask") * MICRO).cast(pl.Int64).fill_null(_NO_ASK).alias("_ask"),
        )
        self._tapes: dict[str, _TokenTape] = {}
        for (token_id,), rows in frame.group_by("token_id", maintain_order=True):
            two_sided = (pl.col("_bid") != _NO_BID) & (pl.col("_ask") != _NO_ASK)
            marks = rows.select(
                pl.when(two_sided).then((pl.col("_bid") + pl.col("_ask")) // 2).forward_fill().fill_null(-1)
            ).to_series()
            self._tapes[str(token_id)] = _TokenTape(
                ts_ms=rows["ts_ms"].to_numpy(),
                bid_micro=rows["_bid"].to_numpy(),
                ask_micro=rows["_ask"].to_numpy(),
                mark_micro=marks.to_numpy(),
                rows=rows.drop("_bid", "_ask"),
            )

    def _index_at(self, token_id: str, ts_ms: int) -> tuple[_TokenTape, int] | None:
        tape = self._tapes.get(token_id)
        if tape is None:
            return None
        i = int(np.searchsorted(tape.ts_ms, ts_ms, side="right")) - 1
        return (tape, i) if i >= 0 else None

    def snapshot_at(self, token_id: str, ts_ms: int) -> MarketSnapshot | None:
        """Latest top of book of ``token_id`` at or before ``ts_ms``, or None if there is none."""
        found = self._index_at(token_id, ts_ms)
        if found is None:
            return None
        tape, i = found
        return MarketSnapshot.model_validate(tape.rows.row(i, named=True))

    def mid_micro_at(self, token_id: str, ts_ms: int) -> int | None:
        """The mark of ``token_id`` at ``ts_ms`` in micro-units: the mid (floor of the half-sum) of
        the last two-sided book at or before ``ts_ms``; None before the first two-sided book.

        A book that has gone one-sided (common in a binary market's last minutes, when the winner
        has only bids near 1) keeps the last two-sided mid rather than dropping to no mark: marking
        at cost there would invent a loss the market never showed.
        """
        found = self._index_at(token_id, ts_ms)
        if found is None:
            return None
        tape, i = found
        mark = int(tape.mark_micro[i])
        return None if mark < 0 else mark

    def marks_micro_at(self, token_id: str, ts_ms: np.ndarray) -> np.ndarray:
        """:meth:`mid_micro_at` for many times at once (Int64 array of epoch ms): the mark in
        micro-units at each, -1 where there is none (before the first two-sided book, or an
        unknown token)."""
        tape = self._tapes.get(token_id)
        if tape is None:
            return np.full(len(ts_ms), -1, dtype=np.int64)
        i = np.searchsorted(tape.ts_ms, ts_ms, side="right") - 1
        return np.where(i >= 0, tape.mark_micro[np.maximum(i, 0)], -1)

    def crosses_at(self, token_id: str, side: Side, price_micro: int, ts_ms: int) -> bool:
        """True if a post-only order at ``price_micro`` would cross the book at ``ts_ms``."""
        found = self._index_at(token_id, ts_ms)
        if found is None:
            return False
        tape, i = found
        if side is Side.BUY:
            return price_micro >= int(tape.ask_micro[i])
        return price_micro <= int(tape.bid_micro[i])

    def first_cross_after(self, token_id: str, side: Side, price_micro: int, after_ts_ms: int) -> int | None:
        """Timestamp of the first snapshot with ts > ``after_ts_ms`` that fills the order, or None."""
        tape = self._tapes.get(token_id)
        if tape is None:
            return None
        start = int(np.searchsorted(tape.ts_ms, after_ts_ms, side="right"))
        if side is Side.BUY:
            hits = np.flatnonzero(tape.ask_micro[start:] <= price_micro)
        else:
            hits = np.flatnonzero(tape.bid_micro[start:] >= price_micro)
        return int(tape.ts_ms[start + hits[0]]) if hits.size else None


@dataclass(slots=True)
class VenueOrder:
    """An order as the mock venue holds it. Price in USDC per share, size in shares."""

    order_id: str
    intent_id: str
    condition_id: str
    token_id: str
    side: Side
    price: Decimal
    size: Decimal
    placed_ts_ms: int
    order_type: OrderType = OrderType.GTC
    fill_ts_ms: int | None = field(default=None)


class MockVenue:
    """A simulated CLOB: place / cancel / advance time, emitting OrderEvents and Fills.

    Deterministic: the same calls in the same order give the same events.
    """

    def __init__(self, tape: BookTape) -> None:
        self._tape = tape
        self._resting: dict[str, VenueOrder] = {}

    @property
    def resting(self) -> dict[str, VenueOrder]:
        """Orders resting now, by order id (read-only view: do not mutate)."""
        return self._resting

    def _event(
        self,
        order: VenueOrder,
        ts_ms: int,
        event_type: str,
        status: str,
        matched: Decimal,
        detail: str | None = None,
    ) -> OrderEvent:
        return OrderEvent(
            order_id=order.order_id,
            intent_id=order.intent_id,
            condition_id=order.condition_id,
            token_id=order.token_id,
            ts_ms=ts_ms,
            event_type=event_type,
            status=status,
            status_detail=detail,
            side=order.side,
            price=order.price,
            original_size=order.size,
            size_matched=matched,
            order_type=order.order_type,
        )

    def place(self, order: VenueOrder) -> OrderEvent:
        """Accept a post-only limit order (LIVE), or refuse it (INVALID) if it would cross."""
        price_micro = to_micro(order.price)
        if self._tape.crosses_at(order.token_id, order.side, price_micro, order.placed_ts_ms):
            return self.refuse(order, "post-only order would cross the book")
        order.fill_ts_ms = self._tape.first_cross_after(
            order.token_id, order.side, price_micro, order.placed_ts_ms
        )
        self._resting[order.order_id] = order
        return self._event(order, order.placed_ts_ms, "PLACEMENT", "LIVE", Decimal(0))

    def refuse(self, order: VenueOrder, detail: str) -> OrderEvent:
        """The venue's refusal of ``order`` at placement (status INVALID, with ``detail``)."""
        return self._event(order, order.placed_ts_ms, "CANCELLATION", "INVALID", Decimal(0), detail)

    def cancel(self, order_id: str, ts_ms: int) -> OrderEvent | None:
        """Cancel a resting order at ``ts_ms``; None if it is not resting (filled or unknown).

        Call :meth:`advance` to ``ts_ms`` first so that fills due at or before it happen first.
        """
        order = self._resting.pop(order_id, None)
        if order is None:
            return None
        return self._event(order, ts_ms, "CANCELLATION", "CANCELED", Decimal(0))

    def advance(self, ts_ms: int) -> list[tuple[OrderEvent, Fill]]:
        """Fill every resting order whose fill time is <= ``ts_ms``, in fill-time order."""
        due = sorted(
            (
                (o.fill_ts_ms, o)
                for o in self._resting.values()
                if o.fill_ts_ms is not None and o.fill_ts_ms <= ts_ms
            ),
            key=lambda pair: (pair[0], pair[1].order_id),
        )
        out = []
        for fill_ts_ms, order in due:
            del self._resting[order.order_id]
            fill = Fill(
                fill_id=f"{order.order_id}-1",
                order_id=order.order_id,
                condition_id=order.condition_id,
                token_id=order.token_id,
                ts_ms=fill_ts_ms,
                side=order.side,
                price=order.price,
                size=order.size,
                liquidity="MAKER",
                fee_usdc=Decimal(0),
                trade_status="MATCHED",
            )
            out.append((self._event(order, fill_ts_ms, "UPDATE", "MATCHED", order.size), fill))
        return out
