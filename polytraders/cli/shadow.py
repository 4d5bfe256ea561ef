"""`polytraders shadow`."""


def shadow() -> None:
    """Run S1-S11 in shadow over one fixture day."""
    raise NotImplementedError
