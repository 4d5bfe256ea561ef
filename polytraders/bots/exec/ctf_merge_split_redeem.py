"""exec.ctf_merge_split_redeem — plan merge / split / redeem of a binary market's outcome tokens (nothing is sent).

Method (integer micro-units: collateral and outcome tokens both have 6 decimals, SDK
``COLLATERAL_TOKEN_DECIMALS`` / ``CONDITIONAL_TOKEN_DECIMALS``)
    docs.polymarket.com "How positions work" / "Manage positions" (Conditional Token Framework):
    split 1 collateral → 1 YES + 1 NO; merge 1 YES + 1 NO → 1 collateral; after resolution redeem
    each winning token → 1 collateral, a losing one → 0.

    Before a resolution:
    * MERGE ``m = min(YES, NO)`` held (floored to micro-units) when both are held and
      ``m >= config.min_merge_shares``: burns m of each token, frees m collateral (EXEC_CTF_MERGE).
    * SPLIT ``split_shares`` when asked (> 0): n collateral → n of each token (EXEC_CTF_SPLIT).
      A merge and a split of one plan are independent (merge listed first).
    After a MarketResolution of the market: REDEEM when winning tokens are held (EXEC_CTF_REDEEM):
    pays their count in collateral; the same call burns the losing tokens held, for 0 (the CTF's
    ``redeemPositions`` redeems the whole balance of each index set named; the adapter's takes the
    amount of each outcome). Holding only losing tokens plans nothing (a call that pays 0).

    Contract (addresses from the venue SDK's ``py_clob_client_v2.config.get_contract_config`` for
    ``config.chain_id``): a standard market calls ConditionalTokens with the SDK's collateral,
    parent collection 0x0…0 and the binary partition / index sets (1, 2) — outcome slot i is the
    instrument's i-th token; a neg-risk market calls the NegRiskAdapter (its tokens are positions
    of the adapter's wrapped collateral, which the adapter unwraps). Solidity signatures:
    ConditionalTokens ``splitPosition`` / ``mergePositions(collateralToken, parentCollectionId,
    conditionId, partition, amount)``, ``redeemPositions(collateralToken, parentCollectionId,
    conditionId, indexSets)``; NegRiskAdapter ``splitPosition`` / ``mergePositions(conditionId,
    amount)``, ``redeemPositions(conditionId, amounts)`` (github.com/Polymarket/neg-risk-ctf-adapter).

Inputs
    ``positions`` — token id → shares held (a Position's size; absent or negative = 0);
    ``instrument`` — InstrumentRecord of the market; ``resolution`` — its MarketResolution or
    None; ``split_shares`` — full sets to mint (0 = none).

Returns
    ``list[CtfAction]`` (possibly empty), or Rejection EXEC_NO_ROUTE when the market's neg-risk
    flag is unknown (no contract can be chosen), it does not have exactly two tokens, or a split
    is asked for a resolved market; Rejection EXEC_UNKNOWN_INSTRUMENT when the resolution is
    another market's or names a token the instrument does not list. CtfAction: ``kind``,
    ``code``, ``contract`` (address), ``contract_name``, ``method``, ``condition_id``,
    ``amount_micro`` (collateral in for SPLIT, freed by MERGE, paid by REDEEM),
    ``token_amounts_micro`` ((token id, micro-units) per outcome in instrument order: minted by
    SPLIT, burned by MERGE / REDEEM) and ``args`` (the call's arguments in ABI order).

Reason codes
    EXEC_CTF_MERGE, EXEC_CTF_SPLIT, EXEC_CTF_REDEEM; EXEC_NO_ROUTE, EXEC_UNKNOWN_INSTRUMENT.

Raises
    pydantic.ValidationError — invalid config (chain id not 137 / 80002, ``min_merge_shares`` < 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Literal

from py_clob_client_v2.config import get_contract_config
from pydantic import Field

from polytraders.adapters.polymarket.wallets import POLYGON, ChainId
from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import InstrumentRecord, MarketResolution, reason_codes

SLUG = "exec.ctf_merge_split_redeem"
VERSION = "0.1.0"

MERGE = reason_codes.require("EXEC_CTF_MERGE")
SPLIT = reason_codes.require("EXEC_CTF_SPLIT")
REDEEM = reason_codes.require("EXEC_CTF_REDEEM")
NO_ROUTE = reason_codes.require("EXEC_NO_ROUTE")
UNKNOWN_INSTRUMENT = reason_codes.require("EXEC_UNKNOWN_INSTRUMENT")

#: Parent collection of a top-level position (bytes32 zero) and the binary index sets {slot 0}, {slot 1}.
PARENT_COLLECTION = "0x" + "00" * 32
BINARY_PARTITION = (1, 2)
_MICRO = Decimal(10**6)

Kind = Literal["SPLIT", "MERGE", "REDEEM"]
_CALL = {"SPLIT": ("splitPosition", SPLIT), "MERGE": ("mergePositions", MERGE), "REDEEM": ("redeemPositions", REDEEM)}


class Config(BotConfig):
    """Parameters of exec.ctf_merge_split_redeem."""

    chain_id: ChainId = Field(
        default=POLYGON, description="chain whose contract addresses the actions name (137 / 80002)")
    min_merge_shares: Decimal = Field(
        default=Decimal(1), ge=0, description="smallest number of full sets (YES + NO pairs) worth a merge, shares"
    )


@dataclass(frozen=True, slots=True)
class CtfAction:
    """One planned contract call; amounts in micro-units (x 10^6) of collateral / outcome tokens."""

    kind: Kind
    code: str
    contract: str
    contract_name: Literal["ConditionalTokens", "NegRiskAdapter"]
    method: Literal["splitPosition", "mergePositions", "redeemPositions"]
    condition_id: str
    amount_micro: int
    token_amounts_micro: tuple[tuple[str, int], ...]
    args: tuple[object, ...]


def plan(
    positions: Mapping[str, Decimal], instrument: InstrumentRecord, resolution: MarketResolution | None,
    config: Config, split_shares: Decimal = Decimal(0),
) -> list[CtfAction] | Rejection:  # fmt: skip
    """The merge / split / redeem calls for one market; see the module docstring."""
    cond = instrument.condition_id
    if instrument.neg_risk is None:
        return Rejection(NO_ROUTE, {"condition_id": cond, "reason": "neg_risk unknown: no contract chosen"})
    if len(instrument.tokens) != 2:
        return Rejection(NO_ROUTE, {"condition_id": cond, "reason": f"{len(instrument.tokens)} tokens, not 2"})
    tokens = tuple(token.token_id for token in instrument.tokens)
    held = tuple(_micro(positions.get(token, Decimal(0))) for token in tokens)
    if resolution is None:
        pairs, split, actions = min(held), _micro(split_shares), []
        if pairs > 0 and pairs >= config.min_merge_shares * _MICRO:
            actions.append(_action("MERGE", instrument, pairs, (pairs, pairs), config))
        if split > 0:
            actions.append(_action("SPLIT", instrument, split, (split, split), config))
        return actions
    if resolution.condition_id != cond or resolution.winning_token_id not in tokens:
        return Rejection(UNKNOWN_INSTRUMENT, {"condition_id": resolution.condition_id,
                                              "winning_token_id": resolution.winning_token_id})  # fmt: skip
    if split_shares > 0:
        return Rejection(NO_ROUTE, {"condition_id": cond, "reason": "market resolved: nothing to split"})
    paid = held[tokens.index(resolution.winning_token_id)]
    return [_action("REDEEM", instrument, paid, held, config)] if paid > 0 else []


def _micro(shares: Decimal) -> int:
    """Shares → micro-units, floored (never plan more than is held); negative → 0."""
    return max(int((shares * _MICRO).to_integral_value(ROUND_FLOOR)), 0)


def _action(
    kind: Kind, instrument: InstrumentRecord, amount: int, per_token: tuple[int, ...], config: Config
) -> CtfAction:
    """The call for ``kind`` of ``amount`` micro-units (``per_token``: each outcome's, instrument order)."""
    contracts = get_contract_config(config.chain_id)
    cond = instrument.condition_id
    if instrument.neg_risk:
        name, address = "NegRiskAdapter", contracts.neg_risk_adapter
        args: tuple[object, ...] = (cond, per_token) if kind == "REDEEM" else (cond, amount)
    else:
        name, address = "ConditionalTokens", contracts.conditional_tokens
        args = (contracts.collateral, PARENT_COLLECTION, cond, BINARY_PARTITION)
        args += () if kind == "REDEEM" else (amount,)
    method, code = _CALL[kind]
    token_amounts = tuple(zip((token.token_id for token in instrument.tokens), per_token, strict=True))
    return CtfAction(kind, code, address, name, method, cond, amount, token_amounts, args)
