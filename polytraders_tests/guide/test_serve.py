"""guide.serve and ``polytraders guide``: the built site over HTTP on 127.0.0.1."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polytraders.cli import app
from polytraders.guide.serve import make_server, serve_in_thread


def test_make_server_when_folder_has_no_site_then_error_names_the_build_command(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `polytraders guide build`"):
        make_server(tmp_path, 0)


def test_guide_build_when_run_then_site_is_served_on_loopback(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = CliRunner().invoke(app, ["guide", "build", "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert f"into {site}" in result.output
    assert len(list((site / "bots").glob("*.html"))) == 109
    server, thread = serve_in_thread(site, port=0)
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bots/risk.drawdown.html", timeout=5) as response:
            assert response.status == 200
            assert "<h1>risk.drawdown</h1>" in response.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
