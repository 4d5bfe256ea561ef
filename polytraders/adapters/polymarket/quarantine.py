"""Turning a parse failure into a QuarantineRecord: the adapter never raises on bad input."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import ValidationError

from polytraders.adapters.polymarket.parsing import MIN_EPOCH_MS, ParseError, provenance_hash
from polytraders.contracts import QuarantineRecord, WireModel
from polytraders.contracts.reason_codes import require

_ID_FIELDS = {"token_id", "condition_id", "winning_token_id", "token_ids"}
_TS_FIELDS = {"ts_ms", "source_ts_ms", "receive_ts_ms", "as_of_ms", "start_ts_ms", "end_ts_ms"}
_SIZE_FIELDS = {"size", "original_size", "size_matched", "min_order_size", "min_size"}
_PRICE_FIELDS = {"price", "best_bid", "best_ask", "tick_size", "old_tick_size", "new_tick_size", "mid"}
_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def quarantine(source: str, receive_ts_ms: int | None, code: str, detail: str, raw: str) -> QuarantineRecord:
    """A QuarantineRecord keeping ``raw`` verbatim; a receive time outside the ms range is dropped to None."""
    valid_ts = receive_ts_ms if isinstance(receive_ts_ms, int) and receive_ts_ms >= MIN_EPOCH_MS else None
    return QuarantineRecord(
        source=source,
        receive_ts_ms=valid_ts,
        reason_code=require(code),
        detail=detail,
        raw=raw,
        provenance_hash=provenance_hash(raw),
    )


def validation_code(exc: ValidationError) -> tuple[str, str]:
    """Map the first error of a pydantic ValidationError to (reason code, detail), deliberately per field.

    ids -> GOV_DQ_BAD_ID, timestamps -> GOV_DQ_TS_UNITS, price bounds -> GOV_DQ_PRICE_RANGE, size
    bounds -> GOV_DQ_NEGATIVE_SIZE, tick-grid / crossed-book model checks -> GOV_DQ_OFF_TICK /
    GOV_DQ_CROSSED_BOOK, missing -> GOV_DQ_MISSING_FIELD; anything else -> GOV_DQ_SCHEMA.
    """
    error = exc.errors()[0]
    names = {str(part) for part in error["loc"]}
    message = str(error["msg"])
    detail = f"{exc.title}.{'.'.join(str(part) for part in error['loc'])}: {message}"
    kind = error["type"]
    if kind == "missing":
        code = "GOV_DQ_MISSING_FIELD"
    elif names & _ID_FIELDS:
        code = "GOV_DQ_BAD_ID"
    elif names & _TS_FIELDS:
        code = "GOV_DQ_TS_UNITS"
    elif kind in _BOUND_ERRORS and names & _PRICE_FIELDS:
        code = "GOV_DQ_PRICE_RANGE"
    elif kind in _BOUND_ERRORS and names & _SIZE_FIELDS:
        code = "GOV_DQ_NEGATIVE_SIZE"
    elif "tick grid" in message:
        code = "GOV_DQ_OFF_TICK"
    elif "crossed book" in message:
        code = "GOV_DQ_CROSSED_BOOK"
    else:
        code = "GOV_DQ_SCHEMA"
    return code, detail


def guarded(
    build: Callable[[], Sequence[WireModel]],
    *,
    source: str,
    receive_ts_ms: int | None,
    raw: str,
    where: str = "",
) -> list[WireModel]:
    """Run ``build``; a ParseError or ValidationError becomes one QuarantineRecord, detail after ``where``."""
    try:
        return list(build())
    except ParseError as exc:
        return [quarantine(source, receive_ts_ms, exc.code, f"{where}{exc.detail}", raw)]
    except ValidationError as exc:
        code, detail = validation_code(exc)
        return [quarantine(source, receive_ts_ms, code, f"{where}{detail}", raw)]
