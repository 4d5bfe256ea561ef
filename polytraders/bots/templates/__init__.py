"""Scaffold templates for ``pt-bot new``: a bot module and its test module, from the manifest.

Templates are :class:`string.Template` constants (package code, so they ship with the package);
the per-class part is the entry-point :class:`~polytraders.bots.templates.shapes.Shape` picked
by what the bot emits. A scaffold's entry point raises ``NotImplementedError`` and its test is
``xfail(strict=True, reason="scaffold")``, so a scaffold is never reported as done.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable
from string import Template

from polytraders.bots.manifest import BotSpec
from polytraders.bots.templates.shapes import SHAPES, Shape

#: Longest generated line (the project's ruff line length).
LINE_LENGTH = 120  # = [tool.ruff] line-length in pyproject.toml
_STDLIB = frozenset({"decimal"})

_MODULE = Template('''\
"""$title

Method
    Fill in: the formula, its units and rounding, and its source (paper, venue doc or anchor).

Inputs
$inputs_doc

Returns
$returns_doc

Reason codes
$reason_codes

Raises
    pydantic.ValidationError — invalid config.
"""

from __future__ import annotations

$imports

SLUG = "$slug"
VERSION = "$version"


class Config(BotConfig):
    """Parameters of $slug."""

    example_window_ms: int = Field(
        default=60_000, ge=1, description="example: replace with the bot's parameters, units in names; ms"
    )


$signature
    """Fill in: one line on what it returns; the module docstring has the details."""
    raise NotImplementedError("scaffold: implement $slug")
''')

_TEST = Template('''\
"""Tests of $slug.

Each test asserts exact values worked out by hand and the exact reason codes; add edge tables
(price at tick and 1 − tick, empty book, stale book, zero inventory) and a determinism check.
"""

from __future__ import annotations

$test_imports

${test_setup}def test_module_when_imported_then_has_the_bot_shape() -> None:
    assert SLUG == "$slug"
    assert isinstance(Config(), BotConfig)


@pytest.mark.xfail(strict=True, reason="scaffold")
def test_${entry}_when_scaffolded_then_replace_with_hand_worked_cases() -> None:
    $entry($test_args, Config())
''')


def _signature(shape: Shape) -> str:
    """The entry point's ``def`` line(s), wrapped like the formatter would."""
    parameters = f"{shape.parameters}, config: Config"
    line = f"def {shape.entry}({parameters}) -> {shape.returns}:"
    if len(line) <= LINE_LENGTH:
        return line
    return f"def {shape.entry}(\n    {parameters}\n) -> {shape.returns}:"


def _reason_codes(spec: BotSpec) -> str:
    return textwrap.fill(
        ", ".join(spec.reason_codes) + ".", LINE_LENGTH, initial_indent="    ", subsequent_indent="    "
    )


def _section(module: str) -> int:
    """isort section of a top-level module: standard library, third party, first party."""
    if module.startswith("polytraders"):
        return 2
    return 0 if module in _STDLIB else 1


def _name_key(name: str) -> tuple[int, str]:
    """isort's order by type: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def _import_block(statements: Iterable[str]) -> str:
    """Statements sorted and merged the way ruff's isort rules want them."""
    plain: set[str] = set()
    names: dict[str, set[str]] = defaultdict(set)
    for statement in statements:
        module, _, imported = statement.removeprefix("from ").partition(" import ")
        if imported and statement.startswith("from "):
            names[module].update(name.strip() for name in imported.split(","))
        else:
            plain.add(statement)
    sections: dict[int, list[str]] = defaultdict(list)
    for statement in sorted(plain):
        sections[_section(statement.split()[1])].append(statement)
    for module in sorted(names):
        sections[_section(module)].append(
            f"from {module} import {', '.join(sorted(names[module], key=_name_key))}"
        )
    return "\n\n".join("\n".join(sections[key]) for key in sorted(sections))


def render_module(spec: BotSpec) -> str:
    """Source of the scaffold module ``polytraders/bots/<class>/<name>.py`` of ``spec``."""
    shape = SHAPES[spec.emits]
    title = textwrap.fill(f"{spec.slug} — {spec.summary}.", LINE_LENGTH - 4, subsequent_indent="")
    return _MODULE.substitute(
        title=title,
        inputs_doc=f"{shape.inputs_doc}\n    ``config`` — :class:`Config`.",
        returns_doc=shape.returns_doc,
        reason_codes=_reason_codes(spec),
        imports=_import_block(
            ("from pydantic import Field", "from polytraders.bots.base import BotConfig", *shape.imports)
        ),
        slug=spec.slug,
        version=spec.version,
        signature=_signature(shape),
    )


def render_test(spec: BotSpec) -> str:
    """Source of the scaffold test ``polytraders_tests/bots/<class>/test_<name>.py`` of ``spec``."""
    shape = SHAPES[spec.emits]
    return _TEST.substitute(
        slug=spec.slug,
        entry=shape.entry,
        test_imports=_import_block(
            (
                "import pytest",
                "from polytraders.bots.base import BotConfig",
                f"from polytraders.bots.{spec.bot_class}.{spec.name} import SLUG, Config, {shape.entry}",
                *shape.test_imports,
            )
        ),
        test_setup=f"{shape.test_setup}\n\n\n" if shape.test_setup else "\n",
        test_args=shape.test_args,
    )


__all__ = ["LINE_LENGTH", "render_module", "render_test"]
