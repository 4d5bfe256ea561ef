"""docs / impl / runtime scores, computed by hand from tmp bot modules, tests and evidence; docs
never feed readiness; pt-bot list and show print the scores."""

from __future__ import annotations

import inspect
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polytraders.bots import manifest
from polytraders.bots.readiness import Evidence, Readiness, compute_readiness
from polytraders.bots.scores import (
    DOCS_WEIGHTS,
    IMPL_WEIGHTS,
    RUNTIME_WEIGHTS,
    Scores,
    doc_sections,
    runtime_score,
    score,
)
from polytraders.cli import bot_app
from polytraders.cli.bots import DEFAULT_ROOT
from polytraders.defs import evidence as evidence_module

DRAWDOWN = manifest.get("risk.drawdown")  # reason codes: RISK_DRAWDOWN
AUDIT = manifest.get("gov.audit_log")  # reason codes: GOV_AUDIT_SEQUENCE_GAP, GOV_AUDIT_BROKEN_CHAIN
NONE: frozenset[str] = frozenset()

FULL_MODULE = '''\
"""risk.drawdown — test double.

Method
    peak minus equity.

Inputs
    ``intent``, ``ctx``.

Returns
    RiskVote.

Reason codes
    RISK_DRAWDOWN.

Raises
    pydantic.ValidationError — invalid config.
"""

from pydantic import Field

from polytraders.bots.base import BotConfig


class Config(BotConfig):
    """Parameters."""

    model_config = BotConfig.model_config
    max_drawdown_usdc: int = Field(default=50, description="limit, USDC")
    floor_usdc: int = Field(default=0, description="floor, USDC")


def evaluate(intent, ctx, config: Config):
    """Vote."""


def helper(x):
    return x
'''

# 3/5 sections (Reason codes and Raises missing; "Raised" in prose is not a section), 1 of 3 Config
# fields described (one has an empty description, one no Field), 1 of 2 entry points documented.
PARTIAL_MODULE = '''\
"""gov.audit_log — test double.

Method
    chains. Raised nothing.

Inputs
    envelopes.

Returns
    AuditRecord frame.
"""

from pydantic import Field

from polytraders.bots.base import BotConfig


class Config(BotConfig):
    described_ms: int = Field(default=1, description="a budget, ms")
    empty_ms: int = Field(default=1, description=" ")
    bare_ms: int = 1


def run(envelopes, config: Config):
    """Chains."""


def run_one(envelope, *, config: Config):
    return envelope
'''

# 3 module-level tests + 1 in a Test class = 4 (helpers and methods of other classes do not count);
# GOV_AUDIT_BROKEN_CHAIN named, GOV_AUDIT_SEQUENCE_GAP only as part of a longer word.
PARTIAL_TESTS = '''\
import pytest


def _helper():
    return "GOV_AUDIT_SEQUENCE_GAPS"


@pytest.mark.parametrize("x", [1, 2, 3])
def test_a_when_b_then_c(x):
    assert "GOV_AUDIT_BROKEN_CHAIN"


def test_d_when_e_then_f():
    pass


def test_g_when_h_then_i():
    pass


class TestGroup:
    def test_j_when_k_then_l(self):
        pass


class Helper:
    def test_not_collected(self):
        pass
'''


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _tests(n: int, codes: tuple[str, ...]) -> str:
    named = ", ".join(repr(c) for c in codes)
    return "".join(f"def test_{i}_when_x_then_y():\n    assert [{named}]\n\n\n" for i in range(n))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _write(tmp_path, "polytraders/bots/risk/drawdown.py", FULL_MODULE)
    _write(tmp_path, "polytraders_tests/bots/risk/test_drawdown.py", _tests(12, DRAWDOWN.reason_codes))
    _write(tmp_path, "polytraders/bots/gov/audit_log.py", PARTIAL_MODULE)
    _write(tmp_path, "polytraders_tests/bots/gov/test_audit_log.py", PARTIAL_TESTS)
    return tmp_path


IMPLEMENTED = Evidence(frozenset({"risk.drawdown", "gov.audit_log"}), NONE)


def test_weights_when_read_then_each_score_sums_to_one() -> None:
    assert [round(sum(w.values()), 9) for w in (DOCS_WEIGHTS, IMPL_WEIGHTS, RUNTIME_WEIGHTS)] == [1, 1, 1]


def test_score_when_module_and_tests_complete_then_docs_and_impl_one(repo: Path) -> None:
    got = score(DRAWDOWN, IMPLEMENTED, repo)
    assert (got.docs, got.impl) == (1.0, 1.0)
    assert got.details["docs.sections"] == "5/5 sections"
    assert got.details["docs.config"] == "2/2 Config fields described"  # model_config is not a field
    assert got.details["docs.entry"] == "1/1 entry points documented (evaluate)"  # helper has no config
    assert got.details["impl.count"] == "12 test functions (saturates at 10)"
    assert got.details["impl.codes"] == "1/1 reason codes named in the tests"


def test_score_when_docs_and_tests_partial_then_weighted_by_hand(repo: Path) -> None:
    got = score(AUDIT, IMPLEMENTED, repo)
    # docs = 0.5 * 3/5 + 0.3 * 1/3 + 0.2 * 1/2 = 0.3 + 0.1 + 0.1
    assert got.docs == 0.5
    # impl = 0.2 * 1 + 0.4 * min(4/10, 1) + 0.4 * 1/2 = 0.2 + 0.16 + 0.2
    assert got.impl == 0.56
    assert got.details["docs.sections"] == "3/5 sections (missing Reason codes, Raises)"
    assert got.details["docs.config"] == "1/3 Config fields described"
    assert got.details["docs.entry"] == "1/2 entry points documented (run, run_one)"
    assert got.details["impl.tests"] == "polytraders_tests/bots/gov/test_audit_log.py"
    assert got.details["impl.count"] == "4 test functions (saturates at 10)"
    assert got.details["impl.codes"] == "1/2 reason codes named in the tests (missing GOV_AUDIT_SEQUENCE_GAP)"


def test_score_when_no_config_class_and_no_entry_point_then_only_sections_count(tmp_path: Path) -> None:
    _write(tmp_path, "polytraders/bots/risk/drawdown.py", '"""Method\nInputs\nReturns\nReason codes\nRaises\n"""\n')
    got = score(DRAWDOWN, IMPLEMENTED, tmp_path)
    assert got.docs == 0.5  # 0.5 * 5/5 + 0.3 * 0 + 0.2 * 0
    assert (got.details["docs.config"], got.details["docs.entry"]) == (
        "no Config class", "0/0 entry points documented")
    assert (got.impl, got.details["impl"]) == (0.0, "no test module polytraders_tests/bots/risk/test_drawdown.py")


def test_score_when_config_has_no_fields_then_config_part_full(tmp_path: Path) -> None:
    _write(tmp_path, "polytraders/bots/risk/drawdown.py",
           '"""Method\n"""\nclass Config:\n    """None."""\n\n\ndef evaluate(intent, config):\n    pass\n')
    got = score(DRAWDOWN, IMPLEMENTED, tmp_path)
    assert got.docs == 0.4  # 0.5 * 1/5 + 0.3 * 1 + 0.2 * 0


def test_score_when_not_implemented_then_docs_and_impl_zero_even_with_files(repo: Path) -> None:
    got = score(DRAWDOWN, Evidence(NONE, NONE), repo)
    assert (got.docs, got.impl, got.runtime) == (0.0, 0.0, 0.0)
    assert (got.details["docs"], got.details["impl"]) == ("not implemented", "not implemented")


@pytest.mark.parametrize(
    ("ran", "failures", "hours", "expected"),
    [
        (True, {}, 6.0, 0.7),  # 0.4 + 0.2 + 0.4 * 6/24
        (True, {"risk.drawdown": 0}, 24.0, 1.0),
        (True, {"risk.drawdown": 0}, 30.0, 1.0),  # hours cap at 1
        (True, None, 30.0, 0.8),  # unknown failures earn nothing: 0.4 + 0 + 0.4
        (True, {"risk.drawdown": 2}, 12.0, 0.6),  # 0.4 + 0 + 0.4 * 1/2
        (False, {}, 0.0, 0.0),  # no failures of a bot that never ran is no health
    ],
)
def test_runtime_when_shadow_health_varies_then_weighted_by_hand(
    repo: Path, ran: bool, failures: dict[str, int] | None, hours: float, expected: float
) -> None:
    evidence = replace(IMPLEMENTED, ran_on_recorded_feed=frozenset({"risk.drawdown"}) if ran else NONE,
                       schema_failures=failures, shadow_hours={"risk.drawdown": hours})
    assert score(DRAWDOWN, evidence, repo).runtime == expected


def test_runtime_details_when_unknown_failures_then_said_so(repo: Path) -> None:
    evidence = replace(IMPLEMENTED, ran_on_recorded_feed=frozenset({"risk.drawdown"}), schema_failures=None,
                       shadow_hours={"risk.drawdown": 4.5})
    details = score(DRAWDOWN, evidence, repo).details
    assert (details["runtime.ran"], details["runtime.schema_failures"], details["runtime.hours"]) == (
        "ran on a recorded feed", "unknown (event store unreadable)", "4.50 h of 24 h")


def test_readiness_when_docs_score_changes_then_unchanged(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    undocumented = tmp_path_factory.mktemp("undocumented")
    _write(undocumented, "polytraders/bots/risk/drawdown.py", "SLUG = 'risk.drawdown'\n")
    ran = replace(IMPLEMENTED, ran_on_recorded_feed=frozenset({"risk.drawdown"}))
    assert (score(DRAWDOWN, ran, repo).docs, score(DRAWDOWN, ran, undocumented).docs) == (1.0, 0.0)
    assert compute_readiness(DRAWDOWN, ran) is Readiness.DEMO_WIRED  # whatever the docs
    assert list(inspect.signature(compute_readiness).parameters) == ["spec", "evidence"]


def test_doc_sections_when_names_inside_lines_then_not_sections() -> None:
    assert doc_sections("Summary.\n\nMethod (exact)\n    x\nthe Returns are\nRaises\n") == ("Method", "Raises")
    assert doc_sections(None) == ()


def test_score_when_run_twice_then_same_scores(repo: Path) -> None:
    assert score(AUDIT, IMPLEMENTED, repo) == score(AUDIT, IMPLEMENTED, repo)
    assert isinstance(score(AUDIT, IMPLEMENTED, repo), Scores)


# --- pt-bot list / show -------------------------------------------------------------------------


@pytest.fixture
def no_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Evidence:
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(tmp_path / "var" / "x.duckdb"))
    monkeypatch.setenv("POLYTRADERS_EVENT_STORE", str(tmp_path / "store"))
    return evidence_module.collect()


def test_pt_bot_list_when_run_then_docs_impl_runtime_columns(no_store: Evidence) -> None:
    result = CliRunner().invoke(bot_app, ["list", "--class", "risk"])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "slug" in line)
    assert header.split() == ["slug", "class", "phase", "stages", "impact", "modes", "readiness", "docs", "impl",
                              "runtime"]
    got = score(DRAWDOWN, no_store, DEFAULT_ROOT)
    row = next(line for line in result.output.splitlines() if line.split()[:1] == ["risk.drawdown"])
    assert row.split()[-4:] == ["pending", f"{got.docs:.2f}", f"{got.impl:.2f}", "0.00"]


def test_pt_bot_show_when_run_then_scores_and_their_details(no_store: Evidence) -> None:
    result = CliRunner().invoke(bot_app, ["show", "risk.drawdown"])
    assert result.exit_code == 0, result.output
    got = score(DRAWDOWN, no_store, DEFAULT_ROOT)
    assert f"{got.docs:.2f} (never counts toward readiness)" in result.output
    for key, value in got.details.items():
        assert any(key in line and value in line for line in result.output.splitlines()), key


def test_runtime_score_when_not_implemented_then_zero_even_with_envelopes_under_its_name() -> None:
    spec = manifest.get("gov.data_quality_monitor")
    evidence = Evidence(implemented_slugs=frozenset(), ran_on_recorded_feed=frozenset({spec.slug}),
                        shadow_hours={spec.slug: 24.0}, schema_failures={spec.slug: 0})
    value, details = runtime_score(spec, evidence)
    assert (value, details) == (0.0, {"runtime.ran": "not implemented: envelopes under its name are not its own run"})
