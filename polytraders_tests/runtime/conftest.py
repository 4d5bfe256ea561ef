"""Small builders of the runtime tests: MarketSnapshot tapes, intents, instruments, fills.

One fixture, ``mk``, hands out :class:`Builders` (pytest imports conftest modules by path, so
test modules reach the builders through the fixture). Two markets: A with tokens ``"11"`` (YES)
and ``"12"`` (NO), B with tokens ``"21"`` / ``"22"``; times are offsets from ``T0`` in ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl
import pytest

from polytraders.adapters.mock_venue import BookTape
from polytraders.contracts import (
    Fill,
    Freshness,
    InstrumentRecord,
    InstrumentToken,
    MarketResolution,
    MarketSnapshot,
    OrderIntent,
    RiskVote,
)
from polytraders.contracts.frames import to_frame
from polytraders.contracts.types import Decision

D = Decimal
T0 = 1_700_000_000_000
COND_A = "0x" + "a" * 64
COND_B = "0x" + "b" * 64
TOKENS = {COND_A: ("11", "12"), COND_B: ("21", "22")}
CONDITION_OF = {token: cond for cond, tokens in TOKENS.items() for token in tokens}
HASH = "ab" * 32
STRAT = "strat.maker_tight"

#: (offset ms, token id, best bid or None, best ask or None[, tick size])
Row = tuple


class Builders:
    """Builders of contract objects; all prices and sizes are given as decimal strings."""

    D = Decimal
    T0 = T0
    COND_A = COND_A
    COND_B = COND_B
    STRAT = STRAT

    @staticmethod
    def freshness(ts_ms: int, quality: str = "OK") -> Freshness:
        return Freshness(source_ts_ms=ts_ms, receive_ts_ms=ts_ms, age_ms=0, budget_ms=5_000,
                         quality=quality, provenance_hash=HASH)  # fmt: skip

    @staticmethod
    def snapshot(dt: int, token: str, bid: str | None, ask: str | None, tick: str = "0.01") -> MarketSnapshot:
        """Top of book at T0 + dt; mid and spread_ticks derived exactly when both sides exist."""
        b, a, t = (D(bid) if bid else None), (D(ask) if ask else None), D(tick)
        two_sided = b is not None and a is not None
        return MarketSnapshot(
            condition_id=CONDITION_OF[token], token_id=token, ts_ms=T0 + dt, tick_size=t, best_bid=b, best_ask=a,
            mid=(b + a) / 2 if two_sided else None, spread_ticks=int((a - b) / t) if two_sided else None,
            freshness=Builders.freshness(T0 + dt),
        )  # fmt: skip

    @staticmethod
    def snapshots(rows: Sequence[Row]) -> pl.DataFrame:
        """MarketSnapshot frame of ``(dt, token, bid, ask[, tick])`` rows."""
        return to_frame("MarketSnapshot", [Builders.snapshot(*row) for row in rows])

    @staticmethod
    def tape(rows: Sequence[Row]) -> BookTape:
        return BookTape(Builders.snapshots(rows))

    @staticmethod
    def intent(
        intent_id: str,
        dt: int,
        token: str = "11",
        price: str = "0.50",
        size: str = "10",
        side: str = "BUY",
        strategy: str = STRAT,
        cancels: str | None = None,
    ) -> OrderIntent:
        """A PLACE intent at T0 + dt, or a CANCEL when ``cancels`` names the intent it withdraws."""
        return OrderIntent(
            intent_id=intent_id, strategy=strategy, kind="CANCEL" if cancels else "PLACE",
            cancels_intent_id=cancels, condition_id=CONDITION_OF[token], token_id=token, ts_ms=T0 + dt,
            side=side, price=D(price), size=D(size),
        )  # fmt: skip

    @staticmethod
    def instrument(
        cond: str = COND_A, tick: str = "0.01", min_size: str = "5", category: str | None = "weather"
    ) -> InstrumentRecord:
        yes, no = TOKENS[cond]
        return InstrumentRecord(
            condition_id=cond, question=f"market {cond[:6]}?", slug=f"m-{cond[2:6]}", category=category,
            tokens=(InstrumentToken(token_id=yes, outcome="Yes"), InstrumentToken(token_id=no, outcome="No")),
            tick_size=D(tick), min_order_size=D(min_size), neg_risk=False, active=True, closed=False,
            accepting_orders=True, as_of_ms=T0 - 1,
        )  # fmt: skip

    @staticmethod
    def resolution(cond: str, dt: int, winner: str) -> MarketResolution:
        return MarketResolution(condition_id=cond, ts_ms=T0 + dt, token_ids=TOKENS[cond], winning_token_id=winner,
                                winning_outcome="Yes" if winner == TOKENS[cond][0] else "No",
                                provenance_hash=HASH)  # fmt: skip

    @staticmethod
    def fill(fill_id: str, dt: int, token: str, side: str, price: str, size: str, fee: str = "0") -> Fill:
        return Fill(fill_id=fill_id, order_id=f"o-{fill_id}", condition_id=CONDITION_OF[token], token_id=token,
                    ts_ms=T0 + dt, side=side, price=D(price), size=D(size), liquidity="MAKER", fee_usdc=D(fee),
                    trade_status="MATCHED")  # fmt: skip

    @staticmethod
    def vote(
        intent_id: str, bot: str, dt: int, decision: str = "APPROVE", size: str = "10", codes: tuple[str, ...] = ()
    ) -> RiskVote:
        return RiskVote(intent_id=intent_id, bot=bot, ts_ms=T0 + dt, decision=Decision(decision),
                        reason_codes=codes, approved_size=D(size))  # fmt: skip


@pytest.fixture
def mk() -> type[Builders]:
    """The builders of this folder's tests."""
    return Builders


def assert_valid_votes(decisions: pl.DataFrame, votes: dict[str, pl.DataFrame]) -> None:
    """S7's decision frame and vote frames satisfy their contracts: frame checks, and every row a
    valid RiskDecision / RiskVote object (their own rules: a REDUCE or REJECT names its codes)."""
    from polytraders.contracts.frames import from_frame, validate_frame
    from polytraders.runtime.risk_pipeline import DECISION_SCHEMA, VOTE_FRAME

    assert decisions.schema == DECISION_SCHEMA
    validate_frame("RiskDecision", decisions)
    assert len(from_frame("RiskDecision", decisions)) == decisions.height
    for frame in votes.values():
        assert frame.schema == VOTE_FRAME
        validate_frame("RiskVote", frame)
        assert len(from_frame("RiskVote", frame)) == frame.height
