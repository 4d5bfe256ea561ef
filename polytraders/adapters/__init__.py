"""Venue adapters: the boundary where raw venue payloads become typed wire objects.

Each venue adapter normalises raw text into :mod:`polytraders.contracts` objects and
:class:`~polytraders.contracts.QuarantineRecord` s; it never raises on bad input.
"""
