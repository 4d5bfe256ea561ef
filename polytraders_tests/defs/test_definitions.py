"""The Dagster definitions: asset graph snapshot, partitions, bot tags, sensor and schedule."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from polytraders.bots import manifest
from polytraders.defs import environment
from polytraders.defs.definitions import build
from polytraders.defs.partitions import fixture_days
from polytraders.defs.sensors import auto_runnable, build_sensor, daily_shadow, new_days
from polytraders.defs.stages import TABLE_STAGE

GOV_TABLES = ("gov_audit_log", "gov_heartbeat", "gov_builder_attribution", "gov_sla_reporter", "gov_pnl_reporter",
              "gov_alert_dispatcher")

INTEL_TABLES = tuple(s.slug.replace(".", "_") for s in manifest.by_class()["intel"])
DISC_TABLES = tuple(s.slug.replace(".", "_") for s in manifest.by_class()["disc"])
RISK_TABLES = tuple(s.slug.replace(".", "_") for s in manifest.by_class()["risk"])

# The asset graph as it stands: a change here is a change to the pipeline, made on purpose.
EXPECTED_DEPENDENCIES = {
    "instruments": set(),
    "registry_quarantine": set(),
    "book_snapshots": {"instruments"},
    "book_deltas": {"instruments"},
    "market_snapshots": {"instruments"},
    "trades": {"instruments"},
    "resolutions": {"instruments"},
    "ingest_quarantine": {"instruments"},
    "feed_health": {"instruments"},
    "feed_receipts": {"instruments"},
    "tick_size_changes": {"instruments"},
    "token_states": {"instruments", "tick_size_changes", "resolutions"},
    "gov_data_quality_monitor": {"book_snapshots", "instruments"},
    **{f"disc_{name}": {"instruments", "market_snapshots"} for name in (
        "universe_scanner", "reward_ranker", "new_market_sniffer", "negrisk_group_mapper", "recurring_series_rotator")},
    "disc_quality_filter": {"book_snapshots", "instruments", "market_snapshots", "trades"},
    "book_state": {"book_snapshots", "book_deltas"},
    **{f"intel_{name}": {"book_state"} for name in ("microprice", "book_imbalance", "ofi", "depth_profile")},
    "intel_complement_gap": {"book_state", "instruments"},
    "intel_shock_detector": {"book_state", "market_snapshots", "trades"},
    **{f"intel_{name}": {"market_snapshots"} for name in ("quote_stability", "vol_ratio")},
    **{f"intel_{name}": {"market_snapshots", "trades"} for name in (
        "activity_rate", "markout_toxicity", "trade_intensity_kappa")},
    **{f"intel_{name}": {"instruments", "market_snapshots"} for name in (
        "negrisk_sum", "sibling_lag", "time_to_resolution")},
    "intel_vwap_deviation": {"instruments", "market_snapshots", "trades"},
    "intel_regime_classifier": {"instruments", "market_snapshots", "resolutions", "trades"},
    "intel_trade_flow_ewma": {"trades"},
    "fair_values": {"intel_microprice"},
    "strat_maker_tight": {"fair_values", "market_snapshots", "instruments", "book_state"},
    "execution_estimates": {"fair_values", "market_snapshots", "instruments", "book_state"},
    **{name: {"strat_maker_tight", "instruments", "market_snapshots", "resolutions", "token_states", "book_state",
              "feed_receipts", "feed_health", "fair_values"}
       for name in (*RISK_TABLES, "risk_decisions", "approved_intents")},
    **{name: {"approved_intents", "instruments", "market_snapshots", "resolutions"} for name in (
        "exec_order_shaper", "sec_signing_service", "order_refusals", "guard_verdicts", "order_events", "fills")},
    "positions": {"fills", "resolutions", "market_snapshots"},
    "event_store": {"registry_quarantine", "ingest_quarantine", "token_states", "gov_data_quality_monitor",
                    *DISC_TABLES, "book_state", *INTEL_TABLES, "strat_maker_tight", "execution_estimates",
                    *RISK_TABLES, "exec_order_shaper", "sec_signing_service", "order_refusals", "guard_verdicts",
                    "order_events", "fills", "positions"},
    **{gov: {"event_store"} for gov in GOV_TABLES},
    "run_metrics": {"risk_decisions", "strat_maker_tight", "approved_intents", "exec_order_shaper",
                    "sec_signing_service", "order_refusals", "fills", "positions", "registry_quarantine",
                    "ingest_quarantine", "event_store", *GOV_TABLES},
}


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    tmp = tmp_path_factory.mktemp("defs")
    return build(environment.Settings(fixtures_root=tmp, duckdb_path=tmp / "x.duckdb"))


def test_definitions_when_loaded_then_asset_graph_matches_snapshot(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    actual = {
        key.path[-1]: {parent.path[-1] for parent in graph.get(key).parent_keys}
        for key in graph.get_all_asset_keys()
    }
    assert actual == EXPECTED_DEPENDENCIES
    assert set(actual) == {*TABLE_STAGE, "event_store"}  # every asset but S10 is a stage table


def test_definitions_when_loaded_then_every_asset_partitioned_by_fixture_day(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).partitions_def == fixture_days, key
        assert key.path[0] == environment.STAGE_SCHEMA


def test_definitions_when_loaded_then_bot_ops_carry_manifest_tags(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("shadow_job")
    tagged = {op.tags["polytraders/bot"]: op.tags for op in job.graph.iterate_op_defs() if "polytraders/bot" in op.tags}
    assert set(tagged) == {*(t.replace("_", ".", 1) for t in INTEL_TABLES + DISC_TABLES), "strat.maker_tight",
                           "exec.fee_slippage_estimator", "exec.lifecycle_manager", "gov.data_quality_monitor",
                           *(g.replace("gov_", "gov.") for g in GOV_TABLES)}
    for slug, tags in tagged.items():
        spec = manifest.get(slug)
        assert tags["polytraders/class"] == spec.bot_class
        assert tags["polytraders/phase"] == f"P{spec.phase}"
        assert tags["polytraders/capital_impact"] == str(spec.capital_impact)


def test_new_days_when_fixture_dirs_appear_then_only_unknown_days_returned(tmp_path: Path) -> None:
    for day in ("2026-09-28", "2026-08-12", "not-a-day"):
        (tmp_path / day).mkdir()
        (tmp_path / day / "capture.jsonl.gz").write_bytes(b"")
    assert new_days(str(tmp_path), {"2026-09-28"}) == ["2026-08-12"]


def test_sensor_when_new_day_then_adds_partition_and_requests_run(tmp_path: Path) -> None:
    (tmp_path / "2026-09-28").mkdir()
    (tmp_path / "2026-09-28" / "capture.jsonl.gz").write_bytes(b"")
    sensor = build_sensor(str(tmp_path))
    with dg.instance_for_test() as instance:
        result = sensor(dg.build_sensor_context(instance=instance))
        assert [r.partition_key for r in result.run_requests] == ["2026-09-28"]
        [request] = result.dynamic_partitions_requests
        assert list(request.partition_keys) == ["2026-09-28"]
        instance.add_dynamic_partitions(fixture_days.name, ["2026-09-28"])
        again = sensor(dg.build_sensor_context(instance=instance))
        assert again.run_requests == [] and again.dynamic_partitions_requests == []


def test_sensor_when_a_day_is_larger_than_the_auto_run_limit_then_partition_added_but_not_run(
    tmp_path: Path
) -> None:
    for day, lines in (("2026-09-28", 3), ("2026-08-12", 4)):
        (tmp_path / day).mkdir()
        with gzip.open(tmp_path / day / "capture.jsonl.gz", "wb") as fh:
            fh.write(b"{}\n" * lines)
    assert auto_runnable(str(tmp_path), ["2026-08-12", "2026-09-28"], 3) == (["2026-09-28"], ["2026-08-12"])
    sensor = build_sensor(str(tmp_path), max_frames=3)
    with dg.instance_for_test() as instance:
        result = sensor(dg.build_sensor_context(instance=instance))
        assert [r.partition_key for r in result.run_requests] == ["2026-09-28"]
        assert list(result.dynamic_partitions_requests[0].partition_keys) == ["2026-08-12", "2026-09-28"]


def test_schedule_when_no_partition_then_skips_else_runs_newest_day() -> None:
    with dg.instance_for_test() as instance:
        skipped = daily_shadow(dg.build_schedule_context(instance=instance))
        assert isinstance(skipped, dg.SkipReason)
        instance.add_dynamic_partitions(fixture_days.name, ["2026-08-12", "2026-09-28", "reference"])
        at = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
        request = daily_shadow(dg.build_schedule_context(instance=instance, scheduled_execution_time=at))
        assert (request.partition_key, request.run_key) == ("2026-09-28", "daily-20261129-2026-09-28")


def test_definitions_when_loaded_then_each_bot_output_asset_carries_the_bot_facts(defs: dg.Definitions) -> None:
    from polytraders.bots.readiness import as_tags, bot_facts
    from polytraders.defs import evidence

    graph = defs.resolve_asset_graph()
    bots = {"disc_universe_scanner": "disc.universe_scanner", "intel_microprice": "intel.microprice",
            "strat_maker_tight": "strat.maker_tight", "exec_order_shaper": "exec.order_shaper",
            "sec_signing_service": "sec.signing_service",
            **{g: g.replace("gov_", "gov.") for g in GOV_TABLES},
            **{r: r.replace("risk_", "risk.") for r in ("risk_killswitch", "risk_compliance_gate", "risk_stale_book",
                                                         "risk_drawdown", "risk_exposure_caps")}}
    for name, slug in bots.items():
        metadata = graph.get(dg.AssetKey([environment.STAGE_SCHEMA, name])).metadata
        facts = {k: v for k, v in metadata.items() if k.startswith("polytraders/")}
        assert facts == as_tags(bot_facts(slug, evidence.at_load())), name


def test_definitions_when_the_signing_set_up_cannot_work_then_the_code_location_does_not_load(tmp_path: Path,
                                                                                             monkeypatch) -> None:
    from polytraders.adapters.polymarket.wallets import SigningConfigError

    monkeypatch.setenv("POLYTRADERS_SIGNATURE_TYPE", "1")  # a proxy wallet with no funder
    with pytest.raises(SigningConfigError, match="needs a funder address"):
        build(environment.Settings(fixtures_root=tmp_path, duckdb_path=tmp_path / "x.duckdb"))
