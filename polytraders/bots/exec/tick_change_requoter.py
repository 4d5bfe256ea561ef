"""exec.tick_change_requoter — after a tick-size change, cancel the orders off the new grid and requote them on it.

Method (exact Decimal)
    The venue accepts only prices on a token's current tick grid (``tick_size_change`` on the
    market channel, docs.polymarket.com "WSS market channel"; an off-grid order is refused with
    "breaks minimum tick size rule"). After a TickSizeChange, for each resting order of its token:

    1. On the new grid (``price % new_tick == 0``, :func:`polytraders.contracts.market.on_tick_grid`)
       → untouched. A shrink (0.01 → 0.001) leaves every old price on the grid; a growth
       (0.001 → 0.01) moves the ones between the new ticks.
    2. Off the grid → cancel (EXEC_OFF_GRID_CANCEL) and, when ``config.requote``, a replacement at
       ``order_shaper.snap_price(price, new_tick, side)`` — BUY floors, SELL ceils: never more
       aggressive than the order was — for the same remaining size, if that price lies in
       [new_tick, 1 − new_tick]; else cancel only (``new_price`` None).

    Orders of other tokens are not looked at (another change covers them).

Inputs
    ``resting`` — RestingOrder(order_id, condition_id, token_id, side, price, size): our live
    orders (price USDC per share, size = remaining shares); ``change`` — TickSizeChange.

Returns
    ``list[Requote]`` in input order, one per off-grid order of the token: ``order`` (the order to
    cancel), ``code`` EXEC_OFF_GRID_CANCEL, ``new_price`` (Decimal on the new grid, or None =
    cancel only). Empty when every order is on the grid.

Reason codes
    EXEC_OFF_GRID_CANCEL.

Raises
    pydantic.ValidationError — invalid config (extra fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.bots.exec.order_shaper import snap_price
from polytraders.contracts import TickSizeChange, reason_codes
from polytraders.contracts.market import on_tick_grid
from polytraders.contracts.types import Side

SLUG = "exec.tick_change_requoter"
VERSION = "0.1.0"

OFF_GRID = reason_codes.require("EXEC_OFF_GRID_CANCEL")


class Config(BotConfig):
    """Parameters of exec.tick_change_requoter."""

    requote: bool = Field(
        default=True, description="place a replacement on the new grid (False: cancel off-grid orders only)"
    )


@dataclass(frozen=True, slots=True)
class RestingOrder:
    """One of our live orders: ``price`` USDC per share, ``size`` remaining shares."""

    order_id: str
    condition_id: str
    token_id: str
    side: Side
    price: Decimal
    size: Decimal


@dataclass(frozen=True, slots=True)
class Requote:
    """Cancel ``order``; place ``order.size`` at ``new_price`` on the new grid unless it is None."""

    order: RestingOrder
    code: str
    new_price: Decimal | None


def requote(resting: Sequence[RestingOrder], change: TickSizeChange, config: Config) -> list[Requote]:
    """The cancels and replacements a tick-size change calls for; see the module docstring."""
    tick = change.new_tick_size
    out = []
    for order in resting:
        if order.token_id != change.token_id or on_tick_grid(order.price, tick):
            continue
        price = snap_price(order.price, tick, order.side)
        in_band = tick <= price <= 1 - tick
        out.append(Requote(order, OFF_GRID, price if config.requote and in_band else None))
    return out
