"""risk.user_stream_blind: new orders are denied once the user channel has been silent longer than
max_silence_ms, or before it has spoken at all; only rows at or before each intent's time count."""

from __future__ import annotations

import pydantic
import pytest

from polytraders.bots.risk import user_stream_blind as bot
from polytraders.bots.risk.context import VOTE_SCHEMA, RiskContext
from polytraders_tests.bots.frames import T0
from polytraders_tests.bots.risk.frames import approve, healthy_context, intents, reject, venue_events, vote

BLIND = reject("RISK_USER_STREAM_BLIND")


def _user(*times: int) -> RiskContext:
    """A context whose only user-channel rows are at ``times`` (plus a heartbeat and an API call)."""
    rows = [(t, "user", None, None, None) for t in times]
    return healthy_context(venue_events=venue_events(
        *rows, (T0 - 1_000, "heartbeat", "POST /heartbeats", 200, 20), (T0 - 1_000, "api", "POST /order", 200, 50),
    ))  # fmt: skip


def test_vote_when_healthy_row_then_approve() -> None:
    # user row at T0 - 1,000: silent 1,000 ms <= 30,000
    assert vote(bot, intents()) == [approve()]


def test_vote_when_silence_around_the_limit_then_boundary_exact() -> None:
    ctx = _user(T0 - 45_000, T0 - 30_000)
    frame = intents(
        {"ts_ms": T0 - 50_000},  # no user row at or before it: fail closed
        {"ts_ms": T0 - 45_000},  # a row at exactly ts_ms counts: silent 0
        {"ts_ms": T0 - 30_001},  # last row T0 - 45,000: silent 14,999
        {"ts_ms": T0 - 1},  # last row T0 - 30,000: silent 29,999
        {"ts_ms": T0},  # silent 30,000 = the limit: still passes
        {"ts_ms": T0 + 1},  # silent 30,001 > 30,000
    )
    assert vote(bot, frame, ctx) == [BLIND, approve(), approve(), approve(), approve(), BLIND]


def test_vote_when_only_later_rows_then_reject_no_look_ahead() -> None:
    # the only user message arrives 1 ms after the intent: it is not known at T0
    assert vote(bot, intents(), _user(T0 + 1)) == [BLIND]


def test_vote_when_no_user_rows_but_other_channels_then_reject() -> None:
    assert vote(bot, intents(), _user()) == [BLIND]
    assert vote(bot, intents(), RiskContext()) == [BLIND]


def test_vote_when_rows_unsorted_and_intents_out_of_order_then_order_kept() -> None:
    ctx = _user(T0 - 10_000, T0 - 100_000)  # unsorted history
    frame = intents(
        {"ts_ms": T0 + 25_000, "size": "7"},  # last row T0 - 10,000: silent 35,000 > 30,000
        {"ts_ms": T0, "size": "9"},  # silent 10,000
        {"ts_ms": T0 - 60_000, "size": "11"},  # last row T0 - 100,000: silent 40,000 > 30,000
        {"ts_ms": T0 - 80_000, "size": "13"},  # silent 20,000
    )
    assert vote(bot, frame, ctx) == [BLIND, approve("9"), BLIND, approve("13")]


def test_vote_when_null_ts_then_reject() -> None:
    assert vote(bot, intents({"ts_ms": None}, {}), _user(T0 - 1_000)) == [BLIND, approve()]


def test_vote_when_user_row_has_null_ts_then_ignored() -> None:
    ctx = healthy_context(venue_events=venue_events((None, "user", None, None, None)))  # type: ignore[arg-type]
    assert vote(bot, intents(), ctx) == [BLIND]


def test_vote_when_custom_limit_then_used() -> None:
    ctx = _user(T0 - 1_000)
    frame = intents({"ts_ms": T0}, {"ts_ms": T0 + 1})  # silent 1,000 (= limit) and 1,001
    assert vote(bot, frame, ctx, max_silence_ms=1_000) == [approve(), BLIND]


def test_vote_when_empty_frame_then_empty_votes() -> None:
    out = bot.vote(intents().clear(), healthy_context(), bot.Config())
    assert out.schema == VOTE_SCHEMA and out.height == 0


@pytest.mark.parametrize("bad", [{"max_silence_ms": 999}, {"max_silence_ms": 3_600_001}, {"silence_s": 30}])
def test_config_when_invalid_then_validation_error(bad: dict[str, int]) -> None:
    with pytest.raises(pydantic.ValidationError):
        bot.Config(**bad)


def test_config_defaults() -> None:
    assert bot.Config().max_silence_ms == 30_000
    assert (bot.SLUG, bot.VERSION, bot.CODE) == ("risk.user_stream_blind", "0.1.0", "RISK_USER_STREAM_BLIND")
