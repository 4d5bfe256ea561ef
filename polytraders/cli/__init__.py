"""Command-line entry points (typer + rich).

``polytraders`` is the main app; each domain adds its sub-commands from its own module:
``contracts`` (verify / export schemas), ``shadow`` (the main job), and ``pt-bot`` (bot scaffolding).
"""

from polytraders.cli.app import app, bot_app

__all__ = ["app", "bot_app"]
