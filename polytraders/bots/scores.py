"""Three scores per bot — docs, impl, runtime — each in [0, 1], computed from evidence.

Pure functions over the bot's source files (read with :mod:`ast`, never imported) and an
:class:`~polytraders.bots.readiness.Evidence`. Each score is a weighted sum of parts in [0, 1]:

**docs** (0 when the bot is not implemented) — the module ``polytraders/bots/<class>/<name>.py``:

============= ====== ================================================================================
part          weight value
============= ====== ================================================================================
sections      0.5    fraction of the docstring sections present: Method, Inputs, Returns, Reason codes,
                     Raises (a line starting with the section name, at the docstring's left margin)
config fields 0.3    fraction of ``Config`` fields whose ``Field(...)`` has a non-empty ``description``
                     (1 for a Config without fields; 0 without a Config class)
entry point   0.2    fraction of entry points with a docstring; an entry point is a public module-level
                     function with a ``config`` parameter (0 when there is none)
============= ====== ================================================================================

**impl** (0 when the bot is not implemented or has no test module
``polytraders_tests/bots/<class>/test_<name>.py``):

============= ====== ================================================================================
tests exist   0.2    1
test count    0.4    ``min(n / 10, 1)``, n = test functions (``test_*`` at module level or in a
                     ``Test*`` class; a parametrised test counts once)
reason codes  0.4    fraction of the manifest's reason codes of the bot named (as a whole word) in the
                     test module (1 for a bot without codes)
============= ====== ================================================================================

**runtime** — shadow-run health:

============= ====== ================================================================================
ran           0.4    it produced envelopes in a shadow run over a recorded fixture day
no failures   0.2    it ran and its schema failures are known to be 0 (unknown counts 0)
shadow hours  0.4    ``min(hours / 24, 1)``
============= ====== ================================================================================

Scores are shown beside readiness, never as it: documentation completeness never counts toward
readiness, and :func:`~polytraders.bots.readiness.compute_readiness` takes no scores.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from polytraders.bots.manifest import BotSpec
from polytraders.bots.readiness import SHADOW_HOURS_REQUIRED, Evidence

#: Sections every bot module docstring has, in order.
DOC_SECTIONS: tuple[str, ...] = ("Method", "Inputs", "Returns", "Reason codes", "Raises")
#: Weights of the parts of each score (each row sums to 1).
DOCS_WEIGHTS: Mapping[str, float] = {"sections": 0.5, "config": 0.3, "entry": 0.2}
IMPL_WEIGHTS: Mapping[str, float] = {"exists": 0.2, "count": 0.4, "codes": 0.4}
RUNTIME_WEIGHTS: Mapping[str, float] = {"ran": 0.4, "no_failures": 0.2, "hours": 0.4}
#: Test functions at which the count part saturates.
TESTS_SATURATE_AT = 10


@dataclass(frozen=True, slots=True)
class Scores:
    """The three scores of one bot, each in [0, 1], and why (``details``: ``<score>.<part>`` ->
    a short human-readable statement)."""

    docs: float
    impl: float
    runtime: float
    details: Mapping[str, str]


def module_path(spec: BotSpec, repo_root: Path) -> Path:
    """``<repo_root>/polytraders/bots/<class>/<name>.py``."""
    return Path(repo_root) / "polytraders" / "bots" / spec.bot_class / f"{spec.name}.py"


def tests_path(spec: BotSpec, repo_root: Path) -> Path:
    """``<repo_root>/polytraders_tests/bots/<class>/test_<name>.py``."""
    return Path(repo_root) / "polytraders_tests" / "bots" / spec.bot_class / f"test_{spec.name}.py"


def _weighted(parts: Mapping[str, float], weights: Mapping[str, float]) -> float:
    return round(sum(weights[name] * value for name, value in parts.items()), 6)


def _fraction(hit: int, total: int, empty: float) -> float:
    return hit / total if total else empty


# --- docs -------------------------------------------------------------------------------------


def doc_sections(docstring: str | None) -> tuple[str, ...]:
    """The :data:`DOC_SECTIONS` present in ``docstring``: a line that starts with the name."""
    text = docstring or ""
    return tuple(s for s in DOC_SECTIONS if re.search(rf"^{re.escape(s)}\b", text, flags=re.MULTILINE))


def _config_fields(tree: ast.Module) -> tuple[int, int] | None:
    """(described, total) fields of the module's ``Config`` class; None when there is none."""
    config = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Config"), None)
    if config is None:
        return None
    described = total = 0
    for node in config.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        if node.target.id.startswith("_") or node.target.id == "model_config":
            continue
        total += 1
        description = None
        if isinstance(node.value, ast.Call):
            description = next((k.value for k in node.value.keywords if k.arg == "description"), None)
        empty = isinstance(description, ast.Constant) and not str(description.value).strip()
        described += description is not None and not empty
    return described, total


def _entry_points(tree: ast.Module) -> list[ast.FunctionDef]:
    """Public module-level functions that take a ``config`` parameter."""
    return [
        node for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
        and any(a.arg == "config" for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs))
    ]  # fmt: skip


def docs_score(spec: BotSpec, implemented: bool, repo_root: Path) -> tuple[float, dict[str, str]]:
    """The docs score of ``spec`` and its details (see the module docstring)."""
    path = module_path(spec, repo_root)
    if not implemented:
        return 0.0, {"docs": "not implemented"}
    if not path.is_file():
        return 0.0, {"docs": f"no module {path.relative_to(repo_root)}"}
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    present = doc_sections(ast.get_docstring(tree))
    missing = [s for s in DOC_SECTIONS if s not in present]
    fields = _config_fields(tree)
    entries = _entry_points(tree)
    documented = [e.name for e in entries if ast.get_docstring(e)]
    parts = {
        "sections": len(present) / len(DOC_SECTIONS),
        "config": 0.0 if fields is None else _fraction(*fields, empty=1.0),
        "entry": _fraction(len(documented), len(entries), empty=0.0),
    }
    details = {
        "docs.sections": f"{len(present)}/{len(DOC_SECTIONS)} sections"
        + (f" (missing {', '.join(missing)})" if missing else ""),
        "docs.config": "no Config class" if fields is None else f"{fields[0]}/{fields[1]} Config fields described",
        "docs.entry": f"{len(documented)}/{len(entries)} entry points documented"
        + (f" ({', '.join(e.name for e in entries)})" if entries else ""),
    }
    return _weighted(parts, DOCS_WEIGHTS), details


# --- impl -------------------------------------------------------------------------------------


def count_tests(tree: ast.Module) -> int:
    """``test_*`` functions at module level and in ``Test*`` classes."""
    def tests(body: list[ast.stmt]) -> int:
        return sum(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test") for n in body)

    return tests(tree.body) + sum(
        tests(n.body) for n in tree.body if isinstance(n, ast.ClassDef) and n.name.startswith("Test")
    )


def codes_named(codes: tuple[str, ...], source: str) -> tuple[str, ...]:
    """The ``codes`` that appear in ``source`` as whole words."""
    return tuple(c for c in codes if re.search(rf"\b{re.escape(c)}\b", source))


def impl_score(spec: BotSpec, implemented: bool, repo_root: Path) -> tuple[float, dict[str, str]]:
    """The impl score of ``spec`` and its details (see the module docstring)."""
    path = tests_path(spec, repo_root)
    if not implemented:
        return 0.0, {"impl": "not implemented"}
    if not path.is_file():
        return 0.0, {"impl": f"no test module {path.relative_to(repo_root)}"}
    source = path.read_text(encoding="utf-8")
    n = count_tests(ast.parse(source, filename=str(path)))
    named = codes_named(spec.reason_codes, source)
    missing = [c for c in spec.reason_codes if c not in named]
    parts = {
        "exists": 1.0,
        "count": min(n / TESTS_SATURATE_AT, 1.0),
        "codes": _fraction(len(named), len(spec.reason_codes), empty=1.0),
    }
    details = {
        "impl.tests": str(path.relative_to(repo_root)),
        "impl.count": f"{n} test functions (saturates at {TESTS_SATURATE_AT})",
        "impl.codes": f"{len(named)}/{len(spec.reason_codes)} reason codes named in the tests"
        + (f" (missing {', '.join(missing)})" if missing else ""),
    }
    return _weighted(parts, IMPL_WEIGHTS), details


# --- runtime ----------------------------------------------------------------------------------


def runtime_score(spec: BotSpec, evidence: Evidence) -> tuple[float, dict[str, str]]:
    """The runtime score of ``spec`` and its details (see the module docstring). 0 for a bot
    with no implementation: envelopes filed under its slug (e.g. the adapter's quarantine
    records under gov.data_quality_monitor) are not its module running."""
    if spec.slug not in evidence.implemented_slugs:
        return 0.0, {"runtime.ran": "not implemented: envelopes under its name are not its own run"}
    ran = spec.slug in evidence.ran_on_recorded_feed
    failures = evidence.failures_of(spec.slug)
    hours = evidence.hours_of(spec.slug)
    parts = {
        "ran": float(ran),
        "no_failures": float(ran and failures == 0),
        "hours": min(hours / SHADOW_HOURS_REQUIRED, 1.0),
    }
    details = {
        "runtime.ran": "ran on a recorded feed" if ran else "no envelope in any recorded run",
        "runtime.schema_failures": "unknown (event store unreadable)" if failures is None else str(failures),
        "runtime.hours": f"{hours:.2f} h of {SHADOW_HOURS_REQUIRED:g} h",
    }
    return _weighted(parts, RUNTIME_WEIGHTS), details


def score(spec: BotSpec, evidence: Evidence, repo_root: Path) -> Scores:
    """docs, impl and runtime of ``spec`` on ``evidence`` and the files under ``repo_root``."""
    implemented = spec.slug in evidence.implemented_slugs
    docs, docs_details = docs_score(spec, implemented, repo_root)
    impl, impl_details = impl_score(spec, implemented, repo_root)
    runtime, runtime_details = runtime_score(spec, evidence)
    return Scores(docs, impl, runtime, {**docs_details, **impl_details, **runtime_details})
