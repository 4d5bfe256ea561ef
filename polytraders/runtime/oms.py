"""S8, the OMS: approved intents -> ExecutionPlans (exec.order_shaper) -> the mock venue.

Only intents that left S7 with APPROVE or REDUCE arrive here. Each PLACE is shaped for the
venue (tick grid, size precision, micro-unit amounts); a shaping refusal is recorded with its
reason code and nothing is sent. A plan without a builder code is never sent either
(EXEC_NO_BUILDER_CODE: every order carries its builder attribution, or it fails closed).
Plans rest on the mock venue (cancel-replace per quote key);
CANCELs withdraw the plan of the intent they name. The session then runs to the end of the day
so every order ends filled, cancelled at resolution, or still resting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from polytraders.adapters.mock_venue import BookTape, VenueOrder
from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import ExecutionPlan, InstrumentRecord, MarketResolution, OrderIntent
from polytraders.runtime.session import SessionLog, VenueSession

Shaper = Callable[[OrderIntent, Decimal, InstrumentRecord, BotConfig], ExecutionPlan | Rejection]


@dataclass(slots=True)
class OmsResult:
    """Plans sent, shaping refusals (intent, rejection), and the venue's order events and fills."""

    plans: list[ExecutionPlan] = field(default_factory=list)
    refused: list[tuple[OrderIntent, Rejection]] = field(default_factory=list)
    log: SessionLog = field(default_factory=SessionLog)


def run_oms(
    approved: Sequence[OrderIntent],
    instruments: dict[str, InstrumentRecord],
    tape: BookTape,
    resolutions: Sequence[MarketResolution],
    shape: Shaper,
    shaper_config: BotConfig,
    end_ts_ms: int,
) -> OmsResult:
    """Shape and send ``approved`` intents in time order; advance the venue to ``end_ts_ms``.

    ``instruments`` maps condition id -> InstrumentRecord; an intent whose market is unknown is
    refused with EXEC_UNKNOWN_INSTRUMENT.
    """
    session = VenueSession(tape, resolutions)
    result = OmsResult(log=session.log)
    plan_of_intent: dict[str, str] = {}
    for intent in sorted(approved, key=lambda i: (i.ts_ms, i.intent_id)):
        session.advance(intent.ts_ms)
        if intent.kind == "CANCEL":
            plan_id = plan_of_intent.get(str(intent.cancels_intent_id))
            if plan_id is not None:
                session.cancel(plan_id, intent.ts_ms)
            continue
        instrument = instruments.get(intent.condition_id)
        if instrument is None:
            result.refused.append((intent, Rejection("EXEC_UNKNOWN_INSTRUMENT", {"condition_id": intent.condition_id})))
            continue
        shaped = shape(intent, intent.size, instrument, shaper_config)
        if isinstance(shaped, Rejection):
            result.refused.append((intent, shaped))
            continue
        if not shaped.builder_code:
            result.refused.append((intent, Rejection("EXEC_NO_BUILDER_CODE", {"plan_id": shaped.plan_id})))
            continue
        result.plans.append(shaped)
        plan_of_intent[intent.intent_id] = shaped.plan_id
        session.place(intent.strategy, VenueOrder(
            order_id=shaped.plan_id, intent_id=intent.intent_id, condition_id=shaped.condition_id,
            token_id=shaped.token_id, side=shaped.side, price=shaped.price, size=shaped.size,
            placed_ts_ms=shaped.ts_ms, order_type=shaped.order_type,
        ))
    session.advance(end_ts_ms)
    return result
