"""The instrument registry follows the stream: a time-versioned state per outcome token (S1 fold).

Inputs: the market metadata (InstrumentRecord rows, each true from its ``as_of_ms``; a market may
have several, one per refresh) and the stream's events from S2 (TickSizeChange per token,
MarketResolution per market), each at its venue time ``ts_ms``. Output: TokenState rows, one each
time a token's state changes, in time order per token; a consumer takes the last row at or before
its time (an as-of join, as S7 does).

Rules, per token, events in time order (at equal times: metadata, then tick-size changes, then
resolutions; within a kind, input order):

- metadata: the first record of a token's market sets its whole state (tick size, status from
  ``closed``, ``active``, ``accepting_orders``). A later refresh sets the flags and status again,
  and its tick size when that is genuinely new. A refresh that still carries the value the token's
  latest tick-size event replaced (that event's ``old_tick_size``) is stale: the stream's newer value
  holds, and the refresh is flagged GOV_DQ_STALE_METADATA. A refresh after the token's resolution
  does not reopen it (flagged the same way when it says the market is open).
- ``tick_size_change``: the token (only that token: each outcome gets its own event) moves to
  ``new_tick_size`` from the event's time on.
- ``market_resolved``: every token it names is RESOLVED from then on (terminal).

A row is written only when something changed. Events of a token the metadata never listed have no
state to change and are skipped (S2 quarantines their books as GOV_DQ_UNKNOWN_TOKEN). Exact
Decimal comparisons; plain Python over the (few) events.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from polytraders.adapters.polymarket.parsing import provenance_hash
from polytraders.contracts import InstrumentRecord, MarketResolution, QuarantineRecord, TickSizeChange, TokenState
from polytraders.contracts.frames import from_frame
from polytraders.runtime.stages import MARKETS_FILE, frame_of

STALE_METADATA = "GOV_DQ_STALE_METADATA"
_SOURCE = "registry:metadata"
_ORDER = {InstrumentRecord: 0, TickSizeChange: 1, MarketResolution: 2}


@dataclass(frozen=True, slots=True)
class TokenStates:
    """The fold's output: TokenState frame (by token, then time) and the QuarantineRecord frame of
    the stale metadata refreshes it set aside."""

    states: pl.DataFrame
    quarantine: pl.DataFrame


def _status(record: InstrumentRecord) -> str:
    return "CLOSED" if record.closed else "ACTIVE"


def _stale(record: InstrumentRecord, token_id: str, detail: str, provenance: str) -> QuarantineRecord:
    return QuarantineRecord(
        source=_SOURCE, receive_ts_ms=record.as_of_ms, reason_code=STALE_METADATA,
        detail=f"token {token_id} as of {record.as_of_ms}: {detail}",
        raw=record.model_dump_json(), provenance_hash=provenance,
    )


def fold(instruments: list[InstrumentRecord], tick_changes: list[TickSizeChange],
         resolutions: list[MarketResolution], metadata_hash: str) -> tuple[list[TokenState], list[QuarantineRecord]]:
    """The fold over contract objects (see the module docstring). ``metadata_hash``: sha256 of the
    metadata payload the records came from (the provenance of the rows they set)."""
    events: list[tuple[int, int, int, object]] = []
    for kind, items, time in ((InstrumentRecord, instruments, "as_of_ms"), (TickSizeChange, tick_changes, "ts_ms"),
                              (MarketResolution, resolutions, "ts_ms")):
        events += [(getattr(item, time), _ORDER[kind], n, item) for n, item in enumerate(items)]
    state: dict[str, TokenState] = {}
    replaced: dict[str, Decimal] = {}  # token -> the tick its latest tick-size event replaced
    rows: list[TokenState] = []
    flagged: list[QuarantineRecord] = []

    def put(new: TokenState) -> None:
        old = state.get(new.token_id)
        if old is None or old.model_dump(exclude={"as_of_ms", "source", "provenance_hash"}) != new.model_dump(
                exclude={"as_of_ms", "source", "provenance_hash"}):
            rows.append(new)
        state[new.token_id] = new

    for ts, _, _, event in sorted(events, key=lambda e: e[:3]):
        if isinstance(event, InstrumentRecord):
            for token in event.tokens:
                old = state.get(token.token_id)
                fresh = TokenState(
                    condition_id=event.condition_id, token_id=token.token_id, as_of_ms=ts, tick_size=event.tick_size,
                    status=_status(event), active=event.active, accepting_orders=event.accepting_orders,
                    source="metadata", provenance_hash=metadata_hash,
                )
                behind = old is not None and replaced.get(token.token_id) == event.tick_size
                if old is not None and behind and event.tick_size != old.tick_size:
                    flagged.append(_stale(event, token.token_id, f"tick_size {event.tick_size} was replaced by "
                                          f"{old.tick_size} on the stream; {old.tick_size} kept", metadata_hash))
                    fresh = fresh.model_copy(update={"tick_size": old.tick_size})
                if old is not None and old.status == "RESOLVED":
                    if fresh.status != "CLOSED":
                        flagged.append(_stale(event, token.token_id, "says the market is open; it resolved at "
                                              f"{old.as_of_ms}: RESOLVED kept", metadata_hash))
                    fresh = fresh.model_copy(update={"status": "RESOLVED"})
                put(fresh)
        elif isinstance(event, TickSizeChange):
            old = state.get(event.token_id)
            if old is None:
                continue
            replaced[event.token_id] = event.old_tick_size
            put(old.model_copy(update={"tick_size": event.new_tick_size, "as_of_ms": ts, "source": "tick_size_change",
                                       "provenance_hash": event.provenance_hash}))
        elif isinstance(event, MarketResolution):
            for token_id in event.token_ids:
                old = state.get(token_id)
                if old is None:
                    continue
                put(old.model_copy(update={"status": "RESOLVED", "as_of_ms": ts, "source": "market_resolved",
                                           "provenance_hash": event.provenance_hash}))
    rows.sort(key=lambda r: (r.token_id, r.as_of_ms))
    return rows, flagged


def token_states(instruments: pl.DataFrame, tick_changes: pl.DataFrame, resolutions: pl.DataFrame,
                 metadata_hash: str) -> TokenStates:
    """The fold over frames: InstrumentRecord, TickSizeChange and MarketResolution frames in,
    TokenState and QuarantineRecord frames out (see :func:`fold`)."""
    rows, flagged = fold(list(from_frame("InstrumentRecord", instruments)),
                         list(from_frame("TickSizeChange", tick_changes)),
                         list(from_frame("MarketResolution", resolutions)), metadata_hash)
    return TokenStates(frame_of("TokenState", rows), frame_of("QuarantineRecord", flagged))


def metadata_hash(day_dir: Path) -> str:
    """Provenance hash of a fixture day's market metadata (``markets.json``, the S1 input): the
    provenance of the TokenState rows its records set."""
    return provenance_hash((day_dir / MARKETS_FILE).read_text())
