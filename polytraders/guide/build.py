"""Render :class:`~polytraders.guide.data.GuideData` into a static site (jinja2, one CSS file).

Pages: ``index.html``, ``plan.html``, ``status.html``, ``schemas.html``, ``done.html`` and
``bots/<slug>.html`` per bot; the published schemas are copied to ``schemas/`` so the schemas page
links resolve locally. The output is deterministic: the same data gives the same bytes (sorted,
no wall-clock time; the only time shown is the evidence's own).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from polytraders.bots.manifest import BOT_CLASSES, PHASES, STAGES
from polytraders.guide.data import (
    DEFINITION_OF_DONE,
    FORBIDDEN_PATTERNS,
    READINESS_ORDER,
    GuideData,
    SchemaEntry,
    load_schemas,
)

_HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = _HERE / "templates"
STATIC_DIR = _HERE / "static"
CSS_FILE = "guide.css"
#: Top-level pages: (file, template, navigation title).
PAGES: tuple[tuple[str, str, str], ...] = (
    ("index.html", "index.html.j2", "Guide"),
    ("plan.html", "plan.html.j2", "Plan"),
    ("status.html", "status.html.j2", "Status"),
    ("schemas.html", "schemas.html.j2", "Schemas"),
    ("done.html", "done.html.j2", "Definition of done"),
)


def environment() -> Environment:
    """The jinja2 environment: package templates, HTML autoescaping, undefined names fail."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def build_site(data: GuideData, out_dir: Path) -> list[Path]:
    """Render every page of ``data`` into ``out_dir`` (emptied first); returns the files written, sorted."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / "bots").mkdir(parents=True)
    env = environment()
    common = {
        "data": data,
        "pages": PAGES,
        "readiness_order": READINESS_ORDER,
        "readiness_counts": data.readiness_counts(),
        "bot_classes": BOT_CLASSES,
        "phases": PHASES,
        "stages": STAGES,
        "definition_of_done": DEFINITION_OF_DONE,
        "forbidden_patterns": FORBIDDEN_PATTERNS,
    }
    written = []
    for file, template, title in PAGES:
        written.append(_write(env, template, out_dir / file, common, root="", page=file, title=title))
    for bot in data.bots_sorted():
        path = out_dir / "bots" / f"{bot.spec.slug}.html"
        written.append(_write(env, "bot.html.j2", path, common, root="../", page="", title=bot.spec.slug, bot=bot))
    shutil.copyfile(STATIC_DIR / CSS_FILE, out_dir / CSS_FILE)
    written.append(out_dir / CSS_FILE)
    if data.schema_dir is not None:
        (out_dir / "schemas").mkdir()
        for entry in data.schemas:
            target = out_dir / "schemas" / entry.file
            shutil.copyfile(data.schema_dir / entry.file, target)
            written.append(target)
    return sorted(written)


@dataclass(frozen=True, slots=True)
class _SchemasOnly:
    schemas: tuple[SchemaEntry, ...]
    schema_dir: Path | None


def render_schemas_page(schema_dir: Path) -> str:
    """The schemas page's table rendered from ``schema_dir/manifest.json`` alone.

    The P1 exit gate (:mod:`polytraders.gates.checks`) calls this to check that the page renders
    every manifest object; it reads nothing else, so the gate check never recurses into the gates.
    """
    _version, schemas = load_schemas(schema_dir)
    return environment().get_template("_schemas_table.html.j2").render(data=_SchemasOnly(schemas, schema_dir))


def _write(env: Environment, template: str, path: Path, common: dict, **context: object) -> Path:
    path.write_text(env.get_template(template).render(**common, **context), encoding="utf-8")
    return path
