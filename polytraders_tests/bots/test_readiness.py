"""Readiness is computed from evidence; build gates never pass vacuously."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from polytraders.bots import manifest
from polytraders.bots.readiness import (
    SHADOW_HOURS_REQUIRED,
    Evidence,
    ProductionLiveRefused,
    Readiness,
    as_tags,
    bot_facts,
    compute_readiness,
    discover_implemented,
    promote_to_production,
)

OFI = manifest.get("intel.ofi")
NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("implemented", "ran", "expected"),
    [
        (NONE, NONE, Readiness.PENDING),
        (frozenset({"intel.ofi"}), NONE, Readiness.PENDING),
        (NONE, frozenset({"intel.ofi"}), Readiness.PENDING),
        (frozenset({"intel.ofi"}), frozenset({"intel.microprice"}), Readiness.PENDING),
        (frozenset({"intel.ofi"}), frozenset({"intel.ofi"}), Readiness.DEMO_WIRED),
    ],
)
def test_compute_readiness_when_evidence_given_then_demo_wired_only_with_both(
    implemented: frozenset[str], ran: frozenset[str], expected: Readiness
) -> None:
    assert compute_readiness(OFI, Evidence(implemented, ran)) is expected


def test_compute_readiness_when_deprecated_then_deprecated_whatever_the_evidence() -> None:
    full = Evidence(frozenset({"intel.ofi"}), frozenset({"intel.ofi"}))
    assert compute_readiness(replace(OFI, deprecated=True), full) is Readiness.DEPRECATED


def test_compute_readiness_when_all_evidence_then_no_bot_beyond_demo_wired() -> None:
    every = frozenset(manifest.slugs())
    assert {compute_readiness(s, Evidence(every, every)) for s in manifest.BOTS} == {Readiness.DEMO_WIRED}


def test_readiness_values_are_the_documented_names() -> None:
    assert [r.value for r in Readiness] == [
        "pending",
        "demo-wired",
        "shadow-ready",
        "production-live",
        "deprecated",
    ]


ONE = frozenset({"intel.ofi"})
#: Every kind of evidence shadow-ready needs, for intel.ofi.
SHADOW_READY = Evidence(
    implemented_slugs=ONE, ran_on_recorded_feed=ONE, shadow_hours={"intel.ofi": 24.0},
    schema_failures={"intel.ofi": 0}, replayed_identically=ONE, passed_fixture_scenarios=ONE,
)  # fmt: skip


def test_compute_readiness_when_every_shadow_evidence_then_shadow_ready() -> None:
    assert compute_readiness(OFI, SHADOW_READY) is Readiness.SHADOW_READY


def test_compute_readiness_when_schema_failures_absent_for_the_bot_then_zero_counts() -> None:
    assert compute_readiness(OFI, replace(SHADOW_READY, schema_failures={})) is Readiness.SHADOW_READY


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"implemented_slugs": NONE}, Readiness.PENDING),  # not implemented: nothing else counts
        ({"passed_fixture_scenarios": NONE}, Readiness.DEMO_WIRED),
        ({"shadow_hours": {"intel.ofi": 23.999}}, Readiness.DEMO_WIRED),  # just under 24 h
        ({"shadow_hours": {}}, Readiness.DEMO_WIRED),
        ({"schema_failures": {"intel.ofi": 1}}, Readiness.DEMO_WIRED),
        ({"schema_failures": None}, Readiness.DEMO_WIRED),  # unknown is not zero
        ({"replayed_identically": NONE}, Readiness.DEMO_WIRED),
        ({"replayed_identically": NONE, "ran_on_recorded_feed": NONE}, Readiness.PENDING),
    ],
)
def test_compute_readiness_when_one_shadow_evidence_missing_then_below_shadow_ready(
    change: dict[str, object], expected: Readiness
) -> None:
    assert compute_readiness(OFI, replace(SHADOW_READY, **change)) is expected


def test_compute_readiness_when_deprecated_and_shadow_evidence_then_deprecated() -> None:
    assert compute_readiness(replace(OFI, deprecated=True), SHADOW_READY) is Readiness.DEPRECATED


def test_evidence_when_built_with_two_sets_then_later_evidence_is_empty_and_known() -> None:
    evidence = Evidence(ONE, ONE)
    assert (evidence.hours_of("intel.ofi"), evidence.failures_of("intel.ofi")) == (0.0, 0)
    assert (evidence.replayed_identically, evidence.passed_fixture_scenarios, evidence.as_of) == (NONE, NONE, None)
    assert replace(evidence, schema_failures=None).failures_of("intel.ofi") is None
    assert SHADOW_HOURS_REQUIRED == 24.0


@pytest.mark.parametrize("evidence", [Evidence(NONE, NONE), SHADOW_READY])
def test_promote_to_production_when_any_evidence_then_refused_by_name(evidence: Evidence) -> None:
    readiness = compute_readiness(OFI, evidence)
    message = f"intel.ofi ({readiness}): no live venue: production-live has no code path here"
    with pytest.raises(ProductionLiveRefused) as refused:
        promote_to_production(OFI, evidence)
    assert str(refused.value) == message


def test_bot_facts_when_risk_bot_demo_wired_then_every_fact_as_text() -> None:
    ran = frozenset({"risk.drawdown"})
    assert bot_facts("risk.drawdown", Evidence(ran, ran)) == {
        "bot": "risk.drawdown", "class": "risk", "phase": "P4", "capital_impact": "Direct",
        "modes": "shadow,quarantine", "readiness": "demo-wired",
    }  # fmt: skip


def test_bot_facts_when_each_class_then_modes_and_capital_impact_from_the_manifest() -> None:
    facts = {spec.slug: bot_facts(spec.slug, Evidence(NONE, NONE)) for spec in manifest.BOTS}
    quarantine = {s for s, f in facts.items() if f["modes"] == "shadow,quarantine"}
    assert quarantine == {s.slug for s in manifest.BOTS if s.bot_class in ("risk", "exec", "sec")}
    assert {f["modes"] for s, f in facts.items() if s not in quarantine} == {"shadow"}
    assert {f["capital_impact"] for f in facts.values()} == {"Critical", "Direct", "Indirect"}
    assert facts["sec.nonce_manager"]["capital_impact"] == "Critical"
    assert {f["readiness"] for f in facts.values()} == {"pending"}


def test_bot_facts_when_slug_unknown_then_unknown_bot_error() -> None:
    with pytest.raises(manifest.UnknownBotError, match="unknown bot 'intel.nope'"):
        bot_facts("intel.nope", Evidence(NONE, NONE))


def test_as_tags_when_facts_then_each_key_prefixed() -> None:
    assert as_tags({"class": "risk", "readiness": "pending"}) == {
        "polytraders/class": "risk", "polytraders/readiness": "pending",
    }  # fmt: skip


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


_SHAPED = (
    "from polytraders.bots.base import BotConfig\nSLUG = {slug!r}\nVERSION = '0.1.0'\n\n"
    "class Config(BotConfig):\n    pass\n"
)


def test_discover_implemented_when_modules_vary_then_only_bot_shaped_manifest_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "fakebots"
    _write(root / "__init__.py", "")
    _write(root / "intel" / "__init__.py", "")
    _write(root / "intel" / "ofi.py", _SHAPED.format(slug="intel.ofi"))
    _write(root / "intel" / "vol_ratio.py", _SHAPED.format(slug="intel.wrong"))
    _write(root / "intel" / "depth_profile.py", "SLUG = 'intel.depth_profile'\nVERSION = '0.1.0'\n")
    _write(root / "intel" / "activity_rate.py", "raise RuntimeError('broken')\n")
    _write(root / "intel" / "not_in_manifest.py", _SHAPED.format(slug="intel.not_in_manifest"))
    _write(root / "risk" / "__init__.py", "")
    _write(root / "risk" / "drawdown.py", _SHAPED.format(slug="risk.drawdown"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))

    assert discover_implemented("fakebots") == {"intel.ofi", "risk.drawdown"}


def test_discover_implemented_when_run_on_the_package_then_subset_of_manifest() -> None:
    assert discover_implemented() <= set(manifest.slugs())


def test_implemented_bots_when_imported_then_version_and_slug_match_the_manifest() -> None:
    import importlib

    implemented = discover_implemented()
    assert len(implemented) >= 15  # bots are added phase by phase; none is ever removed
    for slug in implemented:
        module = importlib.import_module("polytraders.bots." + slug)
        assert (module.SLUG, module.VERSION) == (slug, manifest.get(slug).version), slug
