"""runtime.risk_pipeline.run_pipeline on intent frames: declared order, short-circuit, REDUCE
hand-off, quarantine, fail closed (raise / timeout / invalid vote), empty frames.

Frames come from ``polytraders_tests.bots.risk.frames.intents`` (BUY 20 @ 0.50 in market m1, a
healthy context; minimum order 5). Stub steps are ``vote(frame, ctx, config)`` functions that
record the frames they were shown.
"""

from __future__ import annotations

import time
from decimal import Decimal as D

import polars as pl
import pytest

from polytraders.bots.base import BotConfig
from polytraders.bots.risk import votes
from polytraders.bots.risk.context import VOTE_SCHEMA, RiskContext
from polytraders.runtime.risk_pipeline import DECISION_SCHEMA, VOTE_FRAME, RiskStep, chain, run_pipeline
from polytraders_tests.bots.frames import CONDITION, T0, TOKEN_ID
from polytraders_tests.bots.risk.frames import intents
from polytraders_tests.runtime.conftest import assert_valid_votes

CFG = BotConfig()
CTX = RiskContext()
_DEC = pl.Decimal(38, 6)
M1, M2 = CONDITION["m1"], CONDITION["m2"]


def _step(slug: str, fn, codes: tuple[str, ...] = ("RISK_EXPOSURE",), seen: list | None = None, **kw) -> RiskStep:
    """A step running ``fn(frame)``; records ``(slug, frame)`` in ``seen``."""

    def vote(frame: pl.DataFrame, ctx: RiskContext, config: BotConfig) -> pl.DataFrame:
        if seen is not None:
            seen.append((slug, frame))
        return fn(frame)

    return RiskStep(slug, vote, CFG, codes, **kw)


def _approve(code: str = "RISK_EXPOSURE"):
    return lambda frame: votes.verdicts(frame, pl.lit(False), code)


def _reject_ids(ids: set[str], code: str = "RISK_EXPOSURE"):
    return lambda frame: votes.verdicts(frame, pl.col("intent_id").is_in(sorted(ids)), code)


def _reduce_ids(sizes: dict[str, str], code: str = "RISK_EXPOSURE"):
    def fn(frame: pl.DataFrame) -> pl.DataFrame:
        allowed = pl.col("size")
        for iid, size in sizes.items():
            allowed = pl.when(pl.col("intent_id") == iid).then(pl.lit(D(size), _DEC)).otherwise(allowed)
        return votes.sized(frame, allowed, code)

    return fn


def _literal(*rows: tuple[str, str, str | None]):
    """A bot answering exactly ``rows`` of (decision, approved_size, reason_code)."""
    frame = pl.DataFrame([(d, D(s), c) for d, s, c in rows], schema=VOTE_SCHEMA, orient="row")
    return lambda _frame: frame


def _decisions(result) -> list[tuple]:
    return result.decisions.select("intent_id", "decision", "approved_size", "decided_by", "reason_codes",
                                   "not_evaluated").rows()


def _calls(seen: list) -> list[tuple[str, list[str]]]:
    return [(slug, frame["intent_id"].to_list()) for slug, frame in seen]


def _valid(result) -> None:
    assert_valid_votes(result.decisions, result.votes)


# --- order, short-circuit, REDUCE -------------------------------------------------------------


def test_run_pipeline_when_all_approve_then_declared_order_and_full_size() -> None:
    seen: list = []
    frame = intents({}, {"ts_ms": T0 + 5, "size": "7"})
    steps = [_step(s, _approve(), seen=seen) for s in ("risk.zeta", "risk.alpha", "risk.mid")]
    result = run_pipeline(frame, CTX, steps)
    assert _calls(seen) == [("risk.zeta", ["i-1", "i-2"]), ("risk.alpha", ["i-1", "i-2"]), ("risk.mid", ["i-1", "i-2"])]
    assert list(result.votes) == ["risk.zeta", "risk.alpha", "risk.mid"]
    assert _decisions(result) == [("i-1", "APPROVE", D(20), None, [], []), ("i-2", "APPROVE", D(7), None, [], [])]
    assert result.decisions["ts_ms"].to_list() == [T0, T0 + 5]
    assert result.votes["risk.alpha"].rows() == [
        ("i-1", "risk.alpha", T0, "APPROVE", [], D(20)), ("i-2", "risk.alpha", T0 + 5, "APPROVE", [], D(7))]
    _valid(result)


def test_run_pipeline_when_bot_rejects_then_short_circuit_with_not_evaluated() -> None:
    # i-2 rejected by risk.b: risk.c and risk.d never see it; its not_evaluated lists them in order.
    # i-3 rejected by risk.d (the last bot): nothing left unevaluated.
    seen: list = []
    frame = intents({}, {}, {})
    steps = [_step("risk.a", _approve(), seen=seen), _step("risk.b", _reject_ids({"i-2"}, "RISK_DRAWDOWN"),
                                                            ("RISK_DRAWDOWN",), seen=seen),
             _step("risk.c", _approve(), seen=seen), _step("risk.d", _reject_ids({"i-3"}), seen=seen)]
    result = run_pipeline(frame, CTX, steps)
    assert _calls(seen) == [("risk.a", ["i-1", "i-2", "i-3"]), ("risk.b", ["i-1", "i-2", "i-3"]),
                            ("risk.c", ["i-1", "i-3"]), ("risk.d", ["i-1", "i-3"])]
    assert _decisions(result) == [
        ("i-1", "APPROVE", D(20), None, [], []),
        ("i-2", "REJECT", D(0), "risk.b", ["RISK_DRAWDOWN"], ["risk.c", "risk.d"]),
        ("i-3", "REJECT", D(0), "risk.d", ["RISK_EXPOSURE"], []),
    ]
    assert {slug: v["intent_id"].to_list() for slug, v in result.votes.items()} == {
        "risk.a": ["i-1", "i-2", "i-3"], "risk.b": ["i-1", "i-2", "i-3"], "risk.c": ["i-1", "i-3"],
        "risk.d": ["i-1", "i-3"]}
    _valid(result)


def test_run_pipeline_when_reduce_then_reject_then_only_the_reject_codes() -> None:
    # risk.a reduces 20 → 12 (RISK_EXPOSURE); risk.b sees 12 and rejects (RISK_DRAWDOWN): the decision
    # carries only the REJECT's code, size 0; risk.c not evaluated.
    seen: list = []
    steps = [_step("risk.a", _reduce_ids({"i-1": "12"})),
             _step("risk.b", _reject_ids({"i-1"}, "RISK_DRAWDOWN"), ("RISK_DRAWDOWN",), seen=seen),
             _step("risk.c", _approve())]
    result = run_pipeline(intents(), CTX, steps)
    assert seen[0][1]["size"].to_list() == [D(12)]
    assert _decisions(result) == [("i-1", "REJECT", D(0), "risk.b", ["RISK_DRAWDOWN"], ["risk.c"])]
    assert result.votes["risk.a"].rows() == [("i-1", "risk.a", T0, "REDUCE", ["RISK_EXPOSURE"], D(12))]
    _valid(result)


def test_run_pipeline_when_two_reduce_then_codes_in_order_and_last_reducer_decides() -> None:
    # i-1: 20 → 15 (risk.a, EXPOSURE) → 12 (risk.b, MARKET_QUALITY); risk.c approves the 12 it sees.
    # i-2: only risk.b reduces, 20 → 9: decided_by risk.b with its code alone.
    seen: list = []
    steps = [_step("risk.a", _reduce_ids({"i-1": "15"})),
             _step("risk.b", _reduce_ids({"i-1": "12", "i-2": "9"}, "RISK_MARKET_QUALITY"), ("RISK_MARKET_QUALITY",)),
             _step("risk.c", _approve(), seen=seen)]
    result = run_pipeline(intents({}, {}), CTX, steps)
    assert seen[0][1]["size"].to_list() == [D(12), D(9)]
    assert _decisions(result) == [
        ("i-1", "REDUCE", D(12), "risk.b", ["RISK_EXPOSURE", "RISK_MARKET_QUALITY"], []),
        ("i-2", "REDUCE", D(9), "risk.b", ["RISK_MARKET_QUALITY"], []),
    ]
    assert result.votes["risk.c"]["approved_size"].to_list() == [D(12), D(9)]
    _valid(result)


def test_run_pipeline_when_reduce_then_later_approve_then_reducer_still_decides() -> None:
    # a REDUCE followed by APPROVEs: decided_by is the reducing bot, not the last bot.
    steps = [_step("risk.a", _approve()), _step("risk.b", _reduce_ids({"i-1": "5"})), _step("risk.c", _approve())]
    result = run_pipeline(intents(), CTX, steps)
    assert _decisions(result) == [("i-1", "REDUCE", D(5), "risk.b", ["RISK_EXPOSURE"], [])]


# --- quarantine -------------------------------------------------------------------------------


def test_run_pipeline_when_market_quarantined_then_its_rows_rejected_and_others_flow() -> None:
    # rows m1, m2, m1, m2; risk.q quarantines m2 and reduces i-3 (m1) to 11: the bot is shown only the
    # m1 rows, the m2 rows get [its own code, RISK_QUARANTINED]; the REDUCE lands on i-3, not on a
    # quarantined neighbour (rows are put back in frame order). Later bots see only i-1, i-3.
    seen: list = []
    m2 = {"condition_id": M2, "token_id": TOKEN_ID["y2"]}
    frame = intents({}, m2, {}, m2)
    steps = [_step("risk.q", _reduce_ids({"i-3": "11"}, "RISK_MARKET_HALTED"), ("RISK_MARKET_HALTED",), seen=seen,
                   quarantined=frozenset({M2})),
             _step("risk.after", _approve(), seen=seen)]
    result = run_pipeline(frame, CTX, steps)
    assert _calls(seen) == [("risk.q", ["i-1", "i-3"]), ("risk.after", ["i-1", "i-3"])]
    quarantined = ["RISK_MARKET_HALTED", "RISK_QUARANTINED"]
    assert result.votes["risk.q"].select("intent_id", "decision", "reason_codes", "approved_size").rows() == [
        ("i-1", "APPROVE", [], D(20)), ("i-2", "REJECT", quarantined, D(0)),
        ("i-3", "REDUCE", ["RISK_MARKET_HALTED"], D(11)), ("i-4", "REJECT", quarantined, D(0)),
    ]
    assert _decisions(result) == [
        ("i-1", "APPROVE", D(20), None, [], []),
        ("i-2", "REJECT", D(0), "risk.q", quarantined, ["risk.after"]),
        ("i-3", "REDUCE", D(11), "risk.q", ["RISK_MARKET_HALTED"], []),
        ("i-4", "REJECT", D(0), "risk.q", quarantined, ["risk.after"]),
    ]
    _valid(result)


def test_run_pipeline_when_every_row_quarantined_then_bot_shown_no_row() -> None:
    seen: list = []
    steps = [_step("risk.q", _approve(), seen=seen, quarantined=frozenset({M1})), _step("risk.after", _approve(),
                                                                                         seen=seen)]
    result = run_pipeline(intents({}, {}), CTX, steps)
    assert sum(frame.height for _, frame in seen) == 0  # called with nothing, or not at all
    assert [d for _, d, *_ in _decisions(result)] == ["REJECT", "REJECT"]
    assert result.decisions["reason_codes"].to_list() == [["RISK_EXPOSURE", "RISK_QUARANTINED"]] * 2
    _valid(result)


def test_run_pipeline_when_quarantined_and_bot_fails_then_free_rows_failed_quarantined_rows_quarantined() -> None:
    def boom(frame):
        raise RuntimeError("boom")

    m2 = {"condition_id": M2, "token_id": TOKEN_ID["y2"]}
    result = run_pipeline(intents(m2, {}), CTX, [_step("risk.q", boom, quarantined=frozenset({M2}))])
    assert result.decisions["reason_codes"].to_list() == [
        ["RISK_EXPOSURE", "RISK_QUARANTINED"], ["RISK_EXPOSURE", "RISK_BOT_FAILED"]]


# --- fail closed: the whole call --------------------------------------------------------------


def _raises(frame):
    raise ValueError("boom")


def _slow(frame):
    time.sleep(0.005)
    return votes.verdicts(frame, pl.lit(False), "RISK_EXPOSURE")


@pytest.mark.parametrize(("fn", "failure", "budget"), [
    (_raises, "RISK_BOT_FAILED", {}),
    # 0 ms + 0 µs per row: a 5 ms call overruns; its (approving) answer is discarded.
    (_slow, "RISK_BOT_TIMEOUT", {"budget_ms": 0.0, "budget_us_per_row": 0.0}),
    (lambda frame: None, "RISK_BOT_INVALID_VOTE", {}),
    (lambda frame: votes.verdicts(frame, pl.lit(False), "RISK_EXPOSURE").rename({"reason_code": "code"}),
     "RISK_BOT_INVALID_VOTE", {}),
    (lambda frame: votes.verdicts(frame, pl.lit(False), "RISK_EXPOSURE").with_columns(
        pl.col("approved_size").cast(pl.Float64)), "RISK_BOT_INVALID_VOTE", {}),
    (lambda frame: votes.verdicts(frame, pl.lit(False), "RISK_EXPOSURE").head(2), "RISK_BOT_INVALID_VOTE", {}),
    (lambda frame: votes.verdicts(frame, pl.lit(False), "RISK_EXPOSURE").to_dict(), "RISK_BOT_INVALID_VOTE", {}),
])  # fmt: skip
def test_run_pipeline_when_call_fails_then_every_row_rejected_with_own_code_and_failure(fn, failure, budget) -> None:
    seen: list = []
    frame = intents({}, {}, {})
    steps = [_step("risk.first", _approve()), _step("risk.bad", fn, ("RISK_DRAWDOWN", "RISK_EXPOSURE"), **budget),
             _step("risk.after", _approve(), seen=seen)]
    result = run_pipeline(frame, CTX, steps)
    codes = ["RISK_DRAWDOWN", failure]  # the bot's own code (its first) first
    assert result.votes["risk.bad"].select("decision", "reason_codes", "approved_size").rows() == [
        ("REJECT", codes, D(0))] * 3
    assert _decisions(result) == [(f"i-{k}", "REJECT", D(0), "risk.bad", codes, ["risk.after"]) for k in (1, 2, 3)]
    assert seen == [] and result.votes["risk.after"].is_empty()
    _valid(result)


def test_run_pipeline_when_budget_scales_with_rows_then_fast_bot_passes() -> None:
    # a 5 ms sleep against 0 ms + 10,000 µs/row · 3 rows = 30 ms: within budget.
    result = run_pipeline(intents({}, {}, {}), CTX, [_step("risk.slow", _slow, budget_ms=0.0,
                                                           budget_us_per_row=10_000.0)])
    assert result.decisions["decision"].to_list() == ["APPROVE"] * 3


# --- fail closed: single rows -----------------------------------------------------------------

# Frame: three BUYs of 20. Row 2's vote (the middle tuple) is the one under test; rows 1 and 3 stand.
_OK1 = ("APPROVE", "20", None)
_OK3 = ("REDUCE", "10", "RISK_EXPOSURE")


@pytest.mark.parametrize("bad", [
    ("APPROVE", "19", None),               # APPROVE must be at the full size
    ("APPROVE", "20", "RISK_EXPOSURE"),    # APPROVE carries no code
    ("REDUCE", "21", "RISK_EXPOSURE"),     # REDUCE up
    ("REDUCE", "20", "RISK_EXPOSURE"),     # REDUCE to the same size
    ("REDUCE", "0", "RISK_EXPOSURE"),      # REDUCE to nothing
    ("REDUCE", "5", None),                 # REDUCE without a code
    ("REJECT", "1", "RISK_EXPOSURE"),      # REJECT lets shares through
    ("REJECT", "0", None),                 # REJECT without a code
    ("REJECT", "0", "RISK_DRAWDOWN"),      # a registered code that is not this bot's
    ("MAYBE", "20", None),                 # not a decision
])  # fmt: skip
def test_run_pipeline_when_one_row_vote_invalid_then_only_that_row_rejected(bad: tuple) -> None:
    seen: list = []
    frame = intents({}, {}, {})
    steps = [_step("risk.bad", _literal(_OK1, bad, _OK3), ("RISK_EXPOSURE", "RISK_STALE_BOOK")),
             _step("risk.after", _approve(), seen=seen)]
    result = run_pipeline(frame, CTX, steps)
    invalid = ["RISK_EXPOSURE", "RISK_BOT_INVALID_VOTE"]
    assert _decisions(result) == [
        ("i-1", "APPROVE", D(20), None, [], []),
        ("i-2", "REJECT", D(0), "risk.bad", invalid, ["risk.after"]),
        ("i-3", "REDUCE", D(10), "risk.bad", ["RISK_EXPOSURE"], []),
    ]
    assert _calls(seen) == [("risk.after", ["i-1", "i-3"])]
    assert seen[0][1]["size"].to_list() == [D(20), D(10)]
    _valid(result)


def test_run_pipeline_when_bot_uses_any_of_its_codes_then_vote_stands() -> None:
    # a bot may emit any of its manifest codes, not only its first.
    steps = [_step("risk.two", _literal(("REJECT", "0", "RISK_STALE_BOOK")), ("RISK_EXPOSURE", "RISK_STALE_BOOK"))]
    result = run_pipeline(intents(), CTX, steps)
    assert _decisions(result) == [("i-1", "REJECT", D(0), "risk.two", ["RISK_STALE_BOOK"], [])]


def test_run_pipeline_when_reduced_size_then_next_bot_judged_against_it() -> None:
    # risk.a reduces 20 → 12; risk.b answers APPROVE at the original 20: invalid against the 12 it saw.
    steps = [_step("risk.a", _reduce_ids({"i-1": "12"})),
             _step("risk.b", lambda f: votes.verdicts(f, pl.lit(False), "RISK_DRAWDOWN").with_columns(
                 approved_size=pl.lit(D(20), _DEC)), ("RISK_DRAWDOWN",))]
    result = run_pipeline(intents(), CTX, steps)
    assert _decisions(result) == [("i-1", "REJECT", D(0), "risk.b", ["RISK_DRAWDOWN", "RISK_BOT_INVALID_VOTE"], [])]


# --- empty frames, timing ---------------------------------------------------------------------


def test_run_pipeline_when_empty_frame_then_empty_frames_and_bots_not_called() -> None:
    seen: list = []
    steps = [_step("risk.a", _approve(), seen=seen), _step("risk.b", _approve(), seen=seen)]
    result = run_pipeline(intents().head(0), CTX, steps)
    assert seen == []
    assert result.decisions.is_empty() and result.decisions.schema == DECISION_SCHEMA
    assert list(result.votes) == ["risk.a", "risk.b"]
    assert all(v.is_empty() and v.schema == VOTE_FRAME for v in result.votes.values())
    assert result.elapsed_ns == {"risk.a": 0, "risk.b": 0}


def test_run_pipeline_when_everything_rejected_early_then_later_bots_not_called() -> None:
    seen: list = []
    steps = [_step("risk.a", _reject_ids({"i-1", "i-2"})), _step("risk.b", _approve(), seen=seen)]
    result = run_pipeline(intents({}, {}), CTX, steps)
    assert seen == [] and result.votes["risk.b"].is_empty()
    assert result.elapsed_ns["risk.b"] == 0
    assert result.decisions["not_evaluated"].to_list() == [["risk.b"], ["risk.b"]]


def test_run_pipeline_when_steps_run_then_elapsed_ns_per_step() -> None:
    steps = [_step("risk.slow", _slow), _step("risk.fast", _approve())]
    result = run_pipeline(intents(), CTX, steps)
    assert list(result.elapsed_ns) == ["risk.slow", "risk.fast"]
    assert all(isinstance(ns, int) and ns >= 0 for ns in result.elapsed_ns.values())
    assert result.elapsed_ns["risk.slow"] >= 5_000_000  # slept 5 ms


def test_run_pipeline_when_no_steps_then_everything_approved_at_size() -> None:
    result = run_pipeline(intents({}, {"size": "6"}), CTX, [])
    assert _decisions(result) == [("i-1", "APPROVE", D(20), None, [], []), ("i-2", "APPROVE", D(6), None, [], [])]
    assert result.votes == {} and result.elapsed_ns == {}


# --- chain: a head run and a tail run decide as one run over all the steps ----------------------


def _chained(frame: pl.DataFrame, head: list[RiskStep], tail: list[RiskStep]) -> pl.DataFrame:
    first = run_pipeline(frame, CTX, head).decisions
    through = first.filter(pl.col("decision") != "REJECT")
    rest = frame.join(through.select("intent_id", pl.col("approved_size").alias("_size")), on="intent_id",
                      maintain_order="left").with_columns(size=pl.col("_size")).drop("_size")
    return chain(first, run_pipeline(rest, CTX, tail).decisions, [s.slug for s in tail])


def test_chain_when_head_and_tail_then_same_decisions_as_one_run() -> None:
    # i-1 passes both; i-2 rejected by the head (tail not evaluated); i-3 reduced by the head to 12 then by the
    # tail to 8 (both codes, the tail decides); i-4 reduced by the head to 15, approved by the tail (head decides);
    # i-5 reduced by the head then rejected by the tail (only the tail's code).
    head = [_step("risk.h1", _reject_ids({"i-2"}, "RISK_PRICE_BAND"), ("RISK_PRICE_BAND",)),
            _step("risk.h2", _reduce_ids({"i-3": "12", "i-4": "15", "i-5": "10"}, "RISK_MARKET_QUALITY"),
                  ("RISK_MARKET_QUALITY",))]
    tail = [_step("risk.t1", _reduce_ids({"i-3": "8"})), _step("risk.t2", _reject_ids({"i-5"}, "RISK_DRAWDOWN"),
                                                               ("RISK_DRAWDOWN",))]
    frame = intents({}, {}, {}, {}, {})
    got = _chained(frame, head, tail)
    assert got.equals(run_pipeline(frame, CTX, head + tail).decisions)
    assert got.rows() == [
        ("i-1", T0, "APPROVE", D(20), None, [], []),
        ("i-2", T0, "REJECT", D(0), "risk.h1", ["RISK_PRICE_BAND"], ["risk.h2", "risk.t1", "risk.t2"]),
        ("i-3", T0, "REDUCE", D(8), "risk.t1", ["RISK_MARKET_QUALITY", "RISK_EXPOSURE"], []),
        ("i-4", T0, "REDUCE", D(15), "risk.h2", ["RISK_MARKET_QUALITY"], []),
        ("i-5", T0, "REJECT", D(0), "risk.t2", ["RISK_DRAWDOWN"], []),
    ]


def test_chain_when_a_passed_intent_has_no_tail_decision_then_value_error() -> None:
    head = run_pipeline(intents({}, {}), CTX, []).decisions
    tail = head.head(1)
    with pytest.raises(ValueError, match="no decision of the later steps for 'i-2'"):
        chain(head, tail, ["risk.t1"])
