"""S7, the only trading gate: the risk pipeline over a day's OrderIntents, with the portfolio the
gate's own decisions build.

The declared order starts with a *head* of bots that read only the data (``STATEFUL = False``:
the intent, its market columns, the static histories); the head runs once over every PLACE of
the day. The *tail* (the first stateful bot on) sees the portfolio (positions, exposure, equity,
event-group PnL, the venue log), which depends on what the gate approved before: an approved
intent rests at the mock venue, may fill, and moves exposure and equity. That is truly
sequential. The fold keeps it exact and still runs the tail vectorised, over *segments* of the
intents the head passed (every PLACE still samples the marked equity for the running peak):

1. the session advances to the next intent's time (fills and resolutions due by then);
2. a segment is the following PLACE intents up to the first CANCEL and before the session's next
   event (the next fill of a resting order, or the next resolution), at most ``window`` of them:
   over it the portfolio changes only through the gate's own decisions;
3. the tail (:func:`~polytraders.runtime.risk_pipeline.run_pipeline`) runs once over the
   segment, with the portfolio columns as of each intent (marks move with the book, holdings do
   not); rows up to and including the first intent that passes are committed, the passing one is
   placed at the venue, and the next segment starts after it; the rows after it are evaluated
   again with the new portfolio. A segment with no pass doubles the next window (a reject
   changes nothing), a pass resets it.

The result equals deciding one intent at a time through the whole order (tests check windows 1,
3 and 32 against a run forced to one PLACE per segment, and head + tail against one run,
:func:`~polytraders.runtime.risk_pipeline.chain`).
CANCEL intents always pass: they only remove risk and are never shown to the bots.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import polars as pl

from polytraders.adapters.mock_venue import MICRO, BookTape, VenueOrder
from polytraders.bots import manifest
from polytraders.bots.risk.context import (
    FILL_PNL_SCHEMA,
    RECON_SCHEMA,
    RISK_FRAME_SCHEMA,
    VENUE_EVENT_SCHEMA,
    RiskContext,
)
from polytraders.contracts.frames import FrameValidationError, validate_frame
from polytraders.contracts.types import OrderType, Side
from polytraders.runtime.inventory import REPORT_QUANTUM
from polytraders.runtime.risk_context import PORTFOLIO_COLUMNS, MarketInputs, keepalives, market_columns
from polytraders.runtime.risk_pipeline import DECISION_SCHEMA, VOTE_FRAME, RiskStep, chain, run_pipeline
from polytraders.runtime.session import VenueSession
from polytraders.runtime.stages import resolutions_of

_DEC = pl.Decimal(38, 6)
_ZERO = Decimal(0)
#: First and largest segment length (intents).
WINDOW = 32
MAX_WINDOW = 65_536


#: The strategy bots: the only emitters of the OrderIntents the gate decides.
STRATEGIES: tuple[str, ...] = tuple(sorted(s.slug for s in manifest.by_class()["strat"]))


class NotAStrategyIntentError(ValueError):
    """Raised when the gate is handed anything but OrderIntents emitted by a strategy bot."""


def _check_intents(intents: pl.DataFrame) -> None:
    """Only strategies' OrderIntents reach the risk bots: the frame must be a valid OrderIntent
    frame and every ``strategy`` a strat.* bot of the manifest."""
    try:
        validate_frame("OrderIntent", intents)
    except (FrameValidationError, pl.exceptions.PolarsError) as exc:
        raise NotAStrategyIntentError(f"not an OrderIntent frame: {exc}") from exc
    if intents["intent_id"].n_unique() != intents.height:
        dup = intents.filter(pl.col("intent_id").is_duplicated())["intent_id"][0]
        raise NotAStrategyIntentError(f"intent ids must be unique: {dup!r} appears more than once")
    others = sorted(set(intents["strategy"].unique().to_list()) - set(STRATEGIES))
    if others:
        raise NotAStrategyIntentError(f"intents not emitted by a strategy bot: {others}")


@dataclass(frozen=True, slots=True)
class GateResult:
    """S7 output.

    Attributes:
        votes: RiskVote frame per bot (the rows it evaluated), in declared order.
        decisions: one row per intent, CANCELs included (:data:`DECISION_SCHEMA`), time order.
        approved: the OrderIntent frame of intents that ended APPROVE or REDUCE (reduced size),
            CANCELs included, time order.
        elapsed_ms: time spent in each bot, ms.
        segments: pipeline runs the fold needed.
    """

    votes: dict[str, pl.DataFrame]
    decisions: pl.DataFrame
    approved: pl.DataFrame
    elapsed_ms: dict[str, float]
    segments: int


def _quantised(value: Decimal) -> Decimal:
    return value.quantize(REPORT_QUANTUM)


class _Portfolio:
    """The portfolio columns of RISK_FRAME_SCHEMA for a segment, from the session's state."""

    def __init__(self, session: VenueSession, inputs: MarketInputs) -> None:
        self.session = session
        groups = inputs.instruments.sort("as_of_ms").group_by("condition_id", maintain_order=True).last()
        self._group: dict[str, str] = {}
        self._tokens: dict[str, list[str]] = {}
        self._market: dict[str, str] = {}  # token id -> condition id
        self._members: dict[str, list[str]] = {}
        for cond, neg_risk, group_id, tokens in groups.select(
                "condition_id", "neg_risk", "neg_risk_market_id", pl.col("tokens").list.eval(
                    pl.element().struct.field("token_id"))).iter_rows():
            key = group_id if neg_risk and group_id else cond
            self._group[cond] = key
            self._tokens[cond] = list(tokens)
            self._market.update(dict.fromkeys(tokens, cond))
            self._members.setdefault(key, []).append(cond)

    def _token_notional(self) -> dict[str, Decimal]:
        """Per token: cost basis held + notional of its resting BUYs, USDC."""
        ledger, out = self.session.ledger, {}
        for token in ledger.open_token_ids():
            out[token] = ledger.holding(token)[1]
        for order in self.session.venue.resting.values():
            if order.side is Side.BUY:
                out[order.token_id] = out.get(order.token_id, _ZERO) + order.price * order.size
        return out

    def _imbalance(self, cond: str, notional: dict[str, Decimal]) -> Decimal:
        """Notional in market ``cond``'s first token minus the rest (a YES + NO pair nets out)."""
        first, *rest = self._tokens[cond]
        return notional.get(first, _ZERO) - sum((notional.get(t, _ZERO) for t in rest), _ZERO)

    def _pays(self, key: str, cond: str, token: str) -> list[bool]:
        """Per scenario of group ``key``, whether ``token`` of market ``cond`` pays 1.

        A plain market's scenarios are its outcomes; a neg-risk group's are "market j's YES wins"
        for each member j, plus "none of them" (the worst case when the group is not exhaustive).
        """
        members = self._members[key]
        tokens = self._tokens[cond]
        if len(members) == 1 and key == cond:
            return [token == t for t in tokens]
        yes = token == tokens[0]
        return [(m == cond) == yes for m in members] + [not yes]

    def _scenario_pnl(self, key: str, replaced: str | None) -> list[Decimal]:
        ledger, pnl = self.session.ledger, None
        for cond in self._members[key]:
            for token in self._tokens[cond]:
                pays = self._pays(key, cond, token)
                pnl = pnl or [_ZERO] * len(pays)
                size, cost = ledger.holding(token)
                for s, paid in enumerate(pays):
                    pnl[s] += (size if paid else _ZERO) - cost
        for order_id, order in self.session.venue.resting.items():
            if order.side is Side.BUY and order_id != replaced and self._group.get(order.condition_id) == key:
                for s, paid in enumerate(self._pays(key, order.condition_id, order.token_id)):
                    if not paid:  # worst case: a resting BUY fills exactly where it loses
                        pnl[s] -= order.price * order.size
        return pnl or []

    def columns(self, rows: pl.DataFrame, equity: Sequence[Decimal], peak: Sequence[Decimal]) -> pl.DataFrame:
        """``rows`` (market columns) with the portfolio columns, each as of its row's time;
        ``equity`` and ``peak`` (USDC, one per row) come from :meth:`equity_at` and the run's
        running maximum."""
        session, ledger = self.session, self.session.ledger
        resting = session.venue.resting
        exposure_by_market: dict[str, Decimal] = {}
        for order in resting.values():
            if order.side is Side.BUY:
                exposure_by_market[order.condition_id] = (
                    exposure_by_market.get(order.condition_id, _ZERO) + order.price * order.size)
        total = ledger.exposure_usdc() + sum(exposure_by_market.values(), _ZERO)
        notional = self._token_notional()
        known = {self._market[t] for t in notional if t in self._market}
        net = sum((abs(self._imbalance(cond, notional)) for cond in known), _ZERO) + sum(
            (abs(n) for t, n in notional.items() if t not in self._market), _ZERO)  # no market to net against
        position, market_exp, total_exp, net_exp, token_net, wins, loses = [], [], [], [], [], [], []
        for strategy, cond, token, side in rows.select("strategy", "condition_id", "token_id", "side").iter_rows():
            replaced = session.live_order_id(strategy, token, Side(side))
            old = resting.get(replaced) if replaced is not None else None
            freed = old.price * old.size if old is not None and old.side is Side.BUY else _ZERO
            position.append(ledger.holding(token)[0])
            market_exp.append(ledger.exposure_usdc(cond) + exposure_by_market.get(cond, _ZERO) - freed)
            total_exp.append(total - freed)
            key = self._group.get(cond)
            if key is None or token not in self._tokens[cond]:
                for column in (net_exp, token_net, wins, loses):
                    column.append(None)
                continue
            before = self._imbalance(cond, notional)
            after = self._imbalance(cond, {**notional, token: notional.get(token, _ZERO) - freed})
            net_exp.append(net - abs(before) + abs(after))
            token_net.append(after if token == self._tokens[cond][0] else -after)
            pnl, pays = self._scenario_pnl(key, replaced), self._pays(key, cond, token)
            wins.append(min((p for p, paid in zip(pnl, pays, strict=True) if paid), default=None))
            loses.append(min((p for p, paid in zip(pnl, pays, strict=True) if not paid), default=None))
        return rows.with_columns(
            pl.Series("position_shares", [_quantised(v) for v in position], _DEC),
            pl.Series("market_exposure_usdc", [_quantised(v) for v in market_exp], _DEC),
            pl.Series("total_exposure_usdc", [_quantised(v) for v in total_exp], _DEC),
            pl.Series("net_exposure_usdc", [None if v is None else _quantised(v) for v in net_exp], _DEC),
            pl.Series("token_net_usdc", [None if v is None else _quantised(v) for v in token_net], _DEC),
            pl.Series("equity_usdc", [_quantised(v) for v in equity], _DEC),
            pl.Series("peak_equity_usdc", [_quantised(v) for v in peak], _DEC),
            pl.Series("token_wins_pnl_usdc", [None if v is None else _quantised(v) for v in wins], _DEC),
            pl.Series("token_loses_pnl_usdc", [None if v is None else _quantised(v) for v in loses], _DEC),
        ).select(RISK_FRAME_SCHEMA.names())

    def equity_at(self, ts_ms: np.ndarray) -> list[Decimal]:
        """Realised PnL plus open positions marked to mid at each time, USDC (a token with no mark
        yet counts at cost)."""
        ledger, tape = self.session.ledger, self.session.tape
        base = ledger.realised_usdc()
        unrealised = [_ZERO] * len(ts_ms)
        for token in ledger.open_token_ids():
            size, cost = ledger.holding(token)
            for k, mark in enumerate(tape.marks_micro_at(token, ts_ms).tolist()):
                if mark >= 0:
                    unrealised[k] += Decimal(mark) / MICRO * size - cost
        return [base + u for u in unrealised]


def _history(session: VenueSession, static_events: pl.DataFrame, feed_health: pl.DataFrame) -> RiskContext:
    log = session.log
    api = pl.DataFrame(
        [(ts, "api", endpoint, 200, 0) for ts, endpoint in log.api_calls], schema=VENUE_EVENT_SCHEMA, orient="row")
    return RiskContext(
        venue_events=pl.concat([static_events, api]).sort("ts_ms", maintain_order=True),
        fills=pl.DataFrame([(t, c, k, _quantised(p)) for t, c, k, p in log.realised], schema=FILL_PNL_SCHEMA,
                           orient="row"),
        recon=pl.DataFrame([(t, k, _quantised(a), _quantised(b)) for t, k, a, b in log.recon], schema=RECON_SCHEMA,
                           orient="row"),
        feed_health=feed_health,
    )


def run_gate(intents: pl.DataFrame, inputs: MarketInputs, steps: Sequence[RiskStep],
             window: int = WINDOW) -> GateResult:
    """Decide every intent of the OrderIntent frame ``intents`` (any order; decided in
    (ts_ms, intent_id) order) through ``steps``, over the recorded day ``inputs``.

    ``window`` is the first segment length after each pass (a segment with no pass doubles the
    next, up to :data:`MAX_WINDOW`). Raises ValueError if
    ``window`` < 1, NotAStrategyIntentError if ``intents`` is not a valid OrderIntent frame of
    strategy bots.
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    _check_intents(intents)
    ordered = intents.sort("ts_ms", "intent_id")
    places = market_columns(ordered.filter(pl.col("kind") == "PLACE"), inputs)
    kinds = ordered["kind"].to_list()
    times = ordered["ts_ms"].to_list()
    place_at = np.cumsum([k == "PLACE" for k in kinds]) - 1  # row of each PLACE in ``places``
    # the in-process mock venue is connected from the day's first data or intent to its last
    session_ts = pl.concat([inputs.market_snapshots["ts_ms"], ordered["ts_ms"]])
    static = keepalives(int(session_ts.min()), int(session_ts.max())) if session_ts.len() else \
        pl.DataFrame(schema=VENUE_EVENT_SCHEMA)
    session = VenueSession(BookTape(inputs.market_snapshots), resolutions_of(inputs.resolutions))
    portfolio = _Portfolio(session, inputs)
    # the stateless head of the declared order decides once over every PLACE of the day; its
    # frame's portfolio columns are null (a head bot that read them would reject, and tests see it)
    k = next((n for n, step in enumerate(steps) if step.stateful), len(steps))
    head_steps, tail_steps = list(steps[:k]), list(steps[k:])
    blank = places.with_columns(pl.lit(None, RISK_FRAME_SCHEMA[c]).alias(c) for c in PORTFOLIO_COLUMNS)
    head = run_pipeline(blank.select(RISK_FRAME_SCHEMA.names()), _history(session, static, inputs.feed_health),
                        head_steps)
    through = (head.decisions["decision"] != "REJECT").to_numpy()
    head_size = head.decisions["approved_size"]
    votes: dict[str, list[pl.DataFrame]] = {s.slug: [] for s in tail_steps}
    tail_decisions: list[pl.DataFrame] = []
    cancels: list[tuple] = []
    passed: list[tuple[str, Decimal]] = []
    elapsed = dict(head.elapsed_ns) | {s.slug: 0 for s in tail_steps}
    peak, size, i, n, segments = _ZERO, window, 0, ordered.height, 0
    while i < n:
        session.advance(times[i])
        if kinds[i] == "CANCEL":
            row = ordered.row(i, named=True)
            session.cancel(str(row["cancels_intent_id"]), row["ts_ms"])
            cancels.append((row["intent_id"], row["ts_ms"], "APPROVE", row["size"], None, [], []))
            passed.append((row["intent_id"], row["size"]))
            i += 1
            continue
        horizon = session.next_event_ts()
        j = i + 1
        while j < n and j - i < size and kinds[j] == "PLACE" and (horizon is None or times[j] < horizon):
            j += 1
        first, last = int(place_at[i]), int(place_at[j - 1]) + 1
        alive = through[first:last]
        # every PLACE samples the marked equity at its time; the peak is their running maximum
        equity = portfolio.equity_at(np.array(times[i:j]))
        running = list(itertools.accumulate(equity, max, initial=peak))[1:]
        keep, outcome = last - first, None
        if alive.any():  # rows the head rejected are decided already
            rows = places[first:last].filter(pl.Series(alive)).with_columns(
                size=head_size.slice(first, last - first).filter(pl.Series(alive)))
            picked = np.flatnonzero(alive)
            segment = portfolio.columns(rows, [equity[r] for r in picked], [running[r] for r in picked])
            outcome = run_pipeline(segment, _history(session, static, inputs.feed_health), tail_steps)
            segments += 1
            for slug, ns in outcome.elapsed_ns.items():
                elapsed[slug] += ns
            passing = np.flatnonzero(outcome.decisions["decision"].to_numpy() != "REJECT")
            if passing.size:
                keep = int(np.flatnonzero(alive)[passing[0]]) + 1  # through the first pass, in places rows
            taken = int(alive[:keep].sum())
            committed = outcome.decisions.head(taken)
            tail_decisions.append(committed)
            for slug, frame in outcome.votes.items():
                votes[slug].append(frame.filter(pl.col("intent_id").is_in(committed["intent_id"].implode())))
        peak = running[keep - 1]
        if outcome is not None and passing.size:
            row = segment.row(taken - 1, named=True)
            approved_size = committed["approved_size"][taken - 1]
            passed.append((row["intent_id"], approved_size))
            session.place(row["strategy"], VenueOrder(
                order_id=row["intent_id"], intent_id=row["intent_id"], condition_id=row["condition_id"],
                token_id=row["token_id"], side=Side(row["side"]), price=row["price"], size=approved_size,
                placed_ts_ms=row["ts_ms"], order_type=OrderType(row["order_type"]),
            ))
            size = window
        else:
            size = min(size * 2, MAX_WINDOW)
        i += keep
    tail = pl.concat([pl.DataFrame(schema=DECISION_SCHEMA), *tail_decisions])
    decided = pl.concat([
        chain(head.decisions, tail, [s.slug for s in tail_steps]),
        pl.DataFrame(cancels, schema=DECISION_SCHEMA, orient="row"),
    ]).join(ordered.select("intent_id").with_row_index("_order"), on="intent_id").sort("_order").drop("_order")
    sizes = pl.DataFrame(passed, schema={"intent_id": pl.String, "_size": _DEC}, orient="row")
    approved = ordered.join(sizes, on="intent_id", how="inner", maintain_order="left").with_columns(
        size=pl.col("_size")).drop("_size")
    all_votes = {**{slug: [frame] for slug, frame in head.votes.items()}, **votes}
    return GateResult(
        votes={s.slug: pl.concat([pl.DataFrame(schema=VOTE_FRAME), *all_votes[s.slug]]) for s in steps},
        decisions=decided,
        approved=approved,
        elapsed_ms={slug: ns / 1e6 for slug, ns in elapsed.items()},
        segments=segments,
    )
