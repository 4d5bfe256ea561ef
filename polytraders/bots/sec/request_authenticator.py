"""sec.request_authenticator — level-2 (HMAC) request headers for the venue, and the clock-skew check.

Method
    Headers: docs.polymarket.com "Authentication" (L2) and py-clob-client-v2
    ``headers.create_level_2_headers``: ``POLY_ADDRESS`` (the signing key's address),
    ``POLY_SIGNATURE`` = ``signing.hmac.build_hmac_signature(secret, timestamp, method, path,
    body)`` — url-safe base64 of HMAC-SHA256, keyed by the url-safe-base64-decoded secret, over
    ``timestamp + method + path + body`` (body omitted when empty; the SDK turns ``'`` into ``"``)
    —, ``POLY_TIMESTAMP`` (unix seconds), ``POLY_API_KEY`` and ``POLY_PASSPHRASE``. The SDK's own
    function computes the HMAC; the header names are the SDK's constants. (The SDK's
    ``create_level_2_headers`` itself needs a private-key ``Signer`` only to read its address,
    which is why the address is passed in here.)

    Clock skew: the venue checks ``POLY_TIMESTAMP`` against its own clock (the SDK's
    ``use_server_time`` option exists for hosts whose clock is off), and GTD expirations are set
    from the local clock against the venue's one-minute security threshold (docs.polymarket.com
    "Orders": expiration = now + 60 s + lifetime). ``|local − venue| > config.max_skew_s`` →
    SEC_CLOCK_SKEW. The venue's clock is ``GET /time`` (unix seconds). The default 5 s is far
    below the 60 s threshold, yet well above what an NTP-synchronised host shows (milliseconds)
    plus ``/time``'s one-second resolution and a request's round trip.

Inputs
    ``creds`` — :class:`~polytraders.bots.sec.api_key_vault.ApiCredentials`; ``address`` — the
    signing key's 0x address; ``timestamp_s`` — unix seconds; ``method`` — HTTP verb as sent
    (upper case, e.g. ``POST``); ``path`` — request path without host, e.g. ``/order``; ``body``
    — the exact serialised body sent, or None.

Returns
    :func:`headers`: dict of the five ``POLY_*`` headers (str values).
    :func:`clock_skew`: None, or Rejection(SEC_CLOCK_SKEW, {local_ts_s, venue_ts_s, skew_s,
    max_skew_s}) with ``skew_s`` = local − venue (signed seconds).

Reason codes
    SEC_CLOCK_SKEW.

Raises
    binascii.Error — a secret that is not url-safe base64 (the SDK's decode; api_key_vault.load
    refuses such a secret). pydantic.ValidationError — invalid config (``max_skew_s`` < 1).
"""

from __future__ import annotations

from py_clob_client_v2.headers.headers import (
    POLY_ADDRESS,
    POLY_API_KEY,
    POLY_PASSPHRASE,
    POLY_SIGNATURE,
    POLY_TIMESTAMP,
)
from py_clob_client_v2.signing.hmac import build_hmac_signature
from pydantic import Field

from polytraders.bots.base import BotConfig, Rejection
from polytraders.bots.sec.api_key_vault import ApiCredentials
from polytraders.contracts import reason_codes

SLUG = "sec.request_authenticator"
VERSION = "0.1.0"

CLOCK_SKEW = reason_codes.require("SEC_CLOCK_SKEW")


class Config(BotConfig):
    """Parameters of sec.request_authenticator."""

    max_skew_s: int = Field(default=5, ge=1, description="largest |local clock − venue clock| tolerated, seconds")


def headers(
    creds: ApiCredentials, address: str, timestamp_s: int, method: str, path: str, body: str | None
) -> dict[str, str]:
    """The level-2 ``POLY_*`` headers of one request (see the module docstring)."""
    timestamp = str(timestamp_s)
    return {
        POLY_ADDRESS: address,
        POLY_SIGNATURE: build_hmac_signature(creds.api_secret, timestamp, method, path, body),
        POLY_TIMESTAMP: timestamp,
        POLY_API_KEY: creds.api_key,
        POLY_PASSPHRASE: creds.api_passphrase,
    }


def clock_skew(local_ts_s: int, venue_ts_s: int, config: Config) -> Rejection | None:
    """SEC_CLOCK_SKEW when the local clock differs from the venue's by more than ``config.max_skew_s``."""
    skew = local_ts_s - venue_ts_s
    if abs(skew) <= config.max_skew_s:
        return None
    return Rejection(
        CLOCK_SKEW,
        {
            "local_ts_s": str(local_ts_s),
            "venue_ts_s": str(venue_ts_s),
            "skew_s": str(skew),
            "max_skew_s": str(config.max_skew_s),
        },
    )
