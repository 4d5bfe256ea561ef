"""Adapter-level wire objects that the frozen contracts do not (yet) publish."""

from __future__ import annotations

from pydantic import Field

from polytraders.contracts import WireModel
from polytraders.contracts.types import (
    ConditionId,
    Price,
    Probability,
    Sha256Hex,
    Shares,
    Side,
    TimestampMs,
    TokenId,
)


class BookDelta(WireModel):
    """One price level's new aggregate size (market channel ``price_change``, both formats).

    ``side`` BUY is a bid level, SELL an ask level. ``size`` is the new TOTAL at ``price`` in
    shares; ``0`` deletes the level. ``best_bid`` / ``best_ask`` are the venue's top of book after
    the change, when sent (current ``price_changes[]`` form only).
    """

    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    side: Side
    price: Price
    size: Shares = Field(description="new aggregate size at the level; 0 removes it")
    best_bid: Probability | None = None
    best_ask: Probability | None = None
    venue_hash: str | None = Field(default=None, description="the venue's book hash after the change")
    provenance_hash: Sha256Hex
