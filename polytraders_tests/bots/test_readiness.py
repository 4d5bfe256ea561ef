"""Readiness is computed from evidence; build gates never pass vacuously."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from polytraders.bots import manifest
from polytraders.bots.readiness import (
    Evidence,
    Readiness,
    compute_readiness,
    discover_implemented,
    gates_green_through,
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


@pytest.mark.parametrize("phase", [1, 7, 8])
def test_gates_green_through_when_no_gate_implemented_then_pending(phase: int) -> None:
    assert gates_green_through(phase) == (False, "gate P1 not implemented yet: pending")


@pytest.mark.parametrize("phase", [0, 9])
def test_gates_green_through_when_phase_out_of_range_then_value_error(phase: int) -> None:
    with pytest.raises(ValueError, match=f"phase {phase} not in"):
        gates_green_through(phase)


def test_implemented_bots_when_imported_then_version_and_slug_match_the_manifest() -> None:
    import importlib

    implemented = discover_implemented()
    assert len(implemented) == 15
    for slug in implemented:
        module = importlib.import_module("polytraders.bots." + slug)
        assert (module.SLUG, module.VERSION) == (slug, manifest.get(slug).version), slug
