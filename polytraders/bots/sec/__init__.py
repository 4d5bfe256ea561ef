"""sec bots: one module per bot, slug `sec.<name>`."""
