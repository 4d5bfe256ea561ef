"""P1, P2 and P4: gates decided on schemas, fixtures, bot sources and risk bots; decide and locks."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from polytraders.bots.manifest import by_class
from polytraders.bots.risk import compliance_gate, killswitch
from polytraders.bots.risk.votes import verdicts
from polytraders.bots.sec import wallet_permission_guard
from polytraders.contracts import FeedHealth, OrderIntent, TokenState
from polytraders.gates import GateResult, GateState, apply_locks, checks
from polytraders.gates.checks import NO_RUN, Finding, check_p1, check_p2, check_p4, decide, p2_required
from polytraders.gates.normalised import ValidationTally, validate_objects
from polytraders.gates.raw_access import raw_keys, raw_reads
from polytraders_tests.gates.conftest import CONDITION, FIXTURES, T0, TOKEN, Store, inputs, intent

RENDERER_MISSING = "schemas page renderer not built (polytraders.guide.build.render_schemas_page)"


# --- decide and locks ------------------------------------------------------------------------


@pytest.mark.parametrize(("finding", "state", "missing"), [
    (Finding(("seen",)), GateState.GREEN, ()),
    (Finding(("seen",), missing=("later",)), GateState.PENDING, ("later",)),
    (Finding(("seen",), ("wrong",), ("later",)), GateState.RED, ("wrong", "later")),
    (Finding(), GateState.PENDING, ("no evidence gathered",)),
])
def test_decide_when_findings_then_failures_red_missing_pending_never_vacuous(
        finding: Finding, state: GateState, missing: tuple[str, ...]) -> None:
    result = decide(4, [finding])
    assert (result.phase, result.state, result.missing) == (4, state, missing)


def test_apply_locks_when_p2_not_green_then_every_later_phase_locked_with_its_own_state() -> None:
    states = [GateState.GREEN, GateState.RED, GateState.GREEN, GateState.PENDING]
    results = apply_locks(GateResult(n, s) for n, s in reversed(list(enumerate(states, start=1))))
    assert [(r.phase, r.state, r.locked) for r in results] == [
        (1, GateState.GREEN, False), (2, GateState.RED, False), (3, GateState.GREEN, True),
        (4, GateState.PENDING, True),
    ]


def test_apply_locks_when_all_green_then_none_locked() -> None:
    assert not any(r.locked for r in apply_locks(GateResult(n, GateState.GREEN) for n in range(1, 9)))


# --- P1 ---------------------------------------------------------------------------------------


def test_validate_objects_when_payload_breaks_its_schema_then_failure_names_source_and_path() -> None:
    bad = OrderIntent.model_construct(**{**intent(1, T0).model_dump(), "price": Decimal("1.5")})
    tally = validate_objects(iter([("src:3", bad), ("src:4", intent(2, T0))]))
    assert (tally.total, tally.sources) == (2, 1)
    assert tally.failures == ("src:3: OrderIntent: price: '1.5' violates formatExclusiveMaximum 1",)


def test_validation_finding_when_failures_then_red_lines_counted() -> None:
    tally = ValidationTally(1, Counter({"OrderIntent": 2}), ("src:3: OrderIntent: bad",), Counter({"BookDelta": 1}))
    finding = checks.validation_finding(tally, "day")
    assert finding.failures == ("day: 1 of 2 objects fail their schema", "src:3: OrderIntent: bad")
    assert finding.evidence == ("day: adapter-level objects without a published schema, not validated: BookDelta 1",)


@pytest.fixture
def no_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_page_renderer", lambda: None)


def test_check_p1_when_repo_fixtures_and_no_guide_then_pending_naming_the_renderer(no_guide: None) -> None:
    result = check_p1(inputs(None, set(), lines_per_day=20))
    assert (result.state, result.missing) == (GateState.PENDING, (RENDERER_MISSING,))
    assert result.evidence[0] == "contracts verify green (schemas match the models)"
    # 2026-09-28: 18 instruments + 21 books; 2026-08-12: 12,976 instruments + 20 best_bid_ask snapshots
    assert result.evidence[-1].startswith(
        "2 fixture day(s), first 20 lines: 13,035 normalised objects from 4 sources validate against their "
        "published schemas (InstrumentRecord 12,994, MarketSnapshot 20, OrderBookSnapshot 21)"
    )


def test_check_p1_when_the_guide_renders_every_object_then_green() -> None:
    from polytraders.contracts import WIRE_MODELS

    result = check_p1(inputs(None, set(), lines_per_day=5))
    assert (result.state, result.missing) == (GateState.GREEN, ())
    assert f"schemas page renders all {len(WIRE_MODELS)} manifest objects" in result.evidence


def test_check_p1_when_renderer_omits_an_object_then_red(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_page_renderer", lambda: lambda schema_dir: "Alert")
    finding = checks.schemas_page(checks.SCHEMAS_DIR)
    assert finding.failures[0].startswith("schemas page lacks AuditRecord, BuilderAttribution")


def test_check_p1_when_contracts_drift_then_red_naming_the_problem(no_guide: None) -> None:
    result = check_p1(inputs(None, set(), schema_problems=("Fill: committed schema differs",), lines_per_day=5))
    assert result.state is GateState.RED
    assert result.missing == ("contracts verify: Fill: committed schema differs", RENDERER_MISSING)


def test_check_p1_when_no_fixtures_then_pending_naming_each_missing_source(tmp_path: Path, no_guide: None) -> None:
    result = check_p1(inputs(None, set(), fixtures_root=tmp_path))
    assert (result.state, result.missing) == (GateState.PENDING, (
        RENDERER_MISSING, f"no reference payloads under {tmp_path / 'reference'}", f"no fixture day under {tmp_path}",
    ))


def test_check_p1_when_no_schema_manifest_then_red(tmp_path: Path) -> None:
    result = check_p1(inputs(None, set(), schema_dir=tmp_path, schema_problems=("manifest: missing",)))
    assert (result.state, result.missing) == (GateState.RED, (
        "contracts verify: manifest: missing",
        "schemas page and adapter outputs not checked: no readable schema manifest",
    ))


# --- P2 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "hits"), [
    ("import polytraders.adapters.polymarket.book\n",
     ["b.py:1: imports the raw layer polytraders.adapters.polymarket.book"]),
    ("from polytraders.adapters.capture import iter_capture\n",
     ["b.py:1: imports the raw layer polytraders.adapters.capture"]),
    ("x = frame['asset_id']\n", ["b.py:1: reads raw payload field 'asset_id'"]),
    ("x = obj.get('price_changes')\n", ["b.py:1: reads raw payload field 'price_changes'"]),
    ("import polars as pl\nx = pl.col('bids')\n", []),
    ('"""Reads x["asset_id"] never."""\nfrom polytraders.contracts import Signal\n', []),
])
def test_raw_reads_when_source_then_raw_imports_and_fields_found(source: str, hits: list[str]) -> None:
    assert raw_reads(source, "b.py", raw_keys()) == hits


def _bots_dir(tmp_path: Path, intel_source: str) -> Path:
    for bot_class in ("intel", "disc"):
        (tmp_path / "bots" / bot_class).mkdir(parents=True)
    (tmp_path / "bots" / "intel" / "x.py").write_text(intel_source, encoding="utf-8")
    return tmp_path / "bots"


PACK = FIXTURES / "pack"


def _pack(tmp_path: Path, *names: str) -> Path:
    """A fixtures root whose pack holds copies of the real scenarios ``names``."""
    for name in names:
        shutil.copytree(PACK / name, tmp_path / "fixtures" / "pack" / name)
    return tmp_path / "fixtures"


def _override_inputs(store: Store) -> None:
    """One FeedHealth and one TokenState envelope on a recorded day."""
    store.add("2026-09-28", "gov.data_quality_monitor", [FeedHealth(
        channel="market", window_start_ms=T0, window_ms=60_000, data_frames=3, keepalive_frames=1,
        quarantined_frames=0, last_data_receive_ts_ms=T0 + 1_000, longest_data_gap_ms=2_000,
        liveness_budget_ms=120_000, live=True)], time_column="window_start_ms")
    store.add("2026-09-28", "gov.data_quality_monitor", [TokenState(
        condition_id=CONDITION, token_id=TOKEN, as_of_ms=T0, tick_size=Decimal("0.01"), status="ACTIVE",
        active=True, accepting_orders=True, source="metadata", provenance_hash="ab" * 32)], time_column="as_of_ms")


def test_check_p2_when_bots_sources_override_inputs_and_pack_all_good_then_green(tmp_path: Path, store: Store) -> None:
    _override_inputs(store)
    fixtures = _pack(tmp_path, "normal/clean_two_markets", "warning/thin_touch")
    result = check_p2(inputs(store.record(), set(p2_required()), bots_dir=_bots_dir(tmp_path, "import polars\n"),
                             fixtures_root=fixtures))
    assert (result.state, result.evidence) == (GateState.GREEN, (
        "1 intel/disc modules read normalised objects only", "26 of 26 phase-2 bots implemented",
        "risk.stale_book: its input FeedHealth is on the normalised stream (1 envelopes)",
        "risk.market_halt: its input TokenState is on the normalised stream (1 envelopes)",
        "risk.api_degradation: its input FeedHealth is on the normalised stream (1 envelopes)",
        "fixture pack: 2 of 2 scenarios pass"))


def test_p2_required_when_manifest_read_then_the_26_phase_2_bots() -> None:
    required = p2_required()
    assert len(required) == 26 and len(set(required)) == 26
    assert {s.split(".")[0] for s in required} == {"intel", "disc", "risk", "gov"}
    assert {s for s in required if not s.startswith(("intel.", "disc."))} == {
        "risk.stale_book", "risk.market_halt", "gov.data_quality_monitor"}


def test_check_p2_when_an_intel_bot_imports_the_raw_layer_then_red_naming_the_line(tmp_path: Path) -> None:
    bots = _bots_dir(tmp_path, "\nfrom polytraders.adapters.polymarket import parsing\n")
    result = check_p2(inputs(None, set(p2_required()), bots_dir=bots, fixtures_root=_pack(tmp_path)))
    assert result.state is GateState.RED
    assert result.missing[0] == "bots/intel/x.py:2: imports the raw layer polytraders.adapters.polymarket"


def test_check_p2_when_bots_missing_no_run_and_no_pack_then_pending_listing_each(tmp_path: Path) -> None:
    required = set(p2_required()) - {"gov.data_quality_monitor", "intel.ofi"}
    result = check_p2(inputs(None, required, bots_dir=_bots_dir(tmp_path, ""), fixtures_root=tmp_path))
    assert (result.state, result.missing) == (GateState.PENDING, (
        "intel.ofi: not implemented", "gov.data_quality_monitor: not implemented", NO_RUN,
        "the fixture pack replay needs gov.data_quality_monitor"))


def test_check_p2_when_a_scenario_gives_other_figures_then_red_naming_them(tmp_path: Path, store: Store) -> None:
    _override_inputs(store)
    fixtures = _pack(tmp_path, "warning/thin_touch")
    meta_path = fixtures / "pack" / "warning" / "thin_touch" / "SCENARIO.json"
    meta = json.loads(meta_path.read_text())
    meta["expected"]["books_admitted"] = 79  # the scenario admits all 80 books
    meta_path.write_text(json.dumps(meta))
    result = check_p2(inputs(store.record(), set(p2_required()), bots_dir=_bots_dir(tmp_path, ""),
                             fixtures_root=fixtures))
    assert (result.state, result.missing) == (
        GateState.RED, ("pack warning/thin_touch: books_admitted: expected 79, observed 80",))


def test_check_p2_when_a_scenario_is_pending_or_an_input_absent_then_pending(tmp_path: Path, store: Store) -> None:
    store.add("2026-09-28", "gov.data_quality_monitor", [TokenState(
        condition_id=CONDITION, token_id=TOKEN, as_of_ms=T0, tick_size=Decimal("0.01"), status="ACTIVE",
        active=True, accepting_orders=True, source="metadata", provenance_hash="ab" * 32)], time_column="as_of_ms")
    fixtures = _pack(tmp_path, "normal/clean_two_markets")
    meta_path = fixtures / "pack" / "normal" / "clean_two_markets" / "SCENARIO.json"
    meta = json.loads(meta_path.read_text())
    meta["detected_by"] = "pending: nothing detects it"
    meta_path.write_text(json.dumps(meta))
    result = check_p2(inputs(store.record(), set(p2_required()), bots_dir=_bots_dir(tmp_path, ""),
                             fixtures_root=fixtures))
    assert (result.state, result.missing) == (GateState.PENDING, (
        "risk.stale_book: no FeedHealth envelope on the recorded stream",
        "risk.api_degradation: no FeedHealth envelope on the recorded stream",
        "pack normal/clean_two_markets: pending: nothing detects it"))


# --- P4 ---------------------------------------------------------------------------------------

RISK = tuple(s.slug for s in by_class()["risk"])
WEEK = [f"2026-09-{d:02d}" for d in range(22, 29)]


def _approving(slug: str) -> SimpleNamespace:
    code = next(s.reason_codes[0] for s in by_class()["risk"] if s.slug == slug)
    return SimpleNamespace(Config=killswitch.Config, vote=lambda frame, ctx, cfg: verdicts(frame, pl.lit(False), code))


def _modules(leaky: str | None = None, broken: str | None = None):
    real = {"risk.killswitch": killswitch, "risk.compliance_gate": compliance_gate,
            "sec.wallet_permission_guard": wallet_permission_guard}

    def load(slug: str):
        if slug == broken:
            return SimpleNamespace(Config=killswitch.Config, vote=lambda frame, ctx, cfg: None)
        if slug == leaky or slug not in real:
            return _approving(slug)
        return real[slug]
    return load


def _week(store: Store, days: list[str] = WEEK) -> None:
    for n, day in enumerate(days):
        store.add(day, "strat.maker_tight", [intent(2 * n, T0), intent(2 * n + 1, T0 + 1, kind="CANCEL")])


def test_check_p4_when_all_risk_bots_and_the_wallet_guard_deny_seven_days_then_green(store: Store) -> None:
    _week(store)
    result = check_p4(inputs(store.record(), {*RISK, "sec.wallet_permission_guard"}, modules=_modules()))
    assert (result.state, result.missing) == (GateState.GREEN, ())
    assert result.evidence[1:] == (
        "risk.killswitch replayed engaged through the declared risk order: rejects all 7 recorded PLACE intents "
        "of 7 day(s) with RISK_KILL_SWITCH",
        "risk.compliance_gate replayed blocking every recorded market through the declared risk order: rejects all "
        "7 recorded PLACE intents of 7 day(s) with RISK_COMPLIANCE",
        "sec.wallet_permission_guard with no allow-listed token denies all 7 recorded PLACE intents of 7 day(s) "
        "with SEC_NOT_ALLOW_LISTED",
    )
    assert result.evidence[0].startswith("19 implemented risk bots return a valid RiskVote on a valid fixture intent")


def test_check_p4_when_the_wallet_guard_lets_an_intent_through_then_red(store: Store) -> None:
    _week(store)
    allowing = SimpleNamespace(
        Config=wallet_permission_guard.Config,
        guard=lambda frame, wallet, config: wallet_permission_guard.guard(
            frame, wallet, config.model_copy(update={"allowed_token_ids": None})))

    def load(slug: str):
        return allowing if slug == "sec.wallet_permission_guard" else _modules()(slug)
    result = check_p4(inputs(store.record(), {*RISK, "sec.wallet_permission_guard"}, modules=load))
    assert (result.state, result.missing) == (GateState.RED, (
        "sec.wallet_permission_guard with no allow-listed token: 7 of 7 recorded PLACE intents not denied with "
        "SEC_NOT_ALLOW_LISTED (first i0)",))


def test_check_p4_when_kill_switch_lets_an_intent_through_then_red(store: Store) -> None:
    _week(store, WEEK[-1:])
    result = check_p4(inputs(store.record(), set(RISK), modules=_modules(leaky="risk.killswitch")))
    assert result.state is GateState.RED
    assert result.missing[0] == (
        "risk.killswitch engaged: 1 of 1 recorded PLACE intents not rejected with RISK_KILL_SWITCH (first i0)")
    assert result.missing[1:] == (
        "recorded intents cover 1 fixture day(s); the gate needs the last 7",
        "sec.wallet_permission_guard: not implemented (a P5 sec bot): wallet permissions not enforced",
    )


def test_check_p4_when_a_bot_returns_no_vote_then_red_naming_it(store: Store) -> None:
    _week(store)
    result = check_p4(inputs(store.record(), set(RISK), modules=_modules(broken="risk.drawdown")))
    assert result.missing[0] == "risk.drawdown: returned NoneType, not a vote frame of 1 row(s)"


def test_check_p4_when_no_run_and_bots_missing_then_pending_naming_them() -> None:
    implemented = set(RISK) - {"risk.recon_lock"}
    result = check_p4(inputs(None, implemented, modules=_modules()))
    assert (result.state, result.missing) == (GateState.PENDING, (
        "risk.recon_lock: not implemented", f"denials over recorded intents: {NO_RUN}"))
