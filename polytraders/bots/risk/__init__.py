"""risk bots: one module per bot, slug `risk.<name>`."""
