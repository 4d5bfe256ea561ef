"""Fixtures of the contract tests: hand-set, valid instances of every wire object.

Builders (``make_book``, ``make_instrument``, ``make_intent``) take field overrides; ``samples``
maps every wire object name to one or more valid instances."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from polytraders.contracts import (
    WIRE_MODELS,
    Alert,
    AuditRecord,
    BookLevel,
    BuilderAttribution,
    Candidate,
    DataQualityFinding,
    ExecutionEstimate,
    ExecutionPlan,
    FairValue,
    FeedHealth,
    FeeParams,
    Fill,
    Freshness,
    GuardVerdict,
    Heartbeat,
    InstrumentRecord,
    InstrumentToken,
    KeepAlive,
    MarketResolution,
    MarketSnapshot,
    OrderBookSnapshot,
    OrderEvent,
    OrderIntent,
    OrderRefusal,
    PnlRecord,
    Position,
    QuarantineRecord,
    ReportEnvelope,
    RewardsParams,
    RiskDecision,
    RiskVote,
    RunMetric,
    Signal,
    SignedOrderRequest,
    SlaFigure,
    TickSizeChange,
    TokenState,
    TradePrint,
    WireModel,
)

CONDITION = "0x" + "3f" * 32
TOKEN_YES = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
TOKEN_NO = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
HASH = "ab" * 32
TS = 1_727_500_000_000
D = Decimal


def freshness(quality: str = "OK", venue_hash: str | None = "0xbeef") -> Freshness:
    return Freshness(
        source_ts_ms=TS,
        receive_ts_ms=TS + 120,
        age_ms=120,
        budget_ms=5_000,
        quality=quality,
        provenance_hash=HASH,
        venue_hash=venue_hash,
    )


def book(**overrides: object) -> OrderBookSnapshot:
    fields: dict[str, object] = {
        "condition_id": CONDITION,
        "token_id": TOKEN_YES,
        "ts_ms": TS,
        "tick_size": D("0.001"),
        "bids": (BookLevel(price=D("0.964"), size=D("120.5")), BookLevel(price=D("0.95"), size=D("10"))),
        "asks": (BookLevel(price=D("0.965"), size=D("33.000001")), BookLevel(price=D("0.99"), size=D("1"))),
        "freshness": freshness(),
    }
    return OrderBookSnapshot(**{**fields, **overrides})


def instrument(**overrides: object) -> InstrumentRecord:
    fields: dict[str, object] = {
        "condition_id": CONDITION,
        "question": "Will it rain in Lisbon on 2026-10-01?",
        "slug": "rain-lisbon-2026-10-01",
        "category": "Weather",
        "tokens": (
            InstrumentToken(token_id=TOKEN_YES, outcome="Yes"),
            InstrumentToken(token_id=TOKEN_NO, outcome="No"),
        ),
        "tick_size": D("0.01"),
        "min_order_size": D("5"),
        "neg_risk": False,
        "neg_risk_market_id": None,
        "start_ts_ms": TS - 86_400_000,
        "end_ts_ms": TS + 86_400_000,
        "active": True,
        "closed": False,
        "accepting_orders": True,
        "rewards": RewardsParams(min_size=D("50"), max_spread_cents=D("3.5")),
        "fees": FeeParams(fees_enabled=True, taker_fee_rate=D("0.02"), maker_fee_rate=D("0"), exponent=1),
        "as_of_ms": TS,
    }
    return InstrumentRecord(**{**fields, **overrides})


def intent(**overrides: object) -> OrderIntent:
    fields: dict[str, object] = {
        "intent_id": "i-1",
        "strategy": "strat.passive_mm",
        "condition_id": CONDITION,
        "token_id": TOKEN_YES,
        "ts_ms": TS,
        "side": "BUY",
        "price": D("0.42"),
        "size": D("10"),
    }
    return OrderIntent(**{**fields, **overrides})


def envelope(**overrides: object) -> ReportEnvelope:
    fields: dict[str, object] = {
        "envelope_id": "0123456789abcdef" * 2,
        "bot": "risk.stale_book",
        "bot_version": "1.0.0",
        "config_version": "0123456789abcdef",
        "run_id": "run-2026-09-28",
        "partition": "2026-09-28",
        "sequence": 7,
        "causation_ids": ("fedcba9876543210" * 2,),
        "ts_ms": TS,
        "payload_type": "RiskVote",
        "payload": {"decision": "REJECT", "approved_size": "0", "nested": {"list": [1, 2.5, None, True]}},
        "reason_codes": ("RISK_STALE_BOOK",),
    }
    return ReportEnvelope(**{**fields, **overrides})


def all_samples() -> dict[str, list[WireModel]]:
    """Wire object name -> valid instances (the nested / optional-heavy ones several times)."""
    samples: dict[str, list[WireModel]] = {
        "InstrumentRecord": [
            instrument(),
            instrument(rewards=None, fees=None, category=None, start_ts_ms=None, end_ts_ms=None),
            instrument(neg_risk=True, neg_risk_market_id="0x" + "11" * 32, tick_size=D("0.0001")),
        ],
        "OrderBookSnapshot": [
            book(),
            book(bids=(), asks=(BookLevel(price=D("0.5"), size=D("0")),), freshness=freshness("WARN", None)),
            book(bids=(), asks=()),
        ],
        "MarketSnapshot": [
            MarketSnapshot(
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                tick_size=D("0.01"),
                best_bid=D("0.41"),
                best_ask=D("0.43"),
                mid=D("0.42"),
                spread_ticks=2,
                freshness=freshness(),
            ),
            MarketSnapshot(
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                tick_size=D("0.01"),
                best_bid=None,
                best_ask=D("0.43"),
                mid=None,
                spread_ticks=None,
                freshness=freshness("HARD"),
            ),
        ],
        "Freshness": [freshness(), freshness("FAIL", None)],
        "TradePrint": [
            TradePrint(
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                price=D("0.5"),
                size=D("12.25"),
                side="SELL",
                fee_rate_bps=0,
                provenance_hash=HASH,
            )
        ],
        "TickSizeChange": [
            TickSizeChange(
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                old_tick_size=D("0.01"),
                new_tick_size=D("0.001"),
                provenance_hash=HASH,
            )
        ],
        "MarketResolution": [
            MarketResolution(
                condition_id=CONDITION,
                ts_ms=TS,
                token_ids=(TOKEN_YES, TOKEN_NO),
                winning_token_id=TOKEN_NO,
                winning_outcome="No",
                provenance_hash=HASH,
            )
        ],
        "KeepAlive": [KeepAlive(channel="market", receive_ts_ms=TS, kind="PONG")],
        "TokenState": [
            TokenState(condition_id=CONDITION, token_id=TOKEN_YES, as_of_ms=TS, tick_size=D("0.001"), status="ACTIVE",
                       active=True, accepting_orders=True, source="tick_size_change", provenance_hash=HASH),
            TokenState(condition_id=CONDITION, token_id=TOKEN_NO, as_of_ms=TS, tick_size=D("0.01"), status="RESOLVED",
                       active=True, accepting_orders=False, source="market_resolved", provenance_hash=HASH),
        ],
        "FeedHealth": [
            FeedHealth(channel="market", window_start_ms=TS, window_ms=60_000, data_frames=42, keepalive_frames=2,
                       quarantined_frames=1, last_data_receive_ts_ms=TS + 59_000, longest_data_gap_ms=3_500,
                       liveness_budget_ms=120_000, live=True),
            FeedHealth(channel="user", window_start_ms=TS, window_ms=60_000, data_frames=0, keepalive_frames=6,
                       quarantined_frames=0, last_data_receive_ts_ms=None, longest_data_gap_ms=130_000,
                       liveness_budget_ms=120_000, live=False),
        ],
        "Signal": [
            Signal(
                bot="intel.microprice",
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                name="microprice",
                value=0.4213,
                unit="probability",
            )
        ],
        "Candidate": [
            Candidate(
                bot="disc.universe_scanner",
                condition_id=CONDITION,
                ts_ms=TS,
                rank=1,
                score=0.75,
                reason_codes=("DISC_UNIVERSE_ADMITTED",),
            )
        ],
        "FairValue": [
            FairValue(
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                fair_value=D("1"),
                source="intel.microprice",
            )
        ],
        "ExecutionEstimate": [
            ExecutionEstimate(
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                side="BUY",
                price=D("0.42"),
                size=D("10"),
                fee_usdc=D("-0.048720"),
                slippage_ticks=0,
            )
        ],
        "OrderIntent": [intent(), intent(intent_id="i-2", kind="CANCEL", cancels_intent_id="i-1")],
        "RiskVote": [
            RiskVote(intent_id="i-1", bot="risk.exposure", ts_ms=TS, decision="APPROVE", approved_size=D("10")),
            RiskVote(
                intent_id="i-1",
                bot="risk.stale_book",
                ts_ms=TS,
                decision="REJECT",
                reason_codes=("RISK_STALE_BOOK", "RISK_EXPOSURE"),
                approved_size=D("0"),
            ),
        ],
        "RiskDecision": [
            RiskDecision(intent_id="i-1", ts_ms=TS, decision="APPROVE", approved_size=D("10")),
            RiskDecision(intent_id="i-2", ts_ms=TS, decision="REDUCE", approved_size=D("6.5"),
                         decided_by="risk.exposure_caps", reason_codes=("RISK_MARKET_QUALITY", "RISK_EXPOSURE")),
            RiskDecision(intent_id="i-3", ts_ms=TS, decision="REJECT", approved_size=D("0"), decided_by="risk.drawdown",
                         reason_codes=("RISK_DRAWDOWN",), not_evaluated=("risk.exposure_caps",)),
        ],
        "GuardVerdict": [
            GuardVerdict(plan_id="p-1", intent_id="i-1", bot="sec.allowance_checker", ts_ms=TS, passed=True),
            GuardVerdict(plan_id="p-2", intent_id="i-2", bot="sec.wallet_permission_guard", ts_ms=TS, passed=False,
                         reason_codes=("SEC_NOT_ALLOW_LISTED",), detail="token not on the allow-list"),
        ],
        "OrderRefusal": [
            OrderRefusal(intent_id="i-1", bot="sec.wallet_permission_guard", ts_ms=TS,
                         reason_codes=("SEC_NOT_ALLOW_LISTED",), detail="token not on the allow-list"),
            OrderRefusal(intent_id="i-2", plan_id="p-2", bot="exec.lifecycle_manager", ts_ms=TS,
                         reason_codes=("EXEC_VENUE_BALANCE_ALLOWANCE",),
                         detail="not enough balance / allowance"),
        ],
        "ExecutionPlan": [
            ExecutionPlan(
                plan_id="p-1",
                intent_id="i-1",
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                side="BUY",
                price=D("0.42"),
                size=D("10"),
                tick_size=D("0.01"),
                neg_risk=False,
                order_type="GTC",
                post_only=True,
                maker_amount=4_200_000,
                taker_amount=10_000_000,
            )
        ],
        "SignedOrderRequest": [
            SignedOrderRequest(
                plan_id="p-1",
                order_hash="0x" + "cd" * 32,
                salt="123456789",
                maker="0x" + "12" * 20,
                signer="0x" + "12" * 20,
                token_id=TOKEN_YES,
                maker_amount=4_200_000,
                taker_amount=10_000_000,
                side="BUY",
                signature_type=0,
                timestamp_ms=TS,
                metadata="",
                builder="",
                signature="0x" + "ef" * 65,
                exchange="0x" + "4b" * 20,
                chain_id=137,
                order_type="GTC",
            )
        ],
        "OrderEvent": [
            OrderEvent(
                order_id="o-1",
                intent_id="i-1",
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                event_type="UPDATE",
                status="LIVE",
                side="BUY",
                price=D("0.42"),
                original_size=D("10"),
                size_matched=D("2.5"),
                order_type="GTC",
            )
        ],
        "Fill": [
            Fill(
                fill_id="f-1",
                order_id="o-1",
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                side="BUY",
                price=D("0.42"),
                size=D("2.5"),
                liquidity="MAKER",
                fee_usdc=D("0"),
                trade_status="CONFIRMED",
            )
        ],
        "Position": [
            Position(
                condition_id=CONDITION,
                token_id=TOKEN_YES,
                ts_ms=TS,
                size=D("-2.5"),
                avg_price=D("0.42"),
                mark_price=None,
                realised_pnl_usdc=D("0"),
                unrealised_pnl_usdc=D("-0.125"),
                settled=False,
            )
        ],
        "ReportEnvelope": [envelope(), envelope(payload={}, causation_ids=(), reason_codes=())],
        "QuarantineRecord": [
            QuarantineRecord(
                source="market",
                receive_ts_ms=None,
                reason_code="GOV_DQ_MALFORMED_JSON",
                detail="truncated at byte 17",
                raw='{"event_type": "bo',
                provenance_hash=HASH,
            )
        ],
        "DataQualityFinding": [
            DataQualityFinding(
                bot="gov.data_quality_monitor", condition_id=CONDITION, token_id=TOKEN_YES, ts_ms=TS,
                reason_code="GOV_DQ_STALE_BOOK", severity="WARN", detail="age 2500 ms > budget 2000 ms",
                observed=D("2500"), budget=D("2000"), unit="ms", provenance_hash=HASH,
            ),
            DataQualityFinding(
                bot="gov.data_quality_monitor", condition_id=CONDITION, token_id=None, ts_ms=TS,
                reason_code="GOV_DQ_SEQUENCE_GAP", severity="WARN", detail="book time back by 40 ms",
                observed=D("-40"), budget=D("0"), unit="ms", provenance_hash=HASH,
            ),
        ],
        "RunMetric": [
            RunMetric(partition="2026-09-28", run_id="run-1", stage="S7", metric="rejections", key="RISK_STALE_BOOK",
                      value=3.0)
        ],
        "AuditRecord": [
            AuditRecord(
                intent_id="i-1", intent_envelope_id="0123456789abcdef" * 2, position=1, step="VOTE",
                envelope_id="fedcba9876543210" * 2, cause_envelope_id="0123456789abcdef" * 2,
                bot="risk.stale_book", ts_ms=TS, outcome="REJECT", reason_codes=("RISK_STALE_BOOK",),
            ),
            AuditRecord(
                intent_id=None, intent_envelope_id=None, position=None, step="FILL",
                envelope_id="fedcba9876543210" * 2, cause_envelope_id="00" * 16, bot="exec.order_shaper",
                ts_ms=TS, outcome="MATCHED", reason_codes=("GOV_AUDIT_BROKEN_CHAIN",),
            ),
        ],
        "Heartbeat": [
            Heartbeat(
                run_id="run-1", stage="S4", bot="intel.microprice", first_ts_ms=TS, last_ts_ms=TS + 1_000,
                ts_ms=TS + 61_001, envelope_count=2, silence_ms=60_001, alive=False,
                reason_codes=("GOV_HEARTBEAT_MISSED",),
            ),
            Heartbeat(
                run_id="run-1", stage=None, bot="gov.heartbeat", first_ts_ms=TS, last_ts_ms=TS, ts_ms=TS,
                envelope_count=1, silence_ms=0, alive=True, reason_codes=(),
            ),
        ],
        "BuilderAttribution": [
            BuilderAttribution(
                builder_code="polytraders", envelope_id=None, ts_ms=TS, order_count=2, notional_usdc=D("4.2"),
                fill_count=1, filled_size=D("2.5"), filled_notional_usdc=D("1.05"), fees_usdc=D("0"),
                reason_codes=(),
            ),
            BuilderAttribution(
                builder_code=None, envelope_id="0123456789abcdef" * 2, ts_ms=TS, order_count=1,
                notional_usdc=D("4.2"), fill_count=0, filled_size=D("0"), filled_notional_usdc=D("0"),
                fees_usdc=D("0"), reason_codes=("GOV_BUILDER_CODE_MISSING",),
            ),
        ],
        "SlaFigure": [
            SlaFigure(metric="s7_vote_lag_p95", key="", value=12.0, unit="ms", sample_count=20, ts_ms=TS),
            SlaFigure(metric="uptime", key=TOKEN_YES, value=0.75, unit="fraction", sample_count=3, ts_ms=TS),
        ],
        "PnlRecord": [
            PnlRecord(
                bot="strat.maker_tight", partition="2026-09-28", condition_id=CONDITION, ts_ms=TS, token_count=2,
                realised_pnl_usdc=D("1.5"), unrealised_pnl_usdc=D("-0.125"), settlement_pnl_usdc=D("1.5"),
                total_pnl_usdc=D("1.375"), reason_codes=(),
            ),
            PnlRecord(
                bot="strat.maker_tight", partition="2026-09-28", condition_id=None, ts_ms=TS, token_count=2,
                realised_pnl_usdc=D("0"), unrealised_pnl_usdc=D("0"), settlement_pnl_usdc=D("0"),
                total_pnl_usdc=D("0"), reason_codes=("GOV_PNL_UNMARKED",),
            ),
        ],
        "Alert": [
            Alert(
                envelope_id="0123456789abcdef" * 2, bot="risk.killswitch", ts_ms=TS, payload_type="RiskVote",
                severity="CRITICAL", reason_codes=("RISK_KILL_SWITCH",),
                summary="CRITICAL risk.killswitch RiskVote: RISK_KILL_SWITCH", sinks=("file", "webhook"),
            )
        ],
    }
    return samples


@pytest.fixture(scope="session")
def samples() -> dict[str, list[WireModel]]:
    """Wire object name -> valid hand-set instances; covers every entry of WIRE_MODELS."""
    found = all_samples()
    assert set(found) == set(WIRE_MODELS), "add a sample for every wire object"
    return found


@pytest.fixture
def make_book() -> Callable[..., OrderBookSnapshot]:
    """A valid OrderBookSnapshot (0.001 tick, best bid 0.964, best ask 0.965) with overrides."""
    return book


@pytest.fixture
def make_instrument() -> Callable[..., InstrumentRecord]:
    """A valid two-token InstrumentRecord with rewards and fees, with overrides."""
    return instrument


@pytest.fixture
def make_intent() -> Callable[..., OrderIntent]:
    """A valid PLACE OrderIntent (BUY 10 @ 0.42), with overrides."""
    return intent
