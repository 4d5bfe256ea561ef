"""``polytraders risk shadow``: its options make the profile it replays; set-up errors are one red
line and exit code 2 (the replay itself is tested end to end in polytraders_tests/defs/test_shadow_e2e.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from polytraders.cli import app
from polytraders.cli.risk import profile_with
from polytraders.runtime.profile import RISK_ORDER, SHADOW

COND = "0x" + "ab" * 32


def test_profile_with_when_options_then_denying_configs_and_quarantine(tmp_path) -> None:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"risk.exposure_caps": {"max_market_exposure_usdc": "40"},
                                  "risk.compliance_gate": {"blocked_condition_ids": ["0x01"]}}))
    profile = profile_with(True, [COND], [f"risk.exposure_caps={COND}"], config)
    assert profile.config("risk.killswitch").engaged is True
    assert profile.config("risk.compliance_gate").blocked_condition_ids == ("0x01", COND)  # file's, then the flag's
    assert str(profile.config("risk.exposure_caps").max_market_exposure_usdc) == "40"
    assert profile.quarantine == {"risk.exposure_caps": frozenset({COND})}
    assert profile.risk_order == RISK_ORDER
    assert profile.config("exec.order_shaper") == SHADOW.config("exec.order_shaper")  # the shadow builder code kept


@pytest.mark.parametrize(("content", "message"), [
    ('{"risk.nope": {}}', "'risk.nope' is not a risk bot of the replayed order"),
    ('{"strat.maker_tight": {}}', "'strat.maker_tight' is not a risk bot of the replayed order"),
    ('{"risk.killswitch": {"armed": true}}', "risk.killswitch: 1 validation error for Config armed"),
    ('{"risk.exposure_caps": {"max_market_exposure_usdc": "-1"}}', "greater than 0"),
    ('{"risk.killswitch": ', "not JSON: Expecting value"),
    ('["risk.killswitch"]', "expected an object"),
    ('{"risk.killswitch": 5}', "expected an object"),
    ('{"risk.compliance_gate": {"blocked_condition_ids": "0x01"}}', "valid tuple"),
])
def test_risk_shadow_when_config_bad_then_one_red_line_and_exit_2(tmp_path, monkeypatch, content: str,
                                                                   message: str) -> None:
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(tmp_path / "none.duckdb"))
    config = tmp_path / "c.json"
    config.write_text(content)
    result = CliRunner().invoke(app, ["risk", "shadow", "--config", str(config)])
    assert result.exit_code == 2
    line = " ".join(result.output.split())
    assert message in line and str(config) in line and "Traceback" not in line


@pytest.mark.parametrize("item", ["nonsense", "exec.order_shaper=0x01", "risk.killswitch="])
def test_risk_shadow_when_quarantine_malformed_then_exit_2_naming_it(tmp_path, monkeypatch, item: str) -> None:
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(tmp_path / "none.duckdb"))
    result = CliRunner().invoke(app, ["risk", "shadow", "--quarantine", item])
    assert result.exit_code == 2
    assert f"--quarantine takes <risk bot slug>=<condition id>, got {item!r}" in " ".join(result.output.split())


def test_risk_shadow_when_nothing_recorded_then_exit_2_naming_the_store(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("POLYTRADERS_DUCKDB", str(tmp_path / "none.duckdb"))
    result = CliRunner().invoke(app, ["risk", "shadow"])
    assert result.exit_code == 2
    assert "no recorded shadow day under" in result.output and "polytraders shadow" in result.output


def test_profile_with_when_config_and_flags_then_flags_add_to_the_validated_config(tmp_path) -> None:
    # the file's blocked list is validated first; --block-market appends to it (never splits a string)
    config = tmp_path / "c.json"
    config.write_text('{"risk.compliance_gate": {"blocked_condition_ids": ["0x01"]}, "risk.killswitch": {}}')
    profile = profile_with(True, ["0x02"], [], config)
    assert profile.config("risk.compliance_gate").blocked_condition_ids == ("0x01", "0x02")
    assert profile.config("risk.killswitch").engaged is True
