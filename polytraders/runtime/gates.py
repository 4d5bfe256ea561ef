"""Phase exit gates as executable checks. A gate is green only on evidence; without evidence it
is pending and names what is missing — it never passes vacuously.

Implemented here: P3 (reporting & event store). The other phases report pending until their
checks exist (the gates issue builds them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class GateState(StrEnum):
    """Outcome of a gate check."""

    GREEN = "green"
    RED = "red"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class GateResult:
    """One phase's gate: its state, the evidence it saw, and what is missing or wrong."""

    phase: int
    state: GateState
    evidence: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def p3_gate(implemented: Iterable[str], emitted: Iterable[str], free_text: Iterable[str]) -> GateResult:
    """P3 exit gate: every implemented bot emits through the envelope, and no bot writes free text.

    Args:
        implemented: slugs of the bots with a reference implementation.
        emitted: slugs with at least one envelope in the event store (a recorded shadow run).
        free_text: hits of the free-text scan over the bot packages (``file:line: what``).

    Returns PENDING when no run has been recorded (nothing to judge), RED naming each silent bot
    and each free-text hit, else GREEN.
    """
    implemented, emitted, hits = sorted(set(implemented)), set(emitted), tuple(free_text)
    if not emitted:
        return GateResult(3, GateState.PENDING, missing=("no shadow run recorded in the event store",))
    silent = tuple(f"{slug}: no envelope in the event store" for slug in implemented if slug not in emitted)
    if silent or hits:
        return GateResult(3, GateState.RED, missing=silent + hits)
    return GateResult(3, GateState.GREEN, evidence=(
        f"{len(implemented)} implemented bots all emit envelopes", "no free text in bot code",
    ))
