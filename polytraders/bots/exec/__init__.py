"""exec bots: one module per bot, slug `exec.<name>`."""
