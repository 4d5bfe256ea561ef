"""risk.rate_limit: the order bucket folded from the logged submits (start full, continuous refill
capped at the burst, one token per call) must keep headroom_tokens after paying for the intent."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import rate_limit as bot
from polytraders.bots.risk.context import VOTE_SCHEMA, RiskContext
from polytraders_tests.bots.frames import T0
from polytraders_tests.bots.risk.frames import approve, healthy_context, intents, reject, venue_events, vote

SPENT = reject("RISK_RATE_LIMIT")


def _calls(*times: int, endpoint: str = "POST /order", status: int = 200) -> RiskContext:
    """A context with one api row per time in ``times`` (plus a user message and a heartbeat)."""
    return healthy_context(venue_events=venue_events(
        (T0 - 1_000, "user", None, None, None), (T0 - 1_000, "heartbeat", "POST /heartbeats", 200, 20),
        *[(t, "api", endpoint, status, 0) for t in times],
    ))  # fmt: skip


def test_vote_when_healthy_row_then_approve() -> None:
    # one call at T0 - 1,000: 59 left, refilled to min(60, 59 + 40) = 60; 60 - 1 >= 6
    assert vote(bot, intents()) == [approve()]


def test_vote_when_docstring_example_then_boundary_exact() -> None:
    ctx = _calls(*[T0] * 55)  # 55 submits at T0: level 60 - 55 = 5
    frame = intents(
        {"ts_ms": T0 - 1},  # before every call: full bucket, 60 - 1 >= 6
        {"ts_ms": T0},  # calls at exactly ts_ms count: 5 - 1 = 4 < 6
        {"ts_ms": T0 + 49},  # 5 + 0.04 x 49 = 6.96; 5.96 < 6
        {"ts_ms": T0 + 50},  # 5 + 0.04 x 50 = 7; 7 - 1 = 6 = the reserve: passes
        {"ts_ms": T0 + 2_000},  # min(60, 5 + 80) = 60
    )
    assert vote(bot, frame, ctx) == [approve(), SPENT, SPENT, approve(), approve()]


def test_vote_when_no_headroom_then_last_token_usable() -> None:
    assert vote(bot, intents(), _calls(*[T0] * 59), headroom_tokens=0) == [approve()]  # level 1: 1 - 1 = 0 >= 0
    assert vote(bot, intents(), _calls(*[T0] * 60), headroom_tokens=0) == [SPENT]  # level 0


def test_vote_when_long_idle_then_refill_capped_at_burst() -> None:
    # 30 calls at T0 - 10,000 leave 30; 10 s refill would add 400 but the bucket holds 60
    early = [T0 - 10_000] * 30
    assert vote(bot, intents(), _calls(*early, *[T0] * 53)) == [approve()]  # 60 - 53 = 7; 6 >= 6
    assert vote(bot, intents(), _calls(*early, *[T0] * 54)) == [SPENT]  # 60 - 54 = 6; 5 < 6 (uncapped: 376)


def test_vote_when_calls_spread_then_refill_between_calls() -> None:
    # burst 10, 50 tokens/s = 0.5 per 10 ms; calls every 10 ms from T0 - 90 to T0:
    # 9 after the first, then +0.5 - 1 per call: 9 - 0.5 x 9 = 4.5 after the tenth (at T0)
    ctx = _calls(*[T0 - 90 + 10 * k for k in range(10)])
    frame = intents({"ts_ms": T0}, {"ts_ms": T0 + 9}, {"ts_ms": T0 + 10})  # levels 4.5, 4.95, 5.0
    config: dict[str, Any] = {"burst_tokens": 10, "refill_tokens_per_s": "50", "headroom_tokens": 4}
    assert vote(bot, frame, ctx, **config) == [SPENT, SPENT, approve()]  # needs level >= 1 + 4


def test_vote_when_fractional_rate_then_exact() -> None:
    # burst 2, 0.5 token/s = 0.0005 per ms: two calls at T0 empty the bucket; 1 token back after 2,000 ms
    frame = intents({"ts_ms": T0}, {"ts_ms": T0 + 1_999}, {"ts_ms": T0 + 2_000})  # 0, 0.9995, 1.0
    out = vote(bot, frame, _calls(T0, T0), burst_tokens=2, refill_tokens_per_s="0.5", headroom_tokens=0)
    assert out == [SPENT, SPENT, approve()]


def test_vote_when_calls_logged_faster_than_allowed_then_debt_repaid_first() -> None:
    # 100 calls at T0 against a burst of 60: level 60 - 100 = -40 (the venue would have answered 429)
    ctx = _calls(*[T0] * 100)
    frame = intents({"ts_ms": T0 + 1_174}, {"ts_ms": T0 + 1_175})  # -40 + 46.96 = 6.96; -40 + 47 = 7
    assert vote(bot, frame, ctx) == [SPENT, approve()]


def test_vote_when_other_endpoints_then_not_counted_and_batches_counted() -> None:
    assert vote(bot, intents(), _calls(*[T0] * 60, endpoint="DELETE /order")) == [approve()]  # cancel bucket
    assert vote(bot, intents(), _calls(*[T0] * 60, endpoint="POST /orders")) == [SPENT]  # level 0
    assert vote(bot, intents(), _calls(*[T0] * 60, endpoint="POST /orders"), endpoints=("POST /order",)) == [approve()]


def test_vote_when_calls_failed_then_still_counted() -> None:
    assert vote(bot, intents(), _calls(*[T0] * 55, status=429)) == [SPENT]  # level 5 as if charged


def test_vote_when_several_intents_at_same_ts_then_they_do_not_consume_from_each_other() -> None:
    # 53 calls at T0: level 7 and every intent of the frame sees it (none has been submitted yet)
    frame = intents({"size": "7"}, {"size": "9"}, {"size": "11"})
    assert vote(bot, frame, _calls(*[T0] * 53)) == [approve("7"), approve("9"), approve("11")]


def test_vote_when_rows_out_of_order_and_null_ts_then_order_kept() -> None:
    ctx = _calls(*[T0] * 55)  # level 5 at T0
    frame = intents({"ts_ms": T0 + 50, "size": "7"}, {"ts_ms": T0, "size": "9"}, {"ts_ms": None, "size": "11"})
    assert vote(bot, frame, ctx) == [approve("7"), SPENT, SPENT]


def test_vote_when_no_history_then_full_bucket() -> None:
    assert vote(bot, intents(), RiskContext()) == [approve()]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    out = bot.vote(intents().clear(), healthy_context(), bot.Config())
    assert out.schema == VOTE_SCHEMA and out.height == 0


@pytest.mark.parametrize(
    "bad",
    [{"burst_tokens": 0}, {"burst_tokens": 100_001}, {"refill_tokens_per_s": "0"}, {"refill_tokens_per_s": "0.0001"},
     {"refill_tokens_per_s": "100000.001"}, {"headroom_tokens": -1}, {"headroom_tokens": 60},
     {"burst_tokens": 5, "headroom_tokens": 5}, {"endpoints": ()}, {"capacity": 60}],
)  # fmt: skip
def test_config_when_invalid_then_validation_error(bad: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)


def test_config_defaults() -> None:
    config = bot.Config()
    assert (config.burst_tokens, str(config.refill_tokens_per_s), config.headroom_tokens) == (60, "40", 6)
    assert config.endpoints == ("POST /order", "POST /orders")
    assert bot.Config(burst_tokens=5, headroom_tokens=4).headroom_tokens == 4  # the largest reserve allowed
    assert (bot.SLUG, bot.VERSION, bot.CODE) == ("risk.rate_limit", "0.1.0", "RISK_RATE_LIMIT")


def _reference_levels(calls: list[int], queries: list[int], burst: int, rate_per_s: str) -> list[Any]:
    """The recursion of the docstring, one call at a time, in exact fractions."""
    from fractions import Fraction

    rate = Fraction(rate_per_s) / 1_000
    out = []
    for q in queries:
        level, last = Fraction(burst), None
        for t in sorted(c for c in calls if c <= q):
            level = level if last is None else min(Fraction(burst), level + rate * (t - last))
            level, last = level - 1, t
        out.append(Fraction(burst) if last is None else min(Fraction(burst), level + rate * (q - last)))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_vote_when_random_history_then_matches_the_sequential_fold(seed: int) -> None:
    import random

    rng = random.Random(seed)
    # more calls (>= 100 in 1.5 s) than a burst <= 20 plus 1.5 s of refill (<= 60) can pay for
    burst, rate, headroom = rng.randint(3, 20), rng.choice(["0.5", "7.25", "40"]), rng.randint(0, 2)
    calls = [T0 + rng.randint(0, 1_500) for _ in range(rng.randint(100, 300))]
    queries = sorted(T0 + rng.randint(-100, 3_200) for _ in range(300))
    expected = [approve() if lv - 1 >= headroom else SPENT for lv in _reference_levels(calls, queries, burst, rate)]
    frame = intents(*[{"ts_ms": q} for q in queries])
    assert vote(bot, frame, _calls(*calls), burst_tokens=burst, refill_tokens_per_s=rate,
                headroom_tokens=headroom) == expected  # fmt: skip
    assert SPENT in expected and approve() in expected  # the draw exercises both outcomes
