"""Imports flow one way inside the package: contracts <- adapters <- bots <- runtime <- defs."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "polytraders"
#: Each layer and the layers above it, which it must never import.
FORBIDDEN = {
    "contracts": ("adapters", "bots", "runtime", "defs", "gates", "cli"),
    "adapters": ("bots", "runtime", "defs", "gates", "cli"),
    "bots": ("runtime", "defs", "gates", "cli"),
    "runtime": ("defs", "cli"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_above_it(layer: str) -> None:
    above = tuple(f"polytraders.{name}" for name in FORBIDDEN[layer])
    offending = sorted(
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in (PACKAGE / layer).rglob("*.py")
        for name in _imports(path)
        if name.startswith(above) and name.split(".")[1] in FORBIDDEN[layer]
    )
    assert offending == []
