"""strat bots: one module per bot, slug `strat.<name>`."""
