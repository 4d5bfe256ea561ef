"""runtime.streams + emitter + event_store: what goes on the envelope stream, with its causes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import duckdb
import polars as pl
import pytest

from polytraders.bots.exec import order_shaper
from polytraders.contracts import GuardVerdict, OrderEvent, OrderRefusal
from polytraders.contracts.frames import empty_frame, from_frame, to_frame, validate_frame
from polytraders.runtime import streams
from polytraders.runtime.emitter import Emitter
from polytraders.runtime.envelopes import RunInfo
from polytraders.runtime.event_store import EventStore, SchemaDriftError, read_envelopes
from polytraders.runtime.profile import SHADOW_BUILDER_CODE, Profile
from polytraders.runtime.trading import OmsFrames
from polytraders.runtime.wallet import load as load_wallet

RUN = RunInfo(run_id="run-1", partition="2026-09-28")
SIGNER = load_wallet({}).signer  # the public shadow test key
SHAPING = order_shaper.Config(builder_code=SHADOW_BUILDER_CODE)
PROFILE = Profile(risk_order=("risk.killswitch", "risk.stale_book"))
KS, SB, STRAT, SHAPER = "risk.killswitch", "risk.stale_book", "strat.maker_tight", "exec.order_shaper"
SIGNING = "sec.signing_service"


@pytest.fixture
def outputs(mk) -> dict[str, pl.DataFrame]:
    i1, i2 = mk.intent("i1", 0), mk.intent("i2", 10, token="12", price="0.30")
    plan = order_shaper.shape(i1, i1.size, mk.instrument(), SHAPING)
    return {
        STRAT: to_frame("OrderIntent", [i1, i2]),
        KS: to_frame("RiskVote", [mk.vote("i1", KS, 0), mk.vote("i2", KS, 10)]),
        # stale_book votes listed i2 first: each vote must still find its own intent.
        SB: to_frame("RiskVote", [mk.vote("i2", SB, 10, "REJECT", "0", ("RISK_STALE_BOOK",)), mk.vote("i1", SB, 0)]),
        SHAPER: to_frame("ExecutionPlan", [plan]),
    }


def _oms(plans: pl.DataFrame, events: pl.DataFrame | None = None, refusals: list[OrderRefusal] = ()) -> OmsFrames:
    """S8 frames of ``plans``, each signed with the shadow test key, plus ``events`` and ``refusals``."""
    signed = [SIGNER.sign(plan) for plan in from_frame("ExecutionPlan", plans)]
    return OmsFrames(plans=plans, signed=to_frame("SignedOrderRequest", signed),
                     refusals=to_frame("OrderRefusal", list(refusals)), verdicts=empty_frame("GuardVerdict"),
                     order_events=empty_frame("OrderEvent") if events is None else events,
                     fills=empty_frame("Fill"), anomalies=empty_frame("QuarantineRecord"), breaker=None, signing_s=0.0)


def _emit_all(outputs, root, run: RunInfo = RUN) -> list[dict]:
    emitter = Emitter(EventStore(root), run)
    streams.emit_bot(emitter, PROFILE, STRAT, "OrderIntent", outputs[STRAT], reason_codes=streams.INTENT_REASONS)
    streams.emit_votes(emitter, PROFILE, STRAT, {KS: outputs[KS], SB: outputs[SB]})
    streams.emit_oms(emitter, PROFILE, STRAT, _oms(outputs[SHAPER]))
    EventStore(root).export(run.partition)
    out = read_envelopes(root, run.partition)
    validate_frame("ReportEnvelope", out.drop("partition_day"))
    order = {STRAT: 0, KS: 1, SB: 2, SHAPER: 3, SIGNING: 4}
    rows = sorted(out.iter_rows(named=True), key=lambda r: (order[r["bot"]], r["sequence"]))
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def test_emit_when_stage_outputs_then_one_envelope_per_decision(outputs, tmp_path) -> None:
    rows = _emit_all(outputs, tmp_path)
    # 2 intents + 2 + 2 votes + 1 plan + 1 signed order = 8.
    assert [r["bot"] for r in rows] == [STRAT] * 2 + [KS] * 2 + [SB] * 2 + [SHAPER, SIGNING]
    assert [r["sequence"] for r in rows] == [0, 1, 0, 1, 0, 1, 0, 0]
    assert [r["payload_type"] for r in rows] == (
        ["OrderIntent"] * 2 + ["RiskVote"] * 4 + ["ExecutionPlan", "SignedOrderRequest"])
    assert {r["bot"]: r["config_version"] for r in rows} == {
        slug: PROFILE.config(slug).version_hash() for slug in (STRAT, KS, SB, SHAPER, SIGNING)
    }
    assert {r["partition_day"] for r in rows} == {date(2026, 9, 28)}


def test_emit_when_votes_and_plans_then_caused_by_their_intent_envelope(outputs, tmp_path) -> None:
    rows = _emit_all(outputs, tmp_path)
    intent_env = {r["payload"]["intent_id"]: r["envelope_id"] for r in rows if r["payload_type"] == "OrderIntent"}
    caused = [(r["bot"], r["payload"]["intent_id"], r["causation_ids"])
              for r in rows if r["bot"] not in (STRAT, SIGNING)]
    assert caused == [
        (KS, "i1", [intent_env["i1"]]), (KS, "i2", [intent_env["i2"]]),
        (SB, "i2", [intent_env["i2"]]), (SB, "i1", [intent_env["i1"]]),
        (SHAPER, "i1", [intent_env["i1"]]),
    ]  # fmt: skip
    [plan_env] = [r["envelope_id"] for r in rows if r["bot"] == SHAPER]
    assert [r["causation_ids"] for r in rows if r["bot"] == SIGNING] == [[plan_env]]
    assert [r["reason_codes"] for r in rows if r["bot"] == STRAT] == [["STRAT_QUOTE"], ["STRAT_QUOTE"]]
    assert [(r["bot"], r["reason_codes"]) for r in rows if r["payload_type"] == "RiskVote"] == [
        (KS, []), (KS, []), (SB, ["RISK_STALE_BOOK"]), (SB, []),
    ]  # fmt: skip


def test_emit_when_vote_names_unknown_intent_then_no_causation(mk, outputs, tmp_path) -> None:
    outputs[KS] = to_frame("RiskVote", [mk.vote("ghost", KS, 0)])
    [ghost] = [r for r in _emit_all(outputs, tmp_path) if r["bot"] == KS]
    assert ghost["causation_ids"] == []


def test_emit_when_partition_rerun_by_another_run_then_nothing_new_and_ids_equal(outputs, tmp_path) -> None:
    first = _emit_all(outputs, tmp_path)
    again = _emit_all(outputs, tmp_path, RunInfo(run_id="run-2", partition=RUN.partition))
    assert [r["envelope_id"] for r in again] == [r["envelope_id"] for r in first]
    assert {r["run_id"] for r in again} == {"run-1"}  # append-only: the first write stands
    assert EventStore(tmp_path).count(RUN.partition) == 8


def test_emit_when_place_and_cancel_intents_then_strat_quote_codes(mk, outputs, tmp_path) -> None:
    outputs[STRAT] = to_frame("OrderIntent", [mk.intent("i1", 0), mk.intent("c1", 20, cancels="i1")])
    rows = [r for r in _emit_all(outputs, tmp_path) if r["payload_type"] == "OrderIntent"]
    assert [r["reason_codes"] for r in rows] == [["STRAT_QUOTE"], ["STRAT_QUOTE_PULL"]]


def test_emit_when_a_row_fails_its_schema_then_only_that_row_is_rejected_and_counted(mk, tmp_path) -> None:
    votes = to_frame("RiskVote", [mk.vote("i1", KS, 0), mk.vote("i2", KS, 10), mk.vote("i3", KS, 20)])
    # i2's bot slug is broken after the fact: that row fails the pattern check of `bot`.
    broken = votes.with_columns(bot=pl.when(pl.col("intent_id") == "i2").then(pl.lit("Not A Slug")).otherwise("bot"))
    emitted = Emitter(EventStore(tmp_path), RUN).emit(KS, "0.1.0", "0" * 16, "RiskVote", broken,
                                                       reason_codes=pl.col("reason_codes"))
    assert (emitted.rejected, emitted.inserted) == (1, 2)
    assert [json.loads(p)["intent_id"] for p in emitted.envelopes["payload"]] == ["i1", "i3"]
    with duckdb.connect(str(EventStore(tmp_path).database), read_only=True) as con:
        [(code, source, detail, raw)] = con.execute(
            "select reason_code, source, detail, raw from events.rejected_payloads").fetchall()
    assert (code, source) == ("GOV_SCHEMA_FAILURE", "risk.killswitch:RiskVote")
    assert "bot" in detail and json.loads(raw)["intent_id"] == "i2"


def test_append_when_column_set_changed_then_schema_drift_error_and_nothing_written(outputs, tmp_path) -> None:
    store = EventStore(tmp_path)
    _emit_all(outputs, tmp_path)
    frame = read_envelopes(tmp_path, RUN.partition).with_columns(extra=pl.lit(1))
    with pytest.raises(SchemaDriftError, match=r"missing \[\], extra \['extra'\]"):
        store.append(frame)
    assert store.count(RUN.partition) == 8


def test_read_envelopes_when_never_exported_then_file_not_found(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no envelopes exported for 2026-09-28"):
        read_envelopes(tmp_path, "2026-09-28")


def test_read_envelopes_when_writer_holds_the_database_then_still_reads(outputs, tmp_path) -> None:
    _emit_all(outputs, tmp_path)
    with EventStore(tmp_path).connect():  # a writer's connection is open
        assert read_envelopes(tmp_path, RUN.partition).height == 8


def test_emit_when_a_rerun_resizes_a_plan_then_its_order_events_cite_the_new_signed_order_once(
        outputs, mk, tmp_path) -> None:
    # Run 1 stores plan p for i1 at 10 shares; run 2 (a new risk config) sizes the same plan id at 6,
    # so its signed order has other amounts and another hash. Run 2's order event (order id = that
    # hash) cites exactly one cause: run 2's signed order.
    streams.emit_oms(Emitter(EventStore(tmp_path), RUN), PROFILE, STRAT, _oms(outputs[SHAPER]))
    i1 = mk.intent("i1", 0, size="6")
    resized = to_frame("ExecutionPlan", [order_shaper.shape(i1, i1.size, mk.instrument(), SHAPING)])
    assert resized["plan_id"].to_list() == outputs[SHAPER]["plan_id"].to_list()
    second = Emitter(EventStore(tmp_path), RunInfo(run_id="run-2", partition=RUN.partition))
    got = _oms(resized)
    plan, signed = resized.row(0, named=True), got.signed.row(0, named=True)
    event = to_frame("OrderEvent", [OrderEvent(
        order_id=signed["order_hash"], intent_id="i1", condition_id=plan["condition_id"], token_id=plan["token_id"],
        ts_ms=plan["ts_ms"] + 5, event_type="PLACEMENT", status="LIVE", side=plan["side"], price=plan["price"],
        original_size=plan["size"], size_matched=0)])
    streams.emit_oms(second, PROFILE, STRAT, _oms(resized, event))
    EventStore(tmp_path).export(RUN.partition)
    stored = read_envelopes(tmp_path, RUN.partition)
    second_signed = stored.filter((pl.col("payload_type") == "SignedOrderRequest") & (pl.col("run_id") == "run-2"))
    events = stored.filter(pl.col("payload_type") == "OrderEvent")
    assert (events["bot"].to_list(), events["causation_ids"].to_list()) == (
        ["exec.lifecycle_manager"], [second_signed["envelope_id"].to_list()])


def test_emit_when_refusals_then_each_under_its_bot_with_codes_caused_by_its_intent(mk, outputs, tmp_path) -> None:
    refusals = [
        OrderRefusal(intent_id="i2", bot="sec.wallet_permission_guard", ts_ms=mk.T0 + 10,
                     reason_codes=("SEC_NOT_ALLOW_LISTED",), detail="wallet not allow-listed"),
        OrderRefusal(intent_id="i1", plan_id="p", bot="exec.lifecycle_manager", ts_ms=mk.T0,
                     reason_codes=("EXEC_VENUE_BALANCE_ALLOWANCE",), detail="not enough balance / allowance"),
    ]
    emitter = Emitter(EventStore(tmp_path), RUN)
    intents = streams.emit_bot(emitter, PROFILE, STRAT, "OrderIntent", outputs[STRAT]).envelopes
    streams.emit_oms(emitter, PROFILE, STRAT, _oms(outputs[SHAPER], refusals=refusals))
    EventStore(tmp_path).export(RUN.partition)
    stored = read_envelopes(tmp_path, RUN.partition).filter(pl.col("payload_type") == "OrderRefusal")
    intent_env = dict(zip(intents["payload"].str.json_path_match("$.intent_id"), intents["envelope_id"], strict=True))
    assert sorted(stored.select("bot", "reason_codes", "causation_ids").rows()) == [
        ("exec.lifecycle_manager", ["EXEC_VENUE_BALANCE_ALLOWANCE"], [intent_env["i1"]]),
        ("sec.wallet_permission_guard", ["SEC_NOT_ALLOW_LISTED"], [intent_env["i2"]]),
    ]


def test_emit_when_guard_verdicts_then_each_under_its_guard_caused_by_the_plan(outputs, tmp_path) -> None:
    plan = outputs[SHAPER].row(0, named=True)
    verdicts = to_frame("GuardVerdict", [
        GuardVerdict(plan_id=plan["plan_id"], intent_id="i1", bot=bot, ts_ms=plan["ts_ms"], passed=True)
        for bot in ("sec.wallet_permission_guard", "sec.allowance_checker")])
    emitter = Emitter(EventStore(tmp_path), RUN)
    streams.emit_oms(emitter, PROFILE, STRAT, replace(_oms(outputs[SHAPER]), verdicts=verdicts))
    EventStore(tmp_path).export(RUN.partition)
    stored = read_envelopes(tmp_path, RUN.partition)
    [plan_env] = stored.filter(pl.col("payload_type") == "ExecutionPlan")["envelope_id"].to_list()
    rows = stored.filter(pl.col("payload_type") == "GuardVerdict").sort("bot")
    assert rows.select("bot", "reason_codes", "causation_ids").rows() == [
        ("sec.allowance_checker", [], [plan_env]), ("sec.wallet_permission_guard", [], [plan_env])]
