"""Polymarket CLOB v2 adapter: normalisation of raw venue payloads into wire objects.

Every public function takes raw text and returns a list of wire objects and
:class:`~polytraders.contracts.QuarantineRecord` s; none raises on bad input. All string -> number
conversion happens in :mod:`polytraders.adapters.polymarket.parsing`.
"""

from polytraders.adapters.polymarket.book_frames import NormalisedCapture, normalise_capture
from polytraders.adapters.polymarket.gamma import normalise_gamma_markets
from polytraders.adapters.polymarket.market import normalise_market_frame
from polytraders.adapters.polymarket.models import BookDelta
from polytraders.adapters.polymarket.rest import (
    normalise_book_response,
    normalise_markets_page,
    normalise_trades_response,
)
from polytraders.adapters.polymarket.user import normalise_user_frame

__all__ = [
    "BookDelta",
    "NormalisedCapture",
    "normalise_book_response",
    "normalise_capture",
    "normalise_gamma_markets",
    "normalise_market_frame",
    "normalise_markets_page",
    "normalise_trades_response",
    "normalise_user_frame",
]
