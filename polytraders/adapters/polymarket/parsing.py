"""The single str -> number boundary of the Polymarket adapter.

Every price, size, token id and timestamp of a Polymarket payload is converted here and nowhere
else (the style of NautilusTrader's Polymarket adapter). Numbers never pass through ``float``:
JSON is parsed with ``parse_float=Decimal`` so Gamma's bare JSON numbers (``0.01``) become exact
decimals from their JSON text, and CLOB decimal strings (``"0.55"``) go straight to ``Decimal``.

Every helper raises :class:`ParseError` carrying a registered ``GOV_DQ_*`` reason code; the
public normalisers turn it into a :class:`~polytraders.contracts.QuarantineRecord`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from polytraders.contracts.market import on_tick_grid
from polytraders.contracts.reason_codes import require
from polytraders.contracts.types import DECIMAL_SCALE, Side

#: Epoch ms below this are seconds (1e12 ms = 2001-09-09): a ms field holding seconds is an error.
MIN_EPOCH_MS = 1_000_000_000_000
#: Epoch seconds at or above this are really milliseconds (1e11 s = year 5138).
MAX_EPOCH_S = 100_000_000_000

_TOKEN_ID = re.compile(r"^[0-9]{1,78}$")
_CONDITION_ID = re.compile(r"^0x[0-9a-fA-F]{64}$")
_INT = re.compile(r"^[0-9]+$")
_PLAIN_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ParseError(ValueError):
    """One field of a payload could not be normalised; ``code`` is a registered reason code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = require(code)
        self.detail = detail


def provenance_hash(raw: str) -> str:
    """sha256 hex digest of the raw payload's UTF-8 bytes."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def load_json(raw: str) -> Any:
    """Parse JSON text with every JSON float as an exact ``Decimal``.

    Raises ParseError(GOV_DQ_MALFORMED_JSON) on truncated or corrupt text.
    """
    try:
        return json.loads(raw, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError("GOV_DQ_MALFORMED_JSON", f"not valid JSON: {exc}") from exc


def field(obj: Mapping[str, Any], key: str, where: str = "") -> Any:
    """``obj[key]``; missing or null raises ParseError(GOV_DQ_MISSING_FIELD)."""
    value = obj.get(key)
    if value is None:
        raise ParseError("GOV_DQ_MISSING_FIELD", f"{where}{key} is missing or null")
    return value


def as_object(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` as a JSON object, else ParseError(GOV_DQ_SCHEMA)."""
    if not isinstance(value, Mapping):
        raise ParseError("GOV_DQ_SCHEMA", f"{where} is a {type(value).__name__}, expected an object")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    """``value`` as a JSON array, else ParseError(GOV_DQ_SCHEMA)."""
    if not isinstance(value, list):
        raise ParseError("GOV_DQ_SCHEMA", f"{where} is a {type(value).__name__}, expected an array")
    return value


def as_str(value: Any, where: str) -> str:
    """``value`` as a string, else ParseError(GOV_DQ_SCHEMA)."""
    if not isinstance(value, str):
        raise ParseError("GOV_DQ_SCHEMA", f"{where} is a {type(value).__name__}, expected a string")
    return value


def as_bool(value: Any, where: str) -> bool:
    """``value`` as a JSON boolean, else ParseError(GOV_DQ_SCHEMA)."""
    if not isinstance(value, bool):
        raise ParseError("GOV_DQ_SCHEMA", f"{where}={value!r} is not a boolean")
    return value


def decimal(value: Any, where: str) -> Decimal:
    """An exact finite Decimal from a plain decimal string (``-?digits[.digits]``, the venue's
    format), a JSON integer or a JSON-text Decimal.

    Raises ParseError(GOV_DQ_BAD_NUMBER) for anything else (words, "", "1e-2", "1_000", "+2",
    padded text, NaN, inf, booleans, floats).
    """
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ParseError("GOV_DQ_BAD_NUMBER", f"{where}={value!r} is not a decimal")
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value):
        raise ParseError("GOV_DQ_BAD_NUMBER", f"{where}={value!r} is not a decimal")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ParseError("GOV_DQ_BAD_NUMBER", f"{where}={value!r} is not a decimal") from exc
    if not number.is_finite():
        raise ParseError("GOV_DQ_BAD_NUMBER", f"{where}={value!r} is not finite")
    return number


def _exact(value: Any, where: str) -> Decimal:
    """A decimal with at most DECIMAL_SCALE (6) decimal places: the exact scale of every price,
    size and amount in the contracts' frame form. Else GOV_DQ_BAD_NUMBER."""
    number = decimal(value, where)
    if number.as_tuple().exponent < -DECIMAL_SCALE:  # type: ignore[operator]
        raise ParseError("GOV_DQ_BAD_NUMBER", f"{where}={value!r} has more than {DECIMAL_SCALE} decimal places")
    return number


def size(value: Any, where: str) -> Decimal:
    """A size in shares, >= 0, at most 6 decimals. Raises GOV_DQ_BAD_NUMBER / GOV_DQ_NEGATIVE_SIZE."""
    number = _exact(value, where)
    if number < 0:
        raise ParseError("GOV_DQ_NEGATIVE_SIZE", f"{where}={value!r} is negative")
    return number


def price(value: Any, where: str) -> Decimal:
    """A price in USDC per share in (0, 1), at most 6 decimals. Else GOV_DQ_BAD_NUMBER / GOV_DQ_PRICE_RANGE."""
    number = _exact(value, where)
    if not 0 < number < 1:
        raise ParseError("GOV_DQ_PRICE_RANGE", f"{where}={value!r} is outside (0, 1)")
    return number


def tick_size(value: Any, where: str) -> Decimal:
    """A tick size in (0, 1). Raises GOV_DQ_BAD_NUMBER / GOV_DQ_PRICE_RANGE."""
    return price(value, where)


def on_grid(value: Decimal, tick: Decimal, where: str) -> Decimal:
    """``value`` if it is an exact multiple of ``tick`` (exact Decimal arithmetic), else GOV_DQ_OFF_TICK."""
    if not on_tick_grid(value, tick):
        raise ParseError("GOV_DQ_OFF_TICK", f"{where}={value} is off the {tick} tick grid")
    return value


def token_id(value: Any, where: str = "asset_id") -> str:
    """A uint256 outcome token id as a decimal string of 1..78 digits (never a float). Else GOV_DQ_BAD_ID."""
    if not isinstance(value, str) or not _TOKEN_ID.fullmatch(value) or int(value) >= 2**256:
        raise ParseError("GOV_DQ_BAD_ID", f"{where}={value!r} is not a uint256 decimal string")
    return value


def condition_id(value: Any, where: str = "market") -> str:
    """A CTF condition id, 0x + 64 hex digits. Else GOV_DQ_BAD_ID."""
    if not isinstance(value, str) or not _CONDITION_ID.fullmatch(value):
        raise ParseError("GOV_DQ_BAD_ID", f"{where}={value!r} is not a 0x-prefixed 32-byte hex id")
    return value


def side(value: Any, where: str = "side") -> Side:
    """``BUY`` / ``SELL``. Else GOV_DQ_SCHEMA."""
    try:
        return Side(value)
    except ValueError as exc:
        raise ParseError("GOV_DQ_SCHEMA", f"{where}={value!r} is not BUY or SELL") from exc


def _epoch_int(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _INT.fullmatch(value):
        number = int(value)
    else:
        raise ParseError("GOV_DQ_TS_UNITS", f"{where}={value!r} is not an integer epoch timestamp")
    return number


def ts_ms(value: Any, where: str = "timestamp") -> int:
    """A field the venue sends in epoch MILLISECONDS (string or integer) -> int ms.

    A value below 1e12 is seconds, not ms: ParseError(GOV_DQ_TS_UNITS).
    """
    number = _epoch_int(value, where)
    if number < MIN_EPOCH_MS:
        raise ParseError("GOV_DQ_TS_UNITS", f"{where}={value!r} looks like seconds, expected epoch ms")
    return number


def ts_seconds_as_ms(value: Any, where: str) -> int:
    """A field the venue sends in epoch SECONDS (string or integer) -> int ms.

    A value of 1e11 or more is milliseconds, and a value in seconds before 2001-09-09 does not fit
    the ms wire type: both raise ParseError(GOV_DQ_TS_UNITS).
    """
    number = _epoch_int(value, where)
    if not MIN_EPOCH_MS // 1000 <= number < MAX_EPOCH_S:
        raise ParseError("GOV_DQ_TS_UNITS", f"{where}={value!r} is not an epoch-seconds value")
    return number * 1000


def iso_ms(value: Any, where: str) -> int:
    """An ISO-8601 date or datetime (``2026-03-12T09:25:00Z``, ``2026-03-12``; UTC if naive) -> epoch ms.

    Raises ParseError(GOV_DQ_TS_UNITS) when it is not ISO-8601 or falls before 2001-09-09.
    """
    try:
        moment = datetime.fromisoformat(as_str(value, where))
    except ValueError as exc:
        raise ParseError("GOV_DQ_TS_UNITS", f"{where}={value!r} is not an ISO-8601 date/time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    number = (moment - _EPOCH) // timedelta(milliseconds=1)
    if number < MIN_EPOCH_MS:
        raise ParseError("GOV_DQ_TS_UNITS", f"{where}={value!r} is before the epoch-ms range")
    return number


def json_list(value: Any, where: str) -> list[Any]:
    """A list field that Gamma sends as a JSON-ENCODED STRING (``"[\\"Yes\\", \\"No\\"]"``) or a plain array.

    Raises GOV_DQ_MALFORMED_JSON when the string does not decode, GOV_DQ_SCHEMA when it is no array.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise ParseError(
                "GOV_DQ_MALFORMED_JSON", f"{where}={value!r} is not a JSON-encoded array"
            ) from exc
    return as_list(value, where)


def integer(value: Any, where: str) -> int:
    """A non-negative integer, decimal string or JSON integer (``"0"``, ``10``). Else GOV_DQ_BAD_NUMBER."""
    number = decimal(value, where)
    if number < 0 or number != number.to_integral_value():
        raise ParseError("GOV_DQ_BAD_NUMBER", f"{where}={value!r} is not a non-negative integer")
    return int(number)
