"""S7-S9 over frames: the risk gate, the OMS and the inventory, for one day.

Thin frame adapters around the sequential folds in :mod:`risk_gate`, :mod:`oms` and
:mod:`inventory`: they turn frames into contract objects, run the fold, and turn the results
back into frames of their wire objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from polytraders.adapters.mock_venue import MICRO, BookTape
from polytraders.adapters.polymarket.rejections import BreakerCause
from polytraders.contracts import Fill, MarketResolution
from polytraders.contracts.frames import from_frame
from polytraders.runtime.inventory import Ledger
from polytraders.runtime.oms import Rails, run_oms
from polytraders.runtime.profile import Profile
from polytraders.runtime.risk_context import MarketInputs
from polytraders.runtime.risk_gate import GateResult, run_gate
from polytraders.runtime.stages import frame_of, instruments_by_condition, resolutions_of


def risk_gate(intents: pl.DataFrame, inputs: MarketInputs, profile: Profile) -> GateResult:
    """S7: run the profile's declared risk order over the OrderIntent frame ``intents`` on the
    recorded day ``inputs`` (see :mod:`polytraders.runtime.risk_gate`)."""
    return run_gate(intents, inputs, profile.risk_steps())


@dataclass(frozen=True, slots=True)
class OmsFrames:
    """S8 output: ExecutionPlan, SignedOrderRequest, OrderRefusal, GuardVerdict, OrderEvent and Fill
    frames, the QuarantineRecords of venue messages the lifecycle refused, the rejection breaker's
    cause (None when it held) and the seconds spent signing."""

    plans: pl.DataFrame
    signed: pl.DataFrame
    refusals: pl.DataFrame
    verdicts: pl.DataFrame
    order_events: pl.DataFrame
    fills: pl.DataFrame
    anomalies: pl.DataFrame
    breaker: BreakerCause | None
    signing_s: float


def oms(approved: pl.DataFrame, instruments: pl.DataFrame, market_snapshots: pl.DataFrame,
        resolutions: pl.DataFrame, rails: Rails) -> OmsFrames:
    """S8: route, shape, guard, sign and submit approved intents on the mock CLOB
    (:func:`polytraders.runtime.oms.run_oms`)."""
    end_ts_ms = int(market_snapshots["ts_ms"].max() or 0)
    result = run_oms(
        list(from_frame("OrderIntent", approved)), instruments_by_condition(instruments),
        BookTape(market_snapshots), resolutions_of(resolutions), rails, end_ts_ms,
    )
    return OmsFrames(
        plans=frame_of("ExecutionPlan", result.plans),
        signed=frame_of("SignedOrderRequest", result.signed),
        refusals=frame_of("OrderRefusal", result.refusals),
        verdicts=frame_of("GuardVerdict", result.verdicts),
        order_events=frame_of("OrderEvent", result.order_events),
        fills=frame_of("Fill", result.fills),
        anomalies=frame_of("QuarantineRecord", result.anomalies),
        breaker=result.breaker,
        signing_s=result.signing_s,
    )


def positions(fills: pl.DataFrame, resolutions: pl.DataFrame, market_snapshots: pl.DataFrame) -> pl.DataFrame:
    """S9: Position frame: a row per token after each fill and at settlement, marked to mid;
    tokens still open at the end of the day get a final row marked to the last mid."""
    tape = BookTape(market_snapshots)
    end_ts_ms = int(market_snapshots["ts_ms"].max() or 0)
    events: list[tuple[int, int, Fill | MarketResolution]] = [
        (f.ts_ms, 0, f) for f in from_frame("Fill", fills)
    ] + [(r.ts_ms, 1, r) for r in resolutions_of(resolutions)]
    ledger, rows = Ledger(), []

    def mark(token_id: str, ts_ms: int) -> Decimal | None:
        mid = tape.mid_micro_at(token_id, ts_ms)
        return None if mid is None else Decimal(mid) / MICRO

    for ts_ms, _, event in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(event, Fill):
            ledger.apply_fill(event)
            rows.append(ledger.position(event.token_id, ts_ms, mark(event.token_id, ts_ms)))
        else:
            for token_id in ledger.settle(event):
                payout = Decimal(1) if token_id == event.winning_token_id else Decimal(0)
                rows.append(ledger.position(token_id, ts_ms, payout))
    rows.extend(ledger.position(t, end_ts_ms, mark(t, end_ts_ms)) for t in ledger.open_token_ids())
    return frame_of("Position", rows)


def last_positions(positions_frame: pl.DataFrame) -> pl.DataFrame:
    """The last Position row of each token (rows keep their order on equal ``ts_ms``, so a
    settlement at the time of a fill stays last, as :func:`positions` writes it)."""
    return positions_frame.sort("ts_ms", maintain_order=True).group_by("token_id", maintain_order=True).last()
