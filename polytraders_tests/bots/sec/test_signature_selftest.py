"""sec.signature_selftest: a tampered field changes the hash; a foreign key or a wrong signer is caught."""

from __future__ import annotations

import pytest

from polytraders.adapters.polymarket.signing import OrderSigner, SigningKey, order_hash
from polytraders.adapters.polymarket.wallets import Wallet
from polytraders.bots.sec.signature_selftest import check
from polytraders.contracts.types import Side
from polytraders_tests.adapters.test_signing import execution_plan

KEY, OTHER = SigningKey.generate(), SigningKey.generate()
PROXY = "0x2222222222222222222222222222222222222222"


def _signed(key: SigningKey, signature_type: int = 0, funder: str | None = None):
    return OrderSigner(key, Wallet(signature_type, key.address, funder), 137).sign(execution_plan())


@pytest.mark.parametrize(("signature_type", "funder"), [(0, None), (1, PROXY), (2, PROXY), (3, PROXY)])
def test_untouched_order_passes(signature_type, funder) -> None:
    assert check(_signed(KEY, signature_type, funder), KEY.address) is None
    assert check(_signed(KEY, signature_type, funder), KEY.address.lower()) is None  # address case is not identity


@pytest.mark.parametrize("update", [
    {"maker_amount": 5_400_001},  # one micro-USDC more
    {"taker_amount": 9_999_999},
    {"salt": "1"},
    {"timestamp_ms": 1_790_553_600_001},
    {"side": Side.SELL},
    {"builder": "0x" + "00" * 32},
    {"exchange": "0xe2222d279d744050d28e00520010520000310F59"},  # the neg-risk exchange: another domain
    {"chain_id": 80002},
])
def test_tampered_field_is_a_hash_mismatch(update) -> None:
    signed = _signed(KEY)
    tampered = signed.model_copy(update=update)
    out = check(tampered, KEY.address)
    assert out is not None and out.code == "SEC_HASH_MISMATCH"
    assert out.details == {"plan_id": "p-1", "order_hash": signed.order_hash, "recomputed": order_hash(tampered)}


def test_unencodable_field_is_a_hash_mismatch() -> None:
    out = check(_signed(KEY).model_copy(update={"metadata": "0x1"}), KEY.address)
    assert out.code == "SEC_HASH_MISMATCH"
    assert out.details["recomputed"] == "not encodable: metadata '0x1' is not bytes32 hex"


def test_signature_by_another_key_is_a_signer_mismatch() -> None:
    ours, theirs = _signed(KEY), _signed(OTHER)
    # OTHER's signature is over OTHER's order (signer field = OTHER, another digest): recovered over
    # our order's digest it gives some unrelated address, neither our signer field nor the expected key
    forged = ours.model_copy(update={"signature": theirs.signature})
    out = check(forged, KEY.address)
    assert out.code == "SEC_SIGNER_MISMATCH" and out.details["recovered"] != KEY.address
    # a genuine order of OTHER's, checked as if it were ours: recovers to OTHER = its signer field, not the expected key
    out = check(theirs, KEY.address)
    assert out.code == "SEC_SIGNER_MISMATCH"
    assert (out.details["recovered"], out.details["signer"], out.details["expected_signer"]) == (
        OTHER.address, OTHER.address, KEY.address)


def test_signer_field_swapped_is_caught() -> None:
    # OTHER signs an order whose signer field claims OTHER; rewriting the field to KEY changes the hash first
    theirs = _signed(OTHER)
    assert check(theirs.model_copy(update={"signer": KEY.address}), KEY.address).code == "SEC_HASH_MISMATCH"


def test_malformed_signature_is_a_signer_mismatch() -> None:
    out = check(_signed(KEY).model_copy(update={"signature": "0x1234"}), KEY.address)
    assert out.code == "SEC_SIGNER_MISMATCH" and out.details["recovered"] == "None"


def test_poly_1271_inner_signature_of_another_key_is_a_signer_mismatch() -> None:
    # 1271: the order's signer is the wallet (PROXY); only the inner key is compared, with the expected key
    ours = _signed(KEY, 3, PROXY)
    assert check(ours, OTHER.address).code == "SEC_SIGNER_MISMATCH"
    theirs = _signed(OTHER, 3, PROXY)  # same order fields but OTHER's inner signature
    assert theirs.order_hash == ours.order_hash
    out = check(ours.model_copy(update={"signature": theirs.signature}), KEY.address)
    assert out.code == "SEC_SIGNER_MISMATCH" and out.details["recovered"] == OTHER.address
