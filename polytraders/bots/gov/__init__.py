"""gov bots: one module per bot, slug `gov.<name>`."""
