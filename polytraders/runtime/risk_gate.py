"""S7, the only trading gate: the risk bots in declared order over each OrderIntent.

For each intent, in time order:

1. the venue session advances to the intent's time (fills, settlements), so the context is what
   was known then (positions, resting orders, equity, the latest book);
2. each risk bot votes in the declared order; REDUCE lowers the size and the next bot sees the
   reduced intent; the first REJECT stops the evaluation (later bots do not run);
3. a bot that raises, or returns anything but a RiskVote for this intent whose size fits its
   decision (APPROVE = the requested size, REDUCE strictly between 0 and it, REJECT = 0), counts
   as REJECT with RISK_BOT_FAILED (fail closed);
4. an intent that ends APPROVE or REDUCE goes into the session as a resting order, so the next
   intents see its exposure and, once it fills, its position.

CANCEL intents always pass (they only remove risk) and are not shown to the bots.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from polytraders.adapters.mock_venue import BookTape, VenueOrder
from polytraders.bots.base import BotConfig
from polytraders.bots.risk.context import FeedState, RiskContext
from polytraders.contracts import InstrumentRecord, MarketResolution, OrderIntent, RiskVote, TokenState
from polytraders.contracts.types import Decision
from polytraders.runtime.session import VenueSession

RiskEvaluate = Callable[[OrderIntent, RiskContext, BotConfig], RiskVote]


@dataclass(frozen=True, slots=True)
class RiskStep:
    """One bot of the declared risk order."""

    slug: str
    evaluate: RiskEvaluate
    config: BotConfig


@dataclass(slots=True)
class GateResult:
    """Votes per bot, the final verdict per intent, what passed, and time spent per bot (ns)."""

    votes: dict[str, list[RiskVote]]
    approved: list[OrderIntent] = field(default_factory=list)
    final: list[tuple[OrderIntent, Decision, Decimal, str | None, tuple[str, ...]]] = field(default_factory=list)
    elapsed_ns: dict[str, int] = field(default_factory=dict)


def _vote(step: RiskStep, intent: OrderIntent, ctx: RiskContext) -> RiskVote:
    try:
        vote = step.evaluate(intent, ctx, step.config)
        if not isinstance(vote, RiskVote) or vote.intent_id != intent.intent_id or vote.bot != step.slug:
            raise TypeError(f"{step.slug} returned an invalid vote: {vote!r}")
        size_ok = {
            Decision.APPROVE: vote.approved_size == intent.size,
            Decision.REDUCE: 0 < vote.approved_size < intent.size,
            Decision.REJECT: vote.approved_size == 0,
        }[vote.decision]
        if not size_ok:
            raise ValueError(f"{step.slug}: {vote.decision} with size {vote.approved_size} of {intent.size}")
        return vote
    except Exception:  # noqa: BLE001 - fail closed on anything a bot does wrong
        return RiskVote(
            intent_id=intent.intent_id, bot=step.slug, ts_ms=ctx.ts_ms, decision=Decision.REJECT,
            reason_codes=("RISK_BOT_FAILED",), approved_size=Decimal(0),
        )


def _context(session: VenueSession, intent: OrderIntent, instrument: InstrumentRecord | None,
             peak_equity_usdc: Decimal, feed: FeedState | None, token_state: TokenState | None) -> RiskContext:
    replaced = session.live_order_id(intent.strategy, intent.token_id, intent.side)
    ledger = session.ledger
    equity = ledger.equity_usdc(session.mids(intent.ts_ms))
    return RiskContext(
        ts_ms=intent.ts_ms,
        instrument=instrument,
        book=session.tape.snapshot_at(intent.token_id, intent.ts_ms),
        market_exposure_usdc=ledger.exposure_usdc(intent.condition_id)
        + session.resting_buy_notional_usdc(intent.condition_id, excluding=replaced),
        total_exposure_usdc=ledger.exposure_usdc() + session.resting_buy_notional_usdc(excluding=replaced),
        equity_usdc=equity,
        peak_equity_usdc=max(peak_equity_usdc, equity),
        feed=feed,
        token_state=token_state,
    )


def run_gate(
    intents: Sequence[OrderIntent],
    steps: Sequence[RiskStep],
    instruments: dict[str, InstrumentRecord],
    tape: BookTape,
    resolutions: Sequence[MarketResolution],
    feed: Callable[[int], FeedState] | None = None,
    token_state: Callable[[str, int], TokenState | None] | None = None,
) -> GateResult:
    """Evaluate ``intents`` (any order; sorted by ts_ms, intent_id here) through ``steps``.

    ``instruments`` maps condition id -> InstrumentRecord; ``feed`` gives the market channel's
    feed state at a time (None: no feed information, the context's ``feed`` is None);
    ``token_state`` gives a token's registry state at a time (None: the context's ``token_state``
    is None). Returns a :class:`GateResult`.
    """
    session = VenueSession(tape, resolutions)
    result = GateResult(votes={s.slug: [] for s in steps}, elapsed_ns={s.slug: 0 for s in steps})
    peak = Decimal(0)
    for intent in sorted(intents, key=lambda i: (i.ts_ms, i.intent_id)):
        session.advance(intent.ts_ms)
        if intent.kind == "CANCEL":
            session.cancel(str(intent.cancels_intent_id), intent.ts_ms)
            result.approved.append(intent)
            result.final.append((intent, Decision.APPROVE, intent.size, None, ()))
            continue
        ctx = _context(session, intent, instruments.get(intent.condition_id), peak,
                       feed(intent.ts_ms) if feed is not None else None,
                       token_state(intent.token_id, intent.ts_ms) if token_state is not None else None)
        peak = ctx.peak_equity_usdc
        current, decision, decided_by, reasons = intent, Decision.APPROVE, None, ()
        for step in steps:
            started = time.perf_counter_ns()
            vote = _vote(step, current, ctx)
            result.elapsed_ns[step.slug] += time.perf_counter_ns() - started
            result.votes[step.slug].append(vote)
            if vote.decision is Decision.REJECT:
                decision, decided_by, reasons = Decision.REJECT, step.slug, vote.reason_codes
                break
            if vote.decision is Decision.REDUCE:
                decision, decided_by, reasons = Decision.REDUCE, step.slug, reasons + vote.reason_codes
                current = current.model_copy(update={"size": vote.approved_size})
        approved_size = Decimal(0) if decision is Decision.REJECT else current.size
        result.final.append((intent, decision, approved_size, decided_by, reasons))
        if decision is Decision.REJECT:
            continue
        result.approved.append(current)
        session.place(intent.strategy, VenueOrder(
            order_id=intent.intent_id, intent_id=intent.intent_id, condition_id=intent.condition_id,
            token_id=intent.token_id, side=intent.side, price=intent.price, size=current.size,
            placed_ts_ms=intent.ts_ms, order_type=intent.order_type,
        ))
    return result
