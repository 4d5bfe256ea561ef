"""P5-P8 (and P3 through inputs): gates decided on a hand-built event store."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from polytraders.contracts import ExecutionPlan, QuarantineRecord, SignedOrderRequest
from polytraders.contracts.types import OrderType, Side
from polytraders.gates import GateState
from polytraders.gates.checks import EXEC_SEC, NO_RUN, check_p3, check_p5, check_p6, check_p7, check_p8
from polytraders.runtime.event_store import EventStore
from polytraders.runtime.profile import SHADOW_BUILDER_CODE
from polytraders.runtime.wallet import load as load_wallet
from polytraders_tests.gates.conftest import CONDITION, HOUR_MS, T0, TOKEN, Store, inputs, intent, vote

MAKER = "strat.maker_tight"
DAY, DAY2 = "2026-09-27", "2026-09-28"
SIGNER = load_wallet({}).signer


def _plan(n: int) -> ExecutionPlan:
    return ExecutionPlan(
        plan_id=f"p{n}", intent_id=f"i{n}", condition_id=CONDITION, token_id=TOKEN, ts_ms=T0, side=Side.BUY,
        price=Decimal("0.5"), size=Decimal(5), tick_size=Decimal("0.01"), neg_risk=False, order_type=OrderType.GTC,
        post_only=True, maker_amount=2_500_000, taker_amount=5_000_000, builder_code=SHADOW_BUILDER_CODE,
    )


def _signed(n: int, **changes: object) -> SignedOrderRequest:
    """Plan ``n`` signed with the shadow test key, then ``changes`` applied after signing (tampering)."""
    return SIGNER.sign(_plan(n)).model_copy(update=changes)


def _chain(store: Store, **changes: object) -> None:
    intents = store.add(DAY, MAKER, [intent(1, T0)])
    plans = store.add(DAY, "exec.order_shaper", [_plan(1)], causes=[intents["envelope_id"].to_list()])
    store.add(DAY, "sec.signing_service", [_signed(1, **changes)], causes=[plans["envelope_id"].to_list()])


# --- P3 -------------------------------------------------------------------------------------


def test_check_p3_when_an_implemented_bot_has_no_envelope_then_pending_naming_it(store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0)])
    result = check_p3(inputs(store.record(), {MAKER, "risk.killswitch"}))
    assert result.state is GateState.PENDING
    assert result.missing == ("risk.killswitch: no envelope in the event store yet",)


# --- P5 -------------------------------------------------------------------------------------


def test_check_p5_when_no_store_and_nothing_implemented_then_pending_naming_each_bot_and_the_run() -> None:
    result = check_p5(inputs(None, set()))
    assert (result.state, result.missing) == (
        GateState.PENDING, (*(f"{slug}: not implemented" for slug in EXEC_SEC), NO_RUN))
    assert len(EXEC_SEC) == 24  # exec 15 + sec 9


def test_check_p5_when_run_without_signed_requests_then_pending_with_the_builder_probe_as_evidence(
        store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0)])
    result = check_p5(inputs(store.record(), set(EXEC_SEC)))
    assert (result.state, result.missing) == (
        GateState.PENDING, ("no SignedOrderRequest envelope in the event store",))
    # the fixture intent: the bundled day's first two-sided book (capture line 1)
    assert result.evidence[0].startswith("a fixture intent (2026-09-28/capture.jsonl.gz:1) is routed, shaped, "
                                         "guarded, signed and acknowledged by the mock CLOB with builder 0x")
    assert result.evidence[0].endswith("with no builder code it is refused EXEC_NO_BUILDER_CODE and nothing is sent")


def test_check_p5_when_intent_plan_signed_chain_with_builder_then_green(store: Store) -> None:
    _chain(store)
    result = check_p5(inputs(store.record(), set(EXEC_SEC)))
    assert (result.state, result.missing) == (GateState.GREEN, ())
    assert result.evidence[1] == ("1 of 1 recorded SignedOrderRequests trace back to an OrderIntent, 1 carry a "
                                  "builder code, 1 of 1 (signature types 0-2) pass the signature self-test")


def test_check_p5_when_signed_request_has_no_builder_code_then_red(store: Store) -> None:
    # the all-zero bytes32 is the unset builder of a signed order; blanking it after signing also breaks the hash
    _chain(store, builder="0x" + "0" * 64)
    result = check_p5(inputs(store.record(), set(EXEC_SEC)))
    assert (result.state, result.missing) == (GateState.RED, (
        "1 of 1 SignedOrderRequests without a builder code",
        f"1 of 1 SignedOrderRequests fail the signature self-test (first {_signed(1).order_hash})"))


def test_check_p5_when_an_amount_was_changed_after_signing_then_red_naming_the_order(store: Store) -> None:
    _chain(store, maker_amount=2_600_000)
    result = check_p5(inputs(store.record(), set(EXEC_SEC)))
    assert (result.state, result.missing) == (GateState.RED, (
        f"1 of 1 SignedOrderRequests fail the signature self-test (first {_signed(1).order_hash})",))


def test_check_p5_when_signed_request_has_no_causation_then_red(store: Store) -> None:
    store.add(DAY, "sec.signing_service", [_signed(1)])
    result = check_p5(inputs(store.record(), set(EXEC_SEC)))
    assert result.missing == (
        "1 of 1 SignedOrderRequests do not trace back through an ExecutionPlan to an OrderIntent",)


def test_check_p5_when_one_of_two_signed_requests_is_untraced_then_red_counting_it(store: Store) -> None:
    _chain(store)  # plan 1: intent -> plan -> signed
    store.add(DAY, "sec.signing_service", [_signed(2)])  # plan 2's signed order names no cause
    result = check_p5(inputs(store.record(), set(EXEC_SEC)))
    assert (result.state, result.missing) == (GateState.RED, (
        "1 of 2 SignedOrderRequests do not trace back through an ExecutionPlan to an OrderIntent",))


def test_check_p5_when_only_smart_contract_wallet_orders_then_pending_not_vacuously_green(store: Store) -> None:
    # POLY_1271 (type 3): the signature recovers to the wallet owner's key, which the order does not name
    intents = store.add(DAY, MAKER, [intent(1, T0)])
    plans = store.add(DAY, "exec.order_shaper", [_plan(1)], causes=[intents["envelope_id"].to_list()])
    proxy = "0x2222222222222222222222222222222222222222"
    signer = load_wallet({"POLYTRADERS_SIGNATURE_TYPE": "3", "POLYTRADERS_FUNDER": proxy}).signer
    store.add(DAY, "sec.signing_service", [signer.sign(_plan(1))], causes=[plans["envelope_id"].to_list()])
    result = check_p5(inputs(store.record(), set(EXEC_SEC)))
    assert (result.state, result.missing) == (GateState.PENDING, (
        "1 POLY_1271 SignedOrderRequests not self-tested: the order does not name the key its wallet's signature "
        "recovers to",))


# --- P6 -------------------------------------------------------------------------------------


def test_check_p6_when_no_store_then_pending_no_run() -> None:
    assert check_p6(inputs(None, {MAKER})).missing == (NO_RUN,)


def test_check_p6_when_one_hour_recorded_then_pending_with_the_figure(store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0), intent(2, T0 + HOUR_MS)])
    result = check_p6(inputs(store.record(), {MAKER}))
    assert (result.state, result.missing) == (
        GateState.PENDING, ("strat.maker_tight covers 1.00 h of fixture time in shadow; the gate needs 24 h",))
    assert result.evidence[1] == "0 strat.maker_tight payloads rejected by schema"


def test_check_p6_when_two_days_cover_25_hours_and_nothing_rejected_then_green(store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0), intent(2, T0 + 12 * HOUR_MS)])
    store.add(DAY2, MAKER, [intent(3, T0 + 24 * HOUR_MS), intent(4, T0 + 37 * HOUR_MS)])
    result = check_p6(inputs(store.record(), {MAKER}))
    assert (result.state, result.missing) == (GateState.GREEN, ())
    assert result.evidence[0].startswith("25.00 h of fixture time over 2 day(s): 4 strat.maker_tight OrderIntents")


def test_check_p6_when_a_maker_payload_was_rejected_then_red(store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0), intent(2, T0 + 25 * HOUR_MS)])
    record = QuarantineRecord(source=f"{MAKER}:OrderIntent", receive_ts_ms=None, reason_code="GOV_DQ_SCHEMA",
                              detail="bad", raw="{}", provenance_hash="0" * 64)
    frame = pl.DataFrame([record.model_dump()]).with_columns(partition_day=pl.lit(DAY).str.to_date())
    EventStore(store.root).reject(frame.cast({"receive_ts_ms": pl.Int64}))
    result = check_p6(inputs(store.record(), {MAKER}))
    assert (result.state, result.missing) == (
        GateState.RED, ("1 strat.maker_tight payloads rejected by schema in the event store",))


def test_check_p6_when_maker_not_implemented_then_pending_naming_it(store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0), intent(2, T0 + 25 * HOUR_MS)])
    result = check_p6(inputs(store.record(), set()))
    assert (result.state, result.missing) == (GateState.PENDING, ("strat.maker_tight: not implemented",))


# --- P7 -------------------------------------------------------------------------------------


def test_check_p7_when_replay_not_built_then_pending_naming_it_and_the_day(store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0)])
    result = check_p7(inputs(store.record(), set()))
    assert (result.state, result.missing) == (GateState.PENDING, (
        "gov.replay_simulator: not implemented", f"no gov.replay_simulator envelope for recorded day {DAY}"))


def test_check_p7_when_every_day_replayed_without_mismatch_then_green(store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0)])
    store.add(DAY, "gov.replay_simulator", [vote(1, T0)])
    result = check_p7(inputs(store.record(), {"gov.replay_simulator"}))
    assert (result.state, result.evidence) == (
        GateState.GREEN, ("gov.replay_simulator replayed 1 of 1 recorded days, no mismatch",))


def test_check_p7_when_replay_mismatch_then_red(store: Store) -> None:
    store.add(DAY, "gov.replay_simulator", [vote(1, T0)], codes=[["GOV_REPLAY_MISMATCH"]])
    result = check_p7(inputs(store.record(), {"gov.replay_simulator"}))
    assert (result.state, result.missing) == (GateState.RED, ("1 replay mismatches (GOV_REPLAY_MISMATCH)",))


# --- P8 -------------------------------------------------------------------------------------

P8 = ("strat.dir_momentum", "strat.maker_penny_jump", "strat.arb_binary_complement")


def _strategy(store: Store, n: int, slug: str, voted: bool) -> None:
    intents = store.add(DAY, slug, [intent(n, T0, slug)])
    if voted:
        store.add(DAY, "risk.killswitch", [vote(n, T0)], causes=[intents["envelope_id"].to_list()])


def test_check_p8_when_three_strategies_voted_on_then_green(store: Store) -> None:
    for n, slug in enumerate(P8, start=1):
        _strategy(store, n, slug, voted=True)
    result = check_p8(inputs(store.record(), set(P8)))
    assert (result.state, result.missing) == (GateState.GREEN, ())
    assert result.evidence[0] == "strat.arb_binary_complement: all 1 PLACE intents voted on by the risk gate"


def test_check_p8_when_a_strategy_bypasses_the_risk_gate_then_red(store: Store) -> None:
    for n, slug in enumerate(P8, start=1):
        _strategy(store, n, slug, voted=slug != "strat.dir_momentum")
    result = check_p8(inputs(store.record(), set(P8)))
    assert (result.state, result.missing) == (
        GateState.RED, ("strat.dir_momentum: 1 of 1 PLACE intents have no RiskVote (bypassed S7)",))


def test_check_p8_when_only_maker_tight_runs_then_pending_zero_of_three(store: Store) -> None:
    store.add(DAY, MAKER, [intent(1, T0)])
    result = check_p8(inputs(store.record(), {MAKER, P8[0]}))
    assert (result.state, result.missing) == (
        GateState.PENDING, ("0 of 3 P8 strategies implemented and emitting OrderIntents in shadow (none)",))
