"""sec.preflight_doctor — start-up checks: key, wallet, chain, exchange contracts, collateral, fixtures.

Method (every check runs; each failure is one Rejection whose details name the check)
    signing_key        a signing key is loaded (its address is given) — else SEC_PREFLIGHT_FAILED.
    key_is_signer      the wallet's signer is that key's address (case-insensitive) — else
                       SEC_PREFLIGHT_FAILED.
    wallet             the wallet's signature type fits its maker / signer
                       (:func:`~polytraders.adapters.polymarket.wallets.wallet_problem`) — else
                       SEC_PREFLIGHT_FAILED.
    chain_id           the chain id is one the venue runs on (``CHAIN_IDS``: 137 Polygon, 80002
                       Amoy) and equals ``config.expected_chain_id`` — else SEC_CHAIN_ID_MISMATCH.
    exchange,          the exchange addresses the runtime signs orders for (EIP-712 verifying
    neg_risk_exchange  contract) equal py-clob-client-v2 ``config.get_contract_config`` for
                       ``config.expected_chain_id`` (``exchange_v2`` / ``neg_risk_exchange_v2``,
                       via :func:`~polytraders.adapters.polymarket.wallets.exchange_address`),
                       compared case-insensitively — else SEC_CHAIN_ID_MISMATCH: an order signed
                       for another contract is invalid on the venue.
    collateral         the maker wallet's collateral balance >= ``config.min_collateral_usdc`` —
                       else SEC_PREFLIGHT_FAILED.
    fixture_day        the fixture day directory the run replays exists — else
                       SEC_PREFLIGHT_FAILED.

Inputs
    :class:`Preflight` — plain values gathered at start-up (no key material: only the key's
    address).

Returns
    list[Rejection] in the order above, empty when every check passes. Details (strings):
    ``check`` plus the figures compared (never a secret).

Reason codes
    SEC_PREFLIGHT_FAILED, SEC_CHAIN_ID_MISMATCH.

Raises
    pydantic.ValidationError — invalid config (a chain other than 137 / 80002, a negative
    minimum or one with more than 6 decimals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import Field

from polytraders.adapters.mock_venue import to_micro
from polytraders.adapters.polymarket.wallets import (
    POLYGON,
    ChainId,
    Wallet,
    exchange_address,
    wallet_problem,
)
from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import reason_codes

SLUG = "sec.preflight_doctor"
VERSION = "0.1.0"

PREFLIGHT_FAILED = reason_codes.require("SEC_PREFLIGHT_FAILED")
CHAIN_ID_MISMATCH = reason_codes.require("SEC_CHAIN_ID_MISMATCH")


class Config(BotConfig):
    """Parameters of sec.preflight_doctor."""

    expected_chain_id: ChainId = Field(default=POLYGON, description="chain the runtime must sign for (137 / 80002)")
    min_collateral_usdc: Decimal = Field(
        default=Decimal("5"),
        ge=0,
        decimal_places=6,
        description="smallest collateral balance to start with, USDC (default: one 5-share minimum order at any price)",
    )


@dataclass(frozen=True, slots=True)
class Preflight:
    """What the runtime is about to trade with.

    ``signer_address``: address of the loaded signing key, None when no key is loaded;
    ``wallet``: the wallet orders are signed for; ``chain_id``: the chain the signer is set up
    for; ``exchange`` / ``neg_risk_exchange``: the contract addresses it signs orders for;
    ``collateral_micro``: the maker wallet's collateral balance, micro-USDC;
    ``fixture_day_dir``: the fixture day the run replays.
    """

    signer_address: str | None
    wallet: Wallet
    chain_id: int
    exchange: str
    neg_risk_exchange: str
    collateral_micro: int
    fixture_day_dir: Path


def run(inputs: Preflight, config: Config) -> list[Rejection]:
    """Every failed start-up check (see the module docstring); empty = ready."""
    key = inputs.signer_address or ""
    problem = wallet_problem(inputs.wallet)
    expected = config.expected_chain_id
    exchange, neg_risk_exchange = exchange_address(expected, False), exchange_address(expected, True)
    needed = to_micro(config.min_collateral_usdc)
    checks = [  # (failed, code, check, details)
        (not key, PREFLIGHT_FAILED, "signing_key", {"problem": "no signing key is loaded"}),
        (bool(key) and key.lower() != inputs.wallet.signer.lower(), PREFLIGHT_FAILED, "key_is_signer",
         {"key": key, "wallet_signer": inputs.wallet.signer}),
        (problem is not None, PREFLIGHT_FAILED, "wallet", {"problem": str(problem)}),
        (inputs.chain_id != expected, CHAIN_ID_MISMATCH, "chain_id",
         {"chain_id": str(inputs.chain_id), "expected": str(expected)}),
        (inputs.exchange.lower() != exchange.lower(), CHAIN_ID_MISMATCH, "exchange",
         {"address": inputs.exchange, "expected": exchange}),
        (inputs.neg_risk_exchange.lower() != neg_risk_exchange.lower(), CHAIN_ID_MISMATCH, "neg_risk_exchange",
         {"address": inputs.neg_risk_exchange, "expected": neg_risk_exchange}),
        (inputs.collateral_micro < needed, PREFLIGHT_FAILED, "collateral",
         {"have_micro": str(inputs.collateral_micro), "needed_micro": str(needed)}),
        (not inputs.fixture_day_dir.is_dir(), PREFLIGHT_FAILED, "fixture_day",
         {"path": str(inputs.fixture_day_dir), "problem": "not an existing directory"}),
    ]  # fmt: skip
    return [Rejection(code, {"check": check, **details}) for failed, code, check, details in checks if failed]
