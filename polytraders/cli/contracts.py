"""`polytraders contracts ...`: verify and export the published JSON Schemas (``schemas/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from polytraders.contracts import schemas

app = typer.Typer(help="Wire contracts: verify and export JSON Schemas.", no_args_is_help=True)

SchemasOption = Annotated[
    Path,
    typer.Option("--schemas", help="schemas directory (default: polytraders/../schemas)", file_okay=False),
]


@app.command()
def verify(schema_dir: SchemasOption = schemas.SCHEMAS_DIR) -> None:
    """Check the committed schemas against the models; exit 1 on any problem."""
    console = Console()
    problems = schemas.verify(schema_dir)
    if not problems:
        console.print(f"[green]contracts OK: {len(schemas.WIRE_MODELS)} schemas in {schema_dir} match")
        return
    table = Table(title=f"{len(problems)} contract problem(s) in {schema_dir}", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("problem", style="red", overflow="fold")
    for number, problem in enumerate(problems, start=1):
        table.add_row(str(number), problem)
    console.print(table)
    raise typer.Exit(code=1)


@app.command()
def export(schema_dir: SchemasOption = schemas.SCHEMAS_DIR) -> None:
    """Rewrite the schemas directory (schemas and manifest) from the models."""
    written = schemas.export(schema_dir)
    Console().print(f"[green]wrote {len(written)} files to {schema_dir}")
