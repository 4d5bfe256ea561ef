"""S7 over the fixture pack: the full declared risk order (``SHADOW.risk_steps()``, all 19 risk
bots in RISK_ORDER) run through :func:`~polytraders.runtime.risk_gate.run_gate` on the scenarios
that matter to risk, with every outcome derived by hand from the scenario's own facts.

Each scenario (``fixtures/pack/<class>/<name>/``) is materialised as its fixture day
(:func:`polytraders.gates.pack.scenario_day`) and run through S1 (registry, TokenState fold) + S2
(ingest: books, tick changes, resolutions, feed receipts, FeedHealth) + S3 (book state). Its
market inputs are those frames only; the fair-value frame is empty, so risk.price_band applies
its range and post-only rules but skips the fair-value band (its default).

Intents (strategy ``strat.maker_tight``): for every admitted book of a token with a bid, a post-only
GTC BUY at that book's best bid, at the book's time, intent id ``<tag>-<token[-6:]>-<ts_ms>``; plus,
per scenario, intents at the times that matter (after a resolution, after a tick change back,
inside a feed gap).

The oracle (:func:`expected`) walks the intents in (ts_ms, intent_id) order like a single-intent
gate would, taking the bots in RISK_ORDER with the rules of their docstrings (default configs
unless a test says otherwise):

* heartbeat_health / user_stream_blind over the keep-alives run_gate logs; api_degradation's
  FeedHealth rule; market_halt (resolved, off the grid in force); resolution_proximity (a BUY in
  the reduce-only window); tick_epoch; stale_book (feed silence over the 120 s budget);
  price_band (c) (a post-only BUY at or above the best ask);
* market_quality: a one-sided book or a spread (ask − bid) / tick outside [1, 10] ticks rejects;
  otherwise a resting BUY is capped at floor(0.5 × the bid size, 2 decimals);
* exposure_caps: per market (cap 100 USDC, taper from 70) and in total (1000, taper 700), exposure
  = cost of filled BUYs + resting BUY notional − the quote being replaced;
* an approved BUY rests (replacing the token's previous quote) and fills in full at the first
  later book of its token whose best ask is at or below its price (the mock venue's rule).

Every other bot (killswitch, compliance, recon, rate limit, uma, order validity, drawdown, loss
breaker, event group) must approve everything here: the comparison with run_gate fails if one
decides anything. Besides that comparison, each test states which bots' rules hold on which
intents (facts of the scenario, whatever the order) and checks that the REJECT goes to the first
of them in RISK_ORDER (:func:`decided_in_order`), so the tests hold for any declared order.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

from polytraders.adapters.budgets import DEFAULT_BUDGETS
from polytraders.bots.risk import api_degradation, resolution_proximity
from polytraders.contracts import OrderIntent
from polytraders.contracts.frames import to_frame, validate_frame
from polytraders.contracts.types import Side
from polytraders.gates.pack import scenario_day
from polytraders.runtime import registry, stages
from polytraders.runtime.book_state import reconstruct
from polytraders.runtime.profile import RISK_ORDER, SHADOW, Profile
from polytraders.runtime.risk_context import HEARTBEAT_MS, USER_KEEPALIVE_MS, MarketInputs
from polytraders.runtime.risk_gate import GateResult, run_gate

REPO = Path(__file__).resolve().parents[3]
PACK = REPO / "fixtures" / "pack"
STRATEGY = "strat.maker_tight"
MINUTE_MS = 60_000
LIVENESS_MS = 120_000  # FreshnessBudgets.feed_liveness_ms, as failure/feed_gap's SCENARIO.json states
CENT = Decimal("0.01")
ZERO = Decimal(0)

Outcome = tuple[str, Decimal, str | None, tuple[str, ...]]  # decision, approved size, decided_by, codes


def _floor2(value: Fraction | Decimal) -> Decimal:
    """Rounded DOWN to 2 decimals (the bots' size precision), exactly."""
    return Decimal(int(Fraction(value) * 100 // 1)) / 100


@dataclass(frozen=True, slots=True)
class Book:
    """The top of one admitted S2 book."""

    token: str
    condition: str
    ts: int
    bid: Decimal | None
    bid_size: Decimal | None
    ask: Decimal | None
    ask_size: Decimal | None
    tick: Decimal


@dataclass(frozen=True, slots=True)
class RawBook:
    """A book frame S2 set aside (QuarantineRecord.raw): its token, time and best bid as sent."""

    token: str
    condition: str
    ts: int
    bid: Decimal


class Scenario:
    """One pack scenario as its fixture day, through S1 + S2 + S3, and the gate's market inputs."""

    def __init__(self, name: str, root: Path) -> None:
        self.meta, day_dir = scenario_day(PACK, name, root)
        self.instruments, _ = stages.registry(day_dir)
        self.got = stages.ingest(day_dir, self.instruments)
        states = registry.token_states(self.instruments, self.got.tick_changes, self.got.resolutions,
                                       registry.metadata_hash(day_dir)).states
        self.inputs = MarketInputs(
            instruments=self.instruments, market_snapshots=stages.market_snapshots(self.got),
            resolutions=self.got.resolutions, token_states=states,
            book_state=reconstruct(self.got.book_snapshots, self.got.book_deltas).books,
            feed_receipts=self.got.feed_receipts, feed_health=self.got.feed_health,
        )
        # The tops and touch sizes the gate reads are exactly those of the admitted books: no
        # price_change deltas and no best_bid_ask frames in these slices.
        assert self.got.book_deltas.is_empty() and self.got.market_snapshots.is_empty()
        self.min_size = dict(zip(self.instruments["condition_id"], self.instruments["min_order_size"], strict=True))
        self.end_ms = dict(zip(self.instruments["condition_id"], self.instruments["end_ts_ms"], strict=True))
        self.meta_tick = {t["token_id"]: tick for tokens, tick in self.instruments.select("tokens", "tick_size").rows()
                          for t in tokens}
        top = pl.col("bids").list.first().struct
        low = pl.col("asks").list.first().struct
        self.books = [Book(*row) for row in self.got.book_snapshots.select(
            "token_id", "condition_id", "ts_ms", top.field("price").alias("bid"), top.field("size").alias("bid_size"),
            low.field("price").alias("ask"), low.field("size").alias("ask_size"), "tick_size").rows()]  # receive order
        self.by_token: dict[str, list[Book]] = {}
        for book in sorted(self.books, key=lambda b: b.ts):  # stable: ties keep receive order
            self.by_token.setdefault(book.token, []).append(book)
        self.first_data_ms = min(b.ts for b in self.books)
        self.last_data_ms = max(b.ts for b in self.books)

    def book_at(self, token: str, ts: int) -> Book | None:
        """The token's latest admitted book at or before ``ts`` (ties: the last received)."""
        books = self.by_token.get(token, [])
        at = bisect.bisect_right([b.ts for b in books], ts)
        return books[at - 1] if at else None

    def first_fill(self, token: str, placed_ts: int, price: Decimal) -> int | None:
        """When a resting BUY at ``price`` placed at ``placed_ts`` fills: the first later book whose
        best ask is at or below it (the mock venue's trade-through rule)."""
        return next((b.ts for b in self.by_token[token] if b.ts > placed_ts and b.ask is not None and b.ask <= price),
                    None)

    def set_aside(self, code: str) -> list[RawBook]:
        """The book frames S2 quarantined with ``code``, as sent."""
        out = []
        for raw in self.got.quarantine.filter(pl.col("reason_code") == code)["raw"]:
            frame = json.loads(raw)
            out.append(RawBook(frame["asset_id"], frame["market"], int(frame["timestamp"]),
                               max(Decimal(level["price"]) for level in frame["bids"])))
        return out

    def intent(self, tag: str, token: str, condition: str, ts: int, price: Decimal,
               size: Decimal | None = None) -> OrderIntent:
        """A post-only GTC BUY of ``strat.maker_tight`` (size: the market's minimum by default)."""
        return OrderIntent(intent_id=f"{tag}-{token[-6:]}-{ts}", strategy=STRATEGY, condition_id=condition,
                           token_id=token, ts_ms=ts, side=Side.BUY, price=price,
                           size=self.min_size[condition] if size is None else size)

    def book_intents(self, size: Decimal | None = None, token: str | None = None) -> list[OrderIntent]:
        """A BUY at the best bid of every admitted book with a bid (of ``token`` only, if given), at
        the book's time."""
        return [self.intent("book", b.token, b.condition, b.ts, b.bid, size) for b in self.books
                if b.bid is not None and token in (None, b.token)]

    def outcome_token(self, outcome: str) -> str:
        """The token of ``outcome`` (e.g. "Up") in the slice's only market."""
        (tokens,) = self.instruments["tokens"].to_list()
        return next(t["token_id"] for t in tokens if t["outcome"] == outcome)


# --- the rules of the bots that can decide on these slices, over the scenario's facts -------------


@dataclass(frozen=True, slots=True)
class Rule:
    """One bot's rule: ``allowed(intent, its book)`` is the size the bot lets through (None: no
    limit; 0: reject; below the intent's size: a cap, a REDUCE if at least the market's minimum)."""

    slug: str
    code: str
    allowed: Callable[[OrderIntent, Book | None], Decimal | None]


def denies(slug: str, code: str, holds: Callable[[OrderIntent, Book | None], bool]) -> Rule:
    """A rule that rejects where ``holds`` and approves elsewhere."""
    return Rule(slug, code, lambda it, book: ZERO if holds(it, book) else None)


def keepalive_rules(sc: Scenario) -> list[Rule]:
    """risk.heartbeat_health / risk.user_stream_blind over the mock venue's keep-alives.

    run_gate logs them over the whole session, from the day's first market snapshot (or intent) to
    its last snapshot or intent, whichever is later (risk_context.keepalives): an acknowledged
    heartbeat every 5 s and a user-channel message every 10 s from the first snapshot. Heartbeats
    reject once the last ack is more than 2 × 5 s old; the user stream once its last message is more
    than 30 s old. Inside the session neither can hold: the in-process mock venue never misses one.
    """
    def last_beat(ts: int, period: int) -> int:
        return sc.first_data_ms + (ts - sc.first_data_ms) // period * period

    return [
        denies("risk.heartbeat_health", "RISK_HEARTBEAT_DOWN",
               lambda it, _: it.ts_ms - last_beat(it.ts_ms, HEARTBEAT_MS) > 2 * HEARTBEAT_MS),
        denies("risk.user_stream_blind", "RISK_USER_STREAM_BLIND",
               lambda it, _: it.ts_ms - last_beat(it.ts_ms, USER_KEEPALIVE_MS) > 30_000),
    ]


def feed_rule(sc: Scenario, require_feed_health: bool = True) -> Rule:
    """risk.api_degradation, rule 4 (its API rules cannot hold: the mock venue answers every call
    200 in 0 ms): the latest *closed* 60 s FeedHealth window of the market channel (end <= ts) must
    exist, have ended less than a window before ts, be live and have <= 20 % quarantined frames;
    no such window rejects while ``require_feed_health`` (the default)."""
    windows = sorted(
        (start + width, not live or quarantined > Decimal("0.2") * max(data, 1))
        for start, width, live, quarantined, data in sc.got.feed_health.filter(pl.col("channel") == "market").select(
            "window_start_ms", "window_ms", "live", "quarantined_frames", "data_frames").rows())

    def holds(it: OrderIntent, _: Book | None) -> bool:
        closed = [(end, bad) for end, bad in windows if end <= it.ts_ms]
        if not closed or closed[-1][0] <= it.ts_ms - MINUTE_MS:
            return require_feed_health
        return closed[-1][1]

    return denies("risk.api_degradation", "RISK_API_DEGRADED", holds)


def tick_in_force(sc: Scenario, token: str, ts: int) -> tuple[Decimal, int | None]:
    """The token's grid at ``ts`` and the time of its last tick-size change (None: never changed)."""
    changes = sc.got.tick_changes.filter((pl.col("token_id") == token) & (pl.col("ts_ms") <= ts)).sort("ts_ms")
    if changes.is_empty():
        return sc.meta_tick[token], None
    return changes["new_tick_size"][-1], changes["ts_ms"][-1]


def halt_rule(sc: Scenario) -> Rule:
    """risk.market_halt: the token's market resolved at or before ts (TokenState RESOLVED), or the
    price is not a multiple of the grid in force."""
    resolved = dict(zip(sc.got.resolutions["condition_id"], sc.got.resolutions["ts_ms"], strict=True))

    def holds(it: OrderIntent, _: Book | None) -> bool:
        done = resolved.get(it.condition_id)
        return (done is not None and done <= it.ts_ms) or it.price % tick_in_force(sc, it.token_id, it.ts_ms)[0] != 0

    return denies("risk.market_halt", "RISK_MARKET_HALTED", holds)


def proximity_rule(sc: Scenario, reduce_only_ms: int = 300_000) -> Rule:
    """risk.resolution_proximity for a BUY: rejected once end − ts <= the reduce-only window."""
    return denies("risk.resolution_proximity", "RISK_RESOLUTION_WINDOW",
                  lambda it, _: sc.end_ms[it.condition_id] - it.ts_ms <= reduce_only_ms)


def tick_epoch_rule(sc: Scenario) -> Rule:
    """risk.tick_epoch (settle 0): after a change at c, the latest book must be stamped at or after c
    and quoted on the new grid, and the price on it."""
    def holds(it: OrderIntent, book: Book | None) -> bool:
        tick, changed = tick_in_force(sc, it.token_id, it.ts_ms)
        if changed is None:
            return False
        return book is None or book.ts < changed or book.tick != tick or it.price % tick != 0

    return denies("risk.tick_epoch", "RISK_TICK_EPOCH", holds)


def stale_rule(sc: Scenario) -> Rule:
    """risk.stale_book: no book, or the market channel's last data frame more than the liveness
    budget (120 s) before ts."""
    receipts = sorted(sc.got.feed_receipts.filter(pl.col("channel") == "market")["receive_ts_ms"].to_list())

    def holds(it: OrderIntent, book: Book | None) -> bool:
        at = bisect.bisect_right(receipts, it.ts_ms)
        return book is None or not at or it.ts_ms - receipts[at - 1] > LIVENESS_MS

    return denies("risk.stale_book", "RISK_STALE_BOOK", holds)


def crossing_rule() -> Rule:
    """risk.price_band (c) (its range rule cannot hold on these prices; no fair value is known): a
    post-only BUY at or above the best ask would cross."""
    return denies("risk.price_band", "RISK_PRICE_BAND",
                  lambda it, book: book is not None and book.ask is not None and it.price >= book.ask)


def quality_rule() -> Rule:
    """risk.market_quality: a one-sided book or a spread (ask − bid) / tick outside [1, 10] whole
    ticks rejects; otherwise a resting BUY (below the ask) is capped at floor(0.5 × bid size, 2 dp)."""
    def allowed(it: OrderIntent, book: Book | None) -> Decimal:
        if book is None or None in (book.bid, book.ask, book.bid_size, book.ask_size):
            return ZERO
        if not 1 <= (book.ask - book.bid) // book.tick <= 10:
            return ZERO
        return _floor2((book.ask_size if it.price >= book.ask else book.bid_size) * Decimal("0.5"))

    return Rule("risk.market_quality", "RISK_MARKET_QUALITY", allowed)


def rules(sc: Scenario, require_feed_health: bool = True, reduce_only_ms: int = 300_000) -> list[Rule]:
    """The stateless rules that can decide on these slices, with the default configs unless stated."""
    return [*keepalive_rules(sc), feed_rule(sc, require_feed_health), halt_rule(sc),
            proximity_rule(sc, reduce_only_ms), tick_epoch_rule(sc), stale_rule(sc), crossing_rule(), quality_rule()]


def rejecting(sc: Scenario, rule_set: list[Rule], it: OrderIntent) -> set[str]:
    """The bots of ``rule_set`` that on their own would reject ``it`` at its size (order-free)."""
    book, minimum = sc.book_at(it.token_id, it.ts_ms), sc.min_size[it.condition_id]
    return {r.slug for r in rule_set if (a := r.allowed(it, book)) is not None and a < it.size and
            (a <= 0 or a < minimum)}


def first(slugs: set[str]) -> str:
    """The first of ``slugs`` in the declared order: the bot that decides a REJECT."""
    return min(slugs, key=RISK_ORDER.index)


# --- the oracle ---------------------------------------------------------------------------------

EXPOSURE = "risk.exposure_caps"
CODES = {EXPOSURE: "RISK_EXPOSURE"}


def _cap_allowed(exposure: Decimal, cap: Decimal, price: Decimal, size: Decimal) -> Decimal:
    """risk.exposure_caps for one cap c (taper from t = 0.7 c): the size it allows."""
    c, e, p, s = Fraction(cap), Fraction(exposure), Fraction(price), Fraction(size)
    t = c * Fraction(7, 10)
    if e >= c:
        return ZERO
    if e <= t:
        return size if e + p * s <= c else _floor2((c - e) / p)
    return _floor2(min(s * (c - e) / (c - t), (c - e) / p))


def expected(sc: Scenario, intents: list[OrderIntent], rule_set: list[Rule],
             exposure: dict[str, Decimal] | None = None) -> dict[str, Outcome]:
    """The outcome of every intent by the rules of the module docstring, the bots taken in RISK_ORDER;
    ``exposure`` (if given) receives the market exposure each intent reaching risk.exposure_caps
    was judged at."""
    by_slug = {r.slug: r for r in rule_set}
    codes = {**CODES, **{r.slug: r.code for r in rule_set}}
    resting: dict[str, tuple[str, Decimal, Decimal, int | None]] = {}  # token -> (market, price, size, fill ts)
    held: dict[str, Decimal] = {}  # market -> cost of filled BUYs
    out: dict[str, Outcome] = {}
    for it in sorted(intents, key=lambda i: (i.ts_ms, i.intent_id)):
        for token, (cond, price, size, fill_ts) in list(resting.items()):
            if fill_ts is not None and fill_ts <= it.ts_ms:
                held[cond] = held.get(cond, ZERO) + price * size
                del resting[token]
        book, minimum = sc.book_at(it.token_id, it.ts_ms), sc.min_size[it.condition_id]
        size, reducers, rejected_by = it.size, [], None
        for slug in RISK_ORDER:
            if slug == EXPOSURE:  # the quote this one replaces is freed
                freed = resting[it.token_id][1] * resting[it.token_id][2] if it.token_id in resting else ZERO
                market = held.get(it.condition_id, ZERO) + sum(
                    (p * s for c, p, s, _ in resting.values() if c == it.condition_id), ZERO) - freed
                total = sum(held.values(), ZERO) + sum((p * s for _, p, s, _ in resting.values()), ZERO) - freed
                if exposure is not None:
                    exposure[it.intent_id] = market
                allowed = min(_cap_allowed(market, Decimal(100), it.price, size),
                              _cap_allowed(total, Decimal(1000), it.price, size))
            elif slug in by_slug:
                allowed = by_slug[slug].allowed(it, book)
            else:
                continue
            if allowed is None or allowed >= size:
                continue
            if allowed <= 0 or allowed < minimum:
                rejected_by = slug
                break
            size, reducers = allowed, [*reducers, slug]
        if rejected_by is not None:
            out[it.intent_id] = ("REJECT", ZERO, rejected_by, (codes[rejected_by],))
            continue
        out[it.intent_id] = (("REDUCE", size, reducers[-1], tuple(codes[r] for r in reducers)) if reducers
                             else ("APPROVE", size, None, ()))
        resting[it.token_id] = (it.condition_id, it.price, size, sc.first_fill(it.token_id, it.ts_ms, it.price))
    return out


def gate(sc: Scenario, intents: list[OrderIntent], profile: Profile = SHADOW) -> GateResult:
    """run_gate over ``intents`` with the profile's full risk order; the decisions frame must be a
    valid RiskDecision frame and every REJECT must list the bots after its decider as not evaluated."""
    assert len({i.intent_id for i in intents}) == len(intents)
    assert profile.risk_order == RISK_ORDER and len(RISK_ORDER) == 19
    result = run_gate(to_frame("OrderIntent", intents), sc.inputs, profile.risk_steps())
    validate_frame("RiskDecision", result.decisions)
    assert result.decisions.height == len(intents)
    for decision, by, skipped in result.decisions.select("decision", "decided_by", "not_evaluated").rows():
        assert skipped == (list(RISK_ORDER[RISK_ORDER.index(by) + 1:]) if decision == "REJECT" else [])
    return result


def outcomes(result: GateResult) -> dict[str, Outcome]:
    return {i: (d, size, by, tuple(codes)) for i, d, size, by, codes in result.decisions.select(
        "intent_id", "decision", "approved_size", "decided_by", "reason_codes").rows()}


def tally(got: dict[str, Outcome], ids: list[str] | None = None) -> dict[tuple[str, str | None], int]:
    """(decision, decided_by) -> count, over ``ids`` (default: all)."""
    return dict(Counter((got[i][0], got[i][2]) for i in (got if ids is None else ids)))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Scenario]:
    root = tmp_path_factory.mktemp("pack")
    cache: dict[str, Scenario] = {}

    def load(name: str) -> Scenario:
        if name not in cache:
            cache[name] = Scenario(name, root)
        return cache[name]

    return load


def decided_in_order(sc: Scenario, rule_set: list[Rule], intents: list[OrderIntent],
                     got: dict[str, Outcome]) -> dict[str, set[str]]:
    """Every intent that some rule of ``rule_set`` rejects on its own is REJECTed by the first such
    bot in RISK_ORDER, with that bot's code. Returns those bots per intent (empty: none)."""
    codes = {r.slug: r.code for r in rule_set}
    holds = {it.intent_id: rejecting(sc, rule_set, it) for it in intents}
    for intent_id, slugs in holds.items():
        if slugs:
            assert got[intent_id] == ("REJECT", ZERO, first(slugs), (codes[first(slugs)],)), intent_id
    return holds


def with_slug(holds: dict[str, set[str]], slug: str) -> set[str]:
    return {i for i, slugs in holds.items() if slug in slugs}


def test_liveness_budget_when_default_then_as_the_feed_gap_scenario_states() -> None:
    # the oracle's stale_book rule uses the run's budget: the default, 120 s
    assert DEFAULT_BUDGETS.feed_liveness_ms == LIVENESS_MS
    meta = json.loads((PACK / "failure/feed_gap/SCENARIO.json").read_text())
    assert meta["feed_health"]["liveness_budget_ms"] == LIVENESS_MS


# --- normal/clean_two_markets -------------------------------------------------------------------


def test_clean_two_markets_when_bid_on_every_book_then_first_minute_thin_bids_and_exposure_decide(scenario) -> None:
    sc = scenario("normal/clean_two_markets")
    intents = sc.book_intents()
    assert len(intents) == sc.meta["expected"]["books_admitted"] == 266  # every book has a bid
    a, b = sorted(sc.min_size)  # 0x589c… (238 books) and 0xa2d4… (28 books), both minimum size 5
    assert sc.min_size == {a: 5, b: 5}
    rule_set = rules(sc)
    exposure: dict[str, Decimal] = {}
    want = expected(sc, intents, rule_set, exposure)
    got = outcomes(gate(sc, intents))
    assert got == want
    holds = decided_in_order(sc, rule_set, intents, got)
    by_id = {i.intent_id: i for i in intents}

    # risk.api_degradation: S2's 60 s windows are aligned on the minute; the slice starts at
    # 1790587000000 (recv window), so its first window [1790586960000, 1790587020000) closes only at
    # 1790587020000: before that no closed FeedHealth window exists and require_feed_health (default
    # True) rejects. Every later window is live with 0 quarantined frames. Its rule holds for the 42
    # intents of that first window: its 42 data frames (= books).
    health = sc.got.feed_health.sort("window_start_ms")
    assert health.select("window_start_ms", "data_frames", "live", "quarantined_frames").rows() == [
        (1790586960000, 42, True, 0), (1790587020000, 138, True, 0), (1790587080000, 86, True, 0)]
    api = with_slug(holds, "risk.api_degradation")
    assert api == {i.intent_id for i in intents if i.ts_ms < 1790587020000}
    assert len(api) == health["data_frames"][0] == 42

    # risk.market_quality: every spread is 1-3 ticks (within [1, 10]); the cap of a resting BUY is
    # floor(0.5 × bid size): the 12 books with only 5 shares at the best bid cap it at 2.50 < the
    # minimum 5 → REJECT (size 5 is the minimum, so nothing can be REDUCED). 2 of them are in the
    # first minute, where api_degradation's rule holds too: the first of the two in RISK_ORDER decides.
    assert {int((x.ask - x.bid) / x.tick) for x in sc.books} == {1, 2, 3}
    quality = with_slug(holds, "risk.market_quality")
    assert quality == {i.intent_id for i in intents if sc.book_at(i.token_id, i.ts_ms).bid_size < 10}
    assert {sc.book_at(by_id[i].token_id, by_id[i].ts_ms).bid_size for i in quality} == {Decimal(5)}
    assert (len(quality), len(quality & api)) == (12, 2)
    # nothing else holds: no keep-alive gap, no halt, no tick change, live feed, no crossing, and
    # risk.resolution_proximity never: the earliest end date is 1790587800000, 680,028 ms after
    # the last book (1790587119972) > the 300,000 ms reduce-only window
    assert set().union(*holds.values()) == {"risk.api_degradation", "risk.market_quality"}
    assert min(sc.end_ms.values()) - sc.last_data_ms == 680_028

    # risk.exposure_caps decides the rest: each approved bid rests (5 × ~0.5 USDC) and fills when
    # the ask comes down to it; filled cost accumulates in market a. Size 5 is the minimum, so past
    # the taper start (70 USDC of the 100 cap) any size fraction f = (100 − e) / 30 < 1 gives < 5
    # shares → REJECT; at or below 70 the order passes (e + 2.5 <= 100). All 81 such rejections are in
    # market a, the first 75.8 s into the slice; market b (28 books, 2 in the first minute) passes
    # its other 26.
    free = [i for i, slugs in holds.items() if not slugs]
    assert tally(got, free) == {("APPROVE", None): 133, ("REJECT", "risk.exposure_caps"): 81}
    capped = [i for i in free if got[i][0] == "REJECT"]
    assert all(exposure[i] > 70 and by_id[i].condition_id == a for i in capped)
    assert all(exposure[i] <= 70 for i in free if got[i][0] == "APPROVE")
    assert min(by_id[i].ts_ms for i in capped) - sc.first_data_ms == 75_843
    assert tally(got, [i for i in free if by_id[i].condition_id == b]) == {("APPROVE", None): 26}


# --- hard/tick_size_change ----------------------------------------------------------------------

C1, C2 = 1790586472904, 1790586492916  # 0.01 → 0.001 (recorded), 0.001 → 0.01 (inserted)


def test_tick_size_change_when_no_book_on_the_new_grid_then_tick_epoch_or_market_halt(scenario) -> None:
    sc = scenario("hard/tick_size_change")
    # SCENARIO.json: both tokens move 0.01 → 0.001 at 1790586472904 and back to 0.01 just before
    # their first book at or after 1790586492904 (the inserted change is stamped 1790586492916);
    # every book after the change back still holds 0.001-grid levels and is set aside (42 OFF_TICK).
    assert sorted(sc.got.tick_changes.select("ts_ms", "old_tick_size", "new_tick_size").rows()) == [
        (C1, CENT, Decimal("0.001"))] * 2 + [(C2, Decimal("0.001"), CENT)] * 2
    assert sc.meta["observable_today"]["tick_size_changes"] == 4
    after = sc.set_aside("GOV_DQ_OFF_TICK")
    assert len(after) == sc.meta["expected"]["quarantine"]["GOV_DQ_OFF_TICK"] == 42
    assert sc.last_data_ms == 1790586491671 < C2 == min(r.ts for r in after)
    # after C1 the first book of each token is stamped at C1 itself and quoted on 0.001: nothing can
    # fall between the change and a fresh book on its grid
    for token in sc.by_token:
        fresh = sc.book_at(token, C1)
        assert (fresh.ts, fresh.tick) == (C1, Decimal("0.001"))

    # Intents: a bid on every admitted book, and at each set-aside book after C2 two bids of its
    # token: at its best bid as sent ("sent", on the old 0.001 grid) and at that bid rounded down
    # to the new 0.01 grid ("grid").
    def floor_cent(price: Decimal) -> Decimal:
        return (price / CENT).to_integral_value(rounding=ROUND_FLOOR) * CENT

    intents = sc.book_intents() + [sc.intent(tag, r.token, r.condition, r.ts, price) for r in after
                                   for tag, price in (("sent", r.bid), ("grid", floor_cent(r.bid)))]
    rule_set = rules(sc)
    result = gate(sc, intents)
    got = outcomes(result)
    assert got == expected(sc, intents, rule_set)
    holds = decided_in_order(sc, rule_set, intents, got)

    # Book intents before 1790586480000 (the close of S2's first window, [1790586420000,
    # 1790586480000)) have no closed FeedHealth window → api_degradation's rule holds (C1 falls in
    # there too); 11 books show 5 or 8.5 shares at the bid (cap 2.50 / 4.25 < 5) → market_quality's.
    assert sc.got.feed_health.sort("window_start_ms").select("window_start_ms", "live").rows() == [
        (1790586420000, True), (1790586480000, True)]
    books = [i for i in intents if i.intent_id.startswith("book-")]
    assert with_slug(holds, "risk.api_degradation") == {i.intent_id for i in books if i.ts_ms < 1790586480000}
    assert len(with_slug(holds, "risk.api_degradation")) == 36
    assert sorted(sc.book_at(i.token_id, i.ts_ms).bid_size for i in books
                  if "risk.market_quality" in holds[i.intent_id]) == [Decimal(5)] * 10 + [Decimal("8.5")]
    # The 24 later book intents are all after C1 with their token's latest book at or after C1 on
    # 0.001 and priced on it: nothing before risk.tick_epoch holds, and it votes APPROVE on every
    # one of them (the grid passes again once a fresh book on it is seen); 6 then fall to
    # market_quality, 18 pass.
    later = [i.intent_id for i in books if i.ts_ms >= 1790586480000]
    assert len(later) == 24 and not any(RISK_ORDER.index(s) <= RISK_ORDER.index("risk.tick_epoch")
                                        for i in later for s in holds[i])
    epoch = result.votes["risk.tick_epoch"].filter(pl.col("intent_id").is_in(later))
    assert epoch.height == 24 and set(epoch["decision"]) == {"APPROVE"}
    assert tally(got, later) == {("APPROVE", None): 18, ("REJECT", "risk.market_quality"): 6}

    # After C2 no admitted book exists on the 0.01 grid (they were all set aside), so every bid
    # there meets risk.tick_epoch's rule (latest book 1790586491671 < C2), and a bid off the 0.01 grid
    # also risk.market_halt's (a bid off the grid may be outside [tick, 1 − tick] too: price_band,
    # later in RISK_ORDER); no keep-alive rule holds (the mock venue's keep-alives run to the last
    # intent), and market_halt comes before tick_epoch in RISK_ORDER.
    assert RISK_ORDER.index("risk.market_halt") < RISK_ORDER.index("risk.tick_epoch")
    tick_epoch = ("REJECT", ZERO, "risk.tick_epoch", ("RISK_TICK_EPOCH",))
    halted = ("REJECT", ZERO, "risk.market_halt", ("RISK_MARKET_HALTED",))
    for r in after:
        token, on_grid = r.token[-6:], r.bid % CENT == 0
        sent = holds[f"sent-{token}-{r.ts}"]
        assert "risk.tick_epoch" in sent and ("risk.market_halt" in sent) == (not on_grid)
        assert sent <= {"risk.tick_epoch", "risk.market_halt", "risk.price_band"}
        assert got[f"sent-{token}-{r.ts}"] == (tick_epoch if on_grid else halted)
        assert got[f"grid-{token}-{r.ts}"] == tick_epoch
    off_grid = sum(r.bid % CENT != 0 for r in after)
    assert tally(got, [i.intent_id for i in intents if i.ts_ms >= C2]) == {
        ("REJECT", "risk.market_halt"): off_grid, ("REJECT", "risk.tick_epoch"): 2 * len(after) - off_grid}


# --- hard/resolved_mid_session ------------------------------------------------------------------


def test_resolved_mid_session_when_bids_after_the_resolution_then_market_halted(scenario) -> None:
    sc = scenario("hard/resolved_mid_session")
    resolved = sc.meta["observable_today"]["resolution_ts_ms"]
    assert resolved == 1790587500000
    market = sc.instruments["condition_id"][0]
    assert sc.got.resolutions.select("condition_id", "ts_ms").rows() == [(market, resolved)]
    after = sc.set_aside("GOV_DQ_MARKET_RESOLVED")  # the books that kept arriving after it
    assert len(after) == sc.meta["observable_today"]["books_after_resolution"] == 60
    assert sc.last_data_ms == 1790587499987 < resolved < min(r.ts for r in after) == 1790587500967
    # FeedHealth: [1790587440000, 1790587500000) live and clean; the next window (60 of its 61 data
    # frames quarantined) closes at 1790587560000, after every intent, so it is never read.
    assert sc.got.feed_health.sort("window_start_ms").select(
        "window_start_ms", "live", "quarantined_frames", "data_frames").rows() == [
        (1790587440000, True, 0, 60), (1790587500000, True, 60, 61)]

    last_bid = {t: books[-1].bid for t, books in sc.by_token.items()}
    intents = (sc.book_intents()
               + [sc.intent("edge", t, market, ts, last_bid[t]) for t in sc.by_token for ts in (resolved - 1, resolved)]
               + [sc.intent("after", r.token, r.condition, r.ts, r.bid) for r in after])
    rule_set = rules(sc)
    got = outcomes(gate(sc, intents))
    assert got == expected(sc, intents, rule_set)
    holds = decided_in_order(sc, rule_set, intents, got)
    assert all(holds.values())  # nothing passes

    # Before 1790587500000 no FeedHealth window has closed → api_degradation's rule holds. From
    # 1790587500000 the closed window is live, and the TokenState is RESOLVED as of the resolution
    # → market_halt's rule holds; so does resolution_proximity's (the end date 1790587800000 is
    # exactly 300 s after the resolution: reduce-only, a BUY is refused), later in RISK_ORDER.
    assert sc.end_ms[market] - 300_000 == resolved
    assert RISK_ORDER.index("risk.market_halt") < RISK_ORDER.index("risk.resolution_proximity")
    for it in intents:
        slugs = holds[it.intent_id]
        assert ("risk.api_degradation" in slugs) == (it.ts_ms < resolved)
        assert ("risk.market_halt" in slugs) == ("risk.resolution_proximity" in slugs) == (it.ts_ms >= resolved)
        assert "risk.heartbeat_health" not in slugs  # the mock venue's keep-alives run to the last intent
        if it.ts_ms >= resolved:
            assert got[it.intent_id] == ("REJECT", ZERO, "risk.market_halt", ("RISK_MARKET_HALTED",))
    # after the resolution: 2 edge intents at 1790587500000 and the 60 set-aside books → market_halt
    assert tally(got, [i.intent_id for i in intents if i.ts_ms >= resolved]) == {("REJECT", "risk.market_halt"): 62}


# --- failure/feed_gap ---------------------------------------------------------------------------

GAP_FROM, GAP_TO = 1790589360000, 1790589540000  # every line received in [GAP_FROM, GAP_TO) removed
LAST_BEFORE = 1790589359726  # the market channel's last data frame before the gap


def _gap_intents(sc: Scenario) -> list[OrderIntent]:
    """Bids inside the gap at the token's last bid before it: every 20 s from GAP_FROM, and around
    the moment the silence exceeds the budget (LAST_BEFORE + 120,000 = 1790589479726)."""
    times = [GAP_FROM + k * 20_000 for k in range(9)] + [1790589479726, 1790589479727, 1790589479999]
    last = {t: [b for b in books if b.ts < GAP_FROM][-1] for t, books in sc.by_token.items()}
    return [sc.intent("gap", t, b.condition, ts, b.bid) for t, b in last.items() for ts in times]


def _gap_facts(sc: Scenario) -> None:
    receipts = sc.got.feed_receipts["receive_ts_ms"]
    assert receipts.filter(receipts < GAP_FROM).max() == LAST_BEFORE
    first_after = receipts.filter(receipts >= GAP_FROM).min()
    assert first_after == sc.meta["observable_today"]["first_recv_after_gap_ms"] == 1790589540002
    assert first_after - LAST_BEFORE == sc.meta["observable_today"]["gap_ms"]
    health = sc.got.feed_health.sort("window_start_ms")
    dead = health.filter(~pl.col("live"))["window_start_ms"].to_list()
    assert dead == sc.meta["feed_health"]["dead_window_starts_ms"]
    assert health["window_start_ms"].to_list() == [1790589300000 + k * MINUTE_MS for k in range(5)]
    assert health["quarantined_frames"].sum() == 0


def _gap_rules_hold(holds: dict[str, set[str]], gap: list[OrderIntent], proximity: bool) -> None:
    """Inside the gap: silence = ts − 1790589359726 exceeds the 120,000 ms budget from 1790589479727
    on (exactly 120,000 at 1790589479726 still passes) → stale_book's rule; from 1790589480000 the
    latest closed FeedHealth window is [1790589420000, 1790589480000), dead → api_degradation's
    (before that the latest closed window, [1790589300000, …) or [1790589360000, …), is live).
    With the default reduce-only window, resolution_proximity's holds for every gap bid
    (1790589600000 − ts <= 240,000 <= 300,000)."""
    for it in gap:
        slugs = holds[it.intent_id]
        assert ("risk.stale_book" in slugs) == (it.ts_ms >= 1790589479727)
        assert ("risk.api_degradation" in slugs) == (it.ts_ms >= 1790589480000)
        assert ("risk.resolution_proximity" in slugs) == proximity
        assert slugs <= {"risk.stale_book", "risk.api_degradation", "risk.resolution_proximity"}


def test_feed_gap_when_default_configs_then_the_first_of_proximity_feed_health_or_stale_book(scenario) -> None:
    sc = scenario("failure/feed_gap")
    _gap_facts(sc)
    market = sc.instruments["condition_id"][0]
    assert sc.end_ms[market] == 1790589600000  # the slice [1790589300000, 1790589600000) is the market's last 5 min
    gap = _gap_intents(sc)
    intents = sc.book_intents() + gap
    assert len(intents) == 193 + 2 * 12  # 37 of the 230 books have an empty bid side
    rule_set = rules(sc)
    got = outcomes(gate(sc, intents))
    assert got == expected(sc, intents, rule_set)
    holds = decided_in_order(sc, rule_set, intents, got)
    _gap_rules_hold(holds, gap, proximity=True)
    # Every book bid is refused too: before GAP_FROM no FeedHealth window has closed; after the gap
    # the latest closed window is [1790589480000, 1790589540000), dead, until 1790589600000; and the
    # whole slice is within 300 s of the end date.
    for it in intents:
        assert {"risk.api_degradation", "risk.resolution_proximity"} <= holds[it.intent_id] or it in gap
    # In the declared order each refusal goes to the first of those rules (decided_in_order above);
    # stale_book decides a gap bid only if it comes before both api_degradation and resolution_proximity.
    stale_first = first({"risk.stale_book", "risk.api_degradation", "risk.resolution_proximity"}) == "risk.stale_book"
    assert sum(got[i.intent_id][2] == "risk.stale_book" for i in gap) == (2 * 5 if stale_first else 0)


def test_feed_gap_when_no_reduce_only_window_then_stale_book_past_the_liveness_budget(scenario) -> None:
    # Override (the scenario needs it): the gap was cut from the market's last five minutes, so with
    # the default reduce-only window every bid is refused by risk.resolution_proximity as well, which
    # hides the liveness rule wherever it comes first. With both windows 0 (nothing is near the end
    # date) the feed rules decide.
    sc = scenario("failure/feed_gap")
    profile = Profile(configs={**SHADOW.configs, "risk.resolution_proximity": resolution_proximity.Config(
        reduce_only_within_ms=0, deny_within_ms=0)})
    intents = _gap_intents(sc)
    rule_set = rules(sc, reduce_only_ms=0)
    got = outcomes(gate(sc, intents, profile))
    assert got == expected(sc, intents, rule_set)
    holds = decided_in_order(sc, rule_set, intents, got)
    _gap_rules_hold(holds, intents, proximity=False)
    # 1790589479727 and 1790589479999 (silence 120,001 and 120,273 ms): only stale_book's rule holds
    for ts in (1790589479727, 1790589479999):
        assert {got[i.intent_id] for i in intents if i.ts_ms == ts} == {
            ("REJECT", ZERO, "risk.stale_book", ("RISK_STALE_BOOK",))}
    # up to 1790589479726 nothing holds: the 7 earlier gap times × 2 tokens rest (approved)
    assert tally(got, [i.intent_id for i in intents if i.ts_ms <= 1790589479726]) == {("APPROVE", None): 14}
    # from 1790589480000 both feed rules hold: the first in RISK_ORDER decides
    assert {got[i.intent_id][2] for i in intents if i.ts_ms >= 1790589480000} == {
        first({"risk.stale_book", "risk.api_degradation"})}


# --- warning/thin_touch, warning/wide_spread ----------------------------------------------------

#: Override (the scenarios need it): each slice starts mid-minute and its changed books (the
#: window's 10th–20th second) come before S2's first FeedHealth window closes, so by default
#: risk.api_degradation refuses every intent up to then (the tests below show its rule holding on
#: the changed books) and no REDUCE of the touch cap could be seen there. With require_feed_health
#: off, a missing window is no evidence; every window that does close is live and clean.
NO_FEED_REQUIREMENT = Profile(configs={**SHADOW.configs, "risk.api_degradation": api_degradation.Config(
    require_feed_health=False)})
#: 4 × the minimum: large enough for the 0.5 touch cap to REDUCE (a bid size in [10, 40)), not only reject.
SIZE = Decimal(20)


def _changed_books_by_default(sc: Scenario, changed: list[Book], first_close: int) -> None:
    """By default both api_degradation (no closed window yet) and market_quality reject the changed
    books' bids: the first of the two in RISK_ORDER decides."""
    assert {w for w, in sc.got.feed_health.select("live").rows()} == {True}
    assert sc.got.feed_health["quarantined_frames"].sum() == 0
    assert sc.got.feed_health["window_start_ms"].min() + MINUTE_MS == first_close
    assert max(b.ts for b in changed) < first_close
    intents = [sc.intent("book", b.token, b.condition, b.ts, b.bid, SIZE) for b in changed]
    rule_set = rules(sc)
    got = outcomes(gate(sc, intents))
    holds = decided_in_order(sc, rule_set, intents, got)
    assert set(map(frozenset, holds.values())) == {frozenset({"risk.api_degradation", "risk.market_quality"})}
    assert {o[2] for o in got.values()} == {first({"risk.api_degradation", "risk.market_quality"})}


def test_thin_touch_when_one_share_at_the_touch_then_market_quality_rejects_and_caps(scenario) -> None:
    sc = scenario("warning/thin_touch")
    # SCENARIO.json: the Up token's books in the window's 10th–20th second carry 1 share at the best
    # bid and ask (10 books); every other book has >= 5 at both.
    thin = [b for b in sc.books if b.bid_size == 1]
    assert len(thin) == len(sc.meta["changes"]) == 10
    assert all(b.ask_size == 1 and 1790589110000 <= b.ts < 1790589120000 for b in thin)
    assert min(min(b.bid_size, b.ask_size) for b in sc.books if b not in thin) == 5
    _changed_books_by_default(sc, thin, first_close=1790589120000)

    up = sc.outcome_token("Up")
    assert {b.token for b in thin} == {up}
    intents = sc.book_intents(SIZE, up)  # the changed token's 40 books
    rule_set = rules(sc, require_feed_health=False)
    got = outcomes(gate(sc, intents, NO_FEED_REQUIREMENT))
    assert got == expected(sc, intents, rule_set)
    holds = decided_in_order(sc, rule_set, intents, got)
    # cap = floor(0.5 × bid size, 2 decimals); size 20: 1 share → 0.50 < 5 → REJECT (each thin book);
    # 5 → 2.50 → REJECT; 16.22 → 8.11 and 15 → 7.50 → REDUCE; >= 40 → APPROVE 20.
    assert with_slug(holds, "risk.market_quality") == {f"book-{b.token[-6:]}-{b.ts}" for b in sc.books
                                                       if b.token == up and b.bid_size < 10}
    assert set().union(*holds.values()) == {"risk.market_quality"}
    for b in thin:
        assert got[f"book-{b.token[-6:]}-{b.ts}"] == ("REJECT", ZERO, "risk.market_quality", ("RISK_MARKET_QUALITY",))
    for ts, size in ((1790589122880, "8.11"), (1790589126848, "7.5")):
        assert got[f"book-062195-{ts}"] == ("REDUCE", Decimal(size), "risk.market_quality", ("RISK_MARKET_QUALITY",))
    # risk.exposure_caps tapers the rest: at 1790589133969 (bid 0.89 × 156.37, cap 78.18: no market
    # quality limit) the filled Up bids cost 20 × 0.91 + 20 × 0.92 + 20 × 0.91 + 8.11 × 0.93 + 20 × 0.90
    # (the last filled by this very book's ask 0.90) = 80.3423 USDC > 70 → f = (100 − 80.3423) / 30,
    # 20 × f = 13.105… (headroom / price = 22.08…) → REDUCE 13.10.
    exposure: dict[str, Decimal] = {}
    expected(sc, intents, rule_set, exposure)
    assert exposure["book-062195-1790589133969"] == Decimal("80.3423")
    assert _floor2(20 * (100 - Fraction("80.3423")) / 30) == Decimal("13.1")
    assert got["book-062195-1790589133969"] == ("REDUCE", Decimal("13.1"), "risk.exposure_caps", ("RISK_EXPOSURE",))
    assert tally(got) == {
        ("APPROVE", None): 19, ("REDUCE", "risk.market_quality"): 2, ("REJECT", "risk.market_quality"): 13,
        ("REDUCE", "risk.exposure_caps"): 6,
    }


def test_wide_spread_when_21_ticks_at_the_touch_then_market_quality_rejects(scenario) -> None:
    sc = scenario("warning/wide_spread")
    # SCENARIO.json: the Up token's books in the window's 10th–20th second lost every level within
    # 0.10 of the touch: spread 0.21 = 21 ticks of 0.01 (10 books); every other spread <= 0.02.
    spread = {b: int((b.ask - b.bid) / b.tick) for b in sc.books}
    wide = [b for b, s in spread.items() if s > 10]
    assert len(wide) == len(sc.meta["changes"]) == 10 and {spread[b] for b in wide} == {21}
    max_other = Decimal(sc.meta["observable_today"]["max_other_spread"]) / CENT
    assert max(s for b, s in spread.items() if b not in wide) <= max_other == 2
    _changed_books_by_default(sc, wide, first_close=1790588820000)

    up = sc.outcome_token("Up")
    assert {b.token for b in wide} == {up}
    intents = sc.book_intents(SIZE, up)  # the changed token's 39 books
    rule_set = rules(sc, require_feed_health=False)
    got = outcomes(gate(sc, intents, NO_FEED_REQUIREMENT))
    assert got == expected(sc, intents, rule_set)
    holds = decided_in_order(sc, rule_set, intents, got)
    # 21 ticks > max_spread_ticks 10 → REJECT whatever the depth; elsewhere the 0.5 cap: bid size 35
    # → 17.50 → REDUCE (3 books), 5 → 2.50 → REJECT (1); exposure tapers the last 3.
    assert with_slug(holds, "risk.market_quality") >= {f"book-{b.token[-6:]}-{b.ts}" for b in wide}
    for b in wide:
        assert got[f"book-{b.token[-6:]}-{b.ts}"] == ("REJECT", ZERO, "risk.market_quality", ("RISK_MARKET_QUALITY",))
    reduced = ("REDUCE", Decimal("17.5"), "risk.market_quality", ("RISK_MARKET_QUALITY",))
    for ts in (1790588807888, 1790588827985, 1790588830937):
        assert sc.book_at(up, ts).bid_size == 35 and got[f"book-062195-{ts}"] == reduced
    assert tally(got) == {
        ("APPROVE", None): 22, ("REDUCE", "risk.market_quality"): 3, ("REJECT", "risk.market_quality"): 11,
        ("REDUCE", "risk.exposure_caps"): 3,
    }
