"""exec.gtd_expiry_manager — stamp a GTD plan's venue expiration, the venue's one-minute buffer included.

Method (integer seconds / milliseconds UTC)
    The venue takes a GTD order's ``expiration`` in unix SECONDS and keeps a one-minute security
    threshold: "if you need the order to expire in 90 seconds, the correct expiration value is
    now + 1 minute + 30 seconds" (docs.polymarket.com, Trading → Orders → Create order, GTD
    orders: ``expiration = floor(now / 1000) + 60 + lifetime``). So the venue drops a GTD order
    ``buffer_s`` (60) seconds BEFORE its expiration field.

    :func:`with_expiry`: ``expiration_s = floor(plan.ts_ms / 1000) + buffer_s + lifetime_s``,
    ``plan.ts_ms`` being the plan's decision time (the shadow clock; a live OMS stamps plans at
    submission). The order then lives until ``(floor(ts_ms / 1000) + lifetime_s)·1000`` ms:
    ``lifetime_s`` less the sub-second part of ``ts_ms`` (at most 999 ms short, never longer).
    A lifetime below ``min_lifetime_s`` → EXEC_GTD_TOO_SOON (default 10 s: a house default, not a
    venue rule — an order living only a few seconds is gone within a placement round-trip).
    A GTD plan that already carries an expiration gets the new one. A plan of another order type
    is returned UNCHANGED (``expiration_s`` stays 0: the venue reads no expiration on GTC / FAK
    / FOK), so every plan can pass through; its lifetime is not checked.

    :func:`effective_expiry_ms`: when the venue actually drops the order,
    ``(expiration_s − buffer_s)·1000`` ms — for the mock venue and the order lifecycle.

Inputs
    ``plan`` — ExecutionPlan (order_type, ts_ms ms UTC); ``lifetime_s`` — int seconds the order
    should live; ``expiration_s`` — a GTD plan's expiration, unix seconds.

Returns
    ``with_expiry``: the plan with ``expiration_s`` set (``plan.model_copy``; plans are frozen),
    the plan itself (not GTD), or Rejection(EXEC_GTD_TOO_SOON, {lifetime_s, min_lifetime_s}).
    ``effective_expiry_ms``: int ms UTC.

Reason codes
    EXEC_GTD_TOO_SOON.

Raises
    pydantic.ValidationError — invalid config (``buffer_s`` < 0, ``min_lifetime_s`` < 1).
    ValueError — ``effective_expiry_ms`` of an expiration not after the buffer (0 = no expiry).
"""

from __future__ import annotations

from pydantic import Field

from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import ExecutionPlan, reason_codes
from polytraders.contracts.types import OrderType

SLUG = "exec.gtd_expiry_manager"
VERSION = "0.1.0"

TOO_SOON = reason_codes.require("EXEC_GTD_TOO_SOON")


class Config(BotConfig):
    """Parameters of exec.gtd_expiry_manager."""

    buffer_s: int = Field(
        default=60, ge=0, description="the venue's GTD security threshold, seconds (docs.polymarket.com: 1 minute)"
    )
    min_lifetime_s: int = Field(default=10, ge=1, description="shortest GTD lifetime accepted, seconds (house default)")


def with_expiry(plan: ExecutionPlan, lifetime_s: int, config: Config) -> ExecutionPlan | Rejection:
    """``plan`` with the venue expiration (unix s) that makes a GTD order live ``lifetime_s`` seconds.

    See the module docstring; a non-GTD plan comes back unchanged.
    """
    if plan.order_type != OrderType.GTD:
        return plan
    if lifetime_s < config.min_lifetime_s:
        return Rejection(TOO_SOON, {"lifetime_s": str(lifetime_s), "min_lifetime_s": str(config.min_lifetime_s)})
    return plan.model_copy(update={"expiration_s": plan.ts_ms // 1000 + config.buffer_s + lifetime_s})


def effective_expiry_ms(expiration_s: int, config: Config) -> int:
    """When the venue drops a GTD order with this ``expiration_s`` (unix s): ms UTC, the buffer before it.

    Raises ValueError if ``expiration_s <= config.buffer_s`` (0 is "no expiration": nothing expires).
    """
    if expiration_s <= config.buffer_s:
        raise ValueError(f"expiration_s {expiration_s} is no GTD expiration (buffer {config.buffer_s} s)")
    return (expiration_s - config.buffer_s) * 1000
