"""Source checks every bot module must pass: bots emit ReportEnvelopes, never free text.

A bot returns its decisions; the runtime wraps them in envelopes. So a bot module must not call
``print``, must not import ``logging`` (or ``loguru`` / ``structlog``) and must not call a
``.debug/.info/.warning/.error/.exception/.critical`` method on anything (a logger by another
name), nor ``.log(level, message, ...)`` with two or more arguments — a one-argument ``.log(base)``
is the logarithm of polars and numpy, not a logger. Checked on the syntax tree, not with a
regex, so strings and comments that merely mention ``print(`` do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOTS_DIR = Path(__file__).resolve().parent
_LOGGING_MODULES = frozenset({"logging", "loguru", "structlog"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical"})


def _is_logger_call(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    if call.func.attr == "log":
        return len(call.args) + len(call.keywords) >= 2
    return call.func.attr in _LOG_METHODS


def free_text_calls(source: str, filename: str = "<bot>") -> list[str]:
    """Every free-text output in ``source``, as ``file:line: what`` (empty when clean)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append(f"{filename}:{node.lineno}: print()")
        elif isinstance(node, ast.Call) and _is_logger_call(node):
            found.append(f"{filename}:{node.lineno}: .{node.func.attr}() (a logger call)")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{filename}:{node.lineno}: import {n}" for n in names if n.split(".")[0] in _LOGGING_MODULES]
    return found


def scan_bots(bots_dir: Path = BOTS_DIR) -> list[str]:
    """:func:`free_text_calls` over every module of the bot classes under ``bots_dir``."""
    return [
        hit
        for path in sorted(bots_dir.glob("*/*.py"))
        for hit in free_text_calls(path.read_text(encoding="utf-8"), str(path.relative_to(bots_dir.parent)))
    ]
