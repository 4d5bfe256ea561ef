"""Builders of the normalised frames bot tests feed to ``run(MarketData, config)``.

Every frame is built from validated wire objects (``to_frame``), so a test can only hand a bot
what the normaliser could have produced. Prices and sizes are decimal strings; times are
``T0 + dt`` epoch ms.

    books(("yes", 0, [("0.48", "100")], [("0.52", "50")]))         # (token, dt, bids, asks) best-first
    tops(("yes", 0, "0.48", "0.52"))                               # (token, dt, bid, ask[, tick])
    trades(("yes", 0, "0.50", "10", "BUY"))                        # (token, dt, price, size, aggressor side)
    instruments(market("m1", ("yes", "no"), end_dt=3_600_000))    # InstrumentRecord frame
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from polytraders.contracts import (
    BookLevel,
    Freshness,
    InstrumentRecord,
    InstrumentToken,
    MarketResolution,
    MarketSnapshot,
    OrderBookSnapshot,
    TradePrint,
)
from polytraders.contracts.frames import to_frame

D = Decimal
T0 = 1_790_000_000_000
HASH = "ab" * 32

#: Short token names -> (condition id, token id). Markets "m1" / "m2" / "m3", two tokens each.
MARKETS = {"m1": ("yes", "no"), "m2": ("y2", "n2"), "m3": ("y3", "n3")}
CONDITION = {m: "0x" + f"{i + 1:02x}" * 32 for i, m in enumerate(MARKETS)}
TOKEN_ID = {tok: str(10**20 + 7 * i) for i, tok in enumerate(t for pair in MARKETS.values() for t in pair)}
MARKET_OF = {tok: m for m, pair in MARKETS.items() for tok in pair}


def condition(token: str) -> str:
    """Condition id of a short token name."""
    return CONDITION[MARKET_OF[token]]


def freshness(ts_ms: int, quality: str = "OK", age_ms: int = 0) -> Freshness:
    return Freshness(source_ts_ms=ts_ms - age_ms, receive_ts_ms=ts_ms, age_ms=age_ms, budget_ms=2_000,
                     quality=quality, provenance_hash=HASH)


def book(token: str, dt: int, bids: list[tuple[str, str]], asks: list[tuple[str, str]],
         tick: str = "0.01") -> OrderBookSnapshot:
    """A book of ``token`` at T0 + dt, levels best-first as (price, size)."""
    return OrderBookSnapshot(
        condition_id=condition(token), token_id=TOKEN_ID[token], ts_ms=T0 + dt, tick_size=D(tick),
        bids=tuple(BookLevel(price=D(p), size=D(q)) for p, q in bids),
        asks=tuple(BookLevel(price=D(p), size=D(q)) for p, q in asks),
        freshness=freshness(T0 + dt),
    )


def books(*rows: tuple) -> pl.DataFrame:
    """OrderBookSnapshot frame of ``(token, dt, bids, asks[, tick])`` rows."""
    return to_frame("OrderBookSnapshot", [book(*row) for row in rows])


def top(token: str, dt: int, bid: str | None, ask: str | None, tick: str = "0.01") -> MarketSnapshot:
    """Top of book; mid and spread in ticks derived exactly when both sides exist."""
    b, a, t = (D(bid) if bid else None), (D(ask) if ask else None), D(tick)
    two_sided = b is not None and a is not None
    return MarketSnapshot(
        condition_id=condition(token), token_id=TOKEN_ID[token], ts_ms=T0 + dt, tick_size=t, best_bid=b,
        best_ask=a, mid=(b + a) / 2 if two_sided else None, spread_ticks=int((a - b) / t) if two_sided else None,
        freshness=freshness(T0 + dt),
    )


def tops(*rows: tuple) -> pl.DataFrame:
    """MarketSnapshot frame of ``(token, dt, bid, ask[, tick])`` rows."""
    return to_frame("MarketSnapshot", [top(*row) for row in rows])


def trades(*rows: tuple) -> pl.DataFrame:
    """TradePrint frame of ``(token, dt, price, size, aggressor side)`` rows."""
    return to_frame("TradePrint", [
        TradePrint(condition_id=condition(tok), token_id=TOKEN_ID[tok], ts_ms=T0 + dt, price=D(p), size=D(q),
                   side=side, provenance_hash=HASH)
        for tok, dt, p, q, side in rows
    ])


def market(name: str, *, tick: str = "0.01", end_dt: int | None = None, neg_risk_group: str | None = None,
           active: bool = True, closed: bool = False, accepting_orders: bool = True, slug: str | None = None,
           question: str | None = None, category: str | None = "Sports", start_dt: int | None = None,
           as_of_dt: int = 0, **extra: object) -> InstrumentRecord:
    """The InstrumentRecord of market ``name`` ("m1" | "m2" | "m3"); outcomes Yes / No."""
    yes, no = MARKETS[name]
    return InstrumentRecord(
        condition_id=CONDITION[name], question=question or f"Question {name}?", slug=slug or f"market-{name}",
        category=category,
        tokens=(InstrumentToken(token_id=TOKEN_ID[yes], outcome="Yes"),
                InstrumentToken(token_id=TOKEN_ID[no], outcome="No")),
        tick_size=D(tick), min_order_size=D("5"), neg_risk=neg_risk_group is not None,
        neg_risk_market_id=neg_risk_group, start_ts_ms=None if start_dt is None else T0 + start_dt,
        end_ts_ms=None if end_dt is None else T0 + end_dt, active=active, closed=closed,
        accepting_orders=accepting_orders, as_of_ms=T0 + as_of_dt, **extra,
    )


def instruments(*records: InstrumentRecord) -> pl.DataFrame:
    """InstrumentRecord frame."""
    return to_frame("InstrumentRecord", list(records))


def resolutions(*rows: tuple[str, int, str]) -> pl.DataFrame:
    """MarketResolution frame of ``(market, dt, winning token)`` rows."""
    return to_frame("MarketResolution", [
        MarketResolution(condition_id=CONDITION[m], ts_ms=T0 + dt, token_ids=tuple(TOKEN_ID[t] for t in MARKETS[m]),
                         winning_token_id=TOKEN_ID[win], winning_outcome="Yes" if win == MARKETS[m][0] else "No",
                         provenance_hash=HASH)
        for m, dt, win in rows
    ])
