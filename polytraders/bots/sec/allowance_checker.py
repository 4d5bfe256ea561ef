"""sec.allowance_checker — the maker wallet holds and has approved enough to settle a plan.

Method (exact integers, micro-units x 10^6)
    docs.polymarket.com "Orders" (Allowances; Validity checks): the funder must hold the order's
    maker asset and have approved the Exchange contract to move it — a USDC (collateral)
    allowance for a BUY, an outcome-token (ERC-1155 conditional token) approval for a SELL — and
    the orders it places must sum to no more than its available balance. The contracts to
    approve are those of Polymarket's allowance script ("set allowances": the CTF Exchange; for
    neg-risk markets the Neg Risk CTF Exchange and the Neg Risk Adapter), here the CLOB V2
    addresses of py-clob-client-v2 ``config.get_contract_config`` for ``config.chain_id``:
    :func:`spenders` — ``(exchange_v2,)`` for a standard market,
    ``(neg_risk_exchange_v2, neg_risk_adapter)`` for a neg-risk one.

    1. ``plan.neg_risk`` unknown (not a bool) → SEC_NEG_RISK_UNKNOWN: the exchange is not chosen.
    2. ``needed = plan.maker_amount + reserved_micro`` (the plan's maker asset plus what our
       resting orders already commit of it).
       BUY:  collateral balance >= needed, and the collateral allowance of every spender >= needed.
       SELL: the token's balance >= needed, and ``isApprovedForAll(maker, operator)`` for every
       spender (ERC-1155 approvals are all-or-nothing, no amount).
       The first shortfall, in that order → SEC_ALLOWANCE_INSUFFICIENT.

Inputs
    ``plan`` — ExecutionPlan (side, token_id, neg_risk, maker_amount); ``state`` —
    :class:`Allowances` of the plan's maker wallet; ``reserved_micro`` — micro-units of the same
    maker asset (collateral for a BUY, this token's shares for a SELL) committed to our resting
    orders.

Returns
    None when the plan can settle, else Rejection(code, details) with string details: ``check``
    (balance / allowance / approval), ``asset`` (``collateral`` or ``token <id>``), ``needed``
    and ``have`` (micro-units; ``approved`` / ``not approved`` for an approval), and ``spender``
    (the contract address; absent for a balance).

Reason codes
    SEC_NEG_RISK_UNKNOWN, SEC_ALLOWANCE_INSUFFICIENT.

Raises
    ValueError — ``reserved_micro`` < 0. pydantic.ValidationError — invalid config (a chain
    other than 137 / 80002).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from py_clob_client_v2.config import get_contract_config
from pydantic import Field

from polytraders.adapters.polymarket.wallets import POLYGON, ChainId, exchange_address
from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import ExecutionPlan, reason_codes
from polytraders.contracts.types import Side

SLUG = "sec.allowance_checker"
VERSION = "0.1.0"

NEG_RISK_UNKNOWN = reason_codes.require("SEC_NEG_RISK_UNKNOWN")
INSUFFICIENT = reason_codes.require("SEC_ALLOWANCE_INSUFFICIENT")

_V = TypeVar("_V")


class Config(BotConfig):
    """Parameters of sec.allowance_checker."""

    chain_id: ChainId = Field(
        default=POLYGON, description="chain whose exchange contracts are the spenders (137 / 80002)")


@dataclass(frozen=True, slots=True)
class Allowances:
    """On-chain state of the maker wallet (the funder) as read before signing.

    ``collateral_micro``: collateral balance, micro-USDC. ``collateral_allowance_micro``: ERC-20
    ``allowance(maker, spender)`` per spender address, micro-USDC. ``token_balance_micro``:
    outcome-token balance per token id, micro-shares. ``approved_for_all``: ERC-1155
    ``isApprovedForAll(maker, operator)`` per operator address. Addresses match
    case-insensitively; a missing entry reads as 0 / not approved.
    """

    collateral_micro: int
    collateral_allowance_micro: Mapping[str, int] = field(default_factory=dict)
    token_balance_micro: Mapping[str, int] = field(default_factory=dict)
    approved_for_all: Mapping[str, bool] = field(default_factory=dict)


def spenders(chain_id: int, neg_risk: bool) -> tuple[str, ...]:
    """Contracts that must be approved to settle a market's orders on ``chain_id`` (see Method).

    Raises ``SigningConfigError`` for a chain other than 137 / 80002.
    """
    exchange = exchange_address(chain_id, neg_risk)
    return (exchange, get_contract_config(chain_id).neg_risk_adapter) if neg_risk else (exchange,)


def check(plan: ExecutionPlan, state: Allowances, config: Config, *, reserved_micro: int = 0) -> Rejection | None:
    """None if ``state`` covers ``plan`` (see the module docstring), else the first shortfall."""
    if reserved_micro < 0:
        raise ValueError(f"reserved_micro must be >= 0, got {reserved_micro}")
    if not isinstance(plan.neg_risk, bool):
        return Rejection(NEG_RISK_UNKNOWN, {"plan_id": plan.plan_id, "condition_id": plan.condition_id})
    needed = plan.maker_amount + reserved_micro
    buy = plan.side == Side.BUY
    asset = "collateral" if buy else f"token {plan.token_id}"
    balance = state.collateral_micro if buy else state.token_balance_micro.get(plan.token_id, 0)
    if balance < needed:
        return _shortfall("balance", asset, str(needed), str(balance))
    allowances = _by_address(state.collateral_allowance_micro)
    approved = _by_address(state.approved_for_all)
    for spender in spenders(config.chain_id, plan.neg_risk):
        allowance = allowances.get(spender.lower(), 0)
        if buy and allowance < needed:
            return _shortfall("allowance", asset, str(needed), str(allowance), spender)
        if not buy and not approved.get(spender.lower(), False):
            return _shortfall("approval", asset, "approved", "not approved", spender)
    return None


def _shortfall(check: str, asset: str, needed: str, have: str, spender: str | None = None) -> Rejection:
    details = {"check": check, "asset": asset, "needed": needed, "have": have}
    return Rejection(INSUFFICIENT, details if spender is None else {**details, "spender": spender})


def _by_address(mapping: Mapping[str, _V]) -> dict[str, _V]:
    return {address.lower(): value for address, value in mapping.items()}
