"""Emit bot outputs as ReportEnvelopes into the event store: the one emit path of the runtime.

For each output frame of a bot (the frame form of its wire object):

1. every row is validated against the generated schema; a row that fails is not wrapped but
   stored whole as a QuarantineRecord (GOV_SCHEMA_FAILURE, the failing columns and checks in
   ``detail``, the row's JSON in ``raw``) and counted; a structural failure (missing column,
   wrong dtype) rejects the whole batch — nothing is ever written half;
2. the valid rows are wrapped (:func:`polytraders.runtime.envelopes.wrap`: bot and config
   versions, run id, partition, sequence, causation ids, registered reason codes);
3. envelopes and rejected payloads are appended to the store in one call each, idempotently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import polars as pl

from polytraders.contracts.frames import FrameValidationError, empty_frame, validate_frame
from polytraders.runtime.envelopes import RunInfo, wrap
from polytraders.runtime.event_store import ENVELOPES, PARTITION_COLUMN, SCHEMA, EventStore


@dataclass(frozen=True, slots=True)
class Emitted:
    """What one emit did: the stored envelope frame, rows rejected, rows newly inserted."""

    envelopes: pl.DataFrame
    rejected: int
    inserted: int


def _invalid_rows(payload_type: str, frame: pl.DataFrame) -> dict[int, str]:
    """Row index -> what failed, for the rows of ``frame`` that fail the generated schema.

    A column-level failure (missing column, wrong dtype: no row index) marks every row."""
    try:
        validate_frame(payload_type, frame)
        return {}
    except FrameValidationError as exc:
        cases = exc.failure_cases.select("index", "column", "check")
    everywhere = [f"{column}: {check}" for index, column, check in cases.iter_rows() if index is None]
    reasons: dict[int, list[str]] = {i: list(everywhere) for i in range(frame.height)} if everywhere else {}
    for index, column, check in cases.iter_rows():
        if index is not None:
            reasons.setdefault(int(index), []).append(f"{column}: {check}")
    return {i: "; ".join(r) for i, r in reasons.items()}


def _kept(frame: pl.DataFrame, expr: pl.Expr | None, keep: pl.Series) -> pl.Expr | None:
    """``expr`` evaluated on all of ``frame``, restricted to the kept rows, as a literal column."""
    return None if expr is None else pl.lit(frame.select(expr.alias("x"))["x"].filter(keep))


class Emitter:
    """Writes one run's envelopes for one partition into an :class:`EventStore`."""

    def __init__(self, store: EventStore, run: RunInfo) -> None:
        self.store = store
        self.run = run
        self._day = date.fromisoformat(run.partition)

    def emit(self, bot: str, bot_version: str, config_version: str, payload_type: str, frame: pl.DataFrame, *,
             reason_codes: pl.Expr | None = None, causation_ids: pl.Expr | None = None,
             ts_ms: pl.Expr | None = None) -> Emitted:
        """Validate, wrap and store ``frame`` (see the module docstring); returns :class:`Emitted`.

        ``reason_codes`` / ``causation_ids``: List(String) expressions over ``frame``'s rows;
        ``ts_ms``: the data's time per row (default the ``ts_ms`` column).
        Raises UnknownReasonCodeError for an unregistered code, SchemaDriftError if the store's
        columns changed.
        """
        bad = _invalid_rows(payload_type, frame)
        keep = pl.Series([i not in bad for i in range(frame.height)], dtype=pl.Boolean)
        rejected = self._reject(bot, payload_type, frame.filter(~keep), [bad[i] for i in sorted(bad)]) if bad else 0
        valid = frame.filter(keep)
        envelopes = wrap(self.run, bot, bot_version, config_version, payload_type, valid,
                         reason_codes=_kept(frame, reason_codes, keep), causation_ids=_kept(frame, causation_ids, keep),
                         ts_ms=_kept(frame, ts_ms, keep))
        stored = envelopes.with_columns(pl.lit(self._day, dtype=pl.Date).alias(PARTITION_COLUMN))
        return Emitted(stored, rejected, self.store.append(stored).inserted)

    def _reject(self, bot: str, payload_type: str, invalid: pl.DataFrame, reasons: list[str]) -> int:
        rows = invalid.with_columns(
            pl.col(n).cast(pl.String) for n, t in invalid.schema.items() if t == pl.Decimal
        ).select(pl.struct(pl.all()).struct.json_encode().alias("raw"))["raw"].to_list()
        records = pl.DataFrame({
            "source": [f"{bot}:{payload_type}"] * len(rows),
            "receive_ts_ms": pl.Series([None] * len(rows), dtype=pl.Int64),
            "reason_code": ["GOV_SCHEMA_FAILURE"] * len(rows),
            "detail": reasons,
            "raw": rows,
            "provenance_hash": [hashlib.sha256(r.encode()).hexdigest() for r in rows],
        }).select(empty_frame("QuarantineRecord").columns)
        stored = records.with_columns(pl.lit(self._day, dtype=pl.Date).alias(PARTITION_COLUMN))
        self.store.reject(stored)
        return len(rows)

    def envelope_ids(self, bot: str, key: str, bot_version: str, config_version: str) -> pl.DataFrame:
        """``key`` field of the payloads ``bot`` stored for this partition at this bot version and
        config -> envelope_id (columns ``key`` String, ``envelope_id`` String; payloads without
        the field are left out): how a consumer names the envelopes it was derived from.

        One row per key: when runs stored different payloads under one key (a re-run whose
        decisions changed upstream, e.g. a plan resized by a new risk config), the one stored
        last. A run that repeats an older run's payload exactly stores nothing new (the store is
        append-only by envelope id), so after such a flip-flop the key still names the later one.
        """
        with self.store.connect() as con:
            return con.execute(
                f"select json_extract_string(payload, '$.{key}') as {key}, envelope_id "
                f"from {SCHEMA}.{ENVELOPES} where {PARTITION_COLUMN} = ? and bot = ? and bot_version = ? "
                f"and config_version = ? and json_extract_string(payload, '$.{key}') is not null "
                f"qualify row_number() over (partition by json_extract_string(payload, '$.{key}') "
                f"order by rowid desc) = 1",
                [self._day, bot, bot_version, config_version],
            ).pl()

