"""Governance wire objects (P3): what the gov reporting bots derive from the envelope stream.

One object per bot: AuditRecord (gov.audit_log), Heartbeat (gov.heartbeat), BuilderAttribution
(gov.builder_attribution), SlaFigure (gov.sla_reporter), PnlRecord (gov.pnl_reporter) and Alert
(gov.alert_dispatcher). Each carries ``ts_ms`` (the data time the row is as of, so the runtime
can wrap it in a ReportEnvelope) and, where a bot may flag a row, ``reason_codes``. Money is
USDC as a Decimal quantised half-even to 1e-6.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from polytraders.contracts.base import WireModel
from polytraders.contracts.types import (
    BotSlug,
    ConditionId,
    DurationMs,
    ReasonCode,
    Severity,
    Shares,
    TimestampMs,
    Usdc,
)

#: The links of an audit chain, in chain order (order events and fills interleave by time).
AuditStep = Literal["INTENT", "VOTE", "PLAN", "SIGNED", "ORDER_EVENT", "FILL"]


class AuditRecord(WireModel):
    """One link of the audit chain of one intent: intent, votes, plan, signed request, order events and fills.

    Links follow causation ids back to an OrderIntent envelope. A link whose chain does not
    reach an OrderIntent envelope in the stream (its cause is absent, or is not part of a
    chain) has no intent: ``intent_id``, ``intent_envelope_id`` and ``position`` are null and
    ``reason_codes`` carries GOV_AUDIT_BROKEN_CHAIN.
    """

    intent_id: str | None = Field(description="OrderIntent.intent_id of the chain root; null on a broken chain")
    intent_envelope_id: str | None = Field(description="envelope id of the chain's OrderIntent; null when broken")
    position: int | None = Field(ge=0, description="0-based place of this link in its chain; null when broken")
    step: AuditStep = Field(description="kind of link: INTENT, VOTE, PLAN, SIGNED, ORDER_EVENT or FILL")
    envelope_id: str = Field(description="envelope id of this link")
    cause_envelope_id: str | None = Field(description="first causation id of the envelope (null for an intent)")
    bot: BotSlug = Field(description="bot that emitted the envelope")
    ts_ms: TimestampMs = Field(description="data time of the envelope")
    outcome: str = Field(
        description="INTENT: kind (PLACE / CANCEL); VOTE: decision; PLAN: 'PLANNED'; SIGNED: 'SIGNED'; "
        "ORDER_EVENT: order status; FILL: trade status"
    )
    reason_codes: tuple[ReasonCode, ...] = Field(
        description="the envelope's codes, then GOV_AUDIT_BROKEN_CHAIN if broken"
    )


class Heartbeat(WireModel):
    """Liveness of one bot in one run: when it last emitted, relative to the run's last envelope."""

    run_id: str = Field(description="run whose envelopes are counted")
    stage: str | None = Field(description="first runtime stage of the bot in the manifest; null for an unknown bot")
    bot: BotSlug
    first_ts_ms: TimestampMs = Field(description="data time of the bot's first envelope in the run")
    last_ts_ms: TimestampMs = Field(description="data time of the bot's last envelope in the run")
    ts_ms: TimestampMs = Field(description="data time of the run's last envelope (any bot): the check time")
    envelope_count: int = Field(ge=1, description="envelopes of the bot in the run")
    silence_ms: DurationMs = Field(description="ts_ms - last_ts_ms, milliseconds")
    alive: bool = Field(description="silence_ms <= the configured max_silence_ms")
    reason_codes: tuple[ReasonCode, ...] = Field(description="GOV_HEARTBEAT_MISSED when not alive, else empty")


class BuilderAttribution(WireModel):
    """Orders and fills attributed to one builder code, or one order reported for lacking a builder code.

    An attributed row (``envelope_id`` null) sums every order whose order-bearing envelopes all
    carry a builder code. An order with an order-bearing envelope without one is never
    attributed: it gets a row of its own with ``builder_code`` null, ``envelope_id`` naming the
    first such envelope and reason GOV_BUILDER_CODE_MISSING.
    """

    builder_code: str | None = Field(description="builder code the orders carry; null on a missing-code row")
    envelope_id: str | None = Field(
        description="the order-bearing envelope without a builder code; null when attributed"
    )
    ts_ms: TimestampMs = Field(description="data time of the latest order-bearing or fill envelope counted")
    order_count: int = Field(ge=0, description="orders counted (an order = one plan, or a signed request without one)")
    notional_usdc: Usdc = Field(description="sum of price x size of the orders, USDC (1e-6)")
    fill_count: int = Field(ge=0, description="Fill envelopes caused by the orders")
    filled_size: Shares = Field(description="sum of fill sizes, shares")
    filled_notional_usdc: Usdc = Field(description="sum of fill price x size, USDC (1e-6)")
    fees_usdc: Usdc = Field(description="sum of fill fees, USDC (1e-6)")
    reason_codes: tuple[ReasonCode, ...] = Field(description="GOV_BUILDER_CODE_MISSING on a missing-code row")


class SlaFigure(WireModel):
    """One service-level figure of the stream: a latency percentile, a rate, a feed-gap figure or uptime."""

    metric: str = Field(
        description="s7_vote_lag_p50 / _p95, s8_ack_latency_p50 / _p95, time_to_fill_p50 / _p95, reject_rate, "
        "quarantine_rate, feed_gap_count, feed_gap_longest, uptime"
    )
    key: str = Field(description="breakdown key: a bot slug or token id, '' for the whole stream")
    value: float = Field(allow_inf_nan=False, description="the figure, in `unit` (finite)")
    unit: Literal["ms", "fraction", "count"] = Field(
        description="unit of value: milliseconds, a fraction in [0, 1], a count"
    )
    sample_count: int = Field(ge=0, description="observations behind the figure (latencies, denominator, intervals)")
    ts_ms: TimestampMs = Field(description="data time of the stream's last envelope: the figure is as of then")


class PnlRecord(WireModel):
    """PnL of one strategy bot in one market on one day, or the bot's total for the day (``condition_id`` null)."""

    bot: BotSlug = Field(description="strategy bot whose Position envelopes are summed")
    partition: str = Field(description="day of the envelopes, YYYY-MM-DD")
    condition_id: ConditionId | None = Field(description="market; null on the bot's total row for the day")
    ts_ms: TimestampMs = Field(description="data time of the latest Position row counted")
    token_count: int = Field(ge=0, description="tokens with a Position row")
    realised_pnl_usdc: Usdc = Field(description="sum over tokens of the last row's realised PnL, USDC (1e-6)")
    unrealised_pnl_usdc: Usdc = Field(description="sum over tokens of the last row's unrealised PnL, USDC (1e-6)")
    settlement_pnl_usdc: Usdc = Field(
        description="realised PnL added by settlement rows (settled row's realised - the token's previous row's), USDC"
    )
    total_pnl_usdc: Usdc = Field(description="realised + unrealised, USDC (1e-6)")
    reason_codes: tuple[ReasonCode, ...] = Field(
        description="GOV_PNL_UNMARKED when an open position's last row has no mark price"
    )


class Alert(WireModel):
    """An envelope severe enough to alert on, with the sinks it is routed to (delivery is the runtime's)."""

    envelope_id: str = Field(description="the envelope that raised the alert")
    bot: BotSlug
    ts_ms: TimestampMs = Field(description="data time of the envelope")
    payload_type: str = Field(description="wire object of the envelope's payload")
    severity: Severity = Field(description="highest severity among the envelope's reason codes")
    reason_codes: tuple[ReasonCode, ...] = Field(min_length=1, description="all the envelope's reason codes")
    summary: str = Field(description="one line: severity, bot, payload type, codes and the top code's meaning")
    sinks: tuple[str, ...] = Field(min_length=1, description="sink names the runtime delivers the alert to")
