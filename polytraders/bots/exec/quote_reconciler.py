"""exec.quote_reconciler — the minimal cancel / place diff from our live quotes to the desired ones.

Method (exact Decimal)
    Quotes are grouped by key (token_id, side); keys are handled in sorted order. Within a key:
    1. Keep: each desired quote, in (price, size) order, keeps the unmatched live order closest to it
       (least |price diff|, then |size diff|, then order id) among those within tolerance:
       ``|live.price − desired.price| <= reprice_tolerance_ticks × tick`` and
       ``|live.size − desired.size| <= resize_tolerance × desired.size`` (EXEC_WITHIN_TOLERANCE).
       Keeping an order keeps its queue position; a cancel + place goes to the back of the queue.
    2. Replace: the remaining desired quotes, in (price, size) order, pair with the remaining live
       orders, in (price, size, order id) order: cancel the live one, place the desired one, coded
       EXEC_REPRICE when the price is off by more than the tolerance, else EXEC_RESIZE.
    3. Live orders left over are cancelled (no desired quote for them: no code); desired quotes left
       over are placed.
    The venue has no order amendment (docs.polymarket.com/trading/orders/overview: orders are placed
    and cancelled), so a change is always a cancel plus a place. The result depends only on the
    quotes, not on their input order.

Inputs
    ``live`` — LiveQuote (order id, token id, side, price USDC per share, remaining size shares);
    ``desired`` — DesiredQuote (token id, side, price, size); ``tick`` — Decimal tick size of the
    market (all quotes are in one market).

Returns
    ReconcilePlan: ``cancels`` (order ids), ``places`` (DesiredQuote), ``keeps`` ((order id, code)),
    ``replaces`` ((cancelled order id, EXEC_REPRICE | EXEC_RESIZE) for each cancel that a place
    replaces) — tuples in the order above; every live order is in exactly one of keeps / cancels and
    every desired quote is either kept by a live order or in places.

Reason codes
    EXEC_WITHIN_TOLERANCE, EXEC_REPRICE, EXEC_RESIZE.

Raises
    pydantic.ValidationError — invalid config (negative tolerance).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.contracts import reason_codes
from polytraders.contracts.types import Side

SLUG = "exec.quote_reconciler"
VERSION = "0.1.0"

WITHIN_TOLERANCE = reason_codes.require("EXEC_WITHIN_TOLERANCE")
REPRICE = reason_codes.require("EXEC_REPRICE")
RESIZE = reason_codes.require("EXEC_RESIZE")


class Config(BotConfig):
    """Parameters of exec.quote_reconciler."""

    reprice_tolerance_ticks: int = Field(
        default=0, ge=0, description="largest price difference that keeps a live order; ticks"
    )
    resize_tolerance: Decimal = Field(
        default=Decimal("0.1"), ge=0, description="largest |size difference| / desired size that keeps it; fraction"
    )


@dataclass(frozen=True, slots=True)
class LiveQuote:
    """One of our resting orders: venue ``order_id``, token, side, price (USDC per share), remaining size (shares)."""

    order_id: str
    token_id: str
    side: Side
    price: Decimal
    size: Decimal


@dataclass(frozen=True, slots=True)
class DesiredQuote:
    """A quote the strategy wants resting: token, side, price (USDC per share), size (shares)."""

    token_id: str
    side: Side
    price: Decimal
    size: Decimal


@dataclass(frozen=True, slots=True)
class ReconcilePlan:
    """The diff: orders to cancel, quotes to place, orders kept and the codes of replaced orders."""

    cancels: tuple[str, ...]
    places: tuple[DesiredQuote, ...]
    keeps: tuple[tuple[str, str], ...]
    replaces: tuple[tuple[str, str], ...]


def reconcile(
    live: Sequence[LiveQuote], desired: Sequence[DesiredQuote], tick: Decimal, config: Config
) -> ReconcilePlan:
    """The minimal diff from ``live`` to ``desired``; see the module docstring."""
    price_tolerance = config.reprice_tolerance_ticks * tick
    cancels: list[str] = []
    places: list[DesiredQuote] = []
    keeps: list[tuple[str, str]] = []
    replaces: list[tuple[str, str]] = []
    for key in sorted({(q.token_id, q.side) for q in (*live, *desired)}):
        lives = sorted((q for q in live if (q.token_id, q.side) == key), key=lambda q: (q.price, q.size, q.order_id))
        wanted = sorted((q for q in desired if (q.token_id, q.side) == key), key=lambda q: (q.price, q.size))
        unkept: list[DesiredQuote] = []
        for want in wanted:
            fits = [
                q for q in lives
                if abs(q.price - want.price) <= price_tolerance
                and abs(q.size - want.size) <= config.resize_tolerance * want.size
            ]  # fmt: skip
            if not fits:
                unkept.append(want)
                continue
            best = min(fits, key=lambda q: (abs(q.price - want.price), abs(q.size - want.size), q.order_id))
            lives.remove(best)
            keeps.append((best.order_id, WITHIN_TOLERANCE))
        for old, want in zip(lives, unkept, strict=False):
            replaces.append((old.order_id, REPRICE if abs(old.price - want.price) > price_tolerance else RESIZE))
        cancels += [q.order_id for q in lives]
        places += unkept
    return ReconcilePlan(tuple(cancels), tuple(places), tuple(keeps), tuple(replaces))
