"""Reporting wire objects: the envelope every decision travels in, and quarantine records."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from polytraders.contracts.base import WireModel
from polytraders.contracts.types import BotSlug, ReasonCode, Sha256Hex, TimestampMs


class ReportEnvelope(WireModel):
    """One bot decision as recorded in the event store.

    ``envelope_id`` is deterministic (sha256 of run partition, bot, sequence and payload) so a
    re-run of the same partition writes the same ids. ``config_version`` is a hash of the bot's
    effective config; ``causation_ids`` name the envelopes this one was derived from.
    """

    envelope_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    bot: BotSlug
    bot_version: str
    config_version: str = Field(pattern=r"^[0-9a-f]{16}$")
    run_id: str
    partition: str = Field(description="fixture day, YYYY-MM-DD")
    sequence: int = Field(ge=0, description="per-run, per-bot sequence number")
    causation_ids: tuple[str, ...] = ()
    ts_ms: TimestampMs = Field(description="the data's time of the decision")
    payload_type: str = Field(description="wire object name of the payload, e.g. RiskVote")
    payload: dict[str, Any]
    reason_codes: tuple[ReasonCode, ...] = ()


class QuarantineRecord(WireModel):
    """A raw input that could not be normalised, kept whole with the reason it was set aside."""

    source: str = Field(description="channel or file the input came from")
    receive_ts_ms: TimestampMs | None = Field(description="receive time, when the input had one")
    reason_code: ReasonCode
    detail: str = Field(description="what exactly was wrong (field, value, allowed range)")
    raw: str = Field(description="the raw input, verbatim")
    provenance_hash: Sha256Hex


class RunMetric(WireModel):
    """One figure of a shadow run (S11), e.g. rows out of a stage or rejections by reason code."""

    partition: str = Field(description="fixture day, YYYY-MM-DD")
    stage: str = Field(pattern=r"^S([1-9]|1[01])$")
    metric: str = Field(description="what is counted, e.g. rows_out, rejections, pnl_usdc")
    key: str = Field(description="breakdown key (table, reason code, bot), '' for none")
    value: float = Field(allow_inf_nan=False, description="the figure (finite)")
