"""runtime.monitoring: S11 run metrics (exact counts)."""

from __future__ import annotations

from decimal import Decimal as D

from polytraders.bots.exec import order_shaper
from polytraders.contracts import OrderRefusal, Position, QuarantineRecord, RiskDecision
from polytraders.contracts.frames import empty_frame, from_frame, to_frame, validate_frame
from polytraders.runtime.envelopes import RunInfo
from polytraders.runtime.monitoring import run_metrics
from polytraders.runtime.profile import SHADOW_BUILDER_CODE, Profile
from polytraders.runtime.wallet import load as load_wallet

RUN = RunInfo(run_id="run-1", partition="2026-09-28")
PROFILE = Profile(risk_order=("risk.killswitch", "risk.stale_book"))
KS, SB = "risk.killswitch", "risk.stale_book"


# --- S11 --------------------------------------------------------------------------------------


def _position(mk, token: str, dt: int, realised: str, unrealised: str, settled: bool = False) -> Position:
    cond = mk.COND_A if token.startswith("1") else mk.COND_B
    return Position(condition_id=cond, token_id=token, ts_ms=mk.T0 + dt, size=D(0 if settled else 4),
                    avg_price=D("0.25"), mark_price=None, realised_pnl_usdc=D(realised),
                    unrealised_pnl_usdc=D(unrealised), settled=settled)  # fmt: skip


def _quarantine(code: str, n: int) -> QuarantineRecord:
    return QuarantineRecord(source="capture", receive_ts_ms=None, reason_code=code, detail="x", raw=f"raw-{n}",
                            provenance_hash="ab" * 32)  # fmt: skip


def test_run_metrics_when_small_day_then_exact_counts(mk) -> None:
    # Intents: i1, i2, i3 PLACE + c1 CANCEL. Decisions: stale_book rejected i2, exposure_caps reduced i1
    # to 6 and rejected i3 → rejected 2 (one per reason and per bot), 1 reduction.
    # Approved: i1 (6 shares) and c1 → 1 PLACE. Fills: 6 @ 0.50 = 3.00 and 4 @ 0.25 = 1.00 → 4.00 USDC.
    # Positions (last row per token): "11" settled with realised 3.00; "21" open, unrealised 0.40.
    ex = "risk.exposure_caps"
    decisions = to_frame("RiskDecision", [
        RiskDecision(intent_id="i1", ts_ms=mk.T0, decision="REDUCE", approved_size=D(6), decided_by=ex,
                     reason_codes=("RISK_EXPOSURE",)),
        RiskDecision(intent_id="i2", ts_ms=mk.T0 + 1, decision="REJECT", approved_size=D(0), decided_by=SB,
                     reason_codes=("RISK_STALE_BOOK",), not_evaluated=(ex,)),
        RiskDecision(intent_id="i3", ts_ms=mk.T0 + 2, decision="REJECT", approved_size=D(0), decided_by=ex,
                     reason_codes=("RISK_EXPOSURE",)),
    ])  # fmt: skip
    i1 = mk.intent("i1", 0, size="6")
    intents = to_frame("OrderIntent", [mk.intent("i1", 0), mk.intent("i2", 1), mk.intent("i3", 2),
                                       mk.intent("c1", 3, cancels="i1")])  # fmt: skip
    approved = to_frame("OrderIntent", [i1, mk.intent("c1", 3, cancels="i1")])
    shaping = order_shaper.Config(builder_code=SHADOW_BUILDER_CODE)
    plans = to_frame("ExecutionPlan", [order_shaper.shape(i1, i1.size, mk.instrument(), shaping)])
    fills = to_frame(
        "Fill", [mk.fill("f1", 100, "11", "BUY", "0.50", "6"), mk.fill("f2", 150, "21", "BUY", "0.25", "4")]
    )
    positions = to_frame("Position", [
        _position(mk, "11", 100, "0", "0"), _position(mk, "21", 150, "0", "0"),
        _position(mk, "11", 200, "3.00", "0", settled=True), _position(mk, "21", 400, "0", "0.40"),
    ])  # fmt: skip
    quarantine = to_frame("QuarantineRecord", [_quarantine("GOV_DQ_MALFORMED_JSON", 1), _quarantine("GOV_DQ_BAD_ID", 2),
                                               _quarantine("GOV_DQ_MALFORMED_JSON", 3)])  # fmt: skip
    # S8: the one plan signed; three later intents refused: one by the wallet guard, one by the venue
    # (balance), one held back by the breaker that five balance rejections tripped.
    signer = load_wallet({}).signer
    signed = to_frame("SignedOrderRequest", [signer.sign(p) for p in from_frame("ExecutionPlan", plans)])
    cause = "breaker tripped by 5 x EXEC_VENUE_BALANCE_ALLOWANCE"
    refusals = to_frame("OrderRefusal", [
        OrderRefusal(intent_id="i4", bot="sec.wallet_permission_guard", ts_ms=mk.T0 + 5,
                     reason_codes=("SEC_NOT_ALLOW_LISTED",)),
        OrderRefusal(intent_id="i5", bot="exec.lifecycle_manager", ts_ms=mk.T0 + 6,
                     reason_codes=("EXEC_VENUE_BALANCE_ALLOWANCE",), detail="not enough balance / allowance"),
        OrderRefusal(intent_id="i6", bot="exec.batch_submitter", ts_ms=mk.T0 + 7,
                     reason_codes=("EXEC_REJECTION_BREAKER",), detail=cause),
    ])  # fmt: skip
    out = run_metrics("2026-09-28", "run-1", {("S3", "market_snapshots"): 7, ("S1", "instruments"): 2}, decisions,
                      intents, approved, plans, signed, refusals, fills, positions, quarantine,
                      schema_failures=0)  # fmt: skip
    validate_frame("RunMetric", out)
    assert out["partition"].unique().to_list() == ["2026-09-28"] and out["run_id"].unique().to_list() == ["run-1"]
    assert out.select("stage", "metric", "key", "value").rows() == [
        ("S1", "rows_out", "instruments", 2.0),
        ("S3", "rows_out", "market_snapshots", 7.0),
        ("S6", "intents", "PLACE", 3.0),
        ("S6", "intents", "CANCEL", 1.0),
        ("S7", "approved", "", 1.0),
        ("S7", "rejected", "", 2.0),
        ("S7", "rejections_by_reason", "RISK_EXPOSURE", 1.0),
        ("S7", "rejections_by_reason", "RISK_STALE_BOOK", 1.0),
        ("S7", "reductions_by_reason", "RISK_EXPOSURE", 1.0),
        ("S7", "rejections_by_bot", ex, 1.0),
        ("S7", "rejections_by_bot", SB, 1.0),
        ("S8", "plans", "", 1.0),
        ("S8", "signed", "", 1.0),
        ("S8", "refusals_by_reason", "EXEC_REJECTION_BREAKER", 1.0),
        ("S8", "refusals_by_reason", "EXEC_VENUE_BALANCE_ALLOWANCE", 1.0),
        ("S8", "refusals_by_reason", "SEC_NOT_ALLOW_LISTED", 1.0),
        ("S8", "breaker", cause, 1.0),
        ("S8", "fills", "", 2.0),
        ("S8", "filled_notional_usdc", "", 4.0),
        ("S9", "realised_pnl_usdc", "", 3.0),
        ("S9", "unrealised_pnl_usdc", "", 0.4),
        ("S2", "quarantined", "GOV_DQ_BAD_ID", 1.0),
        ("S2", "quarantined", "GOV_DQ_MALFORMED_JSON", 2.0),
        ("S11", "schema_failures", "", 0.0),
    ]


def test_run_metrics_when_nothing_happened_then_zeros(mk) -> None:
    out = run_metrics("2026-09-28", "run-1", {}, empty_frame("RiskDecision"), empty_frame("OrderIntent"),
                      empty_frame("OrderIntent"), empty_frame("ExecutionPlan"), empty_frame("SignedOrderRequest"),
                      empty_frame("OrderRefusal"), empty_frame("Fill"),
                      empty_frame("Position"), empty_frame("QuarantineRecord"), schema_failures=3)  # fmt: skip
    assert out.select("stage", "metric", "key", "value").rows() == [
        ("S6", "intents", "PLACE", 0.0), ("S6", "intents", "CANCEL", 0.0), ("S7", "approved", "", 0.0),
        ("S7", "rejected", "", 0.0), ("S8", "plans", "", 0.0), ("S8", "signed", "", 0.0),
        ("S8", "fills", "", 0.0), ("S8", "filled_notional_usdc", "", 0.0), ("S9", "realised_pnl_usdc", "", 0.0),
        ("S9", "unrealised_pnl_usdc", "", 0.0), ("S11", "schema_failures", "", 3.0),
    ]  # fmt: skip
