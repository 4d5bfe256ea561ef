"""The shadow run's wallet set-up: key sources in order, start-up refusals that never show a key."""

import json
import re

import pytest
from eth_account import Account

from polytraders.adapters.polymarket.signing import SigningKeyError
from polytraders.adapters.polymarket.wallets import SigningConfigError
from polytraders.runtime import wallet


def test_default_is_the_public_shadow_test_key_on_polygon():
    setup = wallet.load({})
    # Anvil / Hardhat account #0: its published address
    assert Account.from_key(wallet.SHADOW_TEST_KEY).address == wallet.SHADOW_TEST_ADDRESS
    assert (setup.key_source, setup.wallet.signer, setup.signer.chain_id) == (
        "shadow-test-key", wallet.SHADOW_TEST_ADDRESS, 137)
    assert setup.allowed_wallets == (wallet.SHADOW_TEST_ADDRESS,)


def test_env_key_wins_over_keystore_and_keystore_over_the_test_key(tmp_path):
    env_account, store_account = Account.create(), Account.create()
    path = tmp_path / "key.json"
    path.write_text(json.dumps(Account.encrypt(store_account.key, "pw")))
    both = {"POLYTRADERS_SIGNING_KEY": env_account.key.hex(), "POLYTRADERS_KEYSTORE": str(path),
            "POLYTRADERS_KEYSTORE_PASSWORD": "pw"}
    assert (wallet.load(both).wallet.signer, wallet.load(both).key_source) == (env_account.address, "env")
    store_only = {k: v for k, v in both.items() if k != "POLYTRADERS_SIGNING_KEY"}
    assert (wallet.load(store_only).wallet.signer, wallet.load(store_only).key_source) == (
        store_account.address, "keystore")


def test_keystore_without_password_is_refused(tmp_path):
    with pytest.raises(SigningKeyError, match="POLYTRADERS_KEYSTORE_PASSWORD is not"):
        wallet.load({"POLYTRADERS_KEYSTORE": str(tmp_path / "k.json")})


@pytest.mark.parametrize(("env", "message"), [
    ({"POLYTRADERS_SIGNATURE_TYPE": "2"}, "signature type 2 (POLY_GNOSIS_SAFE) needs a funder"),
    ({"POLYTRADERS_SIGNATURE_TYPE": "1", "POLYTRADERS_FUNDER": wallet.SHADOW_TEST_ADDRESS},
     "the funder must differ from the signer"),
    ({"POLYTRADERS_CHAIN_ID": "1"}, "chain id 1 is not one of"),
    ({"POLYTRADERS_CHAIN_ID": "polygon"}, "POLYTRADERS_CHAIN_ID='polygon' is not an integer"),
])
def test_unworkable_configs_refused_at_start_up(env, message):
    with pytest.raises(SigningConfigError, match=re.escape(message)):
        wallet.load(env)


def test_bad_env_key_refused_without_echoing_it():
    bad = "0x" + "zz" * 32
    with pytest.raises(SigningKeyError) as caught:
        wallet.load({"POLYTRADERS_SIGNING_KEY": bad})
    assert "POLYTRADERS_SIGNING_KEY" in str(caught.value) and bad not in str(caught.value)


def test_proxy_wallet_and_allow_list_from_env():
    proxy = "0x2222222222222222222222222222222222222222"
    setup = wallet.load({"POLYTRADERS_SIGNATURE_TYPE": "1", "POLYTRADERS_FUNDER": proxy,
                         "POLYTRADERS_ALLOWED_WALLETS": f" {proxy} ,0x3333333333333333333333333333333333333333"})
    assert (setup.wallet.maker.lower(), setup.wallet.signer) == (proxy, wallet.SHADOW_TEST_ADDRESS)
    assert setup.allowed_wallets == (proxy, "0x3333333333333333333333333333333333333333")


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_set_but_blank_key_variable_is_refused_not_replaced_by_the_test_key(blank):
    with pytest.raises(SigningKeyError, match="POLYTRADERS_SIGNING_KEY is not set"):
        wallet.load({"POLYTRADERS_SIGNING_KEY": blank})


def test_chain_id_from_the_environment():
    assert (wallet.chain_id({}), wallet.chain_id({"POLYTRADERS_CHAIN_ID": "80002"})) == (137, 80002)
