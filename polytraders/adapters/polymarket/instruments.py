"""InstrumentRecord pieces shared by the WS ``new_market``, CLOB ``/markets`` and Gamma normalisers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from polytraders.adapters.polymarket import parsing as p
from polytraders.contracts import FeeParams, InstrumentToken, RewardsParams

#: Minimum order size in shares when the payload does not say (``new_market``): the venue's usual 5.
DEFAULT_MIN_ORDER_SIZE_SHARES = Decimal("5")
_BPS = Decimal(10_000)


def tokens(token_ids: list[Any], outcomes: list[Any], where: str) -> tuple[InstrumentToken, ...]:
    """Pair token ids with outcome labels position by position; the two lists must be equally long."""
    if len(token_ids) != len(outcomes):
        raise p.ParseError(
            "GOV_DQ_SCHEMA", f"{where}: {len(token_ids)} token ids but {len(outcomes)} outcomes"
        )
    return tuple(
        InstrumentToken(
            token_id=p.token_id(token, f"{where}.token_ids[{index}]"),
            outcome=p.as_str(outcome, f"{where}.outcomes[{index}]"),
        )
        for index, (token, outcome) in enumerate(zip(token_ids, outcomes, strict=True))
    )


def optional_id(value: Any) -> str | None:
    """A venue id field where ``""`` / null mean none."""
    return value if isinstance(value, str) and value else None


def optional_iso_ms(value: Any, where: str) -> int | None:
    """An optional ISO-8601 date field (``""`` / null mean none) -> epoch ms."""
    return None if value in (None, "") else p.iso_ms(value, where)


def rewards(min_size: Any, max_spread_cents: Any, where: str) -> RewardsParams | None:
    """Liquidity-rewards parameters; None when the market has none (missing, or both zero)."""
    if min_size is None or max_spread_cents is None:
        return None
    params = RewardsParams(
        min_size=p.size(min_size, f"{where}min_size"),
        max_spread_cents=p.size(max_spread_cents, f"{where}max_spread"),
    )
    return params if params.min_size or params.max_spread_cents else None


def fees(enabled: Any, maker_bps: Any, taker_bps: Any, where: str, schedule: Any = None) -> FeeParams | None:
    """Fee parameters of a market: its ``feeSchedule`` when sent, else its legacy base fees.

    ``schedule`` (Gamma ``feeSchedule``, 2026) wins: see :func:`fee_schedule`. Without it the fees come
    from the base fees in basis points (``maker_base_fee`` / ``takerBaseFee``; 1000 = 10 %). Note that
    on 2026 fee-enabled markets the base fees are a legacy parameter (1000 on every fee-charging
    market) and NOT the rate charged, which is why a present ``feeSchedule`` takes precedence.
    ``enabled`` is the venue's ``feesEnabled`` flag when sent, else fees are enabled when a rate is
    non-zero. None when neither a schedule nor a base fee is sent.
    """
    if schedule is not None:
        return fee_schedule(enabled, schedule, where)
    if maker_bps is None and taker_bps is None:
        return None
    maker = Decimal(p.integer(maker_bps or 0, f"{where}maker_base_fee")) / _BPS
    taker = Decimal(p.integer(taker_bps or 0, f"{where}taker_base_fee")) / _BPS
    flag = p.as_bool(enabled, f"{where}feesEnabled") if enabled is not None else bool(maker or taker)
    return FeeParams(fees_enabled=flag, taker_fee_rate=taker, maker_fee_rate=maker)


def fee_schedule(enabled: Any, schedule: Any, where: str) -> FeeParams:
    """FeeParams from a Gamma ``feeSchedule`` object ``{rate, exponent, takerOnly, rebateRate}``.

    Venue formula (https://docs.polymarket.com/trading/fees): a taker fill of C shares at price p
    pays ``fee = C x feeRate x p x (1 - p)`` USDC, rounded to 5 decimals; makers pay nothing (they
    receive a daily rebate, ``rebateRate`` of the fee-equivalent, which FeeParams does not carry).
    ``taker_fee_rate = rate``, ``maker_fee_rate = 0`` when ``takerOnly`` (the documented default when
    the flag is absent) else ``rate``, ``exponent = exponent`` (default 1). Numbers go through the
    parsing boundary: Gamma's bare JSON numbers arrive as exact Decimals (``parse_float=Decimal``).
    A non-integer exponent (``0.5``) or a rate outside [0, 1] does not fit FeeParams and quarantines
    the market (GOV_DQ_BAD_NUMBER / the FeeParams validation).
    """
    at = f"{where}feeSchedule"
    obj = p.as_object(schedule, at)
    rate = p.decimal(p.field(obj, "rate", f"{at}."), f"{at}.rate")
    exponent = p.integer(obj.get("exponent", 1), f"{at}.exponent")
    taker_only = p.as_bool(obj.get("takerOnly", True), f"{at}.takerOnly")
    flag = p.as_bool(enabled, f"{where}feesEnabled") if enabled is not None else rate != 0
    return FeeParams(
        fees_enabled=flag,
        taker_fee_rate=rate,
        maker_fee_rate=Decimal(0) if taker_only else rate,
        exponent=exponent,
    )


def first_tag(value: Any) -> str | None:
    """The first tag of a ``tags`` list of strings, as the market's category."""
    if isinstance(value, list) and value and isinstance(value[0], str) and value[0]:
        return value[0]
    return None
