"""The state a risk bot sees for one intent: built by the runtime, read-only for bots."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from polytraders.contracts import InstrumentRecord, MarketSnapshot


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
    """

    ts_ms: int
    instrument: InstrumentRecord | None
    book: MarketSnapshot | None
    market_exposure_usdc: Decimal
    total_exposure_usdc: Decimal
    equity_usdc: Decimal
    peak_equity_usdc: Decimal
