"""sec.signature_selftest — recompute a signed order's hash locally and recover its signer.

Method
    Before an order leaves, its EIP-712 hash is recomputed from the request's own fields with the
    venue SDK's typed-data builder (py-clob-client-v2 ``order_utils/exchange_order_builder_v2.py``
    ``build_order_typed_data`` + ``build_order_hash``; domain "Polymarket CTF Exchange" / "2" /
    ``chain_id`` / ``exchange``) and must equal ``order_hash`` — else SEC_HASH_MISMATCH (a field
    changed after signing, or fields that cannot be encoded). Then the signature is recovered
    (ECDSA, EIP-712; :func:`~polytraders.adapters.polymarket.signing.recover_signer`) and must be
    ``expected_signer`` (our key's address) and, for signature types 0-2, the order's ``signer``
    field — else SEC_SIGNER_MISMATCH (also when it cannot be recovered). For POLY_1271 (3) the
    order's ``signer`` is the smart-contract wallet, which accepts its owner's signature on-chain
    (ERC-1271); the inner signature must recover to ``expected_signer``.

Inputs
    ``request`` — SignedOrderRequest; ``expected_signer`` — address of the signing key (hex).

Returns
    None when the order passes, else Rejection(code, details) with the hashes / addresses compared.

Reason codes
    SEC_HASH_MISMATCH, SEC_SIGNER_MISMATCH.

Raises
    Nothing on a malformed request: it is a mismatch.
"""

from __future__ import annotations

from eth_utils import is_address, to_checksum_address
from py_clob_client_v2.order_utils import SignatureTypeV2

from polytraders.adapters.polymarket.signing import order_hash, recover_signer
from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import SignedOrderRequest, reason_codes

SLUG = "sec.signature_selftest"
VERSION = "0.1.0"

HASH_MISMATCH = reason_codes.require("SEC_HASH_MISMATCH")
SIGNER_MISMATCH = reason_codes.require("SEC_SIGNER_MISMATCH")


class Config(BotConfig):
    """Parameters of sec.signature_selftest (none: the check has no tunable)."""


def check(request: SignedOrderRequest, expected_signer: str) -> Rejection | None:
    """None when ``request``'s hash and signature check out; see the module docstring."""
    try:
        recomputed = order_hash(request)
    except ValueError as exc:
        recomputed = f"not encodable: {exc}"
    if recomputed != request.order_hash:
        return Rejection(HASH_MISMATCH, {
            "plan_id": request.plan_id, "order_hash": request.order_hash, "recomputed": recomputed})
    recovered = recover_signer(request)
    wanted = {_normal(expected_signer)}
    if request.signature_type != SignatureTypeV2.POLY_1271:
        wanted.add(_normal(request.signer))
    if recovered is None or wanted != {recovered}:
        return Rejection(SIGNER_MISMATCH, {
            "plan_id": request.plan_id, "recovered": str(recovered), "signer": request.signer,
            "expected_signer": expected_signer})
    return None


def _normal(address: str) -> str:
    """Checksummed ``address``, or itself when it is not an address (then it matches nothing)."""
    return to_checksum_address(address) if is_address(address) else address
