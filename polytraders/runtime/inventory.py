"""Inventory ledger (S9): positions per token from fills, marked to mid, settled at resolution.

Exact Decimal arithmetic in the ledger: sizes in shares, money in USDC; reported Positions
are quantised to 1e-6 (see REPORT_QUANTUM).
Realised PnL of a SELL = (sell price - average cost) x size; settlement pays 1 USDC per share
of the winning token and 0 for the others, realising (payout - average cost) x size.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from polytraders.contracts import Fill, MarketResolution, Position
from polytraders.contracts.types import Side

ZERO = Decimal(0)
#: Reported figures (average price, PnL) are quantised half-even to 1e-6 USDC, the frame scale;
#: the ledger itself keeps exact cost and realised PnL (an average cost such as 13/30 has no
#: finite decimal form, so the report is the only place rounding happens).
REPORT_QUANTUM = Decimal("0.000001")


@dataclass(slots=True)
class _Holding:
    condition_id: str
    size: Decimal = ZERO
    cost_usdc: Decimal = ZERO
    realised_usdc: Decimal = ZERO
    settled: bool = False

    @property
    def avg_price(self) -> Decimal:
        return self.cost_usdc / self.size if self.size else ZERO


class Ledger:
    """Positions per token id. Long-only inventory of outcome tokens (a SELL beyond the held
    size is refused with ValueError: the venue would reject it for balance)."""

    def __init__(self) -> None:
        self._holdings: dict[str, _Holding] = {}

    def apply_fill(self, fill: Fill) -> None:
        """Apply one fill. Raises ValueError on a SELL larger than the position."""
        h = self._holdings.setdefault(fill.token_id, _Holding(fill.condition_id))
        if fill.side is Side.BUY:
            h.size += fill.size
            h.cost_usdc += fill.price * fill.size + fill.fee_usdc
            return
        if fill.size > h.size:
            raise ValueError(f"sell of {fill.size} exceeds position {h.size} in token {fill.token_id}")
        avg = h.avg_price
        h.realised_usdc += (fill.price - avg) * fill.size - fill.fee_usdc
        h.cost_usdc -= avg * fill.size
        h.size -= fill.size

    def settle(self, resolution: MarketResolution) -> list[str]:
        """Settle every held token of the resolved market; returns the settled token ids."""
        settled = []
        for token_id in resolution.token_ids:
            h = self._holdings.get(token_id)
            if h is None or h.settled:
                continue
            payout = Decimal(1) if token_id == resolution.winning_token_id else ZERO
            h.realised_usdc += payout * h.size - h.cost_usdc
            h.size, h.cost_usdc, h.settled = ZERO, ZERO, True
            settled.append(token_id)
        return settled

    def exposure_usdc(self, condition_id: str | None = None) -> Decimal:
        """Cost basis of open positions (in one market, or all), USDC."""
        return sum(
            (h.cost_usdc for h in self._holdings.values() if condition_id in (None, h.condition_id)),
            ZERO,
        )

    def equity_usdc(self, mids: dict[str, Decimal | None]) -> Decimal:
        """Realised PnL plus open positions marked to ``mids`` (a token without a mid is marked
        at cost, i.e. contributes no unrealised PnL)."""
        total = ZERO
        for token_id, h in self._holdings.items():
            total += h.realised_usdc
            mid = mids.get(token_id)
            if h.size and mid is not None:
                total += mid * h.size - h.cost_usdc
        return total

    def realised_usdc(self, token_id: str | None = None) -> Decimal:
        """Realised PnL (one token, or all), USDC, exact."""
        return sum((h.realised_usdc for t, h in self._holdings.items() if token_id in (None, t)), ZERO)

    def holding(self, token_id: str) -> tuple[Decimal, Decimal]:
        """``(size, cost_usdc)`` held in ``token_id`` (zeros when none): shares and cost basis."""
        h = self._holdings.get(token_id)
        return (h.size, h.cost_usdc) if h is not None else (ZERO, ZERO)

    def open_token_ids(self) -> list[str]:
        """Tokens with a non-zero position."""
        return [t for t, h in self._holdings.items() if h.size]

    def position(self, token_id: str, ts_ms: int, mark: Decimal | None) -> Position:
        """The Position of one token at ``ts_ms``, marked at ``mark`` (None: unmarked)."""
        h = self._holdings[token_id]
        unrealised = (mark * h.size - h.cost_usdc) if (mark is not None and h.size) else ZERO
        return Position(
            condition_id=h.condition_id, token_id=token_id, ts_ms=ts_ms, size=h.size,
            avg_price=h.avg_price.quantize(REPORT_QUANTUM), mark_price=mark,
            realised_pnl_usdc=h.realised_usdc.quantize(REPORT_QUANTUM),
            unrealised_pnl_usdc=unrealised.quantize(REPORT_QUANTUM), settled=h.settled,
        )
