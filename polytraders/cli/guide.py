"""``polytraders guide build|serve``: the dev guide as a static site."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from polytraders.defs.environment import REPO_ROOT
from polytraders.guide.serve import DEFAULT_PORT, HOST

#: Where the site is built unless ``--out`` says otherwise.
DEFAULT_OUT = REPO_ROOT / "var" / "guide"

app = typer.Typer(help="The dev guide: plan, status board, schemas, one page per bot.", no_args_is_help=True)
_Out = Annotated[Path, typer.Option("--out", help="site folder")]


@app.command("build")
def build(out: _Out = DEFAULT_OUT) -> None:
    """Render the guide from the evidence, the gates and schemas/manifest.json into OUT."""
    from polytraders.guide.build import build_site
    from polytraders.guide.data import collect_data

    written = build_site(collect_data(), out)
    typer.echo(f"built {len(written)} files into {out}")


@app.command("serve")
def serve(
    out: _Out = DEFAULT_OUT,
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = DEFAULT_PORT,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="build even if OUT holds a site")] = False,
) -> None:
    """Serve the guide on http://127.0.0.1:PORT (building it first if OUT has none)."""
    from polytraders.guide.serve import make_server

    if rebuild or not (out / "index.html").is_file():
        build(out)
    server = make_server(out, port, verbose=True)
    typer.echo(f"serving {out} on http://{HOST}:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
