"""Hand-built evidence for the gate tests: a temporary event store with envelopes, and inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from polytraders.contracts import OrderIntent, RiskVote, WireModel
from polytraders.contracts.frames import to_frame
from polytraders.contracts.types import Decision, Side
from polytraders.defs.environment import REPO_ROOT
from polytraders.gates.checks import GateInputs
from polytraders.gates.evidence import ShadowRecord, load_record
from polytraders.runtime.envelopes import RunInfo, wrap
from polytraders.runtime.event_store import EventStore

FIXTURES = REPO_ROOT / "fixtures"
CONDITION = "0x" + "ab" * 32
TOKEN = "123456789"
HOUR_MS = 3_600_000
T0 = 1_790_000_000_000


def intent(n: int, ts_ms: int, strategy: str = "strat.maker_tight", kind: str = "PLACE") -> OrderIntent:
    """A PLACE (or CANCEL) intent ``i<n>`` of ``strategy`` at ``ts_ms``."""
    return OrderIntent(
        intent_id=f"i{n}", strategy=strategy, kind=kind, cancels_intent_id="i0" if kind == "CANCEL" else None,
        condition_id=CONDITION, token_id=TOKEN, ts_ms=ts_ms, side=Side.BUY, price=Decimal("0.5"),
        size=Decimal(5),
    )


def vote(n: int, ts_ms: int) -> RiskVote:
    """An APPROVE vote of risk.killswitch on ``i<n>``."""
    return RiskVote(intent_id=f"i{n}", bot="risk.killswitch", ts_ms=ts_ms, decision=Decision.APPROVE,
                    approved_size=Decimal(5))


@dataclass
class Store:
    """A temporary event store: add envelopes per day, then read it as the gates do."""

    root: Path
    exported: set[str] = field(default_factory=set)

    def add(self, day: str, bot: str, objects: list[WireModel], *, causes: list[list[str]] | None = None,
            codes: list[list[str]] | None = None, time_column: str | None = None) -> pl.DataFrame:
        """Wrap ``objects`` (one wire type) as ``bot``'s envelopes on ``day``, store and export them.
        Envelope time: ``time_column`` when given, else the objects' ``ts_ms`` (or ``timestamp_ms``)."""
        name = type(objects[0]).__name__
        frame = to_frame(name, objects)
        envelopes = wrap(RunInfo("run-1", day), bot, "0.1.0", "0" * 16, name, frame,
                         causation_ids=pl.lit(pl.Series(causes, dtype=pl.List(pl.String))) if causes else None,
                         ts_ms=pl.col(time_column) if time_column else
                         None if "ts_ms" in frame.columns else pl.col("timestamp_ms"))
        if codes is not None:  # unregistered codes (a bot not built yet) bypass wrap's registry check
            envelopes = envelopes.with_columns(reason_codes=pl.Series(codes, dtype=pl.List(pl.String)))
        EventStore(self.root).append(envelopes.with_columns(partition_day=pl.lit(date.fromisoformat(day))))
        EventStore(self.root).export(day)
        return envelopes

    def record(self) -> ShadowRecord | None:
        return load_record(self.root)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "event_store")


def inputs(record: ShadowRecord | None, implemented: set[str] | frozenset[str], **kw: object) -> GateInputs:
    """GateInputs over the repo's fixtures unless ``fixtures_root`` is given."""
    return GateInputs(fixtures_root=kw.pop("fixtures_root", FIXTURES), record=record,
                      implemented=frozenset(implemented), **kw)
