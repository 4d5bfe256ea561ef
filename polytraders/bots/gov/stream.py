"""Reading the envelope stream: the one place gov bots turn payload JSON into typed columns.

Not a bot: the P3 gov bots share it. Payloads are the canonical JSON of a wire object with
decimals as strings (:mod:`polytraders.runtime.envelopes`); they are decoded vectorised with
``str.json_decode`` and an explicit struct dtype, decimals read as strings and cast to
``Decimal(38, 6)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from polytraders.contracts.frames import DECIMAL_DTYPE, polars_schema

ENVELOPE = "ReportEnvelope"
#: Column holding an envelope's 0-based position in the stream as given (ties break on it).
ROW = "_row"
#: Column holding an envelope's first causation id (null when it names none).
CAUSE = "_cause"


def envelope_rows(envelopes: pl.DataFrame) -> pl.DataFrame:
    """The ReportEnvelope columns of ``envelopes`` (extra columns such as ``partition_day`` dropped),
    plus :data:`ROW` (Int64 stream position) and :data:`CAUSE` (first causation id)."""
    return envelopes.select(list(polars_schema(ENVELOPE))).with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW),
        pl.col("causation_ids").list.first().alias(CAUSE),
    )


def payload_rows(envelopes: pl.DataFrame, payload_type: str, fields: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """The envelopes of ``payload_type`` with the payload ``fields`` (name -> dtype) as columns.

    Envelope columns (:func:`envelope_rows`) are kept except ``payload``; a payload field must not
    share a name with one. Decimal fields are decoded from their JSON strings; a field absent from
    a payload is null.
    """
    rows = envelope_rows(envelopes)
    clash = set(fields) & set(rows.columns)
    if clash:
        raise ValueError(f"payload fields {sorted(clash)} clash with envelope columns")
    json_dtype = pl.Struct({name: pl.String() if dtype == DECIMAL_DTYPE else dtype for name, dtype in fields.items()})
    decoded = pl.col("payload").str.json_decode(json_dtype)
    return (
        rows.filter(pl.col("payload_type") == payload_type)
        .with_columns(decoded.struct.field(name).cast(dtype).alias(name) for name, dtype in fields.items())
        .drop("payload")
    )
