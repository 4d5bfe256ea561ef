"""P4 evidence: the risk bots run on fixture data and on the recorded intents.

Two probes:

* :func:`fixture_case` builds one valid PLACE intent and its RiskContext from a fixture day —
  the day's first instrument with a two-sided book among the first capture lines, a BUY at the
  best bid for the instrument's minimum size, at the book's time, with an empty portfolio — and
  :func:`vote_problems` checks a bot's vote on it (a RiskVote for that intent, by that bot, whose
  size fits its decision, valid against the published RiskVote schema).
* :func:`enforcement` re-runs one risk bot with a denying config over recorded PLACE intents and
  counts those it did not reject with the expected reason code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import (
    InstrumentRecord,
    MarketSnapshot,
    OrderBookSnapshot,
    OrderIntent,
    RiskVote,
)
from polytraders.contracts.schemas import SCHEMAS_DIR, validate_payload
from polytraders.contracts.types import Decision, Side

_SCAN_LINES = 2_000
_ZERO = Decimal(0)


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


def context(ts_ms: int, instrument: InstrumentRecord | None, book: MarketSnapshot | None = None) -> RiskContext:
    """A RiskContext at ``ts_ms`` with an empty portfolio (no exposure, zero equity)."""
    return RiskContext(ts_ms=ts_ms, instrument=instrument, book=book, market_exposure_usdc=_ZERO,
                       total_exposure_usdc=_ZERO, equity_usdc=_ZERO, peak_equity_usdc=_ZERO)


@dataclass(frozen=True, slots=True)
class FixtureCase:
    """A valid intent and its context, and where they came from."""

    intent: OrderIntent
    ctx: RiskContext
    source: str


def _top(book: OrderBookSnapshot) -> MarketSnapshot:
    bid, ask = book.bids[0].price, book.asks[0].price
    return MarketSnapshot(
        condition_id=book.condition_id, token_id=book.token_id, ts_ms=book.ts_ms, tick_size=book.tick_size,
        best_bid=bid, best_ask=ask, mid=(bid + ask) / 2, spread_ticks=int((ask - bid) / book.tick_size),
        freshness=book.freshness,
    )


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
            intent = OrderIntent(
                intent_id=f"gate-probe-{book.token_id[:12]}-{book.ts_ms}", strategy="strat.maker_tight",
                condition_id=book.condition_id, token_id=book.token_id, ts_ms=book.ts_ms, side=Side.BUY,
                price=book.bids[0].price, size=max(instrument.min_order_size, Decimal(5)),
            )
            return FixtureCase(intent, context(book.ts_ms, instrument, _top(book)),
                               f"{day_dir.name}/{path.name}:{line.line_no}")
    return None


RiskEvaluate = Callable[[OrderIntent, RiskContext, BotConfig], RiskVote]


def vote_problems(slug: str, evaluate: RiskEvaluate, config: BotConfig, intent: OrderIntent,
                  ctx: RiskContext, schema_dir: Path = SCHEMAS_DIR) -> list[str]:
    """Why ``slug``'s vote on ``intent`` is not a valid RiskVote (empty when it is)."""
    try:
        vote = evaluate(intent, ctx, config)
    except Exception as exc:  # noqa: BLE001 - a raising bot is a finding, not a crash of the report
        return [f"{slug}: raised {type(exc).__name__}: {exc}"]
    if not isinstance(vote, RiskVote):
        return [f"{slug}: returned {type(vote).__name__}, not a RiskVote"]
    problems = []
    if vote.intent_id != intent.intent_id or vote.bot != slug:
        problems.append(f"{slug}: vote names intent {vote.intent_id!r} / bot {vote.bot!r}")
    size_ok = {
        Decision.APPROVE: vote.approved_size == intent.size,
        Decision.REDUCE: 0 < vote.approved_size < intent.size,
        Decision.REJECT: vote.approved_size == 0,
    }[vote.decision]
    if not size_ok:
        problems.append(f"{slug}: {vote.decision} with approved_size {vote.approved_size} of {intent.size}")
    problems += [f"{slug}: RiskVote schema: {p}" for p in validate_payload("RiskVote", vote.model_dump(mode="json"),
                                                                          schema_dir)]
    return problems


@dataclass(frozen=True, slots=True)
class Enforcement:
    """Recorded PLACE intents a denying bot saw, and those it let through (intent ids)."""

    seen: int
    leaked: tuple[str, ...]


def enforcement(evaluate: RiskEvaluate, config: BotConfig, code: str,
                cases: Iterable[tuple[OrderIntent, RiskContext]]) -> Enforcement:
    """Run ``evaluate`` with ``config`` on each PLACE intent; a leak is any vote that is not a
    REJECT carrying ``code`` (a raise counts as a leak: the gate must see the bot deny)."""
    seen, leaked = 0, []
    for intent, ctx in cases:
        if intent.kind != "PLACE":
            continue
        seen += 1
        try:
            vote = evaluate(intent, ctx, config)
            denied = vote.decision is Decision.REJECT and code in vote.reason_codes
        except Exception:  # noqa: BLE001 - see the docstring
            denied = False
        if not denied:
            leaked.append(intent.intent_id)
    return Enforcement(seen, tuple(leaked))
