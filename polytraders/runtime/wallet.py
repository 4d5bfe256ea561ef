"""Who signs the shadow run's orders: the key, the wallet and the chain, decided once at start-up.

The key comes, in this order, from:

1. ``POLYTRADERS_SIGNING_KEY`` — a hex private key in the environment;
2. ``POLYTRADERS_KEYSTORE`` — an Ethereum V3 keystore file, opened with
   ``POLYTRADERS_KEYSTORE_PASSWORD``;
3. otherwise :data:`SHADOW_TEST_KEY`, a public development key (see there).

The wallet is ``POLYTRADERS_SIGNATURE_TYPE`` (0 EOA by default, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE,
3 POLY_1271) with ``POLYTRADERS_FUNDER`` (the proxy / safe / contract wallet that holds the funds);
the chain is ``POLYTRADERS_CHAIN_ID`` (137 Polygon by default, 80002 Amoy). Wallets allowed to
trade: ``POLYTRADERS_ALLOWED_WALLETS`` (comma-separated addresses; by default only the shadow test
wallet, so a configured key's orders are denied until its wallet is allow-listed: fail closed).

A configuration that cannot work is refused before anything runs, with a named error
(:class:`~polytraders.adapters.polymarket.wallets.SigningConfigError` or
:class:`~polytraders.adapters.polymarket.signing.SigningKeyError`), whose message never holds a
key or password. The key itself lives only inside the :class:`OrderSigner`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from polytraders.adapters.polymarket.signing import KEY_ENV_VAR, OrderSigner, SigningKey, SigningKeyError
from polytraders.adapters.polymarket.wallets import POLYGON, SigningConfigError, Wallet

KEYSTORE_ENV_VAR = "POLYTRADERS_KEYSTORE"
KEYSTORE_PASSWORD_ENV_VAR = "POLYTRADERS_KEYSTORE_PASSWORD"
#: The shadow run's key when none is configured: account #0 of the Hardhat / Anvil development
#: mnemonic ("test test ... junk"), published in their docs and used by every EVM toolchain's
#: tests. It is public and holds nothing of value; it makes shadow order hashes reproducible
#: from run to run. Never use it for anything but the mock venue.
SHADOW_TEST_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#: Its address (EIP-55).
SHADOW_TEST_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@dataclass(frozen=True, slots=True)
class WalletSetup:
    """The signer, its wallet's allow-list, and where the key came from (``env``, ``keystore`` or
    ``shadow-test-key``; never the key)."""

    signer: OrderSigner
    allowed_wallets: tuple[str, ...]
    key_source: str

    @property
    def wallet(self) -> Wallet:
        """The wallet orders are signed for."""
        return self.signer.wallet


def _key(environ: Mapping[str, str]) -> tuple[SigningKey, str]:
    if KEY_ENV_VAR in environ:  # set but blank is a mistake, not "no key": refused, never the test key
        return SigningKey.from_env(KEY_ENV_VAR, environ), "env"
    if keystore := environ.get(KEYSTORE_ENV_VAR, "").strip():
        if KEYSTORE_PASSWORD_ENV_VAR not in environ:
            raise SigningKeyError(f"{KEYSTORE_ENV_VAR} is set but {KEYSTORE_PASSWORD_ENV_VAR} is not")
        return SigningKey.from_keystore(keystore, environ[KEYSTORE_PASSWORD_ENV_VAR]), "keystore"
    return SigningKey(SHADOW_TEST_KEY), "shadow-test-key"


def _int(environ: Mapping[str, str], var: str, default: int) -> int:
    text = environ.get(var, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise SigningConfigError(f"{var}={text!r} is not an integer") from None


def load(environ: Mapping[str, str] = os.environ) -> WalletSetup:
    """The wallet set-up the environment describes (see the module docstring).

    Raises SigningKeyError (no loadable key) or SigningConfigError (a signature type, funder or
    chain that cannot work), each naming the problem.
    """
    key, source = _key(environ)
    wallet = Wallet(_int(environ, "POLYTRADERS_SIGNATURE_TYPE", 0), key.address,
                    environ.get("POLYTRADERS_FUNDER", "").strip() or None)
    signer = OrderSigner(key, wallet, chain_id(environ))
    return WalletSetup(signer, allowed_wallets(environ), source)


def chain_id(environ: Mapping[str, str] = os.environ) -> int:
    """The chain orders are signed for: ``POLYTRADERS_CHAIN_ID``, 137 (Polygon) by default.

    Raises SigningConfigError when it is not an integer (whether the venue runs on it is the
    signer's check)."""
    return _int(environ, "POLYTRADERS_CHAIN_ID", POLYGON)


def allowed_wallets(environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The wallets allowed to trade: ``POLYTRADERS_ALLOWED_WALLETS`` (comma-separated), by default
    only the shadow test wallet."""
    listed = tuple(a.strip() for a in environ.get("POLYTRADERS_ALLOWED_WALLETS", "").split(",") if a.strip())
    return listed or (SHADOW_TEST_ADDRESS,)
