"""intel bots: one module per bot, slug `intel.<name>`."""
