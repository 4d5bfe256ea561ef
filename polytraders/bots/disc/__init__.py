"""disc bots: one module per bot, slug `disc.<name>`."""
