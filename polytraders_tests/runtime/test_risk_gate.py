"""runtime.risk_gate.run_gate: declared order, short-circuit, REDUCE hand-off, fail closed, the
portfolio columns the segmented fold computes, CANCELs, and window equivalence.

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
Market A = tokens "11" (YES) / "12" (NO), market B = "21" / "22"; both listed unless a test says
otherwise. Stub bots are frame functions ``vote(frame, ctx, config)`` that record every frame
they are shown; the fold may show a row more than once (a row after the first passing one of a
segment is evaluated again with the new portfolio), and the *last* frame a row was in is the
one it was decided on.
"""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal as D

import polars as pl
import pytest

from polytraders.adapters.budgets import FreshnessBudgets
from polytraders.bots.base import BotConfig
from polytraders.bots.risk import killswitch, votes
from polytraders.bots.risk.drawdown import Config as DrawdownConfig
from polytraders.bots.risk.exposure_caps import Config as ExposureConfig
from polytraders.contracts import BookLevel, OrderBookSnapshot
from polytraders.contracts.frames import empty_frame, to_frame, validate_frame
from polytraders.runtime.feed import RECEIPT_SCHEMA
from polytraders.runtime.profile import RISK_ORDER, Profile, bot_module
from polytraders.runtime.registry import token_states
from polytraders.runtime.risk_context import PORTFOLIO_COLUMNS, MarketInputs
from polytraders.runtime.risk_gate import NotAStrategyIntentError, run_gate
from polytraders.runtime.risk_pipeline import DECISION_SCHEMA, RiskStep
from polytraders_tests.runtime.conftest import assert_valid_votes

ROWS = [
    (0, "11", "0.48", "0.52"), (100, "11", "0.49", "0.50"), (200, "11", "0.59", "0.61"), (300, "11", "0.39", "0.41"),
    (0, "12", "0.40", "0.44"), (0, "21", "0.05", "0.15"),
]  # fmt: skip
CFG = BotConfig()
_DEC = pl.Decimal(38, 6)
OTHER_STRAT = "strat.maker_avellaneda"
#: Context columns the recording stubs keep.
SEEN = ("intent_id", "ts_ms", "size", "position_shares", "market_exposure_usdc", "total_exposure_usdc",
        "net_exposure_usdc", "token_net_usdc", "equity_usdc", "peak_equity_usdc", "token_wins_pnl_usdc",
        "token_loses_pnl_usdc")


# --- helpers ----------------------------------------------------------------------------------


def _record(seen: list | None, slug: str, frame: pl.DataFrame) -> None:
    if seen is not None:
        seen.append((slug, frame))


def _approver(slug: str, seen: list | None = None, code: str = "RISK_EXPOSURE") -> RiskStep:
    """Approves everything; appends ``(slug, frame)`` to ``seen`` on every call."""

    def vote(frame: pl.DataFrame, ctx, config) -> pl.DataFrame:
        _record(seen, slug, frame)
        return votes.verdicts(frame, pl.lit(False), code)

    return RiskStep(slug, vote, CFG, (code,))


def _rejecter(slug: str, intent_ids: set[str], code: str = "RISK_KILL_SWITCH") -> RiskStep:
    def vote(frame: pl.DataFrame, ctx, config) -> pl.DataFrame:
        return votes.verdicts(frame, pl.col("intent_id").is_in(sorted(intent_ids)), code)

    return RiskStep(slug, vote, CFG, (code,))


def _reducer(slug: str, sizes: dict[str, str], code: str = "RISK_EXPOSURE", seen: list | None = None) -> RiskStep:
    """REDUCEs intent ``k`` to ``sizes[k]`` (via votes.sized), approves the rest."""

    def vote(frame: pl.DataFrame, ctx, config) -> pl.DataFrame:
        _record(seen, slug, frame)
        allowed = pl.col("size")
        for iid, size in sizes.items():
            allowed = pl.when(pl.col("intent_id") == iid).then(pl.lit(D(size), _DEC)).otherwise(allowed)
        return votes.sized(frame, allowed, code)

    return RiskStep(slug, vote, CFG, (code,))


def _last_seen(seen: list, slug: str) -> dict[str, dict]:
    """The context each intent was decided on by ``slug``: its row in the last frame shown."""
    out: dict[str, dict] = {}
    for s, frame in seen:
        if s == slug:
            for row in frame.iter_rows(named=True):
                out[row["intent_id"]] = row
    return out


def _calls(seen: list) -> list[tuple[str, list[str]]]:
    return [(slug, frame["intent_id"].to_list()) for slug, frame in seen]


def _exposures(seen: list, slug: str) -> dict[str, tuple[D, D]]:
    return {k: (r["market_exposure_usdc"], r["total_exposure_usdc"]) for k, r in _last_seen(seen, slug).items()}


def _inputs(mk, instruments=None, resolutions=(), rows=ROWS, **extra) -> MarketInputs:
    records = [mk.instrument(mk.COND_A), mk.instrument(mk.COND_B)] if instruments is None else instruments
    return MarketInputs(
        instruments=to_frame("InstrumentRecord", records), market_snapshots=mk.snapshots(rows),
        resolutions=to_frame("MarketResolution", list(resolutions)) if resolutions else empty_frame("MarketResolution"),
        **extra,
    )


def _gate(mk, intents: list, steps: list[RiskStep], resolutions: tuple = (), window: int | None = None,
          inputs: MarketInputs | None = None):
    frame = to_frame("OrderIntent", intents)
    kwargs = {} if window is None else {"window": window}
    return run_gate(frame, inputs or _inputs(mk, resolutions=resolutions), steps, **kwargs)


def _final(result) -> list[tuple]:
    return [(r["intent_id"], r["decision"], r["approved_size"], r["decided_by"], r["reason_codes"])
            for r in result.decisions.iter_rows(named=True)]


def _valid(result) -> None:
    """The result's frames satisfy their contracts (frame checks, and every row a valid object)."""
    assert_valid_votes(result.decisions, result.votes)
    validate_frame("OrderIntent", result.approved)


# --- order and short-circuit ------------------------------------------------------------------


def test_run_gate_when_all_approve_then_bots_vote_in_declared_order(mk) -> None:
    seen: list = []
    steps = [_approver("risk.zeta", seen), _approver("risk.alpha", seen), _approver("risk.mid", seen)]
    result = _gate(mk, [mk.intent("i2", 10, token="12", price="0.30"), mk.intent("i1", 0, price="0.40")], steps)
    # intents are decided in (ts, id) order, through the declared order (not alphabetical). The first
    # segment holds i1 and i2; i1 passes, so i2 is evaluated again in a second segment after i1 rests.
    assert _calls(seen) == [
        ("risk.zeta", ["i1", "i2"]), ("risk.alpha", ["i1", "i2"]), ("risk.mid", ["i1", "i2"]),
        ("risk.zeta", ["i2"]), ("risk.alpha", ["i2"]), ("risk.mid", ["i2"]),
    ]  # fmt: skip
    assert result.segments == 2
    assert list(result.votes) == ["risk.zeta", "risk.alpha", "risk.mid"]
    assert all(v["intent_id"].to_list() == ["i1", "i2"] for v in result.votes.values())
    assert _final(result) == [("i1", "APPROVE", D(10), None, []), ("i2", "APPROVE", D(10), None, [])]
    assert result.decisions["not_evaluated"].to_list() == [[], []]
    assert result.approved["intent_id"].to_list() == ["i1", "i2"]
    assert list(result.elapsed_ms) == ["risk.zeta", "risk.alpha", "risk.mid"]
    assert all(ms >= 0 for ms in result.elapsed_ms.values())
    _valid(result)


def test_run_gate_when_bot_rejects_then_later_bots_get_no_vote_and_nothing_rests(mk) -> None:
    # i1 BUY "11" 10 @ 0.40 rejected by risk.b → risk.c never sees it, it is not placed: i2 in the same
    # market then sees market exposure 0 (it would be 10·0.40 = 4.00 had i1 rested).
    seen: list = []
    steps = [_approver("risk.a"), _rejecter("risk.b", {"i1"}), _approver("risk.c", seen)]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40"), mk.intent("i2", 10, token="12", price="0.30")], steps)
    assert _final(result)[0] == ("i1", "REJECT", D(0), "risk.b", ["RISK_KILL_SWITCH"])
    assert result.decisions["not_evaluated"].to_list() == [["risk.c"], []]
    assert result.votes["risk.a"]["intent_id"].to_list() == ["i1", "i2"]
    assert result.votes["risk.b"].select("intent_id", "decision").rows() == [("i1", "REJECT"), ("i2", "APPROVE")]
    assert result.votes["risk.c"]["intent_id"].to_list() == ["i2"]
    assert _calls(seen) == [("risk.c", ["i2"])]
    assert result.approved["intent_id"].to_list() == ["i2"]
    assert _exposures(seen, "risk.c") == {"i2": (D(0), D(0))}
    _valid(result)


# --- REDUCE -----------------------------------------------------------------------------------


def test_run_gate_when_bot_reduces_then_next_bot_and_session_get_reduced_size(mk) -> None:
    # i1 BUY "11" 20 @ 0.40 reduced to 12.5 by risk.a; risk.b sees 12.5; it rests with 12.5 shares,
    # so i2 (market A) sees exposure 0.40·12.5 = 5.000.
    seen: list = []
    steps = [_reducer("risk.a", {"i1": "12.5"}), _approver("risk.b", seen)]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40", size="20"), mk.intent("i2", 10, token="12", price="0.30")],
                   steps)  # fmt: skip
    last = _last_seen(seen, "risk.b")
    assert (last["i1"]["size"], last["i2"]["size"]) == (D("12.5"), D(10))
    assert _final(result)[0] == ("i1", "REDUCE", D("12.5"), "risk.a", ["RISK_EXPOSURE"])
    assert result.approved.select("intent_id", "size").rows()[0] == ("i1", D("12.5"))
    assert _exposures(seen, "risk.b")["i2"] == (D("5.000"), D("5.000"))
    _valid(result)


def test_run_gate_when_two_bots_reduce_then_smallest_size_and_both_reasons(mk) -> None:
    steps = [_reducer("risk.a", {"i1": "15"}), _reducer("risk.b", {"i1": "12"}, "RISK_DRAWDOWN"), _approver("risk.c")]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40", size="20")], steps)
    assert _final(result) == [("i1", "REDUCE", D(12), "risk.b", ["RISK_EXPOSURE", "RISK_DRAWDOWN"])]
    assert result.votes["risk.b"]["approved_size"].to_list() == [D(12)]
    assert result.votes["risk.c"]["approved_size"].to_list() == [D(12)]
    assert result.approved["size"].to_list() == [D(12)]
    _valid(result)


def test_run_gate_when_bot_approves_more_than_reduced_size_then_invalid_vote(mk) -> None:
    # risk.a reduces 20 → 12.5; risk.b returns APPROVE with the original 20 ≠ 12.5 requested → fail closed.
    def stale_size(frame, ctx, config):
        return votes.verdicts(frame, pl.lit(False), "RISK_EXPOSURE").with_columns(
            approved_size=pl.lit(D(20), _DEC))

    steps = [_reducer("risk.a", {"i1": "12.5"}), RiskStep("risk.b", stale_size, CFG, ("RISK_DRAWDOWN",))]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40", size="20")], steps)
    assert _final(result) == [("i1", "REJECT", D(0), "risk.b", ["RISK_DRAWDOWN", "RISK_BOT_INVALID_VOTE"])]
    assert result.approved.is_empty()


# --- fail closed ------------------------------------------------------------------------------


def _ok(frame):
    return votes.verdicts(frame, pl.lit(False), "RISK_EXPOSURE")


def _raises(frame, ctx, config):
    raise RuntimeError("boom")


def _not_a_vote(frame, ctx, config):
    return None


def _wrong_schema(frame, ctx, config):
    return _ok(frame).with_columns(pl.col("approved_size").cast(pl.Float64))


def _wrong_height(frame, ctx, config):
    return pl.concat([_ok(frame), _ok(frame)])


def _approves_more(frame, ctx, config):
    return _ok(frame).with_columns(approved_size=pl.col("approved_size") + D("0.01"))  # 10.01 ≠ 10 requested


def _approves_less(frame, ctx, config):
    return _ok(frame).with_columns(approved_size=pl.lit(D(4), _DEC))  # APPROVE at 4 of 10: not a valid APPROVE


def _reduces_up(frame, ctx, config):
    return votes.sized(frame, pl.lit(D(11)), "RISK_EXPOSURE").with_columns(  # sized says APPROVE; force REDUCE 11
        decision=pl.lit("REDUCE"), approved_size=pl.lit(D(11), _DEC), reason_code=pl.lit("RISK_EXPOSURE"))


def _reduces_to_zero(frame, ctx, config):
    return _ok(frame).with_columns(decision=pl.lit("REDUCE"), approved_size=pl.lit(D(0), _DEC),
                                   reason_code=pl.lit("RISK_EXPOSURE"))


def _slow(frame, ctx, config):
    time.sleep(0.005)
    return _ok(frame)


@pytest.mark.parametrize(("vote", "failure"), [
    (_raises, "RISK_BOT_FAILED"), (_slow, "RISK_BOT_TIMEOUT"), (_not_a_vote, "RISK_BOT_INVALID_VOTE"),
    (_wrong_schema, "RISK_BOT_INVALID_VOTE"), (_wrong_height, "RISK_BOT_INVALID_VOTE"),
    (_approves_more, "RISK_BOT_INVALID_VOTE"), (_approves_less, "RISK_BOT_INVALID_VOTE"),
    (_reduces_up, "RISK_BOT_INVALID_VOTE"), (_reduces_to_zero, "RISK_BOT_INVALID_VOTE"),
])  # fmt: skip
def test_run_gate_when_bot_misbehaves_then_reject_with_own_code_and_failure(mk, vote, failure: str) -> None:
    seen: list = []
    # budget 0 ms + 0 µs/row: the 5 ms sleeper overruns; the others are judged on their answer only.
    budget = {"budget_ms": 0.0, "budget_us_per_row": 0.0} if vote is _slow else {}
    steps = [_approver("risk.first"), RiskStep("risk.bad", vote, CFG, ("RISK_EXPOSURE",), **budget),
             _approver("risk.after", seen)]  # fmt: skip
    result = _gate(mk, [mk.intent("i1", 0, price="0.40")], steps)
    codes = ["RISK_EXPOSURE", failure]  # the bot's own code first, then the failure
    assert result.votes["risk.bad"].rows() == [("i1", "risk.bad", mk.T0, "REJECT", codes, D(0))]
    assert _final(result) == [("i1", "REJECT", D(0), "risk.bad", codes)]
    assert result.decisions["not_evaluated"].to_list() == [["risk.after"]]
    assert result.approved.is_empty() and seen == [] and result.votes["risk.after"].is_empty()
    _valid(result)


# --- CANCEL -----------------------------------------------------------------------------------


def test_run_gate_when_cancel_then_passes_without_votes_and_withdraws_exposure(mk) -> None:
    # i1 BUY "11" 10 @ 0.40 rests (4.00 in market A); c1 cancels it at 10; i2 at 20 sees 0 again.
    seen: list = []
    intents = [mk.intent("i1", 0, price="0.40"), mk.intent("c1", 10, price="0.40", cancels="i1"),
               mk.intent("i2", 20, token="12", price="0.30")]  # fmt: skip
    result = _gate(mk, intents, [_approver("risk.a", seen)])
    assert result.votes["risk.a"]["intent_id"].to_list() == ["i1", "i2"]
    assert all("c1" not in frame["intent_id"].to_list() for _, frame in seen)
    assert _final(result)[1] == ("c1", "APPROVE", D(10), None, [])
    assert result.approved.select("intent_id", "kind").rows() == [("i1", "PLACE"), ("c1", "CANCEL"), ("i2", "PLACE")]
    assert _exposures(seen, "risk.a")["i2"] == (D(0), D(0))
    _valid(result)


def test_run_gate_when_kill_switch_engaged_then_cancel_still_passes(mk) -> None:
    steps = [RiskStep("risk.killswitch", killswitch.vote, killswitch.Config(engaged=True), ("RISK_KILL_SWITCH",))]
    intents = [mk.intent("i1", 0, price="0.40"), mk.intent("c1", 10, price="0.40", cancels="i1")]
    result = _gate(mk, intents, steps)
    assert [(k, d, by, codes) for k, d, _, by, codes in _final(result)] == [
        ("i1", "REJECT", "risk.killswitch", ["RISK_KILL_SWITCH"]), ("c1", "APPROVE", None, []),
    ]  # fmt: skip
    assert result.votes["risk.killswitch"]["intent_id"].to_list() == ["i1"]
    assert result.approved["intent_id"].to_list() == ["c1"]
    _valid(result)


# --- forbidden inputs: only strategies' OrderIntents reach the bots ---------------------------


def test_run_gate_when_frame_is_a_risk_vote_frame_then_not_a_strategy_intent(mk) -> None:
    seen: list = []
    frame = to_frame("RiskVote", [mk.vote("i1", "risk.a", 0)])
    with pytest.raises(NotAStrategyIntentError):
        run_gate(frame, _inputs(mk), [_approver("risk.a", seen)])
    assert seen == []


@pytest.mark.parametrize("missing", ["kind", "strategy", "post_only", "cancels_intent_id"])
def test_run_gate_when_order_intent_frame_lacks_a_column_then_not_a_strategy_intent(mk, missing: str) -> None:
    seen: list = []
    frame = to_frame("OrderIntent", [mk.intent("i1", 0)]).drop(missing)
    with pytest.raises(NotAStrategyIntentError):
        run_gate(frame, _inputs(mk), [_approver("risk.a", seen)])
    assert seen == []


@pytest.mark.parametrize("strategy", ["risk.killswitch", "exec.order_shaper", "strat.not_in_manifest"])
def test_run_gate_when_intent_not_from_a_strategy_bot_then_not_a_strategy_intent(mk, strategy: str) -> None:
    seen: list = []
    intents = [mk.intent("i1", 0), mk.intent("i2", 10, strategy=strategy)]
    with pytest.raises(NotAStrategyIntentError, match=strategy.replace(".", r"\.")):
        _gate(mk, intents, [_approver("risk.a", seen)])
    assert seen == []


def test_run_gate_when_window_below_one_then_value_error(mk) -> None:
    with pytest.raises(ValueError, match="window"):
        _gate(mk, [mk.intent("i1", 0)], [_approver("risk.a")], window=0)


# --- portfolio context ------------------------------------------------------------------------


def test_run_gate_when_quote_replaced_then_context_excludes_replaced_quote(mk) -> None:
    # i1 BUY "11" 10 @ 0.40 (4.00) rests. i2 replaces it (same strategy/token/side): its context
    # excludes i1 → 0 / 0. i3 ("12", market A) sees i2: 10·0.45 = 4.50 in A and in total.
    # i4 ("21", market B): 0 in B; total 4.50 + 5·0.30 (i3) = 6.00. i5 by another strategy on "11"
    # does not replace i2: market A 4.50 + 1.50 = 6.00, total 6.00 + 10·0.10 (i4) = 7.00.
    seen: list = []
    intents = [
        mk.intent("i1", 0, price="0.40"), mk.intent("i2", 10, price="0.45"),
        mk.intent("i3", 20, token="12", price="0.30", size="5"), mk.intent("i4", 30, token="21", price="0.10"),
        mk.intent("i5", 40, price="0.20", strategy=OTHER_STRAT),
    ]  # fmt: skip
    _valid(_gate(mk, intents, [_approver("risk.a", seen)]))
    assert _exposures(seen, "risk.a") == {
        "i1": (D(0), D(0)), "i2": (D(0), D(0)), "i3": (D("4.50"), D("4.50")), "i4": (D(0), D("6.00")),
        "i5": (D("6.00"), D("7.00")),
    }  # fmt: skip


def test_run_gate_when_order_fills_then_context_counts_position_cost(mk) -> None:
    # i1 BUY "11" 10 @ 0.50 fills at 100: cost 5.00 held. i2 ("12", at 150) sees market A 5.00 (position,
    # not a resting order any more) and the book of "12" as of 150 (the dt-0 snapshot). i3 on "11" at 150
    # sees the 10 shares held. Equity at 150: mid "11" (0.49 + 0.50)/2 = 0.495 → 10·0.495 − 5.00 = −0.05.
    seen: list = []
    intents = [mk.intent("i1", 0), mk.intent("i2", 150, token="12", price="0.30"),
               mk.intent("i3", 151, price="0.45", strategy=OTHER_STRAT)]  # fmt: skip

    _gate(mk, intents, [_approver("risk.a", seen)])
    last = _last_seen(seen, "risk.a")
    assert (last["i2"]["ts_ms"], last["i2"]["market_exposure_usdc"], last["i2"]["total_exposure_usdc"]) == (
        mk.T0 + 150, D("5.00"), D("5.00"))
    assert (last["i2"]["position_shares"], last["i3"]["position_shares"]) == (D(0), D(10))
    assert (last["i2"]["equity_usdc"], last["i3"]["equity_usdc"]) == (D("-0.05"), D("-0.05"))
    i2 = last["i2"]
    assert (i2["condition_id"], i2["instrument_known"], i2["book_ts_ms"], i2["best_ask"]) == (
        mk.COND_A, True, mk.T0, D("0.44"))


def test_run_gate_when_equity_rises_then_falls_then_peak_is_running_max(mk) -> None:
    # i1 BUY "11" 10 @ 0.50 at 0 (equity 0, peak 0) fills at 100 (cost 5.00).
    # i2 at 250: mid "11" = (0.59 + 0.61)/2 = 0.60 → equity 6.00 − 5.00 = 1.00; peak 1.00.
    # i3 at 350: mid = (0.39 + 0.41)/2 = 0.40 → equity 4.00 − 5.00 = −1.00; peak stays 1.00.
    seen: list = []
    intents = [mk.intent("i1", 0), mk.intent("i2", 250, token="21", price="0.10"),
               mk.intent("i3", 350, token="12", price="0.30")]  # fmt: skip
    _gate(mk, intents, [_approver("risk.a", seen)])
    last = _last_seen(seen, "risk.a")
    assert [(last[k]["equity_usdc"], last[k]["peak_equity_usdc"]) for k in ("i1", "i2", "i3")] == [
        (D(0), D(0)), (D("1.00"), D("1.00")), (D("-1.00"), D("1.00")),
    ]  # fmt: skip


def test_run_gate_when_rejected_intents_see_rising_equity_then_peak_still_counts_them(mk) -> None:
    # i1 fills at 100 (cost 5.00). i2 at 250 is REJECTED but its equity 1.00 is still the run's peak:
    # i3 at 350 sees equity −1.00 with peak 1.00 (both rows decided in one segment, nothing fills between).
    seen: list = []
    intents = [mk.intent("i1", 0), mk.intent("i2", 250, token="21", price="0.10"),
               mk.intent("i3", 350, token="12", price="0.30")]  # fmt: skip
    result = _gate(mk, intents, [_rejecter("risk.r", {"i2"}), _approver("risk.a", seen)])
    assert [d for _, d, *_ in _final(result)] == ["APPROVE", "REJECT", "APPROVE"]
    assert (_last_seen(seen, "risk.a")["i3"]["equity_usdc"], _last_seen(seen, "risk.a")["i3"]["peak_equity_usdc"]) == (
        D("-1.00"), D("1.00"))


@pytest.mark.parametrize(("limit", "i3"), [
    ("2", ("REJECT", ["RISK_DRAWDOWN"])),  # drawdown 1.00 − (−1.00) = 2.00 >= 2 → breach
    ("2.01", ("APPROVE", [])),             # 2.00 < 2.01
])  # fmt: skip
def test_run_gate_when_real_drawdown_bot_then_uses_running_peak(mk, limit: str, i3: tuple) -> None:
    steps = Profile(configs={"risk.drawdown": DrawdownConfig(max_drawdown_usdc=D(limit))},
                    risk_order=("risk.drawdown",)).risk_steps()
    intents = [mk.intent("i1", 0), mk.intent("i2", 250, token="21", price="0.10"),
               mk.intent("i3", 350, token="12", price="0.30")]  # fmt: skip
    result = _gate(mk, intents, steps)
    assert [(d, codes) for _, d, _, _, codes in _final(result)] == [("APPROVE", []), ("APPROVE", []), i3]


def test_run_gate_when_market_resolved_then_context_has_settled_equity(mk) -> None:
    # i1 fills at 100 (10 @ 0.50, cost 5.00); A resolves at 150 with "12" winning: realised 0·10 − 5.00 = −5.00.
    # i2 at 250: no open position, exposure 0, equity −5.00, peak max(0, −5.00) = 0.
    seen: list = []
    _gate(mk, [mk.intent("i1", 0), mk.intent("i2", 250, token="21", price="0.10")], [_approver("risk.a", seen)],
          resolutions=(mk.resolution(mk.COND_A, 150, winner="12"),))  # fmt: skip
    i2 = _last_seen(seen, "risk.a")["i2"]
    assert (i2["market_exposure_usdc"], i2["total_exposure_usdc"], i2["equity_usdc"], i2["peak_equity_usdc"]) == (
        D(0), D(0), D("-5.00"), D(0),
    )  # fmt: skip


def test_run_gate_when_market_resolves_then_its_resting_orders_are_withdrawn(mk) -> None:
    # i1 BUY "12" 10 @ 0.30 rests (3.00, never fills: ask 0.44). A resolves at 150: the order is
    # cancelled, so i2 at 200 sees exposure 0 in A and in total; nothing was held, equity 0.
    seen: list = []
    _gate(mk, [mk.intent("i1", 0, token="12", price="0.30"), mk.intent("i2", 200, token="21", price="0.10")],
          [_approver("risk.a", seen)], resolutions=(mk.resolution(mk.COND_A, 150, winner="11"),))
    last = _last_seen(seen, "risk.a")
    assert (last["i2"]["total_exposure_usdc"], last["i2"]["equity_usdc"]) == (D(0), D(0))


# --- event-group PnL scenarios ----------------------------------------------------------------


def _group_gate(mk, intents: list, instruments: list) -> dict[str, dict]:
    seen: list = []
    _gate(mk, intents, [_approver("risk.a", seen)], inputs=_inputs(mk, instruments=instruments))
    return _last_seen(seen, "risk.a")


def _wins_loses(row: dict) -> tuple:
    return row["token_wins_pnl_usdc"], row["token_loses_pnl_usdc"]


def test_run_gate_when_binary_market_then_token_scenario_pnl_by_hand(mk) -> None:
    # Plain binary market A ("11" / "12"); B is not listed. i1 BUY "11" 10 @ 0.50 fills at 100: held
    # 10 at cost 5.00. i2 BUY "12" 10 @ 0.30 rests (3.00; ask 0.44, never fills). From 150 on, the
    # scenarios of A (held at cost, a resting BUY counted only where it loses):
    #   "11" pays: 10·1 − 5.00 = 5.00, the "12" BUY loses → 5.00 − 3.00 = 2.00
    #   "12" pays: 0 − 5.00 = −5.00, the "12" BUY pays (not counted)     → −5.00
    # i3 SELL "11" (other strategy): wins 2.00, loses −5.00. i4 SELL "12" (other strategy): wins
    # −5.00, loses 2.00 (SELLs rest without fills here and never count). i5 BUY "12" by i2's
    # strategy replaces i2, so without it: "11" pays 5.00, "12" pays −5.00 → wins −5.00, loses 5.00.
    # i6 on "21" (unlisted market): null, null. Earlier: i1 at 0 sees nothing → 0, 0; i2 at 50 sees
    # i1 resting (BUY "11" 5.00, lost where "12" pays) → "11" pays 0, "12" pays −5.00 → i2 ("12"):
    # wins −5.00, loses 0.
    intents = [
        mk.intent("i1", 0), mk.intent("i2", 50, token="12", price="0.30"),
        mk.intent("i3", 150, price="0.60", size="5", side="SELL", strategy=OTHER_STRAT),
        mk.intent("i4", 151, token="12", price="0.95", side="SELL", strategy=OTHER_STRAT),
        mk.intent("i5", 152, token="12", price="0.31"), mk.intent("i6", 153, token="21", price="0.10"),
    ]  # fmt: skip
    last = _group_gate(mk, intents, [mk.instrument(mk.COND_A)])
    assert _wins_loses(last["i1"]) == (D(0), D(0))
    assert _wins_loses(last["i2"]) == (D("-5.00"), D(0))
    assert _wins_loses(last["i3"]) == (D("2.00"), D("-5.00"))
    assert _wins_loses(last["i4"]) == (D("-5.00"), D("2.00"))
    assert _wins_loses(last["i5"]) == (D("-5.00"), D("5.00"))
    assert _wins_loses(last["i6"]) == (None, None)
    assert last["i3"]["position_shares"] == D(10)
    # Net notional (BUY notional held or resting; "11" is A's first token): i1 sees nothing; i2 sees i1's
    # resting 5.00 in "11" → net 5, "12" is 5 short; from 150 "11" holds 5.00 against i2's 3.00 in "12" →
    # net 2 ("11" +2, "12" −2; the resting SELLs add nothing); i5 replaces i2 → "12" back to 0: net 5, −5.
    assert [(last[i]["net_exposure_usdc"], last[i]["token_net_usdc"]) for i in ("i1", "i2", "i3", "i4", "i5", "i6")] \
        == [(D(0), D(0)), (D(5), D(-5)), (D(2), D(2)), (D(2), D(-2)), (D(5), D(-5)), (None, None)]


def test_run_gate_when_neg_risk_group_then_scenarios_are_member_wins_or_none(mk) -> None:
    # A and B in neg-risk group g1: scenarios "A's YES wins", "B's YES wins", "none of them".
    # Pays: "11" [T, F, F], "12" [F, T, T], "21" [F, T, F], "22" [T, F, T].
    # i1 BUY "11" 10 @ 0.50 fills at 100 (held 10 at 5.00); i2 BUY "21" 10 @ 0.10 rests (1.00; ask 0.15).
    # Scenario PnL at 150: A: 10 − 5.00 − 1.00 (the "21" BUY loses) = 4.00; B: −5.00 ("21" pays);
    # none: −5.00 − 1.00 = −6.00.
    #   i3 SELL "11" (other strategy): wins min(A) = 4.00, loses min(B, none) = −6.00
    #   i4 SELL "22" (other strategy): wins min(A, none) = −6.00, loses min(B) = −5.00
    #   i5 SELL "21" (other strategy): wins min(B) = −5.00, loses min(A, none) = −6.00
    #   i6 BUY "21" by i2's strategy replaces i2: scenarios [5.00, −5.00, −5.00] → wins −5.00, loses −5.00
    # i3–i5 are SELLs that never fill (bids 0.49 / none / 0.05) and never count in a scenario.
    group = {"neg_risk": True, "neg_risk_market_id": "g1"}
    instruments = [mk.instrument(mk.COND_A).model_copy(update=group),
                   mk.instrument(mk.COND_B).model_copy(update=group)]
    intents = [
        mk.intent("i1", 0), mk.intent("i2", 50, token="21", price="0.10"),
        mk.intent("i3", 150, price="0.60", side="SELL", strategy=OTHER_STRAT),
        mk.intent("i4", 151, token="22", price="0.95", side="SELL", strategy=OTHER_STRAT),
        mk.intent("i5", 152, token="21", price="0.90", side="SELL", strategy=OTHER_STRAT),
        mk.intent("i6", 153, token="21", price="0.11"),
    ]  # fmt: skip
    last = _group_gate(mk, intents, instruments)
    assert _wins_loses(last["i3"]) == (D("4.00"), D("-6.00"))
    assert _wins_loses(last["i4"]) == (D("-6.00"), D("-5.00"))
    assert _wins_loses(last["i5"]) == (D("-5.00"), D("-6.00"))
    assert _wins_loses(last["i6"]) == (D("-5.00"), D("-5.00"))
    # market exposure is per market, not per group: i5 in B sees the resting "21" BUY (1.00) only.
    assert last["i5"]["market_exposure_usdc"] == D("1.00")


# --- the real pipeline ------------------------------------------------------------------------


def _registry(mk, *instruments) -> pl.DataFrame:
    """Token states of ``instruments`` (metadata as of T0 − 1, no stream events)."""
    return token_states(to_frame("InstrumentRecord", list(instruments)), empty_frame("TickSizeChange"),
                        empty_frame("MarketResolution"), "ab" * 32).states


def _real_inputs(mk) -> MarketInputs:
    """Only market A listed; market-channel data receipts at 0, 100, 200, 300; liveness 5 s."""
    receipts = pl.DataFrame({"channel": ["market"] * 4, "receive_ts_ms": [mk.T0 + dt for dt in (0, 100, 200, 300)]},
                            schema=RECEIPT_SCHEMA)
    return _inputs(mk, instruments=[mk.instrument()], token_states=_registry(mk, mk.instrument()),
                   feed_receipts=receipts, budgets=FreshnessBudgets(feed_liveness_ms=5_000))


def test_run_gate_when_real_bots_then_each_bot_decides_its_case(mk) -> None:
    # Market cap 10 USDC (taper from 7). Times: i1 0, i2 200, i4 300, i5 350, i3 6000.
    # i1 BUY "11" 30 @ 0.50: e = 0 <= 7 but n = 15 > 10 → headroom 10 / 0.50 = 20.00 → REDUCE 20.00;
    #    it rests with 20 shares and fills at 100 (ask 0.50): cost 0.50·20 = 10.00.
    # i2 BUY "21": market B has no instrument here → compliance REJECT; later bots skip it.
    # i4 BUY "12" 5 @ 0.30: e = 10.00 (position cost) >= 10 → exposure REJECT (drawdown: peak 2.00 at
    #    200 (20·0.60 − 10), equity 20·0.40 − 10 = −2.00 → 4.00 < 50).
    # i5 BUY "12" at 350 @ 0.305: off the token's 0.01 grid → market_halt REJECT.
    # i3 BUY "11" at 6000: last data frame at 300 → silent 5700 ms > the 5000 ms liveness budget
    #    → dead feed → stale REJECT (the book at 300 alone, on a live feed, would pass).
    order = ("risk.killswitch", "risk.compliance_gate", "risk.market_halt", "risk.stale_book", "risk.drawdown",
             "risk.exposure_caps")
    profile = Profile(configs={"risk.exposure_caps": ExposureConfig(max_market_exposure_usdc=D(10))},
                      risk_order=order)
    intents = [
        mk.intent("i1", 0, size="30"), mk.intent("i2", 200, token="21", price="0.10"),
        mk.intent("i3", 6_000, price="0.40"), mk.intent("i4", 300, token="12", price="0.30", size="5"),
        mk.intent("i5", 350, token="12", price="0.305"),
    ]  # fmt: skip
    result = _gate(mk, intents, profile.risk_steps(), inputs=_real_inputs(mk))
    assert _final(result) == [
        ("i1", "REDUCE", D("20.00"), "risk.exposure_caps", ["RISK_EXPOSURE"]),
        ("i2", "REJECT", D(0), "risk.compliance_gate", ["RISK_COMPLIANCE"]),
        ("i4", "REJECT", D(0), "risk.exposure_caps", ["RISK_EXPOSURE"]),
        ("i5", "REJECT", D(0), "risk.market_halt", ["RISK_MARKET_HALTED"]),
        ("i3", "REJECT", D(0), "risk.stale_book", ["RISK_STALE_BOOK"]),
    ]  # fmt: skip
    assert {slug: v["intent_id"].to_list() for slug, v in result.votes.items()} == {
        "risk.killswitch": ["i1", "i2", "i4", "i5", "i3"],
        "risk.compliance_gate": ["i1", "i2", "i4", "i5", "i3"],
        "risk.market_halt": ["i1", "i4", "i5", "i3"],
        "risk.stale_book": ["i1", "i4", "i3"],
        "risk.drawdown": ["i1", "i4"],
        "risk.exposure_caps": ["i1", "i4"],
    }
    assert result.approved.select("intent_id", "size").rows() == [("i1", D("20.00"))]
    _valid(result)


def test_run_gate_when_feed_and_token_state_then_bots_see_them_as_columns(mk) -> None:
    # The same inputs: "11" has a token state from T0 − 1 (tick 0.01, ACTIVE); the last market-channel
    # data frame at or before 250 is the one at 200; budget 5000; "21" is unlisted: no token state.
    seen: list = []

    def look(frame, ctx, config):
        seen.append(frame.select("intent_id", "tick_size", "token_status", "feed_last_data_ms",
                                 "feed_liveness_budget_ms", "instrument_known", "min_order_size"))
        return _ok(frame)

    _gate(mk, [mk.intent("i1", 250, price="0.40"), mk.intent("i2", 250, token="21", price="0.10")],
          [RiskStep("risk.look", look, CFG, ("RISK_EXPOSURE",))], inputs=_real_inputs(mk))
    assert seen[0].rows() == [
        ("i1", D("0.01"), "ACTIVE", mk.T0 + 200, 5_000, True, D(5)),
        ("i2", None, None, mk.T0 + 200, 5_000, False, None),
    ]


def _book(mk, dt: int, token: str, bid: str, ask: str) -> OrderBookSnapshot:
    return OrderBookSnapshot(condition_id=mk.COND_A, token_id=token, ts_ms=mk.T0 + dt, tick_size=D("0.01"),
                             bids=(BookLevel(price=D(bid), size=D(100)),), asks=(BookLevel(price=D(ask), size=D(100)),),
                             freshness=mk.freshness(mk.T0 + dt))


def test_run_gate_when_same_input_twice_then_same_votes(mk) -> None:
    # The full declared order (19 bots) on a day every bot passes: market A ends in 30 days, full
    # books of 100 shares at each top of A, the API bot not requiring FeedHealth.
    listed = mk.instrument().model_copy(update={"end_ts_ms": mk.T0 + 30 * 86_400_000})
    books = to_frame("OrderBookSnapshot", [_book(mk, *row) for row in ROWS if row[1] != "21"])
    inputs = dataclasses.replace(_real_inputs(mk), instruments=to_frame("InstrumentRecord", [listed]),
                                 token_states=_registry(mk, listed), book_state=books)
    profile = Profile(configs={"risk.api_degradation": bot_module("risk.api_degradation").Config(
        require_feed_health=False)})
    intents = [mk.intent("i1", 0, size="30"), mk.intent("i4", 300, token="12", price="0.30", size="5")]

    def run():
        result = _gate(mk, intents, profile.risk_steps(), inputs=inputs)
        _valid(result)
        return result.votes, result.decisions, result.approved

    (v1, d1, a1), (v2, d2, a2) = run(), run()
    assert list(v1) == list(v2) == list(RISK_ORDER) and all(v1[k].equals(v2[k]) for k in v1)
    assert all(v.height == 2 for v in v1.values())
    assert d1.equals(d2) and a1.equals(a2)
    assert d1.select("intent_id", "decision", "approved_size", "decided_by").rows() == [
        ("i1", "APPROVE", D(30), None), ("i4", "APPROVE", D(5), None)]


# --- stateless bots -------------------------------------------------------------------------


def test_run_gate_when_bot_stateless_then_called_once_over_every_place_and_same_decisions(mk) -> None:
    # A bot marked stateful=False at the head of the order votes once, before the fold, on every PLACE
    # (never the CANCEL) at its own size, with the portfolio columns null; the fold sees only the rows it
    # passed. It rejects i2 by id only, so it decides exactly as the same bot run in every segment.
    intents = [mk.intent("i1", 0, price="0.40"), mk.intent("c1", 10, price="0.40", cancels="i1"),
               mk.intent("i2", 20, token="12", price="0.30"), mk.intent("i3", 250, token="21", price="0.10")]

    def steps(seen: list, stateful: bool) -> list[RiskStep]:
        def vote(frame, ctx, config):
            seen.append(("risk.once", frame))
            return votes.verdicts(frame, pl.col("intent_id") == "i2", "RISK_KILL_SWITCH")

        return [RiskStep("risk.once", vote, CFG, ("RISK_KILL_SWITCH",), stateful=stateful), _approver("risk.live")]

    once: list = []
    result = _gate(mk, intents, steps(once, stateful=False))
    assert _calls(once) == [("risk.once", ["i1", "i2", "i3"])]
    assert once[0][1].select(PORTFOLIO_COLUMNS).null_count().row(0) == (3,) * len(PORTFOLIO_COLUMNS)
    assert [(k, d) for k, d, *_ in _final(result)] == [("i1", "APPROVE"), ("c1", "APPROVE"), ("i2", "REJECT"),
                                                       ("i3", "APPROVE")]
    every: list = []
    reference = _gate(mk, intents, steps(every, stateful=True))
    assert len(every) > 1  # run in each segment
    assert result.decisions.equals(reference.decisions) and result.approved.equals(reference.approved)
    assert all(result.votes[k].equals(reference.votes[k]) for k in reference.votes)
    _valid(result)


def test_run_gate_when_stateless_bot_after_a_stateful_one_then_it_votes_in_the_fold(mk) -> None:
    # Only the leading stateless steps run ahead of the fold. risk.cut (stateful) comes first, so risk.once
    # votes in the fold, at the size risk.cut left: segment 1 holds i1 (cut 20 → 12) and i2; i1 passes, so
    # the segment ends there and i2 is voted again in segment 2 with the new portfolio.
    seen: list = []

    def vote(frame, ctx, config):
        seen.append(("risk.once", frame))
        return _ok(frame)

    steps = [_reducer("risk.cut", {"i1": "12"}), RiskStep("risk.once", vote, CFG, ("RISK_EXPOSURE",), stateful=False)]
    result = _gate(mk, [mk.intent("i1", 0, price="0.40", size="20"), mk.intent("i2", 10, token="12", price="0.30")],
                   steps)
    assert [(ids, f["size"].to_list()) for (_, ids), (_, f) in zip(_calls(seen), seen, strict=True)] == [
        (["i1", "i2"], [D(12), D(10)]), (["i2"], [D(10)])]
    assert _final(result)[0] == ("i1", "REDUCE", D(12), "risk.cut", ["RISK_EXPOSURE"])


# --- window equivalence -----------------------------------------------------------------------


TOKENS = ("11", "12", "21", "22")


def _ask(token: str, k: int) -> D:
    """Best ask of ``token`` in the synthetic day's k-th top (at 100·k ms): "11" and "21" swing by
    up to 4 ticks around 0.50 / 0.30; "12" / "22" are their complements (bid 1 − the other's ask)."""
    wave = (k * 7) % 9 - 4
    yes = {"11": D("0.50") + D("0.01") * wave, "21": D("0.30") - D("0.01") * wave}
    if token in yes:
        return yes[token]
    return D("1.02") - yes["11" if token == "12" else "21"]


def _day(mk) -> tuple[list, list, list]:
    """A synthetic day: tops (spread 2 ticks) every 100 ms over 0..4000 for all four tokens; 48
    intents, one every 80 ms from 37: BUYs at the bid (they rest, and fill when the ask swings down
    to them), SELLs of 6 at the ask by one strategy (cancel-replace keeps one resting), every 7th a
    CANCEL of the intent three before it; B resolves at 2450 ("21" wins) and later intents stay in A."""
    rows = [(100 * k, tok, str(_ask(tok, k) - D("0.02")), str(_ask(tok, k))) for k in range(41) for tok in TOKENS]
    intents: list = []
    for k in range(48):
        dt, iid = 37 + 80 * k, f"x{k:02d}"
        if k % 7 == 6:
            target = intents[-3]
            intents.append(mk.intent(iid, dt, token=target.token_id, price=str(target.price), side=target.side.value,
                                     strategy=target.strategy, cancels=target.intent_id))
            continue
        token = TOKENS[k % 4] if dt < 2_400 else TOKENS[k % 2]
        ask = _ask(token, dt // 100)
        if k % 5 == 4:
            intents.append(mk.intent(iid, dt, token=token, price=str(ask), size="6", side="SELL", strategy=mk.STRAT))
            continue
        intents.append(mk.intent(iid, dt, token=token, price=str(ask - D("0.02")), size=("10", "20", "8")[k % 3],
                                 strategy=mk.STRAT if k % 3 else OTHER_STRAT))
    return rows, intents, [mk.resolution(mk.COND_B, 2_450, winner="21")]


def _portfolio_steps(seen: list) -> list[RiskStep]:
    """Bots whose votes depend on the portfolio columns, and a stateless one last (after the
    reducer, so it is voted again on reduced rows)."""

    def sells(frame, ctx, config):  # never sell more than held; the first step sees every evaluation
        seen.append(frame.select(SEEN))
        return votes.verdicts(frame, (pl.col("side") == "SELL") & (pl.col("size") > pl.col("position_shares")),
                              "RISK_ORDER_INVALID")

    def market_cap(frame, ctx, config):  # no BUY once 6 USDC are at risk in the market
        return votes.verdicts(frame, votes.BUY & (pl.col("market_exposure_usdc") >= 6), "RISK_EXPOSURE")

    def group_loss(frame, ctx, config):  # no BUY whose losing scenario is already below −6
        return votes.verdicts(frame, votes.BUY & (pl.col("token_loses_pnl_usdc") < -6), "RISK_EVENT_GROUP")

    def drawdown(frame, ctx, config):
        return votes.verdicts(frame, votes.BUY & (pl.col("peak_equity_usdc") - pl.col("equity_usdc") >= D("0.20")),
                              "RISK_DRAWDOWN")

    def total_cap(frame, ctx, config):  # BUY notional capped at 12 − total exposure, 2 decimals
        headroom = votes.floor_to(((pl.lit(D(12), _DEC) - pl.col("total_exposure_usdc")) / pl.col("price"))
                                  .clip(lower_bound=0), 2)
        return votes.sized(frame, pl.when(votes.BUY).then(headroom).otherwise(pl.col("size")), "RISK_EXPOSURE")

    def price_cap(frame, ctx, config):  # stateless (votes once, reused): no BUY above 0.52
        return votes.verdicts(frame, votes.BUY & (pl.col("price") > D("0.52")), "RISK_PRICE_BAND")

    return [RiskStep("risk.sells", sells, CFG, ("RISK_ORDER_INVALID",)),
            RiskStep("risk.drawdown", drawdown, CFG, ("RISK_DRAWDOWN",)),
            RiskStep("risk.market_cap", market_cap, CFG, ("RISK_EXPOSURE",)),
            RiskStep("risk.group_loss", group_loss, CFG, ("RISK_EVENT_GROUP",)),
            RiskStep("risk.total_cap", total_cap, CFG, ("RISK_EXPOSURE",)),
            RiskStep("risk.price_cap", price_cap, CFG, ("RISK_PRICE_BAND",), stateful=False)]


def _one_at_a_time(mk, intents: list) -> list:
    """``intents`` with a no-op CANCEL ("<id>z", of an id never placed) right after every PLACE, at
    its time: a CANCEL ends a segment, so the fold decides each PLACE alone — the sequential
    reference. The stubs ignore the venue log, the only thing a no-op CANCEL touches."""
    out = []
    for intent in intents:
        out.append(intent)
        if intent.kind == "PLACE":
            out.append(intent.model_copy(update={"intent_id": f"{intent.intent_id}z", "kind": "CANCEL",
                                                 "cancels_intent_id": "never-placed"}))
    return out


def test_run_gate_when_window_changes_then_same_decisions_votes_and_approved(mk) -> None:
    rows, intents, resolutions = _day(mk)
    inputs = _inputs(mk, resolutions=resolutions, rows=rows)
    frame = to_frame("OrderIntent", intents)
    places = frame.filter(pl.col("kind") == "PLACE").height
    results, contexts = {}, {}
    for window, day in (("seq", _one_at_a_time(mk, intents)), (1, intents), (3, intents), (32, intents)):
        seen: list = []
        results[window] = run_gate(to_frame("OrderIntent", day), inputs, _portfolio_steps(seen),
                                   window=1 if window == "seq" else window)
        contexts[window] = pl.concat(seen).unique("intent_id", keep="last", maintain_order=True).sort("intent_id")
        _valid(results[window])
    seq = results["seq"]
    mine = ~pl.col("intent_id").str.ends_with("z")
    seq_decisions, seq_approved = seq.decisions.filter(mine), seq.approved.filter(mine)
    # the day exercises the fold: every kind of decision, fills (positions held), CANCELs, SELLs
    # that pass only against a filled position.
    assert frame.height == 48 and frame.filter(pl.col("kind") == "CANCEL").height == 6
    assert set(seq_decisions["decision"]) == {"APPROVE", "REDUCE", "REJECT"}
    assert set(seq_decisions["decided_by"].drop_nulls()) >= {
        "risk.sells", "risk.drawdown", "risk.market_cap", "risk.total_cap", "risk.price_cap"}
    assert contexts["seq"]["position_shares"].max() > 0
    sells = seq_decisions.join(frame.select("intent_id", "side", "kind"), on="intent_id").filter(
        (pl.col("side") == "SELL") & (pl.col("kind") == "PLACE"))
    assert set(sells["decision"]) == {"APPROVE", "REJECT"}
    # the reference runs one pipeline per PLACE; larger windows need fewer runs. (window=1 is not
    # one at a time: a segment with no pass doubles the next one.)
    assert seq.segments == places
    assert results[32].segments < results[3].segments < results[1].segments < places
    for window in (1, 3, 32):
        other = results[window]
        assert other.decisions.equals(seq_decisions)
        assert other.approved.equals(seq_approved)
        assert list(other.votes) == list(seq.votes)
        assert all(other.votes[slug].equals(seq.votes[slug]) for slug in seq.votes)
        # the context each intent was decided on is the same too.
        assert contexts[window].equals(contexts["seq"])


def test_run_gate_when_no_intents_then_empty_frames(mk) -> None:
    result = run_gate(empty_frame("OrderIntent"), _inputs(mk), [_approver("risk.a")])
    assert result.decisions.is_empty() and result.decisions.schema == DECISION_SCHEMA
    assert result.votes["risk.a"].is_empty() and result.approved.is_empty()
    assert result.segments == 0



def test_run_gate_when_intent_ids_repeat_then_refused(mk) -> None:
    # two PLACEs named "i1": the decisions would be keyed ambiguously, so the gate refuses the frame
    twice = to_frame("OrderIntent", [mk.intent("i1", 0), mk.intent("i1", 10)])
    with pytest.raises(NotAStrategyIntentError, match="'i1' appears more than once"):
        run_gate(twice, MarketInputs(instruments=to_frame("InstrumentRecord", [mk.instrument()]),
                                     market_snapshots=mk.snapshots(ROWS)), [])
