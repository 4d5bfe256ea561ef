"""gov.heartbeat: per-run, per-bot liveness against the run's last envelope time."""

from __future__ import annotations

import pydantic
import pytest

from polytraders.bots.gov import heartbeat
from polytraders.contracts.frames import empty_frame

TS = 1_700_000_000_000
CFG = heartbeat.Config()  # max_silence_ms = 60_000


def test_run_when_bots_go_quiet_then_silence_and_alive_per_bot(stream) -> None:
    intent = stream.intent("i1", TS)  # strat.maker_tight: TS only
    stream.vote("v1", "risk.killswitch", intent, TS + 30_000)  # last at TS + 30 s
    stream.signal("s1", TS + 10_000)
    stream.signal("s2", TS + 90_000)  # microprice: last at TS + 90 s = the run's last envelope

    out = heartbeat.run(stream.frame(), CFG)

    # silence = 90_000 - last: microprice 0, maker_tight 90_000 (> 60_000: missed), killswitch 60_000 (== budget)
    assert out.select("stage", "bot", "first_ts_ms", "last_ts_ms", "envelope_count", "silence_ms", "alive").rows() == [
        ("S4", "intel.microprice", TS + 10_000, TS + 90_000, 2, 0, True),
        ("S5", "strat.maker_tight", TS, TS, 1, 90_000, False),
        ("S7", "risk.killswitch", TS + 30_000, TS + 30_000, 1, 60_000, True),
    ]
    assert out["reason_codes"].to_list() == [[], ["GOV_HEARTBEAT_MISSED"], []]
    assert set(out["ts_ms"]) == {TS + 90_000}
    assert set(out["run_id"]) == {"run-1"}


def test_run_when_two_runs_then_each_measured_against_its_own_last_envelope(stream) -> None:
    stream.signal("a1", TS, run_id="run-a")
    stream.signal("b1", TS + 500_000, run_id="run-b")

    out = heartbeat.run(stream.frame(), CFG)

    # each run has one envelope: its own last, silence 0 (not 500_000 against the other run)
    assert out.select("run_id", "silence_ms", "alive").rows() == [("run-a", 0, True), ("run-b", 0, True)]


@pytest.mark.parametrize(("budget_ms", "alive"), [(9_999, False), (10_000, True), (0, False)])
def test_run_when_budget_at_boundary_then_alive_iff_silence_within(stream, budget_ms: int, alive: bool) -> None:
    stream.signal("s1", TS)
    stream.quarantine("q1", TS + 10_000)  # silence of microprice = 10_000

    out = heartbeat.run(stream.frame(), heartbeat.Config(max_silence_ms=budget_ms))

    assert out.filter(bot="intel.microprice")["alive"].to_list() == [alive]
    assert out.filter(bot="gov.data_quality_monitor").select("stage", "alive").rows() == [("S10", True)]


def test_run_when_stream_empty_then_typed_empty() -> None:
    assert heartbeat.run(empty_frame("ReportEnvelope"), CFG).equals(empty_frame("Heartbeat"))


def test_config_when_negative_budget_then_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="max_silence_ms"):
        heartbeat.Config(max_silence_ms=-1)


def test_run_when_same_input_twice_then_same_output(stream) -> None:
    stream.signal("s1", TS)
    stream.intent("i1", TS + 1)
    frame = stream.frame()
    assert heartbeat.run(frame, CFG).equals(heartbeat.run(frame, CFG))
