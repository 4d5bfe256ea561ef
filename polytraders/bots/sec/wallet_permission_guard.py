"""sec.wallet_permission_guard — the wallet may sign, is allow-listed, and each order is within its limits.

Method (vectorised over a frame of orders; the first failing rule of a row is its verdict)
    1. The wallet's signature type fits its maker / signer
       (:func:`polytraders.adapters.polymarket.wallets.wallet_problem`: CLOB V2 types 0..3, from
       py-clob-client-v2 ``SignatureTypeV2`` / ``OrderBuilder``) — else SEC_SIGNATURE_TYPE_MISMATCH
       on every row.
    2. The wallet's maker (the funder, or the signer of a self-funded EOA) is in
       ``config.allowed_wallets`` (addresses compared case-insensitively) — else
       SEC_NOT_ALLOW_LISTED on every row. The allow-list fails closed: its default, the empty
       tuple, allows no wallet; the runtime profile names the wallet it trades from.
    3. The row's token is in ``config.allowed_token_ids`` (None = any token; a tuple = only those,
       so ``()`` denies every token, which is how the P4 gate replays recorded intents against a
       denying allow-list) — else SEC_NOT_ALLOW_LISTED.
    4. Notional ``price × size`` (USDC, exact: Decimal with scale 12, the exact product of two
       scale-6 decimals) <= ``config.max_order_notional_usdc`` — else SEC_NOTIONAL_LIMIT.
    A null token, price or size fails its rule (fail closed), whatever the allow-list.

Inputs
    ``orders`` — pl.DataFrame with at least ``intent_id`` (String), ``token_id`` (String),
    ``price`` (Decimal, USDC per share, probability in [0, 1]) and ``size`` (Decimal, shares);
    other columns (e.g. ``side``) are ignored. ``wallet`` — the
    :class:`~polytraders.adapters.polymarket.wallets.Wallet` the orders are signed for.

Returns
    pl.DataFrame :data:`GUARD_SCHEMA`: ``intent_id`` (String), ``reason_code`` (String, null =
    allowed), ``detail`` (String naming the failed rule and its figures, null when allowed);
    one row per input row, in input order.

Reason codes
    SEC_SIGNATURE_TYPE_MISMATCH, SEC_NOT_ALLOW_LISTED, SEC_NOTIONAL_LIMIT.

Raises
    pydantic.ValidationError — invalid config (an allow-listed wallet that is not a 20-byte hex
    address, a notional limit <= 0). polars.exceptions.ColumnNotFoundError — a required column
    is missing.

Example
    >>> import polars as pl
    >>> from decimal import Decimal
    >>> from polytraders.adapters.polymarket.wallets import Wallet
    >>> me = "0x" + "1" * 40
    >>> orders = pl.DataFrame({"intent_id": ["i-1"], "token_id": ["7"], "price": [Decimal("0.5")],
    ...                        "size": [Decimal("10")]})
    >>> guard(orders, Wallet(0, me), Config(allowed_wallets=(me,))).row(0)
    ('i-1', None, None)
    >>> guard(orders, Wallet(0, me), Config(allowed_wallets=(me,), allowed_token_ids=())).row(0)[1]
    'SEC_NOT_ALLOW_LISTED'
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import polars as pl
from pydantic import Field, StringConstraints

from polytraders.adapters.polymarket.wallets import Wallet, wallet_problem
from polytraders.bots.base import BotConfig
from polytraders.contracts import reason_codes

SLUG = "sec.wallet_permission_guard"
VERSION = "0.1.0"

SIGNATURE_TYPE_MISMATCH = reason_codes.require("SEC_SIGNATURE_TYPE_MISMATCH")
NOT_ALLOW_LISTED = reason_codes.require("SEC_NOT_ALLOW_LISTED")
NOTIONAL_LIMIT = reason_codes.require("SEC_NOTIONAL_LIMIT")

GUARD_SCHEMA = pl.Schema({"intent_id": pl.String, "reason_code": pl.String, "detail": pl.String})

#: Exact product of two scale-6 decimals (price x size).
_NOTIONAL = pl.Decimal(38, 12)

Address = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]


class Config(BotConfig):
    """Parameters of sec.wallet_permission_guard."""

    allowed_wallets: tuple[Address, ...] = Field(
        default=(),
        description="maker addresses (funder, or the EOA signer) allowed to trade, case-insensitive; "
        "empty = none (fail closed)",
    )
    allowed_token_ids: tuple[str, ...] | None = Field(
        default=None, description="outcome token ids allowed; None = any token, () = none"
    )
    max_order_notional_usdc: Decimal = Field(
        default=Decimal("100"), gt=0, decimal_places=6, description="largest price x size of one order, USDC"
    )


def guard(orders: pl.DataFrame, wallet: Wallet, config: Config) -> pl.DataFrame:
    """Verdict per order (see the module docstring): ``GUARD_SCHEMA``, one row per ``orders`` row."""
    problem = wallet_problem(wallet)
    listed = {address.lower() for address in config.allowed_wallets}
    limit = config.max_order_notional_usdc
    notional = pl.col("price").cast(_NOTIONAL) * pl.col("size").cast(_NOTIONAL)
    token_ok = (
        pl.col("token_id").is_not_null() if config.allowed_token_ids is None
        else pl.col("token_id").is_in(pl.lit(list(config.allowed_token_ids), dtype=pl.List(pl.String)))
    )  # fmt: skip
    rules = [  # (fails, code, detail), in order
        (pl.lit(problem is not None), SIGNATURE_TYPE_MISMATCH, pl.lit(problem)),
        (pl.lit(wallet.maker.lower() not in listed), NOT_ALLOW_LISTED,
         pl.lit(f"wallet {wallet.maker} is not on the allow-list")),
        (~token_ok.fill_null(False), NOT_ALLOW_LISTED,
         pl.format("token {} is not on the allow-list", pl.col("token_id").fill_null("<null>"))),
        ((notional > pl.lit(limit, dtype=_NOTIONAL)).fill_null(True), NOTIONAL_LIMIT,
         pl.when(notional.is_null()).then(pl.lit("price or size is missing"))
         .otherwise(pl.format("notional {} USDC is over the limit {} USDC", _plain(notional),
                              pl.lit(f"{limit.normalize():f}")))),
    ]  # fmt: skip
    code = pl.lit(None, dtype=pl.String)
    detail = pl.lit(None, dtype=pl.String)
    for fails, rule_code, rule_detail in reversed(rules):
        code = pl.when(fails).then(pl.lit(rule_code)).otherwise(code)
        detail = pl.when(fails).then(rule_detail).otherwise(detail)
    return orders.select(pl.col("intent_id").cast(pl.String), code.alias("reason_code"), detail.alias("detail")).cast(
        dict(GUARD_SCHEMA)
    )


def _plain(value: pl.Expr) -> pl.Expr:
    """A Decimal expression as text without trailing zeros (``60.300000000000`` -> ``60.3``)."""
    return value.cast(pl.String).str.strip_chars_end("0").str.strip_chars_end(".")
