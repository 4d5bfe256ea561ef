"""runtime.risk_gate.run_gate: declared order, short-circuit, REDUCE hand-off, fail closed, context.

Tape (tick 0.01), offsets from T0 in ms:

=====  ==========  ==========  ==========
 dt     "11" b/a    "12" b/a    "21" b/a
=====  ==========  ==========  ==========
   0   0.48/0.52   0.40/0.44   0.05/0.15
 100   0.49/0.50
 200   0.59/0.61
 300   0.39/0.41
=====  ==========  ==========  ==========

A BUY "11" @ 0.50 placed at 0 fills at 100 (ask 0.50). Mids of "11": 0.50, 0.495, 0.60, 0.40.
"""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pytest

from polytraders.bots.base import BotConfig
from polytraders.bots.risk import drawdown, exposure_caps, killswitch
from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import OrderIntent, RiskVote
from polytraders.contracts.frames import empty_frame, to_frame
from polytraders.contracts.types import Decision
from polytraders.runtime.feed import RECEIPT_SCHEMA, FeedTape
from polytraders.runtime.profile import Profile
from polytraders.runtime.registry import TokenTape, token_states
from polytraders.runtime.risk_gate import RiskStep, run_gate

ROWS = [
    (0, "11", "0.48", "0.52"), (100, "11", "0.49", "0.50"), (200, "11", "0.59", "0.61"), (300, "11", "0.39", "0.41"),
    (0, "12", "0.40", "0.44"), (0, "21", "0.05", "0.15"),
]  # fmt: skip
CFG = BotConfig()
FAILED = ("RISK_BOT_FAILED",)


def _vote(intent: OrderIntent, ctx: RiskContext, slug: str, decision: str = "APPROVE",
          size: D | None = None, codes: tuple[str, ...] = ()) -> RiskVote:  # fmt: skip
    return RiskVote(intent_id=intent.intent_id, bot=slug, ts_ms=ctx.ts_ms, decision=Decision(decision),
                    reason_codes=codes, approved_size=intent.size if size is None else size)  # fmt: skip


def _approver(slug: str, seen: list | None = None) -> RiskStep:
    """Approves everything; records (slug, intent id, size seen, ctx) in ``seen``."""

    def evaluate(intent: OrderIntent, ctx: RiskContext, config: BotConfig) -> RiskVote:
        if seen is not None:
            seen.append((slug, intent.intent_id, intent.size, ctx))
        return _vote(intent, ctx, slug)

    return RiskStep(slug, evaluate, CFG)


def _rejecter(slug: str, intent_ids: set[str], code: str = "RISK_KILL_SWITCH") -> RiskStep:
    def evaluate(intent: OrderIntent, ctx: RiskContext, config: BotConfig) -> RiskVote:
        if intent.intent_id in intent_ids:
            return _vote(intent, ctx, slug, "REJECT", D(0), (code,))
        return _vote(intent, ctx, slug)

    return RiskStep(slug, evaluate, CFG)


def _reducer(slug: str, sizes: dict[str, str], code: str = "RISK_EXPOSURE") -> RiskStep:
    def evaluate(intent: OrderIntent, ctx: RiskContext, config: BotConfig) -> RiskVote:
        if intent.intent_id in sizes:
            return _vote(intent, ctx, slug, "REDUCE", D(sizes[intent.intent_id]), (code,))
        return _vote(intent, ctx, slug)

    return RiskStep(slug, evaluate, CFG)


def _gate(mk, intents: list[OrderIntent], steps: list[RiskStep], resolutions: tuple = ()):
    instruments = {c: mk.instrument(c) for c in (mk.COND_A, mk.COND_B)}
    return run_gate(intents, steps, instruments, mk.tape(ROWS), list(resolutions))


def _feed(mk, liveness_ms: int = 5_000):
    """The market channel's data receipts at the tape's times (0, 100, 200, 300)."""
    receipts = pl.DataFrame({"channel": ["market"] * 4, "receive_ts_ms": [mk.T0 + dt for dt in (0, 100, 200, 300)]},
                            schema=RECEIPT_SCHEMA)
    tape = FeedTape(receipts, liveness_ms)
    return lambda ts_ms: tape.state_at("market", ts_ms)


def _registry(mk, *instruments):
    """Token states of ``instruments`` (metadata as of T0 − 1, no stream events): as-of look-up."""
    states = token_states(to_frame("InstrumentRecord", list(instruments)), empty_frame("TickSizeChange"),
                          empty_frame("MarketResolution"), "ab" * 32).states
    return TokenTape(states).state_at


def _exposures(seen: list, slug: str) -> dict[str, tuple[D, D]]:
    return {iid: (ctx.market_exposure_usdc, ctx.total_exposure_usdc) for s, iid, _, ctx in seen if s == slug}


# --- order and short-circuit ------------------------------------------------------------------


def test_run_gate_when_all_approve_then_bots_vote_in_declared_order(mk) -> None:
    seen: list = []
    steps = [_approver("risk.zeta", seen), _approver("risk.alpha", seen), _approver("risk.mid", seen)]
    result = _gate(mk, [mk.intent("i2", 10, token="12", price="0.30"), mk.intent("i1", 0, price="0.40")], steps)
    # intents are taken in (ts, id) order, each through the declared order (not alphabetical).
    assert [(s, iid) for s, iid, _, _ in seen] == [
        ("risk.zeta", "i1"), ("risk.alpha", "i1"), ("risk.mid", "i1"),
        ("risk.zeta", "i2"), ("risk.alpha", "i2"), ("risk.mid", "i2"),
    ]  # fmt: skip
    assert list(result.votes) == ["risk.zeta", "risk.alpha", "risk.mid"]
    assert [(i.intent_id, d, size, by, codes) for i, d, size, by, codes in result.final] == [
        ("i1", Decision.APPROVE, D(10), None, ()), ("i2", Decision.APPROVE, D(10), None, ()),
    ]  # fmt: skip
    assert [i.intent_id for i in result.approved] == ["i1", "i2"]
    assert set(result.elapsed_ns) == {"risk.zeta", "risk.alpha", "risk.mid"}
    assert all(ns >= 0 for ns in result.elapsed_ns.values())


def test_run_gate_when_bot_rejects_then_later_bots_get_no_vote_and_nothing_rests(mk) -> None:
    # i1 BUY "11" 10 @ 0.40 rejected by risk.b → risk.c never sees it, it is not placed: i2 in the same
    # market then sees market exposure 0 (it would be 10·0.40 = 4.00 had i1 rested).
    seen: list = []
    steps = [_approver("risk.a"), _rejecter("risk.b", {"i1"}), _approver("risk.c", seen)]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40"), mk.intent("i2", 10, token="12", price="0.30")], steps)
    i1 = mk.intent("i1", 0, price="0.40")
    assert result.final[0] == (i1, Decision.REJECT, D(0), "risk.b", ("RISK_KILL_SWITCH",))
    assert [v.intent_id for v in result.votes["risk.a"]] == ["i1", "i2"]
    assert [(v.intent_id, v.decision) for v in result.votes["risk.b"]] == [
        ("i1", Decision.REJECT),
        ("i2", Decision.APPROVE),
    ]
    assert [v.intent_id for v in result.votes["risk.c"]] == ["i2"]
    assert [i.intent_id for i in result.approved] == ["i2"]
    assert _exposures(seen, "risk.c") == {"i2": (D(0), D(0))}


# --- REDUCE -----------------------------------------------------------------------------------


def test_run_gate_when_bot_reduces_then_next_bot_and_session_get_reduced_size(mk) -> None:
    # i1 BUY "11" 20 @ 0.40 reduced to 12.5 by risk.a; risk.b sees 12.5; it rests with 12.5 shares,
    # so i2 (market A) sees exposure 0.40·12.5 = 5.000.
    seen: list = []
    steps = [_reducer("risk.a", {"i1": "12.5"}), _approver("risk.b", seen)]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40", size="20"), mk.intent("i2", 10, token="12", price="0.30")],
                   steps)  # fmt: skip
    assert [(iid, size) for _, iid, size, _ in seen] == [("i1", D("12.5")), ("i2", D(10))]
    intent, decision, size, by, codes = result.final[0]
    assert (intent.size, decision, size, by, codes) == (D(20), Decision.REDUCE, D("12.5"), "risk.a", ("RISK_EXPOSURE",))
    assert (result.approved[0].intent_id, result.approved[0].size) == ("i1", D("12.5"))
    assert _exposures(seen, "risk.b")["i2"] == (D("5.000"), D("5.000"))


def test_run_gate_when_two_bots_reduce_then_smallest_size_and_both_reasons(mk) -> None:
    steps = [_reducer("risk.a", {"i1": "15"}), _reducer("risk.b", {"i1": "12"}, "RISK_DRAWDOWN"), _approver("risk.c")]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40", size="20")], steps)
    _, decision, size, by, codes = result.final[0]
    assert (decision, size, by, codes) == (Decision.REDUCE, D(12), "risk.b", ("RISK_EXPOSURE", "RISK_DRAWDOWN"))
    assert result.votes["risk.c"][0].approved_size == D(12)


def test_run_gate_when_bot_approves_more_than_reduced_size_then_bot_failed(mk) -> None:
    # risk.a reduces 20 → 12.5; risk.b returns APPROVE with the original 20 > 12.5 requested → fail closed.
    def stale_size(intent: OrderIntent, ctx: RiskContext, config: BotConfig) -> RiskVote:
        return _vote(intent, ctx, "risk.b", size=D(20))

    steps = [_reducer("risk.a", {"i1": "12.5"}), RiskStep("risk.b", stale_size, CFG)]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40", size="20")], steps)
    assert result.final[0][1:] == (Decision.REJECT, D(0), "risk.b", FAILED)


# --- fail closed ------------------------------------------------------------------------------


def _raises(intent, ctx, config):
    raise RuntimeError("boom")


def _other_intent(intent, ctx, config):
    return _vote(intent.model_copy(update={"intent_id": "someone-else"}), ctx, "risk.bad")


def _other_bot(intent, ctx, config):
    return _vote(intent, ctx, "risk.other")


def _not_a_vote(intent, ctx, config):
    return None


def _approves_more(intent, ctx, config):
    return _vote(intent, ctx, "risk.bad", size=intent.size + D("0.01"))  # 10.01 > 10 requested


def _reduces_up(intent, ctx, config):
    return _vote(intent, ctx, "risk.bad", "REDUCE", D(11), ("RISK_EXPOSURE",))


@pytest.mark.parametrize("evaluate", [_raises, _other_intent, _other_bot, _not_a_vote, _approves_more, _reduces_up])
def test_run_gate_when_bot_misbehaves_then_reject_risk_bot_failed(mk, evaluate) -> None:
    seen: list = []
    steps = [_approver("risk.first"), RiskStep("risk.bad", evaluate, CFG), _approver("risk.after", seen)]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40")], steps)
    assert result.votes["risk.bad"] == [
        RiskVote(intent_id="i1", bot="risk.bad", ts_ms=mk.T0, decision=Decision.REJECT, reason_codes=FAILED,
                 approved_size=D(0))
    ]  # fmt: skip
    assert result.final[0][1:] == (Decision.REJECT, D(0), "risk.bad", FAILED)
    assert result.approved == [] and seen == [] and result.votes["risk.after"] == []


def test_run_gate_when_bot_approves_less_than_requested_then_not_full_size(mk) -> None:
    # risk.bad answers APPROVE but lets only 4 of 10 shares through: the gate must not send 10.
    def approves_less(intent, ctx, config):
        return _vote(intent, ctx, "risk.bad", size=D(4))

    result = _gate(mk, [mk.intent("i1", 0, price="0.40")], [RiskStep("risk.bad", approves_less, CFG)])
    assert result.final[0][2] <= D(4)


def test_run_gate_when_bot_reduces_to_zero_then_rejected(mk) -> None:
    def reduces_to_zero(intent, ctx, config):
        return _vote(intent, ctx, "risk.bad", "REDUCE", D(0), ("RISK_EXPOSURE",))

    result = _gate(mk, [mk.intent("i1", 0, price="0.40")], [RiskStep("risk.bad", reduces_to_zero, CFG)])
    assert result.final[0][1] is Decision.REJECT
    assert result.approved == []


# --- CANCEL -----------------------------------------------------------------------------------


def test_run_gate_when_cancel_then_passes_without_votes_and_withdraws_exposure(mk) -> None:
    # i1 BUY "11" 10 @ 0.40 rests (4.00 in market A); c1 cancels it at 10; i2 at 20 sees 0 again.
    seen: list = []
    intents = [mk.intent("i1", 0, price="0.40"), mk.intent("c1", 10, price="0.40", cancels="i1"),
               mk.intent("i2", 20, token="12", price="0.30")]  # fmt: skip
    result = _gate(mk, intents, [_approver("risk.a", seen)])
    assert [v.intent_id for v in result.votes["risk.a"]] == ["i1", "i2"]
    assert result.final[1] == (intents[1], Decision.APPROVE, D(10), None, ())
    assert [i.intent_id for i in result.approved] == ["i1", "c1", "i2"]
    assert _exposures(seen, "risk.a")["i2"] == (D(0), D(0))


def test_run_gate_when_kill_switch_engaged_then_cancel_still_passes(mk) -> None:
    steps = [RiskStep("risk.killswitch", killswitch.evaluate, killswitch.Config(engaged=True))]
    intents = [mk.intent("i1", 0, price="0.40"), mk.intent("c1", 10, price="0.40", cancels="i1")]
    result = _gate(mk, intents, steps)
    assert [(i.intent_id, d, by, codes) for i, d, _, by, codes in result.final] == [
        ("i1", Decision.REJECT, "risk.killswitch", ("RISK_KILL_SWITCH",)), ("c1", Decision.APPROVE, None, ()),
    ]  # fmt: skip
    assert [v.intent_id for v in result.votes["risk.killswitch"]] == ["i1"]
    assert [i.intent_id for i in result.approved] == ["c1"]


# --- context ----------------------------------------------------------------------------------


def test_run_gate_when_quote_replaced_then_context_excludes_replaced_quote(mk) -> None:
    # i1 BUY "11" 10 @ 0.40 (4.00) rests. i2 replaces it (same strategy/token/side): its context
    # excludes i1 → 0 / 0. i3 ("12", market A) sees i2: 10·0.45 = 4.50 in A and in total.
    # i4 ("21", market B): 0 in B; total 4.50 + 5·0.30 (i3) = 6.00. i5 by another strategy on "11"
    # does not replace i2: market A 4.50 + 1.50 = 6.00, total 6.00 + 10·0.10 (i4) = 7.00.
    seen: list = []
    intents = [
        mk.intent("i1", 0, price="0.40"), mk.intent("i2", 10, price="0.45"),
        mk.intent("i3", 20, token="12", price="0.30", size="5"), mk.intent("i4", 30, token="21", price="0.10"),
        mk.intent("i5", 40, price="0.20", strategy="strat.other"),
    ]  # fmt: skip
    _gate(mk, intents, [_approver("risk.a", seen)])
    assert _exposures(seen, "risk.a") == {
        "i1": (D(0), D(0)), "i2": (D(0), D(0)), "i3": (D("4.50"), D("4.50")), "i4": (D(0), D("6.00")),
        "i5": (D("6.00"), D("7.00")),
    }  # fmt: skip


def test_run_gate_when_order_fills_then_context_counts_position_cost(mk) -> None:
    # i1 BUY "11" 10 @ 0.50 fills at 100: cost 5.00 held. i2 ("12", at 150) sees market A 5.00 (position,
    # not a resting order any more) and the book of "12" as of 150 (the dt-0 snapshot).
    seen: list = []
    _gate(mk, [mk.intent("i1", 0), mk.intent("i2", 150, token="12", price="0.30")], [_approver("risk.a", seen)])
    ctx = seen[1][3]
    assert (ctx.ts_ms, ctx.market_exposure_usdc, ctx.total_exposure_usdc) == (mk.T0 + 150, D("5.00"), D("5.00"))
    assert (ctx.book.token_id, ctx.book.ts_ms, ctx.book.best_ask) == ("12", mk.T0, D("0.44"))
    assert ctx.instrument.condition_id == mk.COND_A


def test_run_gate_when_equity_rises_then_falls_then_peak_is_running_max(mk) -> None:
    # i1 BUY "11" 10 @ 0.50 at 0 (equity 0, peak 0) fills at 100 (cost 5.00).
    # i2 at 250: mid "11" = (0.59 + 0.61)/2 = 0.60 → equity 6.00 − 5.00 = 1.00; peak 1.00.
    # i3 at 350: mid = (0.39 + 0.41)/2 = 0.40 → equity 4.00 − 5.00 = −1.00; peak stays 1.00.
    seen: list = []
    intents = [mk.intent("i1", 0), mk.intent("i2", 250, token="21", price="0.10"),
               mk.intent("i3", 350, token="12", price="0.30")]  # fmt: skip
    _gate(mk, intents, [_approver("risk.a", seen)])
    assert [(ctx.equity_usdc, ctx.peak_equity_usdc) for *_, ctx in seen] == [
        (D(0), D(0)), (D("1.00"), D("1.00")), (D("-1.00"), D("1.00")),
    ]  # fmt: skip


@pytest.mark.parametrize(("limit", "i3"), [
    ("2", (Decision.REJECT, ("RISK_DRAWDOWN",))),  # drawdown 1.00 − (−1.00) = 2.00 >= 2 → breach
    ("2.01", (Decision.APPROVE, ())),              # 2.00 < 2.01
])  # fmt: skip
def test_run_gate_when_real_drawdown_bot_then_uses_running_peak(mk, limit: str, i3: tuple) -> None:
    steps = [RiskStep("risk.drawdown", drawdown.evaluate, drawdown.Config(max_drawdown_usdc=D(limit)))]
    intents = [mk.intent("i1", 0), mk.intent("i2", 250, token="21", price="0.10"),
               mk.intent("i3", 350, token="12", price="0.30")]  # fmt: skip
    result = _gate(mk, intents, steps)
    assert [(d, codes) for _, d, _, _, codes in result.final] == [(Decision.APPROVE, ()), (Decision.APPROVE, ()), i3]


def test_run_gate_when_market_resolved_then_context_has_settled_equity(mk) -> None:
    # i1 fills at 100 (10 @ 0.50, cost 5.00); A resolves at 150 with "12" winning: realised 0·10 − 5.00 = −5.00.
    # i2 at 250: no open position, exposure 0, equity −5.00, peak max(0, −5.00) = 0.
    seen: list = []
    _gate(mk, [mk.intent("i1", 0), mk.intent("i2", 250, token="21", price="0.10")], [_approver("risk.a", seen)],
          resolutions=(mk.resolution(mk.COND_A, 150, winner="12"),))  # fmt: skip
    ctx = seen[1][3]
    assert (ctx.market_exposure_usdc, ctx.total_exposure_usdc, ctx.equity_usdc, ctx.peak_equity_usdc) == (
        D(0), D(0), D("-5.00"), D(0),
    )  # fmt: skip


# --- the real pipeline ------------------------------------------------------------------------


def test_run_gate_when_shadow_risk_order_then_each_bot_decides_its_case(mk) -> None:
    # Market cap 10 USDC (taper from 7). Times: i1 0, i2 200, i4 300, i3 6000.
    # i1 BUY "11" 30 @ 0.50: e = 0 <= 7 but n = 15 > 10 → headroom 10 / 0.50 = 20.00 → REDUCE 20.00;
    #    it rests with 20 shares and fills at 100 (ask 0.50): cost 0.50·20 = 10.00.
    # i2 BUY "21": market B has no instrument here → compliance REJECT; later bots skip it.
    # i4 BUY "12" 5 @ 0.30: e = 10.00 (position cost) >= 10 → exposure REJECT.
    # i5 BUY "12" at 350 @ 0.305: off the token's 0.01 grid → market_halt REJECT.
    # i3 BUY "11" at 6000: last data frame at 300 → silent 5700 ms > the 5000 ms liveness budget
    #    → dead feed → stale REJECT (the book at 300 alone, on a live feed, would pass).
    profile = Profile(configs={"risk.exposure_caps": exposure_caps.Config(max_market_exposure_usdc=D(10))})
    intents = [
        mk.intent("i1", 0, size="30"), mk.intent("i2", 200, token="21", price="0.10"),
        mk.intent("i3", 6_000, price="0.40"), mk.intent("i4", 300, token="12", price="0.30", size="5"),
        mk.intent("i5", 350, token="12", price="0.305"),
    ]  # fmt: skip
    result = run_gate(intents, profile.risk_steps(), {mk.COND_A: mk.instrument()}, mk.tape(ROWS), [], _feed(mk),
                      _registry(mk, mk.instrument()))
    assert [(i.intent_id, d, size, by, codes) for i, d, size, by, codes in result.final] == [
        ("i1", Decision.REDUCE, D("20.00"), "risk.exposure_caps", ("RISK_EXPOSURE",)),
        ("i2", Decision.REJECT, D(0), "risk.compliance_gate", ("RISK_COMPLIANCE",)),
        ("i4", Decision.REJECT, D(0), "risk.exposure_caps", ("RISK_EXPOSURE",)),
        ("i5", Decision.REJECT, D(0), "risk.market_halt", ("RISK_MARKET_HALTED",)),
        ("i3", Decision.REJECT, D(0), "risk.stale_book", ("RISK_STALE_BOOK",)),
    ]  # fmt: skip
    assert {slug: [v.intent_id for v in votes] for slug, votes in result.votes.items()} == {
        "risk.killswitch": ["i1", "i2", "i4", "i5", "i3"],
        "risk.compliance_gate": ["i1", "i2", "i4", "i5", "i3"],
        "risk.market_halt": ["i1", "i4", "i5", "i3"],
        "risk.stale_book": ["i1", "i4", "i3"],
        "risk.drawdown": ["i1", "i4"],
        "risk.exposure_caps": ["i1", "i4"],
    }
    assert [(i.intent_id, i.size) for i in result.approved] == [("i1", D("20.00"))]


def test_run_gate_when_same_input_twice_then_same_votes(mk) -> None:
    intents = [mk.intent("i1", 0, size="30"), mk.intent("i4", 300, token="12", price="0.30", size="5")]

    def run():
        result = run_gate(intents, Profile().risk_steps(), {mk.COND_A: mk.instrument()}, mk.tape(ROWS), [],
                          _feed(mk), _registry(mk, mk.instrument()))
        return result.votes, result.final, result.approved

    assert run() == run()
