"""The bot manifest holds exactly the 109 catalogued bots, with the catalogue's metadata."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from polytraders.bots import manifest
from polytraders.bots.manifest import BOTS, GUARD_VERDICT, BotSpec, CapitalImpact, Mode
from polytraders.contracts import WIRE_MODELS
from polytraders.contracts.reason_codes import REASON_CODE_PATTERN

DESIGN_DOC = (Path(__file__).resolve().parents[2] / "../shared/design/bots.md").resolve()
_ROW = re.compile(r"^\| ((?:intel|disc|strat|risk|exec|sec|gov)\.[a-z0-9_]+)( \(C\))? \| (.*) \|$")

RISK_CODES = {
    "risk.stale_book": "RISK_STALE_BOOK",
    "risk.market_halt": "RISK_MARKET_HALTED",
    "risk.killswitch": "RISK_KILL_SWITCH",
    "risk.compliance_gate": "RISK_COMPLIANCE",
    "risk.drawdown": "RISK_DRAWDOWN",
    "risk.loss_breaker": "RISK_DAILY_LOSS",
    "risk.exposure_caps": "RISK_EXPOSURE",
    "risk.event_group_worstcase": "RISK_EVENT_GROUP",
    "risk.user_stream_blind": "RISK_USER_STREAM_BLIND",
    "risk.heartbeat_health": "RISK_HEARTBEAT_DOWN",
    "risk.api_degradation": "RISK_API_DEGRADED",
    "risk.resolution_proximity": "RISK_RESOLUTION_WINDOW",
    "risk.uma_dispute": "RISK_UMA_DISPUTE",
    "risk.price_band": "RISK_PRICE_BAND",
    "risk.order_validity": "RISK_ORDER_INVALID",
    "risk.rate_limit": "RISK_RATE_LIMIT",
    "risk.market_quality": "RISK_MARKET_QUALITY",
    "risk.tick_epoch": "RISK_TICK_EPOCH",
    "risk.recon_lock": "RISK_RECON_DIVERGENCE",
}


def test_manifest_when_counted_by_class_then_matches_catalogue() -> None:
    counts = Counter(spec.bot_class for spec in BOTS)
    assert counts == {"intel": 17, "disc": 6, "strat": 24, "risk": 19, "exec": 15, "sec": 9, "gov": 19}
    assert len(BOTS) == 109


def test_manifest_when_counted_by_phase_then_matches_catalogue() -> None:
    counts = {phase: len(specs) for phase, specs in manifest.by_phase().items()}
    assert counts == {2: 26, 3: 6, 4: 17, 5: 24, 6: 1, 7: 12, 8: 23}


def test_phases_of_named_groups() -> None:
    phase = {spec.slug: spec.phase for spec in BOTS}
    assert phase["risk.stale_book"] == phase["risk.market_halt"] == 2
    assert phase["gov.data_quality_monitor"] == 2
    p3 = ("audit_log", "heartbeat", "builder_attribution", "sla_reporter", "pnl_reporter", "alert_dispatcher")
    assert {slug for slug, p in phase.items() if p == 3} == {f"gov.{name}" for name in p3}
    assert [slug for slug, p in phase.items() if p == 6] == ["strat.maker_tight"]
    assert {s.phase for s in manifest.by_class()["strat"] if s.slug != "strat.maker_tight"} == {8}
    assert {s.phase for s in BOTS if s.bot_class in ("exec", "sec")} == {5}


def test_slugs_are_unique_and_class_dot_name() -> None:
    assert len(set(manifest.slugs())) == len(BOTS)
    for spec in BOTS:
        assert spec.slug == f"{spec.bot_class}.{spec.name}"


def test_risk_reason_codes_are_the_catalogue_codes() -> None:
    assert {spec.slug: spec.reason_codes for spec in manifest.by_class()["risk"]} == {
        slug: (code,) for slug, code in RISK_CODES.items()
    }


def test_every_reason_code_matches_the_pattern_and_its_class_prefix() -> None:
    for spec in BOTS:
        assert spec.reason_codes, spec.slug
        for code in spec.reason_codes:
            assert REASON_CODE_PATTERN.fullmatch(code), code
            assert code.startswith(spec.bot_class.upper() + "_"), (spec.slug, code)


@pytest.mark.parametrize(
    ("slug", "impact"),
    [
        ("risk.killswitch", CapitalImpact.CRITICAL),
        ("risk.stale_book", CapitalImpact.DIRECT),
        ("exec.order_shaper", CapitalImpact.CRITICAL),
        ("exec.smart_router", CapitalImpact.DIRECT),
        ("gov.reconciler", CapitalImpact.CRITICAL),
        ("intel.ofi", CapitalImpact.INDIRECT),
    ],
)
def test_capital_impact_of_named_rows(slug: str, impact: CapitalImpact) -> None:
    assert manifest.get(slug).capital_impact is impact


def test_modes_when_class_guards_trading_then_quarantine_too_and_never_live() -> None:
    for spec in BOTS:
        guarded = spec.bot_class in ("risk", "exec", "sec")
        assert spec.modes == ((Mode.SHADOW, Mode.QUARANTINE) if guarded else (Mode.SHADOW,)), spec.slug


def test_emits_per_class() -> None:
    emits = {cls: {s.emits for s in specs} for cls, specs in manifest.by_class().items()}
    assert emits == {
        "intel": {"Signal"},
        "disc": {"Candidate"},
        "strat": {"OrderIntent"},
        "risk": {"RiskVote"},
        "exec": {"ExecutionPlan"},
        "sec": {"SignedOrderRequest", GUARD_VERDICT},
        "gov": {"ReportEnvelope"},
    }
    assert [s.slug for s in BOTS if s.emits == "SignedOrderRequest"] == ["sec.signing_service"]
    assert {s.emits for s in BOTS} - {GUARD_VERDICT} <= set(WIRE_MODELS)


def test_stages_per_class() -> None:
    stages = {cls: {s.stages for s in specs} for cls, specs in manifest.by_class().items()}
    assert stages == {
        "intel": {("S4",), ("S4", "S5")},
        "disc": {("S1", "S2")},
        "strat": {("S5", "S6")},
        "risk": {("S7",)},
        "exec": {("S6", "S8")},
        "sec": {("S8",)},
        "gov": {("S10", "S11")},
    }
    assert manifest.get("intel.microprice").stages == ("S4", "S5")


def test_version_and_tombstones() -> None:
    # risk.stale_book 0.2.0: feed liveness apart from book age (a quiet market is no longer stale); the six
    # risk bots of P2/P3 then moved to the vectorised vote over an intent frame (P4): one minor version up.
    # exec.order_shaper 0.2.0: amount precision per order type (limit vs FAK / FOK), resize or refuse.
    assert {s.slug: s.version for s in BOTS if s.version != "0.1.0"} == {
        "risk.stale_book": "0.3.0", "risk.market_halt": "0.3.0", "risk.killswitch": "0.2.0",
        "risk.compliance_gate": "0.2.0", "risk.drawdown": "0.2.0", "risk.exposure_caps": "0.3.0",
        "exec.order_shaper": "0.2.0"}
    assert not any(s.deprecated for s in BOTS)


def test_get_when_slug_unknown_then_error_names_it() -> None:
    with pytest.raises(manifest.UnknownBotError, match="'intel.nope'"):
        manifest.get("intel.nope")


def test_by_class_when_grouped_then_pipeline_order_and_all_bots() -> None:
    groups = manifest.by_class()
    assert tuple(groups) == manifest.BOT_CLASSES
    assert sum(len(specs) for specs in groups.values()) == len(BOTS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": "intel.other"}, "slug is not"),
        ({"phase": 9}, "phase 9 not in"),
        ({"stages": ("S12",)}, "stage 'S12'"),
        ({"modes": (Mode.SHADOW, Mode.LIVE)}, "exclude live"),
        ({"emits": "Quote"}, "emits 'Quote'"),
        ({"reason_codes": ("intel_lower",)}, "reason code 'intel_lower'"),
    ],
)
def test_botspec_when_field_invalid_then_value_error_names_it(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        replace(manifest.get("intel.ofi"), **change)


def _doc_rows() -> dict[str, tuple[bool, list[str]]]:
    """slug -> (marked (C), remaining cells) for every catalogue table row."""
    rows = {}
    for line in DESIGN_DOC.read_text(encoding="utf-8").splitlines():
        if match := _ROW.match(line):
            rows[match[1]] = (match[2] is not None, match[3].split(" | "))
    return rows


@pytest.mark.skipif(not DESIGN_DOC.exists(), reason="design/bots.md not available")
def test_manifest_when_compared_with_design_doc_then_same_bots_and_metadata() -> None:
    rows = _doc_rows()
    assert set(rows) == set(manifest.slugs())
    for slug, (critical_mark, cells) in rows.items():
        spec: BotSpec = manifest.get(slug)
        if spec.bot_class == "risk":
            code, logic, impact = cells
            assert spec.reason_codes == (code,)
            assert spec.capital_impact is {"C": CapitalImpact.CRITICAL, "D": CapitalImpact.DIRECT}[impact]
        else:
            logic = " | ".join(cells)
        assert spec.summary == logic, slug
        if spec.bot_class in ("exec", "gov"):
            assert (spec.capital_impact is CapitalImpact.CRITICAL) == critical_mark, slug
