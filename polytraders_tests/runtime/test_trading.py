"""runtime.trading: S9 positions over frames, and the S7 / S8 frame adapters.

Tape (tick 0.01), offsets from T0 in ms:

=====  ==========  ==========
 dt     "11" b/a    "21" b/a
=====  ==========  ==========
   0   0.48/0.52   0.20/0.30
 100   0.49/0.51
 300   0.58/0.62
 400               0.30/0.40
=====  ==========  ==========

Mids: "11" 0.50 (0), 0.50 (100), 0.60 (300); "21" 0.25 (0), 0.35 (400). End of day = T0 + 400.
"""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl

from polytraders.contracts.frames import empty_frame, from_frame, to_frame, validate_frame
from polytraders.runtime import trading, wallet
from polytraders.runtime.feed import RECEIPT_SCHEMA
from polytraders.runtime.oms import Rails
from polytraders.runtime.profile import SHADOW, SHADOW_BUILDER_CODE, Profile
from polytraders.runtime.registry import token_states
from polytraders.runtime.risk_context import MarketInputs

ROWS = [(0, "11", "0.48", "0.52"), (100, "11", "0.49", "0.51"), (300, "11", "0.58", "0.62"),
        (0, "21", "0.20", "0.30"), (400, "21", "0.30", "0.40")]  # fmt: skip


def _fills(mk, *fills) -> object:
    return to_frame("Fill", [mk.fill(f"f{n}", *f) for n, f in enumerate(fills)])


def _resolutions(*resolutions) -> object:
    return to_frame("MarketResolution", list(resolutions)) if resolutions else empty_frame("MarketResolution")


def _rows(mk, frame) -> list[tuple]:
    validate_frame("Position", frame)
    return [(p.token_id, p.ts_ms - mk.T0, p.size, p.avg_price, p.mark_price, p.realised_pnl_usdc,
             p.unrealised_pnl_usdc, p.settled) for p in from_frame("Position", frame)]  # fmt: skip


def test_positions_when_fills_and_resolution_then_rows_per_event_and_final_marks(mk) -> None:
    # f0 BUY "11" 10 @ 0.50 at 100: mark 0.50 → unrealised 5.00 − 5.00 = 0.
    # f1 BUY "21" 4 @ 0.25 at 150: mark 0.25 (as of 0) → 1.00 − 1.00 = 0.
    # A resolves at 200, "11" wins: realised 1·10 − 5.00 = 5.00, mark = payout 1, size 0, settled.
    # End (400): "21" still open, mark 0.35 → unrealised 0.35·4 − 1.00 = 0.40.
    frame = trading.positions(
        _fills(mk, (100, "11", "BUY", "0.50", "10"), (150, "21", "BUY", "0.25", "4")),
        _resolutions(mk.resolution(mk.COND_A, 200, winner="11")),
        mk.snapshots(ROWS),
    )
    assert _rows(mk, frame) == [
        ("11", 100, D(10), D("0.5"), D("0.5"), D(0), D(0), False),
        ("21", 150, D(4), D("0.25"), D("0.25"), D(0), D(0), False),
        ("11", 200, D(0), D(0), D(1), D(5), D(0), True),
        ("21", 400, D(4), D("0.25"), D("0.35"), D(0), D("0.4"), False),
    ]


def test_positions_when_loser_settles_then_mark_zero_and_cost_lost(mk) -> None:
    # "11" 10 @ 0.50 bought; "12" wins: realised 0·10 − 5.00 = −5.00, mark 0.
    frame = trading.positions(_fills(mk, (100, "11", "BUY", "0.50", "10")),
                              _resolutions(mk.resolution(mk.COND_A, 200, winner="12")), mk.snapshots(ROWS))  # fmt: skip
    assert _rows(mk, frame)[-1] == ("11", 200, D(0), D(0), D(0), D(-5), D(0), True)


def test_positions_when_fills_unordered_then_applied_in_time_order(mk) -> None:
    # Given sell-first, but the BUY at 100 precedes the SELL at 300: (0.60 − 0.50)·4 = 0.40 realised;
    # 6 left at cost 3.00, row mark 0.60 → 3.60 − 3.00 = 0.60; final row at 400 the same (mid still 0.60).
    frame = trading.positions(_fills(mk, (300, "11", "SELL", "0.60", "4"), (100, "11", "BUY", "0.50", "10")),
                              _resolutions(), mk.snapshots(ROWS))  # fmt: skip
    assert _rows(mk, frame) == [
        ("11", 100, D(10), D("0.5"), D("0.5"), D(0), D(0), False),
        ("11", 300, D(6), D("0.5"), D("0.6"), D("0.4"), D("0.6"), False),
        ("11", 400, D(6), D("0.5"), D("0.6"), D("0.4"), D("0.6"), False),
    ]


def test_positions_when_fill_at_resolution_time_then_fill_row_before_settlement(mk) -> None:
    # BUY "11" 10 @ 0.60 at 200 and A resolves at 200 ("11" wins): fill first (mark 0.50 as of 100:
    # 5.00 − 6.00 = −1.00), then settlement 10 − 6.00 = 4.00.
    frame = trading.positions(_fills(mk, (200, "11", "BUY", "0.60", "10")),
                              _resolutions(mk.resolution(mk.COND_A, 200, winner="11")), mk.snapshots(ROWS))  # fmt: skip
    assert _rows(mk, frame) == [
        ("11", 200, D(10), D("0.6"), D("0.5"), D(0), D(-1), False),
        ("11", 200, D(0), D(0), D(1), D(4), D(0), True),
    ]
    [final] = from_frame("Position", trading.last_positions(frame))
    assert (final.settled, final.realised_pnl_usdc) == (True, D(4))


def test_positions_when_no_fills_then_typed_empty_frame(mk) -> None:
    frame = trading.positions(empty_frame("Fill"), _resolutions(), mk.snapshots(ROWS))
    assert frame.is_empty() and frame.schema == empty_frame("Position").schema


def test_positions_when_partial_sell_at_repeating_average_then_pnl_fits_frame_scale(mk) -> None:
    # Buys 10 @ 0.40 + 5 @ 0.50 = 6.50 for 15 → avg 13/30 = 0.4333…; SELL 5 @ 0.60 realises
    # (0.60 − 13/30)·5 = 5/6 = 0.8333… → 0.833333 at the frame's 1e-6 scale.
    frame = trading.positions(
        _fills(mk, (100, "11", "BUY", "0.40", "10"), (110, "11", "BUY", "0.50", "5"), (120, "11", "SELL", "0.60", "5")),
        _resolutions(), mk.snapshots(ROWS),
    )  # fmt: skip
    assert _rows(mk, frame)[2][5] == D("0.833333")


def test_last_positions_when_several_rows_then_last_per_token(mk) -> None:
    frame = trading.positions(
        _fills(mk, (100, "11", "BUY", "0.50", "10"), (150, "21", "BUY", "0.25", "4")),
        _resolutions(mk.resolution(mk.COND_A, 200, winner="11")),
        mk.snapshots(ROWS),
    )
    last = from_frame("Position", trading.last_positions(frame))
    assert {(p.token_id, p.ts_ms - mk.T0, p.settled) for p in last} == {
        ("11", 200, True), ("21", 400, False),
    }  # fmt: skip


# --- S7 / S8 frame adapters -------------------------------------------------------------------


def _states(mk) -> pl.DataFrame:
    """Token states of market A from its metadata alone (active, accepting orders, tick 0.01)."""
    return token_states(
        to_frame("InstrumentRecord", [mk.instrument()]),
        empty_frame("TickSizeChange"),
        empty_frame("MarketResolution"),
        "ab" * 32,
    ).states


def _receipts(*receive_ts_ms: int) -> pl.DataFrame:
    """Data receipts of the market channel at those times."""
    return pl.DataFrame(
        {"channel": ["market"] * len(receive_ts_ms), "receive_ts_ms": list(receive_ts_ms)}, schema=RECEIPT_SCHEMA
    )


def _inputs(mk, **changes: object) -> MarketInputs:
    """Market A's record and the tape; keyword arguments set the other MarketInputs fields."""
    return MarketInputs(
        instruments=to_frame("InstrumentRecord", [mk.instrument()]),
        market_snapshots=mk.snapshots(ROWS),
        resolutions=_resolutions(),
        **changes,
    )


def _decisions(out: trading.GateResult) -> list[tuple]:
    return out.decisions.select(
        "intent_id", "decision", "approved_size", "decided_by", "reason_codes", "not_evaluated"
    ).rows()


GATE = ("risk.killswitch", "risk.compliance_gate", "risk.market_halt", "risk.stale_book")


def test_risk_gate_when_frames_then_votes_per_bot_and_approved_frame(mk) -> None:
    # i1 BUY "11" 10 @ 0.40 at 0 passes all four (switch off; market A known; active, 0.40 = 40 ticks of
    # 0.01; book at 0 and the market channel delivered data at 0: silence 0 <= 120,000). i2 BUY "21" at
    # 10 is in market B, unknown to the registry → compliance REJECT; the two bots after it never see it.
    intents = to_frame("OrderIntent", [mk.intent("i1", 0, price="0.40"), mk.intent("i2", 10, token="21", price="0.1")])
    out = trading.risk_gate(
        intents, _inputs(mk, feed_receipts=_receipts(mk.T0), token_states=_states(mk)), Profile(risk_order=GATE)
    )
    assert {slug: frame.height for slug, frame in out.votes.items()} == {
        "risk.killswitch": 2, "risk.compliance_gate": 2, "risk.market_halt": 1, "risk.stale_book": 1,
    }  # fmt: skip
    assert out.votes["risk.compliance_gate"].filter(decision="REJECT")["intent_id"].to_list() == ["i2"]
    assert _decisions(out) == [
        ("i1", "APPROVE", D(10), None, [], []),
        ("i2", "REJECT", D(0), "risk.compliance_gate", ["RISK_COMPLIANCE"], ["risk.market_halt", "risk.stale_book"]),
    ]  # fmt: skip
    assert out.approved.select("intent_id", "size").rows() == [("i1", D(10))]
    validate_frame("OrderIntent", out.approved)
    assert set(out.elapsed_ms) == set(GATE)


def _by_code(refusals: pl.DataFrame) -> dict[str, int]:
    """OrderRefusal frame -> {reason code: refusals carrying it}."""
    return dict(refusals.explode("reason_codes")["reason_codes"].value_counts().iter_rows())


def test_oms_when_frames_then_plans_events_fills_and_refusals_by_code(mk) -> None:
    # i1 BUY "11" 10 @ 0.51 at 0 rests (ask 0.52) and fills at 100 (ask 0.51); i2 size 3 < 5 and i3 size 2
    # refused by the shaper. End = 400 (the tape's last time): the fill's MINED message (100 + 2_000) is not due.
    approved = to_frame(
        "OrderIntent",
        [
            mk.intent("i1", 0, price="0.51"),
            mk.intent("i2", 5, token="12", price="0.3", size="3"),
            mk.intent("i3", 6, token="12", price="0.3", size="2"),
        ],
    )
    args = (approved, to_frame("InstrumentRecord", [mk.instrument()]), mk.snapshots(ROWS), _resolutions())
    out = trading.oms(*args, Rails.of(SHADOW, wallet.load({})))
    frames = {"ExecutionPlan": out.plans, "SignedOrderRequest": out.signed, "OrderRefusal": out.refusals,
              "OrderEvent": out.order_events, "Fill": out.fills, "QuarantineRecord": out.anomalies}  # fmt: skip
    for name, frame in frames.items():
        validate_frame(name, frame)
    assert (out.plans.height, out.signed.height, out.order_events["status"].to_list()) == (1, 1, ["LIVE", "MATCHED"])
    assert out.fills.select("ts_ms", "trade_status").rows() == [(mk.T0 + 100, "MATCHED")]
    assert out.refusals.select("intent_id", "bot").rows() == [("i2", "exec.order_shaper"), ("i3", "exec.order_shaper")]
    assert _by_code(out.refusals) == {"EXEC_BELOW_MIN_SIZE": 2}
    assert out.signed["builder"].to_list() == [SHADOW_BUILDER_CODE]
    assert (out.anomalies.height, out.breaker) == (0, None)
    # without a builder code (the bot's default config) no intent becomes a plan: all three refused first
    bare = trading.oms(*args, Rails.of(Profile(), wallet.load({})))
    assert (bare.plans.height, bare.signed.height, bare.order_events.height, bare.fills.height) == (0, 0, 0, 0)
    assert _by_code(bare.refusals) == {"EXEC_NO_BUILDER_CODE": 3}


def test_risk_gate_when_no_feed_receipts_or_feed_dead_then_stale_book_rejects(mk) -> None:
    # i1 BUY "11" 10 at 0 with a fresh book (at 0): without feed receipts the feed state is unknown (fail
    # closed); the channel's last data frame 120,001 ms before the intent: silence 120,001 > 120,000 budget
    # → dead; 120,000 ms before: silence = budget → alive. A data frame after the intent (at 1) is not seen.
    intents = to_frame("OrderIntent", [mk.intent("i1", 0, price="0.40")])
    stale = ("i1", "REJECT", D(0), "risk.stale_book", ["RISK_STALE_BOOK"], [])
    cases = (
        (pl.DataFrame(schema=RECEIPT_SCHEMA), stale),
        (_receipts(mk.T0 - 120_001), stale),
        (_receipts(mk.T0 + 1), stale),
        (_receipts(mk.T0 - 120_000), ("i1", "APPROVE", D(10), None, [], [])),
    )
    for receipts, decision in cases:
        out = trading.risk_gate(
            intents,
            _inputs(mk, feed_receipts=receipts, token_states=_states(mk)),
            Profile(risk_order=("risk.stale_book",)),
        )
        assert _decisions(out) == [decision]
        assert out.votes["risk.stale_book"]["decision"].to_list() == [decision[1]]
        assert out.approved["intent_id"].to_list() == (["i1"] if decision[1] == "APPROVE" else [])


def test_risk_gate_when_no_token_states_or_market_resolved_then_market_halt_rejects(mk) -> None:
    # i1 BUY "11" 10 @ 0.40 at 0: without token states the market's status is unknown (fail closed); with
    # market A resolved at T0 − 1 (as of its metadata) the token is RESOLVED; with the metadata alone it is
    # ACTIVE and 0.40 is on its 0.01 grid. The feed is alive (data at 0), so only the halt decides.
    intents = to_frame("OrderIntent", [mk.intent("i1", 0, price="0.40")])
    resolved = token_states(
        to_frame("InstrumentRecord", [mk.instrument()]),
        empty_frame("TickSizeChange"),
        _resolutions(mk.resolution(mk.COND_A, -1, winner="11")),
        "ab" * 32,
    ).states
    halted = ("i1", "REJECT", D(0), "risk.market_halt", ["RISK_MARKET_HALTED"], ["risk.stale_book"])
    cases = (
        (empty_frame("TokenState"), halted),
        (resolved, halted),
        (_states(mk), ("i1", "APPROVE", D(10), None, [], [])),
    )
    for states, decision in cases:
        out = trading.risk_gate(
            intents,
            _inputs(mk, feed_receipts=_receipts(mk.T0), token_states=states),
            Profile(risk_order=("risk.market_halt", "risk.stale_book")),
        )
        assert _decisions(out) == [decision]
        assert {slug: v.height for slug, v in out.votes.items()} == {
            "risk.market_halt": 1, "risk.stale_book": 1 if decision[1] == "APPROVE" else 0,
        }  # fmt: skip
