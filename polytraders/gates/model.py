"""The shapes of the gate report: phase gates and infra tasks, each decided on evidence.

A gate is green only on evidence; without evidence it is pending and names what is missing —
it never passes vacuously. A phase whose previous gate is not green is locked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum


class GateState(StrEnum):
    """Outcome of a gate check."""

    GREEN = "green"
    RED = "red"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class GateResult:
    """One phase's gate: its state, the evidence it saw, and what is missing or wrong.

    ``locked`` is set by the report: the previous phase's gate is not green.
    """

    phase: int
    state: GateState
    evidence: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    locked: bool = False


@dataclass(frozen=True, slots=True)
class InfraTask:
    """An infrastructure task of the plan: done only when its check shows it."""

    name: str
    phase: int
    done: bool
    check: str = field(default="", metadata={"doc": "what was checked, and what it found"})


@dataclass(frozen=True, slots=True)
class GateReport:
    """All phase gates (P1..P8, in order, with locks applied) and the infra tasks."""

    phases: tuple[GateResult, ...]
    infra: tuple[InfraTask, ...]

    def current_phase(self) -> int:
        """The first phase whose gate is not green (9 when all are)."""
        return next((g.phase for g in self.phases if g.state is not GateState.GREEN), 9)


def apply_locks(results: Iterable[GateResult]) -> tuple[GateResult, ...]:
    """The results in phase order, each locked when any earlier gate is not green.

    A phase is locked until the previous gate is green, and a locked gate is not a pass, so one
    non-green gate locks every later phase. The locked gates keep their own computed state.
    """
    locked, out = False, []
    for result in sorted(results, key=lambda r: r.phase):
        out.append(replace(result, locked=locked))
        locked = locked or result.state is not GateState.GREEN
    return tuple(out)
