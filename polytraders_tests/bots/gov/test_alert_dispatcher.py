"""gov.alert_dispatcher: severity from the registry, threshold, routing per severity."""

from __future__ import annotations

import pydantic
import pytest

from polytraders.bots.gov import alert_dispatcher
from polytraders.contracts.frames import empty_frame
from polytraders.contracts.types import Severity

TS = 1_700_000_000_000
CFG = alert_dispatcher.Config()  # min ERROR, sinks ("file",)


def _severe_stream(stream) -> dict[str, str]:
    intent = stream.intent("i", TS)  # STRAT_QUOTE: INFO
    return {
        "stale": stream.vote("stale", "risk.stale_book", intent, TS + 1, decision="REJECT",
                             code="RISK_STALE_BOOK"),  # WARN
        "comp": stream.vote("comp", "risk.compliance_gate", intent, TS + 2, decision="REJECT",
                            code="RISK_COMPLIANCE"),  # ERROR
        "kill": stream.vote("kill", "risk.killswitch", intent, TS + 3, decision="REJECT",
                            code="RISK_KILL_SWITCH"),  # CRITICAL
        "dq": stream.quarantine("dq", TS + 4, code="GOV_DQ_CROSSED_BOOK"),  # ERROR
    }  # fmt: skip


def test_run_when_default_threshold_then_error_and_critical_envelopes_alert_in_stream_order(stream) -> None:
    ids = _severe_stream(stream)

    out = alert_dispatcher.run(stream.frame(), CFG)

    assert out.select("envelope_id", "bot", "ts_ms", "severity", "reason_codes", "sinks").rows() == [
        (ids["comp"], "risk.compliance_gate", TS + 2, "ERROR", ["RISK_COMPLIANCE"], ["file"]),
        (ids["kill"], "risk.killswitch", TS + 3, "CRITICAL", ["RISK_KILL_SWITCH"], ["file"]),
        (ids["dq"], "gov.data_quality_monitor", TS + 4, "ERROR", ["GOV_DQ_CROSSED_BOOK"], ["file"]),
    ]
    assert out["summary"][1] == (
        "CRITICAL risk.killswitch RiskVote: RISK_KILL_SWITCH — global kill switch engaged: every new intent denied"
    )


@pytest.mark.parametrize(
    ("threshold", "alerting"),
    [(Severity.INFO, 5), (Severity.WARN, 4), (Severity.ERROR, 3), (Severity.CRITICAL, 1)],
)
def test_run_when_threshold_varies_then_alerts_at_or_above_it(stream, threshold: Severity, alerting: int) -> None:
    _severe_stream(stream)
    assert alert_dispatcher.run(stream.frame(), alert_dispatcher.Config(min_severity=threshold)).height == alerting


def test_run_when_severity_mapped_then_routed_to_its_sinks(stream) -> None:
    _severe_stream(stream)
    config = alert_dispatcher.Config(sinks=("file",), sinks_by_severity={Severity.CRITICAL: ("file", "webhook")})

    out = alert_dispatcher.run(stream.frame(), config)

    assert out.select("severity", "sinks").rows() == [
        ("ERROR", ["file"]), ("CRITICAL", ["file", "webhook"]), ("ERROR", ["file"]),
    ]  # fmt: skip


def test_run_when_several_codes_then_highest_severity_and_its_meaning(stream) -> None:
    env = stream.add("multi", "exec.order_shaper", None, TS, payload_type="ExecutionPlan",
                     codes=("EXEC_BELOW_MIN_SIZE", "RISK_BOT_FAILED", "EXEC_PRICE_OUT_OF_BAND"))  # WARN, CRIT, ERROR

    out = alert_dispatcher.run(stream.frame(), CFG)

    assert out.select("envelope_id", "severity", "reason_codes").rows() == [
        (env, "CRITICAL", ["EXEC_BELOW_MIN_SIZE", "RISK_BOT_FAILED", "EXEC_PRICE_OUT_OF_BAND"])
    ]
    assert out["summary"][0] == (
        "CRITICAL exec.order_shaper ExecutionPlan: EXEC_BELOW_MIN_SIZE,RISK_BOT_FAILED,EXEC_PRICE_OUT_OF_BAND — "
        "a risk bot raised: fail closed"
    )


def test_run_when_code_unregistered_then_critical_fail_closed(stream) -> None:
    stream.add("odd", "gov.reconciler", None, TS, payload_type="RunMetric", codes=("GOV_NOT_A_CODE",))

    out = alert_dispatcher.run(stream.frame(), alert_dispatcher.Config(min_severity=Severity.CRITICAL))

    assert out.select("severity", "summary").rows() == [
        ("CRITICAL", "CRITICAL gov.reconciler RunMetric: GOV_NOT_A_CODE — unregistered reason code")
    ]


def test_run_when_own_envelope_then_no_alert_loop(stream) -> None:
    stream.add("own", "gov.alert_dispatcher", None, TS, payload_type="Alert", codes=("RISK_KILL_SWITCH",))
    assert alert_dispatcher.run(stream.frame(), CFG).equals(empty_frame("Alert"))


def test_run_when_stream_empty_or_mild_then_typed_empty(stream) -> None:
    assert alert_dispatcher.run(empty_frame("ReportEnvelope"), CFG).equals(empty_frame("Alert"))
    stream.intent("i", TS)
    stream.signal("s", TS)
    assert alert_dispatcher.run(stream.frame(), CFG).equals(empty_frame("Alert"))


@pytest.mark.parametrize("bad", [{"sinks": ()}, {"sinks": ("",)}, {"sinks": ("two words",)},
                                 {"sinks_by_severity": {"CRITICAL": ()}}, {"min_severity": "LOUD"}])
def test_config_when_invalid_then_rejected(bad: dict) -> None:
    with pytest.raises(pydantic.ValidationError):
        alert_dispatcher.Config(**bad)


def test_run_when_same_input_twice_then_same_output(stream) -> None:
    _severe_stream(stream)
    frame = stream.frame()
    assert alert_dispatcher.run(frame, CFG).equals(alert_dispatcher.run(frame, CFG))


def test_run_when_condition_repeats_then_one_alert_per_episode(stream) -> None:
    intent = stream.intent("i", TS)
    # The same drawdown rejection (ERROR) at +0, +1 s, +299.999 s, +300 s, +650 s: gaps 1 s,
    # 298.999 s, 0.001 s, 350 s -> the condition is quiet > 300 s only before +650 s, so alerts at
    # +0 (first) and +650 s (new episode). A compliance rejection at +1 s is another condition.
    ids = [stream.vote(f"d{n}", "risk.drawdown", intent, TS + dt, decision="REJECT", code="RISK_DRAWDOWN")
           for n, dt in enumerate((0, 1_000, 299_999, 300_000, 650_000))]
    other = stream.vote("c", "risk.compliance_gate", intent, TS + 1_000, decision="REJECT", code="RISK_COMPLIANCE")
    out = alert_dispatcher.run(stream.frame(), CFG)
    assert out["envelope_id"].to_list() == [ids[0], ids[4], other]  # stream order: `other` came last
    every = alert_dispatcher.run(stream.frame(), alert_dispatcher.Config(repeat_after_ms=None))
    assert every.height == 6
