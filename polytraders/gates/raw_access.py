"""P2 evidence: intel and disc bots read normalised objects only (checked on the syntax tree).

A hit is an import of the raw layer (``polytraders.adapters.polymarket`` and its modules, or the
capture reader ``polytraders.adapters.capture``), or a read of a raw venue payload field: a
string subscript ``x["asset_id"]``, ``x.get("event_type")`` or ``pl.col("recv_ms")`` naming a key
that only the venue's payloads carry (the venue keys minus every wire object's field names, so a
normalised field such as ``bids`` or ``tick_size`` never counts).
"""

from __future__ import annotations

import ast
from pathlib import Path

from polytraders.bots.hygiene import BOTS_DIR

RAW_MODULES = ("polytraders.adapters.polymarket", "polytraders.adapters.capture")
#: Keys of the venue's market / user channel and REST payloads and of our capture lines.
VENUE_KEYS = frozenset({
    "asset_id", "assets_ids", "event_type", "market", "timestamp", "hash", "last_trade_price",
    "new_tick_size", "old_tick_size", "price_changes", "winning_asset_id", "recv_ms", "channel", "frame",
    "maker_orders", "taker_order_id", "original_size", "size_matched", "associate_trades",
})
_READERS = frozenset({"get", "col", "field", "pop"})


def raw_keys() -> frozenset[str]:
    """Venue keys that no wire object has as a field name."""
    from polytraders.contracts import WIRE_MODELS

    normalised = {name for model in WIRE_MODELS.values() for name in model.model_fields}
    return VENUE_KEYS - normalised


def raw_reads(source: str, filename: str, keys: frozenset[str]) -> list[str]:
    """Every raw-layer import and raw field read in ``source``, as ``file:line: what``."""
    hits = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            hits += [
                f"{filename}:{node.lineno}: imports the raw layer {name}"
                for name in names if any(name == m or name.startswith(m + ".") for m in RAW_MODULES)
            ]
        elif isinstance(node, ast.Subscript) and _const(node.slice) in keys:
            hits.append(f"{filename}:{node.lineno}: reads raw payload field {_const(node.slice)!r}")
        elif isinstance(node, ast.Call) and _callee(node.func) in _READERS:
            hits += [
                f"{filename}:{node.lineno}: reads raw payload field {_const(arg)!r}"
                for arg in node.args[:1] if _const(arg) in keys
            ]
    return hits


def _const(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _callee(func: ast.AST) -> str | None:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def scan(bots_dir: Path = BOTS_DIR, classes: tuple[str, ...] = ("intel", "disc")) -> tuple[int, list[str]]:
    """Modules scanned under ``bots_dir/<class>/`` and the hits of :func:`raw_reads`."""
    keys = raw_keys()
    paths = sorted(p for c in classes for p in (Path(bots_dir) / c).glob("*.py") if p.name != "__init__.py")
    hits = [
        hit
        for path in paths
        for hit in raw_reads(path.read_text(encoding="utf-8"), str(path.relative_to(Path(bots_dir).parent)), keys)
    ]
    return len(paths), hits
