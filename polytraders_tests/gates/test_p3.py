"""runtime.gates: the P3 exit gate is green only on evidence."""

from __future__ import annotations

import pytest

from polytraders.gates import GateReport, GateResult, GateState, apply_locks, gates_green_through, p3_gate

BOTS = ("intel.microprice", "risk.killswitch")


def test_p3_gate_when_no_run_recorded_then_pending_naming_the_missing_evidence() -> None:
    result = p3_gate(BOTS, [], [])
    assert (result.state, result.missing) == (GateState.PENDING, ("no shadow run recorded in the event store",))


def test_p3_gate_when_every_bot_emits_and_no_free_text_then_green() -> None:
    result = p3_gate(BOTS, [*BOTS, "gov.data_quality_monitor"], [])
    assert (result.state, result.missing) == (GateState.GREEN, ())
    assert result.evidence == ("2 implemented bots all emit envelopes", "no free text in bot code")


def test_p3_gate_when_a_bot_prints_then_red_naming_the_hit_and_the_silent_bots() -> None:
    result = p3_gate(BOTS, ["intel.microprice"], ["polytraders/bots/intel/x.py:3: print()"])
    assert result.state is GateState.RED
    assert result.missing == (
        "polytraders/bots/intel/x.py:3: print()", "risk.killswitch: no envelope in the event store yet",
    )


def test_p3_gate_when_a_bot_is_silent_then_pending_naming_it() -> None:
    result = p3_gate(BOTS, ["intel.microprice"], [])
    assert result.state is GateState.PENDING
    assert result.missing == ("risk.killswitch: no envelope in the event store yet",)
    assert result.evidence == ("1 of 2 implemented bots emit envelopes", "no free text in bot code")


def _report(*states: GateState) -> GateReport:
    return GateReport(apply_locks(GateResult(n, st, missing=(f"P{n} evidence",)) for n, st in enumerate(states, 1)), ())


def test_gates_green_through_when_an_earlier_gate_not_green_then_false_naming_it() -> None:
    report = _report(GateState.GREEN, GateState.PENDING, GateState.GREEN, *[GateState.PENDING] * 5)
    assert gates_green_through(1, report) == (True, "gates P1–P1 green")
    assert gates_green_through(7, report) == (False, "gate P2 pending: P2 evidence")


@pytest.mark.parametrize("phase", [0, 9])
def test_gates_green_through_when_phase_out_of_range_then_value_error(phase: int) -> None:
    with pytest.raises(ValueError, match=f"phase {phase} not in 1..8"):
        gates_green_through(phase, _report(*[GateState.GREEN] * 8))
