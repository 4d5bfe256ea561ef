"""`polytraders contracts ...`."""
import typer

app = typer.Typer(help="Wire contracts: verify and export JSON Schemas.", no_args_is_help=True)
