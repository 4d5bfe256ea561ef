"""sec.api_key_vault: loading, per-variable problems without values, masking, SDK form, no persistence."""

from __future__ import annotations

import copy
import pickle

import pydantic
import pytest
from py_clob_client_v2.clob_types import ApiCreds
from py_clob_client_v2.signing.hmac import build_hmac_signature

from polytraders.bots.base import Rejection
from polytraders.bots.sec import api_key_vault as vault

KEY = "1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
SECRET = (
    "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0wMTIzNDU2Nzg5QUJD"  # base64url of b"secret-key-for-tests-only-0123456789ABC"
)
PASSPHRASE = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
K, S, P = "POLYTRADERS_CLOB_API_KEY", "POLYTRADERS_CLOB_API_SECRET", "POLYTRADERS_CLOB_API_PASSPHRASE"
ENV = {K: KEY, S: SECRET, P: PASSPHRASE, "HOME": "/root"}
CONFIG = vault.Config()


def _loaded(environ: dict[str, str] = ENV) -> vault.ApiCredentials:
    out = vault.load(environ, CONFIG)
    assert isinstance(out, vault.ApiCredentials), out
    return out


def test_load_when_all_set_then_credentials_as_given() -> None:
    creds = _loaded()
    assert (creds.api_key, creds.api_secret, creds.api_passphrase) == (KEY, SECRET, PASSPHRASE)


def test_load_when_nothing_set_then_every_variable_named_unset() -> None:
    assert vault.load({"HOME": "/root"}, CONFIG) == Rejection(
        "SEC_CREDENTIALS_MISSING", {K: "unset", S: "unset", P: "unset"}
    )


def test_load_when_one_empty_then_only_that_variable_named() -> None:
    assert vault.load({**ENV, S: ""}, CONFIG) == Rejection("SEC_CREDENTIALS_MISSING", {S: "empty"})


@pytest.mark.parametrize(
    ("variable", "bad"),
    [
        (K, "1f0e2d3c4b5a49688776a5b4c3d2e1f0"),  # hex without dashes
        (K, "1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1fg"),  # g is not hex
        (K, KEY + "\n"),  # a trailing newline from an env file
        (K, "{" + KEY + "}"),
        (S, SECRET[:-1]),  # 51 characters: not a multiple of 4
        (S, SECRET.replace("c", "+", 1)),  # + is standard, not url-safe, base64
        (S, SECRET[:-4] + "QU=C"),  # padding inside the text
        (S, " " + SECRET[1:]),
        (P, "short7c"),  # 7 characters
        (P, PASSPHRASE[:20] + " " + PASSPHRASE[21:]),  # a space
        (P, PASSPHRASE + "\t"),
        (P, "pässphrase-long-enough"),  # not ASCII
    ],
)
def test_load_when_malformed_then_variable_named_and_value_not_echoed(variable: str, bad: str) -> None:
    out = vault.load({**ENV, variable: bad}, CONFIG)
    assert isinstance(out, Rejection) and out.code == "SEC_CREDENTIALS_MISSING"
    assert list(out.details) == [variable]
    assert bad.strip() not in repr(out) and bad not in str(out.details)


def test_load_when_padded_secrets_then_accepted_and_decodable_by_the_sdk() -> None:
    # "YWI=" = base64url(b"ab"), "YQ==" = base64url(b"a"); "-_-_" uses the url-safe characters
    for secret in ("YWI=", "YQ==", "-_-_", SECRET):
        creds = _loaded({**ENV, S: secret})
        assert build_hmac_signature(creds.api_secret, "1", "GET", "/time")  # the SDK decodes it


def test_load_when_variable_names_configured_then_read_from_them() -> None:
    config = vault.Config(key_env="A_KEY", secret_env="A_SECRET", passphrase_env="A_PASS")
    out = vault.load({"A_KEY": KEY, "A_SECRET": SECRET, "A_PASS": PASSPHRASE}, config)
    assert isinstance(out, vault.ApiCredentials) and out.api_key == KEY
    assert vault.load(ENV, config) == Rejection(
        "SEC_CREDENTIALS_MISSING", {"A_KEY": "unset", "A_SECRET": "unset", "A_PASS": "unset"}
    )


def test_repr_and_str_mask_secret_and_passphrase_and_show_key_tail_only() -> None:
    creds = _loaded()
    expected = "ApiCredentials(api_key='…e1f0', api_secret='[REDACTED]', api_passphrase='[REDACTED]')"
    assert repr(creds) == str(creds) == f"{creds}" == expected  # e1f0 = the key's last 4 characters
    for text in (repr(creds), repr([creds]), repr({"creds": creds})):
        assert KEY not in text and SECRET not in text and PASSPHRASE not in text


def test_to_sdk_gives_the_sdk_api_creds() -> None:
    assert _loaded().to_sdk() == ApiCreds(api_key=KEY, api_secret=SECRET, api_passphrase=PASSPHRASE)


def test_secrets_lists_every_value_to_scrub() -> None:
    assert _loaded().secrets() == (KEY, SECRET, PASSPHRASE)


def test_credentials_cannot_be_pickled_or_copied() -> None:
    creds = _loaded()
    for persist in (pickle.dumps, copy.copy, copy.deepcopy):
        with pytest.raises(TypeError, match="never persisted"):
            persist(creds)


def test_config_when_empty_variable_name_then_rejected() -> None:
    with pytest.raises(pydantic.ValidationError):
        vault.Config(key_env="")
