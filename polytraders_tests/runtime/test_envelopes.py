"""runtime.envelopes.wrap: deterministic ids, sequence, payload JSON, typed empty frame."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal as D

import polars as pl
import pytest

from polytraders.contracts import ReportEnvelope, RiskVote
from polytraders.contracts.frames import FrameValidationError, empty_frame, from_frame, to_frame
from polytraders.contracts.reason_codes import UnknownReasonCodeError
from polytraders.runtime.envelopes import RunInfo, wrap

BOT = "risk.killswitch"
CONFIG_VERSION = "0123456789abcdef"
RUN = RunInfo(run_id="run-1", partition="2026-09-28")


@pytest.fixture
def votes(mk) -> list[RiskVote]:
    return [
        mk.vote("i1", BOT, 0, size="20"),
        mk.vote("i2", BOT, 100, "REJECT", "0", ("RISK_KILL_SWITCH",)),
        mk.vote("i3", BOT, 200, size="12.5"),
    ]


def _wrap(votes: list[RiskVote], run: RunInfo = RUN, **kw) -> pl.DataFrame:
    frame = to_frame("RiskVote", votes) if votes else empty_frame("RiskVote")
    return wrap(run, BOT, "1.0.0", CONFIG_VERSION, "RiskVote", frame, **kw)


def test_wrap_when_rows_then_one_envelope_each_with_sequence_and_identity(mk, votes) -> None:
    out = _wrap(votes, reason_codes=pl.col("reason_codes"))
    assert out.schema == empty_frame("ReportEnvelope").schema
    assert out["sequence"].to_list() == [0, 1, 2]
    assert out["ts_ms"].to_list() == [mk.T0, mk.T0 + 100, mk.T0 + 200]
    identity = out.select("bot", "bot_version", "config_version", "run_id", "partition", "payload_type")
    assert identity.unique().rows() == [(BOT, "1.0.0", CONFIG_VERSION, "run-1", "2026-09-28", "RiskVote")]
    assert out["reason_codes"].to_list() == [[], ["RISK_KILL_SWITCH"], []]
    assert out["causation_ids"].to_list() == [[], [], []]


def test_wrap_when_rows_then_id_is_sha256_of_partition_bot_versions_sequence_payload(votes) -> None:
    out = _wrap(votes)
    for seq, payload, envelope_id in out.select("sequence", "payload", "envelope_id").iter_rows():
        key = f"2026-09-28|{BOT}|1.0.0|{CONFIG_VERSION}|{seq}|{payload}"
        assert envelope_id == hashlib.sha256(key.encode()).hexdigest()[:32]


def test_wrap_when_config_version_changes_then_every_id_differs(votes) -> None:
    frame = to_frame("RiskVote", votes)
    before = wrap(RUN, BOT, "1.0.0", CONFIG_VERSION, "RiskVote", frame)["envelope_id"].to_list()
    after = wrap(RUN, BOT, "1.0.0", "f" * 16, "RiskVote", frame)["envelope_id"].to_list()
    assert not set(before) & set(after)


def test_wrap_when_rows_then_payload_is_row_json_with_decimals_as_strings(votes) -> None:
    out = _wrap(votes)
    payloads = [json.loads(text) for text in out["payload"]]
    assert list(payloads[2]) == ["approved_size", "bot", "decision", "intent_id", "reason_codes", "ts_ms"]  # sorted
    assert isinstance(payloads[2]["approved_size"], str) and D(payloads[2]["approved_size"]) == D("12.5")
    assert isinstance(payloads[2]["ts_ms"], int)
    assert payloads[1]["reason_codes"] == ["RISK_KILL_SWITCH"]
    assert [RiskVote.model_validate(p) for p in payloads] == votes  # the payload is the wire object
    assert all(" " not in text for text in out["payload"])  # compact text


def test_wrap_when_same_input_twice_then_same_ids(votes) -> None:
    assert _wrap(votes)["envelope_id"].to_list() == _wrap(votes)["envelope_id"].to_list()


def test_wrap_when_other_run_id_then_same_ids(votes) -> None:
    other = _wrap(votes, RunInfo(run_id="run-2", partition="2026-09-28"))
    assert other["envelope_id"].to_list() == _wrap(votes)["envelope_id"].to_list()
    assert other["run_id"].unique().to_list() == ["run-2"]


def test_wrap_when_other_partition_then_every_id_differs(votes) -> None:
    base = _wrap(votes)["envelope_id"].to_list()
    other = _wrap(votes, RunInfo(run_id="run-1", partition="2026-09-29"))["envelope_id"].to_list()
    assert all(a != b for a, b in zip(base, other, strict=True))


def test_wrap_when_rows_reordered_then_ids_follow_sequence(votes) -> None:
    # The same vote at another sequence number is another envelope: ids depend on the position.
    base = _wrap(votes)["envelope_id"].to_list()
    swapped = _wrap([votes[1], votes[0], votes[2]])["envelope_id"].to_list()
    assert swapped[2] == base[2] and set(swapped[:2]).isdisjoint(base[:2])


def test_wrap_when_ids_then_distinct_32_hex(votes) -> None:
    ids = _wrap(votes)["envelope_id"].to_list()
    assert len(set(ids)) == 3 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_wrap_when_empty_frame_then_typed_empty_envelope_frame() -> None:
    out = _wrap([])
    assert out.height == 0 and out.schema == empty_frame("ReportEnvelope").schema


def test_wrap_when_causation_given_then_recorded_per_row(votes) -> None:
    cause = "c" * 32
    out = _wrap(votes, causation_ids=pl.concat_list(pl.lit(cause)))
    assert out["causation_ids"].to_list() == [[cause]] * 3


def test_wrap_when_frame_breaks_schema_then_frame_validation_error(votes) -> None:
    frame = to_frame("RiskVote", votes).with_columns(decision=pl.lit("MAYBE"))
    with pytest.raises(FrameValidationError) as info:
        wrap(RUN, BOT, "1.0.0", CONFIG_VERSION, "RiskVote", frame)
    assert (info.value.object_name, info.value.columns) == ("RiskVote", ["decision"])


def test_wrap_when_round_tripped_then_envelopes_rebuild(votes) -> None:
    [first, *_] = from_frame("ReportEnvelope", _wrap(votes))
    assert isinstance(first, ReportEnvelope)
    assert (first.sequence, first.payload_type, RiskVote.model_validate(first.payload)) == (0, "RiskVote", votes[0])


def test_wrap_when_reason_code_unregistered_then_rejected_where_emitted(mk) -> None:
    # RISK_NOT_A_CODE matches the pattern (so the vote builds) but is not in the registry.
    frame = to_frame("RiskVote", [mk.vote("i9", BOT, 0, "REJECT", "0", ("RISK_NOT_A_CODE",))])
    with pytest.raises(UnknownReasonCodeError, match="RISK_NOT_A_CODE"):
        wrap(RUN, BOT, "1.0.0", CONFIG_VERSION, "RiskVote", frame, reason_codes=pl.col("reason_codes"))
