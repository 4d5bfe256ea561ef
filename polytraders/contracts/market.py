"""Market-data wire objects: instruments, books, snapshots, trades, feed events.

Conventions (see :mod:`polytraders.contracts.types`): prices are Decimal USDC per share in
(0, 1) on the market's tick grid; sizes are Decimal shares; timestamps are epoch ms UTC.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from polytraders.contracts.base import WireModel
from polytraders.contracts.types import (
    Cents,
    ConditionId,
    DurationMs,
    Price,
    Probability,
    Quality,
    Sha256Hex,
    Shares,
    Side,
    TickSize,
    TimestampMs,
    TokenId,
)


def on_tick_grid(price: Decimal, tick_size: Decimal) -> bool:
    """True when ``price`` is an exact multiple of ``tick_size`` (exact decimal arithmetic)."""
    return price % tick_size == 0


class Freshness(WireModel):
    """Freshness and quality of one normalised observation: the wrapper every snapshot carries.

    ``age_ms = receive_ts_ms - source_ts_ms``; quality is OK within ``budget_ms``, WARN past it
    (HARD / FAIL are set by the normaliser for structural problems).
    """

    source_ts_ms: TimestampMs = Field(description="venue timestamp of the payload")
    receive_ts_ms: TimestampMs = Field(description="our receive time")
    age_ms: int = Field(description="receive_ts_ms - source_ts_ms (may be < 0 with clock skew)")
    budget_ms: DurationMs = Field(description="freshness budget of the source")
    quality: Quality
    provenance_hash: Sha256Hex = Field(description="sha256 of the raw payload bytes")
    venue_hash: str | None = Field(default=None, description="the venue's own book hash, when sent")


class InstrumentToken(WireModel):
    """One outcome token of a market."""

    token_id: TokenId
    outcome: str = Field(min_length=1, description="outcome label, e.g. Yes / No / Up / Down")


class RewardsParams(WireModel):
    """Liquidity-rewards parameters of a market (venue `rewards` object)."""

    min_size: Shares = Field(description="minimum qualifying order size, shares")
    max_spread_cents: Cents = Field(description="max distance from mid that scores, in cents")


class FeeParams(WireModel):
    """Fee schedule of a market: a taker pays rate x (p x (1 - p)) ^ exponent USDC per share (makers
    pay none; docs.polymarket.com/trading/fees)."""

    fees_enabled: bool
    taker_fee_rate: Probability = Field(description="fraction, 0.02 = 2 %")
    maker_fee_rate: Probability = Field(description="fraction, 0.02 = 2 %")
    exponent: int = Field(default=1, ge=0)


class InstrumentRecord(WireModel):
    """The registry's truth about one market (condition) and its outcome tokens (S1)."""

    #: 1.1.0: ``uma_resolution_status`` added (optional). 1.2.0: ``neg_risk`` may be None (unknown).
    SCHEMA_VERSION: ClassVar[str] = "1.2.0"

    condition_id: ConditionId
    question: str
    slug: str
    category: str | None = None
    tokens: tuple[InstrumentToken, ...] = Field(min_length=2)
    tick_size: TickSize
    min_order_size: Shares
    neg_risk: bool | None = Field(
        description="neg-risk market (its orders go to the neg-risk exchange); None when the source does not "
        "say: such a market's orders are not signed (SEC_NEG_RISK_UNKNOWN)",
    )
    neg_risk_market_id: str | None = Field(default=None, description="neg-risk event group id")
    start_ts_ms: TimestampMs | None = None
    end_ts_ms: TimestampMs | None = Field(default=None, description="scheduled end date")
    uma_resolution_status: str | None = Field(
        default=None,
        description="UMA oracle resolution status as Gamma's umaResolutionStatus reports it (e.g. proposed, "
        "disputed, resolved); None when the source has no resolution activity or no such field",
    )
    active: bool
    closed: bool
    accepting_orders: bool
    rewards: RewardsParams | None = None
    fees: FeeParams | None = None
    as_of_ms: TimestampMs = Field(description="when this record became true")


class BookLevel(WireModel):
    """One aggregated price level."""

    price: Price
    size: Shares


class OrderBookSnapshot(WireModel):
    """A full order book of one token, levels best-first (bids descending, asks ascending).

    Raises (ValidationError) when a price is off the tick grid, levels are not best-first, or
    the book is crossed (best bid >= best ask).
    """

    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    tick_size: TickSize
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
    freshness: Freshness

    @model_validator(mode="after")
    def _check_book(self) -> OrderBookSnapshot:
        for side, levels, descending in (("bid", self.bids, True), ("ask", self.asks, False)):
            for level in levels:
                if not on_tick_grid(level.price, self.tick_size):
                    raise ValueError(f"{side} price {level.price} is off the {self.tick_size} tick grid")
            prices = [level.price for level in levels]
            if prices != sorted(prices, reverse=descending) or len(set(prices)) != len(prices):
                raise ValueError(f"{side} levels are not strictly best-first")
        if self.bids and self.asks and self.bids[0].price >= self.asks[0].price:
            raise ValueError(f"crossed book: best bid {self.bids[0].price} >= best ask {self.asks[0].price}")
        return self


class MarketSnapshot(WireModel):
    """Top of book of one token: best bid/ask, mid, spread in ticks."""

    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    tick_size: TickSize
    best_bid: Price | None
    best_ask: Price | None
    mid: Probability | None = Field(description="(best_bid + best_ask) / 2, when both sides exist")
    spread_ticks: int | None = Field(description="(best_ask - best_bid) / tick_size")
    freshness: Freshness


class TradePrint(WireModel):
    """A last-trade print (market channel ``last_trade_price``)."""

    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    price: Price
    size: Shares
    side: Side = Field(description="aggressor side")
    fee_rate_bps: int | None = Field(default=None, ge=0)
    provenance_hash: Sha256Hex


class TickSizeChange(WireModel):
    """A token's tick size changes from this moment on (``tick_size_change``)."""

    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    old_tick_size: TickSize
    new_tick_size: TickSize
    provenance_hash: Sha256Hex


class MarketResolution(WireModel):
    """A market resolved: the winning token pays 1 USDC per share, the others 0."""

    condition_id: ConditionId
    ts_ms: TimestampMs
    token_ids: tuple[TokenId, ...] = Field(min_length=2)
    winning_token_id: TokenId
    winning_outcome: str
    provenance_hash: Sha256Hex


class KeepAlive(WireModel):
    """A text keep-alive frame (``PING`` / ``PONG``). Never counts as liveness of a token's data."""

    channel: str
    receive_ts_ms: TimestampMs
    kind: Literal["PING", "PONG"]


class FeedHealth(WireModel):
    """Liveness and error counts of one capture channel over one fixed window (S2).

    Data frames are every frame that is not a keep-alive; ``PING`` / ``PONG`` are counted apart and
    never count as liveness. ``longest_data_gap_ms`` is the longest time without a data frame seen
    at any moment of the window (measured from the previous data frame, in an earlier window if need
    be, or from the capture's first frame before any), up to the window's end or the capture's last
    frame, whichever is earlier; ``live`` = that gap is within ``liveness_budget_ms``. A quiet
    market on a live feed is live: liveness is about the channel, not about any book's age. Every
    window of the capture is present, empty ones too.
    """

    channel: str = Field(min_length=1, description="capture channel, e.g. market, user")
    window_start_ms: TimestampMs = Field(description="window start (receive time), a multiple of window_ms")
    window_ms: DurationMs = Field(gt=0, description="window length")
    data_frames: int = Field(ge=0, description="frames other than keep-alives received in the window")
    keepalive_frames: int = Field(ge=0, description="PING / PONG frames received in the window")
    quarantined_frames: int = Field(
        ge=0, description="frames received in the window with at least one QuarantineRecord (errors)"
    )
    last_data_receive_ts_ms: TimestampMs | None = Field(
        description="receive time of the last data frame at or before the window's end (null: none yet)"
    )
    longest_data_gap_ms: DurationMs = Field(description="longest silence without a data frame seen in the window")
    liveness_budget_ms: DurationMs = Field(description="the run's feed-liveness budget")
    live: bool = Field(description="longest_data_gap_ms <= liveness_budget_ms")


class TokenState(WireModel):
    """The registry's state of one outcome token from ``as_of_ms`` on, until its next row (S1 fold).

    Built from the market metadata (InstrumentRecord, as of its ``as_of_ms``) and the stream's
    ``tick_size_change`` and ``market_resolved`` events, each at its venue time. ``status``:
    RESOLVED once a resolution names the token (terminal), else CLOSED when the metadata says
    closed, else ACTIVE; ``active`` / ``accepting_orders`` are the metadata's flags (a market that
    is not active or not accepting orders is halted / paused).
    """

    condition_id: ConditionId
    token_id: TokenId
    as_of_ms: TimestampMs = Field(description="when this state became true (the event's time)")
    tick_size: TickSize = Field(description="tick size in force from as_of_ms on")
    status: Literal["ACTIVE", "CLOSED", "RESOLVED"]
    active: bool = Field(description="metadata: the market is active (not paused)")
    accepting_orders: bool = Field(description="metadata: the venue accepts orders in the market")
    source: Literal["metadata", "tick_size_change", "market_resolved"] = Field(
        description="what set this state"
    )
    provenance_hash: Sha256Hex = Field(description="sha256 of the raw payload that set this state")
