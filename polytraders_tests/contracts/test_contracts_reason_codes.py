"""The reason-code registry: pattern, severities, and rejection of unknown codes."""

from __future__ import annotations

import pytest

from polytraders.contracts import reason_codes
from polytraders.contracts.reason_codes import (
    REASON_CODE_PATTERN,
    REGISTRY,
    ReasonCodeInfo,
    UnknownReasonCodeError,
    invalid_codes,
    require,
)
from polytraders.contracts.types import Severity


def test_registry_when_loaded_then_every_code_matches_pattern_and_keys_itself() -> None:
    assert REGISTRY, "the registry is empty"
    assert invalid_codes() == []
    for code, info in REGISTRY.items():
        assert REASON_CODE_PATTERN.fullmatch(code), code
        assert info.code == code
        assert isinstance(info.severity, Severity)
        assert info.description


def test_require_when_code_registered_then_returns_it() -> None:
    assert require("RISK_STALE_BOOK") == "RISK_STALE_BOOK"


@pytest.mark.parametrize("code", ["RISK_NO_SUCH_CODE", "risk_stale_book", ""])
def test_require_when_code_unknown_then_raises(code: str) -> None:
    with pytest.raises(UnknownReasonCodeError, match="unknown reason code"):
        require(code)


@pytest.mark.parametrize("code", ["risk_lowercase", "FOO_BAR", "RISK-DASH", "RISK_"])
def test_invalid_codes_when_registry_holds_bad_code_then_lists_it(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    patched = {**REGISTRY, code: ReasonCodeInfo(code, Severity.INFO, "bad")}
    monkeypatch.setattr(reason_codes, "REGISTRY", patched)
    assert invalid_codes() == [code]
