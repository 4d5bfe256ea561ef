"""sec.api_key_vault — venue API credentials from the environment, checked, masked, never persisted.

Method
    The CLOB's level-2 (API key) authentication takes three values the venue issues per wallet
    (docs.polymarket.com "Authentication"; py-clob-client-v2 ``clob_types.ApiCreds``): the API
    key, a UUID sent as ``POLY_API_KEY``; the secret, url-safe base64 that
    ``signing.hmac.build_hmac_signature`` decodes with ``base64.urlsafe_b64decode`` into the HMAC
    key; and the passphrase, sent as ``POLY_PASSPHRASE``. :func:`load` reads them from the three
    environment variables named in :class:`Config` and checks each:
      key        — ``8-4-4-4-12`` hex digits (a UUID);
      secret     — url-safe base64 alphabet ``[A-Za-z0-9_-]``, padded to a multiple of 4 with
                   ``=`` (text of that form always decodes);
      passphrase — at least 8 visible ASCII characters (an HTTP header value; the venue issues 64
                   hex digits, and sec.secret_redactor cannot scan for fewer than 8).
    A problem names the variable and what is wrong with it, never its value.

    The values live only in the returned :class:`ApiCredentials`: its repr / str show the key's
    last 4 characters and mask the rest, it cannot be pickled or copied (so no IO manager or
    cache writes it), and no method writes it anywhere.

Inputs
    ``environ`` — a Mapping of environment variables (``os.environ`` at start-up; a dict in tests).

Returns
    :class:`ApiCredentials`, or Rejection(SEC_CREDENTIALS_MISSING, {variable name: problem}) for
    every variable that is unset, empty or malformed.

Reason codes
    SEC_CREDENTIALS_MISSING.

Raises
    pydantic.ValidationError — invalid config (an empty variable name).
    TypeError — pickling or copying an :class:`ApiCredentials`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from py_clob_client_v2.clob_types import ApiCreds
from pydantic import Field

from polytraders.bots.base import BotConfig, Rejection
from polytraders.bots.sec.secret_redactor import MASK, MIN_SECRET_CHARS
from polytraders.contracts import reason_codes

SLUG = "sec.api_key_vault"
VERSION = "0.1.0"

CREDENTIALS_MISSING = reason_codes.require("SEC_CREDENTIALS_MISSING")

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_BASE64URL = re.compile(r"(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?")
_VISIBLE = re.compile(rf"[\x21-\x7e]{{{MIN_SECRET_CHARS},}}")  # long enough for the redactor to scan for


class Config(BotConfig):
    """Parameters of sec.api_key_vault: where the credentials are read from."""

    key_env: str = Field(default="POLYTRADERS_CLOB_API_KEY", min_length=1, description="variable holding the API key")
    secret_env: str = Field(
        default="POLYTRADERS_CLOB_API_SECRET", min_length=1, description="variable holding the API secret"
    )
    passphrase_env: str = Field(
        default="POLYTRADERS_CLOB_API_PASSPHRASE", min_length=1, description="variable holding the API passphrase"
    )


@dataclass(frozen=True, slots=True, repr=False)
class ApiCredentials:
    """The venue's level-2 API credentials (strings as issued). Masked in repr / str; not picklable."""

    api_key: str
    api_secret: str
    api_passphrase: str

    def __repr__(self) -> str:
        return f"ApiCredentials(api_key='…{self.api_key[-4:]}', api_secret='{MASK}', api_passphrase='{MASK}')"

    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("ApiCredentials are never persisted: they cannot be pickled or copied")

    def to_sdk(self) -> ApiCreds:
        """The same credentials as py-clob-client-v2's ``ApiCreds``."""
        return ApiCreds(api_key=self.api_key, api_secret=self.api_secret, api_passphrase=self.api_passphrase)

    def secrets(self) -> tuple[str, str, str]:
        """The strings a redactor must scrub from every artefact: key, secret, passphrase."""
        return (self.api_key, self.api_secret, self.api_passphrase)


def load(environ: Mapping[str, str], config: Config) -> ApiCredentials | Rejection:
    """Credentials from ``environ`` (see the module docstring), or a Rejection naming each bad variable."""
    names = (config.key_env, config.secret_env, config.passphrase_env)
    values = [environ.get(name) for name in names]
    problems = {
        name: problem
        for name, value, check in zip(names, values, (_key_problem, _secret_problem, _passphrase_problem), strict=True)
        if (problem := "unset" if value is None else "empty" if value == "" else check(value)) is not None
    }
    if problems:
        return Rejection(CREDENTIALS_MISSING, problems)
    return ApiCredentials(*values)


def _key_problem(value: str) -> str | None:
    return None if _UUID.fullmatch(value) else "not a UUID (8-4-4-4-12 hex digits)"


def _secret_problem(value: str) -> str | None:
    # every text of this pattern decodes (each 4-character group is 3 bytes, or 1 / 2 with padding)
    if _BASE64URL.fullmatch(value):
        return None
    return "not url-safe base64 (A-Z a-z 0-9 - _, padded with = to a multiple of 4)"


def _passphrase_problem(value: str) -> str | None:
    return None if _VISIBLE.fullmatch(value) else "not at least 8 visible ASCII characters"
