"""gov.audit_log: chains follow causation ids; broken links are flagged, never guessed."""

from __future__ import annotations

import polars as pl

from polytraders.bots.gov import audit_log
from polytraders.contracts.frames import empty_frame, from_frame

TS = 1_700_000_000_000
CFG = audit_log.Config()


def test_run_when_full_chain_then_ordered_links_with_positions(stream) -> None:
    # Stream order is deliberately scrambled: fill before its order event, plan before votes.
    intent = stream.intent("intent", TS)
    stream.signal("sig", TS)  # not a chain envelope: ignored
    plan = stream.plan("plan", intent, TS + 20)
    stream.vote("v-kill", "risk.killswitch", intent, TS + 5)
    stream.vote("v-stale", "risk.stale_book", intent, TS + 5)  # same ts: stream order keeps it second
    stream.fill("fill", plan, TS + 100)
    stream.order_event("oe-live", plan, TS + 30)
    stream.order_event("oe-matched", plan, TS + 100, status="MATCHED")  # same ts as the fill: event first

    out = audit_log.run(stream.frame(), CFG)

    assert out.select("position", "step", "bot", "ts_ms", "outcome").rows() == [
        (0, "INTENT", "strat.maker_tight", TS, "PLACE"),
        (1, "VOTE", "risk.killswitch", TS + 5, "APPROVE"),
        (2, "VOTE", "risk.stale_book", TS + 5, "APPROVE"),
        (3, "PLAN", "exec.order_shaper", TS + 20, "PLANNED"),
        (4, "ORDER_EVENT", "exec.order_shaper", TS + 30, "LIVE"),
        (5, "ORDER_EVENT", "exec.order_shaper", TS + 100, "MATCHED"),
        (6, "FILL", "exec.order_shaper", TS + 100, "MATCHED"),
    ]
    assert set(out["intent_id"]) == {"i-intent"}
    assert set(out["intent_envelope_id"]) == {intent}
    assert out["cause_envelope_id"].to_list() == [None, intent, intent, intent, plan, plan, plan]
    assert out["reason_codes"].to_list() == [["STRAT_QUOTE"], [], [], [], [], [], []]


def test_run_when_vote_rejects_then_chain_ends_with_the_reject_and_its_code(stream) -> None:
    intent = stream.intent("intent", TS, kind="CANCEL")
    stream.vote("v1", "risk.killswitch", intent, TS + 1, decision="REJECT", code="RISK_KILL_SWITCH")

    out = audit_log.run(stream.frame(), CFG)

    assert out.select("position", "step", "outcome", "reason_codes").rows() == [
        (0, "INTENT", "CANCEL", ["STRAT_QUOTE_PULL"]),
        (1, "VOTE", "REJECT", ["RISK_KILL_SWITCH"]),
    ]


def test_run_when_signed_request_then_between_plan_and_order_events(stream) -> None:
    intent = stream.intent("intent", TS)
    plan = stream.plan("plan", intent, TS + 1)
    signed = stream.signed("signed", plan, TS + 2)
    stream.order_event("oe", signed, TS + 3)  # caused by the signed request: still rooted (3 hops)

    out = audit_log.run(stream.frame(), CFG)

    assert out.select("position", "step").rows() == [(0, "INTENT"), (1, "PLAN"), (2, "SIGNED"), (3, "ORDER_EVENT")]
    assert out["outcome"][2] == "SIGNED"


def test_run_when_cause_missing_then_broken_chain_rows_for_it_and_its_descendants(stream) -> None:
    intent = stream.intent("intent", TS)
    stream.vote("v", "risk.killswitch", intent, TS + 1)
    orphan_plan = stream.plan("plan", "f" * 32, TS + 2)  # no such envelope
    stream.fill("fill", orphan_plan, TS + 3)  # its cause exists, but is itself unrooted

    out = audit_log.run(stream.frame(), CFG)

    broken = out.filter(pl.col("position").is_null())
    assert broken.select("step", "intent_id", "intent_envelope_id", "reason_codes").rows() == [
        ("PLAN", None, None, ["GOV_AUDIT_BROKEN_CHAIN"]),
        ("FILL", None, None, ["GOV_AUDIT_BROKEN_CHAIN"]),
    ]
    assert out.head(2)["step"].to_list() == ["INTENT", "VOTE"]  # rooted chains first


def test_run_when_cause_is_not_a_chain_envelope_then_broken(stream) -> None:
    sig = stream.signal("sig", TS)
    stream.vote("v", "risk.killswitch", sig, TS + 1)

    out = audit_log.run(stream.frame(), CFG)

    assert out.select("step", "position", "reason_codes").rows() == [("VOTE", None, ["GOV_AUDIT_BROKEN_CHAIN"])]


def test_run_when_two_intents_then_one_chain_each_in_intent_order(stream) -> None:
    a = stream.intent("a", TS)
    b = stream.intent("b", TS + 10)
    stream.vote("vb", "risk.killswitch", b, TS + 11)
    stream.vote("va", "risk.killswitch", a, TS + 1)

    out = audit_log.run(stream.frame(), CFG)

    assert out.select("intent_id", "position", "step").rows() == [
        ("i-a", 0, "INTENT"), ("i-a", 1, "VOTE"), ("i-b", 0, "INTENT"), ("i-b", 1, "VOTE"),
    ]  # fmt: skip


def test_run_when_stream_empty_or_without_chain_envelopes_then_typed_empty(stream) -> None:
    assert audit_log.run(empty_frame("ReportEnvelope"), CFG).equals(empty_frame("AuditRecord"))
    stream.signal("sig", TS)
    assert audit_log.run(stream.frame(), CFG).equals(empty_frame("AuditRecord"))


def test_run_when_extra_partition_column_then_ignored_and_rows_are_valid_records(stream) -> None:
    intent = stream.intent("intent", TS)
    stream.vote("v", "risk.killswitch", intent, TS + 1)
    frame = stream.frame().with_columns(partition_day=pl.lit("2023-11-14").str.to_date())

    out = audit_log.run(frame, CFG)

    assert [r.step for r in from_frame("AuditRecord", out)] == ["INTENT", "VOTE"]


def test_run_when_same_input_twice_then_same_output(stream) -> None:
    intent = stream.intent("intent", TS)
    plan = stream.plan("plan", intent, TS + 1)
    stream.fill("fill", plan, TS + 2)
    frame = stream.frame()
    assert audit_log.run(frame, CFG).equals(audit_log.run(frame, CFG))
