"""CLOB V2 order signing: the signing key, the order signer, and the local hash / signer checks.

An :class:`~polytraders.contracts.ExecutionPlan` becomes a :class:`SignedOrderRequest` through the
venue's own SDK (``py-clob-client-v2`` 1.2.1), never through hand-rolled EIP-712:

- ``order_utils/model/order_data_v2.py`` — ``OrderDataV2`` / ``OrderV2``, the signed struct
  ``Order(salt, maker, signer, tokenId, makerAmount, takerAmount, side, signatureType, timestamp,
  metadata, builder)``;
- ``order_utils/exchange_order_builder_v2.py`` — ``ExchangeOrderBuilderV2``: ``build_order``,
  ``build_order_typed_data`` (EIP-712 domain "Polymarket CTF Exchange", version "2", the chain id
  and the exchange as ``verifyingContract``), ``build_order_signature`` (EIP-712 ``eth_signTypedData``
  for types 0-2; for POLY_1271 an ERC-7739 ``TypedDataSign`` wrapper), ``build_order_hash``;
- ``signer.py`` — ``Signer(private_key, chain_id)``.

The SDK's ``OrderBuilder.build_order`` (``order_builder/builder.py``) is not used: it stamps
``time.time_ns()`` and a random salt and recomputes the amounts from float price and size. Here the
timestamp is the plan's ``ts_ms``, the salt a function of the intent (:func:`order_salt`) and the
amounts the plan's exact micro-units, so replaying a plan reproduces its order hash and signature
(ECDSA signing in ``eth_account`` is deterministic, RFC 6979).

Sources: EIP-712 (typed structured data hashing and signing), ERC-1271 / ERC-7739 (smart-contract
wallet signatures, nested typed data), docs.polymarket.com "Signature types".
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys import keys
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError, to_checksum_address
from py_clob_client_v2.constants import BYTES32_ZERO
from py_clob_client_v2.order_utils import ExchangeOrderBuilderV2, OrderDataV2, OrderV2, SignatureTypeV2
from py_clob_client_v2.order_utils import Side as SdkSide
from py_clob_client_v2.order_utils.exchange_order_builder_v2 import ORDER_TYPE_STRING
from py_clob_client_v2.signer import Signer

from polytraders.adapters.polymarket.wallets import (
    CHAIN_IDS,
    POLYGON,
    SigningConfigError,
    Wallet,
    checked_wallet,
    exchange_address,
)
from polytraders.contracts import ExecutionPlan, SignedOrderRequest, reason_codes
from polytraders.contracts.reason_codes import Rejection

NEG_RISK_UNKNOWN = reason_codes.require("SEC_NEG_RISK_UNKNOWN")
NO_BUILDER_CODE = reason_codes.require("EXEC_NO_BUILDER_CODE")

#: Environment variable :meth:`SigningKey.from_env` reads by default.
KEY_ENV_VAR = "POLYTRADERS_SIGNING_KEY"
#: Salts stay below 2^53 so a JSON client that parses numbers as doubles keeps them exact (the
#: venue's ``POST /order`` body sends the salt as a JSON number: SDK ``order_to_json_v2``).
SALT_BITS = 53

_BYTES32 = re.compile(r"^0x[0-9a-fA-F]{64}$")
_PRIVATE_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
#: ERC-7739 ``TypedDataSign`` of a POLY_1271 order (SDK ``SOLADY_TYPE_STRING``): the inner ECDSA
#: signature signs the order nested in the deposit wallet's domain ("DepositWallet", version "1",
#: the wallet as verifying contract, zero salt) under the exchange's domain.
_TYPED_DATA_SIGN = [
    {"name": "contents", "type": "Order"},
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
    {"name": "salt", "type": "bytes32"},
]
_ECDSA_HEX = 130  # 65-byte r || s || v


class SigningKeyError(ValueError):
    """A signing key that cannot be loaded. The message names the problem, never the key or password."""


class SigningKey:
    """A secp256k1 private key that signs orders. ``repr`` / ``str`` show only its address.

    Raises :class:`SigningKeyError` for anything that is not a valid 32-byte hex private key (with or
    without ``0x``); the message never contains the key.
    """

    __slots__ = ("_private_key", "_address")

    def __init__(self, private_key: str) -> None:
        if not isinstance(private_key, str) or not _PRIVATE_KEY.match(private_key.strip()):
            raise SigningKeyError("the private key is not 32 bytes of hex (64 hex digits, optional 0x)")
        hex_key = "0x" + private_key.strip().removeprefix("0x").lower()
        try:
            address = Account.from_key(hex_key).address
        except Exception:  # the library's message may echo the key
            raise SigningKeyError("the private key is not a valid secp256k1 key (zero or >= the curve order)") from None
        self._private_key = hex_key
        self._address = address

    @property
    def address(self) -> str:
        """The key's account address, EIP-55 checksummed."""
        return self._address

    def __repr__(self) -> str:
        return f"SigningKey(address={self._address})"

    __str__ = __repr__

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh random key (``eth_account`` ``Account.create``): a throwaway test key."""
        return cls(Account.create().key.hex())

    @classmethod
    def from_env(cls, var: str = KEY_ENV_VAR, environ: Mapping[str, str] = os.environ) -> SigningKey:
        """The hex private key in environment variable ``var``.

        Raises :class:`SigningKeyError` when the variable is unset or empty, or not a valid key (the
        message names the variable, never its value).
        """
        value = environ.get(var, "")
        if not value.strip():
            raise SigningKeyError(f"environment variable {var} is not set (no signing key)")
        try:
            return cls(value)
        except SigningKeyError as exc:
            raise SigningKeyError(f"environment variable {var}: {exc}") from None

    @classmethod
    def from_keystore(cls, path: str | Path, password: str) -> SigningKey:
        """The key in an Ethereum V3 keystore JSON file (``eth_account`` ``Account.decrypt``).

        Raises :class:`SigningKeyError` when the file cannot be read, is not keystore JSON, or the
        password does not open it (the message names the file, never the password or key).
        """
        try:
            keystore = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise SigningKeyError(f"keystore {path}: cannot be read ({exc.strerror})") from None
        except ValueError:
            raise SigningKeyError(f"keystore {path}: not JSON") from None
        try:
            secret = Account.decrypt(keystore, password)
        except ValueError:
            raise SigningKeyError(f"keystore {path}: wrong password or corrupt keystore (MAC mismatch)") from None
        except Exception:  # a malformed keystore raises KeyError / TypeError / ...
            raise SigningKeyError(f"keystore {path}: not a V3 keystore") from None
        return cls(bytes(secret).hex())


def order_salt(intent_id: str) -> int:
    """The order's salt: the top 53 bits of sha256("polytraders.order_salt|<intent_id>").

    Deterministic (a replay signs the same order) and unique per intent up to hash collisions;
    in [0, 2^53). The SDK's own ``generate_order_salt`` (``order_utils/utils.py``) draws
    ``random() x now_ms``, i.e. below about 1.8·10^12 — also below 2^53.
    """
    digest = hashlib.sha256(f"polytraders.order_salt|{intent_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - SALT_BITS)


class OrderSigner:
    """Signs execution plans as one wallet on one chain (CTF Exchange V2).

    ``key`` — the signing key; ``wallet`` — signature type, signer (must be the key's address) and
    funder; ``chain_id`` — 137 (Polygon) or 80002 (Amoy).

    Raises :class:`~polytraders.adapters.polymarket.wallets.SigningConfigError` naming the problem
    for a configuration that cannot produce orders the venue accepts: a wallet that
    ``wallet_problem`` refuses, a chain other than 137 / 80002, a wallet signer that is not the key.
    """

    def __init__(self, key: SigningKey, wallet: Wallet, chain_id: int = POLYGON) -> None:
        checked_wallet(wallet)
        if chain_id not in CHAIN_IDS:
            raise SigningConfigError(f"chain id {chain_id} is not one of {CHAIN_IDS} (Polygon, Amoy)")
        if to_checksum_address(wallet.signer) != key.address:
            raise SigningConfigError(
                f"wallet signer {wallet.signer} is not the signing key's address {key.address}")
        self.wallet = Wallet(
            wallet.signature_type, key.address, None if wallet.funder is None else to_checksum_address(wallet.funder))
        self.chain_id = chain_id
        # The SDK hands ``Signer.private_key`` to eth_account on every signature; an eth_keys
        # PrivateKey (an accepted key type) is used as is, a hex string would have its public key
        # re-derived each time (about half the signing cost).
        self._signer = Signer(keys.PrivateKey(bytes.fromhex(key._private_key[2:])), chain_id)

    def sign(self, plan: ExecutionPlan) -> SignedOrderRequest | Rejection:
        """Sign ``plan`` as a CTF Exchange V2 order.

        The order: ``salt`` = :func:`order_salt` of the intent; ``maker`` = the wallet's funder (the
        key's address for an EOA); ``signer`` = the key's address (the funder for POLY_1271);
        ``tokenId``, ``makerAmount``, ``takerAmount`` = the plan's (micro-units, not recomputed);
        ``side`` 0 BUY / 1 SELL (SDK ``Side``); ``timestamp`` = ``plan.ts_ms`` (ms UTC);
        ``metadata`` = bytes32 zero; ``builder`` = ``plan.builder_code``; signed for the neg-risk
        exchange when ``plan.neg_risk`` else the standard one. ``order_hash`` is the SDK's
        ``build_order_hash`` of the typed data (EIP-712 digest, 0x + 64 lowercase hex).

        Returns the SignedOrderRequest, or Rejection SEC_NEG_RISK_UNKNOWN (``neg_risk`` is None: the
        exchange cannot be chosen) / EXEC_NO_BUILDER_CODE (no builder code, or not bytes32 hex).
        """
        if plan.neg_risk is None:
            return Rejection(NEG_RISK_UNKNOWN, {"plan_id": plan.plan_id, "token_id": plan.token_id})
        if not plan.builder_code or not _BYTES32.match(plan.builder_code):
            return Rejection(NO_BUILDER_CODE, {"plan_id": plan.plan_id, "builder_code": str(plan.builder_code)})
        salt = order_salt(plan.intent_id)
        exchange = exchange_address(self.chain_id, plan.neg_risk)
        builder = ExchangeOrderBuilderV2(exchange, self.chain_id, self._signer, generate_salt=lambda: str(salt))
        order = builder.build_order(OrderDataV2(
            maker=self.wallet.maker,
            tokenId=plan.token_id,
            makerAmount=str(plan.maker_amount),
            takerAmount=str(plan.taker_amount),
            side=SdkSide[plan.side.value],
            signer=self.wallet.order_signer,
            signatureType=SignatureTypeV2(self.wallet.signature_type),
            timestamp=str(plan.ts_ms),
            metadata=BYTES32_ZERO,
            builder=plan.builder_code,
            expiration=str(plan.expiration_s),
        ))
        typed_data = builder.build_order_typed_data(order)
        return SignedOrderRequest(
            plan_id=plan.plan_id,
            order_hash=builder.build_order_hash(typed_data),
            salt=order.salt,
            maker=order.maker,
            signer=order.signer,
            token_id=plan.token_id,
            maker_amount=plan.maker_amount,
            taker_amount=plan.taker_amount,
            side=plan.side,
            signature_type=int(order.signatureType),
            timestamp_ms=plan.ts_ms,
            metadata=order.metadata,
            builder=order.builder,
            signature=builder.build_order_signature(typed_data),
            exchange=exchange,
            chain_id=self.chain_id,
            order_type=plan.order_type,
            expiration_s=plan.expiration_s,
            post_only=plan.post_only,
        )


def _typed_data(request: SignedOrderRequest) -> dict:
    """The EIP-712 typed data of ``request``'s order, rebuilt from its fields by the SDK.

    Raises ValueError when ``metadata`` or ``builder`` is not bytes32 hex (0x + 64 hex digits).
    """
    for name, value in (("metadata", request.metadata), ("builder", request.builder)):
        if not _BYTES32.match(value):
            raise ValueError(f"{name} {value!r} is not bytes32 hex")
    order = OrderV2(
        salt=request.salt,
        maker=request.maker,
        signer=request.signer,
        tokenId=request.token_id,
        makerAmount=str(request.maker_amount),
        takerAmount=str(request.taker_amount),
        side=SdkSide[request.side.value],
        signatureType=SignatureTypeV2(request.signature_type),
        timestamp=str(request.timestamp_ms),
        metadata=request.metadata,
        builder=request.builder,
    )
    return ExchangeOrderBuilderV2(request.exchange, request.chain_id, None).build_order_typed_data(order)


def order_hash(request: SignedOrderRequest) -> str:
    """The EIP-712 order hash (0x + 64 lowercase hex) recomputed from ``request``'s fields
    (SDK ``build_order_typed_data`` + ``build_order_hash``; domain from ``exchange`` and ``chain_id``).

    Raises ValueError when ``metadata`` or ``builder`` is not bytes32 hex.
    """
    return ExchangeOrderBuilderV2(request.exchange, request.chain_id, None).build_order_hash(_typed_data(request))


def recover_signer(request: SignedOrderRequest) -> str | None:
    """The address whose key made ``request.signature`` over the order rebuilt from its fields
    (checksummed), or None when it cannot be recovered (a malformed signature, or ``metadata`` /
    ``builder`` not bytes32 hex).

    Types 0-2: ECDSA recovery of the EIP-712 signature (``eth_account`` ``recover_message``).
    POLY_1271 (3): the SDK's signature is ``inner(65 bytes) || exchange domain separator ||
    contents hash || ORDER_TYPE_STRING || its length (2 bytes)`` (ERC-7739); the inner signature is
    recovered over the nested ``TypedDataSign`` typed data (the order as ``contents``, the deposit
    wallet's domain "DepositWallet" / "1" / the wallet / zero salt) under the exchange's domain —
    standard EIP-712 encoding of the SDK's ``SOLADY_TYPE_STRING``. The result is the wallet
    owner's key, not ``request.signer`` (the wallet, which validates on-chain via ERC-1271).
    A wrapper whose trailing fields differ from the rebuilt order's gives None.
    """
    signature = request.signature.removeprefix("0x")
    try:
        typed_data = _typed_data(request)
        order_message = encode_typed_data(full_message=typed_data)
        if request.signature_type != SignatureTypeV2.POLY_1271:
            return Account.recover_message(order_message, signature=bytes.fromhex(signature))
        tail = (order_message.header + order_message.body + ORDER_TYPE_STRING.encode()
                + len(ORDER_TYPE_STRING).to_bytes(2, "big"))
        if bytes.fromhex(signature[_ECDSA_HEX:]) != tail:
            return None
        nested = {
            "primaryType": "TypedDataSign",
            "types": {**typed_data["types"], "TypedDataSign": _TYPED_DATA_SIGN},
            "domain": typed_data["domain"],
            "message": {"contents": typed_data["message"], "name": "DepositWallet", "version": "1",
                        "chainId": request.chain_id, "verifyingContract": request.signer,
                        "salt": bytes.fromhex(BYTES32_ZERO[2:])},
        }
        return Account.recover_message(
            encode_typed_data(full_message=nested), signature=bytes.fromhex(signature[:_ECDSA_HEX]))
    except (ValueError, BadSignature, ValidationError):  # not hex, not 65 bytes, bad r / s / v
        return None
