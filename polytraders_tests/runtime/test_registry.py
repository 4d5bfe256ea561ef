"""runtime.registry: the instrument registry follows the stream (TokenState per token over time).

Market A (tokens "11" YES / "12" NO), metadata as of T0 (tick 0.01, active, accepting orders).
Times are offsets from T0 in ms.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from polytraders.contracts import InstrumentRecord, MarketResolution, TickSizeChange
from polytraders.contracts.frames import empty_frame, to_frame
from polytraders.runtime import registry, stages
from polytraders.runtime.registry import fold, token_states

T0 = 1_790_000_000_000
COND = "0x" + "a" * 64
META = "f" * 64
REPO = Path(__file__).resolve().parents[2]


def _meta(dt: int = 0, tick: str = "0.01", *, closed: bool = False, active: bool = True,
          accepting: bool = True) -> InstrumentRecord:
    return InstrumentRecord(
        condition_id=COND, question="q", slug="a", tokens=({"token_id": "11", "outcome": "Yes"},
                                                           {"token_id": "12", "outcome": "No"}),
        tick_size=D(tick), min_order_size=D(5), neg_risk=False, active=active, closed=closed,
        accepting_orders=accepting, as_of_ms=T0 + dt,
    )


def _tick(dt: int, token: str, old: str, new: str) -> TickSizeChange:
    return TickSizeChange(condition_id=COND, token_id=token, ts_ms=T0 + dt, old_tick_size=D(old),
                          new_tick_size=D(new), provenance_hash=f"{int(token):064x}")


def _resolved(dt: int) -> MarketResolution:
    return MarketResolution(condition_id=COND, ts_ms=T0 + dt, token_ids=("11", "12"), winning_token_id="11",
                            winning_outcome="Yes", provenance_hash="e" * 64)


def _rows(states) -> list[tuple]:
    return [(s.token_id, s.as_of_ms - T0, str(s.tick_size), s.status, s.source) for s in states]


def test_fold_when_each_token_gets_its_own_tick_change_then_updated_on_its_own() -> None:
    # "11" moves to 0.001 at 100; "12" only at 300. Between 100 and 300 the two tokens differ.
    states, flagged = fold([_meta()], [_tick(100, "11", "0.01", "0.001"), _tick(300, "12", "0.01", "0.001")], [],
                           META)
    assert _rows(states) == [
        ("11", 0, "0.01", "ACTIVE", "metadata"), ("11", 100, "0.001", "ACTIVE", "tick_size_change"),
        ("12", 0, "0.01", "ACTIVE", "metadata"), ("12", 300, "0.001", "ACTIVE", "tick_size_change"),
    ]
    assert flagged == []
    assert states[0].provenance_hash == META and states[1].provenance_hash == f"{11:064x}"


def test_fold_when_later_refresh_carries_the_replaced_value_then_stream_holds_and_refresh_flagged() -> None:
    # "11": 0.01 -> 0.001 at 100. A refresh at 200 still says 0.01 (what the event replaced): stale,
    # 0.001 kept, one GOV_DQ_STALE_METADATA for "11". "12" had no event: 0.01 is simply confirmed.
    states, flagged = fold([_meta(), _meta(200)], [_tick(100, "11", "0.01", "0.001")], [], META)
    assert _rows(states) == [
        ("11", 0, "0.01", "ACTIVE", "metadata"), ("11", 100, "0.001", "ACTIVE", "tick_size_change"),
        ("12", 0, "0.01", "ACTIVE", "metadata"),
    ]
    assert [(q.reason_code, q.receive_ts_ms - T0, q.source) for q in flagged] == [
        ("GOV_DQ_STALE_METADATA", 200, "registry:metadata")]
    assert "token 11" in flagged[0].detail and "0.001 kept" in flagged[0].detail
    assert InstrumentRecord.model_validate_json(flagged[0].raw) == _meta(200)


def test_fold_when_refresh_brings_a_genuinely_new_value_then_it_holds() -> None:
    # After "11" 0.01 -> 0.001 at 100, a refresh at 200 says 0.0001 (neither value the stream knew):
    # both tokens move to 0.0001 (the refresh is market-wide); nothing flagged.
    states, flagged = fold([_meta(), _meta(200, tick="0.0001")], [_tick(100, "11", "0.01", "0.001")], [], META)
    assert _rows(states) == [
        ("11", 0, "0.01", "ACTIVE", "metadata"), ("11", 100, "0.001", "ACTIVE", "tick_size_change"),
        ("11", 200, "0.0001", "ACTIVE", "metadata"),
        ("12", 0, "0.01", "ACTIVE", "metadata"), ("12", 200, "0.0001", "ACTIVE", "metadata"),
    ]
    assert flagged == []


def test_fold_when_refresh_agrees_with_the_stream_then_no_new_row() -> None:
    states, flagged = fold([_meta(), _meta(200, tick="0.001")], [_tick(100, "11", "0.01", "0.001"),
                                                                 _tick(100, "12", "0.01", "0.001")], [], META)
    assert [(t, dt) for t, dt, *_ in _rows(states)] == [("11", 0), ("11", 100), ("12", 0), ("12", 100)]
    assert flagged == []


def test_fold_when_resolved_then_terminal_and_a_refresh_saying_open_is_flagged() -> None:
    # Resolved at 500; a refresh at 600 (still "active, not closed") does not reopen it: both tokens
    # stay RESOLVED, one flag per token. A refresh saying closed (700) agrees: nothing flagged.
    states, flagged = fold([_meta(), _meta(600), _meta(700, closed=True)], [], [_resolved(500)], META)
    assert _rows(states) == [
        ("11", 0, "0.01", "ACTIVE", "metadata"), ("11", 500, "0.01", "RESOLVED", "market_resolved"),
        ("12", 0, "0.01", "ACTIVE", "metadata"), ("12", 500, "0.01", "RESOLVED", "market_resolved"),
    ]
    assert [(q.receive_ts_ms - T0, q.detail.split(":")[0]) for q in flagged] == [
        (600, "token 11 as of 1790000000600"), (600, "token 12 as of 1790000000600")]


def test_fold_when_metadata_halts_then_flags_follow_the_refresh() -> None:
    # A refresh at 300 says the venue stopped accepting orders; one at 400 that it is paused and closed.
    states, _ = fold([_meta(), _meta(300, accepting=False), _meta(400, active=False, closed=True)], [], [], META)
    got = [(s.as_of_ms - T0, s.status, s.active, s.accepting_orders) for s in states if s.token_id == "11"]
    assert got == [(0, "ACTIVE", True, True), (300, "ACTIVE", True, False), (400, "CLOSED", False, True)]


def test_fold_when_event_before_metadata_or_of_an_unknown_token_then_skipped() -> None:
    states, _ = fold([_meta(100)], [_tick(50, "11", "0.01", "0.001"), _tick(150, "99", "0.01", "0.001")], [], META)
    assert _rows(states) == [("11", 100, "0.01", "ACTIVE", "metadata"), ("12", 100, "0.01", "ACTIVE", "metadata")]


def test_fold_when_same_time_then_metadata_before_stream_events() -> None:
    states, flagged = fold([_meta(100)], [_tick(100, "11", "0.01", "0.001")], [_resolved(100)], META)
    assert [r[2:] for r in _rows(states) if r[0] == "11"] == [
        ("0.01", "ACTIVE", "metadata"), ("0.001", "ACTIVE", "tick_size_change"), ("0.001", "RESOLVED",
                                                                                  "market_resolved")]
    assert flagged == []


def test_token_states_when_no_events_then_one_row_per_token() -> None:
    got = token_states(to_frame("InstrumentRecord", [_meta()]), empty_frame("TickSizeChange"),
                       empty_frame("MarketResolution"), META)
    assert got.states.height == 2 and got.quarantine.is_empty()


def test_token_states_when_bundled_day_then_26_tick_changes_and_18_resolutions_applied() -> None:
    day = REPO / "fixtures" / "2026-09-28"
    instruments, _ = stages.registry(day)
    got = stages.ingest(day, instruments)
    assert (got.tick_changes.height, got.resolutions.height) == (26, 18)
    out = token_states(instruments, got.tick_changes, got.resolutions, registry.metadata_hash(day))
    by_source = dict(out.states.group_by("source").len().iter_rows())
    # 36 tokens from the metadata; 13 markets x 2 tokens move 0.01 -> 0.001; 18 markets x 2 tokens resolve.
    assert by_source == {"metadata": 36, "tick_size_change": 26, "market_resolved": 36}
    assert out.quarantine.is_empty()  # one metadata snapshot (00:00 UTC): nothing to contradict the stream
    last = out.states.sort("as_of_ms").group_by("token_id").last()
    assert dict(last.group_by("tick_size").len().iter_rows()) == {D("0.001"): 26, D("0.01"): 10}
    assert set(last["status"]) == {"RESOLVED"}
