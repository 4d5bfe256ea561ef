"""End to end: S1-S11 materialised through Dagster on a slice of the real day 2026-09-28.

The slice is the capture up to and including the second ``market_resolved`` frame (08:45 to
09:31 UTC): books of four markets (each is recorded from ~15 min before its start), two of
which resolve inside the slice. The same partition is run twice: every
stage table must come back with identical rows (no duplicates, same envelope ids).
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from eth_account import Account
from typer.testing import CliRunner

from polytraders.adapters.capture import read_capture
from polytraders.bots import manifest
from polytraders.bots.readiness import Readiness, compute_readiness
from polytraders.bots.sec import secret_redactor
from polytraders.cli import app
from polytraders.defs import environment
from polytraders.defs import evidence as evidence_module
from polytraders.defs.definitions import build
from polytraders.defs.partitions import fixture_days
from polytraders.defs.stages import RISK_BOTS, SCHEMA, TABLE_STAGE
from polytraders.gates import GateState, evaluate
from polytraders.runtime.event_store import read_envelopes
from polytraders.runtime.profile import DISCOVERY_BOTS, RISK_ORDER, SIGNAL_BOTS

pytestmark = pytest.mark.slow

SIGNAL_TABLES = tuple(s.replace(".", "_") for s in (*DISCOVERY_BOTS, *SIGNAL_BOTS))
#: Bots with nothing to emit on the slice: it has no trade print, no neg-risk group, no market with
#: liquidity rewards and none listed during the day.
SILENT = frozenset({
    "intel.trade_flow_ewma", "intel.trade_intensity_kappa", "intel.markout_toxicity", "intel.vwap_deviation",
    "intel.negrisk_sum", "disc.reward_ranker", "disc.new_market_sniffer", "disc.negrisk_group_mapper",
})

#: The exec / sec bots with envelopes on every run: S6's estimates, S8's plans, the four guards'
#: verdicts, signed orders and the lifecycle's venue events. The others speak only when they refuse
#: (none does on the slice) or are not wired into the shadow run yet (see README).
S8_EMITTING = frozenset({"exec.fee_slippage_estimator", "exec.order_shaper", "sec.wallet_permission_guard",
                         "sec.allowance_checker", "sec.nonce_manager", "sec.signature_selftest",
                         "sec.signing_service", "exec.lifecycle_manager"})
S8_QUIET = frozenset(s.slug for c in ("exec", "sec") for s in manifest.by_class()[c]) - S8_EMITTING

DAY = "2026-09-28"
SOURCE = environment.REPO_ROOT / "fixtures" / DAY


def _tables(db: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [n for (n,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]).fetchall()]
        return {n: con.execute(f"select * from {SCHEMA}.{n}").pl() for n in sorted(names)}


def _run(defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
    result = defs.resolve_job_def("shadow_job").execute_in_process(
        partition_key=DAY, instance=instance, raise_on_error=True,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    assert result.success


#: A throwaway signing key made for this module's runs from a fresh mnemonic (its address-derivation
#: secret), configured the way a deployment would: the environment, the wallet allow-listed.
Account.enable_unaudited_hdwallet_features()
ACCOUNT, MNEMONIC = Account.create_with_mnemonic()
KEY_ENV = {"POLYTRADERS_SIGNING_KEY": ACCOUNT.key.hex(), "POLYTRADERS_ALLOWED_WALLETS": ACCOUNT.address}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory, day_slice):
    root, n_lines, conditions = day_slice
    db = tmp_path_factory.mktemp("db") / "e2e.duckdb"
    defs = build(environment.Settings(fixtures_root=root, duckdb_path=db))
    with pytest.MonkeyPatch.context() as env, dg.instance_for_test() as instance:
        for name, value in KEY_ENV.items():
            env.setenv(name, value)
        instance.add_dynamic_partitions(fixture_days.name, [DAY])
        _run(defs, instance)
        first = {**_tables(db), "envelopes": read_envelopes(db.parent / "event_store", DAY)}
        _run(defs, instance)
        second = {**_tables(db), "envelopes": read_envelopes(db.parent / "event_store", DAY)}
        # the Dagster instance (run and event logs, compute logs) lives only inside this block
        instance_scan = {label: secret_redactor.scan_paths([instance.root_directory], {label: secret})
                         for label, secret in _secrets().items()}
    return root, n_lines, conditions, first, second, db, instance_scan


def _secrets() -> dict[str, str]:
    return {"signing key": ACCOUNT.key.hex(), "mnemonic": MNEMONIC}


def test_shadow_when_slice_materialised_then_every_stage_table_exists(two_runs) -> None:
    _, _, _, first, *_ = two_runs
    assert set(first) == {*TABLE_STAGE, "envelopes"}


def test_shadow_when_slice_materialised_then_counts_match_the_capture(two_runs) -> None:
    root, n_lines, conditions, tables, *_ = two_runs
    capture = read_capture(root / DAY / "capture.jsonl.gz")
    frames = [json.loads(f) for f in capture["frame"]]
    books = sum(len(f) if isinstance(f, list) else f.get("event_type") == "book" for f in frames)
    assert capture.height == n_lines
    assert len(conditions) == 4
    assert tables["instruments"].height == 4
    assert tables["resolutions"].height == 2
    # every book frame is either a normalised snapshot or a quarantine record
    assert tables["book_snapshots"].height + tables["ingest_quarantine"].height == books
    assert tables["market_snapshots"].height == tables["book_snapshots"].height
    assert tables["disc_universe_scanner"].height == 4
    assert tables["trades"].is_empty()  # why the trade-print bots are silent
    assert {s for s in (*SIGNAL_BOTS, *DISCOVERY_BOTS) if tables[s.replace(".", "_")].is_empty()} == SILENT
    # every PLACE intent meets the first bot of the declared order; approved <= intents
    intents = tables["strat_maker_tight"]
    places = intents.filter(pl.col("kind") == "PLACE").height
    assert tables[RISK_BOTS[0].replace(".", "_")].height == places
    assert tables["approved_intents"].height <= intents.height
    # one envelope per decision, estimate, plan, guard verdict, signed order, S8 refusal, venue event,
    # position and quarantine record; every plan passed its four guards
    assert tables["guard_verdicts"].height == 4 * tables["exec_order_shaper"].height
    assert tables["guard_verdicts"]["passed"].all()
    decisions = sum(tables[t].height for t in (
        "registry_quarantine", "ingest_quarantine", *SIGNAL_TABLES, "strat_maker_tight", "execution_estimates",
        *(s.replace(".", "_") for s in RISK_BOTS), "exec_order_shaper", "sec_signing_service", "order_refusals",
        "guard_verdicts", "order_events", "fills", "positions"))
    assert tables["envelopes"].filter(~pl.col("bot").str.starts_with("gov.") | (pl.col(
        "payload_type") == "QuarantineRecord")).height == decisions
    metrics = tables["run_metrics"]
    assert metrics.filter(pl.col("metric") == "schema_failures")["value"].to_list() == [0.0]


def test_shadow_when_gate_rejects_then_intent_never_reaches_s8(two_runs) -> None:
    _, _, _, tables, *_ = two_runs
    rejected = pl.concat([tables[s.replace(".", "_")] for s in RISK_BOTS]).filter(pl.col("decision") == "REJECT")
    planned = set(tables["exec_order_shaper"]["intent_id"])
    approved = set(tables["approved_intents"]["intent_id"])
    assert planned <= approved
    assert not planned & set(rejected["intent_id"])


def test_shadow_when_partition_rerun_then_rows_identical_and_no_duplicates(two_runs) -> None:
    _, _, _, first, second, *_ = two_runs
    for name, frame in first.items():
        again = second[name]
        if name == "envelopes":  # each run stores its own RunMetric figures (they name the run); nothing else
            added = again.join(frame, on="envelope_id", how="anti")
            assert added["payload_type"].unique().to_list() == ["RunMetric"]
            assert added.height == frame.filter(pl.col("payload_type") == "RunMetric").height
            again = again.join(added, on="envelope_id", how="anti")
        assert again.height == frame.height, name
        if name == "run_metrics":  # each run's figures name their run
            assert frame["run_id"].n_unique() == again["run_id"].n_unique() == 1
            assert frame["run_id"][0] != again["run_id"][0]
            frame, again = frame.drop("run_id"), again.drop("run_id")
        assert again.sort(again.columns).equals(frame.sort(frame.columns)), name
    envelope_ids = second["envelopes"]["envelope_id"]
    assert envelope_ids.n_unique() == envelope_ids.len()


def test_readiness_when_run_recorded_then_the_wired_bots_are_demo_wired(two_runs, monkeypatch) -> None:
    *_, db, _ = two_runs
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(db))
    monkeypatch.delenv("POLYTRADERS_EVENT_STORE", raising=False)
    evidence = evidence_module.collect()
    wired = {s.slug for s in manifest.BOTS if compute_readiness(s, evidence) is Readiness.DEMO_WIRED}
    assert wired == {
        *(s for s in (*SIGNAL_BOTS, *DISCOVERY_BOTS) if s not in SILENT), "strat.maker_tight",
        *RISK_ORDER,  # every risk bot votes on the day: each sees the intents that reach it
        *S8_EMITTING,
        "gov.audit_log", "gov.heartbeat", "gov.builder_attribution", "gov.sla_reporter", "gov.pnl_reporter",
        "gov.alert_dispatcher", "gov.data_quality_monitor",
    }


def test_p3_gate_when_run_recorded_then_pending_on_the_silent_bots_only(two_runs, monkeypatch) -> None:
    *_, db, _ = two_runs
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(db))
    monkeypatch.delenv("POLYTRADERS_EVENT_STORE", raising=False)
    [p3] = [r for r in evaluate().phases if r.phase == 3]
    assert (p3.state, p3.missing) == (GateState.PENDING, tuple(f"{s}: no envelope in the event store yet"
                                                               for s in sorted(SILENT | S8_QUIET)))
    assert len(S8_QUIET) == 16  # 24 exec + sec bots, 8 of them on the stream
    result = CliRunner().invoke(app, ["gates", "--json"])
    assert result.exit_code == 0
    states = {g["phase"]: g["state"] for g in json.loads(result.output)["phases"]}
    assert states[1] == "green"
    # P5 on the recorded slice: every signed order traces to an intent, carries the builder code and
    # passes the self-test, and the fixture probe fails closed without a builder code
    assert states[5] == "green"
    assert all(states[n] != "green" for n in (3, 4, 6, 7, 8))


def _risk_shadow(db: Path, monkeypatch, *args: str) -> dict:
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(db))
    monkeypatch.delenv("POLYTRADERS_EVENT_STORE", raising=False)
    result = CliRunner().invoke(app, ["risk", "shadow", "--days", "7", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_risk_shadow_when_replayed_as_run_then_the_runs_own_decisions(two_runs, monkeypatch) -> None:
    # The recorded intents, re-run through the same profile over the warehouse's inputs, decide exactly as
    # the run's S7 did: same counts per decision, and per bot the same votes by decision and reason code.
    *_, second, db, _ = two_runs
    got = _risk_shadow(db, monkeypatch)
    assert got["days"] == [DAY] and got["requested_days"] == 7
    places = second["risk_decisions"].join(second["strat_maker_tight"].select("intent_id", "kind"), on="intent_id")
    count = {d: int(((places["decision"] == d) & (places["kind"] == "PLACE")).sum()) for d in ("APPROVE", "REDUCE",
                                                                                               "REJECT")}
    n_place = int((places["kind"] == "PLACE").sum())
    assert got["decisions"] == [{"day": DAY, "intents": places.height, "place": n_place,
                                 "cancel": places.height - n_place, "passed": count["APPROVE"] + count["REDUCE"],
                                 "reduced": count["REDUCE"], "rejected": count["REJECT"]}]
    recorded = sorted(
        (slug, decision, "+".join(codes) if codes else None, n)
        for slug in RISK_BOTS
        for decision, codes, n in second[slug.replace(".", "_")].group_by("decision", "reason_codes").len().iter_rows())
    assert sorted((r["bot"], r["decision"], r["reason_code"], r["intents"]) for r in got["by_bot"]) == recorded


def test_risk_shadow_when_kill_switch_engaged_then_every_place_denied_and_cancels_pass(two_runs, monkeypatch) -> None:
    *_, second, db, _ = two_runs
    intents = second["strat_maker_tight"]
    places = int((intents["kind"] == "PLACE").sum())
    got = _risk_shadow(db, monkeypatch, "--engage-killswitch")
    assert got["decisions"] == [{"day": DAY, "intents": intents.height, "place": places,
                                 "cancel": intents.height - places, "passed": 0, "reduced": 0, "rejected": places}]
    assert got["changes"]["engage_killswitch"] is True
    assert got["by_bot"] == [{"bot": "risk.killswitch", "decision": "REJECT", "reason_code": "RISK_KILL_SWITCH",
                              "intents": places}]


def test_shadow_when_a_key_is_configured_then_no_artefact_holds_the_key_or_its_mnemonic(two_runs) -> None:
    # Every artefact of the two runs: the DuckDB warehouse, the event store (its DuckDB file and Parquet
    # snapshots), the reports and alerts beside them, and the Dagster instance (run storage, event logs with
    # every step's log lines and errors, compute logs). DuckDB and Parquet files are read through DuckDB,
    # column by column, as well as scanned as bytes (secret_redactor.scan_paths).
    *_, second, db, instance_scan = two_runs
    signed = second["sec_signing_service"]
    assert signed.height > 0 and set(signed["signer"]) == {ACCOUNT.address}  # the configured key signed them
    assert secret_redactor.scan_paths([db.parent], _secrets()) == []
    assert instance_scan == {"signing key": [], "mnemonic": []}
    # the scan does read those files: the signer's (public) address is found in the warehouse and the store
    found = {f.where.split("::")[0] for f in secret_redactor.scan_paths([db.parent], {"address": ACCOUNT.address})}
    assert {Path(w).name for w in found} >= {db.name, "event_store.duckdb", "envelopes.parquet"}
