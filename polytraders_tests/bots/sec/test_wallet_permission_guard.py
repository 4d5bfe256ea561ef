"""sec.wallet_permission_guard: signature type, wallet and token allow-lists, notional limit, rule order."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pydantic
import pytest

from polytraders.adapters.polymarket.wallets import Wallet, wallet_problem
from polytraders.bots.sec import wallet_permission_guard as wpg

KEY = "0x" + "1a" * 20  # the signing key's address (lower case)
SAFE = "0x" + "2b" * 20  # a Gnosis safe funded by KEY
OTHER = "0x" + "3c" * 20
EOA = Wallet(0, KEY)
PROXY = Wallet(2, KEY, SAFE)
OK, LISTED, TYPE, NOTIONAL = None, "SEC_NOT_ALLOW_LISTED", "SEC_SIGNATURE_TYPE_MISMATCH", "SEC_NOTIONAL_LIMIT"


def _orders(*rows: tuple[str | None, str | None, str | None]) -> pl.DataFrame:
    """rows of (token_id, price, size); intent ids i-0, i-1, ... in order."""
    return pl.DataFrame(
        {
            "intent_id": [f"i-{n}" for n in range(len(rows))],
            "token_id": [token for token, _, _ in rows],
            "side": ["BUY"] * len(rows),
            "price": [None if price is None else D(price) for _, price, _ in rows],
            "size": [None if size is None else D(size) for _, _, size in rows],
        },
        schema={"intent_id": pl.String, "token_id": pl.String, "side": pl.String,
                "price": pl.Decimal(38, 6), "size": pl.Decimal(38, 6)},
    )  # fmt: skip


def _codes(out: pl.DataFrame) -> list[str | None]:
    return out["reason_code"].to_list()


def _config(**overrides) -> wpg.Config:
    return wpg.Config(**{"allowed_wallets": (KEY,), **overrides})


def test_guard_when_all_rules_pass_then_rows_allowed_with_null_code_and_detail() -> None:
    out = wpg.guard(_orders(("7", "0.5", "10"), ("8", "0.25", "4")), EOA, _config())
    assert out.schema == wpg.GUARD_SCHEMA
    assert out.to_dicts() == [  # 0.5·10 = 5 and 0.25·4 = 1 USDC, both <= 100
        {"intent_id": "i-0", "reason_code": None, "detail": None},
        {"intent_id": "i-1", "reason_code": None, "detail": None},
    ]


def test_guard_when_signature_type_does_not_fit_then_every_row_mismatch_first() -> None:
    broken = Wallet(1, KEY)  # POLY_PROXY without a funder
    # even an allow-listed maker and a row over the notional limit report the signature type first
    out = wpg.guard(_orders(("7", "0.5", "10"), ("7", "0.9", "1000")), broken, _config())
    assert _codes(out) == [TYPE, TYPE]
    assert out["detail"].to_list() == [wallet_problem(broken)] * 2
    assert "needs a funder" in out["detail"][0]


def test_guard_when_wallet_not_listed_then_every_row_not_allow_listed() -> None:
    out = wpg.guard(_orders(("7", "0.5", "10"), ("8", "0.1", "1")), EOA, _config(allowed_wallets=(OTHER,)))
    assert _codes(out) == [LISTED, LISTED]
    assert out["detail"].to_list() == [f"wallet {KEY} is not on the allow-list"] * 2


def test_guard_when_allow_list_empty_default_then_fails_closed() -> None:
    out = wpg.guard(_orders(("7", "0.5", "10")), EOA, wpg.Config())  # allowed_wallets = ()
    assert _codes(out) == [LISTED]


def test_guard_when_wallet_listed_in_other_case_then_allowed() -> None:
    upper = "0x" + KEY[2:].upper()  # 0x1A1A...: same address, other case
    out = wpg.guard(_orders(("7", "0.5", "10")), EOA, _config(allowed_wallets=(upper,)))
    assert _codes(out) == [OK]


def test_guard_when_proxy_wallet_then_the_funder_is_what_is_listed() -> None:
    orders = _orders(("7", "0.5", "10"))
    # the maker of a safe's orders is the safe (funder), not the key
    assert _codes(wpg.guard(orders, PROXY, _config(allowed_wallets=(KEY,)))) == [LISTED]
    assert _codes(wpg.guard(orders, PROXY, _config(allowed_wallets=(SAFE,)))) == [OK]


def test_guard_when_token_allow_list_then_only_listed_tokens_pass() -> None:
    orders = _orders(("7", "0.5", "10"), ("8", "0.5", "10"), ("77", "0.5", "10"))
    out = wpg.guard(orders, EOA, _config(allowed_token_ids=("7",)))
    assert _codes(out) == [OK, LISTED, LISTED]  # exact match: "77" is not "7"
    assert out["detail"].to_list() == [None, "token 8 is not on the allow-list", "token 77 is not on the allow-list"]


def test_guard_when_token_allow_list_none_then_any_token_passes() -> None:
    orders = _orders(("7", "0.5", "10"), ("123456789", "0.5", "10"))
    assert _codes(wpg.guard(orders, EOA, _config(allowed_token_ids=None))) == [OK, OK]


def test_guard_when_replaying_with_denying_allow_list_then_every_row_not_allow_listed() -> None:
    # the P4 gate's replay: allowed_token_ids=() denies every recorded intent
    orders = _orders(("7", "0.5", "10"), ("8", "0.01", "5"), ("9", "0.99", "100"))
    out = wpg.guard(orders, EOA, _config(allowed_token_ids=()))
    assert _codes(out) == [LISTED, LISTED, LISTED]


def test_guard_when_notional_at_limit_then_allowed_and_above_then_notional_limit() -> None:
    orders = _orders(
        ("7", "0.5", "200"), ("7", "0.5", "200.01"), ("7", "0.5", "200.000001"), ("7", "0.333333", "300.000003")
    )
    out = wpg.guard(orders, EOA, _config(max_order_notional_usdc=D("100")))
    # 0.5·200 = 100 <= 100 -> allowed; 0.5·200.01 = 100.005 > 100;
    # 0.5·200.000001 = 100.0000005 > 100 (exact: a product cut to 6 decimals would read 100.000000);
    # 0.333333·300.000003 = 99.9999 + 0.000000999999 = 99.999900999999 <= 100 -> allowed
    assert _codes(out) == [OK, NOTIONAL, NOTIONAL, OK]
    assert out["detail"].to_list() == [
        None,
        "notional 100.005 USDC is over the limit 100 USDC",
        "notional 100.0000005 USDC is over the limit 100 USDC",
        None,
    ]


def test_guard_when_small_limit_then_compared_exactly() -> None:
    orders = _orders(("7", "0.12", "10"), ("7", "0.13", "10"))
    out = wpg.guard(orders, EOA, _config(max_order_notional_usdc=D("1.25")))
    assert _codes(out) == [OK, NOTIONAL]  # 1.2 <= 1.25; 1.3 > 1.25
    assert out["detail"][1] == "notional 1.3 USDC is over the limit 1.25 USDC"


def test_guard_when_nulls_then_fail_closed() -> None:
    orders = _orders((None, "0.5", "10"), ("7", None, "10"), ("7", "0.5", None))
    for allowed in (None, ("7",)):
        out = wpg.guard(orders, EOA, _config(allowed_token_ids=allowed))
        assert _codes(out) == [LISTED, NOTIONAL, NOTIONAL]
        assert out["detail"].to_list() == [
            "token <null> is not on the allow-list",
            "price or size is missing",
            "price or size is missing",
        ]


def test_guard_when_token_and_notional_both_fail_then_token_reported() -> None:
    out = wpg.guard(_orders(("8", "0.9", "1000")), EOA, _config(allowed_token_ids=("7",)))
    assert _codes(out) == [LISTED]  # 900 USDC is over 100 too, but the token rule comes first


def test_guard_keeps_input_order_and_row_count_and_ignores_extra_columns() -> None:
    orders = _orders(("7", "0.9", "1000"), ("7", "0.5", "10"), ("8", "0.5", "10")).with_columns(
        pl.lit("x").alias("extra")
    )
    out = wpg.guard(orders, EOA, _config(allowed_token_ids=("7",)))
    assert out["intent_id"].to_list() == ["i-0", "i-1", "i-2"]
    assert _codes(out) == [NOTIONAL, OK, LISTED]
    assert out.equals(wpg.guard(orders, EOA, _config(allowed_token_ids=("7",))))  # deterministic


def test_guard_when_empty_frame_then_typed_empty_frame() -> None:
    out = wpg.guard(_orders(), EOA, _config())
    assert out.height == 0
    assert out.schema == wpg.GUARD_SCHEMA
    assert wpg.guard(_orders(), Wallet(1, KEY), _config()).height == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"allowed_wallets": ("0x1234",)},
        {"allowed_wallets": ("1a" * 20,)},
        {"max_order_notional_usdc": D("0")},
        {"max_order_notional_usdc": D("-1")},
        {"max_order_notional_usdc": D("0.0000001")},
        {"unknown": 1},
    ],
)
def test_config_when_invalid_then_rejected(overrides: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        wpg.Config(**overrides)


def test_config_defaults() -> None:
    config = wpg.Config()
    assert config.allowed_wallets == ()
    assert config.allowed_token_ids is None
    assert config.max_order_notional_usdc == D("100")
