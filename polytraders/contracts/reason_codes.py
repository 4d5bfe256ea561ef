"""The reason-code registry: every code a bot or adapter may emit, with severity and meaning.

An unknown code is rejected where it is emitted (:func:`require`). Codes match
``^(INTEL|DISC|STRAT|RISK|EXEC|SEC|GOV)_[A-Z0-9_]+$``; ``polytraders contracts verify`` checks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from polytraders.contracts.types import Severity

REASON_CODE_PATTERN = re.compile(r"^(INTEL|DISC|STRAT|RISK|EXEC|SEC|GOV)_[A-Z0-9_]+$")


@dataclass(frozen=True, slots=True)
class ReasonCodeInfo:
    """One registered reason code."""

    code: str
    severity: Severity
    description: str


class UnknownReasonCodeError(ValueError):
    """Raised when a code that is not in the registry is emitted."""


_S = Severity
REGISTRY: dict[str, ReasonCodeInfo] = {
    info.code: info
    for info in (
        # Data quality: raised by the adapter boundary, owned by gov.data_quality_monitor.
        ReasonCodeInfo("GOV_DQ_MALFORMED_JSON", _S.ERROR, "payload is not valid JSON (truncated or corrupt)"),
        ReasonCodeInfo("GOV_DQ_MISSING_FIELD", _S.ERROR, "a required field is missing or null"),
        ReasonCodeInfo("GOV_DQ_BAD_NUMBER", _S.ERROR, "a price or size is not a finite decimal"),
        ReasonCodeInfo("GOV_DQ_NEGATIVE_SIZE", _S.ERROR, "a size is negative"),
        ReasonCodeInfo("GOV_DQ_PRICE_RANGE", _S.ERROR, "a price is outside the open interval (0, 1)"),
        ReasonCodeInfo("GOV_DQ_OFF_TICK", _S.ERROR, "a price is off the market's tick grid"),
        ReasonCodeInfo("GOV_DQ_CROSSED_BOOK", _S.ERROR, "best bid >= best ask"),
        ReasonCodeInfo("GOV_DQ_TS_UNITS", _S.ERROR, "a timestamp is not in the expected unit (s vs ms)"),
        ReasonCodeInfo("GOV_DQ_BAD_ID", _S.ERROR, "a token or condition id is malformed"),
        ReasonCodeInfo("GOV_DQ_UNKNOWN_EVENT", _S.WARN, "a frame of an unknown event type"),
        ReasonCodeInfo("GOV_DQ_UNKNOWN_TOKEN", _S.WARN, "a frame for a token the registry does not know"),
        ReasonCodeInfo("GOV_DQ_SCHEMA", _S.ERROR, "the payload does not fit its wire schema"),
        ReasonCodeInfo("GOV_DQ_DUPLICATE_FRAME", _S.WARN, "the same frame received again (same token, time, payload)"),
        ReasonCodeInfo("GOV_DQ_OVERFILL", _S.ERROR, "an order update claims more matched than its size"),
        # Discovery.
        ReasonCodeInfo("DISC_UNIVERSE_ADMITTED", _S.INFO, "market is active, accepting orders and has a live book"),
        ReasonCodeInfo("DISC_NOT_ACTIVE", _S.INFO, "market is not active, closed or not accepting orders"),
        ReasonCodeInfo("DISC_NO_LIVE_BOOK", _S.INFO, "no token of the market has a two-sided book in the window"),
        ReasonCodeInfo("DISC_REWARD_RANKED", _S.INFO, "market pays liquidity rewards; its touch scores in the band"),
        ReasonCodeInfo("DISC_NO_REWARDS", _S.INFO, "market has no liquidity rewards (none, or a max spread of 0)"),
        ReasonCodeInfo("DISC_REWARD_SPREAD_WIDE", _S.INFO, "half the spread >= rewards max spread: touch scores 0"),
        ReasonCodeInfo("DISC_NEW_MARKET", _S.INFO, "market listed inside the window, admitted after book hydration"),
        ReasonCodeInfo("DISC_NOT_NEW", _S.INFO, "market was not listed inside the window"),
        ReasonCodeInfo("DISC_NEW_NO_BOOK", _S.INFO, "new market never seen on the feed (no top of book)"),
        ReasonCodeInfo("DISC_HYDRATING", _S.INFO, "new market's book still inside its hydration wait at window end"),
        ReasonCodeInfo("DISC_NEGRISK_GROUP", _S.INFO, "member of a complete neg-risk group (YES mids sum to about 1)"),
        ReasonCodeInfo("DISC_NOT_NEG_RISK", _S.INFO, "market is not a neg-risk market"),
        ReasonCodeInfo("DISC_NEGRISK_NO_GROUP", _S.WARN, "neg-risk market without a neg-risk group id"),
        ReasonCodeInfo("DISC_NEGRISK_SINGLETON", _S.INFO, "no other market of its neg-risk group in the registry"),
        ReasonCodeInfo("DISC_NEGRISK_MEMBER_INACTIVE", _S.INFO, "a market of the group is closed or not trading"),
        ReasonCodeInfo("DISC_NEGRISK_PLACEHOLDER", _S.INFO, "the group has a placeholder or 'Other' outcome"),
        ReasonCodeInfo("DISC_NEGRISK_NO_PRICE", _S.INFO, "a market of the group has no two-sided top of book"),
        ReasonCodeInfo("DISC_NEGRISK_NOT_EXHAUSTIVE", _S.INFO, "the group's YES mids sum away from 1 by > tolerance"),
        ReasonCodeInfo("DISC_QUALITY_PASSED", _S.INFO, "market passes every quality criterion"),
        ReasonCodeInfo("DISC_TOO_YOUNG", _S.INFO, "market first seen less than the minimum age ago"),
        ReasonCodeInfo("DISC_WIDE_SPREAD", _S.INFO, "median spread above the maximum, in ticks"),
        ReasonCodeInfo("DISC_PRICE_OUT_OF_BAND", _S.INFO, "latest YES mid outside the admitted price band"),
        ReasonCodeInfo("DISC_BOOK_GAP", _S.INFO, "a token's consecutive snapshots further apart than the maximum gap"),
        ReasonCodeInfo("DISC_THIN_DEPTH", _S.INFO, "median depth near the touch below the minimum, shares"),
        ReasonCodeInfo("DISC_DEPTH_UNKNOWN", _S.INFO, "no book snapshot with level sizes (top of book only)"),
        ReasonCodeInfo("DISC_LOW_VOLUME", _S.INFO, "traded size in the window below the minimum (none without prints)"),
        ReasonCodeInfo("DISC_SERIES_ROLLED", _S.INFO, "next tradable instance of a recurring series"),
        ReasonCodeInfo("DISC_NOT_RECURRING", _S.INFO, "slug has no recurring period suffix (epoch or date)"),
        ReasonCodeInfo("DISC_SERIES_NO_END_DATE", _S.INFO, "recurring instance without an end date"),
        ReasonCodeInfo("DISC_SERIES_NO_NEXT", _S.INFO, "the instance's series has no tradable instance now"),
        ReasonCodeInfo("DISC_SERIES_EXPIRED", _S.INFO, "earlier instance of the series: ended or closed"),
        ReasonCodeInfo("DISC_SERIES_LATER", _S.INFO, "later instance of the series: ends after the next one"),
        # Intel.
        ReasonCodeInfo("INTEL_EMPTY_SIDE", _S.INFO, "a book side is empty: the signal is undefined"),
        ReasonCodeInfo(
            "INTEL_COMPLEMENT_MISSING", _S.INFO, "the token has no binary sibling, or the sibling has no book yet"
        ),
        # Strategy.
        ReasonCodeInfo("STRAT_QUOTE", _S.INFO, "strategy places or reprices a quote"),
        ReasonCodeInfo("STRAT_QUOTE_PULL", _S.INFO, "strategy withdraws a quote"),
        # Risk.
        ReasonCodeInfo("RISK_STALE_BOOK", _S.WARN, "book older than its freshness budget, or no book at all"),
        ReasonCodeInfo("RISK_MARKET_HALTED", _S.WARN, "market closed, not accepting orders, resolved or paused"),
        ReasonCodeInfo("RISK_KILL_SWITCH", _S.CRITICAL, "global kill switch engaged: every new intent denied"),
        ReasonCodeInfo("RISK_COMPLIANCE", _S.ERROR, "market or category not allowed, or market closed-only"),
        ReasonCodeInfo("RISK_DRAWDOWN", _S.ERROR, "peak-to-trough equity drawdown limit breached"),
        ReasonCodeInfo("RISK_EXPOSURE", _S.WARN, "per-market or total notional cap reached or tapering"),
        ReasonCodeInfo("RISK_DAILY_LOSS", _S.ERROR, "hourly / daily realised loss limit hit, or loss-streak cool-down"),
        ReasonCodeInfo("RISK_EVENT_GROUP", _S.ERROR, "worst-case loss across the event's outcomes over its limit"),
        ReasonCodeInfo("RISK_USER_STREAM_BLIND", _S.ERROR, "user channel silent: fills cannot be seen"),
        ReasonCodeInfo("RISK_HEARTBEAT_DOWN", _S.ERROR, "heartbeats missed: new submits denied, cancels allowed"),
        ReasonCodeInfo("RISK_API_DEGRADED", _S.WARN, "venue error rate, 425/5xx burst or p95 latency over budget"),
        ReasonCodeInfo("RISK_RESOLUTION_WINDOW", _S.WARN, "near the end date: reduce-only, or denied"),
        ReasonCodeInfo("RISK_UMA_DISPUTE", _S.WARN, "resolution proposed or disputed on the oracle: no new exposure"),
        ReasonCodeInfo("RISK_PRICE_BAND", _S.ERROR, "price outside [tick, 1 - tick], far from fair value, or crosses"),
        ReasonCodeInfo("RISK_ORDER_INVALID", _S.ERROR, "off the tick grid, under minimum size, notional out of range"),
        ReasonCodeInfo("RISK_RATE_LIMIT", _S.WARN, "the endpoint's request budget is spent"),
        ReasonCodeInfo("RISK_MARKET_QUALITY", _S.WARN, "book gap or thin touch: size capped"),
        ReasonCodeInfo("RISK_TICK_EPOCH", _S.WARN, "tick size changed: no fresh book on the new grid yet"),
        ReasonCodeInfo("RISK_RECON_DIVERGENCE", _S.ERROR, "local and venue positions differ"),
        ReasonCodeInfo("RISK_QUARANTINED", _S.WARN, "the market is quarantined for this bot: its intents are denied"),
        ReasonCodeInfo("RISK_BOT_FAILED", _S.CRITICAL, "a risk bot raised: fail closed"),
        ReasonCodeInfo("RISK_BOT_TIMEOUT", _S.CRITICAL, "a risk bot overran its time budget: fail closed"),
        ReasonCodeInfo("RISK_BOT_INVALID_VOTE", _S.CRITICAL, "a risk bot returned an invalid vote: fail closed"),
        ReasonCodeInfo("RISK_NOT_EVALUATED", _S.INFO, "an earlier bot rejected the intent; this bot did not run"),
        # Execution.
        ReasonCodeInfo("EXEC_BELOW_MIN_SIZE", _S.WARN, "shaped size is below the market's minimum order size"),
        ReasonCodeInfo("EXEC_PRICE_OUT_OF_BAND", _S.ERROR, "price outside [tick, 1 - tick]"),
        ReasonCodeInfo("EXEC_UNKNOWN_INSTRUMENT", _S.ERROR, "no instrument record for the intent's token"),
        # Monitoring.
        ReasonCodeInfo("GOV_SCHEMA_FAILURE", _S.CRITICAL, "a stage frame failed its generated schema"),
        # Adapter boundary (appended).
        ReasonCodeInfo("GOV_DQ_NO_OWN_FILL", _S.WARN, "a MAKER trade on the user channel names none of our orders"),
        # Execution: exec.order_shaper (appended).
        ReasonCodeInfo("EXEC_NO_BUILDER_CODE", _S.ERROR, "an order without a builder code: not sent (fail closed)"),
        ReasonCodeInfo("EXEC_NOT_SHAPEABLE", _S.ERROR, "a CANCEL intent has no order to shape"),
        # Governance reporting (P3, appended).
        ReasonCodeInfo(
            "GOV_AUDIT_BROKEN_CHAIN", _S.ERROR, "an envelope's causation does not lead back to an intent in the stream"
        ),
        ReasonCodeInfo("GOV_HEARTBEAT_MISSED", _S.WARN, "a bot emitted nothing for longer than its silence budget"),
        ReasonCodeInfo("GOV_BUILDER_CODE_MISSING", _S.ERROR, "an order-bearing envelope carries no builder code"),
        ReasonCodeInfo("GOV_PNL_UNMARKED", _S.WARN, "an open position has no mark price: unrealised PnL as reported"),
        # S3 book reconstruction (P2, appended).
        ReasonCodeInfo("GOV_DQ_BOOK_MISMATCH", _S.ERROR, "a book snapshot differs from the book rebuilt from deltas"),
        ReasonCodeInfo("GOV_DQ_DELTA_BEFORE_SNAPSHOT", _S.WARN, "a book delta of a token with no snapshot yet"),
        ReasonCodeInfo("GOV_DQ_DELTA_CROSSES_BOOK", _S.ERROR, "a book delta would make best bid >= best ask"),
        # Intel: trade-print bots (P2, appended).
        ReasonCodeInfo("INTEL_NO_TRADES", _S.INFO, "no trade print of the token (usable by the bot) in the window"),
        ReasonCodeInfo(
            "INTEL_WARMUP", _S.INFO, "not enough history yet for the signal (window short of its minimum samples)"
        ),
        ReasonCodeInfo("INTEL_NO_FILLS", _S.INFO, "no (simulated) fill of the token with a mid to mark it against"),
        ReasonCodeInfo(
            "INTEL_MARKOUT_PENDING", _S.INFO, "fill time + markout horizon is past the token's last top: not known yet"
        ),
        ReasonCodeInfo(
            "INTEL_KAPPA_UNFIT", _S.INFO, "too few distance buckets with prints in the window, or a fitted kappa <= 0"
        ),
        # Intel: vol / shock / regime / time-to-end / neg-risk / sibling bots (P2, appended).
        ReasonCodeInfo("INTEL_NO_END_DATE", _S.INFO, "the market has no end date as of the snapshot"),
        ReasonCodeInfo("INTEL_SHOCK_SWEEP", _S.INFO, "a print of k x the typical size or x % of near-touch depth"),
        ReasonCodeInfo("INTEL_SHOCK_JUMP", _S.INFO, "mid (or touch) moved N ticks or more between snapshots"),
        ReasonCodeInfo("INTEL_NEGRISK_INCOMPLETE", _S.INFO, "a neg-risk group member has no top yet, or one member"),
        ReasonCodeInfo("INTEL_SIBLING_LAG", _S.INFO, "an outcome repriced; this sibling had not moved T s later"),
        ReasonCodeInfo("INTEL_REGIME_QUIET", _S.INFO, "regime QUIET: no halt, end window, shock or trend"),
        ReasonCodeInfo("INTEL_REGIME_TRENDING", _S.INFO, "regime TRENDING: volatility rising or mid drifting"),
        ReasonCodeInfo("INTEL_REGIME_EVENT", _S.WARN, "regime EVENT: inside the cool-down after a shock"),
        ReasonCodeInfo("INTEL_REGIME_REDUCE_ONLY", _S.WARN, "regime REDUCE_ONLY: inside the window before end"),
        ReasonCodeInfo("INTEL_REGIME_HALTED", _S.WARN, "regime HALTED: closed, not accepting orders, resolved"),
        # gov.data_quality_monitor findings on admitted books, and S2 admission (P2, appended).
        ReasonCodeInfo("GOV_DQ_STALE_BOOK", _S.WARN, "a book received more than its freshness budget after its time"),
        ReasonCodeInfo("GOV_DQ_WIDE_SPREAD", _S.WARN, "best ask - best bid is more ticks than the spread budget"),
        ReasonCodeInfo("GOV_DQ_DUST", _S.WARN, "a thin touch: best bid or ask size below the minimum order size"),
        ReasonCodeInfo("GOV_DQ_PRECISION_MISMATCH", _S.WARN, "a price or size finer than its tick or size step"),
        ReasonCodeInfo("GOV_DQ_SEQUENCE_GAP", _S.WARN, "a token's book time goes back or jumps past the gap budget"),
        ReasonCodeInfo("GOV_DQ_OUT_OF_ORDER", _S.WARN, "a book older than its token's newest admitted book: set aside"),
        ReasonCodeInfo("GOV_DQ_MARKET_RESOLVED", _S.ERROR, "a book received after its market's resolution: set aside"),
        # Feed liveness (S2) and the registry following the stream (S1 fold) (P2, appended).
        ReasonCodeInfo("GOV_DQ_FEED_DEAD", _S.ERROR,
                       "a channel sent no data frame for longer than its liveness budget (keep-alives do not count)"),
        ReasonCodeInfo("GOV_DQ_STALE_METADATA", _S.WARN,
                       "a metadata refresh carries a value a newer stream event replaced: the stream's value holds"),
        # Book hash check at the adapter boundary, when the source declares its hash rule (P2, appended).
        ReasonCodeInfo("GOV_DQ_HASH_MISMATCH", _S.ERROR,
                       "a book's sent hash differs from the hash its source's declared rule gives: set aside"),
        # S1: a data-quality issue the source itself documents, or its conversion found (appended).
        ReasonCodeInfo("GOV_DQ_SOURCE_ISSUE", _S.WARN,
                       "a known issue of the day's source data (its data_quality.json): not repaired, surfaced"),
        # Execution rails and signing (P5, appended): the exec and sec bots, the mock CLOB's
        # rejections as the venue words them, and the breaker over runs of identical rejections.
        ReasonCodeInfo("EXEC_ROUTE_POST_ONLY", _S.INFO, "routed as a resting post-only GTC / GTD order"),
        ReasonCodeInfo("EXEC_ROUTE_TAKER", _S.INFO, "routed as a marketable FAK / FOK order"),
        ReasonCodeInfo("EXEC_ROUTE_NEG_RISK", _S.INFO, "routed to the neg-risk CTF exchange"),
        ReasonCodeInfo("EXEC_NO_ROUTE", _S.ERROR, "no valid route for the order (order type, exchange or batch)"),
        ReasonCodeInfo("EXEC_AMOUNT_PRECISION", _S.WARN,
                       "price x size has more decimals than the order type allows and no smaller size fixes it"),
        ReasonCodeInfo("EXEC_INSUFFICIENT_DEPTH", _S.WARN, "the recorded book cannot fill the size within the limit"),
        ReasonCodeInfo("EXEC_WITHIN_TOLERANCE", _S.INFO, "the live order is within reprice and resize tolerance"),
        ReasonCodeInfo("EXEC_REPRICE", _S.INFO, "the live order's price is off by more than the tolerance"),
        ReasonCodeInfo("EXEC_RESIZE", _S.INFO, "the live order's size is off by more than the tolerance"),
        ReasonCodeInfo("EXEC_SUBMIT_AMBIGUOUS", _S.WARN, "a submit got no definite answer: in flight until a status"),
        ReasonCodeInfo("EXEC_CANCEL_PENDING_ID", _S.WARN, "a cancel waits for the venue's order id"),
        ReasonCodeInfo("EXEC_ILLEGAL_TRANSITION", _S.ERROR, "an order or trade status that its state cannot reach"),
        ReasonCodeInfo("EXEC_OVERFILL", _S.ERROR, "an update claims more matched than the order's size: quarantined"),
        ReasonCodeInfo("EXEC_BATCH_SPLIT", _S.INFO, "more orders than one batch holds: split into batches"),
        ReasonCodeInfo("EXEC_BATCH_NOT_RETRIED", _S.WARN, "a failed batch is not resubmitted blindly"),
        ReasonCodeInfo("EXEC_CANCEL_UNKNOWN_ORDER", _S.WARN, "a cancel names no known order"),
        ReasonCodeInfo("EXEC_BELOW_MIN_NOTIONAL", _S.WARN, "a market buy's collateral is below the minimum notional"),
        ReasonCodeInfo("EXEC_LEG_UNWIND", _S.WARN, "a leg failed: the filled legs are unwound"),
        ReasonCodeInfo("EXEC_OPPORTUNITY_EXPIRED", _S.INFO, "the opportunity's time to live passed before all legs"),
        ReasonCodeInfo("EXEC_GTD_TOO_SOON", _S.WARN, "a GTD expiry inside the venue's one-minute security buffer"),
        ReasonCodeInfo("EXEC_QUEUE_KEEP", _S.INFO, "queue ahead of our order is short enough: keep it"),
        ReasonCodeInfo("EXEC_QUEUE_REPRICE", _S.INFO, "queue ahead of our order is too long: reprice"),
        ReasonCodeInfo("EXEC_OFF_GRID_CANCEL", _S.WARN, "an order off the new tick grid: cancel and requote"),
        ReasonCodeInfo("EXEC_AIR_POCKET", _S.WARN, "no near bid for the exit: stop before the air pocket"),
        ReasonCodeInfo("EXEC_CTF_MERGE", _S.INFO, "merge complementary outcome tokens back to collateral"),
        ReasonCodeInfo("EXEC_CTF_SPLIT", _S.INFO, "split collateral into a full set of outcome tokens"),
        ReasonCodeInfo("EXEC_CTF_REDEEM", _S.INFO, "redeem winning outcome tokens of a resolved market"),
        ReasonCodeInfo("EXEC_POST_ONLY_BACKOFF", _S.INFO, "post-only would cross: requote one tick back"),
        ReasonCodeInfo("EXEC_VENUE_BALANCE_ALLOWANCE", _S.ERROR, "venue: not enough balance / allowance"),
        ReasonCodeInfo("EXEC_VENUE_INVALID_SIGNATURE", _S.CRITICAL, "venue: invalid signature"),
        ReasonCodeInfo("EXEC_VENUE_TICK", _S.ERROR, "venue: price breaks the market's minimum tick size"),
        ReasonCodeInfo("EXEC_VENUE_MIN_SIZE", _S.ERROR, "venue: size lower than the market's minimum"),
        ReasonCodeInfo("EXEC_VENUE_POST_ONLY_CROSS", _S.WARN, "venue: post-only order would cross the book"),
        ReasonCodeInfo("EXEC_VENUE_NOT_READY", _S.WARN, "venue: service not ready (425 / matching engine restart)"),
        ReasonCodeInfo("EXEC_VENUE_AMOUNT_PRECISION", _S.ERROR, "venue: invalid amounts (too many decimals)"),
        ReasonCodeInfo("EXEC_VENUE_FOK_UNFILLED", _S.INFO, "venue: a FOK order could not be fully filled: killed"),
        ReasonCodeInfo("EXEC_VENUE_REJECTED", _S.ERROR, "venue: a rejection whose message no rule maps"),
        ReasonCodeInfo("EXEC_REJECTION_BREAKER", _S.CRITICAL,
                       "a run of identical venue rejections tripped the breaker: submits stopped"),
        ReasonCodeInfo("SEC_NOT_APPROVED", _S.CRITICAL, "a plan the risk gate did not approve: not signed"),
        ReasonCodeInfo("SEC_SIGNER_UNAVAILABLE", _S.CRITICAL, "no signing key or a signing config that cannot work"),
        ReasonCodeInfo("SEC_NEG_RISK_UNKNOWN", _S.ERROR, "the market's neg-risk flag is unknown: exchange not chosen"),
        ReasonCodeInfo("SEC_SIGNATURE_TYPE_MISMATCH", _S.CRITICAL, "signature type does not fit the maker / signer"),
        ReasonCodeInfo("SEC_NOT_ALLOW_LISTED", _S.CRITICAL, "wallet or token not on the allow-list"),
        ReasonCodeInfo("SEC_NOTIONAL_LIMIT", _S.ERROR, "order notional over the wallet's limit"),
        ReasonCodeInfo("SEC_ALLOWANCE_INSUFFICIENT", _S.ERROR, "collateral or outcome-token approval too small"),
        ReasonCodeInfo("SEC_NONCE_REUSED", _S.CRITICAL, "an order salt was used before"),
        ReasonCodeInfo("SEC_CREDENTIALS_MISSING", _S.ERROR, "venue API credentials missing or malformed"),
        ReasonCodeInfo("SEC_CLOCK_SKEW", _S.ERROR, "local clock differs from the venue's by more than the budget"),
        ReasonCodeInfo("SEC_PREFLIGHT_FAILED", _S.CRITICAL, "a start-up check failed"),
        ReasonCodeInfo("SEC_CHAIN_ID_MISMATCH", _S.CRITICAL, "chain id or exchange address not the expected one"),
        ReasonCodeInfo("SEC_HASH_MISMATCH", _S.CRITICAL, "the recomputed order hash differs from the signed one"),
        ReasonCodeInfo("SEC_SIGNER_MISMATCH", _S.CRITICAL, "the signature does not recover to the order's signer"),
        ReasonCodeInfo("SEC_SECRET_REDACTED", _S.WARN, "a secret was found in an artefact and scrubbed"),
    )
}


def require(code: str) -> str:
    """Return ``code`` if it is registered, else raise :class:`UnknownReasonCodeError`."""
    if code not in REGISTRY:
        raise UnknownReasonCodeError(f"unknown reason code {code!r}: register it in {__name__}.REGISTRY")
    return code


def invalid_codes() -> list[str]:
    """Registered codes that break :data:`REASON_CODE_PATTERN` (empty when the registry is sound)."""
    return [code for code in REGISTRY if not REASON_CODE_PATTERN.fullmatch(code)]


@dataclass(frozen=True, slots=True)
class Rejection:
    """A denial as a value: a registered reason code plus structured details.

    Raises :class:`UnknownReasonCodeError` at construction if the code is not registered.
    """

    code: str
    details: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require(self.code)
