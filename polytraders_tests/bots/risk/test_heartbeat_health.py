"""risk.heartbeat_health: new orders are denied when the last acknowledged heartbeat is older than
max_missed x heartbeat_interval_ms, when the last max_missed heartbeats all failed, or when none was
ever acknowledged; only rows at or before each intent's time count."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from polytraders.bots.risk import heartbeat_health as bot
from polytraders.bots.risk.context import VOTE_SCHEMA, RiskContext
from polytraders_tests.bots.frames import T0
from polytraders_tests.bots.risk.frames import approve, healthy_context, intents, reject, venue_events, vote

DOWN = reject("RISK_HEARTBEAT_DOWN")


def _beats(*rows: tuple[int, int | None]) -> RiskContext:
    """A context whose heartbeat rows are ``(ts_ms, status)`` (plus a user message and an API call)."""
    return healthy_context(venue_events=venue_events(
        (T0 - 1_000, "user", None, None, None), (T0 - 1_000, "api", "POST /order", 200, 50),
        *[(t, "heartbeat", "POST /heartbeats", s, 20) for t, s in rows],
    ))  # fmt: skip


def test_vote_when_healthy_row_then_approve() -> None:
    # acknowledged heartbeat at T0 - 1,000: age 1,000 <= 2 x 5,000
    assert vote(bot, intents()) == [approve()]


def test_vote_when_ack_age_around_the_limit_then_boundary_exact() -> None:
    # the docstring's example: acks at T0 - 20,000 and T0 - 10,000, a 503 at T0 - 5,000
    ctx = _beats((T0 - 20_000, 200), (T0 - 10_000, 200), (T0 - 5_000, 503))
    frame = intents(
        {"ts_ms": T0 - 10_000},  # an ack at exactly ts_ms counts: age 0
        {"ts_ms": T0 - 5_000},  # age 5,000; the 503 at ts_ms: one miss in a row < 2
        {"ts_ms": T0 - 1},  # age 9,999
        {"ts_ms": T0},  # age 10,000 = 2 x 5,000: still passes
        {"ts_ms": T0 + 1},  # age 10,001 > 10,000
    )
    assert vote(bot, frame, ctx) == [approve(), approve(), approve(), approve(), DOWN]


def test_vote_when_max_missed_failures_in_a_row_then_reject_despite_a_recent_ack() -> None:
    ctx = _beats((T0 - 10_000, 200), (T0 - 5_000, 503), (T0 - 1, 425), (T0 + 100, 200))
    frame = intents(
        {"ts_ms": T0 - 2},  # one miss in a row (T0 - 5,000), ack age 9,998
        {"ts_ms": T0 - 1},  # two misses in a row = max_missed, ack age 9,999 still within 10,000
        {"ts_ms": T0 + 99},  # still two misses in a row
        {"ts_ms": T0 + 100},  # acknowledged again at ts_ms: run 0, age 0
    )
    assert vote(bot, frame, ctx) == [approve(), DOWN, DOWN, approve()]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (((T0 - 3_000, 200), (T0 - 2_000, None), (T0 - 1_000, 500)), DOWN),  # null status is a miss: 2 in a row
        (((T0 - 3_000, 200), (T0 - 2_000, None)), approve()),  # one miss, ack age 3,000
        (((T0 - 3_000, 200), (T0 - 2_000, 429), (T0 - 1_000, 204)), DOWN),  # anything but 200 is a miss
        (((T0 - 2_000, 500), (T0 - 1_000, 200)), approve()),  # misses before the last ack are forgotten
    ],
)
def test_vote_when_statuses_then_misses_counted(rows: tuple[tuple[int, int | None], ...], expected: Any) -> None:
    assert vote(bot, intents(), _beats(*rows)) == [expected]


def test_vote_when_no_acknowledged_heartbeat_then_reject() -> None:
    assert vote(bot, intents(), _beats((T0 - 1_000, 503))) == [DOWN]  # one miss only, but never acknowledged
    assert vote(bot, intents(), _beats()) == [DOWN]  # no heartbeat rows
    assert vote(bot, intents(), RiskContext()) == [DOWN]  # no history at all
    assert vote(bot, intents(), _beats((T0 + 1, 200))) == [DOWN]  # acknowledged only after the intent


def test_vote_when_custom_config_then_used() -> None:
    ctx = _beats((T0 - 3_000, 200))
    frame = intents({"ts_ms": T0}, {"ts_ms": T0 + 1})  # ack age 3,000 and 3,001; limit 3 x 1,000
    assert vote(bot, frame, ctx, heartbeat_interval_ms=1_000, max_missed=3) == [approve(), DOWN]
    # max_missed 1: a single miss denies
    assert vote(bot, intents(), _beats((T0 - 2_000, 200), (T0 - 1_000, 503)), max_missed=1) == [DOWN]


def test_vote_when_several_rows_out_of_order_then_order_kept() -> None:
    ctx = _beats((T0 - 60_000, 200), (T0, 200))
    frame = intents(
        {"ts_ms": T0 + 5_000, "size": "7"},  # age 5,000
        {"ts_ms": T0 - 45_000, "size": "9"},  # age 15,000 > 10,000
        {"ts_ms": T0 - 50_000, "size": "11"},  # age 10,000
        {"ts_ms": None, "size": "13"},  # null time: fail closed
    )
    assert vote(bot, frame, ctx) == [approve("7"), DOWN, approve("11"), DOWN]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    out = bot.vote(intents().clear(), healthy_context(), bot.Config())
    assert out.schema == VOTE_SCHEMA and out.height == 0


@pytest.mark.parametrize(
    "bad",
    [{"heartbeat_interval_ms": 99}, {"heartbeat_interval_ms": 600_001}, {"max_missed": 0}, {"max_missed": 101},
     {"interval_s": 5}],
)  # fmt: skip
def test_config_when_invalid_then_validation_error(bad: dict[str, int]) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)


def test_config_defaults() -> None:
    config = bot.Config()
    assert (config.heartbeat_interval_ms, config.max_missed) == (5_000, 2)
    assert (bot.SLUG, bot.VERSION, bot.CODE) == ("risk.heartbeat_health", "0.1.0", "RISK_HEARTBEAT_DOWN")
