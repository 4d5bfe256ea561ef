"""runtime.gates: the P3 exit gate is green only on evidence."""

from __future__ import annotations

from polytraders.gates import GateState, p3_gate

BOTS = ("intel.microprice", "risk.killswitch")


def test_p3_gate_when_no_run_recorded_then_pending_naming_the_missing_evidence() -> None:
    result = p3_gate(BOTS, [], [])
    assert (result.state, result.missing) == (GateState.PENDING, ("no shadow run recorded in the event store",))


def test_p3_gate_when_every_bot_emits_and_no_free_text_then_green() -> None:
    result = p3_gate(BOTS, [*BOTS, "gov.data_quality_monitor"], [])
    assert (result.state, result.missing) == (GateState.GREEN, ())
    assert result.evidence == ("2 implemented bots all emit envelopes", "no free text in bot code")


def test_p3_gate_when_a_bot_is_silent_or_prints_then_red_naming_each() -> None:
    result = p3_gate(BOTS, ["intel.microprice"], ["polytraders/bots/intel/x.py:3: print()"])
    assert result.state is GateState.RED
    assert result.missing == (
        "risk.killswitch: no envelope in the event store", "polytraders/bots/intel/x.py:3: print()",
    )
