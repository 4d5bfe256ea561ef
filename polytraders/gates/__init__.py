"""Phase exit gates and infra tasks as executable checks (``polytraders gates``)."""

from polytraders.gates.model import GateReport, GateResult, GateState, InfraTask, p3_gate

__all__ = ["GateReport", "GateResult", "GateState", "InfraTask", "p3_gate"]
