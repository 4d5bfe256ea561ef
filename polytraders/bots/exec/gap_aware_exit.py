"""exec.gap_aware_exit — sell an exit only into near bids; stop before an air pocket.

Method (exact Decimal; a short sequential walk, best level first)
    A marketable SELL sweeps the bids down to its limit. Thin books often have a few levels at
    the touch and then nothing for many ticks: a limit below that gap sells into prices far from
    the touch. So the exit walks the bids from the best, taking ``min(level size, size left)``:

    1. a level is near only if ``(best_bid − price) / tick <= config.max_depth_ticks``;
    2. and its gap to the previous taken level, ``(previous − price) / tick``, is
       ``<= config.max_gap_ticks`` (adjacent levels are 1 tick apart);
    3. the walk stops at the first level that fails 1 or 2, when the size is sold, or at the
       book's end. Empty levels (size 0) are skipped (the best bid is the first non-empty one);
       a size <= 0 sells nothing (COMPLETE).

    The worst taken price is the SELL limit: a FAK / FOK at that limit cannot sell below it.
    SELL only: on Polymarket an exit is always a SELL of the outcome token held (a short does not
    exist; the complement's exposure is held as the other token), so there is no BUY mirror.

Inputs
    ``size`` — shares to exit; ``bids`` — BookLevel(price, size) best first (descending prices,
    as OrderBookSnapshot.bids); ``tick`` — the token's tick size (USDC per share).

Returns
    ExitPlan: ``sell_size`` shares the near bids take, ``limit_price`` the worst taken price
    (None when nothing is sellable), ``remainder`` = size − sell_size, ``levels`` taken, ``stop``
    (COMPLETE | GAP | DEPTH | BOOK_END) and ``code`` EXEC_AIR_POCKET whenever a remainder is left
    (None when the whole size is sold, or the size is 0).

Reason codes
    EXEC_AIR_POCKET.

Raises
    pydantic.ValidationError — invalid config (``max_depth_ticks`` < 0, ``max_gap_ticks`` < 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import Field

from polytraders.bots.base import BotConfig
from polytraders.contracts import BookLevel, reason_codes

SLUG = "exec.gap_aware_exit"
VERSION = "0.1.0"

AIR_POCKET = reason_codes.require("EXEC_AIR_POCKET")


class Config(BotConfig):
    """Parameters of exec.gap_aware_exit."""

    max_depth_ticks: int = Field(default=5, ge=0, description="deepest level taken, below the best bid, ticks")
    max_gap_ticks: int = Field(
        default=2, ge=1, description="largest price step between consecutive taken levels, ticks (1 = adjacent)"
    )


@dataclass(frozen=True, slots=True)
class ExitPlan:
    """How much of an exit the near bids take, and at which SELL limit (shares, USDC per share)."""

    sell_size: Decimal
    limit_price: Decimal | None
    remainder: Decimal
    levels: int
    stop: Literal["COMPLETE", "GAP", "DEPTH", "BOOK_END"]
    code: str | None


def exit_plan(size: Decimal, bids: Sequence[BookLevel], tick: Decimal, config: Config) -> ExitPlan:
    """Walk ``bids`` (best first) for a SELL of ``size`` shares; see the module docstring."""
    wanted = max(size, Decimal(0))
    near = [level for level in bids if level.size > 0]
    left, limit, levels = wanted, None, 0
    stop: Literal["COMPLETE", "GAP", "DEPTH", "BOOK_END"] = "BOOK_END"
    for level in near:
        if left == 0:
            break
        if (near[0].price - level.price) / tick > config.max_depth_ticks:
            stop = "DEPTH"
            break
        if limit is not None and (limit - level.price) / tick > config.max_gap_ticks:
            stop = "GAP"
            break
        left -= min(level.size, left)
        limit, levels = level.price, levels + 1
    if left == 0:
        stop = "COMPLETE"
    return ExitPlan(wanted - left, limit, left, levels, stop, None if left == 0 else AIR_POCKET)
