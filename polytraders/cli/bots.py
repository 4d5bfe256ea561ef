"""`pt-bot new | list | show`: scaffold and inspect the bots of the manifest."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from polytraders.bots import manifest
from polytraders.bots.manifest import BOT_CLASSES, BotSpec
from polytraders.bots.readiness import Evidence, compute_readiness
from polytraders.bots.scores import Scores, score
from polytraders.bots.templates import render_module, render_test

#: Strategies of this phase are scaffolded only once the gates of every earlier phase are green.
GATED_PHASE = 8
#: The repository that holds this package (``<root>/polytraders/cli/bots.py``).
DEFAULT_ROOT = Path(__file__).resolve().parents[2]


def register(app: typer.Typer) -> None:
    """Add the pt-bot commands to ``app``."""
    app.command("new")(new)
    app.command("list")(list_bots)
    app.command("show")(show)


def _refuse(message: str) -> typer.Exit:
    """Print ``message`` to stderr; the caller raises the returned non-zero exit."""
    Console(stderr=True).print(f"[bold red]refused:[/] {escape(message)}", soft_wrap=True, highlight=False)
    return typer.Exit(code=1)


def _spec(slug: str) -> BotSpec:
    """The manifest spec of ``slug``, or a refusal that suggests close slugs."""
    try:
        return manifest.get(slug)
    except manifest.UnknownBotError:
        close = difflib.get_close_matches(slug, manifest.slugs(), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see `pt-bot list`."
        raise _refuse(f"unknown bot {slug!r}: not one of the {len(manifest.BOTS)} bots; {hint}") from None


def _paths(spec: BotSpec, root: Path) -> tuple[Path, Path]:
    """The module and test paths of ``spec`` under the repository ``root``."""
    return (
        root / "polytraders" / "bots" / spec.bot_class / f"{spec.name}.py",
        root / "polytraders_tests" / "bots" / spec.bot_class / f"test_{spec.name}.py",
    )


def new(
    slug: Annotated[str, typer.Argument(help="bot slug <class>.<name>, as in the manifest")],
    root: Annotated[Path, typer.Option(help="repository root to scaffold into")] = DEFAULT_ROOT,
) -> None:
    """Scaffold a bot module and its (xfail) test from the manifest and the class template."""
    spec = _spec(slug)
    if spec.phase == GATED_PHASE:
        from polytraders.gates import evaluate, gates_green_through

        green, why = gates_green_through(GATED_PHASE - 1, evaluate(load_definitions=False))
        if not green:
            raise _refuse(
                f"{slug} is a P{GATED_PHASE} strategy: gates P1–P{GATED_PHASE - 1} must be green ({why})."
            )
    module_path, test_path = _paths(spec, root)
    for path in (module_path, test_path):
        if path.exists():
            raise _refuse(f"{path} already exists: {slug} is not scaffolded twice.")
    console = Console()
    for path, text in ((module_path, render_module(spec)), (test_path, render_test(spec))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        console.print(f"created {path}", soft_wrap=True, highlight=False)
    console.print(f"next: fill in the Method, Config and entry point; replace the xfail test of {slug}.")


def _print_whole(table: Table) -> None:
    """Print ``table`` at its natural width even where the console is narrower: no cell is cut."""
    console = Console()
    natural = console.measure(table, options=console.options.update_width(10_000)).maximum
    console.width = max(console.width, natural)
    console.print(table)


def _evidence() -> Evidence:
    """The evidence of the environment's event store and bot modules (what the guide reads too)."""
    from polytraders.defs.evidence import collect

    return collect()


def _scores(spec: BotSpec, evidence: Evidence) -> Scores:
    """docs / impl / runtime of ``spec`` on this repository's files and ``evidence``."""
    return score(spec, evidence, DEFAULT_ROOT)


def list_bots(
    bot_class: Annotated[str | None, typer.Option("--class", help=f"one of {', '.join(BOT_CLASSES)}")] = None,
    phase: Annotated[int | None, typer.Option(min=1, max=8, help="build phase 1..8")] = None,
) -> None:
    """Table of the bots: slug, class, phase, stages, impact, modes, computed readiness and the
    docs / impl / runtime scores (shown beside readiness, never counted in it)."""
    if bot_class is not None and bot_class not in BOT_CLASSES:
        raise _refuse(f"unknown class {bot_class!r}: one of {', '.join(BOT_CLASSES)}.")
    specs = [
        spec for spec in manifest.BOTS if bot_class in (None, spec.bot_class) and phase in (None, spec.phase)
    ]
    evidence = _evidence()
    table = Table(title=f"{len(specs)} bots", box=box.SIMPLE_HEAD)
    for column in ("slug", "class", "phase", "stages", "impact", "modes", "readiness", "docs", "impl", "runtime"):
        table.add_column(column, no_wrap=True, justify="right" if column in ("docs", "impl", "runtime") else "left")
    for spec in specs:
        scores = _scores(spec, evidence)
        table.add_row(
            spec.slug,
            spec.bot_class,
            f"P{spec.phase}",
            " ".join(spec.stages),
            spec.capital_impact.value,
            " ".join(spec.modes),
            compute_readiness(spec, evidence).value,
            f"{scores.docs:.2f}",
            f"{scores.impl:.2f}",
            f"{scores.runtime:.2f}",
        )
    _print_whole(table)


def show(slug: Annotated[str, typer.Argument(help="bot slug <class>.<name>")]) -> None:
    """Every manifest field of one bot, its computed readiness, its module path and its scores
    with the details each is computed from."""
    spec = _spec(slug)
    evidence = _evidence()
    scores = _scores(spec, evidence)
    table = Table(show_header=False, title=spec.slug)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value")
    rows = {
        "class": spec.bot_class,
        "phase": f"P{spec.phase}",
        "stages": ", ".join(spec.stages),
        "capital impact": spec.capital_impact.value,
        "modes": ", ".join(spec.modes),
        "emits": spec.emits,
        "reason codes": ", ".join(spec.reason_codes),
        "version": spec.version,
        "summary": spec.summary,
        "deprecated": str(spec.deprecated).lower(),
        "readiness": compute_readiness(spec, evidence).value,
        "module": str(_paths(spec, DEFAULT_ROOT)[0].relative_to(DEFAULT_ROOT)),
        "docs score": f"{scores.docs:.2f} (never counts toward readiness)",
        "impl score": f"{scores.impl:.2f}",
        "runtime score": f"{scores.runtime:.2f}",
        **{f"  {key}": value for key, value in scores.details.items()},
    }
    for field, value in rows.items():
        table.add_row(field, value)
    _print_whole(table)
