"""CLOB V2 order signing: keys, the signer's start-up refusals, the signed order against an EIP-712
digest rebuilt by hand, determinism, exchange / chain, wallets, and the SDK's own full path."""

from __future__ import annotations

import functools
import hashlib
import json
import types
from decimal import Decimal as D

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from py_clob_client_v2.clob_types import CreateOrderOptions, OrderArgsV2
from py_clob_client_v2.order_builder import builder as sdk_builder
from py_clob_client_v2.order_builder.builder import OrderBuilder
from py_clob_client_v2.order_utils import ExchangeOrderBuilderV2, SignatureTypeV2
from py_clob_client_v2.signer import Signer

from polytraders.adapters.polymarket.signing import (
    OrderSigner,
    SigningKey,
    SigningKeyError,
    order_hash,
    order_salt,
    recover_signer,
)
from polytraders.adapters.polymarket.wallets import SigningConfigError, Wallet
from polytraders.bots.base import Rejection
from polytraders.contracts import ExecutionPlan, SignedOrderRequest

TS = 1_790_553_600_000  # 2026-09-28T00:00:00Z, ms
BUILDER = "0x" + "b1" * 32
PROXY = "0x2222222222222222222222222222222222222222"
EXCHANGE = "0xE111180000d2663C0091e4f400237545B87B996B"  # SDK config: exchange_v2 (137 and 80002)
NEG_RISK_EXCHANGE = "0xe2222d279d744050d28e00520010520000310F59"  # SDK config: neg_risk_exchange_v2
ZERO32 = "0x" + "0" * 64
TOKEN = "71321045679252212594626385532706912750332728571942532289631379312455583992563"  # a uint256 token id


def execution_plan(**over) -> ExecutionPlan:
    """A BUY plan on a standard market with a builder code; ``over`` replaces fields (sec tests use it too)."""
    # BUY 10 shares at 0.54: maker gives 0.54·10 = 5.4 USDC = 5_400_000 micro, takes 10_000_000 micro shares
    fields = dict(
        plan_id="p-1", intent_id="i-1", condition_id="0x" + "a" * 64, token_id=TOKEN, ts_ms=TS, side="BUY",
        price=D("0.54"), size=D("10"), tick_size=D("0.01"), neg_risk=False, order_type="GTC", post_only=True,
        maker_amount=5_400_000, taker_amount=10_000_000, builder_code=BUILDER,
    )  # fmt: skip
    return ExecutionPlan(**{**fields, **over})


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


def _signed(key: SigningKey, plan: ExecutionPlan | None = None, wallet: Wallet | None = None,
            chain_id: int = 137) -> SignedOrderRequest:
    out = OrderSigner(key, wallet or Wallet(0, key.address), chain_id).sign(plan or execution_plan())
    assert isinstance(out, SignedOrderRequest), out
    return out


def _by_hand(request: SignedOrderRequest) -> tuple[str, object]:
    """EIP-712 digest of the order as the venue defines it, typed out here (eth_account, not the SDK)."""
    typed = {
        "primaryType": "Order",
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "Order": [{"name": n, "type": t} for n, t in (
                ("salt", "uint256"), ("maker", "address"), ("signer", "address"), ("tokenId", "uint256"),
                ("makerAmount", "uint256"), ("takerAmount", "uint256"), ("side", "uint8"), ("signatureType", "uint8"),
                ("timestamp", "uint256"), ("metadata", "bytes32"), ("builder", "bytes32"))],
        },
        "domain": {"name": "Polymarket CTF Exchange", "version": "2", "chainId": request.chain_id,
                   "verifyingContract": request.exchange},
        "message": {"salt": int(request.salt), "maker": request.maker, "signer": request.signer,
                    "tokenId": int(request.token_id), "makerAmount": request.maker_amount,
                    "takerAmount": request.taker_amount, "side": 0 if request.side == "BUY" else 1,
                    "signatureType": request.signature_type, "timestamp": request.timestamp_ms,
                    "metadata": bytes.fromhex(request.metadata[2:]), "builder": bytes.fromhex(request.builder[2:])},
    }  # fmt: skip
    message = encode_typed_data(full_message=typed)
    return "0x" + keccak(b"\x19" + message.version + message.header + message.body).hex(), message


# --- keys ---------------------------------------------------------------------------------------------------------


def _leaks(text: str, secret: str) -> bool:
    bare = secret.removeprefix("0x").lower()
    return bare in text.lower()


def test_key_repr_and_str_show_only_the_address() -> None:
    account = Account.create()
    key = SigningKey(account.key.hex())
    assert key.address == account.address  # checksummed, as eth_account derives it
    assert repr(key) == str(key) == f"SigningKey(address={account.address})"
    assert not _leaks(repr(key), account.key.hex())


def test_generate_gives_distinct_keys() -> None:
    assert SigningKey.generate().address != SigningKey.generate().address


def test_from_env_loads_with_or_without_0x() -> None:
    account = Account.create()
    bare = account.key.hex().removeprefix("0x")
    assert SigningKey.from_env(environ={"POLYTRADERS_SIGNING_KEY": bare}).address == account.address
    assert SigningKey.from_env("K", environ={"K": "0x" + bare.upper()}).address == account.address


@pytest.mark.parametrize(("value", "problem"), [
    (None, "environment variable K is not set"),
    ("  ", "environment variable K is not set"),
    ("SECRET", "environment variable K: the private key is not 32 bytes of hex"),
    ("0x" + "ab" * 31 + "a", "environment variable K: the private key is not 32 bytes of hex"),  # 63 digits
    ("0x" + "0" * 64, "environment variable K: the private key is not a valid secp256k1 key"),  # zero
    ("0x" + "f" * 64, "environment variable K: the private key is not a valid secp256k1 key"),  # >= curve order n
])
def test_from_env_errors_name_the_problem_never_the_value(value, problem) -> None:
    environ = {} if value is None else {"K": value}
    with pytest.raises(SigningKeyError) as caught:
        SigningKey.from_env("K", environ=environ)
    text = str(caught.value)
    assert text.startswith(problem)
    assert value is None or not value.strip() or value.removeprefix("0x").lower() not in text.lower()
    assert caught.value.__context__ is None or caught.value.__suppress_context__  # no chained library message


def test_from_keystore_loads_and_errors_never_show_key_or_password(tmp_path) -> None:
    account = Account.create()
    password = "correct horse battery staple"
    path = tmp_path / "key.json"
    path.write_text(json.dumps(Account.encrypt(account.key, password, kdf="pbkdf2", iterations=2)))
    assert SigningKey.from_keystore(path, password).address == account.address

    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "empty.json").write_text("{}")
    cases = [
        (path, "hunter2", f"keystore {path}: wrong password or corrupt keystore"),
        (tmp_path / "missing.json", password, f"keystore {tmp_path / 'missing.json'}: cannot be read"),
        (tmp_path / "bad.json", password, f"keystore {tmp_path / 'bad.json'}: not JSON"),
        (tmp_path / "empty.json", password, f"keystore {tmp_path / 'empty.json'}: not a V3 keystore"),
    ]
    for where, pw, problem in cases:
        with pytest.raises(SigningKeyError) as caught:
            SigningKey.from_keystore(where, pw)
        text = str(caught.value)
        assert text.startswith(problem), text
        assert not _leaks(text, account.key.hex()) and pw not in text and password not in text


# --- start-up refusals ----------------------------------------------------------------------------------------------


def test_signer_refuses_unworkable_configs_naming_the_problem(key) -> None:
    other = SigningKey.generate()
    cases = [
        (Wallet(1, key.address), 137, "signature type 1 (POLY_PROXY) needs a funder"),
        (Wallet(2, key.address, key.address), 137, "signature type 2 (POLY_GNOSIS_SAFE): the funder must differ"),
        (Wallet(0, key.address), 1, "chain id 1 is not one of (137, 80002)"),
        (Wallet(0, other.address), 137, f"wallet signer {other.address} is not the signing key's address"),
    ]
    for wallet, chain, problem in cases:
        with pytest.raises(SigningConfigError) as caught:
            OrderSigner(key, wallet, chain)
        assert str(caught.value).startswith(problem), caught.value


def test_lowercase_wallet_addresses_are_checksummed(key) -> None:
    signer = OrderSigner(key, Wallet(1, key.address.lower(), PROXY), 137)
    assert signer.wallet == Wallet(1, key.address, "0x2222222222222222222222222222222222222222")


# --- the signed order ------------------------------------------------------------------------------------------------


def test_signed_order_fields_hash_and_signer_against_a_hand_built_digest(key) -> None:
    out = _signed(key)
    salt = int(hashlib.sha256(b"polytraders.order_salt|i-1").hexdigest()[:16], 16) >> 11  # top 53 of 64 bits
    assert out.salt == str(salt) and 0 <= salt < 2**53
    # EOA: maker = signer = the key's account; amounts are the plan's micro-units, untouched
    assert (out.maker, out.signer, out.signature_type) == (key.address, key.address, 0)
    assert (out.maker_amount, out.taker_amount, out.side, out.timestamp_ms) == (5_400_000, 10_000_000, "BUY", TS)
    assert (out.metadata, out.builder, out.exchange, out.chain_id) == (ZERO32, BUILDER, EXCHANGE, 137)
    assert (out.plan_id, out.order_type, out.post_only, out.expiration_s) == ("p-1", "GTC", True, 0)
    digest, message = _by_hand(out)
    assert out.order_hash == digest == order_hash(out)
    assert Account.recover_message(message, signature=bytes.fromhex(out.signature[2:])) == key.address
    assert recover_signer(out) == key.address
    assert len(out.signature) == 2 + 130  # 65-byte r || s || v


def test_sell_signs_side_1_and_carries_gtd_expiration(key) -> None:
    # SELL 10 at 0.54: maker gives 10_000_000 micro shares, takes 5_400_000 micro USDC
    plan = execution_plan(side="SELL", maker_amount=10_000_000, taker_amount=5_400_000, order_type="GTD",
                 expiration_s=1_790_553_700, post_only=False)
    out = _signed(key, plan)
    assert (out.side, out.maker_amount, out.taker_amount) == ("SELL", 10_000_000, 5_400_000)
    assert (out.order_type, out.expiration_s, out.post_only) == ("GTD", 1_790_553_700, False)
    digest, message = _by_hand(out)  # side 1 in the struct; expiration is outside the signed struct
    assert out.order_hash == digest and recover_signer(out) == key.address


def test_determinism_same_plan_same_hash_and_signature_other_intent_other_salt(key) -> None:
    first, again = _signed(key), _signed(key)
    assert (first.order_hash, first.signature, first.salt) == (again.order_hash, again.signature, again.salt)
    other = _signed(key, execution_plan(intent_id="i-2"))
    assert other.salt != first.salt and other.order_hash != first.order_hash
    assert order_salt("i-2") == int(hashlib.sha256(b"polytraders.order_salt|i-2").hexdigest()[:16], 16) >> 11


def test_exchange_and_chain_enter_the_domain(key) -> None:
    standard, neg_risk = _signed(key), _signed(key, execution_plan(neg_risk=True))
    amoy = _signed(key, chain_id=80002)
    assert (standard.exchange, neg_risk.exchange, amoy.exchange) == (EXCHANGE, NEG_RISK_EXCHANGE, EXCHANGE)
    # same struct, different verifyingContract / chainId: three different digests, each the hand-built one
    assert len({standard.order_hash, neg_risk.order_hash, amoy.order_hash}) == 3
    for out in (neg_risk, amoy):
        assert out.order_hash == _by_hand(out)[0] and recover_signer(out) == key.address


def test_neg_risk_unknown_fails_closed(key) -> None:
    # ExecutionPlan types neg_risk as bool; an unknown flag (instrument neg_risk None) comes as an unvalidated copy
    out = OrderSigner(key, Wallet(0, key.address), 137).sign(execution_plan().model_copy(update={"neg_risk": None}))
    assert out == Rejection("SEC_NEG_RISK_UNKNOWN", {"plan_id": "p-1", "token_id": TOKEN})


@pytest.mark.parametrize("code", [None, "", "0xb", "0x" + "b1" * 33, "b1" * 32])
def test_missing_or_malformed_builder_code_not_signed(key, code) -> None:
    out = OrderSigner(key, Wallet(0, key.address), 137).sign(execution_plan(builder_code=code))
    assert out == Rejection("EXEC_NO_BUILDER_CODE", {"plan_id": "p-1", "builder_code": str(code)})


def test_proxy_wallet_maker_is_funder_signer_is_key(key) -> None:
    out = _signed(key, wallet=Wallet(1, key.address, PROXY))
    assert (out.maker, out.signer, out.signature_type) == (PROXY, key.address, 1)
    assert out.order_hash == _by_hand(out)[0] and recover_signer(out) == key.address
    assert out.order_hash != _signed(key).order_hash  # maker and signatureType are signed


def test_poly_1271_wallet_signs_for_itself_inner_signature_recovers_to_key(key) -> None:
    out = _signed(key, wallet=Wallet(3, key.address, PROXY))
    assert (out.maker, out.signer, out.signature_type) == (PROXY, PROXY, 3)
    assert out.order_hash == _by_hand(out)[0]
    # ERC-7739 wrapper: 65 + 32 (domain separator) + 32 (contents hash) + 186 (ORDER_TYPE_STRING: "Order(" 6,
    # then 13+14+15+16+20+20+11+20+18+17+16 for its eleven fields) + 2 (the length, 186 = 0x00ba) bytes
    assert len(out.signature) == 2 + 2 * (65 + 32 + 32 + 186 + 2) and out.signature.endswith("00ba")
    assert recover_signer(out) == key.address  # the wallet owner's key, not the wallet
    tail_tampered = out.signature[:-4] + "00bb"  # the type string's length field
    assert recover_signer(out.model_copy(update={"signature": tail_tampered})) is None


@pytest.mark.parametrize("signature", ["0x1234", "0x" + "00" * 65, "0xabc"])
def test_recover_signer_of_malformed_signature_is_none(key, signature) -> None:
    assert recover_signer(_signed(key).model_copy(update={"signature": signature})) is None


def test_order_hash_of_non_bytes32_builder_raises_value_error(key) -> None:
    with pytest.raises(ValueError, match="builder '0xb' is not bytes32 hex"):
        order_hash(_signed(key).model_copy(update={"builder": "0xb"}))


def test_sdk_full_path_gives_the_same_signed_order(monkeypatch) -> None:
    """py-clob-client-v2 OrderBuilder.build_order (float price / size, its own rounding, its own
    exchange choice) with its clock and salt pinned to ours yields our order and signature."""
    account = Account.create()
    key = SigningKey(account.key.hex())
    salt = order_salt("i-1")
    monkeypatch.setattr(sdk_builder, "time", types.SimpleNamespace(time_ns=lambda: TS * 1_000_000))
    monkeypatch.setattr(sdk_builder, "ExchangeOrderBuilderV2",
                        functools.partial(ExchangeOrderBuilderV2, generate_salt=lambda: str(salt)))
    for signature_type, funder in ((SignatureTypeV2.EOA, None), (SignatureTypeV2.POLY_PROXY, PROXY)):
        ours = _signed(key, wallet=Wallet(int(signature_type), key.address, funder))
        sdk = OrderBuilder(Signer(account.key.hex(), 137), signature_type, funder).build_order(
            OrderArgsV2(token_id=TOKEN, price=0.54, size=10.0, side="BUY", builder_code=BUILDER),
            CreateOrderOptions(tick_size="0.01", neg_risk=False),
        )
        # SDK rounding at tick 0.01: size 10.00, maker 10·0.54 = 5.4 -> 5_400_000, taker 10_000_000 (= the plan's)
        assert (sdk.makerAmount, sdk.takerAmount, sdk.timestamp) == ("5400000", "10000000", str(TS))
        assert (sdk.salt, sdk.maker, sdk.signer, int(sdk.side), int(sdk.signatureType)) == (
            ours.salt, ours.maker, ours.signer, 0, ours.signature_type)
        assert (sdk.tokenId, sdk.metadata, sdk.builder, sdk.signature) == (
            ours.token_id, ours.metadata, ours.builder, ours.signature)
