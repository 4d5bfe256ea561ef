"""`polytraders contracts verify / export` through typer's CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from polytraders.cli.contracts import app
from polytraders.contracts.schemas import SCHEMAS_DIR, verify

runner = CliRunner()


def test_verify_command_when_committed_schemas_are_current_then_exit_zero_and_green_line() -> None:
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert "contracts OK" in result.output


def test_verify_command_when_schema_missing_then_exit_one_and_table_names_object(tmp_path: Path) -> None:
    schema_dir = Path(shutil.copytree(SCHEMAS_DIR, tmp_path / "schemas"))
    (schema_dir / "Position.schema.json").unlink()
    result = runner.invoke(app, ["verify", "--schemas", str(schema_dir)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "1 contract problem(s)" in result.output
    assert "Position: manifest names Position.schema.json, which does not exist" in result.output


def test_export_command_when_run_into_empty_dir_then_verify_is_green(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--schemas", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    assert verify(tmp_path) == []
    assert runner.invoke(app, ["verify", "--schemas", str(tmp_path)]).exit_code == 0
