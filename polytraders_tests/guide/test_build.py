"""guide.build: the static site rendered from hand-made GuideData (no shadow run, no browser)."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from polytraders.bots.manifest import BOTS, PHASES, get
from polytraders.contracts.schemas import SCHEMAS_DIR
from polytraders.guide.build import build_site
from polytraders.guide.data import (
    PHASE_TITLES,
    BotView,
    GuideData,
    InfraView,
    PhaseView,
    exit_gate_text,
    load_schemas,
)

DEPRECATED = "intel.vwap_deviation"
DEMO_WIRED = {"intel.microprice", "risk.drawdown", "strat.maker_tight"}
TOP_PAGES = ("index.html", "plan.html", "status.html", "schemas.html", "done.html")


def _bot(spec) -> BotView:  # noqa: ANN001
    if spec.slug == DEPRECATED:
        spec = dataclasses.replace(spec, deprecated=True)
    readiness = "deprecated" if spec.deprecated else "demo-wired" if spec.slug in DEMO_WIRED else "pending"
    facts = {"class": spec.bot_class, "phase": f"P{spec.phase}", "readiness": readiness,
             "capital_impact": str(spec.capital_impact)}
    scores = {"docs": "0.80", "impl": "0.50", "runtime": "0.00"} if spec.slug in DEMO_WIRED else {
        "docs": "0.10", "impl": "0.00", "runtime": "0.00"}
    return BotView(spec, readiness, facts, scores)


def _phase(phase: int) -> PhaseView:
    state = {1: "green", 2: "green", 3: "red"}.get(phase, "pending")
    infra = (InfraView("event store", 3, True, "parquet snapshot present"),) if phase == 3 else ()
    evidence = ("seen",) if state == "green" else ()
    missing = ("P3 silent bot: risk.drawdown",) if phase == 3 else ()
    return PhaseView(phase, PHASE_TITLES[phase], exit_gate_text(phase), state=state, locked=phase > 3,
                     evidence=evidence, missing=missing, infra=infra)


@pytest.fixture(scope="module")
def data() -> GuideData:
    manifest_version, schemas = load_schemas(SCHEMAS_DIR)
    return GuideData(
        bots=tuple(_bot(spec) for spec in BOTS),
        phases=tuple(_phase(p) for p in PHASES),
        current_phase=3,
        schemas=schemas,
        manifest_version=manifest_version,
        evidence_time="2026-09-28 23:59:59 UTC",
        schema_dir=SCHEMAS_DIR,
    )


@pytest.fixture(scope="module")
def site(data: GuideData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("guide") / "site"
    build_site(data, out)
    return out


class _Page(HTMLParser):
    """Links, element ids and ``data-*`` cells of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.cells: dict[tuple[str, str], str] = {}
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.hrefs.append(value)
            if name == "id" and value:
                self.ids.add(value)
            if name.startswith("data-") and value:
                self._open = (name, value)

    def handle_data(self, text: str) -> None:
        if self._open and text.strip():
            self.cells[self._open] = text.strip()
            self._open = None


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_build_when_data_given_then_every_page_is_written(site: Path) -> None:
    assert sorted(p.name for p in site.iterdir()) == sorted([*TOP_PAGES, "bots", "guide.css", "schemas"])
    assert sorted(p.stem for p in (site / "bots").glob("*.html")) == sorted(spec.slug for spec in BOTS)
    assert len(list((site / "bots").glob("*.html"))) == 109


def test_build_when_rendered_then_every_internal_href_resolves_to_a_built_file(site: Path) -> None:
    checked = 0
    for page_path in site.rglob("*.html"):
        page = _parse(page_path)
        for href in page.hrefs:
            assert not re.match(r"^(https?:)?//", href), f"{page_path.name}: external asset {href}"
            if href.startswith("data:"):
                continue
            target, _, fragment = href.partition("#")
            resolved = (page_path.parent / target).resolve() if target else page_path
            assert resolved.is_file(), f"{page_path.relative_to(site)}: {href} does not resolve"
            if fragment:
                assert fragment in _parse(resolved).ids, f"{page_path.relative_to(site)}: no #{fragment}"
            checked += 1
    assert checked > 109 * 6


def test_build_when_rendered_then_every_page_has_the_health_strip_with_counts(site: Path) -> None:
    for page_path in site.rglob("*.html"):
        page = _parse(page_path)
        assert "health" in page.ids, page_path
        assert page.cells[("data-readiness", "pending")] == "105"
        assert page.cells[("data-readiness", "demo-wired")] == "3"
        assert page.cells[("data-readiness", "deprecated")] == "1"
        assert page.cells[("data-readiness", "shadow-ready")] == "0"
        assert "current phase <strong id=\"current-phase\">P3</strong>" in page_path.read_text(encoding="utf-8")
        assert ("evidence as of 2026-09-28 23:59:59 UTC (fixture time of the latest recorded run)"
                in page_path.read_text(encoding="utf-8"))


def test_status_when_rendered_then_counts_by_class_and_phase_equal_the_manifest(site: Path) -> None:
    cells = _parse(site / "status.html").cells
    by_class = {key[1]: int(v) for key, v in cells.items() if key[0] == "data-class"}
    by_phase = {key[1]: int(v) for key, v in cells.items() if key[0] == "data-phase"}
    assert by_class == {"intel": 17, "disc": 6, "strat": 24, "risk": 19, "exec": 15, "sec": 9, "gov": 19}
    assert by_phase == {"P1": 0, "P2": 26, "P3": 6, "P4": 17, "P5": 24, "P6": 1, "P7": 12, "P8": 23}
    assert cells[("data-total", "bots")] == "109"


def test_plan_when_rendered_then_each_phase_shows_state_gate_and_infra(site: Path) -> None:
    text = (site / "plan.html").read_text(encoding="utf-8")
    cells = _parse(site / "plan.html").cells
    assert {k[1]: v for k, v in cells.items() if k[0] == "data-gate"} == {
        "P1": "green", "P2": "green", "P3": "red", "P4": "pending", "P5": "pending", "P6": "pending",
        "P7": "pending", "P8": "pending",
    }
    assert text.count('<span class="locked">locked until P3 is green</span>') == 5
    assert "P3 silent bot: risk.drawdown" in text and "parquet snapshot present" in text
    for phase, title in PHASE_TITLES.items():
        assert title in text
        assert str(escape(exit_gate_text(phase))) in text


def test_exit_gate_text_when_asked_then_it_is_the_check_docstring_without_the_phase_prefix() -> None:
    assert exit_gate_text(3) == "every implemented bot emits via the envelope, and no bot writes free text."


def test_plan_when_rendered_then_the_phase_stage_matrix_counts_bots_per_stage(data: GuideData) -> None:
    matrix = data.phase_stage_matrix()
    assert matrix[7]["S10"] == matrix[7]["S11"] == 12
    assert matrix[4]["S7"] == 17 and matrix[2]["S7"] == 2
    assert matrix[2]["S4"] == 17 and matrix[2]["S5"] == 1  # intel.microprice also feeds S5
    assert sum(matrix[1].values()) == 0


def test_bot_page_when_rendered_then_it_shows_the_facts_scores_and_reason_codes(site: Path) -> None:
    spec = get("risk.drawdown")
    page = _parse(site / "bots" / "risk.drawdown.html")
    text = (site / "bots" / "risk.drawdown.html").read_text(encoding="utf-8")
    assert {k[1]: v for k, v in page.cells.items() if k[0] == "data-fact"} == {
        "class": "risk", "phase": "P4", "stages": "S7", "capital_impact": "Direct",
        "modes": "shadow, quarantine", "emits": "RiskVote", "version": spec.version, "readiness": "demo-wired",
    }
    assert {k[1]: v for k, v in page.cells.items() if k[0] == "data-score"} == {
        "docs": "0.80", "impl": "0.50", "runtime": "0.00",
    }
    assert "<code>RISK_DRAWDOWN</code>" in text and spec.summary in text
    assert "tombstone" not in page.ids


def test_bot_page_when_spec_is_deprecated_then_it_is_a_tombstone(site: Path) -> None:
    page = _parse(site / "bots" / f"{DEPRECATED}.html")
    assert "tombstone" in page.ids
    assert page.cells[("data-fact", "readiness")] == "deprecated"
    status = (site / "status.html").read_text(encoding="utf-8")
    assert f'<tr class="tombstone"><td><a href="bots/{DEPRECATED}.html">' in status
    assert status.count('<tr class="tombstone">') == 1


def test_schemas_page_when_rendered_then_it_lists_exactly_the_manifest_objects_with_versions(site: Path) -> None:
    import json

    manifest = json.loads((SCHEMAS_DIR / "manifest.json").read_text(encoding="utf-8"))
    text = (site / "schemas.html").read_text(encoding="utf-8")
    listed = dict(re.findall(r'<tr data-schema="([^"]+)">.*?<td class="version">([^<]+)</td>', text, re.S))
    assert listed == {o["name"]: o["version"] for o in manifest["objects"]}
    for o in manifest["objects"]:
        assert (site / "schemas" / o["file"]).read_bytes() == (SCHEMAS_DIR / o["file"]).read_bytes()


def test_done_page_when_rendered_then_it_names_the_forbidden_patterns(site: Path) -> None:
    text = (site / "done.html").read_text(encoding="utf-8")
    assert "documentation completeness as readiness" in text
    assert "before a strategy emits an OrderIntent" in text
    assert "phases 1–7" in text


def test_build_when_run_twice_then_output_is_byte_identical(data: GuideData, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    files_a, files_b = build_site(data, first), build_site(data, second)
    assert [p.relative_to(first) for p in files_a] == [p.relative_to(second) for p in files_b]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(files_a, files_b, strict=True))


def test_render_schemas_page_when_called_by_the_p1_gate_then_every_manifest_object_is_on_it() -> None:
    from polytraders.guide import render_schemas_page

    _version, entries = load_schemas(SCHEMAS_DIR)
    page = render_schemas_page(SCHEMAS_DIR)
    assert re.findall(r'<tr data-schema="([^"]+)">', page) == [entry.name for entry in entries]
