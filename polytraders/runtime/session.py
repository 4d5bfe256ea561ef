"""The fold over time shared by S7 (risk context) and S8 (OMS): a venue session.

A :class:`VenueSession` walks the day forward: at each decision time it first applies what the
recorded data says happened before it — fills of resting orders (mock venue fill rule) and
market resolutions (settlement) — and only then takes the next order action. State is truly
sequential here (a fill changes the position that the next risk decision sees), so this is an
explicit loop; it is fast because the venue finds each order's fill time with one vectorised
search at placement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from polytraders.adapters.mock_venue import MICRO, BookTape, MockVenue, VenueOrder
from polytraders.contracts import Fill, MarketResolution, OrderEvent
from polytraders.contracts.types import Side
from polytraders.runtime.inventory import Ledger


@dataclass(slots=True)
class SessionLog:
    """What a session produced, in time order.

    ``api_calls``: ``(ts_ms, endpoint)`` of each order request sent (``POST /order``,
    ``DELETE /order``); ``realised``: ``(ts_ms, condition_id, token_id, realised_pnl_usdc)`` per
    fill and per settled token; ``recon``: ``(ts_ms, token_id, local_shares, venue_shares)`` after
    each fill (the mock venue's view is the ledger's: they agree by construction).
    """

    order_events: list[OrderEvent] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    api_calls: list[tuple[int, str]] = field(default_factory=list)
    realised: list[tuple[int, str, str, Decimal]] = field(default_factory=list)
    recon: list[tuple[int, str, Decimal, Decimal]] = field(default_factory=list)


class VenueSession:
    """Mock venue + inventory ledger + resolutions, advanced in time order.

    Quotes are keyed by ``(strategy, token_id, side)``: placing a new quote for a key cancels
    the live one first (cancel-replace), as a maker's reprice does.
    """

    def __init__(self, tape: BookTape, resolutions: Sequence[MarketResolution]) -> None:
        self.tape = tape
        self.venue = MockVenue(tape)
        self.ledger = Ledger()
        self.log = SessionLog()
        self._resolutions = sorted(resolutions, key=lambda r: r.ts_ms)
        self._next_resolution = 0
        self._resolved: set[str] = set()
        self._live: dict[tuple[str, str, Side], str] = {}
        self._order_key: dict[str, tuple[str, str, Side]] = {}

    def advance(self, ts_ms: int) -> None:
        """Apply fills and resolutions due at or before ``ts_ms``, in time order."""
        while True:
            next_res = (self._resolutions[self._next_resolution]
                        if self._next_resolution < len(self._resolutions) else None)
            horizon = min(ts_ms, next_res.ts_ms) if next_res is not None else ts_ms
            for event, fill in self.venue.advance(horizon):
                self.log.order_events.append(event)
                self.log.fills.append(fill)
                before = self.ledger.realised_usdc(fill.token_id)
                self.ledger.apply_fill(fill)
                self.log.realised.append((fill.ts_ms, fill.condition_id, fill.token_id,
                                          self.ledger.realised_usdc(fill.token_id) - before))
                held = self.ledger.holding(fill.token_id)[0]
                self.log.recon.append((fill.ts_ms, fill.token_id, held, held))
                self._forget(fill.order_id)
            if next_res is None or next_res.ts_ms > ts_ms:
                return
            self._resolve(next_res)
            self._next_resolution += 1

    def _resolve(self, resolution: MarketResolution) -> None:
        self._resolved.add(resolution.condition_id)
        for order_id, order in list(self.venue.resting.items()):
            if order.condition_id == resolution.condition_id:
                self._cancel(order_id, resolution.ts_ms)
        before = {t: self.ledger.realised_usdc(t) for t in resolution.token_ids}
        for token_id in self.ledger.settle(resolution):
            self.log.realised.append((resolution.ts_ms, resolution.condition_id, token_id,
                                      self.ledger.realised_usdc(token_id) - before[token_id]))

    def next_event_ts(self) -> int | None:
        """Time of the next thing the recorded data will do to this session's state — the
        earliest fill of a resting order or the next resolution — or None if nothing is due."""
        times = [o.fill_ts_ms for o in self.venue.resting.values() if o.fill_ts_ms is not None]
        if self._next_resolution < len(self._resolutions):
            times.append(self._resolutions[self._next_resolution].ts_ms)
        return min(times, default=None)

    def is_resolved(self, condition_id: str) -> bool:
        """True once the market's resolution has been applied."""
        return condition_id in self._resolved

    def _forget(self, order_id: str) -> None:
        key = self._order_key.pop(order_id, None)
        if key is not None and self._live.get(key) == order_id:
            del self._live[key]

    def _cancel(self, order_id: str, ts_ms: int) -> None:
        event = self.venue.cancel(order_id, ts_ms)
        if event is not None:
            self.log.order_events.append(event)
        self._forget(order_id)

    def live_order_id(self, strategy: str, token_id: str, side: Side) -> str | None:
        """The live quote for a key, if any."""
        return self._live.get((strategy, token_id, side))

    def place(self, strategy: str, order: VenueOrder) -> None:
        """Cancel-replace the key's live quote with ``order`` (at ``order.placed_ts_ms``)."""
        key = (strategy, order.token_id, order.side)
        previous = self._live.get(key)
        if previous is not None:
            self.log.api_calls.append((order.placed_ts_ms, "DELETE /order"))
            self._cancel(previous, order.placed_ts_ms)
        self.log.api_calls.append((order.placed_ts_ms, "POST /order"))
        if order.side is Side.SELL and order.size > self._sellable(order.token_id):
            # the venue checks the outcome-token balance at placement: "not enough balance"
            self.log.order_events.append(self.venue.refuse(order, "not enough balance / allowance"))
            return
        event = self.venue.place(order)
        self.log.order_events.append(event)
        if event.status == "LIVE":
            self._live[key] = order.order_id
            self._order_key[order.order_id] = key

    def _sellable(self, token_id: str) -> Decimal:
        """Shares of ``token_id`` held and not already offered by a resting SELL."""
        offered = sum((o.size for o in self.venue.resting.values() if o.side is Side.SELL and o.token_id == token_id),
                      Decimal(0))
        return self.ledger.holding(token_id)[0] - offered

    def cancel(self, order_id: str, ts_ms: int) -> None:
        """Cancel an order by id (no-op at the venue if it already filled or was replaced)."""
        self.log.api_calls.append((ts_ms, "DELETE /order"))
        self._cancel(order_id, ts_ms)

    def resting_buy_notional_usdc(self, condition_id: str | None = None,
                                  excluding: str | None = None) -> Decimal:
        """Notional of resting BUY orders (one market or all), optionally excluding one order."""
        return sum(
            (o.price * o.size for oid, o in self.venue.resting.items()
             if o.side is Side.BUY and oid != excluding and condition_id in (None, o.condition_id)),
            Decimal(0),
        )

    def mids(self, ts_ms: int) -> dict[str, Decimal | None]:
        """Mid of every token with an open position, at ``ts_ms`` (USDC per share)."""
        out: dict[str, Decimal | None] = {}
        for token_id in self.ledger.open_token_ids():
            mid = self.tape.mid_micro_at(token_id, ts_ms)
            out[token_id] = None if mid is None else Decimal(mid) / MICRO
        return out
