"""What a risk bot sees: one row per PLACE intent with its context, plus the histories so far.

Built by the runtime (:mod:`polytraders.runtime.risk_context`), read-only for bots. Every risk
bot is ``vote(intents, ctx, config) -> votes``: vectorised over the intent frame.

The intent frame (:data:`RISK_FRAME_SCHEMA`), one row per PLACE intent, in (ts_ms, intent_id)
order. Nullable context columns are null when the runtime does not know the value; a bot treats
a null it needs as a REJECT (fail closed: a missing input never approves).

========================  ==================  ==================================================
column                    dtype               meaning
========================  ==================  ==================================================
intent_id                 String              the OrderIntent's id
strategy                  String              the strategy slug that emitted it (strat.*)
condition_id, token_id    String              the market and the outcome token
ts_ms                     Int64               decision time, epoch ms UTC (the intent's time)
side                      String              ``BUY`` or ``SELL``
price                     Decimal(38, 6)      limit price, USDC per share, in (0, 1)
size                      Decimal(38, 6)      shares; as reduced by the bots before this one
order_type                String              ``GTC`` / ``GTD`` / ``FOK`` / ``FAK``
post_only                 Boolean             maker-only order
instrument_known          Boolean             the registry has the market and lists the token
category                  String?             the market's category
tick_size                 Decimal(38, 6)?     the grid in force for the token (S1 TokenState)
tick_changed_ms           Int64?              time of the token's last tick-size change (none: null)
min_order_size            Decimal(38, 6)?     the market's minimum order size, shares
neg_risk                  Boolean?            the market's neg-risk flag (null: unknown)
neg_risk_market_id        String?             the neg-risk event group id
end_ts_ms                 Int64?              the market's scheduled end date, epoch ms UTC
uma_resolution_status     String?             the UMA oracle status (e.g. ``proposed``, ``disputed``)
token_status              String?             TokenState status ACTIVE / CLOSED / RESOLVED
active, accepting_orders  Boolean?            TokenState's metadata flags
closed                    Boolean?            the market record's ``closed`` flag
book_ts_ms                Int64?              time of the token's latest top of book at or before ts_ms
best_bid, best_ask        Decimal(38, 6)?     that book's touch prices (null: side empty / no book)
best_bid_size             Decimal(38, 6)?     size at the best bid, shares (null: unknown)
best_ask_size             Decimal(38, 6)?     size at the best ask, shares (null: unknown)
book_tick_size            Decimal(38, 6)?     the tick size that book was quoted on
spread_ticks              Int64?              (best_ask − best_bid) / book_tick_size
book_quality              String?             the book's freshness quality OK / WARN / HARD / FAIL
feed_last_data_ms         Int64?              the market channel's last DATA frame at or before ts_ms
feed_liveness_budget_ms   Int64               the run's feed-liveness budget, ms
fair_value                Decimal(38, 6)?     the token's latest S5 fair value at or before ts_ms
position_shares           Decimal(38, 6)?     shares of the token held (long only; ≥ 0)
market_exposure_usdc      Decimal(38, 6)?     cost basis held + resting BUY notional, this market
total_exposure_usdc       Decimal(38, 6)?     the same over all markets
net_exposure_usdc         Decimal(38, 6)?     Σ over markets of |notional in its first token −
                                              notional in its second| (a YES + NO pair pays 1
                                              whatever happens: only the imbalance is at risk)
token_net_usdc            Decimal(38, 6)?     notional in the intent's token − notional in the
                                              other token of its market (signed)
equity_usdc               Decimal(38, 6)?     realised PnL + positions marked to mid, USDC
peak_equity_usdc          Decimal(38, 6)?     highest equity_usdc seen so far in the run
token_wins_pnl_usdc       Decimal(38, 6)?     portfolio PnL over the token's event group (its
                                              neg-risk group, else its market) where it pays 1
token_loses_pnl_usdc      Decimal(38, 6)?     the worst such PnL over the outcomes where it pays 0
========================  ==================  ==================================================

Notional = cost basis held + resting BUY notional (USDC), as in the exposure columns; every
exposure column leaves out the quote the intent replaces (same strategy, token and side). Group
PnL scenarios count held positions at cost and resting BUYs only where they lose (worst case);
``token_wins_pnl_usdc`` is the worst PnL over the outcomes where the token pays 1.

The histories (:class:`RiskContext`) hold only what happened before the rows' times as far as
the runtime could know it; bots look back from each row's ``ts_ms`` (as-of joins,
windows ending at ``ts_ms``) and never forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from polytraders.contracts.frames import empty_frame

_DEC = pl.Decimal(38, 6)

#: Columns of the intent frame, in order (see the module docstring).
RISK_FRAME_SCHEMA = pl.Schema({
    "intent_id": pl.String, "strategy": pl.String, "condition_id": pl.String, "token_id": pl.String,
    "ts_ms": pl.Int64, "side": pl.String, "price": _DEC, "size": _DEC, "order_type": pl.String,
    "post_only": pl.Boolean,
    "instrument_known": pl.Boolean, "category": pl.String, "tick_size": _DEC, "tick_changed_ms": pl.Int64,
    "min_order_size": _DEC, "neg_risk": pl.Boolean, "neg_risk_market_id": pl.String, "end_ts_ms": pl.Int64,
    "uma_resolution_status": pl.String, "token_status": pl.String, "active": pl.Boolean,
    "accepting_orders": pl.Boolean, "closed": pl.Boolean,
    "book_ts_ms": pl.Int64, "best_bid": _DEC, "best_ask": _DEC, "best_bid_size": _DEC, "best_ask_size": _DEC,
    "book_tick_size": _DEC, "spread_ticks": pl.Int64, "book_quality": pl.String,
    "feed_last_data_ms": pl.Int64, "feed_liveness_budget_ms": pl.Int64, "fair_value": _DEC,
    "position_shares": _DEC, "market_exposure_usdc": _DEC, "total_exposure_usdc": _DEC,
    "net_exposure_usdc": _DEC, "token_net_usdc": _DEC,
    "equity_usdc": _DEC, "peak_equity_usdc": _DEC, "token_wins_pnl_usdc": _DEC, "token_loses_pnl_usdc": _DEC,
})

#: A bot's output: one row per input row, same order. ``approved_size`` is the size the bot lets
#: through (= size on APPROVE, strictly between 0 and size on REDUCE, 0 on REJECT);
#: ``reason_code`` is null on APPROVE and a registered code otherwise.
VOTE_SCHEMA = pl.Schema({"decision": pl.String, "approved_size": _DEC, "reason_code": pl.String})

#: Venue-side events (the adapter's log; in shadow, the mock venue's): ``channel`` is ``api``
#: (one row per REST call: ``endpoint`` e.g. ``POST /order``, HTTP ``status``, ``latency_ms``),
#: ``user`` (one row per user-channel message, keep-alives included) or ``heartbeat`` (one row
#: per heartbeat sent: ``status`` 200 when acknowledged, anything else when missed).
VENUE_EVENT_SCHEMA = pl.Schema({
    "ts_ms": pl.Int64, "channel": pl.String, "endpoint": pl.String, "status": pl.Int64, "latency_ms": pl.Int64,
})

#: Realised PnL per fill, USDC (0 on a BUY that opens or adds; the gain or loss on a SELL).
FILL_PNL_SCHEMA = pl.Schema({
    "ts_ms": pl.Int64, "condition_id": pl.String, "token_id": pl.String, "realised_pnl_usdc": _DEC,
})

#: Position reconciliations: local ledger shares vs the venue's (or chain's) view of a token.
RECON_SCHEMA = pl.Schema({
    "ts_ms": pl.Int64, "token_id": pl.String, "local_shares": _DEC, "venue_shares": _DEC,
})


@dataclass(frozen=True, slots=True)
class RiskContext:
    """The histories a risk bot may look back over, each sorted by ``ts_ms``.

    Attributes:
        venue_events: :data:`VENUE_EVENT_SCHEMA` frame.
        fills: :data:`FILL_PNL_SCHEMA` frame.
        recon: :data:`RECON_SCHEMA` frame.
        feed_health: S2's FeedHealth frame (one row per channel and window; the contract's
            columns), for error and gap rates of the market-data feed.
    """

    venue_events: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=VENUE_EVENT_SCHEMA))
    fills: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FILL_PNL_SCHEMA))
    recon: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=RECON_SCHEMA))
    feed_health: pl.DataFrame = field(default_factory=lambda: empty_frame("FeedHealth"))
