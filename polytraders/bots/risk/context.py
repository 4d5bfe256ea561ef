"""The state a risk bot sees for one intent: built by the runtime, read-only for bots."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from polytraders.contracts import InstrumentRecord, MarketSnapshot, TokenState


@dataclass(frozen=True, slots=True)
class FeedState:
    """Liveness of the channel a token's data arrives on, at the decision time.

    Attributes:
        channel: the capture channel (``market`` for books, deltas and trades).
        last_data_receive_ts_ms: receive time of the channel's last DATA frame at or before the
            decision time (keep-alives never count), epoch ms; None if none yet.
        liveness_budget_ms: the run's ``FreshnessBudgets.feed_liveness_ms``: a longer silence is a
            dead feed.
    """

    channel: str
    last_data_receive_ts_ms: int | None
    liveness_budget_ms: int

    def is_dead(self, ts_ms: int) -> bool:
        """True when no data frame arrived yet, or ``ts_ms − last_data_receive_ts_ms`` exceeds the
        liveness budget (a silence of exactly the budget is still alive)."""
        last = self.last_data_receive_ts_ms
        return last is None or ts_ms - last > self.liveness_budget_ms


@dataclass(frozen=True, slots=True)
class RiskContext:
    """Everything known at the intent's time ``ts_ms`` (epoch ms UTC), from the data alone.

    Attributes:
        ts_ms: decision time (the intent's ``ts_ms``).
        instrument: registry record of the intent's market, or None if unknown (fail closed).
        book: latest top of book of the intent's token at or before ``ts_ms``, or None.
        market_exposure_usdc: notional at risk in the intent's market: cost basis of held
            positions plus notional of resting approved BUY orders, USDC.
        total_exposure_usdc: the same summed over all markets, USDC.
        equity_usdc: realised PnL + positions marked to mid, USDC (0 at the start of the day).
        peak_equity_usdc: highest ``equity_usdc`` seen so far in the run, USDC.
        feed: liveness of the token's channel at ``ts_ms`` (S2's data receipts), or None when the
            runtime has no feed information (risk.stale_book then fails closed).
        token_state: the registry's state of the intent's token at ``ts_ms`` (the S1 fold of
            metadata, tick-size changes and resolutions), or None if unknown (risk.market_halt then
            fails closed).
    """

    ts_ms: int
    instrument: InstrumentRecord | None
    book: MarketSnapshot | None
    market_exposure_usdc: Decimal
    total_exposure_usdc: Decimal
    equity_usdc: Decimal
    peak_equity_usdc: Decimal
    feed: FeedState | None = None
    token_state: TokenState | None = None
