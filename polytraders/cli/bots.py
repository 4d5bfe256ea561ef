"""`pt-bot ...`."""
import typer


def register(app: typer.Typer) -> None:
    """Add the pt-bot commands to ``app``."""
