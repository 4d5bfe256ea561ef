"""Decision and trading wire objects: signals through fills and positions."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from polytraders.contracts.base import WireModel
from polytraders.contracts.types import (
    BotSlug,
    ConditionId,
    Decision,
    MicroUnits,
    OrderType,
    Price,
    Probability,
    ReasonCode,
    Shares,
    Side,
    SignedShares,
    TickSize,
    TimestampMs,
    TokenId,
    Usdc,
)


class Signal(WireModel):
    """One intel bot's reading for a token at a time. ``value`` is informational (Indirect)."""

    bot: BotSlug
    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    name: str = Field(description="signal name, e.g. microprice")
    value: float = Field(allow_inf_nan=False, description="signal value in `unit` (finite)")
    unit: str = Field(description="unit of value, e.g. probability, ticks, z-score")


class Candidate(WireModel):
    """A market that a discovery bot admits to the trading universe."""

    bot: BotSlug
    condition_id: ConditionId
    ts_ms: TimestampMs
    rank: int = Field(ge=1)
    score: float = Field(allow_inf_nan=False, description="ranking score (finite)")
    reason_codes: tuple[ReasonCode, ...] = ()


class FairValue(WireModel):
    """A fair-value estimate for a token (S5)."""

    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    fair_value: Probability
    source: BotSlug = Field(description="bot whose signal the estimate is derived from")


class ExecutionEstimate(WireModel):
    """Expected cost of executing at a price (S6)."""

    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    side: Side
    price: Price
    size: Shares
    fee_usdc: Usdc
    slippage_ticks: int = Field(ge=0)


class OrderIntent(WireModel):
    """What a strategy wants to do: place a limit order, or cancel one it placed (S6 -> S7)."""

    intent_id: str = Field(min_length=1)
    strategy: BotSlug
    kind: Literal["PLACE", "CANCEL"] = "PLACE"
    cancels_intent_id: str | None = Field(default=None, description="the PLACE intent a CANCEL withdraws")
    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    side: Side
    price: Price
    size: Shares
    order_type: OrderType = OrderType.GTC
    post_only: bool = True

    @model_validator(mode="after")
    def _cancel_names_target(self) -> OrderIntent:
        if (self.kind == "CANCEL") != (self.cancels_intent_id is not None):
            raise ValueError("a CANCEL intent names the intent it cancels, and only a CANCEL does")
        return self


class RiskVote(WireModel):
    """One risk bot's verdict on one intent (S7). REDUCE carries the reduced size."""

    intent_id: str
    bot: BotSlug
    ts_ms: TimestampMs
    decision: Decision
    reason_codes: tuple[ReasonCode, ...] = ()
    approved_size: Shares = Field(description="size the bot lets through (0 on REJECT)")

    @model_validator(mode="after")
    def _reasons_explain(self) -> RiskVote:
        if self.decision is not Decision.APPROVE and not self.reason_codes:
            raise ValueError("a REDUCE or REJECT vote carries at least one reason code")
        return self


class RiskDecision(WireModel):
    """S7's verdict on one intent: how its pass through the declared risk order ended.

    APPROVE / REDUCE intents go on to S8 at ``approved_size``; ``decided_by`` is the rejecting bot
    (or the last reducing one), ``reason_codes`` its codes (every reducing bot's, in order, on a
    REDUCE), ``not_evaluated`` the bots after a rejection, which did not run.
    """

    intent_id: str
    ts_ms: TimestampMs
    decision: Decision
    approved_size: Shares = Field(description="size that goes on to S8 (0 on REJECT)")
    decided_by: BotSlug | None = None
    reason_codes: tuple[ReasonCode, ...] = ()
    not_evaluated: tuple[BotSlug, ...] = ()

    @model_validator(mode="after")
    def _reasons_explain(self) -> RiskDecision:
        if self.decision is not Decision.APPROVE and not (self.reason_codes and self.decided_by):
            raise ValueError("a REDUCE or REJECT decision names its bot and at least one reason code")
        return self


class ExecutionPlan(WireModel):
    """An approved intent shaped for the venue: on the tick grid, amounts in micro-units (S8).

    BUY: maker gives collateral (maker_amount = price x size x 10^6), takes shares
    (taker_amount = size x 10^6); SELL the reverse.
    """

    #: 1.1.0: ``expiration_s`` added (GTD orders).
    SCHEMA_VERSION: ClassVar[str] = "1.1.0"

    plan_id: str
    intent_id: str
    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    side: Side
    price: Price
    size: Shares
    tick_size: TickSize
    neg_risk: bool
    order_type: OrderType
    post_only: bool
    maker_amount: MicroUnits
    taker_amount: MicroUnits
    builder_code: str | None = None
    expiration_s: int = Field(
        default=0, ge=0,
        description="GTD only: the venue expiration, unix seconds, its one-minute buffer included; 0 = none",
    )


class SignedOrderRequest(WireModel):
    """A CLOB V2 order signed under EIP-712 ("Polymarket CTF Exchange", version "2").

    The signed struct is ``Order(salt, maker, signer, tokenId, makerAmount, takerAmount, side,
    signatureType, timestamp, metadata, builder)``; ``expiration_s`` and ``post_only`` travel
    beside it in the venue's ``POST /order`` body, outside the signature.
    """

    #: 1.1.0: ``expiration_s`` and ``post_only`` added (the order body's ``expiration``, ``postOnly``).
    SCHEMA_VERSION: ClassVar[str] = "1.1.0"

    plan_id: str
    order_hash: str = Field(pattern=r"^0x[0-9a-f]{64}$")
    salt: str = Field(pattern=r"^[0-9]+$")
    maker: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$")
    signer: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$")
    token_id: TokenId
    maker_amount: MicroUnits
    taker_amount: MicroUnits
    side: Side
    signature_type: int = Field(ge=0, le=3)
    timestamp_ms: TimestampMs
    metadata: str
    builder: str
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]+$")
    exchange: str = Field(pattern=r"^0x[0-9a-fA-F]{40}$")
    chain_id: int
    order_type: OrderType
    expiration_s: int = Field(default=0, ge=0, description="GTD expiration, unix seconds; 0 = none")
    post_only: bool = False


class OrderRefusal(WireModel):
    """An approved intent S8 did not get onto the venue: the exec / sec bot that refused it (a
    shaping, routing, permission, allowance, signing or self-test refusal), or the venue's rejection
    as exec.lifecycle_manager read it, or the rejection breaker holding submits back."""

    intent_id: str
    plan_id: str | None = Field(default=None, description="the plan, when one was built")
    bot: BotSlug
    ts_ms: TimestampMs
    reason_codes: tuple[ReasonCode, ...] = Field(min_length=1)
    detail: str | None = Field(default=None, description="the refusal's details, or the venue's error text")


class GuardVerdict(WireModel):
    """One sec guard's check of one order in S8 (wallet permissions, allowances, salt uniqueness,
    the signature self-test): passed, or refused with its reason code. Every check is recorded,
    so the stream shows each guard ran on each order, not only when it refused."""

    plan_id: str
    intent_id: str
    bot: BotSlug
    ts_ms: TimestampMs
    passed: bool
    reason_codes: tuple[ReasonCode, ...] = ()
    detail: str | None = Field(default=None, description="the refusal's details (never a secret)")

    @model_validator(mode="after")
    def _refusal_explains(self) -> GuardVerdict:
        if self.passed == bool(self.reason_codes):
            raise ValueError("a refused check carries its reason code(s), a passed one none")
        return self


OrderStatus = Literal["LIVE", "MATCHED", "CANCELED", "INVALID", "DELAYED", "UNMATCHED"]


class OrderEvent(WireModel):
    """A change of one order's state (user channel ``order`` or the mock venue)."""

    order_id: str
    intent_id: str | None = None
    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    event_type: Literal["PLACEMENT", "UPDATE", "CANCELLATION"]
    status: OrderStatus
    status_detail: str | None = Field(default=None, description="free text the venue appends, e.g. after CANCELED_")
    side: Side
    price: Price
    original_size: Shares
    size_matched: Shares
    order_type: OrderType | None = None


class Fill(WireModel):
    """One fill of one of our orders. ``liquidity`` says whether we were maker or taker."""

    fill_id: str
    order_id: str
    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    side: Side
    price: Price
    size: Shares
    liquidity: Literal["MAKER", "TAKER"]
    fee_usdc: Usdc
    trade_status: Literal["MATCHED", "MINED", "CONFIRMED", "RETRYING", "FAILED"]


class Position(WireModel):
    """Inventory of one token, marked to mid, settled at resolution (S9)."""

    condition_id: ConditionId
    token_id: TokenId
    ts_ms: TimestampMs
    size: SignedShares
    avg_price: Probability
    mark_price: Probability | None
    realised_pnl_usdc: Usdc
    unrealised_pnl_usdc: Usdc
    settled: bool

