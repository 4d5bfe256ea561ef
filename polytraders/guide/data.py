"""Everything the dev guide shows, gathered in one place: :class:`GuideData`, built by :func:`collect_data`.

The guide renders; it decides nothing. Readiness, the three scores, the op-tag facts, the gate
states and the infra tasks all come from the modules that compute them on evidence:

- :func:`polytraders.defs.evidence.collect` — the evidence (one read of the event store and the
  bot sources);
- :func:`polytraders.bots.readiness.compute_readiness` and :func:`~polytraders.bots.readiness.bot_facts`;
- :func:`polytraders.bots.scores.score` — docs / impl / runtime;
- :func:`polytraders.gates.evaluate` — phase gates (state, evidence, missing, lock) and infra tasks;
- ``schemas/manifest.json`` — the published wire objects.

Tests build :class:`GuideData` by hand (it holds plain values only), so templates are exercised
without a shadow run.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from polytraders.bots.manifest import BOT_CLASSES, BOTS, PHASES, STAGES, BotSpec

if TYPE_CHECKING:
    from polytraders.bots.readiness import Evidence

#: Readiness values in ladder order (the tombstone last); counts are shown in this order.
READINESS_ORDER: tuple[str, ...] = ("pending", "demo-wired", "shadow-ready", "production-live", "deprecated")

#: What each build phase delivers (the plan page). Each exit gate is described by its check's
#: own docstring (:data:`polytraders.gates.checks.CHECKS`): one source, no second list to drift.
PHASE_TITLES: dict[int, str] = {
    1: "Contracts",
    2: "Data and signals",
    3: "The envelope stream",
    4: "Risk gate",
    5: "Execution and security",
    6: "First strategy",
    7: "Governance",
    8: "Strategies",
}

#: The definition of done and the forbidden patterns (the done page).
DEFINITION_OF_DONE: tuple[str, ...] = (
    "A bot is done for its rung only on evidence: demo-wired = its module is implemented and it "
    "produced output in a shadow run over a recorded fixture day.",
    "A phase is done when its exit gate is green on evidence; a gate without evidence is pending, never green.",
    "Every decision is a ReportEnvelope with registered reason codes and causation ids, never free text.",
    "Every wire object has a published, versioned JSON Schema listed in schemas/manifest.json.",
    "Each bot has tests asserting exact values and exact reason codes, and a determinism check.",
)
FORBIDDEN_PATTERNS: tuple[str, ...] = (
    "Scoring documentation completeness as readiness: the docs score is shown beside readiness, never as it.",
    "Letting risk evaluate orders before a strategy emits an OrderIntent: the gate votes on intents only.",
    "Starting a new strategy before the exit gates of phases 1–7 are locked green.",
)


@dataclass(frozen=True, slots=True)
class BotView:
    """One bot as the guide shows it.

    ``scores`` maps ``docs`` / ``impl`` / ``runtime`` (each in [0, 1]) to two decimals;
    ``facts`` are the op-tag facts (class, phase, readiness, capital impact).
    """

    spec: BotSpec
    readiness: str
    facts: dict[str, str]
    scores: dict[str, str]
    score_details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InfraView:
    """One infra task of the plan."""

    name: str
    phase: int
    done: bool
    check: str


@dataclass(frozen=True, slots=True)
class PhaseView:
    """One build phase: its gate result and its infra tasks."""

    phase: int
    title: str
    exit_gate: str
    state: str
    locked: bool
    evidence: tuple[str, ...]
    missing: tuple[str, ...]
    infra: tuple[InfraView, ...] = ()


@dataclass(frozen=True, slots=True)
class SchemaEntry:
    """One published wire object of ``schemas/manifest.json``."""

    name: str
    version: str
    file: str
    schema_id: str
    sha256: str


@dataclass(frozen=True, slots=True)
class GuideData:
    """All the guide renders. ``evidence_time`` is the data's own time (no wall clock)."""

    bots: tuple[BotView, ...]
    phases: tuple[PhaseView, ...]
    current_phase: int
    schemas: tuple[SchemaEntry, ...]
    manifest_version: str
    evidence_time: str
    schema_dir: Path | None = None
    notes: tuple[str, ...] = field(default=())

    def readiness_counts(self) -> dict[str, int]:
        """Bots per readiness value, every value of :data:`READINESS_ORDER` (zeros included)."""
        counts = Counter(bot.readiness for bot in self.bots)
        return {value: counts.get(value, 0) for value in READINESS_ORDER}

    def class_counts(self) -> dict[str, int]:
        counts = Counter(bot.spec.bot_class for bot in self.bots)
        return {bot_class: counts.get(bot_class, 0) for bot_class in BOT_CLASSES}

    def phase_counts(self) -> dict[int, int]:
        counts = Counter(bot.spec.phase for bot in self.bots)
        return {phase: counts.get(phase, 0) for phase in PHASES}

    def phase_stage_matrix(self) -> dict[int, dict[str, int]]:
        """Bots per (phase, stage); a bot running in two stages counts in both."""
        counts = Counter((bot.spec.phase, stage) for bot in self.bots for stage in bot.spec.stages)
        return {phase: {stage: counts.get((phase, stage), 0) for stage in STAGES} for phase in PHASES}

    def bots_sorted(self) -> tuple[BotView, ...]:
        return tuple(sorted(self.bots, key=lambda bot: bot.spec.slug))


def load_schemas(schema_dir: Path) -> tuple[str, tuple[SchemaEntry, ...]]:
    """Manifest version and entries of ``schema_dir/manifest.json``, sorted by name."""
    manifest = json.loads((schema_dir / "manifest.json").read_text(encoding="utf-8"))
    entries = tuple(
        SchemaEntry(o["name"], o["version"], o["file"], o["$id"], o["sha256"])
        for o in sorted(manifest["objects"], key=lambda o: o["name"])
    )
    return manifest["manifest_version"], entries


def collect_data(repo_root: Path | None = None) -> GuideData:
    """Gather the guide's data from the evidence, the manifest, the gates and the schemas."""
    from polytraders.contracts.schemas import SCHEMAS_DIR
    from polytraders.defs.evidence import collect

    root = repo_root or SCHEMAS_DIR.parent
    schema_dir = root / "schemas"
    evidence = collect()
    bots = tuple(_bot_view(spec, evidence, root) for spec in BOTS)
    phases, current = _phases()
    manifest_version, schemas = load_schemas(schema_dir)
    return GuideData(
        bots=bots,
        phases=phases,
        current_phase=current,
        schemas=schemas,
        manifest_version=manifest_version,
        evidence_time=evidence.as_of or "no recorded run",
        schema_dir=schema_dir,
    )


# --- the upstream calls -------------------------------------------------------------------------


def _bot_view(spec: BotSpec, evidence: Evidence, root: Path) -> BotView:
    from polytraders.bots.readiness import bot_facts, compute_readiness
    from polytraders.bots.scores import score

    readiness = str(compute_readiness(spec, evidence))
    facts = bot_facts(spec.slug, evidence)
    scores = score(spec, evidence, root)
    rendered = {"docs": f"{scores.docs:.2f}", "impl": f"{scores.impl:.2f}", "runtime": f"{scores.runtime:.2f}"}
    details = tuple(f"{key}: {value}" for key, value in sorted(scores.details.items()))
    return BotView(spec, readiness, facts, rendered, details)


def exit_gate_text(phase: int) -> str:
    """What the exit gate of ``phase`` checks: its check's docstring, on one line, without ``Pn:``."""
    from polytraders.gates.checks import CHECKS

    text = " ".join((CHECKS[phase - 1].__doc__ or "").split())
    return text.removeprefix(f"P{phase}: ")


def _phases() -> tuple[tuple[PhaseView, ...], int]:
    from polytraders.gates import evaluate

    report = evaluate()
    infra = {p: tuple(InfraView(t.name, t.phase, t.done, t.check) for t in report.infra if t.phase == p)
             for p in PHASES}
    phases = tuple(
        PhaseView(
            g.phase, PHASE_TITLES[g.phase], exit_gate_text(g.phase), state=str(g.state), locked=g.locked,
            evidence=tuple(g.evidence), missing=tuple(g.missing), infra=infra[g.phase],
        )
        for g in report.phases
    )
    return phases, report.current_phase()
