"""Freshness budgets of the adapter boundary: one per source, plus the feed-liveness budget.

A budget is how old an observation may be when we receive it (``receive_ts_ms − source_ts_ms``,
ms) and still count as fresh: within it the normaliser stamps ``Freshness.quality = OK``, past
it ``WARN`` (the object is still admitted; what to do with a WARN observation is a consumer's
decision). The liveness budget is different in kind: it is the longest silence (no DATA frame;
keep-alives do not count) after which a feed is dead, whatever the age of its last book — a quiet
market on a live feed is not stale.

The run's budgets come from :class:`polytraders.defs.environment.Settings` (environment variable
``POLYTRADERS_FRESHNESS_BUDGETS``, a JSON object overriding any of the fields below); every
normaliser takes the one object and reads its own source's field. :meth:`FreshnessBudgets.version`
is the adapter boundary's config version: the ``config_version`` of every envelope
gov.data_quality_monitor emits (quarantine records, feed health), so a budget change is visible
in the stream.

Where each budget is applied today:

==========================  =====================================================================
field                       applied by
==========================  =====================================================================
``ws_market_ms``            ``normalise_market_frame`` / ``normalise_capture`` (``book``,
                            ``best_bid_ask``) and S2's ``price_change`` deltas
``rest_book_ms``            ``normalise_book_response`` (CLOB ``GET /book``)
``top_of_book_poll_ms``     polled best bid / ask: no normaliser of a polled source exists yet
``ws_user_ms``              no user-channel object carries a Freshness yet
``markets_metadata_ms``     market metadata (CLOB ``/markets``, Gamma): the registry's records
                            carry ``as_of_ms`` only; no consumer grades their age yet
``feed_liveness_ms``        S2's FeedHealth (``live``) and risk.stale_book (a dead feed)
==========================  =====================================================================
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class FreshnessBudgetsError(ValueError):
    """The run's budgets are not a JSON object of known, non-negative integer fields."""


class FreshnessBudgets(BaseModel):
    """Freshness budget per source and the feed-liveness budget, all in milliseconds.

    Frozen; unknown fields are refused (a typo must not silently keep a default).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    ws_market_ms: int = Field(
        default=2_000, ge=0,
        description="market websocket channel (books, best bid/ask, price changes), ms. The channel "
        "pushes each change within a few hundred ms of the venue's timestamp; 2 s is several times "
        "a normal delivery delay, so a book past it was held up on the way (a stall, a slow consumer)",
    )
    ws_user_ms: int = Field(
        default=5_000, ge=0,
        description="user websocket channel (our order and trade events), ms. Order events follow "
        "the matching engine and on-chain settlement steps, so they lag more than market data",
    )
    rest_book_ms: int = Field(
        default=5_000, ge=0,
        description="CLOB REST GET /book snapshot, ms: one request round trip plus the venue's "
        "snapshot time, looser than the pushed websocket book",
    )
    markets_metadata_ms: int = Field(
        default=86_400_000, ge=0,
        description="market metadata (CLOB /markets, Gamma markets), ms: a daily refresh (a fixture "
        "day's markets.json is as of 00:00 UTC); changes within the day (tick size, resolution) come "
        "from the stream, not from a faster metadata poll",
    )
    top_of_book_poll_ms: int = Field(
        default=5_000, ge=0,
        description="polled best bid / ask, ms: a REST response like /book. The poll interval itself "
        "(minutes on a universe day) is a liveness matter (feed_liveness_ms), not an age at receipt",
    )
    feed_liveness_ms: int = Field(
        default=120_000, gt=0,
        description="longest silence of a channel (no data frame; PING / PONG do not count) before "
        "the feed counts as dead, ms. Two minutes: on a channel subscribed to active markets data "
        "frames arrive every second; the bundled day's longest silence is 61 s, so only a real outage "
        "(minutes without data) trips it",
    )

    def version(self) -> str:
        """The adapter boundary's config version: sha256 of the canonical JSON, 16 hex digits."""
        text = json.dumps(self.model_dump(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def from_json(cls, text: str | None) -> FreshnessBudgets:
        """Budgets from a JSON object overriding any fields of the defaults (``None`` or ``""``:
        the defaults). Raises FreshnessBudgetsError naming the bad key or value."""
        if not text:
            return cls()
        try:
            overrides: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FreshnessBudgetsError(f"freshness budgets are not valid JSON: {exc}") from exc
        if not isinstance(overrides, dict):
            raise FreshnessBudgetsError(f"freshness budgets must be a JSON object, got {type(overrides).__name__}")
        try:
            return cls(**overrides)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise FreshnessBudgetsError(f"freshness budgets: {problems} (fields: {sorted(cls.model_fields)})") from exc


#: The documented defaults.
DEFAULT_BUDGETS = FreshnessBudgets()
