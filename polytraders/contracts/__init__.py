"""Typed wire contracts (P1): frozen pydantic models, the reason-code registry, and the list
of wire objects that ``schemas/manifest.json`` publishes."""

from polytraders.contracts.base import WireModel
from polytraders.contracts.market import (
    BookLevel,
    FeeParams,
    Freshness,
    InstrumentRecord,
    InstrumentToken,
    KeepAlive,
    MarketResolution,
    MarketSnapshot,
    OrderBookSnapshot,
    RewardsParams,
    TickSizeChange,
    TradePrint,
)
from polytraders.contracts.reporting import QuarantineRecord, ReportEnvelope, RunMetric
from polytraders.contracts.trading import (
    Candidate,
    ExecutionEstimate,
    ExecutionPlan,
    FairValue,
    Fill,
    OrderEvent,
    OrderIntent,
    Position,
    RiskVote,
    Signal,
    SignedOrderRequest,
)

#: Every top-level wire object, by name: each has one JSON Schema in ``schemas/``.
WIRE_MODELS: dict[str, type[WireModel]] = {
    model.__name__: model
    for model in (
        InstrumentRecord,
        MarketSnapshot,
        OrderBookSnapshot,
        Freshness,
        TradePrint,
        TickSizeChange,
        MarketResolution,
        KeepAlive,
        Signal,
        Candidate,
        FairValue,
        ExecutionEstimate,
        OrderIntent,
        RiskVote,
        ExecutionPlan,
        SignedOrderRequest,
        OrderEvent,
        Fill,
        Position,
        ReportEnvelope,
        QuarantineRecord,
        RunMetric,
    )
}

__all__ = [
    "WIRE_MODELS",
    "BookLevel",
    "Candidate",
    "ExecutionEstimate",
    "ExecutionPlan",
    "FairValue",
    "FeeParams",
    "Fill",
    "Freshness",
    "InstrumentRecord",
    "InstrumentToken",
    "KeepAlive",
    "MarketResolution",
    "MarketSnapshot",
    "OrderBookSnapshot",
    "OrderEvent",
    "OrderIntent",
    "Position",
    "QuarantineRecord",
    "ReportEnvelope",
    "RewardsParams",
    "RiskVote",
    "RunMetric",
    "Signal",
    "SignedOrderRequest",
    "TickSizeChange",
    "TradePrint",
    "WireModel",
]
