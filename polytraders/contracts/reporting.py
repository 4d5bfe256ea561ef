"""Reporting wire objects: the envelope every decision travels in, quarantine records (inputs set
aside) and data-quality findings (inputs admitted but outside a budget)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from polytraders.contracts.base import WireModel
from polytraders.contracts.reason_codes import REGISTRY
from polytraders.contracts.types import (
    BotSlug,
    ConditionId,
    Measure,
    ReasonCode,
    Severity,
    Sha256Hex,
    TimestampMs,
    TokenId,
)


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


class DataQualityFinding(WireModel):
    """Admitted data that breaks a data-quality budget: the object stays admitted, the finding says
    what is wrong with it and by how much (a QuarantineRecord, by contrast, is an input set aside).

    ``observed`` and ``budget`` are exact decimals in ``unit``; ``severity`` is the registry's
    severity of ``reason_code`` (checked: a ValidationError names the mismatch or an unregistered code).
    """

    bot: BotSlug = Field(description="the bot that made the finding (gov.data_quality_monitor)")
    condition_id: ConditionId = Field(description="market of the flagged object")
    token_id: TokenId | None = Field(description="outcome token of the flagged object; null for a market-wide finding")
    ts_ms: TimestampMs = Field(description="data time of the flagged object (its venue timestamp)")
    reason_code: ReasonCode
    severity: Severity = Field(description="the reason code's severity in the registry")
    detail: str = Field(description="what exactly is outside its budget (field, side, value, budget)")
    observed: Measure = Field(description="the measured value, in unit")
    budget: Measure = Field(description="the budget it was checked against, in unit")
    unit: Literal["ms", "ticks", "shares", "USDC per share"] = Field(description="unit of observed and budget")
    provenance_hash: Sha256Hex = Field(description="provenance hash of the flagged object's raw payload")

    @model_validator(mode="after")
    def _severity_of_code(self) -> DataQualityFinding:
        info = REGISTRY.get(self.reason_code)
        if info is None:
            raise ValueError(f"reason code {self.reason_code} is not registered")
        if self.severity != info.severity:
            raise ValueError(f"severity {self.severity} != {info.severity}, the registry's for {self.reason_code}")
        return self


class RunMetric(WireModel):
    """One figure of a shadow run (S11), e.g. rows out of a stage or rejections by reason code.

    ``run_id`` names the run the figure is of: a day re-run with other decisions keeps both runs'
    figures on the append-only stream, and a report reads one run's.
    """

    #: 1.1.0: ``run_id`` added.
    SCHEMA_VERSION: ClassVar[str] = "1.1.0"

    partition: str = Field(description="fixture day, YYYY-MM-DD")
    run_id: str = Field(min_length=1, description="the shadow run these figures are of")
    stage: str = Field(pattern=r"^S([1-9]|1[01])$")
    metric: str = Field(description="what is counted, e.g. rows_out, rejections, pnl_usdc")
    key: str = Field(description="breakdown key (table, reason code, bot), '' for none")
    value: float = Field(allow_inf_nan=False, description="the figure (finite)")
