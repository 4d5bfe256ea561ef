"""Shared fixtures of the adapter tests: the reference payload files under ``fixtures/reference/``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "reference"
NAUTILUS_WS = "nautilus_trader/tests/integration_tests/adapters/polymarket/resources/ws_messages"
NAUTILUS_HTTP = "nautilus_trader/tests/integration_tests/adapters/polymarket/resources/http_responses"
NAUTILUS_RS = "nautilus_trader/crates/adapters/polymarket/test_data"


@pytest.fixture
def ref() -> Callable[[str], str]:
    """Read a file under ``fixtures/reference/`` (prefixes ``ws:``, ``http:``, ``rs:``, ``own:``)."""
    prefixes = {"ws:": NAUTILUS_WS, "http:": NAUTILUS_HTTP, "rs:": NAUTILUS_RS, "own:": "own"}

    def read(name: str) -> str:
        for prefix, folder in prefixes.items():
            if name.startswith(prefix):
                name = f"{folder}/{name[len(prefix) :]}"
        return (REFERENCE / name).read_text(encoding="utf-8")

    return read
