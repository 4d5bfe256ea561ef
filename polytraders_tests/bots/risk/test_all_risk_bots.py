"""Every risk bot of the manifest: implemented with the vote interface, approves a healthy intent
under its default config, returns an empty vote frame for no intents, and supports quarantine
mode through the pipeline (one market isolated, the other flows)."""

from __future__ import annotations

import pytest

from polytraders.bots import manifest
from polytraders.bots.risk.context import VOTE_SCHEMA
from polytraders.runtime.profile import RISK_ORDER, bot_module
from polytraders.runtime.risk_pipeline import RiskStep, run_pipeline
from polytraders_tests.bots.frames import CONDITION, TOKEN_ID
from polytraders_tests.bots.risk.frames import approve, healthy_context, intents, vote

RISK = manifest.by_class()["risk"]


def test_risk_order_when_declared_then_every_risk_bot_once() -> None:
    assert sorted(RISK_ORDER) == sorted(s.slug for s in RISK) and len(RISK_ORDER) == 19


@pytest.mark.parametrize("spec", RISK, ids=lambda s: s.slug)
def test_bot_when_healthy_intent_then_approves_full_size(spec: manifest.BotSpec) -> None:
    bot = bot_module(spec.slug)
    assert (bot.SLUG, bot.VERSION) == (spec.slug, spec.version)
    assert vote(bot, intents()) == [approve("20")]


@pytest.mark.parametrize("spec", RISK, ids=lambda s: s.slug)
def test_bot_when_no_intents_then_empty_vote_frame(spec: manifest.BotSpec) -> None:
    bot = bot_module(spec.slug)
    out = bot.vote(intents().clear(), healthy_context(), bot.Config())
    assert out.schema == VOTE_SCHEMA and out.height == 0


@pytest.mark.parametrize("spec", RISK, ids=lambda s: s.slug)
def test_bot_when_market_quarantined_then_its_intents_denied_and_others_flow(spec: manifest.BotSpec) -> None:
    bot = bot_module(spec.slug)
    step = RiskStep(spec.slug, bot.vote, bot.Config(), spec.reason_codes,
                    quarantined=frozenset({CONDITION["m2"]}))
    frame = intents({}, {"condition_id": CONDITION["m2"], "token_id": TOKEN_ID["y2"]})
    got = run_pipeline(frame, healthy_context(), [step])
    assert got.votes[spec.slug].select("intent_id", "decision", "reason_codes").rows() == [
        ("i-1", "APPROVE", []), ("i-2", "REJECT", [spec.reason_codes[0], "RISK_QUARANTINED"])]
    assert got.decisions["decided_by"].to_list() == [None, spec.slug]
