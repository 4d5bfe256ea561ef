"""risk.compliance_gate: unknown instruments, categories, blocked and closed-only markets."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from polytraders.bots.risk import compliance_gate as gate
from polytraders.bots.risk.context import RiskContext
from polytraders.contracts import InstrumentRecord, InstrumentToken, OrderIntent
from polytraders.contracts.types import Decision

TS = 1_700_000_000_000
A = "0x" + "a" * 64
B = "0x" + "b" * 64


def _intent(kind: str = "PLACE", side: str = "BUY", cond: str = A, token: str = "1") -> OrderIntent:
    return OrderIntent(
        intent_id="i-1", strategy="strat.maker_tight", kind=kind,
        cancels_intent_id="i-0" if kind == "CANCEL" else None, condition_id=cond, token_id=token,
        ts_ms=TS, side=side, price=D("0.54"), size=D("10"),
    )  # fmt: skip


def _instrument(cond: str = A, category: str | None = "politics") -> InstrumentRecord:
    return InstrumentRecord(
        condition_id=cond, question="Q?", slug="m", category=category,
        tokens=(InstrumentToken(token_id="1", outcome="Yes"), InstrumentToken(token_id="2", outcome="No")),
        tick_size=D("0.01"), min_order_size=D("5"), neg_risk=False, active=True, closed=False,
        accepting_orders=True, as_of_ms=TS,
    )  # fmt: skip


def _ctx(instrument: InstrumentRecord | None) -> RiskContext:
    return RiskContext(TS, instrument, None, D(0), D(0), D(0), D(0))


REJECT = (Decision.REJECT, ("RISK_COMPLIANCE",), D(0))
APPROVE = (Decision.APPROVE, (), D("10"))


@pytest.mark.parametrize(
    ("intent", "instrument", "config", "expected"),
    [
        (_intent(), _instrument(), gate.Config(), APPROVE),  # defaults allow everything known
        (_intent(), None, gate.Config(), REJECT),  # unknown instrument: fail closed
        (_intent(), _instrument(cond=B), gate.Config(), REJECT),  # record of another market
        (_intent(token="9"), _instrument(), gate.Config(), REJECT),  # token not in the market
        (_intent(), _instrument(), gate.Config(allowed_categories=("politics", "sports")), APPROVE),
        (_intent(), _instrument(), gate.Config(allowed_categories=("sports",)), REJECT),
        (_intent(), _instrument(category=None), gate.Config(allowed_categories=("sports",)), REJECT),
        (_intent(), _instrument(category=None), gate.Config(), APPROVE),  # None = all allowed
        (_intent(), _instrument(), gate.Config(allowed_categories=()), REJECT),  # empty allow-list
        (_intent(), _instrument(), gate.Config(blocked_condition_ids=(A,)), REJECT),
        (_intent(side="SELL"), _instrument(), gate.Config(blocked_condition_ids=(A,)), REJECT),
        (_intent(), _instrument(), gate.Config(blocked_condition_ids=(B,)), APPROVE),
        (_intent(), _instrument(), gate.Config(closed_only_condition_ids=(A,)), REJECT),  # BUY
        (_intent(side="SELL"), _instrument(), gate.Config(closed_only_condition_ids=(A,)), APPROVE),
        (_intent("CANCEL"), None, gate.Config(blocked_condition_ids=(A,)), APPROVE),  # cancels pass
    ],
)
def test_evaluate_when_compliance_state_then_vote(
    intent: OrderIntent, instrument: InstrumentRecord | None, config: gate.Config, expected: tuple
) -> None:
    vote = gate.evaluate(intent, _ctx(instrument), config)
    assert (vote.decision, vote.reason_codes, vote.approved_size) == expected
    assert (vote.bot, vote.ts_ms, vote.intent_id) == ("risk.compliance_gate", TS, "i-1")


def test_evaluate_when_same_input_twice_then_same_vote() -> None:
    config = gate.Config(closed_only_condition_ids=(A,))
    assert gate.evaluate(_intent(), _ctx(_instrument()), config) == gate.evaluate(
        _intent(), _ctx(_instrument()), config
    )


def test_config_when_lists_given_then_hash_is_stable() -> None:
    one = gate.Config(allowed_categories=("a", "b"), blocked_condition_ids=(A, B))
    two = gate.Config(allowed_categories=("a", "b"), blocked_condition_ids=(A, B))
    assert one.version_hash() == two.version_hash()
