"""Wrap bot outputs in ReportEnvelopes: the runtime does it, bots never build envelopes.

``envelope_id`` = first 32 hex digits of sha256(partition | bot | bot_version | config_version |
sequence | payload JSON): the same partition re-run with the same bot and config gives the same
ids (the run id is recorded but is not part of the id), while a new bot version or config gives
new ids, so the append-only store keeps both decisions apart.
``config_version`` = the bot config's :meth:`~polytraders.bots.base.BotConfig.version_hash`.
The payload is the wire object's JSON (decimals as strings), stored as canonical JSON text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from polytraders.contracts.frames import empty_frame, validate_frame
from polytraders.contracts.reason_codes import require as require_registered

ENVELOPE = "ReportEnvelope"


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Identity of the run that emits: Dagster run id and partition (fixture day)."""

    run_id: str
    partition: str


def _payload_json(frame: pl.DataFrame) -> pl.Series:
    as_text = frame.with_columns(
        pl.col(name).cast(pl.String) for name, dtype in frame.schema.items() if dtype == pl.Decimal
    )
    return as_text.select(pl.struct(pl.all()).struct.json_encode().alias("payload")).to_series()


def wrap(
    run: RunInfo,
    bot: str,
    bot_version: str,
    config_version: str,
    payload_type: str,
    frame: pl.DataFrame,
    *,
    reason_codes: pl.Expr | None = None,
    causation_ids: pl.Expr | None = None,
    ts_ms: pl.Expr | None = None,
) -> pl.DataFrame:
    """Wrap each row of a bot's output ``frame`` (the frame form of ``payload_type``) in an envelope.

    Args:
        frame: the bot's output, validated against its generated schema.
        ts_ms: expression giving the data's time of each row (default: the ``ts_ms`` column).
        reason_codes: expression giving List(String) reason codes per row (default: none).
        causation_ids: expression giving List(String) envelope ids per row (default: none).

    Raises:
        UnknownReasonCodeError: a reason code is not in the registry (rejected where emitted).

    Returns:
        A ReportEnvelope frame (one row per input row, ``sequence`` = row number 0..n-1 in the
        frame's order), validated against the generated ReportEnvelope schema.
    """
    if frame.is_empty():
        return empty_frame(ENVELOPE)
    validate_frame(payload_type, frame)
    empty_list = pl.lit([], dtype=pl.List(pl.String))
    out = frame.select(
        (ts_ms if ts_ms is not None else pl.col("ts_ms")).alias("ts_ms"),
        (reason_codes if reason_codes is not None else empty_list).alias("reason_codes"),
        (causation_ids if causation_ids is not None else empty_list).alias("causation_ids"),
    ).with_columns(
        payload=_payload_json(frame),
        sequence=pl.int_range(pl.len(), dtype=pl.Int64),
    )
    for code in out["reason_codes"].explode().drop_nulls().unique():
        require_registered(code)
    ids = [
        hashlib.sha256(f"{run.partition}|{bot}|{bot_version}|{config_version}|{seq}|{payload}".encode()).hexdigest()[:32]
        for seq, payload in zip(out["sequence"], out["payload"], strict=True)
    ]
    out = out.with_columns(
        envelope_id=pl.Series(ids, dtype=pl.String),
        bot=pl.lit(bot),
        bot_version=pl.lit(bot_version),
        config_version=pl.lit(config_version),
        run_id=pl.lit(run.run_id),
        partition=pl.lit(run.partition),
        payload_type=pl.lit(payload_type),
    )
    return validate_frame(ENVELOPE, out.select(empty_frame(ENVELOPE).columns))
