"""Signature types' maker / signer rules and the exchange per chain and neg-risk flag."""

import pytest

from polytraders.adapters.polymarket.wallets import (
    SigningConfigError,
    Wallet,
    checked_wallet,
    exchange_address,
    wallet_problem,
)

KEY = "0x1111111111111111111111111111111111111111"
PROXY = "0x2222222222222222222222222222222222222222"


@pytest.mark.parametrize(("wallet", "problem"), [
    (Wallet(0, KEY), None),
    (Wallet(0, KEY, KEY), None),
    (Wallet(0, KEY, PROXY), "signature type 0 (EOA) signs for its own account"),
    (Wallet(1, KEY), "signature type 1 (POLY_PROXY) needs a funder"),
    (Wallet(2, KEY), "signature type 2 (POLY_GNOSIS_SAFE) needs a funder"),
    (Wallet(3, KEY), "signature type 3 (POLY_1271) needs a funder"),
    (Wallet(1, KEY, KEY), "signature type 1 (POLY_PROXY): the funder must differ"),
    (Wallet(2, KEY, KEY.upper().replace("0X", "0x")), "signature type 2 (POLY_GNOSIS_SAFE): the funder must differ"),
    (Wallet(1, KEY, PROXY), None),
    (Wallet(3, KEY, PROXY), None),
    (Wallet(4, KEY), "signature type 4 is not one of 0..3"),
    (Wallet(0, "0x12"), "signer '0x12' is not a 20-byte hex address"),
    # a mixed-case address must carry a valid EIP-55 checksum
    (Wallet(0, "0xAbCd111111111111111111111111111111111111"),
     "signer '0xAbCd111111111111111111111111111111111111' has a wrong EIP-55 checksum"),
])
def test_signature_type_rules(wallet, problem):
    got = wallet_problem(wallet)
    assert (got is None) if problem is None else got.startswith(problem)


def test_maker_and_order_signer_per_type():
    assert (Wallet(0, KEY).maker, Wallet(0, KEY).order_signer) == (KEY, KEY)
    assert (Wallet(1, KEY, PROXY).maker, Wallet(1, KEY, PROXY).order_signer) == (PROXY, KEY)
    assert (Wallet(3, KEY, PROXY).maker, Wallet(3, KEY, PROXY).order_signer) == (PROXY, PROXY)


def test_unworkable_config_refused_with_named_error():
    with pytest.raises(SigningConfigError, match="needs a funder"):
        checked_wallet(Wallet(1, KEY))
    assert checked_wallet(Wallet(1, KEY, PROXY)) == Wallet(1, KEY, PROXY)


def test_exchange_by_chain_and_neg_risk():
    # py-clob-client-v2 1.2.1 config.get_contract_config: exchange_v2 / neg_risk_exchange_v2
    assert exchange_address(137, False) == "0xE111180000d2663C0091e4f400237545B87B996B"
    assert exchange_address(137, True) == "0xe2222d279d744050d28e00520010520000310F59"
    assert exchange_address(80002, False) == "0xE111180000d2663C0091e4f400237545B87B996B"
    with pytest.raises(SigningConfigError, match="chain id 1 is not one of"):
        exchange_address(1, False)
