"""P4 evidence: the risk bots run on fixture data and on the recorded intents.

Two probes:

* :func:`fixture_case` builds one valid PLACE intent frame and its histories from a fixture day —
  the day's first instrument with a two-sided book among the first capture lines, a BUY at the
  best bid for the instrument's minimum size, at the book's time, with an empty portfolio, a live
  feed and a healthy mock venue — and :func:`vote_problems` checks a bot's votes on it (a
  VOTE_SCHEMA frame, one row per intent, each size fitting its decision, each a RiskVote valid
  against the published schema).
* :func:`enforcement` re-runs the declared risk order with one bot's denying config over recorded
  PLACE intents and lists those that bot did not reject with the expected reason code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl

from polytraders.bots.risk.context import RISK_FRAME_SCHEMA, RiskContext
from polytraders.contracts import (
    FairValue,
    FeedHealth,
    InstrumentRecord,
    MarketSnapshot,
    OrderBookSnapshot,
    OrderIntent,
)
from polytraders.contracts.frames import empty_frame, to_frame
from polytraders.contracts.schemas import SCHEMAS_DIR, validate_payload
from polytraders.contracts.types import Side
from polytraders.runtime.feed import RECEIPT_SCHEMA
from polytraders.runtime.risk_context import PORTFOLIO_COLUMNS, MarketInputs, keepalives, market_columns
from polytraders.runtime.risk_pipeline import RiskStep, run_pipeline

_SCAN_LINES = 2_000
_MINUTE_MS = 60_000


def day_instruments(day_dir: Path) -> dict[str, InstrumentRecord]:
    """The fixture day's instruments by condition id (empty when it has no markets.json)."""
    from polytraders.adapters.polymarket import normalise_markets_page
    from polytraders.runtime.stages import MARKETS_FILE

    path = day_dir / MARKETS_FILE
    if not path.is_file():
        return {}
    day_start = int(datetime.strptime(day_dir.name, "%Y-%m-%d").replace(tzinfo=UTC).timestamp() * 1000)
    items = normalise_markets_page(path.read_text(encoding="utf-8"), day_start)
    return {obj.condition_id: obj for obj in items if isinstance(obj, InstrumentRecord)}


def empty_portfolio(frame: pl.DataFrame) -> pl.DataFrame:
    """Market-column rows with the portfolio columns of an empty book: no position, no exposure,
    flat equity and group PnL (USDC 0)."""
    return frame.with_columns(pl.lit(0).cast(RISK_FRAME_SCHEMA[c]).alias(c) for c in PORTFOLIO_COLUMNS).select(
        RISK_FRAME_SCHEMA.names())


@dataclass(frozen=True, slots=True)
class FixtureCase:
    """A valid intent row (RISK_FRAME_SCHEMA), its histories, the market inputs it was built from
    (instrument, top of book, book), and where they came from."""

    frame: pl.DataFrame
    ctx: RiskContext
    source: str
    inputs: MarketInputs


def _top(book: OrderBookSnapshot) -> MarketSnapshot:
    bid, ask = book.bids[0].price, book.asks[0].price
    return MarketSnapshot(
        condition_id=book.condition_id, token_id=book.token_id, ts_ms=book.ts_ms, tick_size=book.tick_size,
        best_bid=bid, best_ask=ask, mid=(bid + ask) / 2, spread_ticks=int((ask - bid) / book.tick_size),
        freshness=book.freshness,
    )


def _case(book: OrderBookSnapshot, instrument: InstrumentRecord, day_dir: Path, source: str) -> FixtureCase:
    from polytraders.runtime.registry import metadata_hash, token_states

    ts = book.ts_ms
    intent = OrderIntent(
        intent_id=f"gate-probe-{book.token_id[:12]}-{ts}", strategy="strat.maker_tight",
        condition_id=book.condition_id, token_id=book.token_id, ts_ms=ts, side=Side.BUY,
        price=book.bids[0].price, size=max(instrument.min_order_size, Decimal(5)),
    )
    instruments = to_frame("InstrumentRecord", [instrument])
    top = _top(book)
    inputs = MarketInputs(
        instruments=instruments, market_snapshots=to_frame("MarketSnapshot", [top]),
        token_states=token_states(instruments, empty_frame("TickSizeChange"), empty_frame("MarketResolution"),
                                  metadata_hash(day_dir)).states,
        book_state=to_frame("OrderBookSnapshot", [book]),
        feed_receipts=pl.DataFrame({"channel": ["market"], "receive_ts_ms": [book.freshness.receive_ts_ms]},
                                   schema=RECEIPT_SCHEMA),
        fair_values=to_frame("FairValue", [FairValue(condition_id=book.condition_id, token_id=book.token_id,
                                                     ts_ms=ts, fair_value=top.mid, source="intel.microprice")]),
    )
    window = ts // _MINUTE_MS * _MINUTE_MS - _MINUTE_MS
    health = FeedHealth(channel="market", window_start_ms=window, window_ms=_MINUTE_MS, data_frames=1,
                        keepalive_frames=0, quarantined_frames=0, last_data_receive_ts_ms=None,
                        longest_data_gap_ms=0, liveness_budget_ms=inputs.budgets.feed_liveness_ms, live=True)
    ctx = RiskContext(venue_events=keepalives(ts - _MINUTE_MS, ts), feed_health=to_frame("FeedHealth", [health]))
    frame = empty_portfolio(market_columns(to_frame("OrderIntent", [intent]), inputs))
    return FixtureCase(frame, ctx, source, inputs)


def fixture_case(day_dir: Path) -> FixtureCase | None:
    """The valid intent of the module docstring from ``day_dir``; None when none can be built."""
    from polytraders.adapters.capture import capture_path, iter_capture
    from polytraders.adapters.polymarket import normalise_market_frame

    instruments = day_instruments(day_dir)
    ticks = {token.token_id: rec.tick_size for rec in instruments.values() for token in rec.tokens}
    try:
        path = capture_path(day_dir)
    except (FileNotFoundError, ValueError):
        return None
    if not instruments:
        return None
    for n, line in enumerate(iter_capture(path, corrupt=[])):
        if n >= _SCAN_LINES:
            break
        for book in normalise_market_frame(line.frame, line.recv_ms, ticks):
            instrument = instruments.get(getattr(book, "condition_id", ""))
            if not isinstance(book, OrderBookSnapshot) or instrument is None or not (book.bids and book.asks):
                continue
            return _case(book, instrument, day_dir, f"{day_dir.name}/{path.name}:{line.line_no}")
    return None


def vote_problems(step: RiskStep, case: FixtureCase, schema_dir: Path = SCHEMAS_DIR) -> list[str]:
    """Why ``step``'s votes on the fixture case are not valid RiskVotes (empty when they are)."""
    slug, frame = step.slug, case.frame
    try:
        out = step.vote(frame, case.ctx, step.config)
    except Exception as exc:  # noqa: BLE001 - a raising bot is a finding, not a crash of the report
        return [f"{slug}: raised {type(exc).__name__}: {exc}"]
    if not isinstance(out, pl.DataFrame) or out.height != frame.height:
        return [f"{slug}: returned {type(out).__name__}, not a vote frame of {frame.height} row(s)"]
    problems = []
    for (intent_id, ts_ms, size), (decision, approved, code) in zip(
            frame.select("intent_id", "ts_ms", "size").iter_rows(), out.iter_rows(), strict=True):
        fits = {"APPROVE": approved == size, "REDUCE": approved is not None and 0 < approved < size,
                "REJECT": approved == 0}.get(decision, False)
        if not fits:
            problems.append(f"{slug}: {decision} with approved_size {approved} of {size}")
        payload = {"intent_id": intent_id, "bot": slug, "ts_ms": ts_ms, "decision": decision,
                   "reason_codes": [code] if code is not None else [], "approved_size": str(approved)}
        problems += [f"{slug}: RiskVote schema: {p}" for p in validate_payload("RiskVote", payload, schema_dir)]
    return problems


def enforcement(steps: list[RiskStep], slug: str, code: str, frame: pl.DataFrame) -> list[str]:
    """Run the declared order ``steps`` (``slug``'s step with its denying config) over ``frame``
    (recorded PLACE intents with their market columns and an empty portfolio); the intent ids
    ``slug`` did not reject with ``code`` (decided by another bot, or passed)."""
    decisions = run_pipeline(frame, RiskContext(), steps).decisions
    denied = (pl.col("decided_by") == slug) & pl.col("reason_codes").list.contains(code)
    return decisions.filter(~denied.fill_null(False))["intent_id"].to_list()
