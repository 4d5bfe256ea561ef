"""exec.multi_leg_coordinator — all-or-unwind legs of an arbitrage, within the opportunity's time to live.

Method (sequential state per leg group; exact Decimal shares)
    A group of legs (e.g. BUY YES + BUY NO below 1, or the legs of a neg-risk set) is worth
    holding only complete. Each event is first checked against the deadline
    ``opened_ts_ms + config.ttl_ms`` (event time, not wall time: the same events give the same
    actions, whatever the call order of ``tick``):

    1. OPEN and every leg filled to its size → one DONE action; the group is DONE.
    2. OPEN and a leg rejected or killed (``on_reject``: venue reject, FOK / FAK kill, a cancel the
       strategy did not ask for) → the group UNWINDs with EXEC_LEG_UNWIND; OPEN and an event at
       or after the deadline before step 1 → it UNWINDs with EXEC_OPPORTUNITY_EXPIRED.
       Unwinding: CANCEL every leg still working (not rejected, filled below its size; the size
       is the unfilled rest), then UNWIND every leg with a fill: the opposite side (SELL what was
       bought, BUY back what was sold) for exactly the filled size, at the touch.
    3. A fill that reaches an UNWINDING group (a late fill racing the cancel) → UNWIND exactly
       that fill's size, with the group's unwind code.
    4. A fill beyond a leg's size (venue overfill) → UNWIND the excess with EXEC_OVERFILL, so
       the legs stay matched.

    ``unwind_intent`` prices an UNWIND at the touch (SELL at the best bid, BUY at the best ask)
    as a marketable FAK, not post-only: a failed arbitrage is exited, not re-quoted.

Inputs
    ``Leg(leg_id, condition_id, token_id, side, size, price)`` — shares (> 0) and the leg's limit
    price (USDC per share); ``LegGroup(group_id, legs, opened_ts_ms, config)`` — ms UTC; events:
    ``on_fill(leg_id, size, price, ts_ms)``, ``on_reject(leg_id, code, ts_ms)``, ``tick(ts_ms)``.

Returns
    Each event returns ``tuple[LegAction, ...]`` (possibly empty), in leg order, CANCELs before
    UNWINDs. ``LegAction.kind``: DONE (no leg), CANCEL (``size`` = unfilled rest of the leg's
    order), UNWIND (``side`` opposite the leg, ``size`` = shares to exit). ``action_id`` =
    ``<group_id>:<n>`` with n counting the group's actions from 1 (stable across replays).
    ``unwind_intent`` → OrderIntent (``intent_id`` = the action's id) or Rejection.

Reason codes
    EXEC_LEG_UNWIND, EXEC_OPPORTUNITY_EXPIRED, EXEC_OVERFILL (on actions);
    EXEC_INSUFFICIENT_DEPTH (``unwind_intent``: the touch it needs is empty).

Raises
    ValueError — a group without legs, duplicate leg ids, a non-positive leg size, or an event
    naming a leg that is not in the group (caller wiring errors, not market input).
    pydantic.ValidationError — invalid config (``ttl_ms`` < 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import Field

from polytraders.bots.base import BotConfig, Rejection
from polytraders.contracts import OrderBookSnapshot, OrderIntent, reason_codes
from polytraders.contracts.types import OrderType, Side

SLUG = "exec.multi_leg_coordinator"
VERSION = "0.1.0"

LEG_UNWIND = reason_codes.require("EXEC_LEG_UNWIND")
EXPIRED = reason_codes.require("EXEC_OPPORTUNITY_EXPIRED")
OVERFILL = reason_codes.require("EXEC_OVERFILL")
NO_DEPTH = reason_codes.require("EXEC_INSUFFICIENT_DEPTH")

_OPPOSITE = {Side.BUY: Side.SELL, Side.SELL: Side.BUY}


class Config(BotConfig):
    """Parameters of exec.multi_leg_coordinator."""

    ttl_ms: int = Field(default=5_000, ge=1, description="opportunity time to live from the group's opening, ms")


@dataclass(frozen=True, slots=True)
class Leg:
    """One order of the group: ``size`` shares (> 0) on ``side`` of ``token_id`` at limit ``price``."""

    leg_id: str
    condition_id: str
    token_id: str
    side: Side
    size: Decimal
    price: Decimal


@dataclass(frozen=True, slots=True)
class LegAction:
    """What the executor does next. DONE: ``leg`` None, ``side`` None, ``size`` 0. CANCEL: the
    leg's order, ``size`` its unfilled rest. UNWIND: ``side`` opposite the leg's, ``size`` shares."""

    action_id: str
    kind: Literal["DONE", "CANCEL", "UNWIND"]
    group_id: str
    leg: Leg | None
    side: Side | None
    size: Decimal
    code: str | None


class LegGroup:
    """The sequential state of one all-or-unwind group; see the module docstring.

    ``status``: OPEN → DONE, or OPEN → UNWINDING (``unwind_code`` says why); both terminal.
    """

    def __init__(self, group_id: str, legs: tuple[Leg, ...], opened_ts_ms: int, config: Config) -> None:
        ids = [leg.leg_id for leg in legs]
        if not legs or len(set(ids)) != len(ids):
            raise ValueError(f"a leg group needs legs with distinct ids, got {ids}")
        if any(leg.size <= 0 for leg in legs):
            raise ValueError("every leg's size must be > 0 shares")
        self.group_id = group_id
        self.legs = legs
        self.deadline_ms = opened_ts_ms + config.ttl_ms
        self.status: Literal["OPEN", "DONE", "UNWINDING"] = "OPEN"
        self.unwind_code: str | None = None
        self.rejections: dict[str, str] = {}  # leg id -> the venue's code of its reject / kill
        self._filled = dict.fromkeys(ids, Decimal(0))
        self._notional = dict.fromkeys(ids, Decimal(0))
        self._count = 0

    def filled(self, leg_id: str) -> Decimal:
        """Shares filled on the leg so far (overfills and late fills included)."""
        return self._filled[self._leg(leg_id).leg_id]

    def avg_price(self, leg_id: str) -> Decimal | None:
        """Size-weighted average fill price of the leg (USDC per share), None before a fill."""
        filled = self.filled(leg_id)
        return self._notional[leg_id] / filled if filled else None

    def tick(self, ts_ms: int) -> tuple[LegAction, ...]:
        """Expire the group if ``ts_ms`` (ms UTC) is at or past the deadline while OPEN."""
        return self._expire(ts_ms)

    def on_fill(self, leg_id: str, size: Decimal, price: Decimal, ts_ms: int) -> tuple[LegAction, ...]:
        """A fill of ``size`` shares at ``price`` on the leg at venue time ``ts_ms`` (size <= 0: only
        the deadline is checked)."""
        leg = self._leg(leg_id)
        if size <= 0:
            return self._expire(ts_ms)
        before = self._filled[leg_id]
        self._filled[leg_id] = before + size
        self._notional[leg_id] += size * price
        if self.status == "UNWINDING":
            return (self._act("UNWIND", leg, _OPPOSITE[leg.side], size, self.unwind_code),)
        expired = self._expire(ts_ms)  # its UNWINDs include this fill
        if expired:
            return expired
        actions = []
        excess = self._filled[leg_id] - max(before, leg.size)
        if excess > 0:
            actions.append(self._act("UNWIND", leg, _OPPOSITE[leg.side], excess, OVERFILL))
        if self.status == "OPEN" and all(self._filled[x.leg_id] >= x.size for x in self.legs):
            self.status = "DONE"
            actions.append(self._act("DONE", None, None, Decimal(0), None))
        return tuple(actions)

    def on_reject(self, leg_id: str, code: str, ts_ms: int) -> tuple[LegAction, ...]:
        """The leg's order was rejected or killed (``code``: the venue's reason code)."""
        self.rejections[self._leg(leg_id).leg_id] = code
        return self._expire(ts_ms) or (self._unwind(LEG_UNWIND) if self.status == "OPEN" else ())

    def _expire(self, ts_ms: int) -> tuple[LegAction, ...]:
        return self._unwind(EXPIRED) if self.status == "OPEN" and ts_ms >= self.deadline_ms else ()

    def _unwind(self, code: str) -> tuple[LegAction, ...]:
        self.status, self.unwind_code = "UNWINDING", code
        cancels = [
            self._act("CANCEL", leg, leg.side, leg.size - self._filled[leg.leg_id], code)
            for leg in self.legs
            if leg.leg_id not in self.rejections and self._filled[leg.leg_id] < leg.size
        ]
        unwinds = [
            self._act("UNWIND", leg, _OPPOSITE[leg.side], self._filled[leg.leg_id], code)
            for leg in self.legs
            if self._filled[leg.leg_id] > 0
        ]
        return (*cancels, *unwinds)

    def _act(
        self, kind: Literal["DONE", "CANCEL", "UNWIND"], leg: Leg | None, side: Side | None, size: Decimal,
        code: str | None,
    ) -> LegAction:  # fmt: skip
        self._count += 1
        return LegAction(f"{self.group_id}:{self._count}", kind, self.group_id, leg, side, size, code)

    def _leg(self, leg_id: str) -> Leg:
        for leg in self.legs:
            if leg.leg_id == leg_id:
                return leg
        raise ValueError(f"leg {leg_id!r} is not in group {self.group_id!r}")


def unwind_intent(action: LegAction, book: OrderBookSnapshot, strategy: str) -> OrderIntent | Rejection:
    """The UNWIND ``action`` as a marketable FAK OrderIntent at the touch of ``book`` (the leg's
    token): a SELL at the best bid, a BUY at the best ask; ``ts_ms`` the book's time, ``strategy``
    the group's strategy slug. Rejection EXEC_INSUFFICIENT_DEPTH when that side is empty.

    Raises ValueError when ``action`` is not an UNWIND or ``book`` is another token's.
    """
    leg = action.leg
    if action.kind != "UNWIND" or leg is None or action.side is None or book.token_id != leg.token_id:
        raise ValueError(f"action {action.action_id} is not an UNWIND of book token {book.token_id}")
    touch = book.bids if action.side == Side.SELL else book.asks
    if not touch:
        return Rejection(NO_DEPTH, {"action_id": action.action_id, "token_id": leg.token_id,
                                    "side": action.side.value})  # fmt: skip
    return OrderIntent(
        intent_id=action.action_id, strategy=strategy, condition_id=leg.condition_id, token_id=leg.token_id,
        ts_ms=book.ts_ms, side=action.side, price=touch[0].price, size=action.size, order_type=OrderType.FAK,
        post_only=False,
    )  # fmt: skip
