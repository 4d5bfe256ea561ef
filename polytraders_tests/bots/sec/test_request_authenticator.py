"""sec.request_authenticator: L2 headers with an HMAC recomputed independently, and the clock-skew budget."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pydantic
import pytest
from py_clob_client_v2.headers import headers as sdk_headers

from polytraders.bots.base import Rejection
from polytraders.bots.sec import request_authenticator as auth
from polytraders.bots.sec.api_key_vault import ApiCredentials

RAW_KEY = b"0123456789abcdef0123456789abcdef"  # the HMAC key (32 bytes)
SECRET = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # base64url(RAW_KEY)
CREDS = ApiCredentials("1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", SECRET, "9f8e7d6c" * 8)
ADDRESS = "0x" + "1a" * 20
TS = 1_700_000_000
BODY = '{"owner":"k","side":"BUY"}'


def _by_hand(message: bytes) -> str:
    """HMAC-SHA256 keyed by the raw key, url-safe base64 — independent of the SDK."""
    return base64.urlsafe_b64encode(hmac.new(RAW_KEY, message, hashlib.sha256).digest()).decode()


def test_secret_fixture_is_the_base64url_of_the_raw_key() -> None:
    assert base64.urlsafe_b64encode(RAW_KEY).decode() == SECRET


def test_headers_when_post_with_body_then_hmac_over_ts_method_path_body() -> None:
    out = auth.headers(CREDS, ADDRESS, TS, "POST", "/order", BODY)
    # message = "1700000000" + "POST" + "/order" + body
    assert out["POLY_SIGNATURE"] == _by_hand(b'1700000000POST/order{"owner":"k","side":"BUY"}')
    assert out["POLY_SIGNATURE"] == "1mEGfWcHXhPlSvivGducWLMtXD-Pj2xKnmX1vV8jN1A="  # the same, computed once by hand
    assert out == {
        "POLY_ADDRESS": ADDRESS,
        "POLY_SIGNATURE": "1mEGfWcHXhPlSvivGducWLMtXD-Pj2xKnmX1vV8jN1A=",
        "POLY_TIMESTAMP": "1700000000",
        "POLY_API_KEY": "1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "POLY_PASSPHRASE": "9f8e7d6c" * 8,
    }


def test_headers_when_no_body_then_hmac_over_ts_method_path() -> None:
    expected = _by_hand(b"1700000000GET/time")
    assert expected == "BaRV8eMVZkm_TBqwX_T-l0cl513fF8FCP58fDvU7Hvs="
    assert auth.headers(CREDS, ADDRESS, TS, "GET", "/time", None)["POLY_SIGNATURE"] == expected
    assert auth.headers(CREDS, ADDRESS, TS, "GET", "/time", "")["POLY_SIGNATURE"] == expected  # empty = none


def test_headers_when_body_has_single_quotes_then_signed_as_double_quotes_like_the_sdk() -> None:
    out = auth.headers(CREDS, ADDRESS, TS, "POST", "/order", "{'owner':'k','side':'BUY'}")
    assert out["POLY_SIGNATURE"] == _by_hand(b'1700000000POST/order{"owner":"k","side":"BUY"}')


def test_headers_when_any_part_changes_then_signature_changes() -> None:
    base = auth.headers(CREDS, ADDRESS, TS, "POST", "/order", BODY)["POLY_SIGNATURE"]
    variants = [
        auth.headers(CREDS, ADDRESS, TS + 1, "POST", "/order", BODY),
        auth.headers(CREDS, ADDRESS, TS, "DELETE", "/order", BODY),
        auth.headers(CREDS, ADDRESS, TS, "POST", "/orders", BODY),
        auth.headers(CREDS, ADDRESS, TS, "POST", "/order", BODY.replace("BUY", "SELL")),
    ]
    assert all(v["POLY_SIGNATURE"] != base for v in variants)
    assert variants[0]["POLY_SIGNATURE"] == _by_hand(b'1700000001POST/order{"owner":"k","side":"BUY"}')


def test_header_names_are_the_sdk_constants() -> None:
    out = auth.headers(CREDS, ADDRESS, TS, "GET", "/time", None)
    assert set(out) == {
        sdk_headers.POLY_ADDRESS,
        sdk_headers.POLY_SIGNATURE,
        sdk_headers.POLY_TIMESTAMP,
        sdk_headers.POLY_API_KEY,
        sdk_headers.POLY_PASSPHRASE,
    }


@pytest.mark.parametrize(("local", "venue"), [(TS, TS), (TS + 5, TS), (TS - 5, TS)])
def test_clock_skew_when_within_budget_then_none(local: int, venue: int) -> None:
    assert auth.clock_skew(local, venue, auth.Config()) is None  # |skew| <= 5


def test_clock_skew_when_over_budget_then_clock_skew_with_signed_skew() -> None:
    assert auth.clock_skew(TS + 6, TS, auth.Config()) == Rejection(
        "SEC_CLOCK_SKEW", {"local_ts_s": "1700000006", "venue_ts_s": "1700000000", "skew_s": "6", "max_skew_s": "5"}
    )
    behind = auth.clock_skew(TS - 90, TS, auth.Config(max_skew_s=60))  # 90 s behind > 60
    assert behind is not None and behind.details["skew_s"] == "-90"
    assert auth.clock_skew(TS - 60, TS, auth.Config(max_skew_s=60)) is None


@pytest.mark.parametrize("overrides", [{"max_skew_s": 0}, {"max_skew_s": -1}, {"other": 1}])
def test_config_when_invalid_then_rejected(overrides: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        auth.Config(**overrides)
