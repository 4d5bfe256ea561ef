"""Hand-built envelope streams for the gov bot tests.

``stream`` is a fresh :class:`Stream`: each ``add_*`` builds a real contract object, dumps it
with ``model_dump_json`` (decimals as strings), wraps it in a ReportEnvelope and returns the
envelope id; :meth:`Stream.frame` is the typed ReportEnvelope frame, rows in insertion order.
Envelope ids are readable: ``eid("intent-1")`` = the first 32 hex digits of its sha256.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal as D

import polars as pl
import pytest

from polytraders.contracts import (
    ExecutionPlan,
    Fill,
    OrderEvent,
    OrderIntent,
    Position,
    QuarantineRecord,
    ReportEnvelope,
    RiskVote,
    Signal,
    SignedOrderRequest,
    WireModel,
)
from polytraders.contracts.frames import to_frame

TS = 1_700_000_000_000
DAY = "2023-11-14"
COND = "0x" + "a" * 64
COND_B = "0x" + "b" * 64


def eid(name: str) -> str:
    """A valid 32-hex envelope id derived from a readable name."""
    return hashlib.sha256(name.encode()).hexdigest()[:32]


class Stream:
    """An envelope stream under construction (one run, one day unless told)."""

    def __init__(self) -> None:
        self.envelopes: list[ReportEnvelope] = []

    def add(self, name: str, bot: str, obj: WireModel | None, ts_ms: int, *, causes: tuple[str, ...] = (),
            codes: tuple[str, ...] = (), payload_type: str | None = None, run_id: str = "run-1",
            partition: str = DAY) -> str:
        """Append one envelope named ``name`` (its id is ``eid(name)``); returns the id."""
        payload = {} if obj is None else json.loads(obj.model_dump_json())
        self.envelopes.append(ReportEnvelope(
            envelope_id=eid(name), bot=bot, bot_version="0.1.0", config_version="0" * 16, run_id=run_id,
            partition=partition, sequence=len(self.envelopes), causation_ids=causes,
            ts_ms=ts_ms, payload_type=payload_type or type(obj).__name__, payload=payload, reason_codes=codes,
        ))  # fmt: skip
        return eid(name)

    def frame(self) -> pl.DataFrame:
        return to_frame("ReportEnvelope", self.envelopes)

    # --- payload builders: one envelope each, named ``name``, at ``ts_ms``.

    def intent(self, name: str, ts_ms: int, *, kind: str = "PLACE", token: str = "1") -> str:
        obj = OrderIntent(
            intent_id=f"i-{name}", strategy="strat.maker_tight", kind=kind,
            cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=COND, token_id=token,
            ts_ms=ts_ms, side="BUY", price=D("0.40"), size=D("10"),
        )  # fmt: skip
        codes = ("STRAT_QUOTE",) if kind == "PLACE" else ("STRAT_QUOTE_PULL",)
        return self.add(name, "strat.maker_tight", obj, ts_ms, codes=codes)

    def vote(self, name: str, bot: str, cause: str, ts_ms: int, *, decision: str = "APPROVE",
             code: str | None = None) -> str:
        codes = (code,) if code else ()
        obj = RiskVote(intent_id="i", bot=bot, ts_ms=ts_ms, decision=decision, reason_codes=codes,
                       approved_size=D("0") if decision == "REJECT" else D("10"))
        return self.add(name, bot, obj, ts_ms, causes=(cause,), codes=codes)

    def plan(self, name: str, cause: str, ts_ms: int, *, price: str = "0.40", size: str = "10",
             builder: str | None = "polytraders") -> str:
        p, s = D(price), D(size)
        obj = ExecutionPlan(
            plan_id=f"p-{name}", intent_id="i", condition_id=COND, token_id="1", ts_ms=ts_ms, side="BUY",
            price=p, size=s, tick_size=D("0.01"), neg_risk=False, order_type="GTC", post_only=True,
            maker_amount=int(p * s * 1_000_000), taker_amount=int(s * 1_000_000), builder_code=builder,
        )  # fmt: skip
        return self.add(name, "exec.order_shaper", obj, ts_ms, causes=(cause,))

    def signed(self, name: str, cause: str, ts_ms: int, *, builder: str = "0x" + "12" * 32,
               maker_amount: int = 4_000_000, taker_amount: int = 10_000_000, side: str = "BUY") -> str:
        obj = SignedOrderRequest(
            plan_id="p", order_hash="0x" + "ab" * 32, salt="1", maker="0x" + "11" * 20, signer="0x" + "11" * 20,
            token_id="1", maker_amount=maker_amount, taker_amount=taker_amount, side=side, signature_type=0,
            timestamp_ms=ts_ms, metadata="", builder=builder, signature="0x00", exchange="0x" + "22" * 20,
            chain_id=137, order_type="GTC",
        )  # fmt: skip
        return self.add(name, "sec.signing_service", obj, ts_ms, causes=(cause,))

    def order_event(self, name: str, cause: str, ts_ms: int, *, status: str = "LIVE") -> str:
        obj = OrderEvent(
            order_id="o", intent_id="i", condition_id=COND, token_id="1", ts_ms=ts_ms, event_type="PLACEMENT",
            status=status, side="BUY", price=D("0.40"), original_size=D("10"), size_matched=D("0"),
        )  # fmt: skip
        return self.add(name, "exec.order_shaper", obj, ts_ms, causes=(cause,))

    def fill(self, name: str, cause: str, ts_ms: int, *, price: str = "0.40", size: str = "10",
             fee: str = "0", status: str = "MATCHED") -> str:
        obj = Fill(
            fill_id=f"f-{name}", order_id="o", condition_id=COND, token_id="1", ts_ms=ts_ms, side="BUY",
            price=D(price), size=D(size), liquidity="MAKER", fee_usdc=D(fee), trade_status=status,
        )  # fmt: skip
        return self.add(name, "exec.order_shaper", obj, ts_ms, causes=(cause,))

    def position(self, name: str, ts_ms: int, *, token: str = "1", cond: str = COND, size: str = "0",
                 realised: str = "0", unrealised: str = "0", settled: bool = False, mark: str | None = "0.5",
                 bot: str = "strat.maker_tight", cause: str | None = None, partition: str = DAY) -> str:
        obj = Position(
            condition_id=cond, token_id=token, ts_ms=ts_ms, size=D(size), avg_price=D("0.4"),
            mark_price=None if mark is None else D(mark), realised_pnl_usdc=D(realised),
            unrealised_pnl_usdc=D(unrealised), settled=settled,
        )  # fmt: skip
        causes = (cause,) if cause else ()
        return self.add(name, bot, obj, ts_ms, causes=causes, partition=partition)

    def signal(self, name: str, ts_ms: int, *, token: str = "1", bot: str = "intel.microprice",
               run_id: str = "run-1") -> str:
        obj = Signal(bot=bot, condition_id=COND, token_id=token, ts_ms=ts_ms, name="microprice", value=0.5,
                     unit="probability")
        return self.add(name, bot, obj, ts_ms, run_id=run_id)

    def quarantine(self, name: str, ts_ms: int, *, code: str = "GOV_DQ_CROSSED_BOOK") -> str:
        obj = QuarantineRecord(source="market", receive_ts_ms=ts_ms, reason_code=code, detail="bid >= ask",
                               raw="{}", provenance_hash="ab" * 32)
        return self.add(name, "gov.data_quality_monitor", obj, ts_ms, codes=(code,))


@pytest.fixture
def stream() -> Stream:
    """A fresh, empty envelope stream builder."""
    return Stream()
