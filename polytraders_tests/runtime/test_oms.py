"""runtime.oms.run_oms: S8 end to end on the mock CLOB — route, shape, guard, allowance, sign, submit, lifecycle.

Tape (tick 0.01), offsets from T0 in ms: "11" 0.48/0.52 at 0, 0.48/0.50 at 100, 0.45/0.47 at 200;
"12" 0.40/0.44 at 0; "21" (market B) 0.05/0.10 at 0. A post-only BUY "11" @ 0.50 placed at 0 rests
(0.50 < ask 0.52) and fills at 100 (ask 0.50); @ 0.47 fills at 200; @ 0.45 never. The mock CLOB
reports a fill's trade MATCHED at the match, MINED 2_000 ms and CONFIRMED 10_000 ms later.
Rails: the SHADOW profile (builder code set) signing with the public shadow test key, allow-listed.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal as D

import pytest

from polytraders.adapters.mock_clob import MarketRules, MockClob
from polytraders.adapters.polymarket.rejections import BreakerCause
from polytraders.adapters.polymarket.signing import order_hash, order_salt, recover_signer
from polytraders.adapters.polymarket.wallets import exchange_address
from polytraders.bots.exec import smart_router
from polytraders.contracts import FeeParams
from polytraders.runtime import wallet
from polytraders.runtime.oms import (
    GUARD,
    OmsResult,
    PreflightError,
    Rails,
    deployed,
    market_rules,
    preflight,
    run_oms,
)
from polytraders.runtime.profile import SHADOW, SHADOW_BUILDER_CODE, Profile

ROWS = [(0, "11", "0.48", "0.52"), (100, "11", "0.48", "0.50"), (200, "11", "0.45", "0.47"), (0, "12", "0.40", "0.44"),
        (0, "21", "0.05", "0.10")]  # fmt: skip
RAILS = Rails.of(SHADOW, wallet.load({}))
ME = wallet.SHADOW_TEST_ADDRESS
STANDARD, NEG_RISK = exchange_address(137, False), exchange_address(137, True)
BREAKER_DETAIL = "breaker tripped by 5 x EXEC_VENUE_MIN_SIZE"
MIN_SPEND = "invalid amount for a marketable BUY order ($0.50), min size: 1"


def _plan_id(intent_id: str) -> str:
    return hashlib.sha256(f"exec.order_shaper|{intent_id}".encode()).hexdigest()[:24]


def _oms(mk, intents: list, end_dt: int = 1_000, resolutions: tuple = (), rails: Rails = RAILS,
         instruments: dict | None = None) -> OmsResult:  # fmt: skip
    """run_oms over market A only (unless ``instruments`` says otherwise), ending at T0 + end_dt."""
    instruments = {mk.COND_A: mk.instrument()} if instruments is None else instruments
    return run_oms(intents, instruments, mk.tape(ROWS), list(resolutions), rails, mk.T0 + end_dt)


def _market_a(mk, neg_risk: bool | None) -> dict:
    """Market A alone, with that neg-risk flag."""
    return {mk.COND_A: mk.instrument().model_copy(update={"neg_risk": neg_risk})}


def _both_markets(mk, neg_risk_b: bool | None = False) -> dict:
    """Markets A (standard) and B (with that neg-risk flag)."""
    return {mk.COND_A: mk.instrument(), mk.COND_B: mk.instrument(mk.COND_B).model_copy(update={"neg_risk": neg_risk_b})}


def _taker(intent):
    """The intent without post-only: marketable at the touch, it goes FAK."""
    return intent.model_copy(update={"post_only": False})


def _below_min_spend(mk, intent_id: str, dt: int):
    """FAK BUY "21" 5 @ 0.10 (ask 0.10): spends 5·0.10 = 0.50 USDC < the venue's 1 USDC market-BUY minimum."""
    return _taker(mk.intent(intent_id, dt, token="21", price="0.10", size="5"))


def _events(result: OmsResult, t0: int) -> list[tuple[str | None, str, int]]:
    return [(e.intent_id, e.status, e.ts_ms - t0) for e in result.order_events]


def _refusals(result: OmsResult) -> list[tuple]:
    return [(r.intent_id, r.bot, r.reason_codes, r.detail) for r in result.refusals]


# --- resting orders, fills, the end of the day ---------------------------------------------------


@pytest.mark.parametrize(("end_dt", "status"), [(1_000, "MATCHED"), (2_100, "MINED"), (10_099, "MINED"),
                                                (10_100, "CONFIRMED")])  # fmt: skip
def test_run_oms_when_post_only_buy_rests_then_signed_and_one_fill_in_last_status_at_match_time(
    mk, end_dt: int, status: str
) -> None:
    # BUY 10 @ 0.50: maker_amount = 0.50·10·10^6 = 5_000_000 (USDC), taker_amount = 10·10^6 = 10_000_000 (shares).
    # Matched at 100: MINED at 100 + 2_000 = 2_100, CONFIRMED at 100 + 10_000 = 10_100; the last status due by the end.
    result = _oms(mk, [mk.intent("i1", 0)], end_dt=end_dt)
    [plan] = result.plans
    assert (plan.plan_id, plan.intent_id, plan.price, plan.size, plan.order_type, plan.post_only) == (
        _plan_id("i1"), "i1", D("0.50"), D("10.00"), "GTC", True)  # fmt: skip
    assert (plan.maker_amount, plan.taker_amount) == (5_000_000, 10_000_000)
    [signed] = result.signed
    assert (signed.plan_id, signed.token_id, signed.side, signed.maker_amount, signed.taker_amount, signed.order_type,
            signed.post_only, signed.timestamp_ms, signed.salt, signed.maker, signed.signer, signed.exchange,
            signed.chain_id) == (_plan_id("i1"), "11", "BUY", 5_000_000, 10_000_000, "GTC", True, mk.T0,
                                 str(order_salt("i1")), ME, ME, STANDARD, 137)  # fmt: skip
    assert _events(result, mk.T0) == [("i1", "LIVE", 0), ("i1", "MATCHED", 100)]
    assert {e.order_id for e in result.order_events} == {signed.order_hash}  # the venue's id is the order hash
    # three trade messages (MATCHED, MINED, CONFIRMED) for one fill: counted once, at the match's time
    assert [(f.order_id, f.ts_ms - mk.T0, f.price, f.size, f.liquidity, f.fee_usdc, f.trade_status)
            for f in result.fills] == [(signed.order_hash, 100, D("0.5"), D(10), "MAKER", D(0), status)]  # fmt: skip
    assert (result.refusals, result.anomalies, result.breaker) == ([], [], None)


def test_run_oms_when_fill_after_end_then_order_still_resting(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0)], end_dt=99)  # the fill is due at 100
    assert _events(result, mk.T0) == [("i1", "LIVE", 0)]
    assert result.fills == []


def test_run_oms_when_marketable_taker_then_fak_fills_at_the_touch_at_once(mk) -> None:
    # BUY 10 @ 0.52, not post-only, ask 0.52 → FAK; a marketable BUY's collateral has <= 2 decimals:
    # 0.52·10 = 5.20 → maker 5_200_000, taker 10_000_000; taken at the touch 0.52 at 0, a TAKER fill.
    result = _oms(mk, [_taker(mk.intent("i1", 0, price="0.52"))])
    [plan] = result.plans
    assert (plan.order_type, plan.post_only, plan.maker_amount, plan.taker_amount) == ("FAK", False, 5_200_000,
                                                                                       10_000_000)  # fmt: skip
    assert _events(result, mk.T0) == [("i1", "MATCHED", 0)]
    assert [(f.ts_ms - mk.T0, f.price, f.size, f.liquidity) for f in result.fills] == [(0, D("0.52"), D(10), "TAKER")]


def test_run_oms_when_post_only_would_cross_then_router_refuses_and_nothing_planned(mk) -> None:
    # post-only BUY @ 0.52 against ask 0.52: touching crosses → exec.smart_router EXEC_NO_ROUTE, before any shaping
    # (the touch as the tape holds it, at the frame scale 10^-6).
    result = _oms(mk, [mk.intent("i1", 0, price="0.52")])
    detail = "intent_id=i1, price=0.52, rule=post-only would cross, side=BUY, touch=0.520000"
    assert _refusals(result) == [("i1", "exec.smart_router", ("EXEC_NO_ROUTE",), detail)]
    assert (result.plans, result.signed, result.order_events) == ([], [], [])


def test_run_oms_when_gtd_route_then_expiry_stamped_signed_and_venue_drops_it(mk) -> None:
    # smart_router gtd_lifetime_s = 30: the resting BUY @ 0.45 goes GTD; expiration_s = floor(T0 / 1000) + 60 + 30
    # = 1_700_000_000 + 90 = 1_700_000_090; the venue drops it 60 s before: 1_700_000_030_000 ms = T0 + 30_000.
    profile = Profile(configs={**SHADOW.configs, smart_router.SLUG: smart_router.Config(gtd_lifetime_s=30)})
    result = _oms(mk, [mk.intent("i1", 0, price="0.45")], end_dt=40_000, rails=Rails.of(profile, wallet.load({})))
    assert [(p.order_type, p.expiration_s) for p in result.plans] == [("GTD", 1_700_000_090)]
    assert [(s.order_type, s.expiration_s) for s in result.signed] == [("GTD", 1_700_000_090)]
    assert _events(result, mk.T0) == [("i1", "LIVE", 0), ("i1", "CANCELED", 30_000)]


# --- shaping refusals ----------------------------------------------------------------------------


def test_run_oms_when_below_min_size_then_refused_with_code_and_nothing_signed(mk) -> None:
    # size 3 → 300 steps of 0.01 → 3.00 < min_order_size 5.
    result = _oms(mk, [mk.intent("i1", 0, size="3")])
    assert _refusals(result) == [("i1", "exec.order_shaper", ("EXEC_BELOW_MIN_SIZE",), "min_order_size=5, size=3.00")]
    assert result.refusals[0].plan_id is None  # no plan was built
    assert (result.plans, result.signed, result.order_events, result.fills) == ([], [], [], [])


def test_run_oms_when_price_snaps_out_of_band_then_refused_with_code(mk) -> None:
    # BUY 0.005 floors to 0·0.01 = 0.00 < tick 0.01.
    result = _oms(mk, [mk.intent("i1", 0, price="0.005")])
    assert _refusals(result) == [
        ("i1", "exec.order_shaper", ("EXEC_PRICE_OUT_OF_BAND",), "price=0.00, side=BUY, tick_size=0.01"),
    ]  # fmt: skip
    assert (result.signed, result.order_events) == ([], [])


def test_run_oms_when_unknown_instrument_then_exec_unknown_instrument(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0, token="21", price="0.10")])  # market B: not in the instruments
    assert _refusals(result) == [("i1", "exec.order_shaper", ("EXEC_UNKNOWN_INSTRUMENT",), f"condition_id={mk.COND_B}")]
    assert (result.plans, result.signed, result.order_events) == ([], [], [])


def test_run_oms_when_refused_then_later_intents_still_sent(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0, size="3"), mk.intent("i2", 10, token="12", price="0.30")])
    assert [r.intent_id for r in result.refusals] == ["i1"]
    assert ([p.intent_id for p in result.plans], [s.plan_id for s in result.signed]) == (["i2"], [_plan_id("i2")])
    assert _events(result, mk.T0) == [("i2", "LIVE", 10)]  # 0.30 < ask 0.44: rests


def test_run_oms_when_price_off_grid_then_plan_and_signed_order_carry_snapped_amounts(mk) -> None:
    # BUY 0.505 floors to 0.50 (never more aggressive), size 12.345 rounds down to 12.34:
    # maker 0.50·12.34 = 6.17 USDC → 6_170_000, taker 12_340_000; rests at 0.50, fills at 100.
    result = _oms(mk, [mk.intent("i1", 0, price="0.505", size="12.345")])
    [plan], [signed] = result.plans, result.signed
    assert (plan.price, plan.size, plan.maker_amount, plan.taker_amount) == (D("0.50"), D("12.34"), 6_170_000,
                                                                             12_340_000)  # fmt: skip
    assert (signed.maker_amount, signed.taker_amount) == (6_170_000, 12_340_000)
    assert [(f.ts_ms - mk.T0, f.price, f.size) for f in result.fills] == [(100, D("0.5"), D("12.34"))]


# --- CANCEL, cancel-replace, resolution ----------------------------------------------------------


def test_run_oms_when_cancel_before_fill_then_order_withdrawn_and_no_fill(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0), mk.intent("c1", 50, cancels="i1")])
    assert _events(result, mk.T0) == [("i1", "LIVE", 0), ("i1", "CANCELED", 50)]
    assert result.fills == []
    assert [p.intent_id for p in result.plans] == ["i1"]  # CANCELs are not shaped


def test_run_oms_when_cancel_after_fill_then_nothing_changes(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0), mk.intent("c1", 150, cancels="i1")])
    assert _events(result, mk.T0) == [("i1", "LIVE", 0), ("i1", "MATCHED", 100)]
    assert [f.size for f in result.fills] == [D(10)]
    assert (result.refusals, result.anomalies) == ([], [])


def test_run_oms_when_cancel_names_unsent_intent_then_no_op(mk) -> None:
    # i1 was refused (size 3): it has no plan; c1 and c2 (unknown) change nothing, i2 keeps resting.
    intents = [mk.intent("i1", 0, size="3"), mk.intent("i2", 0, token="12", price="0.30"),
               mk.intent("c1", 10, cancels="i1"), mk.intent("c2", 20, cancels="nope")]  # fmt: skip
    result = _oms(mk, intents)
    assert _events(result, mk.T0) == [("i2", "LIVE", 0)]
    assert [r.intent_id for r in result.refusals] == ["i1"]


def test_run_oms_when_same_quote_key_then_cancel_replace(mk) -> None:
    # i1 "11" @ 0.45 at 0, i2 "11" @ 0.47 at 10 (same strategy / token / side) → i1 cancelled at 10;
    # i2 fills at 200 (ask 0.47).
    result = _oms(mk, [mk.intent("i2", 10, price="0.47"), mk.intent("i1", 0, price="0.45")])  # any input order
    assert _events(result, mk.T0) == [
        ("i1", "LIVE", 0), ("i1", "CANCELED", 10), ("i2", "LIVE", 10), ("i2", "MATCHED", 200),
    ]  # fmt: skip
    assert [(f.price, f.size) for f in result.fills] == [(D("0.47"), D(10))]


def test_run_oms_when_other_strategy_same_token_then_no_cancel_replace(mk) -> None:
    # the quote key includes the strategy: i2 of another strategy leaves i1 resting.
    result = _oms(mk, [mk.intent("i1", 0, price="0.45"), mk.intent("i2", 10, price="0.46", strategy="strat.other")])
    assert _events(result, mk.T0) == [("i1", "LIVE", 0), ("i2", "LIVE", 10)]


def test_run_oms_when_market_resolves_then_resting_order_cancelled_at_resolution(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0, price="0.45")], resolutions=(mk.resolution(mk.COND_A, 250, winner="11"),))
    assert _events(result, mk.T0) == [("i1", "LIVE", 0), ("i1", "CANCELED", 250)]


# --- builder code, signatures, determinism, the exchange ------------------------------------------


def test_run_oms_when_no_builder_code_then_refused_before_any_plan_and_nothing_reaches_the_venue(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0)], rails=Rails.of(Profile(configs={}), wallet.load({})))
    # the shaper refuses to build an order without its builder attribution (fail closed)
    assert _refusals(result) == [("i1", "exec.order_shaper", ("EXEC_NO_BUILDER_CODE",), "intent_id=i1")]
    assert result.refusals[0].plan_id is None
    assert (result.plans, result.signed, result.order_events, result.fills) == ([], [], [], [])


def test_run_oms_when_builder_code_set_then_every_signed_order_carries_it(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0), mk.intent("i2", 10, token="12", price="0.30")])
    assert [s.builder for s in result.signed] == [SHADOW_BUILDER_CODE, SHADOW_BUILDER_CODE]
    assert [p.builder_code for p in result.plans] == [SHADOW_BUILDER_CODE, SHADOW_BUILDER_CODE]


def _mixed(mk) -> list:
    """BUY "11" (fills at 100), SELL of those shares at 150, BUY "21" on neg-risk market B."""
    return [mk.intent("i1", 0), mk.intent("s1", 150, side="SELL", price="0.55"),
            mk.intent("n1", 20, token="21", price="0.05")]  # fmt: skip


def test_run_oms_when_signed_then_each_order_recovers_to_the_wallet_and_its_hash_recomputes(mk) -> None:
    result = _oms(mk, _mixed(mk), instruments=_both_markets(mk, neg_risk_b=True))
    # i1 at 0 and n1 at 20 on their exchanges; s1 (SELL 10 @ 0.55: maker 10_000_000 shares, taker 5_500_000 USDC)
    # at 150, covered by the 10 shares bought at 100.
    assert [(s.plan_id, s.side, s.maker_amount, s.taker_amount, s.exchange) for s in result.signed] == [
        (_plan_id("i1"), "BUY", 5_000_000, 10_000_000, STANDARD),
        (_plan_id("n1"), "BUY", 500_000, 10_000_000, NEG_RISK),  # 0.05·10 = 0.50 USDC
        (_plan_id("s1"), "SELL", 10_000_000, 5_500_000, STANDARD),
    ]  # fmt: skip
    assert [recover_signer(s) for s in result.signed] == [ME, ME, ME]
    assert [order_hash(s) for s in result.signed] == [s.order_hash for s in result.signed]
    tampered = result.signed[0].model_copy(update={"maker_amount": 5_000_001})  # the checks can fail
    assert (order_hash(tampered) == tampered.order_hash, recover_signer(tampered) == ME) == (False, False)
    assert _events(result, mk.T0) == [("i1", "LIVE", 0), ("n1", "LIVE", 20), ("i1", "MATCHED", 100),
                                      ("s1", "LIVE", 150)]  # fmt: skip


def test_run_oms_when_run_twice_then_identical_order_hashes_and_signatures(mk) -> None:
    runs = [_oms(mk, _mixed(mk), instruments=_both_markets(mk, neg_risk_b=True)) for _ in range(2)]
    first, second = ([(s.order_hash, s.salt, s.signature) for s in run.signed] for run in runs)
    assert first == second and len(first) == 3
    assert len({order_hash for order_hash, _, _ in first}) == 3  # distinct orders, distinct hashes


def test_run_oms_when_neg_risk_unknown_then_router_refuses_first_and_nothing_signed(mk) -> None:
    # exec.smart_router runs before the shaper (SEC_NEG_RISK_UNKNOWN) and the signer: EXEC_NO_ROUTE.
    result = _oms(mk, [mk.intent("i1", 0)], instruments=_market_a(mk, neg_risk=None))
    detail = "intent_id=i1, price=0.50, rule=neg_risk unknown: exchange not chosen, side=BUY"
    assert _refusals(result) == [("i1", "exec.smart_router", ("EXEC_NO_ROUTE",), detail)]
    assert (result.plans, result.signed, result.order_events) == ([], [], [])


def test_run_oms_when_neg_risk_market_then_signed_for_the_neg_risk_exchange_and_accepted(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0)], instruments=_market_a(mk, neg_risk=True))
    assert [(p.neg_risk, s.exchange) for p, s in zip(result.plans, result.signed, strict=True)] == [(True, NEG_RISK)]
    assert NEG_RISK.lower() == "0xe2222d279d744050d28e00520010520000310f59"  # CTF Exchange V2, neg-risk, Polygon
    assert _events(result, mk.T0) == [("i1", "LIVE", 0), ("i1", "MATCHED", 100)]  # the venue checks the exchange


def test_market_rules_when_registry_then_rules_per_token_and_unknown_neg_risk_left_out(mk) -> None:
    # A: fees on at taker rate 0.02 → 0.02·10_000 = 200 bps, for both tokens; B's neg-risk flag unknown: left out.
    fees = FeeParams(fees_enabled=True, taker_fee_rate=D("0.02"), maker_fee_rate=D(0))
    rules = market_rules({mk.COND_A: mk.instrument().model_copy(update={"fees": fees}),
                          mk.COND_B: mk.instrument(mk.COND_B).model_copy(update={"neg_risk": None})})  # fmt: skip
    expected = MarketRules(condition_id=mk.COND_A, tick_size=D("0.01"), min_order_size=D(5), neg_risk=False,
                           taker_fee_rate_bps=200)  # fmt: skip
    assert rules == {"11": expected, "12": expected}


# --- wallet permission and allowance -------------------------------------------------------------


def test_rails_of_when_wallet_setup_then_guard_allow_lists_exactly_its_wallets() -> None:
    other = "0x" + "2" * 40
    assert RAILS.profile.config(GUARD).allowed_wallets == (ME,)
    rails = Rails.of(SHADOW, wallet.load({"POLYTRADERS_ALLOWED_WALLETS": other}))
    assert rails.profile.config(GUARD).allowed_wallets == (other,)
    assert RAILS.collateral_usdc == D(10_000)  # the default starting collateral
    assert SHADOW.configs.get(GUARD) is None  # the profile itself is not changed


def test_run_oms_when_wallet_not_allow_listed_then_every_place_refused_by_the_guard(mk) -> None:
    rails = Rails.of(SHADOW, wallet.load({"POLYTRADERS_ALLOWED_WALLETS": "0x" + "2" * 40}))
    result = _oms(mk, [mk.intent("i1", 0), mk.intent("i2", 10, token="12", price="0.30")], rails=rails)
    detail = f"detail=wallet {ME} is not on the allow-list"
    assert _refusals(result) == [("i1", GUARD, ("SEC_NOT_ALLOW_LISTED",), detail),
                                 ("i2", GUARD, ("SEC_NOT_ALLOW_LISTED",), detail)]  # fmt: skip
    assert [r.plan_id for r in result.refusals] == [_plan_id("i1"), _plan_id("i2")]
    assert (result.signed, result.order_events) == ([], [])


def test_run_oms_when_collateral_too_small_then_allowance_checker_refuses(mk) -> None:
    # BUY 10 @ 0.50 needs 5_000_000 micro-USDC; the wallet holds 1 USDC = 1_000_000.
    result = _oms(mk, [mk.intent("i1", 0)], rails=Rails.of(SHADOW, wallet.load({}), collateral_usdc=D("1")))
    assert _refusals(result) == [("i1", "sec.allowance_checker", ("SEC_ALLOWANCE_INSUFFICIENT",),
                                  "asset=collateral, check=balance, have=1000000, needed=5000000")]  # fmt: skip
    assert (result.signed, result.order_events) == ([], [])


def test_run_oms_when_resting_order_holds_collateral_then_next_buy_refused(mk) -> None:
    # 8 USDC; i1 BUY "11" 10 @ 0.45 rests holding 4.50; at 10 i2 BUY "12" 10 @ 0.40 needs 4.00 + 4.50 = 8.50 > 8.00.
    result = _oms(mk, [mk.intent("i1", 0, price="0.45"), mk.intent("i2", 10, token="12", price="0.40")],
                  rails=Rails.of(SHADOW, wallet.load({}), collateral_usdc=D("8")))  # fmt: skip
    assert _refusals(result) == [("i2", "sec.allowance_checker", ("SEC_ALLOWANCE_INSUFFICIENT",),
                                  "asset=collateral, check=balance, have=8000000, needed=8500000")]  # fmt: skip
    assert _events(result, mk.T0) == [("i1", "LIVE", 0)]


def test_run_oms_when_same_step_buys_exceed_collateral_then_allowance_checker_refuses_the_second(mk) -> None:
    # As above, both at 0: i1 (4.50) is prepared first (intent-id order), then i2 needs 4.00 + 4.50 = 8.50 > 8.00.
    result = _oms(mk, [mk.intent("i1", 0, price="0.45"), mk.intent("i2", 0, token="12", price="0.40")],
                  rails=Rails.of(SHADOW, wallet.load({}), collateral_usdc=D("8")))  # fmt: skip
    assert [(r.intent_id, r.bot, r.reason_codes) for r in result.refusals] == [
        ("i2", "sec.allowance_checker", ("SEC_ALLOWANCE_INSUFFICIENT",)),
    ]  # today: ("i2", "exec.lifecycle_manager", ("EXEC_VENUE_BALANCE_ALLOWANCE",)) from the venue


def test_run_oms_when_sell_without_shares_then_allowance_checker_refuses(mk) -> None:
    # SELL 10 "11" needs 10·10^6 = 10_000_000 micro-shares; the wallet holds none.
    result = _oms(mk, [mk.intent("s1", 0, side="SELL", price="0.55")])
    assert _refusals(result) == [("s1", "sec.allowance_checker", ("SEC_ALLOWANCE_INSUFFICIENT",),
                                  "asset=token 11, check=balance, have=0, needed=10000000")]  # fmt: skip


# --- venue rejections and the breaker ------------------------------------------------------------


def test_run_oms_when_venue_rejects_then_refusal_with_mapped_code_and_no_order_event(mk) -> None:
    # Nothing before the venue checks a marketable BUY's 1 USDC minimum: f1 is signed, then refused.
    result = _oms(mk, [_below_min_spend(mk, "f1", 0)], instruments=_both_markets(mk))
    assert [(p.order_type, p.maker_amount) for p in result.plans] == [("FAK", 500_000)]  # 0.10·5 = 0.50 USDC
    assert [s.plan_id for s in result.signed] == [_plan_id("f1")]
    assert _refusals(result) == [("f1", "exec.lifecycle_manager", ("EXEC_VENUE_MIN_SIZE",), MIN_SPEND)]
    assert result.refusals[0].plan_id == _plan_id("f1")
    assert (result.order_events, result.fills, result.breaker) == ([], [], None)


def test_run_oms_when_five_identical_venue_rejections_then_breaker_refuses_later_intents(mk) -> None:
    # f0..f4 at 0..4 each refused EXEC_VENUE_MIN_SIZE: the 5th in a row trips the breaker (threshold 5);
    # i6 at 10, a valid resting BUY, is signed but held back by exec.batch_submitter.
    intents = [_below_min_spend(mk, f"f{n}", n) for n in range(5)] + [mk.intent("i6", 10)]
    result = _oms(mk, intents, instruments=_both_markets(mk))
    assert [r.reason_codes for r in result.refusals] == [("EXEC_VENUE_MIN_SIZE",)] * 5 + [("EXEC_REJECTION_BREAKER",)]
    last = result.refusals[-1]
    assert (last.intent_id, last.bot, last.detail, last.ts_ms) == ("i6", "exec.batch_submitter", BREAKER_DETAIL,
                                                                   mk.T0 + 10)  # fmt: skip
    assert result.breaker == BreakerCause("EXEC_VENUE_MIN_SIZE", 5, mk.T0, mk.T0 + 4)
    assert len(result.signed) == 6 and result.order_events == []  # i6 never reached the venue


def test_run_oms_when_four_rejections_or_a_success_between_then_breaker_holds(mk) -> None:
    # f0..f3 (4 in a row), i4 accepted at 4 (the run restarts), f5..f8 (4 in a row): never 5 → i9 at 10 is sent.
    intents = ([_below_min_spend(mk, f"f{n}", n) for n in (0, 1, 2, 3)] + [mk.intent("i4", 4, price="0.45")]
               + [_below_min_spend(mk, f"f{n}", n) for n in (5, 6, 7, 8)]
               + [mk.intent("i9", 10, token="12", price="0.30")])  # fmt: skip
    result = _oms(mk, intents, instruments=_both_markets(mk))
    assert result.breaker is None
    assert [r.intent_id for r in result.refusals] == ["f0", "f1", "f2", "f3", "f5", "f6", "f7", "f8"]
    assert _events(result, mk.T0) == [("i4", "LIVE", 4), ("i9", "LIVE", 10)]


def test_run_oms_when_breaker_trips_in_first_batch_then_second_batch_not_posted(mk) -> None:
    # 16 FAKs at 0 → batches of 15 + 1; the 5th rejection of the first batch trips the breaker, so f15 (second
    # batch, a separate POST /orders) should be refused EXEC_REJECTION_BREAKER, not sent.
    result = _oms(mk, [_below_min_spend(mk, f"f{n:02}", 0) for n in range(16)], instruments=_both_markets(mk))
    assert result.breaker == BreakerCause("EXEC_VENUE_MIN_SIZE", 5, mk.T0, mk.T0)
    last = result.refusals[-1]  # today: f15 refused by the venue, EXEC_VENUE_MIN_SIZE
    assert (last.intent_id, last.bot, last.reason_codes) == ("f15", "exec.batch_submitter", ("EXEC_REJECTION_BREAKER",))


# --- batches ----------------------------------------------------------------------------------------


def _batch_sizes(monkeypatch) -> list[int]:
    """Records the size of every ``POST /orders`` the mock CLOB answers (a lone order goes ``POST /order``)."""
    sizes: list[int] = []
    post_orders = MockClob.post_orders

    def spy(self, requests, ts_ms):
        sizes.append(len(requests))
        return post_orders(self, requests, ts_ms)

    monkeypatch.setattr(MockClob, "post_orders", spy)
    return sizes


def test_run_oms_when_sixteen_places_at_one_time_then_batches_of_fifteen_and_one(mk, monkeypatch) -> None:
    # 16 BUYs "11" 10 @ 0.45 at 0 (4.50 each, 72 USDC in all <= 10_000): all signed, posted 15 + 1, all resting.
    sizes = _batch_sizes(monkeypatch)
    result = _oms(mk, [mk.intent(f"p{n:02}", 0, price="0.45") for n in range(16)])
    assert sizes == [15, 1]
    assert len(result.signed) == 16 and result.refusals == []
    assert _events(result, mk.T0) == [(f"p{n:02}", "LIVE", 0) for n in range(16)]


def test_run_oms_when_lone_order_then_single_post_not_a_batch(mk, monkeypatch) -> None:
    sizes = _batch_sizes(monkeypatch)
    result = _oms(mk, [mk.intent("i1", 0)])
    assert sizes == [] and _events(result, mk.T0)[0] == ("i1", "LIVE", 0)


# --- input contract ----------------------------------------------------------------------------------


def test_run_oms_when_intent_id_repeats_then_refused_not_raised(mk) -> None:
    # The same id twice (at 0 and at 10): the second cannot be a new order (same plan id, same salt).
    result = _oms(mk, [mk.intent("i1", 0, price="0.45"), mk.intent("i1", 10, price="0.46")])
    assert [(r.intent_id, r.ts_ms - mk.T0) for r in result.refusals] == [("i1", 10)]
    assert _events(result, mk.T0) == [("i1", "LIVE", 0)]


# --- start-up ----------------------------------------------------------------------------------


def test_preflight_when_set_up_sound_then_nothing_raised(tmp_path) -> None:
    assert preflight(Rails.of(SHADOW, wallet.load({})), tmp_path) is None


def test_preflight_when_no_collateral_and_no_fixture_day_then_one_error_naming_both(tmp_path) -> None:
    rails = Rails.of(SHADOW, wallet.load({}), collateral_usdc=D(0))
    # the doctor's default minimum is 5 USDC: 0 < 5 fails; the day directory does not exist
    with pytest.raises(PreflightError) as caught:
        preflight(rails, tmp_path / "2030-01-01")
    message = str(caught.value)
    assert message.startswith("preflight failed: SEC_PREFLIGHT_FAILED ")
    assert "check=collateral" in message and "check=fixture_day" in message
    assert wallet.SHADOW_TEST_KEY.removeprefix("0x") not in message


def test_rails_when_amoy_then_signing_allowances_and_preflight_all_on_80002(mk) -> None:
    # POLYTRADERS_CHAIN_ID=80002: every config that names a chain follows the deployment, so orders are
    # signed (not refused SEC_SIGNER_UNAVAILABLE) for Amoy's exchange
    rails = Rails.of(SHADOW, wallet.load({"POLYTRADERS_CHAIN_ID": "80002"}))
    assert [rails.profile.config(s).model_dump() for s in ("sec.signing_service", "sec.allowance_checker")] == [
        {"chain_id": 80002}, {"chain_id": 80002}]
    assert rails.profile.config("sec.preflight_doctor").expected_chain_id == 80002
    result = _oms(mk, [mk.intent("i1", 0)], rails=rails)
    assert [(s.chain_id, s.exchange) for s in result.signed] == [(80002, exchange_address(80002, False))]
    assert result.refusals == []


def test_deployed_when_an_allow_listed_wallet_is_not_an_address_then_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="not-an-address"):
        deployed(SHADOW, ("not-an-address",), 137)


# --- guard verdicts ---------------------------------------------------------------------------

GUARDS = ["sec.wallet_permission_guard", "sec.allowance_checker", "sec.nonce_manager", "sec.signature_selftest"]


def test_run_oms_when_an_order_is_sent_then_each_guard_records_a_passed_verdict_in_order(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0)])
    assert [(v.bot, v.passed, v.reason_codes, v.plan_id) for v in result.verdicts] == [
        (bot, True, (), _plan_id("i1")) for bot in GUARDS]


def test_run_oms_when_the_wallet_guard_refuses_then_its_verdict_is_the_only_one(mk) -> None:
    rails = Rails.of(SHADOW, wallet.load({"POLYTRADERS_ALLOWED_WALLETS": "0x" + "2" * 40}))
    result = _oms(mk, [mk.intent("i1", 0)], rails=rails)
    assert [(v.bot, v.passed, v.reason_codes) for v in result.verdicts] == [
        ("sec.wallet_permission_guard", False, ("SEC_NOT_ALLOW_LISTED",))]
    assert result.verdicts[0].detail == result.refusals[0].detail


def test_run_oms_when_collateral_short_then_the_wallet_guard_passed_and_the_allowance_checker_refused(mk) -> None:
    result = _oms(mk, [mk.intent("i1", 0)], rails=Rails.of(SHADOW, wallet.load({}), collateral_usdc=D("1")))
    assert [(v.bot, v.passed, v.reason_codes) for v in result.verdicts] == [
        ("sec.wallet_permission_guard", True, ()), ("sec.allowance_checker", False, ("SEC_ALLOWANCE_INSUFFICIENT",))]
