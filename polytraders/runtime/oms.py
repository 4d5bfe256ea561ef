"""S8, the OMS: approved intents -> ExecutionPlan -> SignedOrderRequest -> the mock CLOB -> fills.

Only intents that left S7 with APPROVE or REDUCE arrive here. The day is walked in time order
(state is sequential: an order's fate changes what the next one may do); at each intent time the
venue first delivers its user-channel messages due by then, then resolutions cancel the resolved
markets' orders, then CANCEL intents are sent, then the PLACE intents of that time go through:

1. ``exec.smart_router`` — resting post-only GTC / GTD or marketable FAK / FOK, from the touch at
   that time; the neg-risk exchange from the market's flag (unknown: no route);
2. ``exec.order_shaper`` — tick grid, size and micro-unit amounts exact for the order type;
   ``exec.gtd_expiry_manager`` stamps a GTD expiry with the venue's one-minute buffer;
3. ``sec.wallet_permission_guard`` — signature type, allow-listed wallet / token, notional;
4. ``sec.allowance_checker`` — collateral / shares, less what open orders hold, and approvals;
5. ``sec.signing_service`` — EIP-712 CLOB V2 signing through the venue's SDK, for approved
   intents only; no builder code or an unknown neg-risk flag refuses (fail closed);
6. ``sec.nonce_manager`` — the salt is unique; ``sec.signature_selftest`` — the order hash is
   recomputed and the signer recovered before anything is sent;
7. ``exec.batch_submitter`` — ``POST /orders`` in batches of at most 15 (one ``POST /order`` for
   a lone order) after cancel-replacing the strategy's live quote of the same token and side;
8. ``exec.lifecycle_manager`` — reads each answer and the user channel's order and trade
   messages (parsed by the venue adapter); a venue rejection becomes an OrderRefusal with its
   reason code (``adapters.polymarket.rejections``), and a run of identical rejections trips the
   breaker: later intents are refused with EXEC_REJECTION_BREAKER and the cause is kept.

Every refusal at any step is an :class:`~polytraders.contracts.OrderRefusal` naming the bot and
its reason code: nothing approved is dropped silently. The session runs to the end of the day, so
every order ends filled, cancelled (by its strategy or at resolution) or still resting.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import groupby
from pathlib import Path

import polars as pl

from polytraders.adapters.mock_clob import OWNER_ID, MarketRules, MockClob
from polytraders.adapters.mock_venue import MICRO, BookTape
from polytraders.adapters.polymarket import normalise_user_frame
from polytraders.adapters.polymarket.rejections import BreakerCause, RejectionBreaker, reason_code
from polytraders.adapters.polymarket.signing import recover_signer
from polytraders.adapters.polymarket.wallets import exchange_address
from polytraders.bots.base import Rejection
from polytraders.bots.exec import batch_submitter, lifecycle_manager, smart_router
from polytraders.bots.sec import allowance_checker
from polytraders.bots.sec.nonce_manager import NonceBook
from polytraders.contracts import (
    ExecutionPlan,
    Fill,
    GuardVerdict,
    InstrumentRecord,
    MarketResolution,
    OrderEvent,
    OrderIntent,
    OrderRefusal,
    QuarantineRecord,
    SignedOrderRequest,
)
from polytraders.contracts.types import OrderType, Side
from polytraders.runtime.profile import Profile, bot_module
from polytraders.runtime.wallet import WalletSetup

BREAKER = "EXEC_REJECTION_BREAKER"
#: The mock venue's starting collateral for the wallet when the run names none (USDC).
DEFAULT_COLLATERAL_USDC = Decimal(10_000)
GUARD = "sec.wallet_permission_guard"
#: An ERC-20 allowance of 2^256 - 1: the shadow wallet approved the exchanges once, unlimited.
_UNLIMITED = 2**256 - 1


@dataclass(frozen=True, slots=True)
class Rails:
    """S8's set-up for one run: the profile (the exec / sec bots' configs), who signs, and the
    collateral the mock venue starts the wallet with (USDC)."""

    profile: Profile
    wallet: WalletSetup
    collateral_usdc: Decimal = DEFAULT_COLLATERAL_USDC

    @classmethod
    def of(cls, profile: Profile, wallet: WalletSetup, collateral_usdc: Decimal = DEFAULT_COLLATERAL_USDC) -> Rails:
        """Rails over :func:`deployed` ``profile`` for ``wallet``'s allow-list and chain."""
        return cls(deployed(profile, wallet.allowed_wallets, wallet.signer.chain_id), wallet, collateral_usdc)


class PreflightError(RuntimeError):
    """A start-up check of sec.preflight_doctor failed: nothing is run (the message lists them)."""


def preflight(rails: Rails, day_dir: Path) -> None:
    """Run sec.preflight_doctor over ``rails`` before a run over ``day_dir``: a signing key, a
    wallet whose type fits its maker / signer, a venue chain, the exchange contracts orders are
    signed for equal to the venue SDK's for that chain, the starting collateral, the fixture day.

    Raises :class:`PreflightError` naming every failed check (never a key: the doctor sees only
    the key's address)."""
    doctor = bot_module("sec.preflight_doctor")
    signer = rails.wallet.signer
    chain = signer.chain_id
    config = rails.profile.config(doctor.SLUG)
    found = doctor.run(doctor.Preflight(
        signer_address=signer.wallet.signer, wallet=signer.wallet, chain_id=chain,
        exchange=exchange_address(chain, False), neg_risk_exchange=exchange_address(chain, True),
        collateral_micro=int(rails.collateral_usdc * MICRO), fixture_day_dir=day_dir), config)
    if found:
        raise PreflightError("preflight failed: " + "; ".join(f"{r.code} {_detail(r) or ''}".rstrip() for r in found))


#: The configs the deployment decides, not the bots' defaults: bot -> {field: what it is set to}.
_DEPLOYED = {GUARD: "allowed_wallets", "sec.signing_service": "chain_id", "sec.allowance_checker": "chain_id",
             "sec.preflight_doctor": "expected_chain_id"}


def deployed(profile: Profile, allowed_wallets: tuple[str, ...], chain_id: int) -> Profile:
    """``profile`` with the wallets allowed to trade (sec.wallet_permission_guard) and the chain
    orders are signed, funded and checked for (sec.signing_service, sec.allowance_checker,
    sec.preflight_doctor) set to the deployment's.

    Raises pydantic.ValidationError (a ValueError) naming a value the bot's config refuses, e.g.
    an allow-listed wallet that is not an address."""
    values = {"allowed_wallets": allowed_wallets, "chain_id": chain_id, "expected_chain_id": chain_id}
    configs = dict(profile.configs)
    for slug, name in _DEPLOYED.items():
        config = profile.config(slug)
        configs[slug] = type(config).model_validate({**config.model_dump(), name: values[name]})
    return replace(profile, configs=configs)


@dataclass(slots=True)
class OmsResult:
    """What S8 produced, in time order.

    ``plans`` / ``signed``: every plan built and every order signed (a signed order may still be
    refused by the venue); ``refusals``: every approved intent that did not reach the venue, or
    that the venue refused; ``verdicts``: each sec guard's check of each plan (wallet permissions,
    allowances, salt, self-test), passed or refused; ``order_events``: the user channel's order
    messages; ``fills``: each fill once, in its last trade status (FAILED ones left out); ``anomalies``: user-channel
    messages that did not parse or that the lifecycle refused (overfill, illegal transition), as
    QuarantineRecords; ``breaker``: the cause when the rejection breaker tripped;
    ``signing_s``: seconds spent signing and self-testing.
    """

    plans: list[ExecutionPlan] = field(default_factory=list)
    signed: list[SignedOrderRequest] = field(default_factory=list)
    refusals: list[OrderRefusal] = field(default_factory=list)
    verdicts: list[GuardVerdict] = field(default_factory=list)
    order_events: list[OrderEvent] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    anomalies: list[QuarantineRecord] = field(default_factory=list)
    breaker: BreakerCause | None = None
    signing_s: float = 0.0


def market_rules(instruments: dict[str, InstrumentRecord]) -> dict[str, MarketRules]:
    """The mock venue's rules per token id, from the registry (markets whose neg-risk flag is
    unknown are left out: nothing can be signed for them)."""
    return {
        token.token_id: MarketRules(
            condition_id=record.condition_id, tick_size=record.tick_size, min_order_size=record.min_order_size,
            neg_risk=record.neg_risk,
            taker_fee_rate_bps=int(record.fees.taker_fee_rate * 10_000) if record.fees and record.fees.fees_enabled
            else 0)
        for record in instruments.values() if record.neg_risk is not None
        for token in record.tokens
    }


class _Oms:
    """The S8 fold (see the module docstring); one instance per run."""

    def __init__(self, instruments: dict[str, InstrumentRecord], tape: BookTape,
                 resolutions: Sequence[MarketResolution], rails: Rails) -> None:
        self.instruments, self.tape, self.rails = instruments, tape, rails
        self.profile = rails.profile
        signer = rails.wallet.signer
        self.expected_signer = signer.wallet.signer
        self.clob = MockClob(tape, market_rules(instruments), int(rails.collateral_usdc * MICRO),
                             verify=lambda request: recover_signer(request) == self.expected_signer,
                             chain_id=signer.chain_id)
        self.lifecycle = lifecycle_manager.Lifecycle(self._config(lifecycle_manager.SLUG))
        self.breaker = RejectionBreaker()
        self.nonces = NonceBook()
        self.result = OmsResult()
        self.resolutions = sorted(resolutions, key=lambda r: r.ts_ms)
        self.next_resolution = 0
        self.plan_of_intent: dict[str, str] = {}
        self.plans: dict[str, ExecutionPlan] = {}
        self.plan_of_order: dict[str, str] = {}
        self.signed: dict[str, SignedOrderRequest] = {}
        self.strategy_of_plan: dict[str, str] = {}
        self.live_quote: dict[tuple[str, str, Side], str] = {}
        self.fills: dict[str, Fill] = {}
        self.approved: set[str] = set()
        self.pending: list[SignedOrderRequest] = []  # signed this step, not yet submitted: they hold funds too

    def _config(self, slug: str):
        return self.profile.config(slug)

    def _refuse(self, intent: OrderIntent, bot: str, rejection: Rejection, plan_id: str | None = None) -> None:
        self._record(intent.intent_id, intent.ts_ms, bot, rejection.code, _detail(rejection), plan_id)

    def _record(self, intent_id: str, ts_ms: int, bot: str, code: str, detail: str | None,
                plan_id: str | None) -> None:
        """One OrderRefusal: ``bot`` refused ``intent_id`` (its plan, if built) at ``ts_ms`` with ``code``."""
        self.result.refusals.append(OrderRefusal(intent_id=intent_id, plan_id=plan_id, bot=bot, ts_ms=ts_ms,
                                                 reason_codes=(code,), detail=detail))

    # --- time -----------------------------------------------------------------------------------

    def advance(self, ts_ms: int) -> None:
        """Deliver the venue's messages due by ``ts_ms``, resolving markets at their times."""
        while self.next_resolution < len(self.resolutions) and self.resolutions[self.next_resolution].ts_ms <= ts_ms:
            resolution = self.resolutions[self.next_resolution]
            self._drain(resolution.ts_ms)
            for order in self.lifecycle.open_orders():
                if order.condition_id == resolution.condition_id:
                    self._cancel(order.plan_id, resolution.ts_ms)
            self.next_resolution += 1
        self._drain(ts_ms)

    def _drain(self, ts_ms: int) -> None:
        for raw in self.clob.advance(ts_ms):
            for item in normalise_user_frame(raw, ts_ms, OWNER_ID):
                if isinstance(item, QuarantineRecord):
                    self.result.anomalies.append(item)
                elif isinstance(item, OrderEvent):
                    self._apply(self.lifecycle.on_order_event(item), item.ts_ms, raw)
                    plan = self.plans.get(self.plan_of_order.get(item.order_id, ""))
                    self.result.order_events.append(
                        item if plan is None else item.model_copy(update={"intent_id": plan.intent_id}))
                elif isinstance(item, Fill):
                    if self._apply(self.lifecycle.on_trade(item), item.ts_ms, raw):
                        first = self.fills.get(item.fill_id, item)  # the match's own time and terms
                        self.fills[item.fill_id] = first.model_copy(update={"trade_status": item.trade_status})

    def _apply(self, update: lifecycle_manager.Update | Rejection, ts_ms: int, raw: str) -> bool:
        """Send what an update says to send now; keep a lifecycle refusal as an anomaly. True when
        the message was accepted."""
        if isinstance(update, Rejection):
            self.result.anomalies.append(_anomaly(update, ts_ms, raw))
            return False
        for cancel in update.send:
            self.clob.cancel(cancel.order_id, ts_ms)
        return True

    def _cancel(self, plan_id: str, ts_ms: int) -> None:
        update = self.lifecycle.cancel(plan_id, ts_ms)
        if not isinstance(update, Rejection):
            self._apply(update, ts_ms, "")

    # --- one time step --------------------------------------------------------------------------

    def step(self, ts_ms: int, intents: list[OrderIntent]) -> None:
        """The intents of one time: CANCELs first, then the PLACEs prepared and submitted together."""
        self.advance(ts_ms)
        for intent in intents:
            if intent.kind == "CANCEL":
                plan_id = self.plan_of_intent.get(str(intent.cancels_intent_id))
                if plan_id is not None:
                    self._cancel(plan_id, ts_ms)
        for intent in intents:
            if intent.kind == "PLACE":
                self._prepare(intent)
        ready, self.pending = self.pending, []
        self._submit(ts_ms, ready)

    def _prepare(self, intent: OrderIntent) -> None:
        """Steps 1-6 of the module docstring: the signed order joins :attr:`pending`, or a refusal
        is recorded."""
        if intent.intent_id in self.plan_of_intent:  # its plan and salt exist already: a second order would reuse them
            self._refuse(intent, "sec.nonce_manager", Rejection("SEC_NONCE_REUSED", {"intent_id": intent.intent_id}))
            return
        instrument = self.instruments.get(intent.condition_id)
        shaper = bot_module("exec.order_shaper")
        if instrument is None:
            unknown = Rejection("EXEC_UNKNOWN_INSTRUMENT", {"condition_id": intent.condition_id})
            self._refuse(intent, shaper.SLUG, unknown)
            return
        touch = self.tape.snapshot_at(intent.token_id, intent.ts_ms)
        routed = smart_router.route(intent, instrument, touch and touch.best_bid, touch and touch.best_ask,
                                    self._config(smart_router.SLUG))
        if isinstance(routed, Rejection):
            self._refuse(intent, smart_router.SLUG, routed)
            return
        routed_intent = intent.model_copy(update={"order_type": routed.order_type, "post_only": routed.post_only})
        plan = shaper.shape(routed_intent, intent.size, instrument, self._config(shaper.SLUG))
        if isinstance(plan, Rejection):
            self._refuse(intent, shaper.SLUG, plan)
            return
        if plan.order_type is OrderType.GTD:
            gtd = bot_module("exec.gtd_expiry_manager")
            plan = gtd.with_expiry(plan, routed.lifetime_s, self._config(gtd.SLUG))
            if isinstance(plan, Rejection):
                self._refuse(intent, gtd.SLUG, plan)
                return
        self.plans[plan.plan_id] = plan
        self.plan_of_intent[intent.intent_id] = plan.plan_id
        self.strategy_of_plan[plan.plan_id] = intent.strategy
        for check in (self._guard, self._allowance):
            slug, rejection = check(plan)
            if not self._checked(plan, slug, rejection):
                self._refuse(intent, slug, rejection, plan_id=plan.plan_id)
                return
        self._sign(intent, plan)

    def _checked(self, plan: ExecutionPlan, slug: str, rejection: Rejection | None) -> bool:
        """Record ``slug``'s verdict on ``plan`` (a GuardVerdict, passed or refused); True if it passed."""
        self.result.verdicts.append(GuardVerdict(
            plan_id=plan.plan_id, intent_id=plan.intent_id, bot=slug, ts_ms=plan.ts_ms, passed=rejection is None,
            reason_codes=() if rejection is None else (rejection.code,),
            detail=None if rejection is None else _detail(rejection)))
        return rejection is None

    def _guard(self, plan: ExecutionPlan) -> tuple[str, Rejection | None]:
        guard = bot_module(GUARD)
        frame = pl.DataFrame({"intent_id": [plan.intent_id], "token_id": [plan.token_id],
                              "price": [plan.price], "size": [plan.size]})
        verdict = guard.guard(frame, self.rails.wallet.wallet, self._config(GUARD)).row(0, named=True)
        code = verdict["reason_code"]
        return guard.SLUG, None if code is None else Rejection(code, {"detail": verdict["detail"]})

    def _allowance(self, plan: ExecutionPlan) -> tuple[str, Rejection | None]:
        chain = self.rails.wallet.signer.chain_id
        spenders = allowance_checker.spenders(chain, bool(plan.neg_risk)) if plan.neg_risk is not None else ()
        state = allowance_checker.Allowances(
            collateral_micro=self.clob.collateral_micro,
            collateral_allowance_micro=dict.fromkeys(spenders, _UNLIMITED),
            token_balance_micro={plan.token_id: self.clob.shares_micro(plan.token_id)},
            approved_for_all=dict.fromkeys(spenders, True),
        )
        holding = [self.signed[order.plan_id] for order in self.lifecycle.open_orders() if order.plan_id in self.signed]
        reserved = sum(
            request.maker_amount for request in (*holding, *self.pending)
            if request.side is plan.side and (plan.side is Side.BUY or request.token_id == plan.token_id)
        )
        return allowance_checker.SLUG, allowance_checker.check(plan, state, self._config(allowance_checker.SLUG),
                                                               reserved_micro=reserved)

    def _sign(self, intent: OrderIntent, plan: ExecutionPlan) -> None:
        service, selftest = bot_module("sec.signing_service"), bot_module("sec.signature_selftest")
        started = time.perf_counter()
        signed = service.sign(plan, self.approved, self.rails.wallet.signer, self._config(service.SLUG))
        checked = None if isinstance(signed, Rejection) else selftest.check(signed, self.expected_signer)
        self.result.signing_s += time.perf_counter() - started
        if isinstance(signed, Rejection):
            self._refuse(intent, service.SLUG, signed, plan.plan_id)
            return
        reused = self.nonces.claim(signed.salt, plan.plan_id)
        for slug, rejection in (("sec.nonce_manager", reused), (selftest.SLUG, checked)):
            if not self._checked(plan, slug, rejection):
                self._refuse(intent, slug, rejection, plan.plan_id)
                return
        self.signed[plan.plan_id] = signed
        self.pending.append(signed)
        self.plan_of_order[signed.order_hash] = plan.plan_id

    def _submit(self, ts_ms: int, ready: list[SignedOrderRequest]) -> None:
        """Step 7-8: cancel-replace, then batches to the venue; answers to the lifecycle. Once the
        breaker has tripped, no further batch is posted: its orders are refused EXEC_REJECTION_BREAKER."""
        for request in ready:
            key = (self.strategy_of_plan[request.plan_id], request.token_id, request.side)
            previous = self.live_quote.get(key)
            if previous is not None:
                self._cancel(previous, ts_ms)
        config = self._config(batch_submitter.SLUG)
        single = not smart_router.use_batch(len(ready), self._config(smart_router.SLUG))
        for batch in batch_submitter.batches(ready, config):
            if self.breaker.tripped:
                self._held_back(batch, ts_ms)
                continue
            for request in batch:
                self.lifecycle.submitted(self.plans[request.plan_id], request.order_hash, ts_ms)
            answers = [self.clob.post_order(batch[0], ts_ms)] if single else self.clob.post_orders(batch, ts_ms)
            for request, answer in zip(batch, answers, strict=True):
                self._answered(request, answer, ts_ms)

    def _held_back(self, batch: list[SignedOrderRequest], ts_ms: int) -> None:
        cause = self.breaker.cause
        for request in batch:
            plan = self.plans[request.plan_id]
            self._record(plan.intent_id, ts_ms, batch_submitter.SLUG, BREAKER,
                         f"breaker tripped by {cause.count} x {cause.code}", plan.plan_id)

    def _answered(self, request: SignedOrderRequest, answer: dict, ts_ms: int) -> None:
        plan = self.plans[request.plan_id]
        update = self.lifecycle.on_response(plan.plan_id, answer, ts_ms)
        if isinstance(update, Rejection):
            self.result.anomalies.append(_anomaly(update, ts_ms, str(answer)))
            return
        if update.order.state is lifecycle_manager.OrderState.REJECTED:
            code = reason_code(update.order.error)
            self._record(plan.intent_id, ts_ms, lifecycle_manager.SLUG, code, update.order.error, plan.plan_id)
            if self.breaker.record(code, ts_ms):
                self.result.breaker = self.breaker.cause
            return
        self.breaker.record_success()
        self.live_quote[(self.strategy_of_plan[plan.plan_id], plan.token_id, plan.side)] = plan.plan_id


def _detail(rejection: Rejection) -> str | None:
    """A rejection's details as ``key=value, ...`` (sorted), None when it has none."""
    return ", ".join(f"{k}={v}" for k, v in sorted(rejection.details.items())) or None


def _anomaly(rejection: Rejection, ts_ms: int, raw: str) -> QuarantineRecord:
    """A venue message or answer the lifecycle refused, kept whole with the lifecycle's code."""
    return QuarantineRecord(source=lifecycle_manager.SLUG, receive_ts_ms=ts_ms, reason_code=rejection.code,
                            detail=_detail(rejection) or rejection.code, raw=raw,
                            provenance_hash=hashlib.sha256(raw.encode()).hexdigest())


def run_oms(approved: Sequence[OrderIntent], instruments: dict[str, InstrumentRecord], tape: BookTape,
            resolutions: Sequence[MarketResolution], rails: Rails, end_ts_ms: int) -> OmsResult:
    """Work ``approved`` intents (S7's APPROVE / REDUCE, reduced sizes applied) on the mock CLOB in
    time order and run the venue to ``end_ts_ms`` (epoch ms UTC); see the module docstring.

    ``instruments`` maps condition id -> InstrumentRecord. Refusals are values
    (:attr:`OmsResult.refusals`), never exceptions.
    """
    oms = _Oms(instruments, tape, resolutions, rails)
    ordered = sorted(approved, key=lambda i: (i.ts_ms, i.kind != "CANCEL", i.intent_id))
    oms.approved = {i.intent_id for i in ordered}
    for ts_ms, group in groupby(ordered, key=lambda i: i.ts_ms):
        oms.step(ts_ms, list(group))
    oms.advance(end_ts_ms)
    oms.result.plans, oms.result.signed = list(oms.plans.values()), list(oms.signed.values())
    counted = {plan_id for plan_id in oms.plans
               if (order := oms.lifecycle.order(plan_id)) is not None and order.filled > 0}
    oms.result.fills = sorted(
        (f for f in oms.fills.values()
         if f.trade_status != "FAILED" and oms.plan_of_order.get(f.order_id) in counted),
        key=lambda f: (f.ts_ms, f.fill_id))
    return oms.result
