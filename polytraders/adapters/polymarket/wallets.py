"""CLOB V2 wallets: signature types, their maker / signer rules, and the exchange contracts.

Sources: the venue's Python SDK ``py-clob-client-v2`` 1.2.1 — ``SignatureTypeV2`` (EOA = 0,
POLY_PROXY = 1, POLY_GNOSIS_SAFE = 2, POLY_1271 = 3), ``OrderBuilder`` (the order's ``maker`` is
the funder, its ``signer`` the key's address, except POLY_1271 where the smart-contract wallet
signs for itself) and ``config.get_contract_config`` (exchange addresses per chain) — and
docs.polymarket.com "Signature types" (a proxy or safe wallet holds the funds, an EOA key signs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from eth_utils import is_checksum_address, to_checksum_address
from py_clob_client_v2.config import get_contract_config
from py_clob_client_v2.order_utils import SignatureTypeV2

#: Chains the venue runs on: Polygon mainnet and the Amoy test network.
POLYGON, AMOY = 137, 80002
CHAIN_IDS = (POLYGON, AMOY)
#: A chain id the venue runs on, as a config field's type (pydantic refuses any other).
ChainId = Literal[137, 80002]


class SigningConfigError(ValueError):
    """A signing configuration that cannot produce orders the venue accepts (refused at start-up)."""


@dataclass(frozen=True, slots=True)
class Wallet:
    """Who an order is from. ``signer``: address of the signing key; ``funder``: the wallet that
    holds the funds (the order's ``maker``), None for an EOA that funds itself.

    ``signature_type``: 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271.
    """

    signature_type: int
    signer: str
    funder: str | None = None

    @property
    def maker(self) -> str:
        """The order's ``maker``: the funder, or the signer for an EOA without one."""
        return self.funder or self.signer

    @property
    def order_signer(self) -> str:
        """The order's ``signer`` field: the key's address, or the wallet itself for POLY_1271."""
        return self.maker if self.signature_type == SignatureTypeV2.POLY_1271 else self.signer


def wallet_problem(wallet: Wallet) -> str | None:
    """Why ``wallet`` cannot sign orders the venue accepts, or None when it can.

    Rules: the type is one of 0..3; addresses are 20-byte hex; EOA (0) — the funder, if given,
    is the signer itself (the key's account holds the funds); POLY_PROXY (1) and
    POLY_GNOSIS_SAFE (2) — a funder (the proxy / safe) is required and differs from the signer;
    POLY_1271 (3) — a funder (the smart-contract wallet, which is also the order's signer) is
    required and differs from the key's address.
    """
    if wallet.signature_type not in tuple(SignatureTypeV2):
        return f"signature type {wallet.signature_type} is not one of 0..3"
    for name, address in (("signer", wallet.signer), ("funder", wallet.funder)):
        if address is not None and not _is_hex_address(address):
            return f"{name} {address!r} is not a 20-byte hex address"
        if address is not None and not _checksum_fits(address):
            return f"{name} {address!r} has a wrong EIP-55 checksum (mixed case): give it all lowercase or checksummed"
    kind = SignatureTypeV2(wallet.signature_type)
    same = wallet.funder is not None and to_checksum_address(wallet.funder) == to_checksum_address(wallet.signer)
    if kind == SignatureTypeV2.EOA:
        return None if wallet.funder is None or same else (
            "signature type 0 (EOA) signs for its own account: the funder must be the signer or unset")
    if wallet.funder is None:
        return f"signature type {int(kind)} ({kind.name}) needs a funder address (the wallet that holds the funds)"
    if same:
        return f"signature type {int(kind)} ({kind.name}): the funder must differ from the signer"
    return None


def checked_wallet(wallet: Wallet) -> Wallet:
    """``wallet`` if :func:`wallet_problem` finds nothing; raises :class:`SigningConfigError` naming
    the problem otherwise."""
    problem = wallet_problem(wallet)
    if problem is not None:
        raise SigningConfigError(problem)
    return wallet


def exchange_address(chain_id: int, neg_risk: bool) -> str:
    """The CTF Exchange V2 contract orders of a market are signed for: the neg-risk exchange for a
    neg-risk market, the standard one otherwise (SDK ``get_contract_config``).

    Raises :class:`SigningConfigError` for a chain other than 137 / 80002.
    """
    if chain_id not in CHAIN_IDS:
        raise SigningConfigError(f"chain id {chain_id} is not one of {CHAIN_IDS} (Polygon, Amoy)")
    config = get_contract_config(chain_id)
    return config.neg_risk_exchange_v2 if neg_risk else config.exchange_v2


def _is_hex_address(value: str) -> bool:
    return len(value) == 42 and value.startswith("0x") and all(c in "0123456789abcdefABCDEF" for c in value[2:])


def _checksum_fits(value: str) -> bool:
    """A hex address in all lowercase, or mixed case with a valid EIP-55 checksum."""
    return value[2:] == value[2:].lower() or is_checksum_address(value)
