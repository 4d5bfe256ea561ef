"""sec.preflight_doctor: each start-up check passes on a healthy setup and names itself when it fails."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D
from pathlib import Path

import pydantic
import pytest

from polytraders.adapters.polymarket.wallets import Wallet, wallet_problem
from polytraders.bots.base import Rejection
from polytraders.bots.sec import preflight_doctor as doctor

# CLOB V2 contracts, copied from py-clob-client-v2 config.get_contract_config (same on 137 and 80002)
EXCHANGE = "0xE111180000d2663C0091e4f400237545B87B996B"
NR_EXCHANGE = "0xe2222d279d744050d28e00520010520000310F59"
V1_EXCHANGE = "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E"  # the V1 CTF Exchange: not what V2 orders are for
KEY = "0x" + "1a" * 20
SAFE = "0x" + "2b" * 20
CONFIG = doctor.Config()
FAILED, CHAIN = "SEC_PREFLIGHT_FAILED", "SEC_CHAIN_ID_MISMATCH"


@pytest.fixture
def healthy(tmp_path: Path) -> doctor.Preflight:
    day = tmp_path / "2026-01-15"
    day.mkdir()
    return doctor.Preflight(
        signer_address=KEY, wallet=Wallet(2, KEY, SAFE), chain_id=137, exchange=EXCHANGE,
        neg_risk_exchange=NR_EXCHANGE, collateral_micro=5_000_000, fixture_day_dir=day,
    )  # fmt: skip


def _run(inputs: doctor.Preflight, **changes) -> list[Rejection]:
    return doctor.run(dataclasses.replace(inputs, **changes), CONFIG)


def test_run_when_healthy_then_no_rejections(healthy: doctor.Preflight) -> None:
    assert doctor.run(healthy, CONFIG) == []  # collateral 5_000_000 = 5 USDC minimum exactly


@pytest.mark.parametrize("address", [None, ""])
def test_run_when_no_signing_key_then_signing_key_check_fails(healthy: doctor.Preflight, address: str | None) -> None:
    assert _run(healthy, signer_address=address) == [
        Rejection(FAILED, {"check": "signing_key", "problem": "no signing key is loaded"})
    ]


def test_run_when_key_is_not_the_wallet_signer_then_key_is_signer_fails(healthy: doctor.Preflight) -> None:
    other = "0x" + "3c" * 20
    assert _run(healthy, signer_address=other) == [
        Rejection(FAILED, {"check": "key_is_signer", "key": other, "wallet_signer": KEY})
    ]
    assert _run(healthy, signer_address=KEY.upper().replace("0X", "0x")) == []  # same address, other case


def test_run_when_wallet_broken_then_wallet_check_fails_with_the_problem(healthy: doctor.Preflight) -> None:
    broken = Wallet(2, KEY, KEY)  # a safe funded by its own signer
    assert _run(healthy, wallet=broken) == [Rejection(FAILED, {"check": "wallet", "problem": wallet_problem(broken)})]


@pytest.mark.parametrize("chain_id", [80002, 1, 80001])
def test_run_when_chain_id_not_expected_then_chain_id_mismatch(healthy: doctor.Preflight, chain_id: int) -> None:
    assert _run(healthy, chain_id=chain_id) == [
        Rejection(CHAIN, {"check": "chain_id", "chain_id": str(chain_id), "expected": "137"})
    ]


def test_run_when_amoy_expected_then_amoy_passes(healthy: doctor.Preflight) -> None:
    amoy = dataclasses.replace(healthy, chain_id=80002)
    assert doctor.run(amoy, doctor.Config(expected_chain_id=80002)) == []


def test_run_when_exchange_addresses_wrong_then_each_named(healthy: doctor.Preflight) -> None:
    assert _run(healthy, exchange=V1_EXCHANGE, neg_risk_exchange=EXCHANGE) == [
        Rejection(CHAIN, {"check": "exchange", "address": V1_EXCHANGE, "expected": EXCHANGE}),
        Rejection(CHAIN, {"check": "neg_risk_exchange", "address": EXCHANGE, "expected": NR_EXCHANGE}),
    ]


def test_run_when_exchange_in_lower_case_then_passes(healthy: doctor.Preflight) -> None:
    assert _run(healthy, exchange=EXCHANGE.lower(), neg_risk_exchange=NR_EXCHANGE.lower()) == []


def test_run_when_collateral_below_minimum_then_collateral_fails(healthy: doctor.Preflight) -> None:
    # 5 USDC minimum = 5_000_000 micro; 4_999_999 is one micro short
    assert _run(healthy, collateral_micro=4_999_999) == [
        Rejection(FAILED, {"check": "collateral", "have_micro": "4999999", "needed_micro": "5000000"})
    ]
    high = dataclasses.replace(healthy, collateral_micro=12_345_678)
    assert doctor.run(high, doctor.Config(min_collateral_usdc=D("12.345679")))[0].details == {
        "check": "collateral", "have_micro": "12345678", "needed_micro": "12345679",
    }  # fmt: skip
    assert doctor.run(high, doctor.Config(min_collateral_usdc=D("12.345678"))) == []


def test_run_when_fixture_day_missing_or_a_file_then_fixture_day_fails(healthy: doctor.Preflight) -> None:
    missing = healthy.fixture_day_dir.parent / "2026-01-16"
    assert _run(healthy, fixture_day_dir=missing) == [
        Rejection(FAILED, {"check": "fixture_day", "path": str(missing), "problem": "not an existing directory"})
    ]
    a_file = healthy.fixture_day_dir / "book.parquet"
    a_file.write_bytes(b"")
    assert [r.details["check"] for r in _run(healthy, fixture_day_dir=a_file)] == ["fixture_day"]


def test_run_when_everything_wrong_then_every_check_reported_in_order(tmp_path: Path) -> None:
    broken = doctor.Preflight(
        signer_address=None, wallet=Wallet(7, KEY), chain_id=1, exchange=V1_EXCHANGE,
        neg_risk_exchange=V1_EXCHANGE, collateral_micro=0, fixture_day_dir=tmp_path / "none",
    )  # fmt: skip
    out = doctor.run(broken, CONFIG)
    assert [(r.code, r.details["check"]) for r in out] == [
        (FAILED, "signing_key"),
        (FAILED, "wallet"),
        (CHAIN, "chain_id"),
        (CHAIN, "exchange"),
        (CHAIN, "neg_risk_exchange"),
        (FAILED, "collateral"),
        (FAILED, "fixture_day"),
    ]
    assert out == doctor.run(broken, CONFIG)  # deterministic


@pytest.mark.parametrize(
    "overrides",
    [
        {"expected_chain_id": 1},
        {"min_collateral_usdc": D("-1")},
        {"min_collateral_usdc": D("0.0000001")},
        {"other": 1},
    ],
)
def test_config_when_invalid_then_rejected(overrides: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        doctor.Config(**overrides)


def test_config_defaults() -> None:
    assert (CONFIG.expected_chain_id, CONFIG.min_collateral_usdc) == (137, D("5"))
