"""The bot manifest: the 109 bots of the frozen catalogue (``design/bots.md``) as data.

Each :class:`BotSpec` is the one place a bot's metadata lives: slug, class, build phase, runtime
stages, capital impact, supported modes, the wire object it emits, the reason codes it may emit,
its version and a one-line summary of its logic. Bot modules carry only ``SLUG`` and ``VERSION``;
everything else is read from here. Readiness is not stored: :mod:`polytraders.bots.readiness`
computes it from evidence.

Class defaults (overridden per row where the catalogue says so):

====== ===== ========== ========= ======================= ===================
class  phase stages     impact    emits                   modes
====== ===== ========== ========= ======================= ===================
intel  2     S4         Indirect  Signal                  shadow
disc   2     S1, S2     Indirect  Candidate               shadow
strat  8     S5, S6     Direct    OrderIntent             shadow
risk   4     S7         per row   RiskVote                shadow, quarantine
exec   5     S6, S8     Direct    ExecutionPlan           shadow, quarantine
sec    5     S8         Critical  GuardVerdict            shadow, quarantine
gov    7     S10, S11   Indirect  ReportEnvelope          shadow
====== ===== ========== ========= ======================= ===================

``sec`` emits: only ``sec.signing_service`` produces a ``SignedOrderRequest``. The other eight sec
bots are guards on the signing path: each check's outcome is a ``GuardVerdict`` (passed, or
refused with the :class:`~polytraders.bots.base.Rejection`'s code), :data:`GUARD_VERDICT`. Every
``emits`` is the name of a wire object in :data:`polytraders.contracts.WIRE_MODELS`.

Reason codes: the risk codes are the catalogue's; the others were derived from each bot's logic
line, and reuse the registered codes where one fits. Codes match
:data:`~polytraders.contracts.reason_codes.REASON_CODE_PATTERN`; a code is registered in the
contracts registry when the bot that emits it is implemented, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from polytraders.contracts import WIRE_MODELS
from polytraders.contracts.reason_codes import REASON_CODE_PATTERN

#: The venue's rejections as exec.lifecycle_manager reads them off the mock CLOB's answers
#: (``adapters.polymarket.rejections``).
VENUE_REJECTIONS: tuple[str, ...] = (
    "EXEC_VENUE_BALANCE_ALLOWANCE", "EXEC_VENUE_INVALID_SIGNATURE", "EXEC_VENUE_TICK", "EXEC_VENUE_MIN_SIZE",
    "EXEC_VENUE_POST_ONLY_CROSS", "EXEC_VENUE_NOT_READY", "EXEC_VENUE_AMOUNT_PRECISION", "EXEC_VENUE_FOK_UNFILLED",
    "EXEC_VENUE_REJECTED",
)
#: The bot classes, in pipeline order.
BOT_CLASSES: tuple[str, ...] = ("intel", "disc", "strat", "risk", "exec", "sec", "gov")
#: The runtime stages S1..S11 (see ``design/architecture.md``).
STAGES: tuple[str, ...] = tuple(f"S{n}" for n in range(1, 12))
#: The build phases P1..P8.
PHASES: tuple[int, ...] = tuple(range(1, 9))
#: ``emits`` of a sec guard: one GuardVerdict per check (passed, or refused with its code).
GUARD_VERDICT = "GuardVerdict"


class Mode(StrEnum):
    """How the runtime runs a bot. ``live`` is refused unless a bot is production-live (none is)."""

    SHADOW = "shadow"
    QUARANTINE = "quarantine"
    LIVE = "live"


class CapitalImpact(StrEnum):
    """What a wrong answer of the bot can do, worst first."""

    CRITICAL = "Critical"  # can lose funds or sign something it must not
    DIRECT = "Direct"  # shapes orders or positions
    INDIRECT = "Indirect"  # informs others only


class UnknownBotError(KeyError):
    """Raised by :func:`get` for a slug that is not in the manifest."""


@dataclass(frozen=True, slots=True)
class BotSpec:
    """One bot of the catalogue. Construction checks every field against its allowed set.

    Attributes:
        slug: ``<bot_class>.<name>``, stable forever (a retired bot keeps it, ``deprecated``).
        bot_class: one of :data:`BOT_CLASSES`.
        name: module name, ``[a-z0-9_]+``.
        phase: build phase, 1..8.
        stages: runtime stages it runs in, e.g. ``("S7",)``.
        capital_impact: see :class:`CapitalImpact`.
        modes: supported modes; never :attr:`Mode.LIVE`.
        emits: wire object name it emits (or :data:`GUARD_VERDICT`).
        reason_codes: reason codes it may emit.
        version: semver of the bot's logic.
        summary: the catalogue's logic line.
        deprecated: a tombstone: the slug stays reserved, the bot no longer runs.
    """

    slug: str
    bot_class: str
    name: str
    phase: int
    stages: tuple[str, ...]
    capital_impact: CapitalImpact
    modes: tuple[Mode, ...]
    emits: str
    reason_codes: tuple[str, ...]
    version: str
    summary: str
    deprecated: bool = False

    def __post_init__(self) -> None:
        problems = []
        if self.bot_class not in BOT_CLASSES:
            problems.append(f"bot_class {self.bot_class!r} not in {BOT_CLASSES}")
        if self.slug != f"{self.bot_class}.{self.name}":
            problems.append(f"slug is not '<bot_class>.<name>' = {self.bot_class}.{self.name}")
        if self.phase not in PHASES:
            problems.append(f"phase {self.phase} not in {PHASES}")
        problems += [f"stage {stage!r} not in S1..S11" for stage in self.stages if stage not in STAGES]
        if Mode.SHADOW not in self.modes or Mode.LIVE in self.modes:
            problems.append(f"modes {[str(m) for m in self.modes]} must include shadow and exclude live")
        if self.emits not in WIRE_MODELS and self.emits != GUARD_VERDICT:
            problems.append(f"emits {self.emits!r} is neither a wire object nor {GUARD_VERDICT!r}")
        problems += [
            f"reason code {code!r} breaks {REASON_CODE_PATTERN.pattern}"
            for code in self.reason_codes
            if not REASON_CODE_PATTERN.fullmatch(code)
        ]
        if problems:
            raise ValueError(f"invalid BotSpec {self.slug!r}: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class _ClassDefaults:
    phase: int
    stages: tuple[str, ...]
    capital_impact: CapitalImpact
    emits: str
    modes: tuple[Mode, ...]


_SHADOW = (Mode.SHADOW,)
_GUARDED = (Mode.SHADOW, Mode.QUARANTINE)
_C, _D, _I = CapitalImpact.CRITICAL, CapitalImpact.DIRECT, CapitalImpact.INDIRECT
_DEFAULTS: dict[str, _ClassDefaults] = {
    "intel": _ClassDefaults(2, ("S4",), _I, "Signal", _SHADOW),
    "disc": _ClassDefaults(2, ("S1", "S2"), _I, "Candidate", _SHADOW),
    "strat": _ClassDefaults(8, ("S5", "S6"), _D, "OrderIntent", _SHADOW),
    "risk": _ClassDefaults(4, ("S7",), _D, "RiskVote", _GUARDED),
    "exec": _ClassDefaults(5, ("S6", "S8"), _D, "ExecutionPlan", _GUARDED),
    "sec": _ClassDefaults(5, ("S8",), _C, GUARD_VERDICT, _GUARDED),
    "gov": _ClassDefaults(7, ("S10", "S11"), _I, "ReportEnvelope", _SHADOW),
}


def _bot(
    bot_class: str,
    name: str,
    summary: str,
    reason_codes: tuple[str, ...],
    *,
    phase: int | None = None,
    stages: tuple[str, ...] | None = None,
    capital_impact: CapitalImpact | None = None,
    emits: str | None = None,
    version: str = "0.1.0",
) -> BotSpec:
    """One spec: the class defaults, overridden by the given keywords (``version``: the logic's
    semver, bumped when a bot's behaviour changes)."""
    defaults = _DEFAULTS[bot_class]
    return BotSpec(
        slug=f"{bot_class}.{name}",
        bot_class=bot_class,
        name=name,
        phase=defaults.phase if phase is None else phase,
        stages=defaults.stages if stages is None else stages,
        capital_impact=capital_impact or defaults.capital_impact,
        modes=defaults.modes,
        emits=emits or defaults.emits,
        reason_codes=reason_codes,
        version=version,
        summary=summary,
    )


_intel, _disc, _strat = partial(_bot, "intel"), partial(_bot, "disc"), partial(_bot, "strat")
_risk, _exec = partial(_bot, "risk"), partial(_bot, "exec")
_sec, _gov = partial(_bot, "sec"), partial(_bot, "gov")

_EMPTY = ("INTEL_EMPTY_SIDE",)
_WARMUP = ("INTEL_WARMUP",)
_QUOTE = ("STRAT_QUOTE", "STRAT_QUOTE_PULL")

# fmt: off
BOTS: tuple[BotSpec, ...] = (
    # intel: P2, S4, Indirect, Signal.
    _intel("microprice", "size-weighted microprice over the top N levels", _EMPTY, stages=("S4", "S5")),
    _intel("book_imbalance", "(bid size − ask size) / total over the top N levels, in [−1, 1]", _EMPTY),
    _intel("ofi", "order-flow imbalance: signed change of best-level queues between snapshots, as a z-score",
           _EMPTY + _WARMUP),
    _intel("trade_flow_ewma", "time-decayed signed aggressor volume and its z-score (TR)",
           ("INTEL_NO_TRADES", "INTEL_WARMUP")),
    _intel("trade_intensity_kappa", "fill-intensity κ estimate used by Avellaneda–Stoikov quoting (TR, OBS)",
           ("INTEL_NO_TRADES", "INTEL_KAPPA_UNFIT")),
    _intel("vol_ratio", "short/long half-life realised volatility of mid or fair value", _WARMUP),
    _intel("markout_toxicity",
           "EWMA of adverse price move 30 s / 60 s after each (simulated) fill (FILL, OBS)",
           ("INTEL_NO_FILLS", "INTEL_MARKOUT_PENDING")),
    _intel("shock_detector",
           "sweep (print ≥ k × typical size or ≥ x % of near-touch depth) or jump ≥ N ticks → EVENT",
           ("INTEL_SHOCK_SWEEP", "INTEL_SHOCK_JUMP")),
    _intel("regime_classifier",
           "QUIET / TRENDING / EVENT / REDUCE_ONLY / HALTED from vol, shock and time to end",
           ("INTEL_REGIME_QUIET", "INTEL_REGIME_TRENDING", "INTEL_REGIME_EVENT", "INTEL_REGIME_REDUCE_ONLY",
            "INTEL_REGIME_HALTED")),
    _intel("complement_gap", "YES ask + NO ask − 1 and YES bid + NO bid − 1, depth-aware",
           _EMPTY + ("INTEL_COMPLEMENT_MISSING",)),
    _intel("negrisk_sum", "Σ YES asks − 1 (and Σ bids − 1) across the outcomes of a neg-risk event",
           _EMPTY + ("INTEL_NEGRISK_INCOMPLETE",)),
    _intel("sibling_lag", "one outcome of an event reprices while its siblings have not after T seconds",
           ("INTEL_SIBLING_LAG",)),
    _intel("time_to_resolution", "hours to end date → taper factor in [0, 1] (INS, MS)",
           ("INTEL_NO_END_DATE",)),
    _intel("depth_profile", "cumulative depth within k ticks of the touch and its slope, per side", _EMPTY),
    _intel("vwap_deviation", "last trade vs rolling VWAP, in ticks (TR)",
           ("INTEL_NO_TRADES", "INTEL_WARMUP")),
    _intel("quote_stability", "touch flicker: best-price changes per minute, and mean touch lifetime",
           _WARMUP),
    _intel("activity_rate", "book updates and trades per minute vs the market's own baseline", _WARMUP),
    # disc: P2, S1-S2, Indirect, Candidate.
    _disc("universe_scanner", "markets that are active, accepting orders, not closed, with a live order book",
          ("DISC_UNIVERSE_ADMITTED", "DISC_NOT_ACTIVE", "DISC_NO_LIVE_BOOK")),
    _disc("reward_ranker",
          "rank by liquidity-reward share (rewards max spread / min size) net of spread and extremity",
          ("DISC_REWARD_RANKED", "DISC_NO_REWARDS")),
    _disc("new_market_sniffer",
          "newly listed markets; waits out the book hydration window before admitting them",
          ("DISC_NEW_MARKET", "DISC_HYDRATING")),
    _disc("negrisk_group_mapper",
          "event → outcome groups for neg-risk markets; flags groups that are not exhaustive",
          ("DISC_NEGRISK_GROUP", "DISC_NEGRISK_NOT_EXHAUSTIVE")),
    _disc("quality_filter",
          "minimum depth, volume and age; maximum spread; price inside a band; no book gaps",
          ("DISC_THIN_DEPTH", "DISC_LOW_VOLUME", "DISC_TOO_YOUNG", "DISC_WIDE_SPREAD",
           "DISC_PRICE_OUT_OF_BAND", "DISC_BOOK_GAP")),
    _disc("recurring_series_rotator",
          "rolls recurring series (daily / short-horizon up-down markets) to the next instance",
          ("DISC_SERIES_ROLLED", "DISC_SERIES_NO_NEXT")),
    # strat: S5-S6, Direct, OrderIntent; maker_tight P6, the rest P8.
    _strat("maker_tight", "quote both sides one tick inside fair value, at the tick floor, sticky repricing",
           _QUOTE, phase=6),
    _strat("maker_avellaneda", "reservation price r = s − qγσ²(T − t), spread from κ; T = time to resolution",
           _QUOTE),
    _strat("maker_inventory_skew", "skew price and size toward target inventory; stop adding past a soft cap",
           _QUOTE + ("STRAT_INVENTORY_SOFT_CAP",)),
    _strat("maker_reward_farmer", "minimum reward-qualifying size inside the rewards max-spread band",
           _QUOTE + ("STRAT_OUTSIDE_REWARD_BAND",)),
    _strat("maker_rebate_harvester", "quote fee-enabled markets where maker rebates pay for the spread",
           _QUOTE + ("STRAT_FEES_DISABLED",)),
    _strat("maker_complement_pair",
           "paired bids on YES and NO; merge filled pairs for the locked edge 1 − p − q",
           _QUOTE + ("STRAT_PAIR_MERGE",)),
    _strat("maker_layered_bands", "several price bands, each with min / target / max size", _QUOTE),
    _strat("maker_amm_ladder", "concentrated-liquidity ladder between p_min and p_max",
           _QUOTE + ("STRAT_OUTSIDE_RANGE",)),
    _strat("maker_vol_tox_adaptive", "half-spread = base + a·σ + b·toxicity; shrink size when toxic",
           _QUOTE + ("STRAT_TOXIC_SHRINK",)),
    _strat("maker_penny_jump", "join or improve the best price by one tick, within limits",
           _QUOTE + ("STRAT_JUMP_LIMIT",)),
    _strat("maker_ping_pong", "after a fill, quote only the opposite side",
           _QUOTE + ("STRAT_OPPOSITE_ONLY",)),
    _strat("maker_hanging_orders", "keep the opposite order after a fill to capture the spread",
           _QUOTE + ("STRAT_HANGING_KEPT",)),
    _strat("maker_regime_switch", "QUIET farm, TRENDING lean at half size, EVENT pull and cool off",
           _QUOTE + ("STRAT_COOL_OFF",)),
    _strat("arb_binary_complement", "buy YES + NO when asks sum < 1 − costs", ("STRAT_ARB_COMPLEMENT",)),
    _strat("arb_negrisk_basket", "buy every YES of a neg-risk event when Σ asks < 1 − costs",
           ("STRAT_ARB_NEGRISK",)),
    _strat("arb_split_sell", "split collateral into YES + NO and sell both when bids sum > 1 + costs",
           ("STRAT_ARB_SPLIT_SELL",)),
    _strat("arb_deep_book", "the complement checks at levels 2–3 using sweep cost", ("STRAT_ARB_DEEP_BOOK",)),
    _strat("arb_sibling_spike_lag", "trade the lagging siblings after one outcome reprices",
           ("STRAT_SIBLING_LAG_ENTRY",)),
    _strat("dir_model_fv_taker", "take when |fair value − price| > fees + slippage + edge",
           ("STRAT_FV_EDGE_TAKE",)),
    _strat("dir_near_resolution_carry", "buy 0.95–0.99 outcomes near resolution, gated on dispute risk",
           ("STRAT_CARRY_ENTRY", "STRAT_DISPUTE_RISK")),
    _strat("dir_momentum", "follow sustained order-flow and price drift", ("STRAT_MOMENTUM_ENTRY",)),
    _strat("dir_mean_reversion", "fade deviations from rolling VWAP in quiet regimes",
           ("STRAT_REVERSION_ENTRY",)),
    _strat("dir_shock_fade", "fade sweeps that overshoot, once the book refills",
           ("STRAT_SHOCK_FADE_ENTRY", "STRAT_BOOK_NOT_REFILLED")),
    _strat("exit_inventory_unwind", "urgency-weighted exits toward the touch; merge complementary pairs",
           ("STRAT_UNWIND", "STRAT_PAIR_MERGE")),
    # risk: S7, RiskVote, impact per row; stale_book and market_halt P2, the rest P4.
    _risk("stale_book", "book older than its freshness budget, or feed liveness lost (not \"quiet market\")",
          ("RISK_STALE_BOOK",), phase=2, version="0.3.0"),
    _risk("market_halt", "market closed, not accepting orders, resolved, or paused", ("RISK_MARKET_HALTED",),
          phase=2, version="0.3.0"),
    _risk("killswitch", "manual or automatic global kill: deny every new intent", ("RISK_KILL_SWITCH",),
          capital_impact=_C, version="0.2.0"),
    _risk("compliance_gate", "closed-only / restricted status, allowed categories and markets",
          ("RISK_COMPLIANCE",), capital_impact=_C, version="0.2.0"),
    _risk("drawdown", "peak-to-trough equity limit breached", ("RISK_DRAWDOWN",), version="0.2.0"),
    _risk("loss_breaker", "hourly / daily loss limit and loss-streak cool-down", ("RISK_DAILY_LOSS",)),
    _risk("exposure_caps", "per-market, total and net notional caps, size tapered from 70 % of cap",
          ("RISK_EXPOSURE",), version="0.3.0"),
    _risk("event_group_worstcase", "worst-case loss across all outcomes of a neg-risk event",
          ("RISK_EVENT_GROUP",)),
    _risk("user_stream_blind", "fill stream missing: cannot see fills, so pull quotes",
          ("RISK_USER_STREAM_BLIND",)),
    _risk("heartbeat_health", "N missed heartbeats: deny new submits, allow cancels",
          ("RISK_HEARTBEAT_DOWN",)),
    _risk("api_degradation", "venue error rate, 425/5xx bursts or p95 latency over budget",
          ("RISK_API_DEGRADED",)),
    _risk("resolution_proximity", "reduce-only within H hours of the end date, deny within h hours",
          ("RISK_RESOLUTION_WINDOW",)),
    _risk("uma_dispute", "resolution proposed or disputed: block new exposure", ("RISK_UMA_DISPUTE",)),
    _risk("price_band",
          "price within [tick, 1 − tick] and within k ticks of fair value; post-only must not cross",
          ("RISK_PRICE_BAND",), capital_impact=_C),
    _risk("order_validity", "tick grid, minimum size, minimum marketable notional, maximum notional",
          ("RISK_ORDER_INVALID",), capital_impact=_C),
    _risk("rate_limit", "token bucket per venue endpoint", ("RISK_RATE_LIMIT",)),
    _risk("market_quality", "book gaps or thin touch: cap size", ("RISK_MARKET_QUALITY",)),
    _risk("tick_epoch", "tick size changed: deny until a fresh snapshot on the new grid",
          ("RISK_TICK_EPOCH",)),
    _risk("recon_lock", "deny while local and venue/chain positions differ", ("RISK_RECON_DIVERGENCE",)),
    # exec: P5, S6 and S8, Direct (Critical where marked), ExecutionPlan.
    _exec("smart_router", "post-only GTC/GTD vs FAK/FOK; batch vs single; standard vs neg-risk exchange",
          ("EXEC_ROUTE_POST_ONLY", "EXEC_ROUTE_TAKER", "EXEC_ROUTE_NEG_RISK", "EXEC_NO_ROUTE")),
    _exec("order_shaper", "snap to the tick grid; derive maker/taker amounts from rounded size",
          ("EXEC_BELOW_MIN_SIZE", "EXEC_PRICE_OUT_OF_BAND", "EXEC_UNKNOWN_INSTRUMENT", "EXEC_AMOUNT_PRECISION",
           "EXEC_NOT_SHAPEABLE", "EXEC_NO_ROUTE", "EXEC_NO_BUILDER_CODE"), capital_impact=_C, version="0.2.0"),
    _exec("fee_slippage_estimator",
          "fee from the venue fee formula, maker rebate, sweep cost through the book",
          ("EXEC_INSUFFICIENT_DEPTH", "EXEC_UNKNOWN_INSTRUMENT")),
    _exec("quote_reconciler", "minimal cancel / place diff with reprice and resize tolerances",
          ("EXEC_WITHIN_TOLERANCE", "EXEC_REPRICE", "EXEC_RESIZE")),
    _exec("lifecycle_manager",
          "order state machine; ambiguous submits stay in flight; cancels wait for a venue id",
          ("EXEC_SUBMIT_AMBIGUOUS", "EXEC_CANCEL_PENDING_ID", "EXEC_ILLEGAL_TRANSITION", "EXEC_OVERFILL",
           "EXEC_CANCEL_UNKNOWN_ORDER", *VENUE_REJECTIONS), capital_impact=_C),
    _exec("batch_submitter", "at most 15 orders per batch; batches are not retried blindly",
          ("EXEC_BATCH_SPLIT", "EXEC_BATCH_NOT_RETRIED", "EXEC_SUBMIT_AMBIGUOUS", "EXEC_REJECTION_BREAKER")),
    _exec("cancel_manager", "cancel by id, by market, or all", ("EXEC_CANCEL_UNKNOWN_ORDER",)),
    _exec("quote_qty_market_buy", "market buys sized in collateral notional",
          ("EXEC_BELOW_MIN_NOTIONAL", "EXEC_NOT_SHAPEABLE", "EXEC_NO_BUILDER_CODE")),
    _exec("multi_leg_coordinator", "all-or-unwind legs for arbitrage, with an opportunity TTL",
          ("EXEC_LEG_UNWIND", "EXEC_OPPORTUNITY_EXPIRED", "EXEC_INSUFFICIENT_DEPTH", "EXEC_OVERFILL")),
    _exec("gtd_expiry_manager", "GTD expiries with the venue's expiry buffer", ("EXEC_GTD_TOO_SOON",)),
    _exec("queue_position_estimator", "queue ahead of our order → keep or reprice",
          ("EXEC_QUEUE_KEEP", "EXEC_QUEUE_REPRICE")),
    _exec("tick_change_requoter", "cancel off-grid orders and requote after a tick-size change",
          ("EXEC_OFF_GRID_CANCEL",)),
    _exec("gap_aware_exit", "sell only into near bids; stop before an air pocket", ("EXEC_AIR_POCKET",)),
    _exec("ctf_merge_split_redeem", "plan merge / split / redeem of outcome tokens",
          ("EXEC_CTF_MERGE", "EXEC_CTF_SPLIT", "EXEC_CTF_REDEEM", "EXEC_NO_ROUTE", "EXEC_UNKNOWN_INSTRUMENT")),
    _exec("post_only_reprice", "after a post-only would-cross reject, back off one tick",
          ("EXEC_POST_ONLY_BACKOFF", "EXEC_PRICE_OUT_OF_BAND")),
    # sec: P5, S8, Critical; the signing service emits SignedOrderRequest, the others are guards.
    _sec("signing_service", "EIP-712 order signing, isolated; signs only plans the risk gate approved",
         ("SEC_NOT_APPROVED", "SEC_SIGNER_UNAVAILABLE", "SEC_NEG_RISK_UNKNOWN"), emits="SignedOrderRequest"),
    _sec("wallet_permission_guard",
         "signature type matches the funder; allow-listed wallets, tokens and notional",
         ("SEC_SIGNATURE_TYPE_MISMATCH", "SEC_NOT_ALLOW_LISTED", "SEC_NOTIONAL_LIMIT")),
    _sec("allowance_checker",
         "collateral and outcome-token approvals to the exchange contracts are sufficient",
         ("SEC_ALLOWANCE_INSUFFICIENT", "SEC_NEG_RISK_UNKNOWN")),
    _sec("nonce_manager", "order nonce / salt uniqueness; emergency invalidation plan",
         ("SEC_NONCE_REUSED",)),
    _sec("api_key_vault", "venue API credentials loaded from the environment, never persisted or echoed",
         ("SEC_CREDENTIALS_MISSING",)),
    _sec("request_authenticator", "HMAC request headers; clock-skew check", ("SEC_CLOCK_SKEW",)),
    _sec("preflight_doctor", "start-up checks: keys, chain id, contract addresses, balances, fixtures",
         ("SEC_PREFLIGHT_FAILED", "SEC_CHAIN_ID_MISMATCH")),
    _sec("signature_selftest", "recompute the order hash locally and recover the signer",
         ("SEC_HASH_MISMATCH", "SEC_SIGNER_MISMATCH")),
    _sec("secret_redactor", "scrub secrets from envelopes, reports and the event store",
         ("SEC_SECRET_REDACTED",)),
    # gov: S10-S11, Indirect (Critical where marked), ReportEnvelope; P2 1, P3 6, the rest P7.
    _gov("data_quality_monitor", "crossed books, precision mismatch, sequence gaps, hash mismatches, dust",
         ("GOV_DQ_MALFORMED_JSON", "GOV_DQ_MISSING_FIELD", "GOV_DQ_BAD_NUMBER", "GOV_DQ_NEGATIVE_SIZE",
          "GOV_DQ_PRICE_RANGE", "GOV_DQ_OFF_TICK", "GOV_DQ_CROSSED_BOOK", "GOV_DQ_TS_UNITS", "GOV_DQ_BAD_ID",
          "GOV_DQ_UNKNOWN_EVENT", "GOV_DQ_UNKNOWN_TOKEN", "GOV_DQ_SCHEMA", "GOV_DQ_OVERFILL",
          "GOV_DQ_PRECISION_MISMATCH", "GOV_DQ_SEQUENCE_GAP", "GOV_DQ_HASH_MISMATCH", "GOV_DQ_DUST"),
         phase=2),
    _gov("audit_log", "append-only, sequence-ordered log of intent → vote → plan → signed request",
         ("GOV_AUDIT_SEQUENCE_GAP", "GOV_AUDIT_BROKEN_CHAIN"), phase=3),
    _gov("heartbeat", "internal liveness and venue heartbeat record", ("GOV_HEARTBEAT_MISSED",), phase=3),
    _gov("builder_attribution", "builder code on every order; attributed volume and fees",
         ("GOV_BUILDER_CODE_MISSING",), phase=3),
    _gov("sla_reporter", "ack latency p50 / p95, reject rate, feed gaps, uptime",
         ("GOV_SLA_BREACH",), phase=3),
    _gov("pnl_reporter", "realised / unrealised PnL per bot, market and day", ("GOV_PNL_UNMARKED",), phase=3),
    _gov("alert_dispatcher", "routes severe envelopes to alert sinks (file, webhook)",
         ("GOV_ALERT_SENT", "GOV_ALERT_SINK_FAILED"), phase=3),
    _gov("reconciler", "orders, fills and positions vs venue and chain records", ("GOV_RECON_DIVERGENCE",),
         capital_impact=_C),
    _gov("replay_simulator", "re-derives every decision from the envelope stream alone",
         ("GOV_REPLAY_MISMATCH",)),
    _gov("config_drift_detector", "changes of tick size, fee rate, reward params, and of our config hash",
         ("GOV_TICK_SIZE_CHANGED", "GOV_FEE_RATE_CHANGED", "GOV_REWARD_PARAMS_CHANGED",
          "GOV_CONFIG_HASH_CHANGED")),
    _gov("incident_commander", "halt → cancel all → snapshot → alert → runbook", ("GOV_INCIDENT_OPENED",),
         capital_impact=_C),
    _gov("attribution_reporter", "PnL split: spread capture, rewards, rebates, markout, fees",
         ("GOV_ATTRIBUTION_RESIDUAL",)),
    _gov("reward_scoring_monitor", "are our quotes inside the reward band and scoring",
         ("GOV_REWARD_NOT_SCORING",)),
    _gov("rewards_collector", "daily reward estimate per market", ("GOV_REWARD_ESTIMATE",)),
    _gov("settlement_tracker", "trade status MATCHED → MINED → CONFIRMED / FAILED; void failed fills",
         ("GOV_SETTLEMENT_FAILED",)),
    _gov("redemption_tracker", "resolved markets → redemption plan", ("GOV_REDEMPTION_DUE",)),
    _gov("readiness_promoter", "computes each bot's readiness from evidence, never by hand",
         ("GOV_READINESS_CHANGED",)),
    _gov("shadow_live_comparator", "shadow fills vs what the recorded book and trades would have filled",
         ("GOV_SHADOW_FILL_DIVERGENCE",)),
    _gov("mode_controller", "shadow / quarantine per market and bot",
         ("GOV_MODE_CHANGED", "GOV_QUARANTINE_ENTERED")),
)
# fmt: on

_BY_SLUG: dict[str, BotSpec] = {spec.slug: spec for spec in BOTS}


def get(slug: str) -> BotSpec:
    """The spec of ``slug``; raises :class:`UnknownBotError` naming the slug if it is not listed."""
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise UnknownBotError(f"unknown bot {slug!r}: not in the manifest of {len(BOTS)} bots") from None


def slugs() -> tuple[str, ...]:
    """Every slug, in manifest order."""
    return tuple(_BY_SLUG)


def by_class() -> dict[str, tuple[BotSpec, ...]]:
    """Specs grouped by class: classes in pipeline order, specs in manifest order."""
    return {bot_class: tuple(s for s in BOTS if s.bot_class == bot_class) for bot_class in BOT_CLASSES}


def by_phase() -> dict[int, tuple[BotSpec, ...]]:
    """Specs grouped by build phase, ascending; phases without bots (P1) are left out."""
    groups = {phase: tuple(s for s in BOTS if s.phase == phase) for phase in PHASES}
    return {phase: specs for phase, specs in groups.items() if specs}
