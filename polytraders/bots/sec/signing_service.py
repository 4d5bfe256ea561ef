"""sec.signing_service — sign an execution plan, and only one the risk gate approved.

Method
    1. The plan's ``intent_id`` must be among the intents the S7 risk gate approved (APPROVE or
       REDUCE decisions) — else SEC_NOT_APPROVED: nothing unapproved is ever signed.
    2. A signer must be available (a key loaded and a workable wallet, see
       :class:`~polytraders.adapters.polymarket.signing.OrderSigner`) and sign for the configured
       chain — else SEC_SIGNER_UNAVAILABLE.
    3. The adapter signs the plan as a CTF Exchange V2 order under EIP-712 ("Polymarket CTF
       Exchange", version "2") through the venue SDK py-clob-client-v2
       (``order_utils/exchange_order_builder_v2.py``): salt from the intent, timestamp the plan's
       ``ts_ms``, amounts the plan's micro-units, builder code inside the signed struct. It refuses a
       plan whose market's neg-risk flag is unknown (SEC_NEG_RISK_UNKNOWN: the exchange, hence the
       EIP-712 domain, cannot be chosen) or that has no bytes32 builder code (EXEC_NO_BUILDER_CODE).

Inputs
    ``plan`` — ExecutionPlan (S8); ``approved_intent_ids`` — ids of the intents the risk gate let
    through; ``signer`` — OrderSigner, or None when no key is loaded.

Returns
    SignedOrderRequest (order_hash 0x + 64 lowercase hex, salt a decimal string < 2^53,
    timestamp_ms = plan.ts_ms in ms UTC, amounts in micro-units), or Rejection(code, details).

Reason codes
    SEC_NOT_APPROVED, SEC_SIGNER_UNAVAILABLE; from the adapter SEC_NEG_RISK_UNKNOWN,
    EXEC_NO_BUILDER_CODE.

Raises
    pydantic.ValidationError — invalid config (a chain id other than 137 / 80002).
"""

from __future__ import annotations

from collections.abc import Collection

from pydantic import Field

from polytraders.adapters.polymarket.signing import OrderSigner
from polytraders.adapters.polymarket.wallets import POLYGON, ChainId
from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import ExecutionPlan, SignedOrderRequest, reason_codes

SLUG = "sec.signing_service"
VERSION = "0.1.0"

NOT_APPROVED = reason_codes.require("SEC_NOT_APPROVED")
SIGNER_UNAVAILABLE = reason_codes.require("SEC_SIGNER_UNAVAILABLE")


class Config(BotConfig):
    """Parameters of sec.signing_service."""

    chain_id: ChainId = Field(
        default=POLYGON, description="chain the orders are signed for: 137 Polygon mainnet, 80002 Amoy, chain id")


def sign(
    plan: ExecutionPlan, approved_intent_ids: Collection[str], signer: OrderSigner | None, config: Config
) -> SignedOrderRequest | Rejection:
    """Sign ``plan`` if its intent was approved and a signer for ``config.chain_id`` is available;
    see the module docstring."""
    if plan.intent_id not in approved_intent_ids:
        return Rejection(NOT_APPROVED, {"plan_id": plan.plan_id, "intent_id": plan.intent_id})
    if signer is None:
        return Rejection(SIGNER_UNAVAILABLE, {"plan_id": plan.plan_id, "problem": "no signer (no key loaded)"})
    if signer.chain_id != config.chain_id:
        return Rejection(SIGNER_UNAVAILABLE, {
            "plan_id": plan.plan_id, "problem": f"signer is for chain {signer.chain_id}, not {config.chain_id}"})
    return signer.sign(plan)
