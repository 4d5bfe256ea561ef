"""Polytraders: a shadow-first data-and-decision pipeline for Polymarket prediction markets.

Imports flow one way: ``contracts`` <- ``adapters`` <- ``bots`` <- ``runtime`` <- ``defs``.
"""

__version__ = "0.1.0"
